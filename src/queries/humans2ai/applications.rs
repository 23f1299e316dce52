//! A person's applications with their task's context, from
//! `task_applications_view` joined with `tasks_view`.

use super::super::binds::{Bind, Binds};
use super::tasks::status_word;
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use sqlx::{AnyPool, Row};

#[derive(Debug, Clone)]
pub struct ApplicationRow {
    pub application_id: String,
    pub task_id: String,
    pub note: Option<String>,
    /// pending, selected, or closed (still pending, but the task takes no
    /// more applications).
    pub status: &'static str,
    pub applied_at_us: i64,
    pub task_title: String,
    pub task_category: String,
    pub task_status: &'static str,
    pub reward_cents: i64,
    pub deadline_us: Option<i64>,
    pub poster: String,
}

const FROM: &str = "FROM task_applications_view a \
    JOIN tasks_view t ON t.task_id = a.task_id \
    WHERE a.applicant = $1 AND t.mode = $2";

/// A page of the person's applications, newest first, and how many in all.
pub async fn list(
    pool: &AnyPool,
    applicant: ActorId,
    mode: Mode,
    limit: u32,
    offset: u32,
) -> Result<(Vec<ApplicationRow>, i64), sqlx::Error> {
    let binds = || {
        let mut binds = Binds::default();
        binds.push(Bind::Text(applicant.to_string()));
        binds.push(Bind::Text(mode.as_str().to_owned()));
        binds
    };
    let total: i64 = binds()
        .apply(sqlx::query(&format!("SELECT COUNT(*) {FROM}")))
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    let mut page = binds();
    let limit = page.push(Bind::Int(i64::from(limit)));
    let offset = page.push(Bind::Int(i64::from(offset)));
    let sql = format!(
        "SELECT a.application_id, a.task_id, a.note, a.status, a.applied_at_us, t.title, t.kind, \
         t.status, t.working, t.awaiting_review, t.approved, t.disputed, t.reward_cents, \
         t.deadline_us, t.poster {FROM} \
         ORDER BY a.applied_at_us DESC, a.application_id DESC LIMIT {limit} OFFSET {offset}"
    );
    let rows = page.apply(sqlx::query(&sql)).fetch_all(pool).await?;
    let applications = rows
        .iter()
        .map(|row| {
            let status: String = row.try_get(3)?;
            let task_status: String = row.try_get(7)?;
            let task_status = status_word(
                &task_status,
                row.try_get(8)?,
                row.try_get(9)?,
                row.try_get(10)?,
                row.try_get(11)?,
            );
            Ok(ApplicationRow {
                application_id: row.try_get(0)?,
                task_id: row.try_get(1)?,
                note: row.try_get(2)?,
                status: application_word(&status, task_status),
                applied_at_us: row.try_get(4)?,
                task_title: row.try_get(5)?,
                task_category: row.try_get(6)?,
                task_status,
                reward_cents: row.try_get(12)?,
                deadline_us: row.try_get(13)?,
                poster: row.try_get(14)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((applications, total))
}

/// An application's word: selected, pending while its task is open, else closed.
pub fn application_word(status: &str, task_status: &str) -> &'static str {
    match (status, task_status) {
        ("selected", _) => "selected",
        (_, "open") => "pending",
        _ => "closed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_application_closes_with_its_task() {
        assert_eq!(application_word("pending", "open"), "pending");
        assert_eq!(application_word("pending", "assigned"), "closed");
        assert_eq!(application_word("selected", "completed"), "selected");
    }
}
