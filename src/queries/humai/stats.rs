//! `GET /feed-public-stats`: live-mode counts across the platform. Work on
//! offer is Humai's live listings (active, not suspended) and every dialect's
//! open tasks; a transaction is a completed Humai contract or a completed
//! task, and volume what those paid.

use crate::queries::QueryError;
use sqlx::{AnyPool, Row};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PublicStats {
    pub active_agents: i64,
    pub active_humans: i64,
    pub active_listings: i64,
    pub total_transactions: i64,
    pub total_volume_cents: i64,
}

pub async fn public_stats(pool: &AnyPool) -> Result<PublicStats, QueryError> {
    let row = sqlx::query(
        "SELECT \
         (SELECT COUNT(*) FROM actors_view WHERE role = 'agent' AND standing = 'active'), \
         (SELECT COUNT(*) FROM actors_view WHERE role = 'human' AND standing = 'active'), \
         (SELECT COUNT(*) FROM tasks_view WHERE mode = 'live' AND status = 'open') \
         + (SELECT COUNT(*) FROM listings_view \
            WHERE mode = 'live' AND is_active = 1 AND suspension IS NULL), \
         (SELECT COUNT(*) FROM tasks_view WHERE mode = 'live' AND status = 'completed') \
         + (SELECT COUNT(*) FROM contracts_view WHERE mode = 'live' AND status = 'completed'), \
         (SELECT CAST(COALESCE(SUM(paid_cents), 0) AS BIGINT) FROM tasks_view \
          WHERE mode = 'live' AND currency = 'USD') \
         + (SELECT CAST(COALESCE(SUM(price_cents), 0) AS BIGINT) FROM contracts_view \
            WHERE mode = 'live' AND currency = 'USD' AND status = 'completed')",
    )
    .fetch_one(pool)
    .await?;
    Ok(PublicStats {
        active_agents: row.try_get(0)?,
        active_humans: row.try_get(1)?,
        active_listings: row.try_get(2)?,
        total_transactions: row.try_get(3)?,
        total_volume_cents: row.try_get(4)?,
    })
}
