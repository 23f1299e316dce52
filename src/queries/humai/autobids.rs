//! An agent's auto-bidding rules (`autobid_rules_view`) and what each has
//! done with the listings it matched (`autobid_attempts_view`).

use super::super::QueryError;
use errand_projections::autobids::{AutoBidAttemptRow, AutoBidRuleRow};
use errand_projections::{Record, ViewRow};
use sqlx::{AnyPool, Row};
use std::collections::HashMap;

/// The latest attempts shown per rule: enough to see what it did lately.
pub const RECENT_ATTEMPTS_MAX: i64 = 10;

/// How many of a rule's attempts ended each way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttemptCounts {
    pub pending: i64,
    pub placed: i64,
    pub skipped: i64,
}

/// `actor`'s rules in `mode`, oldest first (at most `RULES_MAX`).
pub async fn rules_of(
    pool: &AnyPool,
    actor: &str,
    mode: &str,
) -> Result<Vec<AutoBidRuleRow>, QueryError> {
    let sql = format!(
        "SELECT {} FROM {} WHERE actor_id = $1 AND mode = $2 ORDER BY created_at_us, rule_id",
        AutoBidRuleRow::COLUMNS.join(", "),
        AutoBidRuleRow::TABLE
    );
    let rows = sqlx::query(&sql)
        .bind(actor)
        .bind(mode)
        .fetch_all(pool)
        .await?;
    Ok(rows
        .iter()
        .map(AutoBidRuleRow::decode)
        .collect::<Result<_, _>>()?)
}

/// Each of `actor`'s rules' attempts, counted by status.
pub async fn attempt_counts(
    pool: &AnyPool,
    actor: &str,
) -> Result<HashMap<String, AttemptCounts>, QueryError> {
    let rows = sqlx::query(
        "SELECT rule_id, status, COUNT(*) FROM autobid_attempts_view \
         WHERE actor_id = $1 GROUP BY rule_id, status",
    )
    .bind(actor)
    .fetch_all(pool)
    .await?;
    let mut counts: HashMap<String, AttemptCounts> = HashMap::new();
    for row in rows {
        let rule_id: String = row.try_get(0)?;
        let status: String = row.try_get(1)?;
        let count: i64 = row.try_get(2)?;
        let entry = counts.entry(rule_id).or_default();
        match status.as_str() {
            "pending" => entry.pending = count,
            "placed" => entry.placed = count,
            _ => entry.skipped = count,
        }
    }
    Ok(counts)
}

/// A rule's latest attempts, newest first.
pub async fn recent_attempts(
    pool: &AnyPool,
    rule_id: &str,
) -> Result<Vec<AutoBidAttemptRow>, QueryError> {
    let sql = format!(
        "SELECT {} FROM {} WHERE rule_id = $1 ORDER BY position DESC, bid_id LIMIT $2",
        AutoBidAttemptRow::COLUMNS.join(", "),
        AutoBidAttemptRow::TABLE
    );
    let rows = sqlx::query(&sql)
        .bind(rule_id)
        .bind(RECENT_ATTEMPTS_MAX)
        .fetch_all(pool)
        .await?;
    Ok(rows
        .iter()
        .map(AutoBidAttemptRow::decode)
        .collect::<Result<_, _>>()?)
}
