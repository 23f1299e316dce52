//! `/v1/tasks/{id}/messages`: a task's conversation among its poster, its
//! applicants and its workers (admins may read). Handlers translate; the
//! `Thread` aggregate and `thread::may_read` decide.

use super::{page_limit, parse_id};
use crate::bus::{commands, BusError, Executed};
use crate::http::auth::Principal;
use crate::http::errors::ApiResult;
use crate::http::extract::{ApiPath, ApiQuery, CommandMeta, CommandRequest};
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::messages::{self as message_queries, MessageView};
use crate::queries::{Page, PAGE_LIMIT_MAX};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::Utc;
use errand_aggregates::actor::Caller;
use errand_aggregates::ids::{MessageId, TaskId};
use errand_aggregates::task::Task;
use errand_aggregates::thread::{self, MessageBody};
use errand_aggregates::DomainError;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostMessageRequest {
    /// 1 to 2,000 characters, trimmed.
    pub body: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MessagesQuery {
    /// The `next` of the previous page.
    #[param(min_length = 1)]
    pub cursor: Option<String>,
    /// 1 to 100; default 50.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// The task, if the caller's mode may see it: another mode's task is not found.
fn visible(task: Task, principal: &Principal) -> Result<Task, DomainError> {
    if task.exists() && task.mode == principal.mode {
        Ok(task)
    } else {
        Err(DomainError::NotFound("task"))
    }
}

/// The task's messages, oldest first: to its poster, applicants and workers, and admins.
#[utoipa::path(get, path = "/v1/tasks/{id}/messages", tag = "messages",
    params(("id" = Uuid, Path, description = "Task id"), MessagesQuery),
    responses((status = 200, body = Page<MessageView>),
              (status = 403, description = "Not a participant of the task"),
              (status = 404, description = "No such task")),
    security(("bearer" = [])))]
pub async fn list_messages(
    State(app): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<MessagesQuery>,
) -> ApiResult<Json<Page<MessageView>>> {
    principal.require_scope("messages:read")?;
    let task_id: TaskId = parse_id(&id, "task")?;
    let limit = page_limit(query.limit, PAGE_LIMIT_MAX)?;
    Ok(Json(
        thread_page(&app, &principal, task_id, query.cursor.as_deref(), limit).await?,
    ))
}

/// Post a message in the task's chat (participants only).
#[utoipa::path(post, path = "/v1/tasks/{id}/messages", tag = "messages",
    params(("id" = Uuid, Path, description = "Task id")),
    request_body = PostMessageRequest,
    responses((status = 201, body = MessageView),
              (status = 403, description = "Not a participant of the task"),
              (status = 404, description = "No such task"),
              (status = 422, description = "Empty, or longer than 2,000 characters")),
    security(("bearer" = [])))]
pub async fn post_message(
    State(app): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
    request: CommandRequest<PostMessageRequest>,
) -> ApiResult<Response> {
    principal.require_scope("messages:write")?;
    let task_id: TaskId = parse_id(&id, "task")?;
    let executed = post(&app, &principal, task_id, &request.body.body, &request.meta).await?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

// What other dialects (Humans2AI's `/tasks/:id/messages`) call, after their own scope checks.

/// A page of `task_id`'s thread, oldest first, if the principal may read it:
/// 404 for a task it cannot see, 403 if it takes no part (and is no admin).
pub(crate) async fn thread_page(
    app: &AppState,
    principal: &Principal,
    task_id: TaskId,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> ApiResult<Page<MessageView>> {
    let (task, _) = app
        .bus
        .load::<Task>(&commands::task_stream(task_id))
        .await?;
    let task = visible(task, principal)?;
    let caller = Caller {
        actor: principal.actor_id,
        role: principal.role,
        standing: principal.standing,
    };
    thread::may_read(&task, &caller)?;
    let pool = app.read_models().await?;
    Ok(message_queries::of_task(pool, task_id, cursor, limit).await?)
}

/// Posts `text` on `task_id`'s thread as the principal (recorded with the request's
/// idempotency key and dry-run flag).
pub(crate) async fn post(
    app: &AppState,
    principal: &Principal,
    task_id: TaskId,
    text: &str,
    meta: &CommandMeta,
) -> ApiResult<Executed<MessageView>> {
    let body = MessageBody::parse(text)?;
    let message_id = MessageId(Uuid::now_v7());
    let context = meta.context(principal, "PostMessage", 201);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let task = unit.load::<Task>(&commands::task_stream(task_id)).await?;
        visible(task, principal).map_err(BusError::from)?;
        let by = commands::caller(unit, principal.actor_id).await?;
        let message =
            commands::post_message(unit, by, task_id, message_id, body.clone(), Utc::now()).await?;
        Ok(MessageView::from_event(&message))
    })?;
    Ok(executed)
}
