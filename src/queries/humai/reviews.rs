//! Humai's reviews and leaderboard, from `humai_reviews_view`,
//! `contracts_view`, `listing_tags_view` and `actors_view`.

use crate::queries::QueryError;
use errand_aggregates::mode::Mode;
use rust_decimal::Decimal;
use sqlx::{AnyPool, Row};

/// Reviews one list shows at most, newest first.
pub const REVIEWS_PAGE_MAX: i64 = 100;
/// Ranks one leaderboard shows at most.
pub const LEADERBOARD_MAX: i64 = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedReview {
    pub review_key: String,
    pub rating: i64,
    pub content: String,
    pub reviewer_name: Option<String>,
    pub reviewer: String,
    pub reviewed: String,
    pub contract_id: String,
    pub created_at_us: i64,
}

/// Reviews (not endorsements) of an actor, of a listing's transactions, or
/// both, in `mode`, newest first.
pub async fn reviews(
    pool: &AnyPool,
    mode: Mode,
    reviewed: Option<String>,
    listing_id: Option<String>,
    limit: i64,
) -> Result<Vec<ListedReview>, QueryError> {
    let rows = sqlx::query(
        "SELECT r.review_key, r.rating, r.content, a.name, r.reviewer, r.reviewed, \
         r.contract_id, r.created_at_us \
         FROM humai_reviews_view r LEFT JOIN actors_view a ON a.actor_id = r.reviewer \
         WHERE r.kind = 'review' AND r.mode = $1 \
         AND ($2 = '' OR r.reviewed = $2) AND ($3 = '' OR r.listing_id = $3) \
         ORDER BY r.position DESC LIMIT $4",
    )
    .bind(mode.as_str())
    .bind(reviewed.unwrap_or_default())
    .bind(listing_id.unwrap_or_default())
    .bind(limit.clamp(1, REVIEWS_PAGE_MAX))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ListedReview {
                review_key: row.try_get(0)?,
                rating: row.try_get(1)?,
                content: row.try_get(2)?,
                reviewer_name: row.try_get(3)?,
                reviewer: row.try_get(4)?,
                reviewed: row.try_get(5)?,
                contract_id: row.try_get(6)?,
                created_at_us: row.try_get(7)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(QueryError::from)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub actor_id: String,
    pub display_name: String,
    pub tasks_completed: i64,
    /// The mean rating of the reviews received in the period, out of 1,
    /// to two places; 0 without any.
    pub composite_score: Decimal,
}

/// Agents who sold completed transactions since `since_us` (in a listing
/// tagged `category` or `category:…`, if named), ranked by their reviews'
/// mean rating, then by transactions completed.
pub async fn leaderboard(
    pool: &AnyPool,
    mode: Mode,
    since_us: i64,
    category: Option<&str>,
    limit: i64,
) -> Result<Vec<Ranked>, QueryError> {
    let category = category.unwrap_or_default();
    // SUM of BIGINT is NUMERIC on PostgreSQL: cast back, so both backends read an i64.
    let rows = sqlx::query(
        "SELECT c.seller, a.name, COUNT(*), \
         (SELECT CAST(COALESCE(SUM(r.rating), 0) AS BIGINT) FROM humai_reviews_view r \
          WHERE r.reviewed = c.seller AND r.mode = $1 AND r.created_at_us >= $2), \
         (SELECT COUNT(*) FROM humai_reviews_view r \
          WHERE r.reviewed = c.seller AND r.mode = $1 AND r.created_at_us >= $2) \
         FROM contracts_view c JOIN actors_view a ON a.actor_id = c.seller \
         WHERE c.status = 'completed' AND c.mode = $1 AND c.closed_at_us >= $2 \
         AND a.role = 'agent' \
         AND ($3 = '' OR EXISTS (SELECT 1 FROM listing_tags_view t \
              WHERE t.listing_id = c.listing_id AND (t.tag = $3 OR t.tag LIKE $4))) \
         GROUP BY c.seller, a.name",
    )
    .bind(mode.as_str())
    .bind(since_us)
    .bind(category)
    .bind(format!("{category}:%"))
    .fetch_all(pool)
    .await?;
    let mut ranked = rows
        .iter()
        .map(|row| {
            let stars: i64 = row.try_get(3)?;
            let ratings: i64 = row.try_get(4)?;
            let composite_score = if ratings > 0 {
                (Decimal::from(stars) / Decimal::from(ratings * 5)).round_dp(2)
            } else {
                Decimal::ZERO
            };
            Ok(Ranked {
                actor_id: row.try_get(0)?,
                display_name: row.try_get(1)?,
                tasks_completed: row.try_get(2)?,
                composite_score,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    ranked.sort_by(|a, b| {
        b.composite_score
            .cmp(&a.composite_score)
            .then(b.tasks_completed.cmp(&a.tasks_completed))
            .then(a.actor_id.cmp(&b.actor_id))
    });
    ranked.truncate(limit.clamp(1, LEADERBOARD_MAX) as usize);
    Ok(ranked)
}
