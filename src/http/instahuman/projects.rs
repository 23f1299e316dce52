//! `/projects`: an owner's projects (CRUD, archive, unarchive) and their
//! testers (list, add by email or id, flag, remove). The `Project`
//! aggregate decides everything; another owner's project is 404, as one
//! that does not exist (as jobs are). Lists are pages: projects newest
//! first, testers in the order they were added.

use super::cursor::{list_body, PageQuery, PageRequest};
use super::errors::{InstaHumanError, InstaHumanResult};
use super::extract::{Body, Caller, IhPath, IhQuery, Scope};
use super::owner::NoFields;
use super::views::time;
use crate::bus::{commands, Executed};
use crate::http::auth::Principal;
use crate::http::extract::CommandMeta;
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::micros_to_time;
use crate::queries::projects as project_queries;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{self, patch, post};
use axum::{Json, Router};
use chrono::Utc;
use errand_aggregates::actor::Email;
use errand_aggregates::ids::{ActorId, ProjectId, TaskId};
use errand_aggregates::instahuman::job_status;
use errand_aggregates::project::{
    self, FlagChanges, Project, ProjectAction, ProjectDescription, ProjectName, Tester, TesterFlags,
};
use errand_aggregates::task::TaskStatus;
use errand_projections::projects::{ProjectRow, TesterRow};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

/// How many of a project's jobs its page lists (its `jobCount` says how many
/// it holds, up to `project::JOBS_MAX`): the latest job list is `GET /api/jobs`.
pub const PROJECT_JOBS_SHOWN: u32 = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/projects",
            routing::get(list_projects).post(create_project),
        )
        .route(
            "/projects/{id}",
            routing::get(get_project)
                .patch(update_project)
                .delete(delete_project),
        )
        .route("/projects/{id}/archive", post(archive_project))
        .route("/projects/{id}/unarchive", post(unarchive_project))
        .route(
            "/projects/{id}/testers",
            routing::get(list_testers).post(add_tester),
        )
        .route(
            "/projects/{id}/testers/{tester_id}",
            patch(update_tester).delete(remove_tester),
        )
}

/// A project is named by its UUID; anything else names none.
pub(crate) fn project_id(id: &str) -> InstaHumanResult<ProjectId> {
    ProjectId::parse(id.trim()).ok_or_else(|| InstaHumanError::not_found("project"))
}

fn tester_id(id: &str) -> InstaHumanResult<ActorId> {
    ActorId::parse(id.trim()).ok_or_else(|| InstaHumanError::not_found("tester"))
}

/// A project as its owner sees it, from its state.
pub(crate) fn project_json(project: &Project) -> Value {
    json!({
        "id": project.id.map(|id| id.0),
        "name": project.name,
        "description": project.description,
        "status": project.status.as_str(),
        "testerCount": project.testers.len(),
        "jobCount": project.jobs.len(),
        "mode": project.mode.as_str(),
        "createdAt": project.created_at.map(time),
        "updatedAt": project.updated_at.map(time),
    })
}

fn project_row_json(row: &ProjectRow) -> Value {
    json!({
        "id": row.project_id,
        "name": row.name,
        "description": row.description,
        "status": row.status,
        "testerCount": row.tester_count,
        "jobCount": row.job_count,
        "mode": row.mode,
        "createdAt": micros_to_time(Some(row.created_at_us)).map(time),
        "updatedAt": micros_to_time(Some(row.updated_at_us)).map(time),
    })
}

fn flags_json(flags: TesterFlags) -> Value {
    json!({ "favorite": flags.favorite, "trusted": flags.trusted, "blocked": flags.blocked })
}

pub(crate) fn tester_json(tester: &Tester) -> Value {
    let mut json = json!({
        "id": tester.actor.0,
        "name": tester.name,
        "email": tester.email.as_ref().map(Email::as_str),
        "addedAt": time(tester.added_at),
    });
    merge(&mut json, flags_json(tester.flags));
    json
}

fn tester_row_json(row: &TesterRow) -> Value {
    let mut json = json!({
        "id": row.tester,
        "name": row.name,
        "email": row.email,
        "addedAt": micros_to_time(Some(row.added_at_us)).map(time),
    });
    let flags = TesterFlags {
        favorite: row.favorite,
        trusted: row.trusted,
        blocked: row.blocked,
    };
    merge(&mut json, flags_json(flags));
    json
}

fn merge(into: &mut Value, from: Value) {
    if let (Value::Object(into), Value::Object(from)) = (into, from) {
        into.extend(from);
    }
}

/// The caller's project `id`, folded from its stream; anyone else's is 404.
pub(crate) async fn own_project(
    app: &AppState,
    principal: &Principal,
    id: &str,
) -> InstaHumanResult<(ProjectId, Project)> {
    let project_id = project_id(id)?;
    let (state, _) = app
        .bus
        .load::<Project>(&commands::project_stream(project_id))
        .await?;
    project::may_read(&state, principal.actor_id, principal.mode)?;
    Ok((project_id, state))
}

/// What a project command answers: the project as it is after, or (for a
/// deletion) that it is gone.
type Reply = fn(ProjectId, &Project) -> Value;

fn project_reply(_: ProjectId, project: &Project) -> Value {
    project_json(project)
}

fn deleted_reply(project_id: ProjectId, _: &Project) -> Value {
    json!({ "id": project_id.0, "deleted": true })
}

/// Who acts on projects in this unit: the caller, loaded as they stand now.
async fn acting(
    unit: &mut crate::bus::UnitOfWork<'_>,
    principal: &Principal,
) -> Result<commands::ProjectActor, crate::bus::BusError> {
    Ok(commands::ProjectActor {
        by: commands::caller(unit, principal.actor_id).await?,
        mode: principal.mode,
        at: Utc::now(),
    })
}

/// Runs one project command for the caller (REST and MCP).
async fn act(
    app: &AppState,
    principal: &Principal,
    context: crate::bus::CommandContext,
    project_id: ProjectId,
    action: ProjectAction,
    reply: Reply,
) -> InstaHumanResult<Executed<Value>> {
    let executed = crate::execute!(app.bus, &context, |unit| {
        let acting = acting(unit, principal).await?;
        let project = commands::on_project(unit, acting, project_id, action.clone()).await?;
        Ok(reply(project_id, &project))
    })?;
    Ok(executed)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateProjectRequest {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

pub async fn create_project(
    State(app): State<AppState>,
    caller: Caller,
    request: Body<CreateProjectRequest>,
) -> InstaHumanResult<Response> {
    let executed = create(&app, &caller, request).await?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

/// Creates a project (REST and MCP `create_project`).
pub(crate) async fn create(
    app: &AppState,
    caller: &Caller,
    request: Body<CreateProjectRequest>,
) -> InstaHumanResult<Executed<Value>> {
    let principal = caller.require(Scope::Write)?;
    let action = ProjectAction::Create {
        project_id: ProjectId(Uuid::now_v7()),
        name: ProjectName::parse(&request.body.name)?,
        description: ProjectDescription::parse(&request.body.description)?,
    };
    let ProjectAction::Create { project_id, .. } = &action else {
        return Err(InstaHumanError::bad_request("not a project to create"));
    };
    let context = request.meta.context(principal, "CreateProject", 201);
    act(app, principal, context, *project_id, action, project_reply).await
}

pub async fn list_projects(
    State(app): State<AppState>,
    caller: Caller,
    IhQuery(query): IhQuery<PageQuery>,
) -> InstaHumanResult<Json<Value>> {
    Ok(Json(list(&app, &caller, &query).await?))
}

/// A page of the caller's projects, newest first (REST and MCP `list_projects`).
pub(crate) async fn list(
    app: &AppState,
    caller: &Caller,
    query: &PageQuery,
) -> InstaHumanResult<Value> {
    let principal = caller.require(Scope::Read)?;
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, |key| {
        ProjectId::parse(key).is_some()
    })?;
    let before = page.after.as_deref().and_then(ProjectId::parse);
    let pool = app.read_models().await?;
    let rows = project_queries::list(
        pool,
        principal.actor_id,
        principal.mode,
        before,
        page.fetch_limit(),
    )
    .await?;
    let (rows, next) = page.page(rows, |row| row.project_id.clone());
    Ok(list_body(rows.iter().map(project_row_json).collect(), next))
}

pub async fn get_project(
    State(app): State<AppState>,
    caller: Caller,
    IhPath(id): IhPath<String>,
) -> InstaHumanResult<Json<Value>> {
    Ok(Json(get(&app, &caller, &id).await?))
}

/// One project with its jobs (REST and MCP `get_project`).
pub(crate) async fn get(app: &AppState, caller: &Caller, id: &str) -> InstaHumanResult<Value> {
    let principal = caller.require(Scope::Read)?;
    let (project_id, project) = own_project(app, principal, id).await?;
    let pool = app.read_models().await?;
    let jobs = project_queries::jobs(pool, project_id, PROJECT_JOBS_SHOWN).await?;
    let mut json = project_json(&project);
    json["jobs"] = jobs
        .iter()
        .map(|job| {
            json!({
                "id": job.job_id,
                "title": job.title,
                "status": TaskStatus::parse(&job.status)
                    .map(|status| job_status(status, job.disputed)),
                "addedAt": micros_to_time(Some(job.added_at_us)).map(time),
            })
        })
        .collect();
    Ok(json)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateProjectRequest {
    pub name: Option<String>,
    pub description: Option<String>,
}

pub async fn update_project(
    State(app): State<AppState>,
    caller: Caller,
    IhPath(id): IhPath<String>,
    request: Body<UpdateProjectRequest>,
) -> InstaHumanResult<Response> {
    let executed = update(&app, &caller, &id, request).await?;
    Ok(respond::executed(executed, StatusCode::OK))
}

/// Changes a project's name or description (REST and MCP `update_project`).
pub(crate) async fn update(
    app: &AppState,
    caller: &Caller,
    id: &str,
    request: Body<UpdateProjectRequest>,
) -> InstaHumanResult<Executed<Value>> {
    let principal = caller.require(Scope::Write)?;
    let project_id = project_id(id)?;
    let body = &request.body;
    let action = ProjectAction::Update {
        name: body.name.as_deref().map(ProjectName::parse).transpose()?,
        description: body
            .description
            .as_deref()
            .map(ProjectDescription::parse)
            .transpose()?,
    };
    let context = request.meta.context(principal, "UpdateProject", 200);
    act(app, principal, context, project_id, action, project_reply).await
}

/// Archives, unarchives or deletes a project (REST and MCP). A deletion
/// answers `{"id", "deleted": true}`.
pub(crate) async fn transition(
    app: &AppState,
    caller: &Caller,
    id: &str,
    meta: CommandMeta,
    action: ProjectAction,
) -> InstaHumanResult<Executed<Value>> {
    let principal = caller.require(Scope::Write)?;
    let project_id = project_id(id)?;
    let (command, reply): (&'static str, Reply) = match action {
        ProjectAction::Archive => ("ArchiveProject", project_reply),
        ProjectAction::Unarchive => ("UnarchiveProject", project_reply),
        ProjectAction::Delete => ("DeleteProject", deleted_reply),
        _ => return Err(InstaHumanError::bad_request("not a project transition")),
    };
    let context = meta.context(principal, command, 200);
    act(app, principal, context, project_id, action, reply).await
}

async fn respond_transition(
    app: AppState,
    caller: Caller,
    id: String,
    request: Body<NoFields>,
    action: ProjectAction,
) -> InstaHumanResult<Response> {
    let executed = transition(&app, &caller, &id, request.meta, action).await?;
    Ok(respond::executed(executed, StatusCode::OK))
}

pub async fn archive_project(
    State(app): State<AppState>,
    caller: Caller,
    IhPath(id): IhPath<String>,
    request: Body<NoFields>,
) -> InstaHumanResult<Response> {
    respond_transition(app, caller, id, request, ProjectAction::Archive).await
}

pub async fn unarchive_project(
    State(app): State<AppState>,
    caller: Caller,
    IhPath(id): IhPath<String>,
    request: Body<NoFields>,
) -> InstaHumanResult<Response> {
    respond_transition(app, caller, id, request, ProjectAction::Unarchive).await
}

pub async fn delete_project(
    State(app): State<AppState>,
    caller: Caller,
    IhPath(id): IhPath<String>,
    request: Body<NoFields>,
) -> InstaHumanResult<Response> {
    respond_transition(app, caller, id, request, ProjectAction::Delete).await
}

// Testers

pub async fn list_testers(
    State(app): State<AppState>,
    caller: Caller,
    IhPath(id): IhPath<String>,
    IhQuery(query): IhQuery<PageQuery>,
) -> InstaHumanResult<Json<Value>> {
    Ok(Json(testers(&app, &caller, &id, &query).await?))
}

/// A page of a project's testers, in the order they were added (REST and
/// MCP `list_project_testers`).
pub(crate) async fn testers(
    app: &AppState,
    caller: &Caller,
    id: &str,
    query: &PageQuery,
) -> InstaHumanResult<Value> {
    let principal = caller.require(Scope::Read)?;
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, |key| {
        key.parse::<i64>().is_ok_and(|position| position > 0)
    })?;
    let (project_id, _) = own_project(app, principal, id).await?;
    let after = page
        .after
        .as_deref()
        .and_then(|key| key.parse::<i64>().ok())
        .unwrap_or(0);
    let pool = app.read_models().await?;
    let rows = project_queries::testers(pool, project_id, after, page.fetch_limit()).await?;
    let (rows, next) = page.page(rows, |row| row.position.to_string());
    Ok(list_body(rows.iter().map(tester_row_json).collect(), next))
}

/// A tester is named by the email address they registered with, or by
/// their id (`testerId`, the person's id on the ledger): one of the two.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AddTesterRequest {
    pub email: Option<String>,
    pub tester_id: Option<String>,
    #[serde(default)]
    pub favorite: bool,
    #[serde(default)]
    pub trusted: bool,
    #[serde(default)]
    pub blocked: bool,
}

pub async fn add_tester(
    State(app): State<AppState>,
    caller: Caller,
    IhPath(id): IhPath<String>,
    request: Body<AddTesterRequest>,
) -> InstaHumanResult<Response> {
    let executed = add(&app, &caller, &id, request).await?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

/// Adds a tester (REST and MCP `add_project_tester`): the tester as added.
pub(crate) async fn add(
    app: &AppState,
    caller: &Caller,
    id: &str,
    request: Body<AddTesterRequest>,
) -> InstaHumanResult<Executed<Value>> {
    let principal = caller.require(Scope::Write)?;
    let project_id = project_id(id)?;
    let body = &request.body;
    let name = match (&body.email, &body.tester_id) {
        (Some(email), None) => commands::TesterName::Email(Email::parse(email)?),
        (None, Some(tester)) => commands::TesterName::Actor(
            ActorId::parse(tester.trim())
                .ok_or_else(|| InstaHumanError::bad_request("testerId is not a tester id"))?,
        ),
        _ => {
            return Err(InstaHumanError::bad_request(
                "name the tester by email or by testerId (one of the two)",
            ))
        }
    };
    let flags = TesterFlags {
        favorite: body.favorite,
        trusted: body.trusted,
        blocked: body.blocked,
    };
    let context = request.meta.context(principal, "AddProjectTester", 201);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let acting = acting(unit, principal).await?;
        let project =
            commands::add_project_tester(unit, acting, project_id, name.clone(), flags).await?;
        let added = match &name {
            commands::TesterName::Actor(actor) => project.testers.get(actor),
            commands::TesterName::Email(email) => project
                .testers
                .values()
                .find(|t| t.email.as_ref() == Some(email)),
        };
        Ok(added.map(tester_json).unwrap_or(Value::Null))
    })?;
    Ok(executed)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateTesterRequest {
    pub favorite: Option<bool>,
    pub trusted: Option<bool>,
    pub blocked: Option<bool>,
}

pub async fn update_tester(
    State(app): State<AppState>,
    caller: Caller,
    IhPath((id, tester)): IhPath<(String, String)>,
    request: Body<UpdateTesterRequest>,
) -> InstaHumanResult<Response> {
    let executed = flag(&app, &caller, &id, &tester, request).await?;
    Ok(respond::executed(executed, StatusCode::OK))
}

/// Changes a tester's flags (REST and MCP `update_project_tester`): the
/// tester as it is after.
pub(crate) async fn flag(
    app: &AppState,
    caller: &Caller,
    id: &str,
    tester: &str,
    request: Body<UpdateTesterRequest>,
) -> InstaHumanResult<Executed<Value>> {
    let principal = caller.require(Scope::Write)?;
    let (project_id, tester) = (project_id(id)?, tester_id(tester)?);
    let body = &request.body;
    let action = ProjectAction::UpdateTester {
        tester,
        changes: FlagChanges {
            favorite: body.favorite,
            trusted: body.trusted,
            blocked: body.blocked,
        },
    };
    let context = request.meta.context(principal, "UpdateProjectTester", 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let acting = acting(unit, principal).await?;
        let project = commands::on_project(unit, acting, project_id, action.clone()).await?;
        Ok(project
            .testers
            .get(&tester)
            .map(tester_json)
            .unwrap_or(Value::Null))
    })?;
    Ok(executed)
}

pub async fn remove_tester(
    State(app): State<AppState>,
    caller: Caller,
    IhPath((id, tester)): IhPath<(String, String)>,
    request: Body<NoFields>,
) -> InstaHumanResult<Response> {
    let executed = remove(&app, &caller, &id, &tester, request.meta).await?;
    Ok(respond::executed(executed, StatusCode::OK))
}

/// Removes a tester (REST and MCP `remove_project_tester`).
pub(crate) async fn remove(
    app: &AppState,
    caller: &Caller,
    id: &str,
    tester: &str,
    meta: CommandMeta,
) -> InstaHumanResult<Executed<Value>> {
    let principal = caller.require(Scope::Write)?;
    let (project_id, tester) = (project_id(id)?, tester_id(tester)?);
    let action = ProjectAction::RemoveTester { tester };
    let context = meta.context(principal, "RemoveProjectTester", 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let acting = acting(unit, principal).await?;
        commands::on_project(unit, acting, project_id, action.clone()).await?;
        Ok(json!({ "id": tester.0, "removed": true }))
    })?;
    Ok(executed)
}

// Jobs in projects

/// Puts the caller's job `job_id` in the project `project_id`, or with
/// `None` in no project (MCP `assign_job_to_project`; REST does it at job
/// creation, `projectId`): `{"jobId", "projectId"}` as it is after. Another
/// owner's job or project is not found.
pub async fn assign_job(
    app: &AppState,
    caller: &Caller,
    job_id: &str,
    project: Option<&str>,
    meta: CommandMeta,
) -> InstaHumanResult<Executed<Value>> {
    let principal = caller.require(Scope::Write)?;
    let job = TaskId::parse(job_id.trim()).ok_or_else(|| InstaHumanError::not_found("job"))?;
    let project = project.map(project_id).transpose()?;
    let context = meta.context(principal, "AssignJobToProject", 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let acting = acting(unit, principal).await?;
        let link = commands::assign_job_to_project(unit, acting, job, project).await?;
        Ok(json!({ "jobId": job.0, "projectId": link.project.map(|p| p.0) }))
    })?;
    Ok(executed)
}
