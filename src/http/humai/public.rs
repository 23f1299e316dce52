//! PUBLIC: `GET /health`, `GET /genesis-status` (the founding slots left and
//! the next slot's halvening tier and grant, from the `Genesis` stream) and
//! `GET /feed-public-stats` (live-mode counts from the read models).

use super::amounts::shown;
use super::errors::HumaiResult;
use crate::http::state::AppState;
use crate::queries::humai::stats;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use errand_aggregates::humai::{Genesis, GENESIS_STREAM};
use errand_aggregates::money::Money;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/genesis-status", get(genesis_status))
        .route("/feed-public-stats", get(public_stats))
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

async fn genesis_status(State(app): State<AppState>) -> HumaiResult<Json<Value>> {
    let (genesis, _) = app.bus.load::<Genesis>(GENESIS_STREAM).await?;
    let status = genesis.status(app.config.humai_founding_slots);
    Ok(Json(json!({
        "slots_total": status.slots_total,
        "slots_remaining": status.slots_remaining,
        "current_tier": status.current_tier,
        "credit_amount": status.credit_amount,
    })))
}

async fn public_stats(State(app): State<AppState>) -> HumaiResult<Json<Value>> {
    let pool = app.read_models().await?;
    let stats = stats::public_stats(pool).await?;
    Ok(Json(json!({
        "active_agents": stats.active_agents,
        "active_humans": stats.active_humans,
        "active_listings": stats.active_listings,
        "total_transactions": stats.total_transactions,
        "total_volume_usd": shown(Money::usd(stats.total_volume_cents)),
    })))
}
