//! Payouts from `payouts_view`: an account's payouts, newest first.

use super::{decode_cursor, encode_cursor, micros_to_time, Page, QueryError, PAGE_LIMIT_MAX};
use chrono::{DateTime, Utc};
use errand_aggregates::account::AccountId;
use errand_aggregates::payout::Payout;
use errand_projections::payouts::PayoutRow;
use errand_projections::{Record, ViewRow};
use serde::Serialize;
use sqlx::AnyPool;
use utoipa::ToSchema;
use uuid::Uuid;

const DEFAULT_LIMIT: u32 = 50;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PayoutView {
    pub id: Uuid,
    pub amount_cents: i64,
    pub currency: String,
    /// pending (sent, no answer yet) | paid | failed (the money came back)
    pub status: String,
    /// The connected account at the provider it went to.
    pub destination: String,
    /// withdrawal | task_earnings
    pub purpose: String,
    /// For task earnings: the task they were earned on.
    pub task_id: Option<Uuid>,
    /// The provider's id for the transfer, once paid.
    pub provider_reference: Option<String>,
    pub failure_reason: Option<String>,
    pub requested_at: Option<DateTime<Utc>>,
    pub settled_at: Option<DateTime<Utc>>,
}

impl PayoutView {
    pub fn from_state(payout: &Payout) -> PayoutView {
        let amount = payout
            .amount
            .unwrap_or(errand_aggregates::money::Money::usd(0));
        PayoutView {
            id: payout.payout_id.map(|id| id.0).unwrap_or_default(),
            amount_cents: amount.cents,
            currency: amount.currency.code().to_owned(),
            status: payout.status.as_str().to_owned(),
            destination: payout.destination.clone(),
            purpose: match payout.purpose.task_id() {
                Some(_) => "task_earnings",
                None => "withdrawal",
            }
            .to_owned(),
            task_id: payout.purpose.task_id().map(|task| task.0),
            provider_reference: payout.provider_reference.clone(),
            failure_reason: payout.failure_reason.clone(),
            requested_at: payout.requested_at,
            settled_at: payout.settled_at,
        }
    }

    fn from_row(row: PayoutRow) -> PayoutView {
        PayoutView {
            id: Uuid::parse_str(&row.payout_id).unwrap_or_default(),
            amount_cents: row.amount_cents,
            currency: row.currency,
            status: row.status,
            destination: row.destination,
            purpose: row.purpose,
            task_id: row.task_id.and_then(|id| Uuid::parse_str(&id).ok()),
            provider_reference: row.provider_reference,
            failure_reason: row.failure_reason,
            requested_at: micros_to_time(Some(row.requested_at_us)),
            settled_at: micros_to_time(row.settled_at_us),
        }
    }
}

/// `account`'s payouts, newest first. The cursor is the position of the last
/// payout seen.
pub async fn of_account(
    pool: &AnyPool,
    account: &AccountId,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<Page<PayoutView>, QueryError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=PAGE_LIMIT_MAX).contains(&limit) {
        return Err(QueryError::Invalid(format!(
            "limit must be 1 to {PAGE_LIMIT_MAX}"
        )));
    }
    let before = match cursor {
        None => i64::MAX,
        Some(cursor) => decode_cursor(cursor)
            .and_then(|text| text.parse::<i64>().ok())
            .ok_or_else(|| QueryError::Invalid("cursor is not one this API gave".into()))?,
    };
    let sql = format!(
        "SELECT {} FROM payouts_view WHERE owner = $1 AND mode = $2 AND currency = $3 \
         AND position < $4 ORDER BY position DESC LIMIT $5",
        PayoutRow::COLUMNS.join(", ")
    );
    let rows = sqlx::query(&sql)
        .bind(account.owner.to_string())
        .bind(account.mode.as_str())
        .bind(account.currency.code())
        .bind(before)
        .bind(i64::from(limit) + 1)
        .fetch_all(pool)
        .await?;
    let more = rows.len() > limit as usize;
    let mut data = Vec::with_capacity(limit as usize);
    let mut last_position = None;
    for row in rows.iter().take(limit as usize) {
        let row = PayoutRow::decode(row)?;
        last_position = Some(row.position);
        data.push(PayoutView::from_row(row));
    }
    let next = more
        .then(|| last_position.map(|p| encode_cursor(&p.to_string())))
        .flatten();
    Ok(Page { data, next })
}

/// Payouts still `pending` whose request was recorded before `requested_before`,
/// oldest first, at most `limit`: what the runtime's payout sweep sends again.
/// Served by the index `payouts_view_status (status, requested_at_us)`.
pub async fn pending_requested_before(
    pool: &AnyPool,
    requested_before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<PayoutRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {} FROM payouts_view WHERE status = 'pending' AND requested_at_us < $1 \
         ORDER BY requested_at_us, position LIMIT $2",
        PayoutRow::COLUMNS.join(", ")
    );
    let rows = sqlx::query(&sql)
        .bind(requested_before.timestamp_micros())
        .bind(limit)
        .fetch_all(pool)
        .await?;
    rows.iter().map(PayoutRow::decode).collect()
}

#[cfg(test)]
mod tests {
    //! The sweep's query on both backends, over rows written straight into
    //! `payouts_view` (the projection's own tests cover how rows get there).

    use super::*;
    use crate::journal::tests::{on_both_backends, TestDatabase};
    use chrono::Duration;

    fn row(payout_id: &str, status: &str, requested_at: DateTime<Utc>, position: i64) -> PayoutRow {
        PayoutRow {
            payout_id: payout_id.to_owned(),
            owner: "owner".to_owned(),
            mode: "live".to_owned(),
            currency: "USD".to_owned(),
            amount_cents: 500,
            destination: "acct_sandbox_1".to_owned(),
            provider: "sandbox".to_owned(),
            purpose: "withdrawal".to_owned(),
            task_id: None,
            status: status.to_owned(),
            provider_reference: None,
            failure_reason: None,
            position,
            requested_at_us: requested_at.timestamp_micros(),
            settled_at_us: None,
        }
    }

    async fn insert(pool: &AnyPool, row: &PayoutRow) {
        let placeholders = (1..=PayoutRow::COLUMNS.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO payouts_view ({}) VALUES ({placeholders})",
            PayoutRow::COLUMNS.join(", ")
        );
        row.bind(sqlx::query(&sql))
            .execute(pool)
            .await
            .expect("row inserted");
    }

    async fn only_old_pending_payouts_are_found_oldest_first(database: &TestDatabase) {
        let journal = database.open().await;
        let pool = journal.pool();
        let now = Utc::now();
        let grace = Duration::minutes(2);
        let rows = [
            row("pending-old", "pending", now - Duration::minutes(10), 2),
            row("pending-older", "pending", now - Duration::minutes(30), 1),
            row("pending-fresh", "pending", now - Duration::seconds(30), 3),
            row("paid-old", "paid", now - Duration::minutes(40), 4),
            row("failed-old", "failed", now - Duration::minutes(40), 5),
        ];
        for row in &rows {
            insert(pool, row).await;
        }
        let found = pending_requested_before(pool, now - grace, 10)
            .await
            .expect("queried");
        let ids: Vec<&str> = found.iter().map(|row| row.payout_id.as_str()).collect();
        assert_eq!(ids, ["pending-older", "pending-old"]);
        assert_eq!(found[0], rows[1], "the whole row comes back");

        let first = pending_requested_before(pool, now - grace, 1)
            .await
            .expect("queried");
        assert_eq!(first.len(), 1, "bounded by the limit");
        assert_eq!(first[0].payout_id, "pending-older");
        journal.close().await;
    }

    on_both_backends!(only_old_pending_payouts_are_found_oldest_first);
}
