//! Operations endpoints: liveness, readiness (the database answers and the
//! projections keep up), Prometheus metrics.

use super::errors::ApiError;
use super::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

pub async fn readyz(State(app): State<AppState>) -> impl IntoResponse {
    let head = match app.bus.journal().head().await {
        Ok(head) => head,
        Err(error) => {
            tracing::warn!(%error, "not ready: journal unreachable");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "journal unreachable" })),
            );
        }
    };
    let projected = app.projections.projected_position();
    (
        StatusCode::OK,
        Json(json!({
            "status": "ready",
            "journal_head": head,
            "projected_position": projected,
            "lag_events": head - projected,
            "leads": app.lease.is_held(),
        })),
    )
}

pub async fn metrics(State(app): State<AppState>) -> impl IntoResponse {
    let body = app
        .metrics
        .as_ref()
        .map(|handle| handle.render())
        .unwrap_or_default();
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        body,
    )
}

pub async fn not_found() -> ApiError {
    ApiError::NotFound("route".into())
}

/// axum adds the `Allow` header to what this returns.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
