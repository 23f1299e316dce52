//! Humai's admin group: `POST /admin-kill-switch` (the shared kill switch,
//! `crate::http::kill_switch`) and `GET /audit-log` (admin actions from
//! `admin_actions_view`, the index of the journal's own events). Admins
//! only: an admin's Humai key is an `hm` key issued as any other
//! (`POST /v1/actors/{id}/keys` with `prefix: "hm"`).

use super::errors::HumaiResult;
use super::extract::{Body, Caller, HumaiQuery};
use crate::http::kill_switch::{self, KillSwitchRequest};
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::admin_actions::{audit_log, AuditFilter};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin-kill-switch", post(kill))
        .route("/audit-log", get(audit))
}

async fn kill(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<KillSwitchRequest>,
) -> HumaiResult<Response> {
    let executed = kill_switch::pull(&app, &principal, &request.body, &request.meta).await?;
    Ok(respond::executed(executed, StatusCode::OK))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    pub resource_type: Option<String>,
    pub action: Option<String>,
    pub limit: Option<u32>,
}

/// Newest first; `limit` 1 to 100 (default 50).
async fn audit(
    State(app): State<AppState>,
    Caller(principal): Caller,
    HumaiQuery(query): HumaiQuery<AuditQuery>,
) -> HumaiResult<Json<Value>> {
    principal.require_admin()?;
    let filter = AuditFilter {
        resource_type: query.resource_type,
        action: query.action,
        limit: query.limit,
    };
    let pool = app.read_models().await?;
    let entries = audit_log(pool, &filter).await?;
    let entries: Vec<Value> = entries
        .into_iter()
        .map(|entry| {
            json!({
                "id": entry.position,
                "action": entry.action,
                "resource_type": entry.resource_type,
                "resource_id": entry.resource_id,
                "admin_id": entry.admin_id,
                "reason": entry.reason,
                "cause": entry.cause,
                "created_at": entry.at,
            })
        })
        .collect();
    Ok(Json(json!({ "count": entries.len(), "entries": entries })))
}
