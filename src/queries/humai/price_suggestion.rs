//! listings-price-suggestion: what comparable work sold for. Comparable is a
//! completed contract (`contracts_view`, status `completed`: the seller was
//! paid) in the caller's mode, in USD, on a listing of the same type that
//! shares at least one of the asked tags. The suggestion is the median price
//! and the range its interquartile range, each by nearest rank, so every
//! figure is a price some buyer actually paid: robust to one outlier sale,
//! exact in cents, no averaging of money.

use super::super::binds::{Bind, Binds};
use super::super::QueryError;
use errand_aggregates::listing::ListingType;
use errand_aggregates::mode::Mode;
use sqlx::{AnyPool, Row};

/// The most recent sales considered: enough for a stable median, few
/// enough that one request reads a bounded number of rows.
pub const COMPARABLES_MAX: i64 = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceSuggestion {
    pub suggested_cents: i64,
    pub low_cents: i64,
    pub high_cents: i64,
    pub comparable_count: usize,
}

/// The value at percentile `percent` of `sorted` (ascending, not empty) by
/// nearest rank: the smallest value with at least that share at or below it.
fn nearest_rank(sorted: &[i64], percent: usize) -> i64 {
    let rank = (percent * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

/// The median and quartiles of `prices`; none without any.
pub fn suggest(mut prices: Vec<i64>) -> Option<PriceSuggestion> {
    if prices.is_empty() {
        return None;
    }
    prices.sort_unstable();
    Some(PriceSuggestion {
        suggested_cents: nearest_rank(&prices, 50),
        low_cents: nearest_rank(&prices, 25),
        high_cents: nearest_rank(&prices, 75),
        comparable_count: prices.len(),
    })
}

/// The prices of the latest comparable sales.
pub async fn comparable_prices(
    pool: &AnyPool,
    mode: Mode,
    listing_type: ListingType,
    tags: &[String],
) -> Result<Vec<i64>, QueryError> {
    if tags.is_empty() {
        return Ok(Vec::new());
    }
    let mut binds = Binds::default();
    let mode = binds.push(Bind::Text(mode.as_str().to_owned()));
    let kind = binds.push(Bind::Text(listing_type.as_str().to_owned()));
    let tags = tags
        .iter()
        .map(|tag| binds.push(Bind::Text(tag.clone())))
        .collect::<Vec<_>>()
        .join(", ");
    let limit = binds.push(Bind::Int(COMPARABLES_MAX));
    let sql = format!(
        "SELECT c.price_cents FROM contracts_view c \
         JOIN listings_view l ON l.listing_id = c.listing_id \
         WHERE c.status = 'completed' AND c.currency = 'USD' AND c.mode = {mode} \
         AND l.listing_type = {kind} \
         AND EXISTS (SELECT 1 FROM listing_tags_view t \
                     WHERE t.listing_id = c.listing_id AND t.tag IN ({tags})) \
         ORDER BY c.position DESC LIMIT {limit}"
    );
    let rows = binds.apply(sqlx::query(&sql)).fetch_all(pool).await?;
    Ok(rows
        .iter()
        .map(|row| row.try_get::<i64, _>(0))
        .collect::<Result<Vec<_>, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suggestion_is_the_median_within_the_quartiles_by_nearest_rank() {
        assert_eq!(suggest(vec![]), None);
        let one = suggest(vec![4_000]).unwrap();
        assert_eq!(
            (one.low_cents, one.suggested_cents, one.high_cents),
            (4_000, 4_000, 4_000)
        );
        // Unsorted, with an outlier that moves neither the median nor the range.
        let many = suggest(vec![
            12_000, 4_000, 6_500, 5_000, 1_000_000, 7_000, 8_000, 6_000,
        ])
        .unwrap();
        assert_eq!(many.comparable_count, 8);
        assert_eq!(
            (many.low_cents, many.suggested_cents, many.high_cents),
            (5_000, 6_500, 8_000)
        );
    }
}
