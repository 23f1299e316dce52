//! A provider's listings a ban's cascade still has to change, from
//! `listings_view`: those not yet suspended for the ban (to ban) or
//! suspended for it (to unban), oldest first, a bounded batch at a time.

use super::QueryError;
use errand_aggregates::ids::{ActorId, ListingId};
use sqlx::{AnyPool, Row};

/// What the cascade does to the listings it asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cascade {
    Suspend,
    Reinstate,
}

/// The next `limit` listings of `owner` the cascade would change, and
/// whether more remain after them.
pub async fn awaiting_cascade(
    pool: &AnyPool,
    owner: ActorId,
    cascade: Cascade,
    limit: usize,
) -> Result<(Vec<ListingId>, bool), QueryError> {
    // `suspension` lists the causes in force, comma-separated, or is NULL.
    let filter = match cascade {
        Cascade::Suspend => "(suspension IS NULL OR suspension NOT LIKE '%provider_banned%')",
        Cascade::Reinstate => "suspension LIKE '%provider_banned%'",
    };
    let sql = format!(
        "SELECT listing_id FROM listings_view WHERE owner = $1 AND {filter} \
         ORDER BY position LIMIT $2"
    );
    let fetch = i64::try_from(limit + 1).unwrap_or(i64::MAX);
    let rows = sqlx::query(&sql)
        .bind(owner.to_string())
        .bind(fetch)
        .fetch_all(pool)
        .await?;
    let mut listings = Vec::with_capacity(rows.len());
    for row in rows {
        let id: String = row.try_get(0)?;
        let id = ListingId::parse(&id)
            .ok_or_else(|| sqlx::Error::Decode(format!("listing id {id:?}").into()))?;
        listings.push(id);
    }
    let more = listings.len() > limit;
    listings.truncate(limit);
    Ok((listings, more))
}
