//! The InstaHuman dialect under `/instahuman/api`: the seed's paths
//! (`/jobs`, `/owner/jobs/:id/…`, the catalogs, `/health`),
//! `Authorization: Bearer ih_…` keys, camelCase JSON, errors as
//! `{"error": "…"}`, lists as `{"data": [...], "next": cursor | null}`, and
//! CORS for the configured web origin (any localhost origin in
//! development). A job is a ledger `Task` taken first come, first served,
//! one slot per tester; these handlers translate requests into commands and
//! read models into InstaHuman's shapes, and decide nothing.
//!
//! Each part brings its own routes (`router()` of its module), merged here,
//! so adding projects, billing or the MCP endpoint is one line each.

pub mod billing;
pub mod catalogs;
pub mod cors;
pub mod cursor;
mod errors;
mod extract;
pub(crate) mod jobs;
pub(crate) mod owner;
pub mod projects;
pub mod views;

pub use errors::{InstaHumanError, InstaHumanResult};
pub use extract::{api_key, authenticate, Body, Caller, IhPath, IhQuery, Scope, KEY_PREFIX};

use crate::http::rate_limit::Class;
use crate::http::state::AppState;
use axum::http::Method;
use axum::Router;

/// Which rate-limit class an InstaHuman request counts against: the native
/// API's, by method (reads and writes); the health check is never limited.
pub fn rate_limit_class(method: &Method, path: &str) -> Option<Class> {
    if path.trim_matches('/') == "health" {
        return None;
    }
    Some(Class::of_method(method))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(catalogs::router())
        .merge(jobs::router())
        .merge(owner::router())
        .merge(projects::router())
        .merge(billing::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found() -> InstaHumanError {
    InstaHumanError::NotFound("Not found.".into())
}

async fn method_not_allowed() -> InstaHumanError {
    InstaHumanError::MethodNotAllowed
}
