//! A tool's answer. A reply is the JSON its REST endpoint answers (as structured
//! content, and as text for clients that read only text). A refusal by the domain or
//! by the caller's rights is a result with `isError: true` and a JSON body
//! `{"error": "…", "code": "…"}`, so the agent reads why and can act on it. Arguments
//! of the wrong shape are such results too (`invalid_arguments`): MCP asks for input
//! errors as tool errors, so the model can correct itself, and rmcp answers them so;
//! only an unknown tool is a JSON-RPC error.

use super::caller::ToolCaller;
use crate::bus::Executed;
use crate::http::errors::{ApiError, REQUEST_ID};
use crate::http::respond;
use rmcp::model::{CallToolResponse, CallToolResult};
use rmcp::ErrorData;
use serde::Serialize;
use serde_json::{json, Value};
use std::future::Future;

pub type ToolResult = Result<CallToolResult, ErrorData>;

/// Runs a tool's work as the caller's request (its id on errors and log lines) and
/// answers with what it returned.
pub async fn reply<T: Serialize>(
    caller: &ToolCaller,
    work: impl Future<Output = Result<T, ApiError>>,
) -> ToolResult {
    let request_id = caller.request_id.clone();
    let result = REQUEST_ID.scope(request_id.clone(), work).await;
    match result.and_then(|reply| serde_json::to_value(reply).map_err(ApiError::internal)) {
        Ok(value) => Ok(CallToolResult::structured(value)),
        Err(error) => Ok(refusal(error, &request_id)),
    }
}

/// [`reply`] for a command: its reply with the journal position it reached.
pub async fn executed<R: Serialize>(
    caller: &ToolCaller,
    work: impl Future<Output = Result<Executed<R>, ApiError>>,
) -> ToolResult {
    reply(caller, async { work.await.map(respond::executed_body) }).await
}

/// What a tool set's `call_tool` answers: rmcp's refusal of arguments that do not
/// fit the tool's schema (text only) in the same JSON body as every other refusal.
pub fn with_json_refusals(
    response: Result<CallToolResponse, ErrorData>,
) -> Result<CallToolResponse, ErrorData> {
    with_refusals_as(
        response,
        |message| json!({ "error": message, "code": "invalid_arguments" }),
    )
}

/// [`with_json_refusals`] for any dialect: `body` writes rmcp's message about
/// the arguments in the dialect's own error body.
pub fn with_refusals_as(
    response: Result<CallToolResponse, ErrorData>,
    body: impl FnOnce(String) -> Value,
) -> Result<CallToolResponse, ErrorData> {
    let Ok(CallToolResponse::Complete(result)) = response else {
        return response;
    };
    if result.is_error != Some(true) || result.structured_content.is_some() {
        return Ok(CallToolResponse::Complete(result));
    }
    let message: Vec<&str> = result
        .content
        .iter()
        .filter_map(|content| content.as_text())
        .map(|text| text.text.as_str())
        .collect();
    Ok(CallToolResult::structured_error(body(message.join("\n"))).into())
}

/// An error as the agent reads it; a 500's cause is logged, never shown.
pub fn refusal(error: ApiError, request_id: &str) -> CallToolResult {
    let message = match &error {
        ApiError::Internal(cause) => {
            tracing::error!(request_id, error = ?cause, "internal error in an MCP tool");
            "internal error; quote the request id when reporting it".to_owned()
        }
        other => other.to_string(),
    };
    let mut body = json!({ "error": message, "code": error.code(), "request_id": request_id });
    if let (
        ApiError::InsufficientFunds {
            available_cents,
            needed_cents,
        },
        Value::Object(fields),
    ) = (&error, &mut body)
    {
        fields.insert("available_cents".into(), json!(available_cents));
        fields.insert("needed_cents".into(), json!(needed_cents));
    }
    CallToolResult::structured_error(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(result: &CallToolResult) -> &Value {
        result.structured_content.as_ref().expect("a JSON body")
    }

    #[test]
    fn a_refusal_is_an_error_result_naming_its_code() {
        let refused = refusal(
            ApiError::InsufficientFunds {
                available_cents: 100,
                needed_cents: 500,
            },
            "req-1",
        );
        assert_eq!(refused.is_error, Some(true));
        assert_eq!(body(&refused)["code"], "insufficient_funds");
        assert_eq!(body(&refused)["available_cents"], 100);
        assert_eq!(body(&refused)["needed_cents"], 500);
        assert_eq!(body(&refused)["request_id"], "req-1");
        assert!(body(&refused)["error"]
            .as_str()
            .is_some_and(|error| error.contains("insufficient funds")));
    }

    #[test]
    fn arguments_rmcp_refused_read_as_every_refusal_does() {
        let refused = CallToolResult::error(vec![rmcp::model::ContentBlock::text(
            "failed to deserialize parameters: missing field `title`",
        )]);
        let Ok(CallToolResponse::Complete(result)) = with_json_refusals(Ok(refused.into())) else {
            panic!("a complete result");
        };
        assert_eq!(result.is_error, Some(true));
        assert_eq!(body(&result)["code"], "invalid_arguments");
        assert!(body(&result)["error"]
            .as_str()
            .is_some_and(|error| error.contains("missing field `title`")));

        let replied = CallToolResult::structured(json!({ "id": 1 }));
        let Ok(CallToolResponse::Complete(result)) = with_json_refusals(Ok(replied.into())) else {
            panic!("a complete result");
        };
        assert_eq!(result.is_error, Some(false));
        assert_eq!(body(&result), &json!({ "id": 1 }));
    }

    #[test]
    fn an_internal_error_shows_no_cause() {
        let refused = refusal(ApiError::internal(anyhow::anyhow!("disk on fire")), "req-2");
        assert_eq!(refused.is_error, Some(true));
        assert_eq!(body(&refused)["code"], "internal");
        assert!(!body(&refused).to_string().contains("disk on fire"));
    }
}
