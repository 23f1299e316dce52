//! `/tasks`: post work (Risk Gate, then the escrow hold in the same append
//! as the task), list it (an agent's own; a person's marketplace of open
//! work), read one. Each Humans2AI task is a ledger `Task` taking
//! applications (`AssignmentMode::ApplySelect`), one person, 0.01 % fee.

use super::errors::{Humans2AiError, Humans2AiResult};
use super::extract::{Body, Caller, H2aPath, H2aQuery, Scope};
use super::ids;
use super::views::{dollars, success, task_json, time};
use crate::bus::{commands, Executed};
use crate::http::auth::Principal;
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::humans2ai::tasks::{
    self as task_queries, Scope as ListScope, TaskFilter, STATUS_WORDS,
};
use crate::queries::micros_to_time;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, Utc};
use errand_aggregates::actor::{Actor, Role};
use errand_aggregates::ids::{HoldId, TaskId};
use errand_aggregates::money::{Currency, Money};
use errand_aggregates::risk_gate::Content;
use errand_aggregates::task::{AssignmentMode, NewTask, Task, TaskCommand, TaskStatus};
use serde::Deserialize;
use serde_json::{json, Number, Value};
use uuid::Uuid;

/// The seed's urgency levels.
pub const URGENCIES: [&str; 4] = ["low", "medium", "high", "urgent"];
/// An address or a neighbourhood, not a document.
pub const LOCATION_MAX_CHARS: usize = 200;
/// A list's default page.
pub const LIST_LIMIT_DEFAULT: u32 = 20;
/// The native API's bound on a page.
pub const LIST_LIMIT_MAX: u32 = crate::queries::PAGE_LIMIT_MAX;
/// Pages make the database skip rows; past this, narrow the filter instead.
pub const LIST_PAGE_MAX: u32 = 100;
/// When a poster gives no category.
const CATEGORY_DEFAULT: &str = "general";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTaskRequest {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub category: Option<String>,
    /// Dollars, exact: a JSON number with at most two decimals.
    pub budget: Number,
    /// RFC 3339.
    pub deadline: Option<String>,
    pub location: Option<String>,
    pub remote: Option<bool>,
    pub urgency: Option<String>,
}

/// Dollars as the exact cents they name: the number's own decimal text is
/// parsed, so sub-cent amounts are refused rather than rounded.
pub fn budget_cents(budget: &Number) -> Humans2AiResult<Money> {
    let money = Money::parse_major(&budget.to_string(), Currency::USD)
        .map_err(|error| Humans2AiError::validation(format!("budget: {error}")))?;
    if money.cents <= 0 {
        return Err(Humans2AiError::validation("budget must be greater than 0"));
    }
    Ok(money)
}

fn urgency_of(word: &str) -> Humans2AiResult<&'static str> {
    URGENCIES
        .iter()
        .copied()
        .find(|known| *known == word)
        .ok_or_else(|| {
            Humans2AiError::validation(format!("urgency must be one of {}", URGENCIES.join(", ")))
        })
}

fn deadline_of(text: &str) -> Humans2AiResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|deadline| deadline.with_timezone(&Utc))
        .map_err(|_| Humans2AiError::validation("deadline must be an RFC 3339 date-time"))
}

pub async fn create_task(
    State(app): State<AppState>,
    caller: Caller,
    request: Body<CreateTaskRequest>,
) -> Humans2AiResult<Response> {
    let executed = create(&app, caller, request).await?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

/// Posts the task and holds its budget (the REST handler's and the MCP
/// tool's work): the task as created.
pub(crate) async fn create(
    app: &AppState,
    caller: Caller,
    request: Body<CreateTaskRequest>,
) -> Humans2AiResult<Executed<Value>> {
    let principal = caller.require(Scope::TasksWrite)?.clone();
    let body = request.body;
    let category = body
        .category
        .as_deref()
        .map(str::trim)
        .unwrap_or(CATEGORY_DEFAULT)
        .to_owned();
    let reward = budget_cents(&body.budget)?;
    let urgency = body.urgency.as_deref().map(urgency_of).transpose()?;
    let deadline = body.deadline.as_deref().map(deadline_of).transpose()?;
    if let Some(location) = &body.location {
        if location.chars().count() > LOCATION_MAX_CHARS {
            return Err(Humans2AiError::validation(format!(
                "location must be at most {LOCATION_MAX_CHARS} characters"
            )));
        }
    }
    app.config.risk_gate.screen(Content {
        title: &body.title,
        description: &body.description,
        category: &category,
    })?;
    let task_id = TaskId(Uuid::now_v7());
    let new_task = Box::new(NewTask {
        task_id,
        hold_id: HoldId(Uuid::now_v7()),
        mode: principal.mode,
        title: body.title,
        description: body.description,
        kind: category,
        details: json!({
            "dialect": "humans2ai",
            "location": body.location,
            "remote": body.remote.unwrap_or(false),
            "urgency": urgency.unwrap_or("medium"),
        }),
        reward,
        slots: 1,
        assignment: AssignmentMode::ApplySelect,
        fee: app.config.humans2ai_fee,
        deadline,
        assignment_time_limit_s: None,
        review_window_s: None,
    });
    let context = request.meta.context(&principal, "PostTask", 201);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let poster = unit
            .load::<Actor>(&commands::actor_stream(principal.actor_id))
            .await?;
        let command = TaskCommand::Post {
            task: new_task.clone(),
            by,
            at: Utc::now(),
        };
        let task = commands::on_task(unit, task_id, &command).await?;
        Ok(success(task_json(&task, &poster.name)))
    })?;
    Ok(executed)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub status: Option<String>,
    pub category: Option<String>,
    pub remote: Option<String>,
    pub urgency: Option<String>,
    pub page: Option<i64>,
    pub limit: Option<i64>,
}

pub(super) fn bounded(
    value: Option<i64>,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
    name: &str,
) -> Humans2AiResult<u32> {
    let Some(value) = value else {
        return Ok(default);
    };
    u32::try_from(value)
        .ok()
        .filter(|v| range.contains(v))
        .ok_or_else(|| {
            Humans2AiError::validation(format!(
                "{name} must be {} to {}",
                range.start(),
                range.end()
            ))
        })
}

/// Agents (and admins) list the tasks they posted; people list the open
/// work they may apply for.
pub async fn list_tasks(
    State(app): State<AppState>,
    caller: Caller,
    H2aQuery(query): H2aQuery<ListQuery>,
) -> Humans2AiResult<Json<Value>> {
    let principal = caller.require(Scope::TasksRead)?;
    let status = match query.status.as_deref() {
        None => None,
        Some(word) => Some(
            STATUS_WORDS
                .iter()
                .copied()
                .find(|known| *known == word)
                .ok_or_else(|| {
                    Humans2AiError::validation(format!(
                        "status must be one of {}",
                        STATUS_WORDS.join(", ")
                    ))
                })?,
        ),
    };
    let remote = match query.remote.as_deref() {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => return Err(Humans2AiError::validation("remote must be true or false")),
    };
    let urgency = query.urgency.as_deref().map(urgency_of).transpose()?;
    let page = bounded(query.page, 1, 1..=LIST_PAGE_MAX, "page")?;
    let limit = bounded(query.limit, LIST_LIMIT_DEFAULT, 1..=LIST_LIMIT_MAX, "limit")?;
    let scope = match principal.role {
        Role::Human => ListScope::Marketplace,
        Role::Agent | Role::Admin => ListScope::PostedBy(principal.actor_id),
    };
    let filter = TaskFilter {
        scope,
        mode: principal.mode,
        status,
        category: query.category,
        remote,
        urgency,
        limit,
        offset: (page - 1) * limit,
    };
    let pool = app.read_models().await?;
    let (rows, total) = task_queries::list(pool, &filter).await?;
    let tasks: Vec<Value> = rows.iter().map(task_from_row).collect();
    Ok(Json(success(json!({
        "tasks": tasks,
        "pagination": {
            "page": page,
            "limit": limit,
            "total": total,
            "totalPages": (total + i64::from(limit) - 1) / i64::from(limit),
        },
    }))))
}

fn task_from_row(row: &task_queries::TaskRow) -> Value {
    let details: Value = serde_json::from_str(&row.details).unwrap_or(Value::Null);
    let hex = |id: &str| {
        Uuid::parse_str(id)
            .map(|id| id.simple().to_string())
            .unwrap_or_default()
    };
    json!({
        "id": format!("task_{}", hex(&row.task_id)),
        "title": row.title,
        "description": row.description,
        "category": row.category,
        "status": row.status,
        "budget": dollars(row.reward_cents),
        "deadline": micros_to_time(row.deadline_us).map(time),
        "location": details.get("location").cloned().unwrap_or(Value::Null),
        "remote": details.get("remote").cloned().unwrap_or(Value::Bool(false)),
        "urgency": details.get("urgency").cloned().unwrap_or(Value::Null),
        "agentId": format!("user_{}", hex(&row.poster)),
        "agentName": row.agent_name,
        "createdAt": micros_to_time(Some(row.posted_at_us)).map(time),
    })
}

/// A task the caller may see: in the caller's mode, and theirs (or an
/// admin's view), or one they applied to or work on, or open for
/// applications. Anything else is not found.
pub(super) async fn visible_task(
    app: &AppState,
    principal: &Principal,
    id: &str,
) -> Humans2AiResult<(TaskId, Task)> {
    let task_id: TaskId = ids::parse(id, "task", "task")?;
    let (task, _) = app
        .bus
        .load::<Task>(&commands::task_stream(task_id))
        .await?;
    let me = principal.actor_id;
    let visible = task.exists()
        && task.mode == principal.mode
        && (task.poster == Some(me)
            || principal.is_admin()
            || task.applications.iter().any(|a| a.applicant == me)
            || task.assignments.iter().any(|a| a.worker == me)
            || open_to_applicants(&task));
    if !visible {
        return Err(Humans2AiError::task_not_found());
    }
    Ok((task_id, task))
}

/// Whether anyone may see and apply to `task`: an apply-select task waiting
/// for its one person, or first-accept work (InstaHuman's, HumanPing's) with a
/// slot free, which an application takes at once. The marketplace list's
/// condition in `queries::humans2ai::tasks` says the same in SQL.
fn open_to_applicants(task: &Task) -> bool {
    match task.assignment_mode {
        AssignmentMode::ApplySelect => super::views::status_of(task) == "open",
        AssignmentMode::FirstAccept => task.status == TaskStatus::Open && task.open_slots() > 0,
    }
}

/// A task the caller posted (or an admin): another's visible task is 403,
/// an invisible one 404.
pub(super) async fn own_task(
    app: &AppState,
    principal: &Principal,
    id: &str,
    action: &str,
) -> Humans2AiResult<(TaskId, Task)> {
    let (task_id, task) = visible_task(app, principal, id).await?;
    if task.poster != Some(principal.actor_id) && !principal.is_admin() {
        return Err(Humans2AiError::Forbidden(format!(
            "Only the task's owner may {action}."
        )));
    }
    Ok((task_id, task))
}

pub async fn get_task(
    State(app): State<AppState>,
    caller: Caller,
    H2aPath(id): H2aPath<String>,
) -> Humans2AiResult<Json<Value>> {
    let principal = caller.require(Scope::TasksRead)?;
    let (_, task) = visible_task(&app, principal, &id).await?;
    let name = poster_name(&app, &task).await?;
    Ok(Json(success(task_json(&task, &name))))
}

pub(super) async fn poster_name(app: &AppState, task: &Task) -> Humans2AiResult<String> {
    let Some(poster) = task.poster else {
        return Ok(String::new());
    };
    let (actor, _) = app
        .bus
        .load::<Actor>(&commands::actor_stream(poster))
        .await?;
    Ok(actor.name)
}
