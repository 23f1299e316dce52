//! The HumanPing dialect under `/humanping/api/v1`: HumanPing's paths, JSON
//! shapes, `Authorization: Bearer <key>` or `x-api-key`, and its error
//! envelope `{"error": "…"}`. A HumanPing task is a ledger `Task` (18 %
//! commission, first accept); these handlers translate requests into
//! commands and read models into HumanPing's shapes, and decide nothing.
//! Worker endpoints (`/worker/*`) are not served yet.

mod draft;
mod errors;
mod extract;
mod ids;
pub mod payouts;
mod register;
mod shorthand;
mod stats;
mod tasks;
mod views;
mod wallet;

pub use errors::{HumanPingError, DEPOSIT_URL};

use crate::http::rate_limit::Class;
use crate::http::state::AppState;
use axum::http::Method;
use axum::routing::{get, post};
use axum::Router;

/// Which rate-limit class a HumanPing request counts against: registration is
/// `auth` (per address: it mints keys), the rest by method.
pub fn rate_limit_class(method: &Method, path: &str) -> Option<Class> {
    if method == Method::POST && path.trim_matches('/') == "agents/register" {
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
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found() -> HumanPingError {
    HumanPingError::NotFound("Not found.".into())
}

async fn method_not_allowed() -> HumanPingError {
    HumanPingError::MethodNotAllowed
}
