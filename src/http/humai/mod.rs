//! The Humai dialect under `/humai`: the seed's paths (`/agents-quick-start`,
//! `/actors-profile`, …, so a Humai client changes only its base URL),
//! `X-API-Key: hm_…` keys, snake_case JSON, errors as `{"error", "code"}`.
//! Humai's credits are RC money in the actor's `account-<actor>-<mode>-RC`;
//! its actors' market facts are `MarketProfile`s and its founding slots the
//! `Genesis` stream (`errand_aggregates::humai`). These handlers translate
//! requests into commands and read models into Humai's shapes, and decide
//! nothing.
//!
//! Each group brings its own routes (`router()` of its module), merged here.

pub mod actors;
pub mod admin;
pub mod amounts;
pub mod auto_bidding;
pub mod bids;
pub mod capabilities;
pub mod credits;
pub mod deliverables;
pub mod disputes;
pub(crate) mod errors;
pub mod external_reputation;
mod extract;
pub mod feed;
pub mod fees;
pub mod listing_search;
pub mod listings;
pub mod market_views;
pub mod messages;
pub mod milestones;
pub mod notifications;
pub mod payouts;
pub mod profile;
pub mod progress;
pub mod public;
pub mod rate_limits;
pub mod registration;
pub mod reputation;
pub mod streams;
pub mod transaction_views;
pub mod transactions;
pub mod views;
pub mod webhooks;

pub use errors::{rule_status, HumaiError, HumaiResult};
pub use extract::{api_key, Body, Caller, HumaiQuery, KEY_PREFIX};

use crate::http::rate_limit::Class;
use crate::http::state::AppState;
use axum::http::Method;
use axum::Router;

/// Which rate-limit class a Humai request counts against (see `rate_limits`).
pub fn rate_limit_class(method: &Method, path: &str) -> Option<Class> {
    rate_limits::class_of(method, path)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(registration::router())
        .merge(actors::router())
        .merge(capabilities::router())
        .merge(profile::router())
        .merge(public::router())
        .merge(messages::router())
        .merge(notifications::router())
        .merge(webhooks::router())
        .merge(streams::router())
        .merge(feed::router())
        .merge(admin::router())
        .merge(listings::router())
        .merge(listing_search::router())
        .merge(bids::router())
        .merge(transactions::router())
        .merge(milestones::router())
        .merge(disputes::router())
        .merge(deliverables::router())
        .merge(reputation::router())
        .merge(credits::router())
        .merge(fees::router())
        .merge(payouts::router())
        .merge(auto_bidding::router())
        .merge(external_reputation::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found() -> HumaiError {
    HumaiError::NotFound("Not found.".into())
}

async fn method_not_allowed() -> HumaiError {
    HumaiError::MethodNotAllowed
}
