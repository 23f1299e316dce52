//! Webhook endpoints and deliveries from the `outbox` read model: an owner's
//! endpoints, and deliveries newest event first with their attempts.

use super::binds::{Bind, Binds};
use super::{decode_cursor, encode_cursor, micros_to_time, Page, QueryError, PAGE_LIMIT_MAX};
use chrono::{DateTime, Utc};
use errand_aggregates::webhook::WebhookFormat;
use errand_projections::outbox::{AttemptRow, EndpointRow};
use errand_projections::{Record, ViewRow};
use serde::Serialize;
use sqlx::{AnyPool, Row};
use utoipa::ToSchema;
use uuid::Uuid;

const DEFAULT_LIMIT: u32 = 20;
const STATUSES: &[&str] = &["pending", "delivered", "failed", "cancelled"];

/// An actor's active endpoints registered through the native API, oldest
/// first. HumanPing's implicit ones (an agent's `webhook_url`, a task's
/// `callback_url`) are not: they are managed by what made them.
pub async fn endpoints_of(pool: &AnyPool, owner: &str) -> Result<Vec<EndpointRow>, sqlx::Error> {
    endpoints_in(pool, owner, WebhookFormat::Native).await
}

pub async fn endpoint_count(pool: &AnyPool, owner: &str) -> Result<u32, sqlx::Error> {
    endpoint_count_in(pool, owner, WebhookFormat::Native).await
}

/// An actor's active endpoints of one format, oldest first.
pub async fn endpoints_in(
    pool: &AnyPool,
    owner: &str,
    format: WebhookFormat,
) -> Result<Vec<EndpointRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {} FROM webhook_endpoints_view WHERE owner = $1 AND status = 'active' \
         AND format = $2 ORDER BY webhook_id",
        EndpointRow::COLUMNS.join(", ")
    );
    let rows = sqlx::query(&sql)
        .bind(owner)
        .bind(format.as_str())
        .fetch_all(pool)
        .await?;
    rows.iter().map(EndpointRow::decode).collect()
}

/// How many active endpoints of one format an actor has.
pub async fn endpoint_count_in(
    pool: &AnyPool,
    owner: &str,
    format: WebhookFormat,
) -> Result<u32, sqlx::Error> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM webhook_endpoints_view \
         WHERE owner = $1 AND status = 'active' AND format = $2",
    )
    .bind(owner)
    .bind(format.as_str())
    .fetch_one(pool)
    .await?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

pub struct DeliveryFilter {
    /// `None`: everyone's (admins).
    owner: Option<String>,
    webhook_id: Option<Uuid>,
    status: Option<String>,
    /// `(position, delivery id)` of the last row of the previous page.
    before: Option<(i64, String)>,
    limit: u32,
}

impl DeliveryFilter {
    pub fn parse(
        owner: Option<String>,
        webhook_id: Option<Uuid>,
        status: Option<&str>,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<DeliveryFilter, QueryError> {
        if let Some(status) = status {
            if !STATUSES.contains(&status) {
                return Err(QueryError::Invalid(format!(
                    "status must be one of {}",
                    STATUSES.join(", ")
                )));
            }
        }
        let before = cursor
            .map(|cursor| {
                decode_cursor(cursor)
                    .and_then(|text| {
                        let (position, id) = text.split_once(':')?;
                        Uuid::parse_str(id).ok()?;
                        Some((position.parse::<i64>().ok()?, id.to_owned()))
                    })
                    .ok_or_else(|| QueryError::Invalid("cursor is not one this API gave".into()))
            })
            .transpose()?;
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=PAGE_LIMIT_MAX).contains(&limit) {
            return Err(QueryError::Invalid(format!(
                "limit must be 1 to {PAGE_LIMIT_MAX}"
            )));
        }
        Ok(DeliveryFilter {
            owner,
            webhook_id,
            status: status.map(str::to_owned),
            before,
            limit,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    /// Also the `webhook-id` header of every attempt, for receivers to drop repeats.
    pub id: Uuid,
    pub webhook_id: Uuid,
    /// The journal position of the event sent (GET /v1/events?after=position-1).
    pub event_position: i64,
    pub event_type: String,
    /// pending | delivered | failed | cancelled (its webhook was deleted first)
    pub status: String,
    pub attempt_count: i64,
    /// When a pending delivery is tried next.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub attempts: Vec<AttemptView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    pub attempt: i64,
    /// delivered | retrying | failed
    pub outcome: String,
    /// The receiver's HTTP status, if it answered.
    pub status_code: Option<i64>,
    /// Why there was no answer (refused destination, connection error, timeout).
    pub error: Option<String>,
    pub duration_ms: i64,
    pub at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

pub async fn deliveries(
    pool: &AnyPool,
    filter: &DeliveryFilter,
) -> Result<Page<DeliveryView>, sqlx::Error> {
    let mut binds = Binds::default();
    let mut conditions = vec!["1 = 1".to_owned()];
    if let Some(owner) = &filter.owner {
        conditions.push(format!("owner = {}", binds.push(Bind::Text(owner.clone()))));
    }
    if let Some(webhook_id) = filter.webhook_id {
        let placeholder = binds.push(Bind::Text(webhook_id.to_string()));
        conditions.push(format!("webhook_id = {placeholder}"));
    }
    if let Some(status) = &filter.status {
        conditions.push(format!(
            "status = {}",
            binds.push(Bind::Text(status.clone()))
        ));
    }
    if let Some((position, id)) = &filter.before {
        let position = binds.push(Bind::Int(*position));
        let id = binds.push(Bind::Text(id.clone()));
        conditions.push(format!(
            "(position < {position} OR (position = {position} AND delivery_id < {id}))"
        ));
    }
    // One extra row tells whether there is a next page.
    let limit = binds.push(Bind::Int(i64::from(filter.limit) + 1));
    let sql = format!(
        "SELECT delivery_id, webhook_id, position, event_type, status, attempts, due_at_us, \
                created_at_us, updated_at_us \
         FROM webhook_deliveries WHERE {} ORDER BY position DESC, delivery_id DESC LIMIT {limit}",
        conditions.join(" AND ")
    );
    let rows = binds.apply(sqlx::query(&sql)).fetch_all(pool).await?;
    let uuid = |text: String| Uuid::parse_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)));
    let mut data = Vec::with_capacity(rows.len());
    for row in &rows {
        let status: String = row.try_get(4)?;
        let due_at_us: i64 = row.try_get(6)?;
        data.push(DeliveryView {
            id: uuid(row.try_get(0)?)?,
            webhook_id: uuid(row.try_get(1)?)?,
            event_position: row.try_get(2)?,
            event_type: row.try_get(3)?,
            next_attempt_at: (status == "pending")
                .then(|| micros_to_time(Some(due_at_us)))
                .flatten(),
            status,
            attempt_count: row.try_get(5)?,
            created_at: micros_to_time(row.try_get(7)?),
            updated_at: micros_to_time(row.try_get(8)?),
            attempts: Vec::new(),
        });
    }
    let next = if data.len() > filter.limit as usize {
        data.truncate(filter.limit as usize);
        data.last()
            .map(|last| encode_cursor(&format!("{}:{}", last.event_position, last.id)))
    } else {
        None
    };
    attach_attempts(pool, &mut data).await?;
    Ok(Page { data, next })
}

/// Each delivery's attempts, in order: one query for the page.
async fn attach_attempts(pool: &AnyPool, page: &mut [DeliveryView]) -> Result<(), sqlx::Error> {
    if page.is_empty() {
        return Ok(());
    }
    let mut binds = Binds::default();
    let ids: Vec<String> = page
        .iter()
        .map(|delivery| binds.push(Bind::Text(delivery.id.to_string())))
        .collect();
    let sql = format!(
        "SELECT delivery_id, attempt, outcome, status_code, error, duration_ms, at_us, retry_at_us \
         FROM webhook_delivery_attempts WHERE delivery_id IN ({}) ORDER BY delivery_id, attempt",
        ids.join(", ")
    );
    for row in binds.apply(sqlx::query(&sql)).fetch_all(pool).await? {
        let attempt = AttemptRow::decode(&row)?;
        let Some(delivery) = page
            .iter_mut()
            .find(|d| d.id.to_string() == attempt.delivery_id)
        else {
            continue;
        };
        delivery.attempts.push(AttemptView {
            attempt: attempt.attempt,
            outcome: attempt.outcome,
            status_code: attempt.status_code,
            error: attempt.error,
            duration_ms: attempt.duration_ms,
            at: micros_to_time(Some(attempt.at_us)),
            next_attempt_at: micros_to_time(attempt.retry_at_us),
        });
    }
    Ok(())
}
