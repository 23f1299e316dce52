//! Taking and reviewing work on a task: a person applies, the owner lists
//! the applications and selects one (→ assigned), the person submits proof,
//! the owner approves (the person paid, less 0.01 %), rejects (a reason of
//! 50 characters or more; the person may submit again) or disputes (the
//! escrow goes back to the owner). The aggregate decides each step.

use super::errors::{Humans2AiError, Humans2AiResult};
use super::extract::{Body, Caller, H2aPath, Scope};
use super::ids;
use super::tasks::{own_task, visible_task};
use super::views::{dollars, success, task_json, time};
use crate::bus::{commands, Executed};
use crate::http::auth::Principal;
use crate::http::extract::CommandMeta;
use crate::http::respond;
use crate::http::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::Utc;
use errand_aggregates::actor::{Actor, Caller as DomainCaller};
use errand_aggregates::humans2ai::rejection_reason;
use errand_aggregates::ids::{ApplicationId, AssignmentId, SubmissionId, TaskId};
use errand_aggregates::task::{
    ApplicationStatus, Attachment, Proof, SubmissionStatus, Task, TaskCommand, APPLICATIONS_MAX,
};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

/// Runs one task command for the caller and answers with the task as it left it.
async fn on_task(
    app: &AppState,
    principal: &Principal,
    meta: &CommandMeta,
    name: &'static str,
    task_id: TaskId,
    command: impl Fn(DomainCaller) -> TaskCommand,
    status: StatusCode,
) -> Humans2AiResult<Executed<Value>> {
    let context = meta.context(principal, name, status.as_u16());
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let task = commands::on_task(unit, task_id, &command(by)).await?;
        let poster = match task.poster {
            Some(poster) => {
                unit.load::<Actor>(&commands::actor_stream(poster))
                    .await?
                    .name
            }
            None => String::new(),
        };
        Ok(success(task_json(&task, &poster)))
    })?;
    Ok(executed)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplyRequest {
    /// A note to the owner: why this person.
    pub message: Option<String>,
}

pub async fn apply(
    State(app): State<AppState>,
    caller: Caller,
    H2aPath(id): H2aPath<String>,
    request: Body<ApplyRequest>,
) -> Humans2AiResult<Response> {
    let executed = apply_to(&app, caller, &id, request).await?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

/// The caller applies to task `id` (REST and MCP).
pub(crate) async fn apply_to(
    app: &AppState,
    caller: Caller,
    id: &str,
    request: Body<ApplyRequest>,
) -> Humans2AiResult<Executed<Value>> {
    let principal = caller.require(Scope::TasksWrite)?;
    let (task_id, _) = visible_task(app, principal, id).await?;
    let application_id = ApplicationId(Uuid::now_v7());
    let note = request.body.message.clone();
    let context = request.meta.context(principal, "ApplyForTask", 201);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let command = TaskCommand::Apply {
            application_id,
            note: note.clone(),
            by,
            at: Utc::now(),
        };
        let task = commands::on_task(unit, task_id, &command).await?;
        let application = task
            .application(application_id)
            .map(|a| application_json(a, None));
        Ok(success(json!({
            "application": application,
            "taskId": ids::format("task", task_id.0),
        })))
    })?;
    Ok(executed)
}

fn application_json(
    application: &errand_aggregates::task::Application,
    applicant_name: Option<&str>,
) -> Value {
    json!({
        "id": ids::format("app", application.id.0),
        "humanId": ids::format("user", application.applicant.0),
        "humanName": applicant_name,
        "message": application.note,
        "status": match application.status {
            ApplicationStatus::Pending => "pending",
            ApplicationStatus::Selected => "selected",
        },
        "appliedAt": time(application.at),
    })
}

/// The owner's list of who applied, oldest first (at most `APPLICATIONS_MAX`).
pub async fn list_applications(
    State(app): State<AppState>,
    caller: Caller,
    H2aPath(id): H2aPath<String>,
) -> Humans2AiResult<Json<Value>> {
    let principal = caller.require(Scope::TasksRead)?;
    let (task_id, task) = own_task(&app, principal, &id, "list its applications").await?;
    let mut applications = Vec::with_capacity(task.applications.len().min(APPLICATIONS_MAX));
    for application in task.applications.iter().take(APPLICATIONS_MAX) {
        let (applicant, _) = app
            .bus
            .load::<Actor>(&commands::actor_stream(application.applicant))
            .await?;
        applications.push(application_json(application, Some(&applicant.name)));
    }
    Ok(Json(success(json!({
        "taskId": ids::format("task", task_id.0),
        "applications": applications,
        "total": task.applications.len(),
    }))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SelectRequest {
    /// `app_…`, from `GET /tasks/:id/applications`.
    pub application_id: String,
}

pub async fn select(
    State(app): State<AppState>,
    caller: Caller,
    H2aPath(id): H2aPath<String>,
    request: Body<SelectRequest>,
) -> Humans2AiResult<Response> {
    let executed = select_applicant(&app, caller, &id, request).await?;
    Ok(respond::executed(executed, StatusCode::OK))
}

/// The owner assigns an applicant of task `id` (REST and MCP).
pub(crate) async fn select_applicant(
    app: &AppState,
    caller: Caller,
    id: &str,
    request: Body<SelectRequest>,
) -> Humans2AiResult<Executed<Value>> {
    let principal = caller.require(Scope::TasksWrite)?;
    let (task_id, _) = own_task(app, principal, id, "select an applicant").await?;
    let application_id: ApplicationId =
        ids::parse(&request.body.application_id, "app", "application")?;
    let assignment_id = AssignmentId(Uuid::now_v7());
    on_task(
        app,
        principal,
        &request.meta,
        "SelectApplicant",
        task_id,
        |by| TaskCommand::Select {
            application_id,
            assignment_id,
            by,
            at: Utc::now(),
        },
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AttachmentInput {
    pub url: String,
    pub media_type: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// What was done, in words.
    pub proof: String,
    /// Photos or files by URL.
    #[serde(default)]
    pub attachments: Vec<AttachmentInput>,
}

pub async fn submit(
    State(app): State<AppState>,
    caller: Caller,
    H2aPath(id): H2aPath<String>,
    request: Body<SubmitRequest>,
) -> Humans2AiResult<Response> {
    let executed = submit_work(&app, caller, &id, request).await?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

/// The assigned person hands in proof for task `id` (REST and MCP).
pub(crate) async fn submit_work(
    app: &AppState,
    caller: Caller,
    id: &str,
    request: Body<SubmitRequest>,
) -> Humans2AiResult<Executed<Value>> {
    let principal = caller.require(Scope::TasksWrite)?;
    let (task_id, _) = visible_task(app, principal, id).await?;
    let proof = Proof {
        text: Some(request.body.proof.clone()),
        attachments: request
            .body
            .attachments
            .iter()
            .map(|a| Attachment {
                url: a.url.clone(),
                media_type: a.media_type.clone(),
            })
            .collect(),
        result: None,
    };
    let submission_id = SubmissionId(Uuid::now_v7());
    on_task(
        app,
        principal,
        &request.meta,
        "SubmitWork",
        task_id,
        |by| TaskCommand::Submit {
            submission_id,
            proof: proof.clone(),
            by,
            at: Utc::now(),
        },
        StatusCode::CREATED,
    )
    .await
}

/// The submission awaiting review, which approve, reject and dispute act on.
fn pending_submission(task: &Task) -> Humans2AiResult<SubmissionId> {
    task.submissions
        .iter()
        .rev()
        .find(|s| s.status == SubmissionStatus::Pending)
        .map(|s| s.id)
        .ok_or_else(|| Humans2AiError::Conflict("No submission is waiting for review.".into()))
}

pub async fn approve(
    State(app): State<AppState>,
    caller: Caller,
    H2aPath(id): H2aPath<String>,
    request: Body<Value>,
) -> Humans2AiResult<Response> {
    let executed = approve_work(&app, caller, &id, request).await?;
    Ok(respond::executed(executed, StatusCode::OK))
}

/// The owner approves the work awaiting review on task `id` (REST and MCP).
pub(crate) async fn approve_work(
    app: &AppState,
    caller: Caller,
    id: &str,
    request: Body<Value>,
) -> Humans2AiResult<Executed<Value>> {
    let principal = caller.require(Scope::TasksWrite)?;
    let (task_id, task) = own_task(app, principal, id, "approve its work").await?;
    let submission_id = pending_submission(&task)?;
    let context = request.meta.context(principal, "ApproveSubmission", 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let command = TaskCommand::Approve {
            submission_id,
            by,
            at: Utc::now(),
        };
        let task = commands::on_task(unit, task_id, &command).await?;
        let poster = unit
            .load::<Actor>(&commands::actor_stream(principal.actor_id))
            .await?;
        let submission = task.submission(submission_id);
        Ok(success(json!({
            "task": task_json(&task, &poster.name),
            "payout": submission.and_then(|s| s.payout).map(|m| dollars(m.cents)),
            "platformFee": submission.and_then(|s| s.fee).map(|m| dollars(m.cents)),
        })))
    })?;
    Ok(executed)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    pub reason: String,
}

pub async fn reject(
    State(app): State<AppState>,
    caller: Caller,
    H2aPath(id): H2aPath<String>,
    request: Body<ReasonRequest>,
) -> Humans2AiResult<Response> {
    let executed = reject_work(&app, caller, &id, request).await?;
    Ok(respond::executed(executed, StatusCode::OK))
}

/// The owner rejects the work awaiting review on task `id` (REST and MCP).
pub(crate) async fn reject_work(
    app: &AppState,
    caller: Caller,
    id: &str,
    request: Body<ReasonRequest>,
) -> Humans2AiResult<Executed<Value>> {
    let principal = caller.require(Scope::TasksWrite)?;
    let (task_id, task) = own_task(app, principal, id, "reject its work").await?;
    let reason = rejection_reason(&request.body.reason)?;
    let submission_id = pending_submission(&task)?;
    on_task(
        app,
        principal,
        &request.meta,
        "RejectSubmission",
        task_id,
        |by| TaskCommand::Reject {
            submission_id,
            reason: reason.clone(),
            by,
            at: Utc::now(),
        },
        StatusCode::OK,
    )
    .await
}

/// The owner disputes the work awaiting review: the task closes and its
/// escrow goes back to the owner (`TaskCommand::DisputePending`).
pub async fn dispute(
    State(app): State<AppState>,
    caller: Caller,
    H2aPath(id): H2aPath<String>,
    request: Body<ReasonRequest>,
) -> Humans2AiResult<Response> {
    let executed = dispute_work(&app, caller, &id, request).await?;
    Ok(respond::executed(executed, StatusCode::OK))
}

/// The owner disputes the work awaiting review on task `id` (REST and MCP).
pub(crate) async fn dispute_work(
    app: &AppState,
    caller: Caller,
    id: &str,
    request: Body<ReasonRequest>,
) -> Humans2AiResult<Executed<Value>> {
    let principal = caller.require(Scope::TasksWrite)?;
    let (task_id, _) = own_task(app, principal, id, "dispute its work").await?;
    let reason = request.body.reason.clone();
    on_task(
        app,
        principal,
        &request.meta,
        "DisputeSubmission",
        task_id,
        |by| TaskCommand::DisputePending {
            reason: reason.clone(),
            by,
            at: Utc::now(),
        },
        StatusCode::OK,
    )
    .await
}
