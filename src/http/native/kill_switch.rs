//! `POST /v1/admin/kill-switch`: the kill switch Humai serves at
//! `/admin-kill-switch` (`crate::http::kill_switch`), with problem+json
//! refusals: 422 for a body of the right shape that names no action or
//! target, 403 for anyone but an unscoped admin key, 404 for an unknown
//! listing, actor or subscription, 409 for a state the action does not fit.

use crate::http::auth::Principal;
use crate::http::errors::ApiResult;
use crate::http::extract::CommandRequest;
use crate::http::kill_switch::{self, KillSwitchReply, KillSwitchRequest};
use crate::http::respond;
use crate::http::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

#[utoipa::path(post, path = "/v1/admin/kill-switch", tag = "admin", request_body = KillSwitchRequest,
    responses((status = 200, body = KillSwitchReply), (status = 403, description = "Not an admin"),
        (status = 404, description = "No such listing, actor or subscription"),
        (status = 409, description = "Already in that state")),
    security(("bearer" = [])))]
pub async fn pull_kill_switch(
    State(app): State<AppState>,
    principal: Principal,
    request: CommandRequest<KillSwitchRequest>,
) -> ApiResult<Response> {
    let executed = kill_switch::pull(&app, &principal, &request.body, &request.meta).await?;
    Ok(respond::executed(executed, StatusCode::OK))
}
