//! An agent's stats: tasks per status word, spend per task type, the workers
//! it paid most, and how many people ever worked for it.

use super::tasks::STATUS_SQL;
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use sqlx::{AnyPool, Row};

/// How many top workers the stats name.
pub const TOP_WORKERS_MAX: i64 = 5;

#[derive(Debug, Clone, Default)]
pub struct AgentStats {
    pub tasks_by_status: Vec<(String, i64)>,
    /// Per task type: captured (gross) cents and the number of tasks.
    pub spend_by_type: Vec<(String, i64, i64)>,
    /// Worker actor id, approved submissions, cents paid to them.
    pub top_workers: Vec<(String, i64, i64)>,
    pub partner_count: i64,
}

pub async fn for_agent(
    pool: &AnyPool,
    poster: ActorId,
    mode: Mode,
) -> Result<AgentStats, sqlx::Error> {
    let poster = poster.to_string();
    let mode = mode.as_str();
    let by_status = format!(
        "SELECT {STATUS_SQL} AS word, COUNT(*) FROM tasks_view \
         WHERE poster = $1 AND mode = $2 GROUP BY word ORDER BY word"
    );
    let tasks_by_status = sqlx::query(&by_status)
        .bind(&poster)
        .bind(mode)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()?;
    let spend_by_type = sqlx::query(
        "SELECT kind, CAST(SUM(paid_cents) AS BIGINT), COUNT(*) FROM tasks_view \
         WHERE poster = $1 AND mode = $2 GROUP BY kind ORDER BY kind",
    )
    .bind(&poster)
    .bind(mode)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
    .collect::<Result<_, sqlx::Error>>()?;
    let top_workers = sqlx::query(
        "SELECT s.worker, COUNT(*), CAST(SUM(s.payout_cents) AS BIGINT) \
         FROM task_submissions_view s JOIN tasks_view t ON t.task_id = s.task_id \
         WHERE t.poster = $1 AND t.mode = $2 AND s.status = 'approved' \
         GROUP BY s.worker ORDER BY COUNT(*) DESC, s.worker LIMIT $3",
    )
    .bind(&poster)
    .bind(mode)
    .bind(TOP_WORKERS_MAX)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
    .collect::<Result<_, sqlx::Error>>()?;
    let partner_count = sqlx::query(
        "SELECT COUNT(DISTINCT a.worker) FROM task_assignments_view a \
         JOIN tasks_view t ON t.task_id = a.task_id WHERE t.poster = $1 AND t.mode = $2",
    )
    .bind(&poster)
    .bind(mode)
    .fetch_one(pool)
    .await?
    .try_get(0)?;
    Ok(AgentStats {
        tasks_by_status,
        spend_by_type,
        top_workers,
        partner_count,
    })
}
