//! An owner's InstaHuman jobs from `tasks_view`, newest first (task ids are
//! time-ordered UUIDv7s, so the id is the sort key and the cursor).

use super::super::binds::{Bind, Binds};
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use sqlx::{AnyPool, Row};

/// How a job's task says it is InstaHuman's: its details hold
/// `"dialect":"instahuman"` (serde_json writes no spaces), as a LIKE
/// pattern over `tasks_view.details`. The owner's index narrows the rows
/// first, so the pattern reads only their tasks.
const INSTAHUMAN_DETAILS: &str = "%\"dialect\":\"instahuman\"%";

/// One job of a list, as `tasks_view` holds it.
#[derive(Debug, Clone)]
pub struct JobRow {
    pub task_id: String,
    pub title: String,
    pub category: String,
    /// JSON.
    pub details: String,
    /// The task's status word (`TaskStatus::as_str`).
    pub status: String,
    pub slots: i64,
    pub working: i64,
    pub awaiting_review: i64,
    pub approved: i64,
    pub disputed: i64,
    pub reward_cents: i64,
    pub escrow_cents: i64,
    pub paid_cents: i64,
    pub released_cents: i64,
    pub posted_at_us: i64,
    pub updated_at_us: i64,
    /// The project it is in, from `project_jobs_view`.
    pub project_id: Option<String>,
}

impl JobRow {
    pub fn open_slots(&self) -> i64 {
        (self.slots - self.working - self.awaiting_review - self.approved - self.disputed).max(0)
    }
}

/// The owner's jobs in `mode`, newest first, after the job `after` (a task
/// id from a cursor), at most `limit`.
pub async fn list(
    pool: &AnyPool,
    owner: ActorId,
    mode: Mode,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<JobRow>, sqlx::Error> {
    let mut binds = Binds::default();
    let mut conditions = vec![
        format!("poster = {}", binds.push(Bind::Text(owner.to_string()))),
        format!(
            "mode = {}",
            binds.push(Bind::Text(mode.as_str().to_owned()))
        ),
        format!(
            "details LIKE {}",
            binds.push(Bind::Text(INSTAHUMAN_DETAILS.to_owned()))
        ),
    ];
    if let Some(after) = after {
        conditions.push(format!(
            "task_id < {}",
            binds.push(Bind::Text(after.to_owned()))
        ));
    }
    let limit = binds.push(Bind::Int(limit));
    let sql = format!(
        "SELECT task_id, title, kind, details, status, slots, working, awaiting_review, \
         approved, disputed, reward_cents, escrow_cents, paid_cents, released_cents, \
         posted_at_us, updated_at_us, project_id \
         FROM tasks_view LEFT JOIN project_jobs_view ON job_id = task_id \
         WHERE {} ORDER BY task_id DESC LIMIT {limit}",
        conditions.join(" AND ")
    );
    let rows = binds.apply(sqlx::query(&sql)).fetch_all(pool).await?;
    rows.iter()
        .map(|row| {
            Ok(JobRow {
                task_id: row.try_get(0)?,
                title: row.try_get(1)?,
                category: row.try_get(2)?,
                details: row.try_get(3)?,
                status: row.try_get(4)?,
                slots: row.try_get(5)?,
                working: row.try_get(6)?,
                awaiting_review: row.try_get(7)?,
                approved: row.try_get(8)?,
                disputed: row.try_get(9)?,
                reward_cents: row.try_get(10)?,
                escrow_cents: row.try_get(11)?,
                paid_cents: row.try_get(12)?,
                released_cents: row.try_get(13)?,
                posted_at_us: row.try_get(14)?,
                updated_at_us: row.try_get(15)?,
                project_id: row.try_get(16)?,
            })
        })
        .collect()
}
