//! InstaHuman's projects from `projects_view`, their testers from
//! `project_testers_view` and their jobs from `project_jobs_view` (with each
//! job's title and status from `tasks_view`). Lists are pages: projects
//! newest first, testers and jobs in the order they joined.

use super::QueryError;
use errand_aggregates::ids::{ActorId, ProjectId, TaskId};
use errand_aggregates::mode::Mode;
use errand_projections::projects::{ProjectRow, TesterRow};
use errand_projections::{Record, ViewRow};
use sqlx::{AnyPool, Row};

/// `owner`'s projects in `mode`, newest first (project ids are UUIDv7),
/// after the project `before` (the previous page's last), at most `fetch`.
pub async fn list(
    pool: &AnyPool,
    owner: ActorId,
    mode: Mode,
    before: Option<ProjectId>,
    fetch: i64,
) -> Result<Vec<ProjectRow>, QueryError> {
    let sql = format!(
        "SELECT {} FROM projects_view WHERE owner = $1 AND mode = $2 AND project_id < $3 \
         ORDER BY project_id DESC LIMIT $4",
        ProjectRow::COLUMNS.join(", ")
    );
    // Every UUID's text sorts below this one's.
    let before = before.map_or_else(|| "g".to_owned(), |id| id.to_string());
    let rows = sqlx::query(&sql)
        .bind(owner.to_string())
        .bind(mode.as_str())
        .bind(before)
        .bind(fetch)
        .fetch_all(pool)
        .await?;
    Ok(rows
        .iter()
        .map(ProjectRow::decode)
        .collect::<Result<Vec<_>, _>>()?)
}

/// A project's testers in the order they were added, after the one added
/// at position `after` (0 for the first page), at most `fetch`.
pub async fn testers(
    pool: &AnyPool,
    project_id: ProjectId,
    after: i64,
    fetch: i64,
) -> Result<Vec<TesterRow>, QueryError> {
    let sql = format!(
        "SELECT {} FROM project_testers_view WHERE project_id = $1 AND position > $2 \
         ORDER BY position LIMIT $3",
        TesterRow::COLUMNS.join(", ")
    );
    let rows = sqlx::query(&sql)
        .bind(project_id.to_string())
        .bind(after)
        .bind(fetch)
        .fetch_all(pool)
        .await?;
    Ok(rows
        .iter()
        .map(TesterRow::decode)
        .collect::<Result<Vec<_>, _>>()?)
}

/// A job in a project, as its owner sees it in the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectJob {
    pub job_id: String,
    pub title: String,
    /// The task's status in `tasks_view` (`open`, `paused`, …).
    pub status: String,
    /// Slots whose work was disputed: a dialect may say so in its status.
    pub disputed: i64,
    pub added_at_us: i64,
}

/// A project's jobs, the earliest added first, at most `limit` of them.
pub async fn jobs(
    pool: &AnyPool,
    project_id: ProjectId,
    limit: u32,
) -> Result<Vec<ProjectJob>, QueryError> {
    let rows = sqlx::query(
        "SELECT j.job_id, t.title, t.status, t.disputed, j.added_at_us FROM project_jobs_view j \
         JOIN tasks_view t ON t.task_id = j.job_id \
         WHERE j.project_id = $1 ORDER BY j.position LIMIT $2",
    )
    .bind(project_id.to_string())
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ProjectJob {
                job_id: row.try_get(0)?,
                title: row.try_get(1)?,
                status: row.try_get(2)?,
                disputed: row.try_get(3)?,
                added_at_us: row.try_get(4)?,
            })
        })
        .collect()
}

/// The project a job is in, if any (a deleted project holds none).
pub async fn project_of_job(pool: &AnyPool, job: TaskId) -> Result<Option<ProjectId>, QueryError> {
    let row: Option<String> =
        sqlx::query_scalar("SELECT project_id FROM project_jobs_view WHERE job_id = $1")
            .bind(job.to_string())
            .fetch_optional(pool)
            .await?;
    Ok(row.as_deref().and_then(ProjectId::parse))
}
