//! The catalogs (`/categories`, `/filters`, `/interests`, `/equipment`):
//! what a job may ask for, from `Config::instahuman_catalog` (the default
//! compiled in, or the operator's `ERRAND_INSTAHUMAN_CATALOG_FILE`), as
//! lists on one page; and `/health`, which anyone may ask.

use super::cursor::list_body;
use super::errors::{InstaHumanError, InstaHumanResult};
use super::extract::{Caller, Scope};
use super::views::{entry_json, filter_json, time};
use crate::http::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/categories", get(list_categories))
        .route("/filters", get(list_filters))
        .route("/interests", get(list_interests))
        .route("/equipment", get(list_equipment))
        .route("/health", get(health))
}

/// Catalogs are bounded (`catalog::ENTRIES_MAX`), so each is one page.
fn whole(items: Vec<Value>) -> Json<Value> {
    Json(list_body(items, None))
}

pub async fn list_categories(
    State(app): State<AppState>,
    caller: Caller,
) -> InstaHumanResult<Json<Value>> {
    caller.require(Scope::Read)?;
    let catalog = &app.config.instahuman_catalog;
    Ok(whole(catalog.categories.iter().map(entry_json).collect()))
}

pub async fn list_filters(
    State(app): State<AppState>,
    caller: Caller,
) -> InstaHumanResult<Json<Value>> {
    caller.require(Scope::Read)?;
    let catalog = &app.config.instahuman_catalog;
    Ok(whole(catalog.filters.iter().map(filter_json).collect()))
}

pub async fn list_interests(
    State(app): State<AppState>,
    caller: Caller,
) -> InstaHumanResult<Json<Value>> {
    caller.require(Scope::Read)?;
    let catalog = &app.config.instahuman_catalog;
    Ok(whole(catalog.interests.iter().map(entry_json).collect()))
}

pub async fn list_equipment(
    State(app): State<AppState>,
    caller: Caller,
) -> InstaHumanResult<Json<Value>> {
    caller.require(Scope::Read)?;
    let catalog = &app.config.instahuman_catalog;
    Ok(whole(catalog.equipment.iter().map(entry_json).collect()))
}

/// Up when the journal answers: for load balancers and uptime checks, so no
/// key is needed.
pub async fn health(State(app): State<AppState>) -> InstaHumanResult<Json<Value>> {
    app.bus.journal().head().await.map_err(|error| {
        tracing::warn!(%error, "InstaHuman health: journal unreachable");
        InstaHumanError::Unavailable("The database is unreachable.".into())
    })?;
    Ok(Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "time": time(chrono::Utc::now()),
    })))
}
