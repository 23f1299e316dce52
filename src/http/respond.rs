//! Turning what the bus did into a response: the reply with its journal
//! position, a recorded reply replayed verbatim, or a dry run's plan.

use crate::bus::Executed;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{json, Value};

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
        Executed::DryRun { reply, events } => (
            StatusCode::OK,
            axum::Json(json!({ "dry_run": true, "events": events, "result": reply })),
        )
            .into_response(),
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
