//! The owner's actions on a job (`/owner/jobs/:id/…`): pause, resume, stop,
//! cancel, settle (close and settle), approve or dispute the settlement,
//! resize. Each is one `TaskCommand`; the task decides whether its state
//! allows it (a refused transition is 409) and what moves in the escrow.

use super::errors::InstaHumanResult;
use super::extract::{Body, Caller, IhPath, Scope};
use super::jobs::own_job;
use super::views::job_json;
use crate::bus::{commands, Executed};
use crate::http::extract::CommandMeta;
use crate::http::respond;
use crate::http::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use chrono::Utc;
use errand_aggregates::actor::Caller as DomainCaller;
use errand_aggregates::task::TaskCommand;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/owner/jobs/{id}/pause", post(pause))
        .route("/owner/jobs/{id}/resume", post(resume))
        .route("/owner/jobs/{id}/stop", post(stop))
        .route("/owner/jobs/{id}/cancel", post(cancel))
        .route("/owner/jobs/{id}/settle", post(settle))
        .route("/owner/jobs/{id}/approve", post(approve))
        .route("/owner/jobs/{id}/dispute", post(dispute))
        .route("/owner/jobs/{id}/resize", post(resize))
}

/// What an owner may do to a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobAction {
    Pause,
    Resume,
    /// No new testers; those in progress finish.
    Stop,
    /// Ends the job; everything unspent goes back.
    Cancel,
    /// Close and settle: what each finished tester earned waits for approval.
    Settle,
    /// Pay the settlement.
    Approve,
    /// Refuse the settlement, saying why.
    Dispute {
        reason: String,
    },
    /// Grow or shrink the tester slots, and the escrow with them.
    Resize {
        tester_count: u32,
    },
}

impl JobAction {
    /// The command's name in the journal's metadata.
    fn name(&self) -> &'static str {
        match self {
            JobAction::Pause => "PauseJob",
            JobAction::Resume => "ResumeJob",
            JobAction::Stop => "StopJob",
            JobAction::Cancel => "CancelJob",
            JobAction::Settle => "SettleJob",
            JobAction::Approve => "ApproveSettlement",
            JobAction::Dispute { .. } => "DisputeSettlement",
            JobAction::Resize { .. } => "ResizeJob",
        }
    }

    fn command(&self, by: DomainCaller) -> TaskCommand {
        let at = Utc::now();
        match self {
            JobAction::Pause => TaskCommand::Pause { by, at },
            JobAction::Resume => TaskCommand::Resume { by, at },
            JobAction::Stop => TaskCommand::Stop { by, at },
            JobAction::Cancel => TaskCommand::Cancel { by, at },
            JobAction::Settle => TaskCommand::Settle { by, at },
            JobAction::Approve => TaskCommand::ApproveSettlement { by, at },
            JobAction::Dispute { reason } => TaskCommand::DisputeSettlement {
                reason: reason.clone(),
                by,
                at,
            },
            JobAction::Resize { tester_count } => TaskCommand::Resize {
                slots: *tester_count,
                by,
                at,
            },
        }
    }
}

/// Does `action` to the caller's job `id` (REST and MCP): the job as it left it.
pub(crate) async fn act(
    app: &AppState,
    caller: &Caller,
    id: &str,
    action: JobAction,
    meta: &CommandMeta,
) -> InstaHumanResult<Executed<Value>> {
    let principal = caller.require(Scope::Write)?;
    let (task_id, _) = own_job(app, principal, id).await?;
    let project = super::jobs::job_project(app, task_id).await?;
    let context = meta.context(principal, action.name(), 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let task = commands::on_task(unit, task_id, &action.command(by)).await?;
        Ok(job_json(&task, project))
    })?;
    Ok(executed)
}

/// Actions that take no fields: an empty body, or `{}`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoFields {}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DisputeRequest {
    /// Why the settlement is refused.
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResizeRequest {
    /// The new number of tester slots.
    pub tester_count: u32,
}

async fn respond_to(
    app: &AppState,
    caller: &Caller,
    id: &str,
    action: JobAction,
    meta: &CommandMeta,
) -> InstaHumanResult<Response> {
    let executed = act(app, caller, id, action, meta).await?;
    Ok(respond::executed(executed, StatusCode::OK))
}

pub async fn pause(
    State(app): State<AppState>,
    caller: Caller,
    IhPath(id): IhPath<String>,
    request: Body<NoFields>,
) -> InstaHumanResult<Response> {
    respond_to(&app, &caller, &id, JobAction::Pause, &request.meta).await
}

pub async fn resume(
    State(app): State<AppState>,
    caller: Caller,
    IhPath(id): IhPath<String>,
    request: Body<NoFields>,
) -> InstaHumanResult<Response> {
    respond_to(&app, &caller, &id, JobAction::Resume, &request.meta).await
}

pub async fn stop(
    State(app): State<AppState>,
    caller: Caller,
    IhPath(id): IhPath<String>,
    request: Body<NoFields>,
) -> InstaHumanResult<Response> {
    respond_to(&app, &caller, &id, JobAction::Stop, &request.meta).await
}

pub async fn cancel(
    State(app): State<AppState>,
    caller: Caller,
    IhPath(id): IhPath<String>,
    request: Body<NoFields>,
) -> InstaHumanResult<Response> {
    respond_to(&app, &caller, &id, JobAction::Cancel, &request.meta).await
}

pub async fn settle(
    State(app): State<AppState>,
    caller: Caller,
    IhPath(id): IhPath<String>,
    request: Body<NoFields>,
) -> InstaHumanResult<Response> {
    respond_to(&app, &caller, &id, JobAction::Settle, &request.meta).await
}

pub async fn approve(
    State(app): State<AppState>,
    caller: Caller,
    IhPath(id): IhPath<String>,
    request: Body<NoFields>,
) -> InstaHumanResult<Response> {
    respond_to(&app, &caller, &id, JobAction::Approve, &request.meta).await
}

pub async fn dispute(
    State(app): State<AppState>,
    caller: Caller,
    IhPath(id): IhPath<String>,
    request: Body<DisputeRequest>,
) -> InstaHumanResult<Response> {
    let action = JobAction::Dispute {
        reason: request.body.reason,
    };
    respond_to(&app, &caller, &id, action, &request.meta).await
}

pub async fn resize(
    State(app): State<AppState>,
    caller: Caller,
    IhPath(id): IhPath<String>,
    request: Body<ResizeRequest>,
) -> InstaHumanResult<Response> {
    let action = JobAction::Resize {
        tester_count: request.body.tester_count,
    };
    respond_to(&app, &caller, &id, action, &request.meta).await
}
