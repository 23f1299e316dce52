//! Task lists from `tasks_view`, newest first, with an opaque cursor.

use super::binds::{Bind, Binds};
use super::{decode_cursor, encode_cursor, micros_to_time, PAGE_LIMIT_MAX};
use super::{Page, QueryError};
use chrono::{DateTime, Utc};
use errand_aggregates::ids::{SubmissionId, TaskId};
use errand_aggregates::mode::Mode;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use utoipa::ToSchema;
use uuid::Uuid;

const STATUSES: &[&str] = &[
    "open",
    "paused",
    "stopped",
    "settling",
    "cancelled",
    "expired",
    "completed",
];
const DEFAULT_LIMIT: u32 = 20;

pub struct TaskFilter {
    mode: Mode,
    status: Option<String>,
    poster: Option<Uuid>,
    worker: Option<Uuid>,
    /// Tasks older than this id (ids are time-ordered UUIDv7).
    before: Option<String>,
    limit: u32,
}

impl TaskFilter {
    pub fn parse(
        mode: Mode,
        status: Option<&str>,
        poster: Option<Uuid>,
        worker: Option<Uuid>,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<TaskFilter, QueryError> {
        if let Some(status) = status {
            if !STATUSES.contains(&status) {
                return Err(QueryError::Invalid(format!(
                    "status must be one of {}",
                    STATUSES.join(", ")
                )));
            }
        }
        let before = cursor
            .map(|c| decode_cursor(c).filter(|id| Uuid::parse_str(id).is_ok()))
            .map(|id| {
                id.ok_or_else(|| QueryError::Invalid("cursor is not one this API gave".into()))
            })
            .transpose()?;
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=PAGE_LIMIT_MAX).contains(&limit) {
            return Err(QueryError::Invalid(format!(
                "limit must be 1 to {PAGE_LIMIT_MAX}"
            )));
        }
        Ok(TaskFilter {
            mode,
            status: status.map(str::to_owned),
            poster,
            worker,
            before,
            limit,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskSummary {
    pub id: Uuid,
    pub poster_id: Uuid,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub assignment_mode: String,
    pub reward_cents: i64,
    pub currency: String,
    pub slots: i64,
    pub open_slots: i64,
    pub working: i64,
    pub awaiting_review: i64,
    pub approved: i64,
    pub disputed: i64,
    pub escrow_cents: i64,
    pub paid_cents: i64,
    pub deadline: Option<DateTime<Utc>>,
    pub posted_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

fn summary(row: &AnyRow) -> Result<TaskSummary, sqlx::Error> {
    let uuid = |column: &str| -> Result<Uuid, sqlx::Error> {
        let text: String = row.try_get(column)?;
        Uuid::parse_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
    };
    let slots: i64 = row.try_get("slots")?;
    let working: i64 = row.try_get("working")?;
    let awaiting_review: i64 = row.try_get("awaiting_review")?;
    let approved: i64 = row.try_get("approved")?;
    let disputed: i64 = row.try_get("disputed")?;
    Ok(TaskSummary {
        id: uuid("task_id")?,
        poster_id: uuid("poster")?,
        title: row.try_get("title")?,
        kind: row.try_get("kind")?,
        status: row.try_get("status")?,
        assignment_mode: row.try_get("assignment_mode")?,
        reward_cents: row.try_get("reward_cents")?,
        currency: row.try_get("currency")?,
        slots,
        open_slots: (slots - working - awaiting_review - approved - disputed).max(0),
        working,
        awaiting_review,
        approved,
        disputed,
        escrow_cents: row.try_get("escrow_cents")?,
        paid_cents: row.try_get("paid_cents")?,
        deadline: micros_to_time(row.try_get("deadline_us")?),
        posted_at: micros_to_time(row.try_get("posted_at_us")?),
        updated_at: micros_to_time(row.try_get("updated_at_us")?),
    })
}

pub async fn list(pool: &AnyPool, filter: &TaskFilter) -> Result<Page<TaskSummary>, sqlx::Error> {
    let mut binds = Binds::default();
    let mut conditions = vec![format!(
        "mode = {}",
        binds.push(Bind::Text(filter.mode.as_str().into()))
    )];
    if let Some(status) = &filter.status {
        conditions.push(format!(
            "status = {}",
            binds.push(Bind::Text(status.clone()))
        ));
    }
    if let Some(poster) = filter.poster {
        conditions.push(format!(
            "poster = {}",
            binds.push(Bind::Text(poster.to_string()))
        ));
    }
    if let Some(worker) = filter.worker {
        let placeholder = binds.push(Bind::Text(worker.to_string()));
        conditions.push(format!(
            "task_id IN (SELECT task_id FROM task_assignments_view WHERE worker = {placeholder})"
        ));
    }
    newest_first(
        pool,
        conditions,
        binds,
        filter.before.as_deref(),
        filter.limit,
    )
    .await
}

/// One page of `tasks_view`'s rows that meet every one of `conditions`
/// (bound by `binds`), newest first, older than the cursor's `before`, with
/// the cursor of the next page if there is one.
pub(super) async fn newest_first(
    pool: &AnyPool,
    mut conditions: Vec<String>,
    mut binds: Binds,
    before: Option<&str>,
    limit: u32,
) -> Result<Page<TaskSummary>, sqlx::Error> {
    if let Some(before) = before {
        conditions.push(format!(
            "task_id < {}",
            binds.push(Bind::Text(before.to_owned()))
        ));
    }
    // One extra row tells whether there is a next page.
    let limit_placeholder = binds.push(Bind::Int(i64::from(limit) + 1));
    let sql = format!(
        "SELECT * FROM tasks_view WHERE {} ORDER BY task_id DESC LIMIT {limit_placeholder}",
        conditions.join(" AND ")
    );
    let rows = binds.apply(sqlx::query(&sql)).fetch_all(pool).await?;
    let mut data = rows.iter().map(summary).collect::<Result<Vec<_>, _>>()?;
    let next = if data.len() > limit as usize {
        data.truncate(limit as usize);
        data.last().map(|task| encode_cursor(&task.id.to_string()))
    } else {
        None
    };
    Ok(Page { data, next })
}

pub async fn task_of_submission(
    pool: &AnyPool,
    submission_id: SubmissionId,
) -> Result<Option<TaskId>, sqlx::Error> {
    let task_id: Option<String> =
        sqlx::query_scalar("SELECT task_id FROM task_submissions_view WHERE submission_id = $1")
            .bind(submission_id.to_string())
            .fetch_optional(pool)
            .await?;
    Ok(task_id.as_deref().and_then(TaskId::parse))
}

/// How many of one mode's tasks are in each status, for charts.
pub async fn count_by_status(
    pool: &AnyPool,
    mode: Mode,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT status, CAST(COUNT(*) AS BIGINT) AS tasks FROM tasks_view WHERE mode = $1 \
         GROUP BY status ORDER BY status",
    )
    .bind(mode.as_str().to_owned())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("status")?, row.try_get("tasks")?)))
        .collect()
}
