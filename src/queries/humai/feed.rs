//! `GET /feed-public`: the marketplace's recent public activity, newest
//! first — listings created and transactions completed, live mode only,
//! each with its actor's display name and its title, never a description
//! or anything private. One ledger: besides Humai's own listings and
//! transactions (`listings_view`, `contracts_view`), work posted through
//! any API is on the market too (a task posted is a listing, a completed
//! one a transaction), as `/feed-public-stats` counts it.

use crate::queries::QueryError;
use sqlx::{AnyPool, Row};

/// The seed's default page.
pub const DEFAULT_LIMIT: u32 = 20;
/// A page is at most this long, as listings-search's.
pub const LIMIT_MAX: u32 = 50;
/// Deeper than this the feed is history, not activity: offset pagination re-reads
/// every skipped row, so it is bounded.
pub const OFFSET_MAX: u32 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedItem {
    /// `listing_created` or `transaction_completed`.
    pub kind: String,
    /// The actor's display name (the lister; a transaction's seller or, for a
    /// task, its poster).
    pub actor: Option<String>,
    pub title: Option<String>,
    /// A completed transaction's price, in cents.
    pub amount_cents: Option<i64>,
    pub at_us: i64,
}

const FEED: &str = "\
    SELECT feed.kind, a.name, feed.title, feed.amount_cents, feed.at_us FROM ( \
      SELECT 'listing_created' AS kind, l.owner AS actor, l.title AS title, \
             CAST(NULL AS BIGINT) AS amount_cents, l.created_at_us AS at_us, l.listing_id AS id \
        FROM listings_view l WHERE l.mode = 'live' \
      UNION ALL \
      SELECT 'transaction_completed', c.seller, lv.title, c.price_cents, \
             COALESCE(c.closed_at_us, c.updated_at_us), c.contract_id \
        FROM contracts_view c LEFT JOIN listings_view lv ON lv.listing_id = c.listing_id \
       WHERE c.mode = 'live' AND c.status = 'completed' AND c.currency = 'USD' \
      UNION ALL \
      SELECT 'listing_created', t.poster, t.title, CAST(NULL AS BIGINT), t.posted_at_us, t.task_id \
        FROM tasks_view t WHERE t.mode = 'live' \
      UNION ALL \
      SELECT 'transaction_completed', t.poster, t.title, t.paid_cents, t.updated_at_us, t.task_id \
        FROM tasks_view t WHERE t.mode = 'live' AND t.status = 'completed' AND t.currency = 'USD' \
    ) feed LEFT JOIN actors_view a ON a.actor_id = feed.actor \
    ORDER BY feed.at_us DESC, feed.kind DESC, feed.id DESC LIMIT $1 OFFSET $2";

/// A page of the feed, and whether more follow.
pub async fn page(
    pool: &AnyPool,
    limit: u32,
    offset: u32,
) -> Result<(Vec<FeedItem>, bool), QueryError> {
    if !(1..=LIMIT_MAX).contains(&limit) {
        return Err(QueryError::Invalid(format!(
            "limit must be 1 to {LIMIT_MAX}"
        )));
    }
    if offset > OFFSET_MAX {
        return Err(QueryError::Invalid(format!(
            "offset must be 0 to {OFFSET_MAX}"
        )));
    }
    let rows = sqlx::query(FEED)
        .bind(i64::from(limit) + 1)
        .bind(i64::from(offset))
        .fetch_all(pool)
        .await?;
    let more = rows.len() > limit as usize;
    let items = rows
        .iter()
        .take(limit as usize)
        .map(|row| {
            Ok(FeedItem {
                kind: row.try_get(0)?,
                actor: row.try_get(1)?,
                title: row.try_get(2)?,
                amount_cents: row.try_get(3)?,
                at_us: row.try_get(4)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((items, more))
}
