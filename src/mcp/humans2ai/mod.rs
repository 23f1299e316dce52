//! Humans2AI's MCP tools at `/humans2ai/api/v1/mcp` (the seed's "15 tools"):
//! post tasks and pick the people who apply, review their work, talk on a
//! task's thread, read the wallet and the notifications. Each tool checks the
//! scope its REST endpoint checks and calls that endpoint's function
//! (`http::humans2ai::{tasks, work, wallet}`, the native `messages` and
//! `notifications`), with the key of the HTTP request that carried the call;
//! it answers in Humans2AI's shapes, `{"success": true, "data": …}`, and a
//! refusal is an `isError` result with `{"success": false, "error": {code,
//! message}}`.

mod params;

use super::caller::ToolCaller;
use super::outcome::{self, ToolResult};
use super::transport::{Dialect, McpEndpoint};
use crate::bus::Executed;
use crate::http::auth::{principal_for_secret, Principal};
use crate::http::errors::{ApiError, REQUEST_ID};
use crate::http::extract::CommandMeta;
use crate::http::humans2ai::messages as h2a_messages;
use crate::http::humans2ai::notifications as h2a_notifications;
use crate::http::humans2ai::{
    bearer_token, require_scope, tasks, wallet, work, Body, Caller, H2aPath, H2aQuery,
    Humans2AiError, Humans2AiResult, Scope,
};
use crate::http::native::notifications::{self, Marks};
use crate::http::native::{messages, page_limit};
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::notifications::NotificationFilter;
use crate::queries::PAGE_LIMIT_MAX;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use axum::Json;
use errand_aggregates::ids::{NotificationId, TaskId};
use errand_aggregates::inbox::NOTIFICATION_IDS_PER_MARK_MAX;
use futures::future::BoxFuture;
use params::*;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::{Extension, ToolCallContext};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ServerCapabilities,
    ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{tool, tool_handler, tool_router, ErrorData, RoleServer, ServerHandler};
use serde::Serialize;
use serde_json::{json, Value};
use std::future::Future;

/// The Humans2AI MCP endpoint: `Authorization: Bearer sk_live_…` (or
/// `sk_test_…`, or an ID token), as the REST dialect.
pub fn route(app: AppState) -> MethodRouter<AppState> {
    let tool_router = Humans2AiTools::tool_router();
    let dialect = Dialect {
        authenticate,
        refuse: |error| Humans2AiError::from(error).into_response(),
    };
    McpEndpoint::route(app.config.mcp_allowed_hosts.clone(), dialect, move || {
        Humans2AiTools {
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
        let principal = async {
            let token = bearer_token(&headers).map_err(ApiError::Unauthorized)?;
            principal_for_secret(&app, token).await
        };
        principal
            .await
            .map_err(|refusal| Humans2AiError::from(refusal).into_response())
    })
}

/// Runs a tool's work as the caller's request (its id on errors and log
/// lines): its answer, or its refusal in Humans2AI's envelope.
async fn reply<T: Serialize>(
    caller: &ToolCaller,
    work: impl Future<Output = Humans2AiResult<T>>,
) -> ToolResult {
    let result = REQUEST_ID
        .scope(caller.request_id.clone(), async {
            work.await
                .and_then(|reply| {
                    serde_json::to_value(reply)
                        .map_err(|error| Humans2AiError::Internal(error.into()))
                })
                .map_err(|refusal| refusal.envelope())
        })
        .await;
    Ok(match result {
        Ok(value) => CallToolResult::structured(value),
        Err(envelope) => CallToolResult::structured_error(envelope),
    })
}

/// [`reply`] for a command: its answer with the journal position it reached.
async fn executed(
    caller: &ToolCaller,
    work: impl Future<Output = Humans2AiResult<Executed<Value>>>,
) -> ToolResult {
    reply(caller, async { work.await.map(respond::executed_body) }).await
}

/// A command's metadata (the idempotency key, the request id), refused as
/// Humans2AI refuses a bad header.
fn meta(
    caller: &ToolCaller,
    tool: &str,
    idempotency_key: Option<&str>,
    arguments: &impl Serialize,
) -> Humans2AiResult<CommandMeta> {
    Ok(caller.command_meta(tool, idempotency_key, arguments)?)
}

/// The caller as the REST handlers take it.
fn rest_caller(caller: &ToolCaller) -> Caller {
    Caller(caller.principal.clone())
}

fn principal_with(caller: &ToolCaller, scope: Scope) -> Humans2AiResult<&Principal> {
    require_scope(&caller.principal, scope)?;
    Ok(&caller.principal)
}

fn task_id_of(text: &str) -> Humans2AiResult<TaskId> {
    crate::http::humans2ai::ids::parse(text, "task", "task")
}

#[derive(Clone)]
pub struct Humans2AiTools {
    app: AppState,
    tool_router: ToolRouter<Humans2AiTools>,
}

#[tool_router]
impl Humans2AiTools {
    #[tool(
        description = "Post a task for a person: budget (dollars, exact) is held in escrow from your wallet at once (INSUFFICIENT_BALANCE if it lacks the money); people apply and you select one. Needs tasks:write."
    )]
    async fn create_task(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<CreateTask>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        executed(caller, async {
            let meta = meta(
                caller,
                "create_task",
                arguments.idempotency_key.as_deref(),
                &arguments,
            )?;
            let body = Body {
                body: arguments.request(),
                meta,
            };
            tasks::create(&self.app, rest_caller(caller), body).await
        })
        .await
    }

    #[tool(
        description = "Agents: the tasks you posted; people: open tasks to apply for. Newest first, by page. Needs tasks:read."
    )]
    async fn list_tasks(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<ListTasks>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        let listed = tasks::list_tasks(
            State(self.app.clone()),
            rest_caller(caller),
            H2aQuery(arguments.query()),
        );
        reply(caller, async { listed.await.map(|Json(body)| body) }).await
    }

    #[tool(
        description = "One task as it is now: status, escrow, who is assigned, the latest submission. Needs tasks:read."
    )]
    async fn get_task(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<OnTask>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        let task = tasks::get_task(
            State(self.app.clone()),
            rest_caller(caller),
            H2aPath(arguments.task_id),
        );
        reply(caller, async { task.await.map(|Json(body)| body) }).await
    }

    #[tool(
        description = "Who applied to your task, oldest first, with their notes: pass an application's id to select_applicant. Needs tasks:read."
    )]
    async fn list_applications(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<OnTask>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        let applications = work::list_applications(
            State(self.app.clone()),
            rest_caller(caller),
            H2aPath(arguments.task_id),
        );
        reply(caller, async { applications.await.map(|Json(body)| body) }).await
    }

    #[tool(
        description = "Assign your task to one applicant (application_id from list_applications); the others are closed. Needs tasks:write."
    )]
    async fn select_applicant(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<SelectApplicant>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        executed(caller, async {
            let meta = meta(
                caller,
                "select_applicant",
                arguments.idempotency_key.as_deref(),
                &arguments,
            )?;
            let body = Body {
                body: arguments.request(),
                meta,
            };
            work::select_applicant(&self.app, rest_caller(caller), &arguments.task_id, body).await
        })
        .await
    }

    #[tool(
        description = "Approve the work awaiting review on your task: the escrow is captured and the person paid the budget less the 0.01 % platform fee. Needs tasks:write."
    )]
    async fn approve_task(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<OnTask>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        executed(caller, async {
            let meta = meta(
                caller,
                "approve_task",
                arguments.idempotency_key.as_deref(),
                &arguments,
            )?;
            let body = Body {
                body: json!({}),
                meta,
            };
            work::approve_work(&self.app, rest_caller(caller), &arguments.task_id, body).await
        })
        .await
    }

    #[tool(
        description = "Reject the work awaiting review on your task with a reason of 50 characters or more: the person may submit again; the money stays in escrow. Needs tasks:write."
    )]
    async fn reject_task(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<WithReason>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        executed(caller, async {
            let meta = meta(
                caller,
                "reject_task",
                arguments.idempotency_key.as_deref(),
                &arguments,
            )?;
            let body = Body {
                body: arguments.request(),
                meta,
            };
            work::reject_work(&self.app, rest_caller(caller), &arguments.task_id, body).await
        })
        .await
    }

    #[tool(
        description = "Dispute the work awaiting review on your task with a reason: the task closes and its escrow goes back to your wallet. Needs tasks:write."
    )]
    async fn dispute_task(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<WithReason>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        executed(caller, async {
            let meta = meta(
                caller,
                "dispute_task",
                arguments.idempotency_key.as_deref(),
                &arguments,
            )?;
            let body = Body {
                body: arguments.request(),
                meta,
            };
            work::dispute_work(&self.app, rest_caller(caller), &arguments.task_id, body).await
        })
        .await
    }

    #[tool(
        description = "People: hand in proof of the work on a task you were selected for (text, attachments by URL); its owner then approves, rejects or disputes it. Needs tasks:write."
    )]
    async fn submit_work(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<SubmitWork>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        executed(caller, async {
            let meta = meta(
                caller,
                "submit_work",
                arguments.idempotency_key.as_deref(),
                &arguments,
            )?;
            let body = Body {
                body: arguments.request(),
                meta,
            };
            work::submit_work(&self.app, rest_caller(caller), &arguments.task_id, body).await
        })
        .await
    }

    #[tool(
        description = "The messages on a task's thread, oldest first, by page (pass the answer's next as cursor); participants only. Needs messages:read."
    )]
    async fn get_messages(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<GetMessages>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        reply(caller, async {
            let principal = principal_with(caller, Scope::MessagesRead)?;
            let task_id = task_id_of(&arguments.task_id)?;
            let limit = page_limit(arguments.limit, PAGE_LIMIT_MAX)?;
            let cursor = arguments.cursor.as_deref();
            let page = messages::thread_page(&self.app, principal, task_id, cursor, limit).await?;
            let listed: Vec<Value> = page.data.iter().map(h2a_messages::message_json).collect();
            Ok(success(json!({ "messages": listed, "next": page.next })))
        })
        .await
    }

    #[tool(
        description = "Post a message on a task's thread (1 to 2,000 characters); participants only. Needs messages:write."
    )]
    async fn send_message(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<SendMessage>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        executed(caller, async {
            let principal = principal_with(caller, Scope::MessagesWrite)?;
            let meta = meta(
                caller,
                "send_message",
                arguments.idempotency_key.as_deref(),
                &arguments,
            )?;
            h2a_messages::send(
                &self.app,
                principal,
                &arguments.task_id,
                &arguments.body,
                &meta,
            )
            .await
        })
        .await
    }

    #[tool(
        description = "Your wallet: available balance, the part frozen in escrow, and lifetime totals, in dollars. Needs wallet:read."
    )]
    async fn get_wallet(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(_): Parameters<NoArguments>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        let wallet = wallet::get_wallet(State(self.app.clone()), rest_caller(caller));
        reply(caller, async { wallet.await.map(|Json(body)| body) }).await
    }

    #[tool(
        description = "Your wallet's movements, newest first, by page, optionally of one type. Needs wallet:read."
    )]
    async fn list_transactions(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<ListTransactions>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        let listed = wallet::list_transactions(
            State(self.app.clone()),
            rest_caller(caller),
            H2aQuery(arguments.query()),
        );
        reply(caller, async { listed.await.map(|Json(body)| body) }).await
    }

    #[tool(
        description = "Your notifications, newest first, by page, and how many are unread. Any valid key."
    )]
    async fn list_notifications(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<ListNotifications>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        reply(caller, async {
            let filter = NotificationFilter {
                unread_only: arguments.unread.unwrap_or(false),
            };
            let limit = page_limit(arguments.limit, PAGE_LIMIT_MAX)?;
            let cursor = arguments.cursor.as_deref();
            let page =
                notifications::page(&self.app, &caller.principal, filter, cursor, limit).await?;
            let listed: Vec<Value> = page
                .data
                .iter()
                .map(h2a_notifications::notification_json)
                .collect();
            Ok(success(json!({
                "notifications": listed,
                "unreadCount": page.unread_count,
                "next": page.next,
            })))
        })
        .await
    }

    #[tool(
        description = "Mark notifications read: ids (1 to 100 of yours) or all: true (everything listed so far). Any valid key."
    )]
    async fn mark_notifications_read(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<MarkNotificationsRead>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        executed(caller, async {
            let marks = match (&arguments.ids, arguments.all) {
                (Some(ids), None | Some(false)) => {
                    Marks::Ids(ids.iter().copied().map(NotificationId).collect())
                }
                (None, Some(true)) => Marks::All,
                _ => {
                    return Err(Humans2AiError::validation(format!(
                        "send either ids (1 to {NOTIFICATION_IDS_PER_MARK_MAX}) or all: true"
                    )))
                }
            };
            let meta = meta(
                caller,
                "mark_notifications_read",
                arguments.idempotency_key.as_deref(),
                &arguments,
            )?;
            let marked = notifications::mark(&self.app, &caller.principal, marks, &meta, |m| {
                success(h2a_notifications::marked_json(m))
            })
            .await?;
            Ok(marked)
        })
        .await
    }
}

/// The success envelope every answer wears.
fn success(data: Value) -> Value {
    json!({ "success": true, "data": data })
}

#[tool_handler]
impl ServerHandler for Humans2AiTools {
    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let call = ToolCallContext::new(self, request, context);
        outcome::with_refusals_as(self.tool_router.call(call).await, |message| {
            Humans2AiError::Validation(message).envelope()
        })
    }

    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                "errand-humans2ai",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(
                "Humans2AI's tools: AI agents post paid tasks for people (the budget held in \
                 escrow), select who applied, review their work, and pay them less a 0.01 % fee. \
                 Send your key as Authorization: Bearer sk_live_… (or sk_test_…) on every \
                 request. Money is in dollars, exact to the cent. A refusal is a result with \
                 isError and {\"success\": false, \"error\": {\"code\", \"message\"}}.",
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_reads_as_the_rest_dialect_refuses() {
        let refusal = Humans2AiError::Forbidden(
            "This API key lacks the tasks:write permission scope.".into(),
        );
        assert_eq!(
            refusal.envelope(),
            json!({ "success": false, "error": {
                "code": "FORBIDDEN",
                "message": "This API key lacks the tasks:write permission scope.",
            }})
        );
    }
}
