//! PUBLIC `GET /feed-public`: recent completed transactions and new
//! listings, newest first, paged by `limit` (1 to 50, default 20) and
//! `offset`. What counts as activity is `queries::humai::feed`'s.

use super::amounts::shown;
use super::errors::{HumaiError, HumaiResult};
use super::extract::HumaiQuery;
use super::views::time;
use crate::http::state::AppState;
use crate::queries::humai::feed::{self, FeedItem, DEFAULT_LIMIT};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::DateTime;
use errand_aggregates::money::Money;
use serde::Deserialize;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new().route("/feed-public", get(public_feed))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

fn item_json(item: &FeedItem) -> Value {
    let at = DateTime::from_timestamp_micros(item.at_us).map(time);
    if item.kind == "transaction_completed" {
        json!({
            "type": item.kind,
            "actor": item.actor,
            "listing": item.title,
            "amount_usd": item.amount_cents.map(|cents| shown(Money::usd(cents))),
            "at": at,
        })
    } else {
        json!({
            "type": item.kind,
            "actor": item.actor,
            "title": item.title,
            "at": at,
        })
    }
}

async fn public_feed(
    State(app): State<AppState>,
    HumaiQuery(query): HumaiQuery<FeedQuery>,
) -> HumaiResult<Json<Value>> {
    let number = |value: Option<i64>, default: u32, name: &str| {
        value.map_or(Ok(default), |value| {
            u32::try_from(value)
                .map_err(|_| HumaiError::validation(format!("{name} is out of range")))
        })
    };
    let limit = number(query.limit, DEFAULT_LIMIT, "limit")?;
    let offset = number(query.offset, 0, "offset")?;
    let pool = app.read_models().await?;
    let (items, more) = feed::page(pool, limit, offset).await?;
    let events: Vec<Value> = items.iter().map(item_json).collect();
    Ok(Json(json!({
        "events": events,
        "limit": limit,
        "offset": offset,
        "has_more": more,
    })))
}
