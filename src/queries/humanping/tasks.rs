//! An agent's tasks from `tasks_view`, with HumanPing's status word derived
//! from the slot counters (DESIGN.md §3): the same rule in SQL (to filter and
//! count) and in Rust (to show one task folded from its stream).

use super::super::binds::{Bind, Binds};
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use sqlx::{AnyPool, Row};

/// HumanPing's words; `expired` and `cancelled` are Errand's own for tasks
/// that ended without every slot paid (HumanPing has no word for them).
pub const STATUS_WORDS: [&str; 7] = [
    "pending",
    "in_progress",
    "proof_submitted",
    "completed",
    "disputed",
    "expired",
    "cancelled",
];

/// The word for a task: work awaiting review comes first; a task whose
/// settled work was all disputed (or that a dispute ended) is disputed.
pub fn status_word(
    status: &str,
    working: i64,
    awaiting_review: i64,
    approved: i64,
    disputed: i64,
) -> &'static str {
    if awaiting_review > 0 {
        "proof_submitted"
    } else if disputed > 0 && working == 0 && (approved == 0 || status == "cancelled") {
        "disputed"
    } else if status == "completed" {
        "completed"
    } else if working > 0 {
        "in_progress"
    } else if matches!(status, "open" | "paused") {
        "pending"
    } else if status == "expired" {
        "expired"
    } else {
        "cancelled"
    }
}

/// `status_word` in SQL over `tasks_view`'s columns.
pub(crate) const STATUS_SQL: &str = "CASE \
    WHEN awaiting_review > 0 THEN 'proof_submitted' \
    WHEN disputed > 0 AND working = 0 AND (approved = 0 OR status = 'cancelled') THEN 'disputed' \
    WHEN status = 'completed' THEN 'completed' \
    WHEN working > 0 THEN 'in_progress' \
    WHEN status IN ('open', 'paused') THEN 'pending' \
    WHEN status = 'expired' THEN 'expired' \
    ELSE 'cancelled' END";

#[derive(Debug, Clone)]
pub struct AgentTaskRow {
    pub task_id: String,
    pub kind: String,
    pub status: String,
    pub description: String,
    /// JSON.
    pub details: String,
    pub reward_cents: i64,
    pub fee_rate: String,
    pub slots: i64,
    pub working: i64,
    pub awaiting_review: i64,
    pub approved: i64,
    pub disputed: i64,
    pub escrow_cents: i64,
    pub paid_cents: i64,
    pub deadline_us: Option<i64>,
    pub posted_at_us: i64,
}

impl AgentTaskRow {
    pub fn status_word(&self) -> &'static str {
        status_word(
            &self.status,
            self.working,
            self.awaiting_review,
            self.approved,
            self.disputed,
        )
    }
}

pub struct AgentTaskFilter {
    pub poster: ActorId,
    pub mode: Mode,
    /// One of `STATUS_WORDS`.
    pub status: Option<&'static str>,
    pub kind: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

/// A page of the agent's tasks, newest first, and how many match in all.
pub async fn list(
    pool: &AnyPool,
    filter: &AgentTaskFilter,
) -> Result<(Vec<AgentTaskRow>, i64), sqlx::Error> {
    let mut binds = Binds::default();
    let mut conditions = vec![
        format!(
            "poster = {}",
            binds.push(Bind::Text(filter.poster.to_string()))
        ),
        format!(
            "mode = {}",
            binds.push(Bind::Text(filter.mode.as_str().to_owned()))
        ),
    ];
    if let Some(word) = filter.status {
        let placeholder = binds.push(Bind::Text(word.to_owned()));
        conditions.push(format!("({STATUS_SQL}) = {placeholder}"));
    }
    if let Some(kind) = &filter.kind {
        conditions.push(format!("kind = {}", binds.push(Bind::Text(kind.clone()))));
    }
    let conditions = conditions.join(" AND ");
    let mut count_binds = Binds::default();
    // The count repeats the filter's values in the same order.
    count_binds.push(Bind::Text(filter.poster.to_string()));
    count_binds.push(Bind::Text(filter.mode.as_str().to_owned()));
    if let Some(word) = filter.status {
        count_binds.push(Bind::Text(word.to_owned()));
    }
    if let Some(kind) = &filter.kind {
        count_binds.push(Bind::Text(kind.clone()));
    }
    let count_sql = format!("SELECT COUNT(*) FROM tasks_view WHERE {conditions}");
    let total: i64 = count_binds
        .apply(sqlx::query(&count_sql))
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    let limit = binds.push(Bind::Int(i64::from(filter.limit)));
    let offset = binds.push(Bind::Int(i64::from(filter.offset)));
    let sql = format!(
        "SELECT task_id, kind, status, description, details, reward_cents, fee_rate, slots, \
         working, awaiting_review, approved, disputed, escrow_cents, paid_cents, deadline_us, \
         posted_at_us FROM tasks_view WHERE {conditions} \
         ORDER BY posted_at_us DESC, task_id DESC LIMIT {limit} OFFSET {offset}"
    );
    let rows = binds.apply(sqlx::query(&sql)).fetch_all(pool).await?;
    let tasks = rows
        .iter()
        .map(|row| {
            Ok(AgentTaskRow {
                task_id: row.try_get(0)?,
                kind: row.try_get(1)?,
                status: row.try_get(2)?,
                description: row.try_get(3)?,
                details: row.try_get(4)?,
                reward_cents: row.try_get(5)?,
                fee_rate: row.try_get(6)?,
                slots: row.try_get(7)?,
                working: row.try_get(8)?,
                awaiting_review: row.try_get(9)?,
                approved: row.try_get(10)?,
                disputed: row.try_get(11)?,
                escrow_cents: row.try_get(12)?,
                paid_cents: row.try_get(13)?,
                deadline_us: row.try_get(14)?,
                posted_at_us: row.try_get(15)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((tasks, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_word_follows_from_the_counters() {
        assert_eq!(status_word("open", 0, 0, 0, 0), "pending");
        assert_eq!(status_word("open", 1, 0, 0, 0), "in_progress");
        assert_eq!(status_word("open", 1, 1, 0, 0), "proof_submitted");
        assert_eq!(status_word("completed", 0, 0, 3, 0), "completed");
        assert_eq!(status_word("cancelled", 0, 0, 0, 1), "disputed");
        assert_eq!(status_word("cancelled", 0, 0, 1, 1), "disputed");
        assert_eq!(status_word("completed", 0, 0, 2, 1), "completed");
        assert_eq!(status_word("expired", 0, 0, 0, 0), "expired");
        assert_eq!(status_word("cancelled", 0, 0, 0, 0), "cancelled");
        assert_eq!(status_word("stopped", 0, 0, 0, 0), "cancelled");
    }
}
