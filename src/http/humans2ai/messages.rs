//! `GET|POST /tasks/:id/messages`: a task's chat, for its participants (the
//! poster, applicants and the people chosen). Who takes part is the `Thread`
//! aggregate's rule; the native thread is the same one.

use super::errors::Humans2AiResult;
use super::extract::{Body, Caller, H2aPath, H2aQuery, Scope};
use super::ids;
use super::tasks::visible_task;
use super::views::{success, time};
use crate::bus::{commands, Executed};
use crate::http::auth::Principal;
use crate::http::extract::CommandMeta;
use crate::http::native::messages::thread_page;
use crate::http::native::page_limit;
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::messages::MessageView;
use crate::queries::PAGE_LIMIT_MAX;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::Utc;
use errand_aggregates::ids::MessageId;
use errand_aggregates::thread::MessageBody;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessagesQuery {
    /// The `next` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 100; default 50.
    pub limit: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendMessageRequest {
    /// 1 to 2,000 characters.
    #[serde(alias = "message", alias = "content")]
    pub text: String,
}

/// A message in Humans2AI's shape.
pub fn message_json(message: &MessageView) -> Value {
    json!({
        "id": ids::format("msg", message.id),
        "taskId": ids::format("task", message.task_id),
        "senderId": ids::format("user", message.sender_id),
        "senderRole": message.sender_role,
        "text": message.body,
        "createdAt": message.sent_at.map(time),
    })
}

pub async fn list_messages(
    State(app): State<AppState>,
    caller: Caller,
    H2aPath(id): H2aPath<String>,
    H2aQuery(query): H2aQuery<MessagesQuery>,
) -> Humans2AiResult<Json<Value>> {
    let principal = caller.require(Scope::MessagesRead)?;
    let (task_id, _) = visible_task(&app, principal, &id).await?;
    let limit = page_limit(query.limit, PAGE_LIMIT_MAX)?;
    let page = thread_page(&app, principal, task_id, query.cursor.as_deref(), limit).await?;
    let messages: Vec<Value> = page.data.iter().map(message_json).collect();
    Ok(Json(success(json!({
        "messages": messages,
        "next": page.next,
    }))))
}

pub async fn send_message(
    State(app): State<AppState>,
    caller: Caller,
    H2aPath(id): H2aPath<String>,
    request: Body<SendMessageRequest>,
) -> Humans2AiResult<Response> {
    let principal = caller.require(Scope::MessagesWrite)?;
    let executed = send(&app, principal, &id, &request.body.text, &request.meta).await?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

/// Posts `text` on the thread of task `id` (as Humans2AI names it) for the
/// principal, whose scope the caller checked; the reply, recorded for
/// idempotent replays, is Humans2AI's. Shared by the REST route and MCP.
pub(crate) async fn send(
    app: &AppState,
    principal: &Principal,
    id: &str,
    text: &str,
    meta: &CommandMeta,
) -> Humans2AiResult<Executed<Value>> {
    let (task_id, _) = visible_task(app, principal, id).await?;
    let body = MessageBody::parse(text)?;
    let message_id = MessageId(Uuid::now_v7());
    let context = meta.context(principal, "PostMessage", 201);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let message =
            commands::post_message(unit, by, task_id, message_id, body.clone(), Utc::now()).await?;
        Ok(success(message_json(&MessageView::from_event(&message))))
    })?;
    Ok(executed)
}
