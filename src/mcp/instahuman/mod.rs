//! InstaHuman's MCP server at `/instahuman/api/mcp`: the seed's 25 tools
//! (13 for jobs in [`jobs`], 12 for projects in [`projects`]) and its one
//! prompt, `job_tool_usage` ([`prompt`]). Each tool calls the function its
//! REST endpoint calls (`http::instahuman::{jobs, owner, projects}`), with the
//! `Bearer ih_…` key of the HTTP request that carried the call, and answers
//! the same JSON; a refusal is an `isError` result with InstaHuman's
//! `{"error": "…"}`. `wait_job` has no REST twin: it waits on the job's
//! events ([`wait`]).

mod jobs;
mod params;
mod projects;
mod prompt;
mod wait;

use super::caller::ToolCaller;
use super::outcome::{self, ToolResult};
use super::transport::{Dialect, McpEndpoint};
use crate::bus::Executed;
use crate::http::auth::Principal;
use crate::http::errors::REQUEST_ID;
use crate::http::extract::CommandMeta;
use crate::http::instahuman::InstaHumanResult;
use crate::http::instahuman::{authenticate as rest_authenticate, Caller, InstaHumanError};
use crate::http::respond;
use crate::http::state::AppState;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use futures::future::BoxFuture;
use rmcp::handler::server::router::prompt::PromptRouter;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ServerCapabilities,
    ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{prompt_handler, tool_handler, ErrorData, RoleServer, ServerHandler};
use serde::Serialize;
use serde_json::Value;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// The InstaHuman MCP endpoint: `Authorization: Bearer ih_…`, as the REST dialect.
pub fn route(app: AppState) -> MethodRouter<AppState> {
    let tool_router = InstaHumanTools::job_tools() + InstaHumanTools::project_tools();
    let prompt_router = InstaHumanTools::prompt_router();
    let waiters = Arc::new(Semaphore::new(wait::JOB_WAITERS_MAX));
    let dialect = Dialect {
        authenticate,
        refuse: |error| InstaHumanError::from(error).into_response(),
    };
    McpEndpoint::route(app.config.mcp_allowed_hosts.clone(), dialect, move || {
        InstaHumanTools {
            app: app.clone(),
            waiters: waiters.clone(),
            tool_router: tool_router.clone(),
            prompt_router: prompt_router.clone(),
        }
    })
}

fn authenticate(
    app: AppState,
    headers: HeaderMap,
) -> BoxFuture<'static, Result<Principal, Response>> {
    Box::pin(async move {
        rest_authenticate(&app, &headers)
            .await
            .map_err(IntoResponse::into_response)
    })
}

/// Runs a tool's work as the caller's request (its id on errors and log
/// lines): its answer, or its refusal in InstaHuman's envelope.
async fn reply<T: Serialize>(
    caller: &ToolCaller,
    work: impl Future<Output = InstaHumanResult<T>>,
) -> ToolResult {
    answer(caller, async {
        let reply = work.await?;
        let value =
            serde_json::to_value(reply).map_err(|error| InstaHumanError::Internal(error.into()))?;
        Ok(CallToolResult::structured(value))
    })
    .await
}

/// [`reply`] for work that shapes its own result (`wait_job`'s timeout is an
/// error result with more than the envelope); a refusal reads as any other.
async fn answer(
    caller: &ToolCaller,
    work: impl Future<Output = InstaHumanResult<CallToolResult>>,
) -> ToolResult {
    let result = REQUEST_ID
        .scope(caller.request_id.clone(), async {
            work.await.map_err(|refusal| refusal.envelope())
        })
        .await;
    Ok(result.unwrap_or_else(CallToolResult::structured_error))
}

/// [`reply`] for a command: its answer with the journal position it reached.
async fn executed(
    caller: &ToolCaller,
    work: impl Future<Output = InstaHumanResult<Executed<Value>>>,
) -> ToolResult {
    reply(caller, async { work.await.map(respond::executed_body) }).await
}

/// A command's metadata (the idempotency key, the request id), refused as
/// InstaHuman refuses a bad header.
fn meta(
    caller: &ToolCaller,
    tool: &str,
    idempotency_key: Option<&str>,
    arguments: &impl Serialize,
) -> InstaHumanResult<CommandMeta> {
    Ok(caller.command_meta(tool, idempotency_key, arguments)?)
}

/// The caller as the REST handlers take it.
fn rest_caller(caller: &ToolCaller) -> Caller {
    Caller(caller.principal.clone())
}

#[derive(Clone)]
pub struct InstaHumanTools {
    app: AppState,
    /// `wait_job` calls waiting now, across this endpoint's sessions.
    waiters: Arc<Semaphore>,
    tool_router: ToolRouter<InstaHumanTools>,
    prompt_router: PromptRouter<InstaHumanTools>,
}

#[tool_handler(router = self.tool_router)]
#[prompt_handler(router = self.prompt_router)]
impl ServerHandler for InstaHumanTools {
    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let call = ToolCallContext::new(self, request, context);
        outcome::with_refusals_as(self.tool_router.call(call).await, |message| {
            InstaHumanError::BadRequest(message).envelope()
        })
    }

    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_prompts()
            .build();
        ServerConfig::new(capabilities)
            .with_server_info(Implementation::new(
                "errand-instahuman",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(
                "InstaHuman's tools: post jobs that pay people (testers) to try something and \
                 report back, wait for their feedback, and settle what they earned. Send your \
                 key as Authorization: Bearer ih_… on every request. Money is in dollars, exact \
                 to the cent. Read the prompt job_tool_usage for which tool to call when. A \
                 refusal is a result with isError and {\"error\": \"…\"}.",
            )
    }
}
