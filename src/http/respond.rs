//! Turning what the bus did into a response: the reply with its journal
//! position, a recorded reply replayed verbatim, or a dry run's plan.

use crate::bus::{Executed, PlannedEvent};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

const POSITION_HEADER: HeaderName = HeaderName::from_static("errand-position");
const REPLAYED_HEADER: HeaderName = HeaderName::from_static("idempotent-replayed");

pub fn executed<R: Serialize>(executed: Executed<R>, status: StatusCode) -> Response {
    match executed {
        Executed::Done {
            reply,
            last_position,
        } => {
            let body = with_position(
                serde_json::to_value(reply).unwrap_or(Value::Null),
                last_position,
            );
            with_header(
                (status, axum::Json(body)).into_response(),
                POSITION_HEADER,
                last_position,
            )
        }
        Executed::Replayed(stored) => {
            let body = serde_json::from_str(&stored.body).unwrap_or(Value::Null);
            let body = with_position(body, stored.last_position);
            let status = StatusCode::from_u16(stored.status).unwrap_or(status);
            let response = with_header(
                (status, axum::Json(body)).into_response(),
                POSITION_HEADER,
                stored.last_position,
            );
            with_header(response, REPLAYED_HEADER, "true")
        }
        Executed::DryRun { reply, events } => {
            (StatusCode::OK, axum::Json(DryRun::new(reply, events))).into_response()
        }
    }
}

/// A command's reply as a body without HTTP, for MCP tools: the reply with its
/// journal position (a replay's recorded reply, a dry run's plan).
pub fn executed_body<R: Serialize>(executed: Executed<R>) -> Value {
    match executed {
        Executed::Done {
            reply,
            last_position,
        } => with_position(
            serde_json::to_value(reply).unwrap_or(Value::Null),
            last_position,
        ),
        Executed::Replayed(stored) => with_position(
            serde_json::from_str(&stored.body).unwrap_or(Value::Null),
            stored.last_position,
        ),
        Executed::DryRun { reply, events } => {
            serde_json::to_value(DryRun::new(reply, events)).unwrap_or(Value::Null)
        }
    }
}

/// What every command reply adds to its body (`with_position`); for the
/// OpenAPI document.
#[derive(Debug, ToSchema)]
pub struct CommandPosition {
    /// The journal position of the command's last event: read your own
    /// writes, or follow the journal from there.
    pub position: i64,
}

/// A dry run's reply: what the command would append, and its reply.
#[derive(Debug, Serialize, ToSchema)]
pub struct DryRun {
    /// Always true.
    pub dry_run: bool,
    pub events: Vec<PlannedEventView>,
    /// The reply the command would have given (without `position`).
    #[schema(value_type = Object)]
    pub result: Value,
}

impl DryRun {
    fn new<R: Serialize>(reply: R, events: Vec<PlannedEvent>) -> DryRun {
        DryRun {
            dry_run: true,
            events: events.into_iter().map(PlannedEventView::from).collect(),
            result: serde_json::to_value(reply).unwrap_or(Value::Null),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlannedEventView {
    pub stream_id: String,
    /// The stream's version the append would expect.
    pub expected_version: i64,
    pub event_type: String,
    #[schema(value_type = Object)]
    pub payload: Value,
}

impl From<PlannedEvent> for PlannedEventView {
    fn from(event: PlannedEvent) -> Self {
        PlannedEventView {
            stream_id: event.stream_id,
            expected_version: event.expected_version,
            event_type: event.event_type,
            payload: {
                let mut payload = event.payload;
                super::redaction::redact(&mut payload);
                payload
            },
        }
    }
}

/// Every command reply names the journal position its events reached, so a
/// client can read its own writes or follow the event stream from there.
fn with_position(mut body: Value, position: i64) -> Value {
    if let Value::Object(map) = &mut body {
        map.insert("position".into(), json!(position));
    }
    body
}

fn with_header(mut response: Response, name: HeaderName, value: impl ToString) -> Response {
    if let Ok(value) = HeaderValue::from_str(&value.to_string()) {
        response.headers_mut().insert(name, value);
    }
    response
}
