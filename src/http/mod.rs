//! The HTTP surface: one axum app. The native API lives under `/v1` (its MCP
//! server at `/v1/mcp`, from `src/mcp/`); the dialects each under their own
//! prefix. Only this module and `src/mcp/` know wire shapes.

pub mod auth;
mod checkout;
pub mod errors;
pub mod extract;
pub mod humai;
pub mod humanping;
pub mod humans2ai;
pub mod instahuman;
pub mod kill_switch;
pub mod native;
mod ops;
mod payout_onboarding;
pub mod rate_limit;
pub mod redaction;
mod request_id;
pub mod respond;
pub mod state;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;
use rate_limit::{envelopes, RateLimitLayer, RateLimiters};
use state::AppState;
use tower_http::cors::CorsLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

/// The largest request body accepted: proofs reference attachments by URL,
/// so no JSON command needs more than this.
pub const REQUEST_BODY_MAX_BYTES: usize = 1024 * 1024;

pub fn app(state: AppState) -> Router {
    let openapi = native::NativeApi::openapi();
    // One set of buckets for every API, so a key's budget is the same whichever it calls.
    let limiters = RateLimiters::new(&state.config.rate_limits);
    let native_limits = RateLimitLayer::new(
        limiters.clone(),
        native::rate_limit_class,
        envelopes::problem,
    );
    let humanping_limits = RateLimitLayer::new(
        limiters.clone(),
        humanping::rate_limit_class,
        envelopes::humanping,
    );
    let humans2ai_limits = RateLimitLayer::new(
        limiters.clone(),
        humans2ai::rate_limit_class,
        envelopes::humans2ai,
    )
    .with_reset_as_timestamp();
    let instahuman_limits = RateLimitLayer::new(
        limiters.clone(),
        instahuman::rate_limit_class,
        envelopes::instahuman,
    );
    let humai_limits =
        RateLimitLayer::new(limiters.clone(), humai::rate_limit_class, envelopes::humai);
    let console_limits = RateLimitLayer::new(
        limiters.clone(),
        crate::console::rate_limit_class,
        envelopes::problem,
    );
    let instahuman_cors = instahuman::cors::layer(&state.config.instahuman_cors);
    Router::new()
        .nest(
            "/v1",
            native::router()
                .route("/mcp", crate::mcp::native::route(state.clone()))
                .route_layer(native_limits),
        )
        .nest(
            "/humans2ai/api/v1",
            humans2ai::router()
                .route("/mcp", crate::mcp::humans2ai::route(state.clone()))
                .route_layer(humans2ai_limits),
        )
        .nest(
            "/humanping/api/v1",
            humanping::router().route_layer(humanping_limits),
        )
        .nest("/humai", humai::router().route_layer(humai_limits))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .merge(checkout::router())
        .merge(payout_onboarding::router())
        .merge(utoipa_swagger_ui::SwaggerUi::new("/docs").url("/openapi.json", openapi))
        // Every API but InstaHuman's, which allows only its configured origins:
        // layered before InstaHuman's routes join, so theirs is the only CORS they get.
        .layer(CorsLayer::permissive())
        .nest(
            "/instahuman/api",
            instahuman::router()
                .route("/mcp", crate::mcp::instahuman::route(state.clone()))
                .route_layer(instahuman_limits)
                .layer(instahuman_cors),
        )
        // The web console: HTML pages and their session cookie, no CORS.
        .nest(
            crate::console::CONSOLE_PATH,
            crate::console::router(state.clone()).route_layer(console_limits),
        )
        .fallback(ops::not_found)
        .method_not_allowed_fallback(ops::method_not_allowed)
        .layer(DefaultBodyLimit::max(REQUEST_BODY_MAX_BYTES))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn(request_id::assign))
        .with_state(state)
}
