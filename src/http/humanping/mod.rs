//! The HumanPing dialect under `/humanping/api/v1`: HumanPing's paths, JSON
//! shapes, `Authorization: Bearer <key>` or `x-api-key`, and its error
//! envelope `{"error": "…"}`. A HumanPing task is a ledger `Task` (18 %
//! commission, first accept); these handlers translate requests into
//! commands and read models into HumanPing's shapes, and decide nothing.
//! The worker side (`/worker/*`) logs people in with JWTs and serves their
//! feed, accepts, proofs (with uploads), profile, earnings and payout account.

mod draft;
mod errors;
mod extract;
mod feed;
mod ids;
pub mod payouts;
mod proofs;
mod register;
mod shorthand;
mod stats;
mod stripe;
mod tasks;
mod views;
mod wallet;
mod webhook;
mod worker_auth;
mod workers;

pub use errors::{HumanPingError, DEPOSIT_URL};
pub use views::task_document;

use crate::http::rate_limit::Class;
use crate::http::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{get, post};
use axum::Router;

/// Which rate-limit class a HumanPing request counts against: registering,
/// logging in, refreshing and verifying are `auth` (per address: they mint
/// keys or tokens, or try secrets), the rest by method.
pub fn rate_limit_class(method: &Method, path: &str) -> Option<Class> {
    let auth_paths = [
        "agents/register",
        "worker/register",
        "worker/login",
        "worker/refresh",
        "worker/verify",
    ];
    if auth_paths.contains(&path.trim_matches('/')) && method != Method::OPTIONS {
        return Some(Class::Auth);
    }
    Some(Class::of_method(method))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agents/register", post(register::register))
        .route("/tasks", post(tasks::create_task).get(tasks::list_tasks))
        .route("/tasks/{id}", get(tasks::get_task))
        .route("/tasks/{id}/proof", get(tasks::get_proof))
        .route("/tasks/{id}/approve", post(tasks::approve_task))
        .route("/tasks/{id}/dispute", post(tasks::dispute_task))
        .route("/tasks/{id}/payout", post(payouts::pay_out_task))
        .route("/verify", post(shorthand::verify))
        .route("/call", post(shorthand::call))
        .route("/gut-check", post(shorthand::gut_check))
        .route("/field", post(shorthand::field))
        .route("/escalate", post(shorthand::escalate))
        .route("/vibe", post(shorthand::vibe))
        .route("/wallet", get(wallet::get_wallet))
        .route("/wallet/deposit", post(wallet::deposit))
        .route("/stats", get(stats::get_stats))
        .route("/worker/register", post(worker_auth::register))
        .route(
            "/worker/verify",
            post(worker_auth::verify).get(worker_auth::verify_link),
        )
        .route("/worker/login", post(worker_auth::login))
        .route("/worker/refresh", post(worker_auth::refresh))
        .route("/worker/feed", get(feed::get_feed))
        .route("/worker/tasks/{id}/accept", post(feed::accept))
        .route(
            "/worker/tasks/{id}/proof",
            post(proofs::submit_proof).layer(DefaultBodyLimit::max(proofs::PROOF_BODY_MAX_BYTES)),
        )
        .route(
            "/worker/profile",
            get(workers::get_profile).put(workers::put_profile),
        )
        .route("/worker/earnings", get(workers::get_earnings))
        .route("/worker/leaderboard", get(workers::leaderboard))
        .route("/worker/{id}/public", get(workers::get_public))
        .route("/worker/stripe/connect", post(stripe::connect_account))
        .route("/worker/stripe/dashboard", post(stripe::dashboard))
        .route("/worker/stripe/status", get(stripe::get_status))
        .route("/agents/me/webhook", get(webhook::get_webhook))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found() -> HumanPingError {
    HumanPingError::NotFound("Not found.".into())
}

async fn method_not_allowed() -> HumanPingError {
    HumanPingError::MethodNotAllowed
}
