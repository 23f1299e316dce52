//! The Humans2AI dialect under `/humans2ai/api/v1`: Humans2AI's paths,
//! camelCase JSON, `Authorization: Bearer sk_live_…` (or `sk_test_…`, or
//! the ID token `/public/auth/login` gives), and its envelopes
//! `{"success": true, "data": …}` / `{"success": false, "error": {code,
//! message}}`. A Humans2AI task is a ledger `Task` (apply → select, 0.01 %
//! fee); these handlers translate requests into commands and read models
//! into Humans2AI's shapes, and decide nothing.
//!
//! Room is left for the parts other modules bring: task messages,
//! notifications, referrals (`/tasks/:id/messages`, `/notifications`,
//! `/my/referrals`), webhooks (`/webhooks`) and MCP (`/mcp`) are routed by
//! their own modules, merged into [`router`].

mod errors;
mod extract;
pub(crate) mod ids;
mod keys;
pub(crate) mod messages;
mod my;
pub(crate) mod notifications;
mod public_auth;
pub mod rate_limits;
mod referrals;
pub(crate) mod tasks;
mod views;
pub(crate) mod wallet;
mod webhooks;
pub(crate) mod work;

pub use errors::{Humans2AiError, Humans2AiResult};
pub use extract::{bearer_token, require_scope, Body, Caller, H2aPath, H2aQuery, Scope};

use crate::http::rate_limit::Class;
use crate::http::state::AppState;
use axum::http::Method;
use axum::routing::{delete, get, post};
use axum::Router;

/// Which rate-limit class a Humans2AI request counts against (the seed's table).
pub fn rate_limit_class(method: &Method, path: &str) -> Option<Class> {
    rate_limits::class_of(method, path)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/public/auth/register", post(public_auth::register))
        .route("/public/auth/login", post(public_auth::login))
        .route("/public/auth/refresh", post(public_auth::refresh))
        .route("/public/check-email", post(public_auth::check_email))
        .route("/api-keys", get(keys::list_keys).post(keys::create_key))
        .route("/api-keys/{id}", delete(keys::revoke_key))
        .route("/tasks", get(tasks::list_tasks).post(tasks::create_task))
        .route("/tasks/{id}", get(tasks::get_task))
        .route("/tasks/{id}/apply", post(work::apply))
        .route("/tasks/{id}/applications", get(work::list_applications))
        .route("/tasks/{id}/select", post(work::select))
        .route("/tasks/{id}/submit", post(work::submit))
        .route("/tasks/{id}/approve", post(work::approve))
        .route("/tasks/{id}/reject", post(work::reject))
        .route("/tasks/{id}/dispute", post(work::dispute))
        .route(
            "/tasks/{id}/messages",
            get(messages::list_messages).post(messages::send_message),
        )
        .route("/wallet", get(wallet::get_wallet))
        .route("/wallet/transactions", get(wallet::list_transactions))
        .route("/my/applications", get(my::my_applications))
        .route("/my/referrals", get(referrals::my_referrals))
        .route(
            "/notifications",
            get(notifications::list_notifications).patch(notifications::mark_notifications),
        )
        .route(
            "/webhooks",
            get(webhooks::list_webhooks).post(webhooks::register_webhook),
        )
        .route("/webhooks/{id}", delete(webhooks::delete_webhook))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found() -> Humans2AiError {
    Humans2AiError::NotFound("Not found.".into())
}

async fn method_not_allowed() -> Humans2AiError {
    Humans2AiError::MethodNotAllowed
}
