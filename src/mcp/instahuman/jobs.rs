//! The job tools: each calls the function of its REST twin
//! (`POST /api/jobs`, `GET /api/jobs[/:id]`, `POST /api/owner/jobs/:id/…`)
//! and answers its JSON; `wait_job` waits on the job's events, and
//! `get_settlement_status` is the settlement part of `GET /api/jobs/:id`.

use super::params::*;
use super::wait::{self, JobWait};
use super::{answer, executed, meta, reply, rest_caller, InstaHumanTools};
use crate::http::instahuman::jobs;
use crate::http::instahuman::owner::{act, JobAction};
use crate::http::instahuman::{Body, InstaHumanError};
use crate::mcp::caller::ToolCaller;
use crate::mcp::outcome::ToolResult;
use axum::http::request::Parts;
use rmcp::handler::server::tool::Extension;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{tool, tool_router, RoleServer};
use serde_json::json;

impl InstaHumanTools {
    /// An owner's action on a job, as `POST /api/owner/jobs/:id/<action>`.
    async fn act_on_job(
        &self,
        parts: &Parts,
        tool: &'static str,
        arguments: &impl JobActionArguments,
        action: JobAction,
    ) -> ToolResult {
        let caller = ToolCaller::of(parts)?;
        executed(caller, async {
            let meta = meta(caller, tool, arguments.idempotency_key(), arguments)?;
            let job_id = arguments.job_id();
            act(&self.app, &rest_caller(caller), job_id, action, &meta).await
        })
        .await
    }
}

#[tool_router(router = job_tools, vis = "pub(super)")]
impl InstaHumanTools {
    #[tool(
        description = "Create a new job and return immediately. tester_count x reward_per_tester (dollars) is held from your balance at once; the answer is the job with its id and status \"active\". Then call wait_job to wait for the testers' feedback."
    )]
    async fn create_job(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<CreateJob>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        executed(caller, async {
            let meta = meta(
                caller,
                "create_job",
                arguments.idempotency_key.as_deref(),
                &arguments,
            )?;
            let body = Body {
                body: arguments.request(),
                meta,
            };
            jobs::create(&self.app, &rest_caller(caller), body).await
        })
        .await
    }

    #[tool(
        description = "Block until job reaches terminal state, or one that needs you: every tester finished, stopped with no tester still working, settling, settled, cancelled or disputed. Answers the job as get_job does. On timeout (timeout_seconds, default 50, at most 300) an error result with \"Timeout waiting for job\", the job's status and next_action: call wait_job again."
    )]
    async fn wait_job(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<WaitJob>,
        context: RequestContext<RoleServer>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        answer(caller, async {
            let rest = rest_caller(caller);
            let (job_id, timeout) = (&arguments.job_id, arguments.timeout_seconds);
            let waiting = wait::wait_job(&self.app, &self.waiters, &rest, job_id, timeout);
            let waited = tokio::select! {
                waited = waiting => waited?,
                // The client cancelled the call: stop waiting (no one reads the answer).
                _ = context.ct.cancelled() => {
                    return Err(InstaHumanError::bad_request("wait_job was cancelled"));
                }
            };
            Ok(match waited {
                JobWait::Reached(job) => CallToolResult::structured(job),
                JobWait::TimedOut(payload) => CallToolResult::structured_error(payload),
            })
        })
        .await
    }

    #[tool(
        description = "Inspect job progress and feedback, now, without waiting: status, escrow, slots open / in progress / finished, each tester's feedback, and the settlement once there is one."
    )]
    async fn get_job(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<OnJob>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        reply(caller, async {
            jobs::read(&self.app, &rest_caller(caller), &arguments.job_id).await
        })
        .await
    }

    #[tool(
        description = "List owner's recent jobs, newest first, a page at a time: {\"data\": [...], \"next\"}; pass next as cursor for the page after."
    )]
    async fn list_jobs(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<ListPage>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        reply(caller, async {
            jobs::list(&self.app, &rest_caller(caller), &arguments.query()).await
        })
        .await
    }

    #[tool(
        description = "Pause an active job: no new tester starts; testers already working carry on. resume_job re-opens it."
    )]
    async fn pause_job(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<JobCommand>,
    ) -> ToolResult {
        self.act_on_job(&parts, "pause_job", &arguments, JobAction::Pause)
            .await
    }

    #[tool(description = "Resume a paused job: new testers may start again.")]
    async fn resume_job(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<JobCommand>,
    ) -> ToolResult {
        self.act_on_job(&parts, "resume_job", &arguments, JobAction::Resume)
            .await
    }

    #[tool(
        description = "Graceful shutdown, existing testers finish: no new tester starts, and the unused slots' money goes back to your balance. wait_job returns once the last tester working has submitted; then close_job."
    )]
    async fn stop_job(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<JobCommand>,
    ) -> ToolResult {
        self.act_on_job(&parts, "stop_job", &arguments, JobAction::Stop)
            .await
    }

    #[tool(
        description = "Cancel an active or paused job at once: it ends, and everything not yet paid goes back to your balance."
    )]
    async fn cancel_job(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<JobCommand>,
    ) -> ToolResult {
        self.act_on_job(&parts, "cancel_job", &arguments, JobAction::Cancel)
            .await
    }

    #[tool(
        description = "Close job and begin settlement (status \"settling\"): what each finished tester earned is worked out and held; testers still working are not paid, and the rest of the escrow goes back to your balance. Review it with get_settlement_status, then approve_job or submit_dispute."
    )]
    async fn close_job(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<JobCommand>,
    ) -> ToolResult {
        self.act_on_job(&parts, "close_job", &arguments, JobAction::Settle)
            .await
    }

    #[tool(
        description = "Change number of tester slots: more slots hold more of your balance, fewer release it; never below the testers already taken."
    )]
    async fn resize_job(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<ResizeJob>,
    ) -> ToolResult {
        let action = JobAction::Resize {
            tester_count: arguments.tester_count,
        };
        self.act_on_job(&parts, "resize_job", &arguments, action)
            .await
    }

    #[tool(
        description = "Approve a pending settlement (after close_job): each finished tester is paid their reward less the platform fee, and the job is settled."
    )]
    async fn approve_job(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<JobCommand>,
    ) -> ToolResult {
        self.act_on_job(&parts, "approve_job", &arguments, JobAction::Approve)
            .await
    }

    #[tool(
        description = "Dispute a pending settlement (after close_job), saying why: the testers' finished work is disputed, its escrow goes back to your balance, and the job is disputed."
    )]
    async fn submit_dispute(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<SubmitDispute>,
    ) -> ToolResult {
        let action = JobAction::Dispute {
            reason: arguments.reason.clone(),
        };
        self.act_on_job(&parts, "submit_dispute", &arguments, action)
            .await
    }

    #[tool(
        description = "Check settlement details: the job's status, its escrow, and its settlement (each finished tester's earning, fee and payout, and the totals), or null before close_job."
    )]
    async fn get_settlement_status(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<OnJob>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        reply(caller, async {
            let job = jobs::read(&self.app, &rest_caller(caller), &arguments.job_id).await?;
            Ok(json!({
                "jobId": job["id"],
                "status": job["status"],
                "escrow": job["escrow"],
                "settlement": job["settlement"],
            }))
        })
        .await
    }
}
