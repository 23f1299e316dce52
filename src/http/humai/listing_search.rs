//! Finding listings: `GET /listings-search` (full text and the seed's
//! filters, in the caller's mode), `GET /listings-requests` (PUBLIC: live
//! buy requests, the same search with `direction=buy`) and
//! `GET /listings-price-suggestion` (what comparable work sold for). Only
//! listings open for business are found (`queries::humai::listings`):
//! deactivated, suspended and awarded ones are not.

use super::amounts::{decimal, shown};
use super::errors::{HumaiError, HumaiResult};
use super::extract::{Caller, HumaiQuery};
use crate::http::state::AppState;
use crate::queries::humai::listings::{self, ListingHit, ListingSearch, SortBy, SortOrder};
use crate::queries::humai::price_suggestion;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use errand_aggregates::listing::{CategoryTags, Direction, ListingType, Tier};
use errand_aggregates::mode::Mode;
use errand_aggregates::money::{Currency, Money};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/listings-search", get(search))
        .route("/listings-requests", get(requests))
        .route("/listings-price-suggestion", get(price_suggestion))
}

/// The seed's query parameters; numbers arrive as text and are parsed here
/// (dollars exactly).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    pub query: Option<String>,
    pub listing_type: Option<String>,
    pub direction: Option<String>,
    pub category_tag: Option<String>,
    pub min_tier: Option<String>,
    pub max_price_usd: Option<String>,
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
}

fn integer(text: &str, field: &str) -> HumaiResult<i64> {
    text.trim()
        .parse::<i64>()
        .map_err(|_| HumaiError::validation(format!("{field} must be an integer")))
}

fn bounded(text: Option<&str>, field: &str, default: u32, max: u32) -> HumaiResult<u32> {
    let Some(text) = text else {
        return Ok(default);
    };
    u32::try_from(integer(text, field)?)
        .ok()
        .filter(|value| *value <= max)
        .ok_or_else(|| HumaiError::validation(format!("{field} is 0 to {max}")))
}

impl SearchQuery {
    fn parse(&self, mode: Mode) -> HumaiResult<ListingSearch> {
        let non_empty = |text: &Option<String>| {
            text.as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_owned)
        };
        let limit = bounded(
            self.limit.as_deref(),
            "limit",
            listings::LIMIT_DEFAULT,
            listings::LIMIT_MAX,
        )?;
        if limit == 0 {
            return Err(HumaiError::validation(format!(
                "limit is 1 to {}",
                listings::LIMIT_MAX
            )));
        }
        let max_price_cents = match self.max_price_usd.as_deref() {
            Some(text) => Some(
                Money::parse_major(text.trim(), Currency::USD)
                    .map_err(|error| HumaiError::validation(format!("max_price_usd: {error}")))?
                    .cents,
            ),
            None => None,
        };
        Ok(ListingSearch {
            mode,
            query: non_empty(&self.query),
            listing_type: self
                .listing_type
                .as_deref()
                .map(ListingType::parse)
                .transpose()?,
            direction: self
                .direction
                .as_deref()
                .map(Direction::parse)
                .transpose()?,
            category_tag: non_empty(&self.category_tag),
            min_tier: self
                .min_tier
                .as_deref()
                .map(|text| integer(text, "min_tier").and_then(|t| Ok(Tier::parse(t)?)))
                .transpose()?,
            max_price_cents,
            sort_by: self.sort_by.as_deref().map(SortBy::parse).transpose()?,
            sort_order: self
                .sort_order
                .as_deref()
                .map(SortOrder::parse)
                .transpose()?,
            limit,
            offset: bounded(self.offset.as_deref(), "offset", 0, listings::OFFSET_MAX)?,
        })
    }
}

fn hit_json(hit: &ListingHit) -> Value {
    let usd = |cents: Option<i64>| cents.map_or(Value::Null, |c| shown(Money::usd(c)));
    let owner_role = if hit.direction == "buy" {
        "buyer_id"
    } else {
        "seller_id"
    };
    json!({
        "id": hit.listing_id,
        "direction": hit.direction,
        "listing_type": hit.listing_type,
        "title": hit.title,
        "owner_id": hit.owner,
        owner_role: hit.owner,
        "price_usd": usd(hit.price_cents),
        "budget_ceiling_usd": usd(hit.budget_ceiling_cents),
        "sla_hours": hit.sla_hours,
        "category_tags": hit.category_tags,
        "min_seller_tier": hit.min_seller_tier,
        "avg_rating": hit
            .avg_rating_hundredths
            .map_or(Value::Null, |h| decimal(Decimal::new(h, 2))),
        "total_sales": hit.total_sales,
        "is_active": hit.is_active,
        "created_at": super::views::time(
            chrono::DateTime::from_timestamp_micros(hit.created_at_us).unwrap_or_default()
        ),
    })
}

async fn found(app: &AppState, search: ListingSearch) -> HumaiResult<Json<Value>> {
    let pool = app.read_models().await?;
    let backend = app.bus.journal().backend();
    let (hits, total) = listings::search(pool, backend, &search).await?;
    Ok(Json(json!({
        "listings": hits.iter().map(hit_json).collect::<Vec<_>>(),
        "total": total,
        "limit": search.limit,
        "offset": search.offset,
    })))
}

async fn search(
    State(app): State<AppState>,
    Caller(principal): Caller,
    HumaiQuery(query): HumaiQuery<SearchQuery>,
) -> HumaiResult<Json<Value>> {
    let search = query.parse(principal.mode)?;
    found(&app, search).await
}

/// `listings-search`'s parameters but `direction`, which is `buy`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestsQuery {
    pub query: Option<String>,
    pub listing_type: Option<String>,
    pub category_tag: Option<String>,
    pub min_tier: Option<String>,
    pub max_price_usd: Option<String>,
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
}

/// PUBLIC, so no key says a mode: live requests only.
async fn requests(
    State(app): State<AppState>,
    HumaiQuery(query): HumaiQuery<RequestsQuery>,
) -> HumaiResult<Json<Value>> {
    let RequestsQuery {
        query,
        listing_type,
        category_tag,
        min_tier,
        max_price_usd,
        sort_by,
        sort_order,
        limit,
        offset,
    } = query;
    let search = SearchQuery {
        query,
        listing_type,
        direction: Some("buy".to_owned()),
        category_tag,
        min_tier,
        max_price_usd,
        sort_by,
        sort_order,
        limit,
        offset,
    }
    .parse(Mode::Live)?;
    found(&app, search).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuggestionQuery {
    pub listing_type: String,
    pub category_tags: String,
}

async fn price_suggestion(
    State(app): State<AppState>,
    Caller(principal): Caller,
    HumaiQuery(query): HumaiQuery<SuggestionQuery>,
) -> HumaiResult<Json<Value>> {
    let listing_type = ListingType::parse(&query.listing_type)?;
    let texts: Vec<String> = query
        .category_tags
        .split(',')
        .map(str::trim)
        .filter(|tag| !tag.is_empty())
        .map(str::to_owned)
        .collect();
    let tags = CategoryTags::parse(&texts)?;
    let pool = app.read_models().await?;
    let prices =
        price_suggestion::comparable_prices(pool, principal.mode, listing_type, tags.as_slice())
            .await?;
    let usd = |cents: i64| shown(Money::usd(cents));
    Ok(Json(match price_suggestion::suggest(prices) {
        Some(found) => json!({
            "suggested_price_usd": usd(found.suggested_cents),
            "range_low": usd(found.low_cents),
            "range_high": usd(found.high_cents),
            "comparable_count": found.comparable_count,
        }),
        // Nothing comparable sold yet: no figure rather than an invented one.
        None => json!({
            "suggested_price_usd": null,
            "range_low": null,
            "range_high": null,
            "comparable_count": 0,
        }),
    }))
}
