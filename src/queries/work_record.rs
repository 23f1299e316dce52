//! A worker's record in one mode, from `task_submissions_view` (with
//! `tasks_view` for the task's mode and title and `actors_view` for the
//! poster's name): submissions by outcome, and the posters' decisions on
//! them, newest first. A decision is what a person on the work board calls a
//! review of their work: approved (paid), rejected or disputed, with the
//! poster's reason. (Humai's rated reviews are `queries::humai::reviews`.)

use super::micros_to_time;
use chrono::{DateTime, Utc};
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use sqlx::{AnyPool, Row};

/// Decisions one page shows at most: the newest are what people read.
pub const DECISIONS_MAX: i64 = 100;

/// A worker's submissions by outcome, and what the approved ones paid.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkTotals {
    pub approved: i64,
    /// Handed in, awaiting the poster's review.
    pub in_review: i64,
    pub rejected: i64,
    pub disputed: i64,
    /// Paid for approved work, after fees.
    pub earned_cents: i64,
    /// The platform's fees on the approved work.
    pub fees_cents: i64,
}

pub async fn totals(
    pool: &AnyPool,
    worker: ActorId,
    mode: Mode,
) -> Result<WorkTotals, sqlx::Error> {
    let count = |status: &str| {
        format!(
            "COALESCE(CAST(SUM(CASE WHEN s.status = '{status}' THEN 1 ELSE 0 END) AS BIGINT), 0)"
        )
    };
    let paid = |column: &str| {
        format!(
            "COALESCE(CAST(SUM(CASE WHEN s.status = 'approved' THEN s.{column} ELSE 0 END) \
             AS BIGINT), 0)"
        )
    };
    // The statuses and columns are this function's own words, never input.
    let sql = format!(
        "SELECT {}, {}, {}, {}, {}, {} FROM task_submissions_view s \
         JOIN tasks_view t ON t.task_id = s.task_id WHERE s.worker = $1 AND t.mode = $2",
        count("approved"),
        count("pending"),
        count("rejected"),
        count("disputed"),
        paid("payout_cents"),
        paid("fee_cents"),
    );
    let row = sqlx::query(&sql)
        .bind(worker.to_string())
        .bind(mode.as_str().to_owned())
        .fetch_one(pool)
        .await?;
    Ok(WorkTotals {
        approved: row.try_get(0)?,
        in_review: row.try_get(1)?,
        rejected: row.try_get(2)?,
        disputed: row.try_get(3)?,
        earned_cents: row.try_get(4)?,
        fees_cents: row.try_get(5)?,
    })
}

/// A poster's decision on one of the worker's submissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub submission_id: String,
    pub task_id: String,
    pub task_title: String,
    pub poster: String,
    /// The poster's name, if the actors' read model has them.
    pub poster_name: Option<String>,
    /// approved | rejected | disputed
    pub status: String,
    pub reason: Option<String>,
    pub payout_cents: Option<i64>,
    pub fee_cents: Option<i64>,
    /// Approved by the review window's end rather than by the poster.
    pub auto_approved: bool,
    pub reviewed_at: Option<DateTime<Utc>>,
}

/// The newest decisions on a worker's submissions in `mode`, at most
/// `DECISIONS_MAX`.
pub async fn decisions(
    pool: &AnyPool,
    worker: ActorId,
    mode: Mode,
    limit: i64,
) -> Result<Vec<Decision>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT s.submission_id, s.task_id, t.title, t.poster, a.name, s.status, s.reason, \
         s.payout_cents, s.fee_cents, s.auto_approved, s.reviewed_at_us \
         FROM task_submissions_view s JOIN tasks_view t ON t.task_id = s.task_id \
         LEFT JOIN actors_view a ON a.actor_id = t.poster \
         WHERE s.worker = $1 AND t.mode = $2 AND s.status <> 'pending' \
         ORDER BY COALESCE(s.reviewed_at_us, s.submitted_at_us) DESC, s.submission_id DESC LIMIT $3",
    )
    .bind(worker.to_string())
    .bind(mode.as_str().to_owned())
    .bind(limit.clamp(1, DECISIONS_MAX))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Decision {
                submission_id: row.try_get(0)?,
                task_id: row.try_get(1)?,
                task_title: row.try_get(2)?,
                poster: row.try_get(3)?,
                poster_name: row.try_get(4)?,
                status: row.try_get(5)?,
                reason: row.try_get(6)?,
                payout_cents: row.try_get(7)?,
                fee_cents: row.try_get(8)?,
                auto_approved: row.try_get::<i32, _>(9)? != 0,
                reviewed_at: micros_to_time(row.try_get(10)?),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
