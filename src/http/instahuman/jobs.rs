//! `/jobs`: create a job (its escrow held in the same append), list the
//! owner's jobs, read one. A job is a ledger `Task`: first come, first
//! served (`AssignmentMode::FirstAccept`), one slot per tester, the reward
//! per tester per slot, `Config::instahuman_fee`; testers take it through
//! the APIs people use (native `/v1`, HumanPing's worker feed).

use super::cursor::{list_body, PageQuery, PageRequest};
use super::errors::{InstaHumanError, InstaHumanResult};
use super::extract::{Body, Caller, IhPath, IhQuery, Scope};
use super::views::{dollars, job_json, time};
use crate::bus::{commands, Executed};
use crate::http::auth::Principal;
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::instahuman::jobs::{self as job_queries, JobRow};
use crate::queries::micros_to_time;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use errand_aggregates::ids::{HoldId, ProjectId, TaskId};
use errand_aggregates::instahuman::catalog::{FilterChoice, Requirements};
use errand_aggregates::instahuman::job_status;
use errand_aggregates::money::{Currency, Money};
use errand_aggregates::project::{JobLink, Project};
use errand_aggregates::task::{AssignmentMode, NewTask, Task, TaskCommand, TaskStatus};
use serde::{Deserialize, Serialize};
use serde_json::{json, Number, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

/// What `details.dialect` says of a job's task.
pub const DIALECT: &str = "instahuman";
/// A project id is a UUID; anything much longer is not one.
const PROJECT_ID_MAX_CHARS: usize = 64;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/jobs", get(list_jobs).post(create_job))
        .route("/jobs/{id}", get(get_job))
}

/// Dollars as a JSON number (`12.5`) or a decimal string (`"12.50"`),
/// parsed exactly: sub-cent amounts are refused, never rounded.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Dollars {
    Number(Number),
    Text(String),
}

impl Dollars {
    /// A positive amount (a reward, credits).
    pub fn to_money(&self, field: &str) -> InstaHumanResult<Money> {
        let money = self.to_amount(field)?;
        if money.cents <= 0 {
            return Err(InstaHumanError::bad_request(format!(
                "{field} must be greater than 0"
            )));
        }
        Ok(money)
    }

    /// An amount that may be zero (a threshold).
    pub fn to_amount(&self, field: &str) -> InstaHumanResult<Money> {
        let text = match self {
            Dollars::Number(number) => number.to_string(),
            Dollars::Text(text) => text.trim().to_owned(),
        };
        Money::parse_major(&text, Currency::USD)
            .map_err(|error| InstaHumanError::bad_request(format!("{field}: {error}")))
    }
}

/// What a job asks of one participant filter: `{"min", "max"}` for a range
/// (age), a list of option ids for a choice (country).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FilterInput {
    Range { min: i64, max: i64 },
    Options(Vec<String>),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateJobRequest {
    pub title: String,
    /// What testers are to do and report.
    pub instructions: String,
    /// A category id of `GET /api/categories`.
    pub category: String,
    /// How many testers: one slot each.
    pub tester_count: u32,
    /// Dollars per tester, before the platform fee.
    pub reward_per_tester: Dollars,
    /// By filter id of `GET /api/filters`.
    #[serde(default)]
    pub participant_filters: BTreeMap<String, FilterInput>,
    /// Device ids of `GET /api/equipment`.
    #[serde(default)]
    pub equipment: Vec<String>,
    /// Interest ids of `GET /api/interests`.
    #[serde(default)]
    pub interests: Vec<String>,
    pub project_id: Option<String>,
}

pub async fn create_job(
    State(app): State<AppState>,
    caller: Caller,
    request: Body<CreateJobRequest>,
) -> InstaHumanResult<Response> {
    let executed = create(&app, &caller, request).await?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

/// Checks the job against the catalog, then posts its task with the escrow
/// hold in the same append (the REST handler's and the MCP tool's work):
/// the job as created.
pub(crate) async fn create(
    app: &AppState,
    caller: &Caller,
    request: Body<CreateJobRequest>,
) -> InstaHumanResult<Executed<Value>> {
    let principal = caller.require(Scope::Write)?.clone();
    let body = request.body;
    let reward = body.reward_per_tester.to_money("rewardPerTester")?;
    let project_id = body.project_id.as_deref().map(project_id).transpose()?;
    let requirements = app.config.instahuman_catalog.check(Requirements {
        category: body.category.trim().to_owned(),
        filters: body
            .participant_filters
            .into_iter()
            .map(|(id, choice)| {
                let choice = match choice {
                    FilterInput::Range { min, max } => FilterChoice::Range { min, max },
                    FilterInput::Options(options) => FilterChoice::Options(options),
                };
                (id, choice)
            })
            .collect(),
        equipment: body.equipment,
        interests: body.interests,
    })?;
    let task_id = TaskId(Uuid::now_v7());
    let new_task = Box::new(NewTask {
        task_id,
        hold_id: HoldId(Uuid::now_v7()),
        mode: principal.mode,
        title: body.title,
        description: body.instructions,
        kind: requirements.category,
        details: json!({
            "dialect": DIALECT,
            "participantFilters": requirements.filters,
            "equipment": requirements.equipment,
            "interests": requirements.interests,
        }),
        reward,
        slots: body.tester_count,
        assignment: AssignmentMode::FirstAccept,
        fee: app.config.instahuman_fee,
        deadline: None,
        assignment_time_limit_s: None,
        review_window_s: None,
    });
    let context = request.meta.context(&principal, "CreateJob", 201);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let command = TaskCommand::Post {
            task: new_task.clone(),
            by,
            at: Utc::now(),
        };
        let task = commands::on_task(unit, task_id, &command).await?;
        // In the project's job list in the same append (or not created at all).
        let project = match project_id {
            Some(project) => {
                let acting = commands::ProjectActor {
                    by,
                    mode: principal.mode,
                    at: Utc::now(),
                };
                commands::assign_job_to_project(unit, acting, task_id, Some(project))
                    .await?
                    .project
            }
            None => None,
        };
        Ok(job_json(&task, project))
    })?;
    Ok(executed)
}

/// A project is named by its UUID.
fn project_id(text: &str) -> InstaHumanResult<ProjectId> {
    let text = text.trim();
    if text.len() > PROJECT_ID_MAX_CHARS {
        return Err(InstaHumanError::bad_request(
            "projectId is not a project id",
        ));
    }
    ProjectId::parse(text)
        .ok_or_else(|| InstaHumanError::bad_request("projectId is not a project id"))
}

/// The owner's jobs, newest first, a page at a time.
pub async fn list_jobs(
    State(app): State<AppState>,
    caller: Caller,
    IhQuery(query): IhQuery<PageQuery>,
) -> InstaHumanResult<Json<Value>> {
    Ok(Json(list(&app, &caller, &query).await?))
}

/// A page of the caller's jobs (REST and MCP).
pub(crate) async fn list(
    app: &AppState,
    caller: &Caller,
    query: &PageQuery,
) -> InstaHumanResult<Value> {
    let principal = caller.require(Scope::Read)?;
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, |key| {
        Uuid::parse_str(key).is_ok()
    })?;
    let pool = app.read_models().await?;
    let rows = job_queries::list(
        pool,
        principal.actor_id,
        principal.mode,
        page.after.as_deref(),
        page.fetch_limit(),
    )
    .await?;
    let (rows, next) = page.page(rows, |row| row.task_id.clone());
    Ok(list_body(rows.iter().map(summary_json).collect(), next))
}

/// A job of a list, from its row: what the list needs to pick one to open.
fn summary_json(row: &JobRow) -> Value {
    let status = TaskStatus::parse(&row.status)
        .map(|status| job_status(status, row.disputed))
        .unwrap_or("cancelled");
    let open = match row.status.as_str() {
        "open" | "paused" => row.open_slots(),
        _ => 0,
    };
    json!({
        "id": row.task_id,
        "title": row.title,
        "category": row.category,
        "status": status,
        "testerCount": row.slots,
        "rewardPerTester": dollars(row.reward_cents),
        "projectId": row.project_id,
        "escrow": {
            "held": dollars(row.escrow_cents),
            "paid": dollars(row.paid_cents),
            "released": dollars(row.released_cents),
        },
        "progress": {
            "slots": row.slots,
            "open": open,
            "inProgress": row.working,
            "finished": row.awaiting_review + row.approved,
            "approved": row.approved,
            "disputed": row.disputed,
        },
        "createdAt": micros_to_time(Some(row.posted_at_us)).map(time),
        "updatedAt": micros_to_time(Some(row.updated_at_us)).map(time),
    })
}

pub async fn get_job(
    State(app): State<AppState>,
    caller: Caller,
    IhPath(id): IhPath<String>,
) -> InstaHumanResult<Json<Value>> {
    Ok(Json(read(&app, &caller, &id).await?))
}

/// One job with its progress, feedback and settlement (REST and MCP).
pub(crate) async fn read(app: &AppState, caller: &Caller, id: &str) -> InstaHumanResult<Value> {
    let principal = caller.require(Scope::Read)?;
    let (task_id, task) = own_job(app, principal, id).await?;
    let project = job_project(app, task_id).await?;
    Ok(job_json(&task, project))
}

/// The project job `task_id` is in, as of now (none if it was deleted).
pub(crate) async fn job_project(
    app: &AppState,
    task_id: TaskId,
) -> InstaHumanResult<Option<ProjectId>> {
    let (link, _) = app
        .bus
        .load::<JobLink>(&commands::job_link_stream(task_id))
        .await?;
    let Some(project) = link.project else {
        return Ok(None);
    };
    let (state, _) = app
        .bus
        .load::<Project>(&commands::project_stream(project))
        .await?;
    Ok(state.exists().then_some(project))
}

/// The caller's job `id`, folded from its stream. Another owner's job, a
/// task that is not an InstaHuman job, one of the other mode, or an id
/// that names nothing are all 404, so ids reveal nothing (admins see every
/// job of their mode).
pub(crate) async fn own_job(
    app: &AppState,
    principal: &Principal,
    id: &str,
) -> InstaHumanResult<(TaskId, Task)> {
    let task_id = Uuid::parse_str(id.trim())
        .map(TaskId)
        .map_err(|_| InstaHumanError::not_found("job"))?;
    let (task, _) = app
        .bus
        .load::<Task>(&commands::task_stream(task_id))
        .await?;
    let is_job = task.details.get("dialect").and_then(Value::as_str) == Some(DIALECT);
    let visible = task.exists()
        && is_job
        && task.mode == principal.mode
        && (task.poster == Some(principal.actor_id) || principal.is_admin());
    if !visible {
        return Err(InstaHumanError::not_found("job"));
    }
    Ok((task_id, task))
}
