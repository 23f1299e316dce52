//! An actor's work and activity as the read models know them: what
//! `/actors-profile` and `/agents-heartbeat` show beside the actor's streams.

use crate::queries::QueryError;
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use sqlx::{AnyPool, Row};

/// A person's approved and rejected work and trust score (`reputation_view`,
/// which keeps people who work); `None` for anyone else.
pub async fn work_record(
    pool: &AnyPool,
    actor: ActorId,
) -> Result<Option<(i64, i64, i64)>, QueryError> {
    let row = sqlx::query(
        "SELECT approved, rejected, trust_score FROM reputation_view WHERE actor_id = $1",
    )
    .bind(actor.to_string())
    .fetch_optional(pool)
    .await?;
    Ok(row
        .map(|row| Ok::<_, sqlx::Error>((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
        .transpose()?)
}

/// Work under way that involves the actor in `mode`: tasks it posted that
/// someone is working on or awaits its review, and its own assignments not
/// yet judged. Humai's contracts join this count when their read model does.
pub async fn active_transactions(
    pool: &AnyPool,
    actor: ActorId,
    mode: Mode,
) -> Result<i64, QueryError> {
    let count = sqlx::query(
        "SELECT \
         (SELECT COUNT(*) FROM tasks_view WHERE poster = $1 AND mode = $2 \
          AND status IN ('open', 'paused', 'stopped') AND working + awaiting_review > 0) \
         + (SELECT COUNT(*) FROM task_assignments_view s JOIN tasks_view t ON t.task_id = s.task_id \
          WHERE s.worker = $1 AND t.mode = $2 AND s.status IN ('active', 'submitted'))",
    )
    .bind(actor.to_string())
    .bind(mode.as_str())
    .fetch_one(pool)
    .await?
    .try_get::<i64, _>(0)?;
    Ok(count)
}
