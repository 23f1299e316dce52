//! Messaging: `POST /messages-send`, `GET /messages-list`,
//! `POST /messages-read`, `POST /messages-read-all`. A Humai channel is the
//! conversation about one piece of work: `channel_id` is its id, and the
//! channel is that work's `Thread` (`thread-<id>`), the same one every API
//! posts on. Who takes part, and who may read, is the `Thread`'s rule
//! (`thread::participation`, `thread::may_read`); a message's read mark is
//! the recipient's `message_received` notification marked in their `Inbox`.

use super::errors::{HumaiError, HumaiResult};
use super::extract::{Body, Caller, HumaiQuery};
use super::views::time;
use crate::bus::commands;
use crate::http::auth::Principal;
use crate::http::native::page_limit;
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::humai::channels::{self, ChannelMessage, DEFAULT_LIMIT};
use crate::queries::messages::MessageView;
use crate::queries::PAGE_LIMIT_MAX;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use errand_aggregates::actor::Caller as DomainCaller;
use errand_aggregates::ids::{MessageId, TaskId};
use errand_aggregates::inbox::{notification_id, InboxCommand, NOTIFICATION_IDS_PER_MARK_MAX};
use errand_aggregates::task::Task;
use errand_aggregates::thread::{self, MessageBody};
use errand_projections::messages::MessageRow;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/messages-send", post(send))
        .route("/messages-list", get(list))
        .route("/messages-read", post(read))
        .route("/messages-read-all", post(read_all))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    pub channel_id: String,
    /// 1 to 2,000 characters, trimmed.
    pub body: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub channel_id: String,
    /// 1 to 100; the seed's default 50.
    pub limit: Option<i64>,
    /// Only messages sent before this instant (RFC 3339): the `next_before` of the previous page.
    pub before: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadRequest {
    pub message_id: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadAllRequest {
    pub channel_id: String,
}

fn channel_id(text: &str) -> HumaiResult<TaskId> {
    TaskId::parse(text.trim()).ok_or_else(|| HumaiError::validation("channel_id must be a UUID"))
}

fn domain_caller(principal: &Principal) -> DomainCaller {
    DomainCaller {
        actor: principal.actor_id,
        role: principal.role,
        standing: principal.standing,
    }
}

/// The channel, if the principal may read it: one of another mode, or none,
/// is not found; one the caller takes no part in is forbidden.
async fn readable(app: &AppState, principal: &Principal, channel: TaskId) -> HumaiResult<()> {
    let (task, _) = app
        .bus
        .load::<Task>(&commands::task_stream(channel))
        .await?;
    if !task.exists() || task.mode != principal.mode {
        return Err(HumaiError::not_found("channel"));
    }
    thread::may_read(&task, &domain_caller(principal))?;
    Ok(())
}

fn message_json(message: &MessageView) -> Value {
    json!({
        "id": message.id,
        "channel_id": message.task_id,
        "sender_id": message.sender_id,
        "sender_role": message.sender_role,
        "body": message.body,
        "created_at": message.sent_at.map(time),
    })
}

fn listed_json(message: &ChannelMessage) -> Value {
    let row: &MessageRow = &message.row;
    json!({
        "id": row.message_id,
        "channel_id": row.task_id,
        "sender_id": row.sender,
        "sender_role": row.participation,
        "body": row.body,
        "read": message.read,
        "created_at": DateTime::from_timestamp_micros(row.sent_at_us).map(time),
    })
}

async fn send(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<SendRequest>,
) -> HumaiResult<Response> {
    let channel = channel_id(&request.body.channel_id)?;
    let body = MessageBody::parse(&request.body.body)?;
    let message_id = MessageId(Uuid::now_v7());
    let context = request.meta.context(&principal, "PostMessage", 201);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let task = unit.load::<Task>(&commands::task_stream(channel)).await?;
        if !task.exists() || task.mode != principal.mode {
            return Err(errand_aggregates::DomainError::NotFound("channel").into());
        }
        let by = commands::caller(unit, principal.actor_id).await?;
        let message =
            commands::post_message(unit, by, channel, message_id, body.clone(), Utc::now()).await?;
        Ok(message_json(&MessageView::from_event(&message)))
    })?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

async fn list(
    State(app): State<AppState>,
    Caller(principal): Caller,
    HumaiQuery(query): HumaiQuery<ListQuery>,
) -> HumaiResult<Json<Value>> {
    let channel = channel_id(&query.channel_id)?;
    let limit = page_limit(query.limit, PAGE_LIMIT_MAX)?.unwrap_or(DEFAULT_LIMIT);
    let before_us = query
        .before
        .as_deref()
        .map(|text| {
            DateTime::parse_from_rfc3339(text.trim())
                .map(|at| at.with_timezone(&Utc).timestamp_micros())
                .map_err(|_| HumaiError::validation("before must be an ISO 8601 timestamp"))
        })
        .transpose()?;
    readable(&app, &principal, channel).await?;
    let pool = app.read_models().await?;
    let (messages, more) = channels::page(
        pool,
        channel,
        principal.actor_id,
        principal.mode,
        before_us,
        limit,
    )
    .await?;
    // The oldest message's instant, precise to the microsecond, pages on.
    let next_before = more
        .then(|| messages.last())
        .flatten()
        .and_then(|oldest| DateTime::from_timestamp_micros(oldest.row.sent_at_us))
        .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
    let listed: Vec<Value> = messages.iter().map(listed_json).collect();
    Ok(Json(json!({
        "messages": listed,
        "has_more": more,
        "next_before": next_before,
    })))
}

async fn read(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<ReadRequest>,
) -> HumaiResult<Response> {
    let message_id = Uuid::parse_str(request.body.message_id.trim())
        .map_err(|_| HumaiError::validation("message_id must be a UUID"))?;
    let pool = app.read_models().await?;
    let message = channels::message(pool, message_id)
        .await?
        .ok_or_else(|| HumaiError::not_found("message"))?;
    let channel = TaskId::parse(&message.task_id).ok_or_else(|| {
        HumaiError::Internal(anyhow::anyhow!("message {message_id} names no task"))
    })?;
    // A message in a channel the caller may not read is not theirs to see at all.
    readable(&app, &principal, channel)
        .await
        .map_err(|error| match error {
            HumaiError::Forbidden(_) => HumaiError::not_found("message"),
            other => other,
        })?;
    let command = InboxCommand::MarkRead {
        reader: principal.actor_id,
        mode: principal.mode,
        ids: vec![notification_id(message.position, principal.actor_id)],
        at: Utc::now(),
    };
    let context = request.meta.context(&principal, "MarkMessageRead", 200);
    let reply = json!({ "message_id": message_id, "read": true });
    let executed = crate::execute!(app.bus, &context, |unit| {
        commands::mark_notifications_read(unit, command.clone()).await?;
        Ok(reply.clone())
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}

async fn read_all(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<ReadAllRequest>,
) -> HumaiResult<Response> {
    let channel = channel_id(&request.body.channel_id)?;
    readable(&app, &principal, channel).await?;
    let pool = app.read_models().await?;
    let unread = channels::unread(pool, channel, principal.actor_id, principal.mode).await?;
    let at = Utc::now();
    // The inbox takes a page of ids per mark; a long unread thread is several marks in one append.
    let marks: Vec<InboxCommand> = unread
        .chunks(NOTIFICATION_IDS_PER_MARK_MAX)
        .map(|ids| InboxCommand::MarkRead {
            reader: principal.actor_id,
            mode: principal.mode,
            ids: ids.to_vec(),
            at,
        })
        .collect();
    let context = request.meta.context(&principal, "MarkChannelRead", 200);
    let reply = json!({ "channel_id": channel, "marked": unread.len() });
    let executed = crate::execute!(app.bus, &context, |unit| {
        for mark in &marks {
            commands::mark_notifications_read(unit, mark.clone()).await?;
        }
        Ok(reply.clone())
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}
