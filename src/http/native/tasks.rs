//! `/v1/tasks`: post work with escrow, list and read it, and every action on
//! it. Handlers translate; the `Task` aggregate decides.

use super::views::{Page, TaskView};
use super::{page_limit, parse_id, Empty};
use crate::bus::{commands, BusError, Executed, UnitOfWork};
use crate::http::auth::Principal;
use crate::http::errors::{ApiError, ApiResult};
use crate::http::extract::{ApiPath, ApiQuery, CommandMeta, CommandRequest};
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::tasks::{self as task_queries, TaskFilter, TaskSummary};
use crate::queries::PAGE_LIMIT_MAX;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, Utc};
use errand_aggregates::ids::{ApplicationId, AssignmentId, HoldId, SubmissionId, TaskId};
use errand_aggregates::money::{Currency, Money};
use errand_aggregates::task::{AssignmentMode, Attachment, NewTask, Proof, Task, TaskCommand};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

/// A day to do the work, then the slot goes back to the pool.
pub const DEFAULT_ASSIGNMENT_TIME_LIMIT_S: u32 = 24 * 3600;
/// Three days to review before the work is approved automatically.
pub const DEFAULT_REVIEW_WINDOW_S: u32 = 72 * 3600;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostTaskRequest {
    /// 1 to 200 characters.
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Paid per slot on approval, in cents.
    pub reward_cents: i64,
    /// 1 to 500 workers; default 1.
    pub slots: Option<u32>,
    /// first_accept (default) or apply_select.
    #[schema(value_type = Option<String>)]
    pub assignment: Option<AssignmentMode>,
    /// A label for the kind of work; default "general".
    pub kind: Option<String>,
    /// Free-form JSON object for the worker: at most 16 KiB.
    #[serde(default, deserialize_with = "json_object")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
    pub deadline: Option<DateTime<Utc>>,
    pub assignment_time_limit_s: Option<u32>,
    pub review_window_s: Option<u32>,
}

/// `details` is an object (or null): a task whose details were `false`
/// would be stored and shown as no `TaskView` describes.
fn json_object<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<serde_json::Value>, D::Error> {
    let object = Option::<serde_json::Map<String, serde_json::Value>>::deserialize(deserializer)?;
    Ok(object.map(serde_json::Value::Object))
}

#[utoipa::path(post, path = "/v1/tasks", tag = "tasks", request_body = PostTaskRequest,
    responses((status = 201, description = "Posted, escrow held", body = TaskView),
              (status = 402, description = "Insufficient funds"), (status = 422, description = "Invalid task")),
    security(("bearer" = [])))]
pub async fn post_task(
    State(app): State<AppState>,
    principal: Principal,
    request: CommandRequest<PostTaskRequest>,
) -> ApiResult<Response> {
    let executed = post(&app, &principal, &request.meta, request.body).await?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

/// Posts a task with its escrow: `POST /v1/tasks`, and the MCP tool `post_task`.
pub async fn post(
    app: &AppState,
    principal: &Principal,
    meta: &CommandMeta,
    body: PostTaskRequest,
) -> ApiResult<Executed<TaskView>> {
    principal.require_scope("tasks:write")?;
    let new_task = NewTask {
        task_id: TaskId(Uuid::now_v7()),
        hold_id: HoldId(Uuid::now_v7()),
        mode: principal.mode,
        title: body.title,
        description: body.description,
        kind: body.kind.unwrap_or_else(|| "general".to_owned()),
        details: body.details.unwrap_or_else(|| json!({})),
        reward: Money::positive_cents(body.reward_cents, Currency::USD)?,
        slots: body.slots.unwrap_or(1),
        assignment: body.assignment.unwrap_or_default(),
        fee: app.config.native_fee,
        deadline: body.deadline,
        assignment_time_limit_s: Some(
            body.assignment_time_limit_s
                .unwrap_or(DEFAULT_ASSIGNMENT_TIME_LIMIT_S),
        ),
        review_window_s: Some(body.review_window_s.unwrap_or(DEFAULT_REVIEW_WINDOW_S)),
    };
    let task_id = new_task.task_id;
    let new_task = Box::new(new_task);
    let context = meta.context(principal, "PostTask", 201);
    Ok(crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let command = TaskCommand::Post {
            task: new_task.clone(),
            by,
            at: Utc::now(),
        };
        let task = commands::on_task(unit, task_id, &command).await?;
        Ok(TaskView::new(&task, principal.actor_id.0, true))
    })?)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListTasksQuery {
    /// open | paused | stopped | cancelled | expired | completed
    #[param(pattern = "^(open|paused|stopped|cancelled|expired|completed)$")]
    pub status: Option<String>,
    /// Only tasks posted by this actor.
    pub poster: Option<Uuid>,
    /// Only tasks this actor works or worked on.
    pub worker: Option<Uuid>,
    /// The `next` of the previous page.
    #[param(min_length = 1)]
    pub cursor: Option<String>,
    /// 1 to 100; default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/v1/tasks", tag = "tasks", params(ListTasksQuery),
    responses((status = 200, body = Page<TaskSummary>)), security(("bearer" = [])))]
pub async fn list_tasks(
    State(app): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<ListTasksQuery>,
) -> ApiResult<Json<Page<TaskSummary>>> {
    Ok(Json(list(&app, &principal, query).await?))
}

/// A page of the tasks the caller's mode sees: `GET /v1/tasks`, and the MCP tool `list_tasks`.
pub async fn list(
    app: &AppState,
    principal: &Principal,
    query: ListTasksQuery,
) -> ApiResult<Page<TaskSummary>> {
    principal.require_scope("tasks:read")?;
    let filter = TaskFilter::parse(
        principal.mode,
        query.status.as_deref(),
        query.poster,
        query.worker,
        query.cursor.as_deref(),
        page_limit(query.limit, PAGE_LIMIT_MAX)?,
    )?;
    let pool = app.read_models().await?;
    Ok(task_queries::list(pool, &filter).await?)
}

#[utoipa::path(get, path = "/v1/tasks/{id}", tag = "tasks",
    params(("id" = Uuid, Path, description = "Task id")),
    responses((status = 200, body = TaskView), (status = 404, description = "No such task")),
    security(("bearer" = [])))]
pub async fn get_task(
    State(app): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<TaskView>> {
    Ok(Json(get(&app, &principal, &id).await?))
}

/// One task, folded from its stream: `GET /v1/tasks/{id}`, and the MCP tool `get_task`.
pub async fn get(app: &AppState, principal: &Principal, id: &str) -> ApiResult<TaskView> {
    principal.require_scope("tasks:read")?;
    let task_id: TaskId = parse_id(id, "task")?;
    let (task, _) = app
        .bus
        .load::<Task>(&commands::task_stream(task_id))
        .await?;
    if !task.exists() || task.mode != principal.mode {
        return Err(ApiError::NotFound("task".into()));
    }
    let sees_all = task.poster == Some(principal.actor_id) || principal.is_admin();
    Ok(TaskView::new(&task, principal.actor_id.0, sees_all))
}

/// Loads the task in this unit and hides from the caller what it may not
/// see, as `TaskView` does: the task from keys of the other mode, and a
/// submission from anyone but its worker, the task's poster and admins. What
/// the caller cannot see is not found (404); what it sees but may not act on
/// is the aggregate's to refuse (403).
async fn ensure_visible(
    unit: &mut UnitOfWork<'_>,
    task_id: TaskId,
    principal: &Principal,
    submission_id: Option<SubmissionId>,
) -> Result<(), BusError> {
    let task = unit.load::<Task>(&commands::task_stream(task_id)).await?;
    let not_found = |what| Err(errand_aggregates::DomainError::NotFound(what).into());
    if task.exists() && task.mode != principal.mode {
        return not_found("task");
    }
    let reviews = task.poster == Some(principal.actor_id) || principal.is_admin();
    if let (Some(submission_id), false) = (submission_id, reviews) {
        let is_worker = task
            .submission(submission_id)
            .is_some_and(|submission| submission.worker == principal.actor_id);
        if !is_worker {
            return not_found("submission");
        }
    }
    Ok(())
}

/// A task command's name, its success status, what it creates (an
/// assignment, an application, a submission), if anything, and the
/// submission it reviews, if it does.
struct TaskAction {
    name: &'static str,
    status: StatusCode,
    created: Option<Created>,
    reviews: Option<SubmissionId>,
}

#[derive(Clone, Copy)]
enum Created {
    Assignment(AssignmentId),
    Application(ApplicationId),
    Submission(SubmissionId),
}

impl Created {
    /// The reply: the new id under its name, and the task.
    fn reply(self, task: TaskView) -> serde_json::Value {
        let reply = match self {
            Created::Assignment(id) => serde_json::to_value(AssignedReply {
                assignment_id: id.0,
                task,
            }),
            Created::Application(id) => serde_json::to_value(AppliedReply {
                application_id: id.0,
                task,
            }),
            Created::Submission(id) => serde_json::to_value(SubmittedReply {
                submission_id: id.0,
                task,
            }),
        };
        reply.unwrap_or_default()
    }
}

impl TaskAction {
    fn update(name: &'static str) -> Self {
        TaskAction {
            name,
            status: StatusCode::OK,
            created: None,
            reviews: None,
        }
    }

    fn creating(name: &'static str, created: Created) -> Self {
        TaskAction {
            name,
            status: StatusCode::CREATED,
            created: Some(created),
            reviews: None,
        }
    }

    fn review(name: &'static str, submission_id: SubmissionId) -> Self {
        TaskAction {
            reviews: Some(submission_id),
            ..TaskAction::update(name)
        }
    }
}

/// The reply of `POST /v1/tasks/{id}/accept` and `…/select`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignedReply {
    pub assignment_id: Uuid,
    pub task: TaskView,
}

/// The reply of `POST /v1/tasks/{id}/apply`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppliedReply {
    pub application_id: Uuid,
    pub task: TaskView,
}

/// The reply of `POST /v1/tasks/{id}/submissions`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmittedReply {
    pub submission_id: Uuid,
    pub task: TaskView,
}

/// Runs one task command for the principal and replies with the task (and
/// the id of what the command created, if anything).
async fn run_task_command(
    app: &AppState,
    principal: &Principal,
    task_id: TaskId,
    request_meta: &CommandMeta,
    action: TaskAction,
    make: impl Fn(errand_aggregates::actor::Caller, DateTime<Utc>) -> TaskCommand,
) -> ApiResult<Response> {
    let status = action.status;
    let executed =
        execute_task_command(app, principal, task_id, request_meta, action, make).await?;
    Ok(respond::executed(executed, status))
}

/// [`run_task_command`]'s work, for callers that send the reply their own way (MCP tools).
async fn execute_task_command(
    app: &AppState,
    principal: &Principal,
    task_id: TaskId,
    request_meta: &CommandMeta,
    action: TaskAction,
    make: impl Fn(errand_aggregates::actor::Caller, DateTime<Utc>) -> TaskCommand,
) -> ApiResult<Executed<serde_json::Value>> {
    let TaskAction {
        name,
        status,
        created,
        reviews,
    } = action;
    principal.require_scope("tasks:write")?;
    let context = request_meta.context(principal, name, status.as_u16());
    Ok(crate::execute!(app.bus, &context, |unit| {
        ensure_visible(unit, task_id, principal, reviews).await?;
        let by = commands::caller(unit, principal.actor_id).await?;
        let task = commands::on_task(unit, task_id, &make(by, Utc::now())).await?;
        let sees_all = task.poster == Some(principal.actor_id) || principal.is_admin();
        let view = TaskView::new(&task, principal.actor_id.0, sees_all);
        Ok(match created {
            Some(created) => created.reply(view),
            None => serde_json::to_value(view).unwrap_or_default(),
        })
    })?)
}

macro_rules! simple_task_action {
    ($name:ident, $path:literal, $command:literal, $variant:ident, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "tasks",
            params(("id" = Uuid, Path, description = "Task id")),
            responses((status = 200, body = TaskView), (status = 409, description = "Not allowed in the task's state")),
            security(("bearer" = [])))]
        pub async fn $name(
            State(app): State<AppState>,
            principal: Principal,
            ApiPath(id): ApiPath<String>,
            request: CommandRequest<Empty>,
        ) -> ApiResult<Response> {
            let task_id = parse_id(&id, "task")?;
            run_task_command(&app, &principal, task_id, &request.meta, TaskAction::update($command), |by, at| {
                TaskCommand::$variant { by, at }
            })
            .await
        }
    };
}

simple_task_action!(
    pause_task,
    "/v1/tasks/{id}/pause",
    "PauseTask",
    Pause,
    "Stop taking workers for now."
);
simple_task_action!(
    resume_task,
    "/v1/tasks/{id}/resume",
    "ResumeTask",
    Resume,
    "Take workers again."
);
simple_task_action!(
    stop_task,
    "/v1/tasks/{id}/stop",
    "StopTask",
    Stop,
    "Take no more workers; work under way finishes; free slots' money is released."
);
simple_task_action!(
    cancel_task,
    "/v1/tasks/{id}/cancel",
    "CancelTask",
    Cancel,
    "Cancel: active assignments end and everything unspent is released."
);

#[utoipa::path(post, path = "/v1/tasks/{id}/accept", tag = "tasks",
    params(("id" = Uuid, Path, description = "Task id")),
    responses((status = 201, description = "Assigned", body = AssignedReply), (status = 409, description = "No free slot, or not a first-accept task")),
    security(("bearer" = [])))]
pub async fn accept_task(
    State(app): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
    request: CommandRequest<Empty>,
) -> ApiResult<Response> {
    let executed = accept(&app, &principal, &request.meta, &id).await?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

/// Takes a slot of a first-accept task: `POST /v1/tasks/{id}/accept`, and the MCP tool `accept_task`.
pub async fn accept(
    app: &AppState,
    principal: &Principal,
    meta: &CommandMeta,
    task_id: &str,
) -> ApiResult<Executed<serde_json::Value>> {
    let task_id = parse_id(task_id, "task")?;
    let assignment_id = AssignmentId(Uuid::now_v7());
    execute_task_command(
        app,
        principal,
        task_id,
        meta,
        TaskAction::creating("AcceptTask", Created::Assignment(assignment_id)),
        |by, at| TaskCommand::Accept {
            assignment_id,
            by,
            at,
        },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyRequest {
    /// Up to 2000 characters for the poster.
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/v1/tasks/{id}/apply", tag = "tasks", request_body = ApplyRequest,
    params(("id" = Uuid, Path, description = "Task id")),
    responses((status = 201, description = "Applied", body = AppliedReply), (status = 409, description = "Not an apply-select task, or not taking workers")),
    security(("bearer" = [])))]
pub async fn apply_to_task(
    State(app): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
    request: CommandRequest<ApplyRequest>,
) -> ApiResult<Response> {
    let executed = apply(&app, &principal, &request.meta, &id, request.body).await?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

/// Applies to an apply-select task: `POST /v1/tasks/{id}/apply`, and the MCP tool `apply_task`.
pub async fn apply(
    app: &AppState,
    principal: &Principal,
    meta: &CommandMeta,
    task_id: &str,
    body: ApplyRequest,
) -> ApiResult<Executed<serde_json::Value>> {
    let task_id = parse_id(task_id, "task")?;
    let application_id = ApplicationId(Uuid::now_v7());
    let note = body.note;
    execute_task_command(
        app,
        principal,
        task_id,
        meta,
        TaskAction::creating("ApplyToTask", Created::Application(application_id)),
        |by, at| TaskCommand::Apply {
            application_id,
            note: note.clone(),
            by,
            at,
        },
    )
    .await
}

#[utoipa::path(post, path = "/v1/tasks/{id}/applications/{application_id}/select", tag = "tasks",
    params(("id" = Uuid, Path, description = "Task id"), ("application_id" = Uuid, Path, description = "Application id")),
    responses((status = 201, description = "Assigned", body = AssignedReply), (status = 409, description = "Already selected, or no free slot")),
    security(("bearer" = [])))]
pub async fn select_application(
    State(app): State<AppState>,
    principal: Principal,
    ApiPath((id, application)): ApiPath<(String, String)>,
    request: CommandRequest<Empty>,
) -> ApiResult<Response> {
    let executed = select(&app, &principal, &request.meta, &id, &application).await?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

/// Assigns an applicant: `POST /v1/tasks/{id}/applications/{application_id}/select`,
/// and the MCP tool `select_applicant`.
pub async fn select(
    app: &AppState,
    principal: &Principal,
    meta: &CommandMeta,
    task_id: &str,
    application_id: &str,
) -> ApiResult<Executed<serde_json::Value>> {
    let task_id = parse_id(task_id, "task")?;
    let application_id: ApplicationId = parse_id(application_id, "application")?;
    let assignment_id = AssignmentId(Uuid::now_v7());
    execute_task_command(
        app,
        principal,
        task_id,
        meta,
        TaskAction::creating("SelectApplication", Created::Assignment(assignment_id)),
        |by, at| TaskCommand::Select {
            application_id,
            assignment_id,
            by,
            at,
        },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResizeRequest {
    /// The new number of slots, 1 to 500.
    pub slots: u32,
}

#[utoipa::path(post, path = "/v1/tasks/{id}/resize", tag = "tasks", request_body = ResizeRequest,
    params(("id" = Uuid, Path, description = "Task id")),
    responses((status = 200, body = TaskView), (status = 402, description = "Insufficient funds to grow")),
    security(("bearer" = [])))]
pub async fn resize_task(
    State(app): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
    request: CommandRequest<ResizeRequest>,
) -> ApiResult<Response> {
    let task_id = parse_id(&id, "task")?;
    let slots = request.body.slots;
    run_task_command(
        &app,
        &principal,
        task_id,
        &request.meta,
        TaskAction::update("ResizeTask"),
        |by, at| TaskCommand::Resize { slots, by, at },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// Text, and/or attachments.
    #[serde(deserialize_with = "proof_body")]
    #[schema(value_type = ProofBody)]
    pub proof: Proof,
}

// The wire form of `Proof`: it refuses unknown fields like every body
// (`"attachements"` would otherwise be dropped without a word). The bounds
// are `Proof::validate`'s.
/// Proof of work: text, attachments, or both.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProofBody {
    /// At most 10,000 characters.
    #[schema(max_length = 10000)]
    pub text: Option<String>,
    /// At most 10.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub attachments: Vec<AttachmentBody>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentBody {
    /// `https://…`, `http://…`, or `attachment:<id>`; at most 2,048 characters.
    #[schema(max_length = 2048, pattern = "^(https?://|attachment:)")]
    pub url: String,
    /// e.g. image/jpeg
    #[schema(max_length = 100, pattern = "^[^\\s/]+/[^\\s]+$")]
    pub media_type: String,
}

fn proof_body<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Proof, D::Error> {
    let body = ProofBody::deserialize(deserializer)?;
    Ok(Proof {
        text: body.text,
        attachments: body
            .attachments
            .into_iter()
            .map(|attachment| Attachment {
                url: attachment.url,
                media_type: attachment.media_type,
            })
            .collect(),
        // The native API's proof has no separate answer: its text is the result.
        result: None,
    })
}

#[utoipa::path(post, path = "/v1/tasks/{id}/submissions", tag = "tasks", request_body = SubmitRequest,
    params(("id" = Uuid, Path, description = "Task id")),
    responses((status = 201, description = "Submitted", body = SubmittedReply), (status = 409, description = "No assignment awaiting work")),
    security(("bearer" = [])))]
pub async fn submit_work(
    State(app): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
    request: CommandRequest<SubmitRequest>,
) -> ApiResult<Response> {
    let executed = submit(&app, &principal, &request.meta, &id, request.body).await?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

/// Hands in proof for the caller's assignment: `POST /v1/tasks/{id}/submissions`,
/// and the MCP tool `submit_work`.
pub async fn submit(
    app: &AppState,
    principal: &Principal,
    meta: &CommandMeta,
    task_id: &str,
    body: SubmitRequest,
) -> ApiResult<Executed<serde_json::Value>> {
    let task_id = parse_id(task_id, "task")?;
    let submission_id = SubmissionId(Uuid::now_v7());
    let proof = body.proof;
    execute_task_command(
        app,
        principal,
        task_id,
        meta,
        TaskAction::creating("SubmitWork", Created::Submission(submission_id)),
        |by, at| TaskCommand::Submit {
            submission_id,
            proof: proof.clone(),
            by,
            at,
        },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// 1 to 2000 characters, shown to the worker.
    pub reason: String,
}

/// A poster's (or an admin's) decision on a submission.
pub enum Review {
    /// The slot's reward is captured: the worker is paid less the fee.
    Approve,
    /// The slot is free again; the reason is shown to the worker.
    Reject { reason: String },
    /// The slot's reward is refunded to the poster.
    Dispute { reason: String },
}

impl Review {
    fn command_name(&self) -> &'static str {
        match self {
            Review::Approve => "ApproveSubmission",
            Review::Reject { .. } => "RejectSubmission",
            Review::Dispute { .. } => "DisputeSubmission",
        }
    }

    fn command(
        &self,
        submission_id: SubmissionId,
        by: errand_aggregates::actor::Caller,
        at: DateTime<Utc>,
    ) -> TaskCommand {
        match self {
            Review::Approve => TaskCommand::Approve {
                submission_id,
                by,
                at,
            },
            Review::Reject { reason } => TaskCommand::Reject {
                submission_id,
                reason: reason.clone(),
                by,
                at,
            },
            Review::Dispute { reason } => TaskCommand::Dispute {
                submission_id,
                reason: reason.clone(),
                by,
                at,
            },
        }
    }
}

/// Reviews a submission: `POST /v1/submissions/{id}/approve|reject|dispute`, and
/// the MCP tools `approve_submission`, `reject_submission`, `dispute_submission`.
/// Submissions are addressed by their own id; the task they belong to is
/// found through the read model.
pub async fn review(
    app: &AppState,
    principal: &Principal,
    meta: &CommandMeta,
    submission_id: &str,
    decision: Review,
) -> ApiResult<Executed<serde_json::Value>> {
    let submission_id: SubmissionId = parse_id(submission_id, "submission")?;
    let pool = app.read_models().await?;
    let task_id = task_queries::task_of_submission(pool, submission_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("submission".into()))?;
    execute_task_command(
        app,
        principal,
        task_id,
        meta,
        TaskAction::review(decision.command_name(), submission_id),
        |by, at| decision.command(submission_id, by, at),
    )
    .await
}

#[utoipa::path(post, path = "/v1/submissions/{id}/approve", tag = "submissions",
    params(("id" = Uuid, Path, description = "Submission id")),
    responses((status = 200, description = "Approved: the slot's reward is captured, the worker paid less the fee", body = TaskView),
              (status = 409, description = "Already reviewed")),
    security(("bearer" = [])))]
pub async fn approve_submission(
    State(app): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
    request: CommandRequest<Empty>,
) -> ApiResult<Response> {
    let executed = review(&app, &principal, &request.meta, &id, Review::Approve).await?;
    Ok(respond::executed(executed, StatusCode::OK))
}

macro_rules! review_with_reason {
    ($name:ident, $path:literal, $variant:ident, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "submissions", request_body = ReasonRequest,
            params(("id" = Uuid, Path, description = "Submission id")),
            responses((status = 200, description = $doc, body = TaskView), (status = 409, description = "Already reviewed")),
            security(("bearer" = [])))]
        pub async fn $name(
            State(app): State<AppState>,
            principal: Principal,
            ApiPath(id): ApiPath<String>,
            request: CommandRequest<ReasonRequest>,
        ) -> ApiResult<Response> {
            let reason = request.body.reason;
            let executed = review(&app, &principal, &request.meta, &id, Review::$variant { reason }).await?;
            Ok(respond::executed(executed, StatusCode::OK))
        }
    };
}

review_with_reason!(
    reject_submission,
    "/v1/submissions/{id}/reject",
    Reject,
    "Rejected: the slot is free again."
);
review_with_reason!(
    dispute_submission,
    "/v1/submissions/{id}/dispute",
    Dispute,
    "Disputed: the slot's reward is refunded to the poster."
);
