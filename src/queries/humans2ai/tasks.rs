//! Tasks from `tasks_view` with Humans2AI's status word derived from the
//! slot counters (DESIGN.md §3): the same rule in SQL (to filter and count)
//! and in Rust (to show one task folded from its stream).
//!
//! `remote` and `urgency` live in the task's `details` JSON, which the
//! projection stores as serde_json's compact text with sorted keys; they are
//! matched as the exact text `"remote":true` / `"urgency":"high"`, which
//! works alike on both backends. A string value cannot fake it: its quotes
//! would be escaped.

use super::super::binds::{Bind, Binds};
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use sqlx::{AnyPool, Row};

/// Humans2AI's words for a task (DESIGN.md §3).
pub const STATUS_WORDS: [&str; 6] = [
    "open",
    "assigned",
    "submitted",
    "completed",
    "disputed",
    "expired",
];

/// The word for a task: work awaiting review comes first; a task whose
/// disputed work ended it is disputed; cancelled and stopped tasks read as
/// expired (Humans2AI has no other word for work that ended unpaid).
pub fn status_word(
    status: &str,
    working: i64,
    awaiting_review: i64,
    approved: i64,
    disputed: i64,
) -> &'static str {
    if awaiting_review > 0 {
        "submitted"
    } else if disputed > 0 && working == 0 && (approved == 0 || status == "cancelled") {
        "disputed"
    } else if status == "completed" {
        "completed"
    } else if working > 0 {
        "assigned"
    } else if matches!(status, "open" | "paused") {
        "open"
    } else {
        "expired"
    }
}

/// `status_word` in SQL over `tasks_view`'s columns.
const STATUS_SQL: &str = "CASE \
    WHEN awaiting_review > 0 THEN 'submitted' \
    WHEN disputed > 0 AND working = 0 AND (approved = 0 OR status = 'cancelled') THEN 'disputed' \
    WHEN status = 'completed' THEN 'completed' \
    WHEN working > 0 THEN 'assigned' \
    WHEN status IN ('open', 'paused') THEN 'open' \
    ELSE 'expired' END";

/// Whose tasks a list shows.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// An agent's own tasks, whatever their state.
    PostedBy(ActorId),
    /// Work people may apply for: open apply-select tasks of anyone, and
    /// first-accept work with a slot free (applying takes it at once).
    Marketplace,
}

pub struct TaskFilter {
    pub scope: Scope,
    pub mode: Mode,
    /// One of `STATUS_WORDS`.
    pub status: Option<&'static str>,
    pub category: Option<String>,
    pub remote: Option<bool>,
    pub urgency: Option<&'static str>,
    pub limit: u32,
    pub offset: u32,
}

#[derive(Debug, Clone)]
pub struct TaskRow {
    pub task_id: String,
    pub poster: String,
    pub title: String,
    pub description: String,
    pub category: String,
    /// JSON.
    pub details: String,
    pub status: &'static str,
    pub reward_cents: i64,
    pub deadline_us: Option<i64>,
    pub posted_at_us: i64,
    /// The poster's name, from `actors_view`.
    pub agent_name: Option<String>,
}

impl TaskFilter {
    fn conditions(&self, binds: &mut Binds) -> String {
        let mut conditions = vec![format!(
            "mode = {}",
            binds.push(Bind::Text(self.mode.as_str().to_owned()))
        )];
        match self.scope {
            Scope::PostedBy(poster) => conditions.push(format!(
                "poster = {}",
                binds.push(Bind::Text(poster.to_string()))
            )),
            Scope::Marketplace => conditions.push(format!(
                "((assignment_mode = 'apply_select' AND ({STATUS_SQL}) = 'open') \
                 OR (assignment_mode = 'first_accept' AND status = 'open' \
                     AND slots > working + awaiting_review + approved + disputed))"
            )),
        }
        if let Some(word) = self.status {
            let placeholder = binds.push(Bind::Text(word.to_owned()));
            conditions.push(format!("({STATUS_SQL}) = {placeholder}"));
        }
        if let Some(category) = &self.category {
            let placeholder = binds.push(Bind::Text(category.clone()));
            conditions.push(format!("kind = {placeholder}"));
        }
        if let Some(remote) = self.remote {
            let placeholder = binds.push(Bind::Text(format!("%\"remote\":{remote}%")));
            conditions.push(format!("details LIKE {placeholder}"));
        }
        if let Some(urgency) = self.urgency {
            let placeholder = binds.push(Bind::Text(format!("%\"urgency\":\"{urgency}\"%")));
            conditions.push(format!("details LIKE {placeholder}"));
        }
        conditions.join(" AND ")
    }
}

/// A page of tasks, newest first, and how many match in all.
pub async fn list(pool: &AnyPool, filter: &TaskFilter) -> Result<(Vec<TaskRow>, i64), sqlx::Error> {
    let mut count_binds = Binds::default();
    let count_sql = format!(
        "SELECT COUNT(*) FROM tasks_view WHERE {}",
        filter.conditions(&mut count_binds)
    );
    let total: i64 = count_binds
        .apply(sqlx::query(&count_sql))
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    let mut binds = Binds::default();
    let conditions = filter.conditions(&mut binds);
    let limit = binds.push(Bind::Int(i64::from(filter.limit)));
    let offset = binds.push(Bind::Int(i64::from(filter.offset)));
    let sql = format!(
        "SELECT task_id, poster, title, description, kind, details, status, working, \
         awaiting_review, approved, disputed, reward_cents, deadline_us, posted_at_us, \
         (SELECT av.name FROM actors_view av WHERE av.actor_id = tasks_view.poster) \
         FROM tasks_view WHERE {conditions} \
         ORDER BY posted_at_us DESC, task_id DESC LIMIT {limit} OFFSET {offset}"
    );
    let rows = binds.apply(sqlx::query(&sql)).fetch_all(pool).await?;
    let tasks = rows
        .iter()
        .map(|row| {
            let status: String = row.try_get(6)?;
            Ok(TaskRow {
                task_id: row.try_get(0)?,
                poster: row.try_get(1)?,
                title: row.try_get(2)?,
                description: row.try_get(3)?,
                category: row.try_get(4)?,
                details: row.try_get(5)?,
                status: status_word(
                    &status,
                    row.try_get(7)?,
                    row.try_get(8)?,
                    row.try_get(9)?,
                    row.try_get(10)?,
                ),
                reward_cents: row.try_get(11)?,
                deadline_us: row.try_get(12)?,
                posted_at_us: row.try_get(13)?,
                agent_name: row.try_get(14)?,
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
        assert_eq!(status_word("open", 0, 0, 0, 0), "open");
        assert_eq!(status_word("paused", 0, 0, 0, 0), "open");
        assert_eq!(status_word("open", 1, 0, 0, 0), "assigned");
        assert_eq!(status_word("open", 0, 1, 0, 0), "submitted");
        assert_eq!(status_word("completed", 0, 0, 1, 0), "completed");
        assert_eq!(status_word("cancelled", 0, 0, 0, 1), "disputed");
        assert_eq!(status_word("expired", 0, 0, 0, 0), "expired");
        assert_eq!(status_word("cancelled", 0, 0, 0, 0), "expired");
    }
}
