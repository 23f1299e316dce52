//! Who called a tool: the principal the transport authenticated for the HTTP request
//! that carried the call, and what that call's commands record about it.

use crate::http::auth::Principal;
use crate::http::errors::ApiError;
use crate::http::extract::{idempotency, refuse_nul_characters, CommandMeta};
use axum::http::request::Parts;
use rmcp::ErrorData;

/// Put in each HTTP request's extensions by [`super::transport`]; rmcp passes the
/// request's parts to the tool it calls.
#[derive(Debug, Clone)]
pub struct ToolCaller {
    pub principal: Principal,
    /// The HTTP request's id: on the command's events and in the logs.
    pub request_id: String,
}

impl ToolCaller {
    /// The caller of the tool call that arrived with these request parts.
    pub fn of(parts: &Parts) -> Result<&ToolCaller, ErrorData> {
        // Every request is authenticated before rmcp sees it, so a call without a
        // caller is a bug in the mounting, not the client's fault.
        parts
            .extensions
            .get::<ToolCaller>()
            .ok_or_else(|| ErrorData::internal_error("the call was not authenticated", None))
    }

    /// The metadata of the commands `tool` sends: the request id and, when the agent
    /// gave one, an idempotency key, whose fingerprint is the tool and its arguments
    /// (so the same key with other arguments is refused, as over REST). Arguments
    /// are checked as a REST body is, beyond their shape: no text holds U+0000.
    pub fn command_meta(
        &self,
        tool: &str,
        idempotency_key: Option<&str>,
        arguments: &impl serde::Serialize,
    ) -> Result<CommandMeta, ApiError> {
        let arguments = serde_json::to_value(arguments).map_err(ApiError::internal)?;
        refuse_nul_characters(&arguments)?;
        let idempotency = idempotency_key
            .map(|key| idempotency(key, "MCP", tool, arguments.to_string().as_bytes()))
            .transpose()?;
        Ok(CommandMeta {
            idempotency,
            dry_run: false,
            request_id: self.request_id.clone(),
        })
    }
}
