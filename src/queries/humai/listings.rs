//! Humai's listings-search over `listings_view`: filters, full-text
//! relevance, sort, limit and offset, and the total matched, on both
//! backends (the search index is the migration's: a `tsvector` on
//! PostgreSQL, the FTS5 table `listings_fts` on SQLite).
//!
//! Choices where the seed is silent:
//! - Only listings open for business are found: active, not suspended, and
//!   (for a buy request) not yet awarded to a bid.
//! - The words of `query` must all match (in the title, tags or
//!   description, stemmed); anything but letters and digits separates
//!   words, so no query syntax reaches either engine. Title matches weigh
//!   most, then tags, then the description.
//! - A listing's price, for `max_price_usd` and sorting, is a sell
//!   listing's price, a buy request's budget ceiling, or a tool's cheapest
//!   plan.
//! - `min_tier` keeps listings that ask at least that seller tier
//!   (`min_seller_tier`); owners' own tiers are not in the read models yet.
//! - The default order is best match first with a query and newest first
//!   without; `sort_order` defaults to descending, but to ascending for
//!   price (cheapest first).

use super::super::binds::{Bind, Binds};
use super::super::QueryError;
use crate::journal::Backend;
use errand_aggregates::listing::{Direction, ListingType, Tier};
use errand_aggregates::mode::Mode;
use sqlx::{AnyPool, Row};

/// The seed's page bound: `limit` 1 to 50.
pub const LIMIT_MAX: u32 = 50;
pub const LIMIT_DEFAULT: u32 = 20;
/// Deep offsets make the database skip rows it still has to rank; past
/// this a client should narrow its filters.
pub const OFFSET_MAX: u32 = 10_000;
/// Words of a query that count: a search, not a document.
pub const QUERY_WORDS_MAX: usize = 16;
/// Characters of a query read at all.
pub const QUERY_MAX_CHARS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Relevance,
    CreatedAt,
    Price,
}

impl SortBy {
    pub fn parse(text: &str) -> Result<SortBy, QueryError> {
        match text {
            "relevance" => Ok(SortBy::Relevance),
            "created_at" => Ok(SortBy::CreatedAt),
            "price_usd" => Ok(SortBy::Price),
            _ => Err(QueryError::Invalid(
                "sort_by is relevance, created_at or price_usd".to_owned(),
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    Asc,
    Desc,
}

impl SortOrder {
    pub fn parse(text: &str) -> Result<SortOrder, QueryError> {
        match text {
            "asc" => Ok(SortOrder::Asc),
            "desc" => Ok(SortOrder::Desc),
            _ => Err(QueryError::Invalid("sort_order is asc or desc".to_owned())),
        }
    }

    fn sql(self) -> &'static str {
        match self {
            SortOrder::Asc => "ASC",
            SortOrder::Desc => "DESC",
        }
    }
}

/// The words of a query: letters and digits, lowercased, at most
/// `QUERY_WORDS_MAX`. Empty when nothing searchable was given.
pub fn query_words(query: &str) -> Vec<String> {
    let query: String = query.chars().take(QUERY_MAX_CHARS).collect();
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .take(QUERY_WORDS_MAX)
        .collect()
}

#[derive(Debug, Clone)]
pub struct ListingSearch {
    pub mode: Mode,
    pub query: Option<String>,
    pub listing_type: Option<ListingType>,
    pub direction: Option<Direction>,
    /// An exact tag; lowercased as listings' tags are.
    pub category_tag: Option<String>,
    pub min_tier: Option<Tier>,
    pub max_price_cents: Option<i64>,
    pub sort_by: Option<SortBy>,
    pub sort_order: Option<SortOrder>,
    pub limit: u32,
    pub offset: u32,
}

impl ListingSearch {
    /// All open listings of `mode`, newest first, a default page.
    pub fn new(mode: Mode) -> ListingSearch {
        ListingSearch {
            mode,
            query: None,
            listing_type: None,
            direction: None,
            category_tag: None,
            min_tier: None,
            max_price_cents: None,
            sort_by: None,
            sort_order: None,
            limit: LIMIT_DEFAULT,
            offset: 0,
        }
    }

    fn check(&self) -> Result<(), QueryError> {
        if !(1..=LIMIT_MAX).contains(&self.limit) {
            return Err(QueryError::Invalid(format!("limit is 1 to {LIMIT_MAX}")));
        }
        if self.offset > OFFSET_MAX {
            return Err(QueryError::Invalid(format!("offset is 0 to {OFFSET_MAX}")));
        }
        if self.max_price_cents.is_some_and(|cents| cents < 0) {
            return Err(QueryError::Invalid(
                "max_price_usd cannot be negative".to_owned(),
            ));
        }
        Ok(())
    }
}

/// One listing found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingHit {
    pub listing_id: String,
    pub owner: String,
    pub direction: String,
    pub listing_type: String,
    pub title: String,
    pub price_cents: Option<i64>,
    pub budget_ceiling_cents: Option<i64>,
    pub sla_hours: Option<i64>,
    pub category_tags: Vec<String>,
    pub min_seller_tier: i64,
    pub avg_rating_hundredths: Option<i64>,
    pub total_sales: i64,
    pub is_active: bool,
    pub created_at_us: i64,
}

/// A listing's price for filtering and sorting.
const PRICE_SQL: &str = "COALESCE(v.price_cents, v.budget_ceiling_cents, v.min_plan_cents)";

/// The FROM clause, the conditions and (with words) the relevance
/// expression, whose lower values are better on SQLite (bm25) and higher on
/// PostgreSQL (ts_rank): `relevance_desc` is the SQL order of "best first".
struct Plan {
    from: String,
    conditions: Vec<String>,
    relevance: Option<(String, &'static str)>,
}

fn plan(backend: Backend, search: &ListingSearch, binds: &mut Binds) -> Plan {
    let mut from = "listings_view v".to_owned();
    let mut conditions = vec![
        format!(
            "v.mode = {}",
            binds.push(Bind::Text(search.mode.as_str().to_owned()))
        ),
        "v.is_active = 1".to_owned(),
        "v.suspension IS NULL".to_owned(),
        "v.awarded_bid IS NULL".to_owned(),
    ];
    let words = search.query.as_deref().map(query_words).unwrap_or_default();
    let mut relevance = None;
    if !words.is_empty() {
        match backend {
            Backend::Postgres => {
                let text = binds.push(Bind::Text(words.join(" ")));
                let tsquery = format!("plainto_tsquery('english', {text})");
                conditions.push(format!("v.search_vector @@ {tsquery}"));
                relevance = Some((format!("ts_rank(v.search_vector, {tsquery})"), "DESC"));
            }
            Backend::Sqlite => {
                // Each word quoted: FTS5 reads it as a plain term, and terms side by side must all match.
                let terms = words
                    .iter()
                    .map(|w| format!("\"{w}\""))
                    .collect::<Vec<_>>()
                    .join(" ");
                let terms = binds.push(Bind::Text(terms));
                from =
                    "listings_fts JOIN listings_view v ON v.listing_id = listings_fts.listing_id"
                        .to_owned();
                conditions.push(format!("listings_fts MATCH {terms}"));
                // Column weights: listing_id (unindexed), title, tags, description.
                relevance = Some(("bm25(listings_fts, 0.0, 10.0, 5.0, 1.0)".to_owned(), "ASC"));
            }
        }
    }
    if let Some(kind) = search.listing_type {
        let kind = binds.push(Bind::Text(kind.as_str().to_owned()));
        conditions.push(format!("v.listing_type = {kind}"));
    }
    if let Some(direction) = search.direction {
        let direction = binds.push(Bind::Text(direction.as_str().to_owned()));
        conditions.push(format!("v.direction = {direction}"));
    }
    if let Some(tag) = &search.category_tag {
        let tag = binds.push(Bind::Text(tag.trim().to_lowercase()));
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM listing_tags_view t \
             WHERE t.listing_id = v.listing_id AND t.tag = {tag})"
        ));
    }
    if let Some(tier) = search.min_tier {
        let tier = binds.push(Bind::Int(i64::from(tier.value())));
        conditions.push(format!("v.min_seller_tier >= {tier}"));
    }
    if let Some(cents) = search.max_price_cents {
        let cents = binds.push(Bind::Int(cents));
        conditions.push(format!("{PRICE_SQL} <= {cents}"));
    }
    Plan {
        from,
        conditions,
        relevance,
    }
}

/// A page of open listings and how many match in all.
pub async fn search(
    pool: &AnyPool,
    backend: Backend,
    search: &ListingSearch,
) -> Result<(Vec<ListingHit>, i64), QueryError> {
    search.check()?;
    let mut count_binds = Binds::default();
    let counted = plan(backend, search, &mut count_binds);
    let count_sql = format!(
        "SELECT COUNT(*) FROM {} WHERE {}",
        counted.from,
        counted.conditions.join(" AND ")
    );
    let total: i64 = count_binds
        .apply(sqlx::query(&count_sql))
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    let mut binds = Binds::default();
    let Plan {
        from,
        conditions,
        relevance,
    } = plan(backend, search, &mut binds);
    let flip = |order: &'static str| if order == "ASC" { "DESC" } else { "ASC" };
    let order = match (search.sort_by, &relevance) {
        (Some(SortBy::Price), _) => {
            let direction = search.sort_order.unwrap_or(SortOrder::Asc).sql();
            format!("{PRICE_SQL} {direction}, v.position {direction}")
        }
        (Some(SortBy::Relevance) | None, Some((rank, best_first))) => {
            // "desc" is best first, as a score reads; "asc" worst first.
            let direction = match search.sort_order.unwrap_or(SortOrder::Desc) {
                SortOrder::Desc => *best_first,
                SortOrder::Asc => flip(best_first),
            };
            format!("{rank} {direction}, v.position DESC")
        }
        _ => {
            let direction = search.sort_order.unwrap_or(SortOrder::Desc).sql();
            format!("v.created_at_us {direction}, v.position {direction}")
        }
    };
    let limit = binds.push(Bind::Int(i64::from(search.limit)));
    let offset = binds.push(Bind::Int(i64::from(search.offset)));
    let sql = format!(
        "SELECT v.listing_id, v.owner, v.direction, v.listing_type, v.title, v.price_cents, \
         v.budget_ceiling_cents, v.sla_hours, v.category_tags, v.min_seller_tier, \
         v.avg_rating_hundredths, v.total_sales, v.is_active, v.created_at_us \
         FROM {from} WHERE {} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
        conditions.join(" AND ")
    );
    let rows = binds.apply(sqlx::query(&sql)).fetch_all(pool).await?;
    let hits = rows
        .iter()
        .map(|row| {
            let tags: String = row.try_get(8)?;
            Ok(ListingHit {
                listing_id: row.try_get(0)?,
                owner: row.try_get(1)?,
                direction: row.try_get(2)?,
                listing_type: row.try_get(3)?,
                title: row.try_get(4)?,
                price_cents: row.try_get(5)?,
                budget_ceiling_cents: row.try_get(6)?,
                sla_hours: row.try_get(7)?,
                category_tags: serde_json::from_str(&tags).unwrap_or_default(),
                min_seller_tier: row.try_get(9)?,
                avg_rating_hundredths: row.try_get(10)?,
                total_sales: row.try_get(11)?,
                is_active: row.try_get::<i64, _>(12)? != 0,
                created_at_us: row.try_get(13)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((hits, total))
}

/// A listing held back by a suspension, and the causes in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuspendedListing {
    pub listing_id: String,
    pub owner: String,
    pub title: String,
    /// The causes in force, comma-separated (`admin`, `provider_banned`).
    pub suspension: String,
}

/// Listings of `mode` under a suspension, latest first, at most `limit`
/// (1 to [`LIMIT_MAX`]): search never finds them, so an admin reinstates from here.
pub async fn suspended(
    pool: &AnyPool,
    mode: Mode,
    limit: u32,
) -> Result<Vec<SuspendedListing>, QueryError> {
    let limit = i64::from(limit.clamp(1, LIMIT_MAX));
    let rows = sqlx::query(
        "SELECT listing_id, owner, title, suspension FROM listings_view \
         WHERE mode = $1 AND suspension IS NOT NULL ORDER BY position DESC LIMIT $2",
    )
    .bind(mode.as_str())
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(SuspendedListing {
                listing_id: row.try_get(0)?,
                owner: row.try_get(1)?,
                title: row.try_get(2)?,
                suspension: row.try_get(3)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(QueryError::from)
}

#[cfg(test)]
mod tests;
