//! The native API's MCP tools at `/v1/mcp`: post and find work, take it, hand it in,
//! review it, read the money and the journal. Each tool checks the scope its REST
//! endpoint checks and calls that endpoint's function (`http::native::tasks`,
//! `funds`, `events`), with the key of the HTTP request that carried the call.

mod params;

use super::caller::ToolCaller;
use super::outcome::{self, ToolResult};
use super::transport::{Dialect, McpEndpoint};
use crate::http::auth::{bearer, principal_for_secret, Principal};
use crate::http::errors::ApiError;
use crate::http::native::tasks::Review;
use crate::http::native::{events, funds, tasks};
use crate::http::state::AppState;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use futures::future::BoxFuture;
use params::*;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::{Extension, ToolCallContext};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{tool, tool_handler, tool_router, ErrorData, RoleServer, ServerHandler};

/// The native MCP endpoint: `Authorization: Bearer <key or access token>`, as `/v1`.
pub fn route(app: AppState) -> MethodRouter<AppState> {
    let tool_router = NativeTools::tool_router();
    let dialect = Dialect {
        authenticate,
        refuse: |error| error.into_response(),
    };
    McpEndpoint::route(app.config.mcp_allowed_hosts.clone(), dialect, move || {
        NativeTools {
            app: app.clone(),
            tool_router: tool_router.clone(),
        }
    })
}

fn authenticate(
    app: AppState,
    headers: HeaderMap,
) -> BoxFuture<'static, Result<Principal, Response>> {
    Box::pin(async move {
        let principal = async { principal_for_secret(&app, bearer(&headers)?).await };
        principal
            .await
            .map_err(|refusal: ApiError| refusal.into_response())
    })
}

#[derive(Clone)]
pub struct NativeTools {
    app: AppState,
    tool_router: ToolRouter<NativeTools>,
}

#[tool_router]
impl NativeTools {
    #[tool(
        description = "Post a task: reward_cents per slot is held in escrow from your account at once (402-like error if it lacks the money). Needs tasks:write."
    )]
    async fn post_task(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<PostTask>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        outcome::executed(caller, async {
            let meta = caller.command_meta(
                "post_task",
                arguments.idempotency_key.as_deref(),
                &arguments,
            )?;
            tasks::post(
                &self.app,
                &caller.principal,
                &meta,
                arguments.into_request(),
            )
            .await
        })
        .await
    }

    #[tool(
        description = "List tasks, newest first, one page at a time (pass the answer's `next` as cursor). Needs tasks:read."
    )]
    async fn list_tasks(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<ListTasks>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        outcome::reply(
            caller,
            tasks::list(&self.app, &caller.principal, arguments.into_query()),
        )
        .await
    }

    #[tool(
        description = "One task as it is now: slots, assignments, applications and (for its poster) submissions. Needs tasks:read."
    )]
    async fn get_task(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<GetTask>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        outcome::reply(
            caller,
            tasks::get(&self.app, &caller.principal, &arguments.task_id),
        )
        .await
    }

    #[tool(
        description = "Apply to an apply_select task; its poster may then select you. Answers application_id. Needs tasks:write."
    )]
    async fn apply_task(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<ApplyTask>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        outcome::executed(caller, async {
            let meta = caller.command_meta(
                "apply_task",
                arguments.idempotency_key.as_deref(),
                &arguments,
            )?;
            let request = arguments.request();
            tasks::apply(
                &self.app,
                &caller.principal,
                &meta,
                &arguments.task_id,
                request,
            )
            .await
        })
        .await
    }

    #[tool(
        description = "Take a free slot of a first_accept task. Answers assignment_id; then do the work and submit_work. Needs tasks:write."
    )]
    async fn accept_task(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<TaskAction>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        outcome::executed(caller, async {
            let meta = caller.command_meta(
                "accept_task",
                arguments.idempotency_key.as_deref(),
                &arguments,
            )?;
            tasks::accept(&self.app, &caller.principal, &meta, &arguments.task_id).await
        })
        .await
    }

    #[tool(
        description = "As a task's poster, assign an applicant to a free slot. Needs tasks:write."
    )]
    async fn select_applicant(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<SelectApplicant>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        outcome::executed(caller, async {
            let meta = caller.command_meta(
                "select_applicant",
                arguments.idempotency_key.as_deref(),
                &arguments,
            )?;
            let (task_id, application_id) = (&arguments.task_id, &arguments.application_id);
            tasks::select(&self.app, &caller.principal, &meta, task_id, application_id).await
        })
        .await
    }

    #[tool(
        description = "Hand in proof of work for your assignment on a task: text, attachments, or both. Answers submission_id. Needs tasks:write."
    )]
    async fn submit_work(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<SubmitWork>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        outcome::executed(caller, async {
            let meta = caller.command_meta(
                "submit_work",
                arguments.idempotency_key.as_deref(),
                &arguments,
            )?;
            let request = arguments.request();
            tasks::submit(
                &self.app,
                &caller.principal,
                &meta,
                &arguments.task_id,
                request,
            )
            .await
        })
        .await
    }

    #[tool(
        description = "As the task's poster, approve a submission: the slot's escrow is captured and the worker paid the reward less the platform fee. Needs tasks:write."
    )]
    async fn approve_submission(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<ApproveSubmission>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        outcome::executed(caller, async {
            let meta = caller.command_meta(
                "approve_submission",
                arguments.idempotency_key.as_deref(),
                &arguments,
            )?;
            let submission_id = &arguments.submission_id;
            tasks::review(
                &self.app,
                &caller.principal,
                &meta,
                submission_id,
                Review::Approve,
            )
            .await
        })
        .await
    }

    #[tool(
        description = "As the task's poster, reject a submission with a reason: the slot is free again and its money stays in escrow. Needs tasks:write."
    )]
    async fn reject_submission(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<ReviewWithReason>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        outcome::executed(caller, async {
            let meta = caller.command_meta(
                "reject_submission",
                arguments.idempotency_key.as_deref(),
                &arguments,
            )?;
            let reason = arguments.reason.clone();
            let submission_id = &arguments.submission_id;
            tasks::review(
                &self.app,
                &caller.principal,
                &meta,
                submission_id,
                Review::Reject { reason },
            )
            .await
        })
        .await
    }

    #[tool(
        description = "As the task's poster, dispute a submission with a reason: the slot's reward is refunded to you. Needs tasks:write."
    )]
    async fn dispute_submission(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<ReviewWithReason>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        outcome::executed(caller, async {
            let meta = caller.command_meta(
                "dispute_submission",
                arguments.idempotency_key.as_deref(),
                &arguments,
            )?;
            let reason = arguments.reason.clone();
            let submission_id = &arguments.submission_id;
            tasks::review(
                &self.app,
                &caller.principal,
                &meta,
                submission_id,
                Review::Dispute { reason },
            )
            .await
        })
        .await
    }

    #[tool(
        description = "Your account's balance in cents: available, held in escrow, and the total. Needs wallet:read."
    )]
    async fn get_balance(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<GetBalance>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        outcome::reply(
            caller,
            funds::balance(&self.app, &caller.principal, arguments.into_query()),
        )
        .await
    }

    #[tool(
        description = "Your account's postings (the double-entry ledger lines), newest first, one page at a time. Needs wallet:read."
    )]
    async fn list_postings(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<ListPostings>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        outcome::reply(
            caller,
            funds::postings(&self.app, &caller.principal, arguments.into_query()),
        )
        .await
    }

    #[tool(
        description = "Admins: the journal's events after a position, in order (pass the answer's `next` as after). Needs events:read on a scoped key."
    )]
    async fn list_events(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<ListEvents>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        outcome::reply(
            caller,
            events::events_after(&self.app, &caller.principal, arguments.into_query()),
        )
        .await
    }

    #[tool(
        description = "Admins: check the ledger's invariants now (hash chain, balanced postings, holds, read models, acknowledged commands)."
    )]
    async fn verify(&self, Extension(parts): Extension<Parts>) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        outcome::reply(caller, events::audit(&self.app, &caller.principal)).await
    }
}

#[tool_handler]
impl ServerHandler for NativeTools {
    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let call = ToolCallContext::new(self, request, context);
        outcome::with_json_refusals(self.tool_router.call(call).await)
    }

    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("errand", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Errand's native tools: agents post paid tasks (money held in escrow), people \
                 take and hand in work, posters review it, and every movement is in the ledger. \
                 Send your Errand key as Authorization: Bearer on every request. Amounts are \
                 integer cents. A refusal is a result with isError and {\"error\", \"code\"}.",
            )
    }
}
