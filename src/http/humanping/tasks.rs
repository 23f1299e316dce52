//! `/tasks`: post work with escrow, list it, read it with its proofs and
//! money, approve or dispute it. Each HumanPing task is a ledger `Task`; the
//! aggregate decides, these handlers translate.

use super::draft::{parse_destination, ProofKind, TaskDraft, TaskType, Urgency};
use super::errors::{HumanPingError, HumanPingResult};
use super::extract::{Agent, Body, HpPath, HpQuery};
use super::{ids, proofs, views};
use crate::bus::commands;
use crate::http::auth::Principal;
use crate::http::extract::CommandMeta;
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::humanping::tasks::{self as task_queries, AgentTaskFilter, STATUS_WORDS};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::Utc;
use errand_aggregates::actor::Caller;
use errand_aggregates::ids::TaskId;
use errand_aggregates::task::{Task, TaskCommand};
use errand_aggregates::Event;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// HumanPing's default page.
pub const LIST_LIMIT_DEFAULT: u32 = 50;
/// The native API's bound on a page.
pub const LIST_LIMIT_MAX: u32 = crate::queries::PAGE_LIMIT_MAX;
/// Offsets make the database skip rows; past this, narrow the filter instead.
pub const LIST_OFFSET_MAX: u32 = 10_000;
/// What a dispute tells the worker when the agent gives no reason.
const DISPUTE_REASON_DEFAULT: &str = "Disputed by the agent.";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTaskRequest {
    pub description: String,
    pub budget_cents: i64,
    #[serde(rename = "type")]
    pub kind: Option<TaskType>,
    pub urgency: Option<Urgency>,
    pub proof_required: Option<ProofKind>,
    pub deadline: Option<String>,
    pub context: Option<Map<String, Value>>,
    pub consensus_count: Option<u32>,
    pub callback_url: Option<String>,
}

pub async fn create_task(
    State(app): State<AppState>,
    Agent(principal): Agent,
    request: Body<CreateTaskRequest>,
) -> HumanPingResult<Response> {
    let body = request.body;
    let draft = TaskDraft {
        description: body.description,
        budget_cents: body.budget_cents,
        kind: body.kind.unwrap_or(TaskType::Custom),
        urgency: body.urgency,
        proof_required: body.proof_required,
        deadline: body.deadline,
        context: body.context.unwrap_or_default(),
        consensus_count: body.consensus_count,
        callback_url: body.callback_url,
    };
    post_draft(&app, &principal, draft, &request.meta).await
}

/// Posts a task (escrow held in the same append) and answers 201 `{task}`.
pub(super) async fn post_draft(
    app: &AppState,
    principal: &Principal,
    draft: TaskDraft,
    meta: &CommandMeta,
) -> HumanPingResult<Response> {
    principal.require_scope("tasks:write")?;
    if let Some(url) = &draft.callback_url {
        parse_destination(url, app.config.webhooks.allow_private_destinations)?;
    }
    let new_task =
        Box::new(draft.into_new_task(principal, app.config.humanping_fee, Utc::now())?);
    let task_id = new_task.task_id;
    let context = meta.context(principal, "PostTask", 201);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let command = TaskCommand::Post {
            task: new_task.clone(),
            by,
            at: Utc::now(),
        };
        let task = commands::on_task(unit, task_id, &command).await?;
        Ok(json!({ "task": views::task_detail(&task) }))
    })?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub status: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

pub(super) fn bounded(
    value: Option<i64>,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
    name: &str,
) -> HumanPingResult<u32> {
    let Some(value) = value else {
        return Ok(default);
    };
    u32::try_from(value)
        .ok()
        .filter(|v| range.contains(v))
        .ok_or_else(|| {
            HumanPingError::BadRequest(format!(
                "{name} must be {} to {}.",
                range.start(),
                range.end()
            ))
        })
}

pub async fn list_tasks(
    State(app): State<AppState>,
    Agent(principal): Agent,
    HpQuery(query): HpQuery<ListQuery>,
) -> HumanPingResult<Json<Value>> {
    principal.require_scope("tasks:read")?;
    let status = match query.status.as_deref() {
        None => None,
        Some(word) => Some(
            STATUS_WORDS
                .iter()
                .copied()
                .find(|known| *known == word)
                .ok_or_else(|| {
                    HumanPingError::BadRequest(format!(
                        "status must be one of {}.",
                        STATUS_WORDS.join(", ")
                    ))
                })?,
        ),
    };
    if let Some(kind) = &query.kind {
        serde_json::from_value::<TaskType>(json!(kind))
            .map_err(|_| HumanPingError::BadRequest(format!("{kind:?} is not a task type.")))?;
    }
    let limit = bounded(query.limit, LIST_LIMIT_DEFAULT, 1..=LIST_LIMIT_MAX, "limit")?;
    let offset = bounded(query.offset, 0, 0..=LIST_OFFSET_MAX, "offset")?;
    let filter = AgentTaskFilter {
        poster: principal.actor_id,
        mode: principal.mode,
        status,
        kind: query.kind,
        limit,
        offset,
    };
    let pool = app.read_models().await?;
    let (rows, total) = task_queries::list(pool, &filter).await?;
    let tasks: Vec<Value> = rows.iter().map(views::task_from_row).collect();
    Ok(Json(json!({
        "tasks": tasks,
        "total": total,
        "limit": limit,
        "offset": offset,
    })))
}

/// The caller's task, folded from its stream: another agent's task, or one
/// of the other mode, is not found (it is not the caller's to know of).
pub(super) async fn own_task(
    app: &AppState,
    principal: &Principal,
    id: &str,
) -> HumanPingResult<(TaskId, Task)> {
    let task_id: TaskId = ids::parse(id, "task", "task")?;
    let (task, _) = app
        .bus
        .load::<Task>(&commands::task_stream(task_id))
        .await?;
    let visible = task.exists()
        && task.mode == principal.mode
        && (task.poster == Some(principal.actor_id) || principal.is_admin());
    if !visible {
        return Err(HumanPingError::not_found("task"));
    }
    Ok((task_id, task))
}

pub async fn get_task(
    State(app): State<AppState>,
    Agent(principal): Agent,
    HpPath(id): HpPath<String>,
) -> HumanPingResult<Json<Value>> {
    principal.require_scope("tasks:read")?;
    let (task_id, task) = own_task(&app, &principal, &id).await?;
    let recorded = app
        .bus
        .journal()
        .read_stream(&commands::task_stream(task_id), None)
        .await?;
    let events: Vec<(Event, chrono::DateTime<Utc>)> = recorded
        .iter()
        .map(|e| Event::decode(&e.stream_id, &e.payload).map(|event| (event, e.recorded_at)))
        .collect::<Result<_, _>>()
        .map_err(|error| HumanPingError::Internal(error.into()))?;
    Ok(Json(
        json!({ "task": views::task_document(&task, &events) }),
    ))
}

pub async fn get_proof(
    State(app): State<AppState>,
    Agent(principal): Agent,
    HpPath(id): HpPath<String>,
) -> HumanPingResult<Json<Value>> {
    principal.require_scope("tasks:read")?;
    let (task_id, task) = own_task(&app, &principal, &id).await?;
    let mut proofs = views::proofs(&task);
    proofs::inline_photos(app.bus.journal().pool(), &mut proofs).await?;
    Ok(Json(json!({
        "task_id": ids::format("task", task_id.0),
        "status": views::task_status(&task),
        "proofs": proofs,
    })))
}

/// Runs one command on the caller's task and answers with the task.
async fn act(
    app: &AppState,
    principal: &Principal,
    id: &str,
    meta: &CommandMeta,
    name: &'static str,
    make: impl Fn(Caller) -> TaskCommand,
) -> HumanPingResult<Response> {
    principal.require_scope("tasks:write")?;
    let (task_id, _) = own_task(app, principal, id).await?;
    let context = meta.context(principal, name, 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let task = commands::on_task(unit, task_id, &make(by)).await?;
        Ok(json!({ "task": views::task_detail(&task) }))
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    /// Settles a consensus task whose workers' results conflict.
    pub override_result: Option<String>,
}

pub async fn approve_task(
    State(app): State<AppState>,
    Agent(principal): Agent,
    HpPath(id): HpPath<String>,
    request: Body<ApproveRequest>,
) -> HumanPingResult<Response> {
    let override_result = request.body.override_result.clone();
    act(
        &app,
        &principal,
        &id,
        &request.meta,
        "ApprovePending",
        |by| TaskCommand::ApprovePending {
            override_result: override_result.clone(),
            by,
            at: Utc::now(),
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisputeRequest {
    /// Shown to the worker.
    pub reason: Option<String>,
}

pub async fn dispute_task(
    State(app): State<AppState>,
    Agent(principal): Agent,
    HpPath(id): HpPath<String>,
    request: Body<DisputeRequest>,
) -> HumanPingResult<Response> {
    let reason = request
        .body
        .reason
        .clone()
        .unwrap_or_else(|| DISPUTE_REASON_DEFAULT.to_owned());
    act(
        &app,
        &principal,
        &id,
        &request.meta,
        "DisputePending",
        |by| TaskCommand::DisputePending {
            reason: reason.clone(),
            by,
            at: Utc::now(),
        },
    )
    .await
}
