//! The seed's one prompt, `job_tool_usage`: what an agent should know to pick
//! between `create_job`, `wait_job` and the tools that inspect and steer a job.

use super::InstaHumanTools;
use rmcp::model::{GetPromptResult, PromptMessage, Role};
use rmcp::{prompt, prompt_router};

pub const JOB_TOOL_USAGE_DESCRIPTION: &str = "Agent-facing instructions for choosing between \
    create_job, wait_job, and follow-up status tools.";

/// Written for the model that calls the tools: what each tool is for, in the
/// order a job needs them, and the mistakes that cost money or time.
pub const JOB_TOOL_USAGE: &str = "\
# InstaHuman job tools: which one to call

A job pays real people (testers) to do something and report back. It has a number of tester \
slots and a reward per tester; creating it holds testers x reward from your balance in escrow. \
Testers take slots and submit feedback over minutes to hours. Nothing is paid until you approve.

## Starting and following a job
1. create_job posts the job and returns at once with its id and status \"active\". It does not \
wait for anyone. Keep the job_id.
2. wait_job(job_id) is the next call whenever you need the results before you can go on. It \
blocks until the job needs you: every tester slot has submitted, or the job was stopped and no \
tester is still working, or it is settling, settled, cancelled or disputed. It returns the job \
as get_job does.
   - If it returns the error \"Timeout waiting for job\", nothing went wrong: testers are still \
working. The error carries the job's status and next_action. Call wait_job(job_id) again, \
optionally with a longer timeout_seconds, or get_job(job_id) to see partial progress.
   - Do not loop on get_job to wait: wait_job wakes the moment the job changes and costs nothing \
while it waits.
3. get_job(job_id) answers at once with the job as it is now: status, slots taken, testers in \
progress, finished testers and their feedback, and the settlement once there is one. Use it to \
report progress or to decide whether to steer the job.
4. list_jobs lists your jobs, newest first (pass next as cursor for the next page). Use it to \
find a job_id you no longer have.

## Steering a running job
- pause_job stops new testers from starting; testers already working carry on. resume_job \
re-opens it.
- resize_job(job_id, tester_count) changes the number of slots: more slots hold more money, fewer \
release it. It cannot go below the testers already taken.
- stop_job is the graceful end: no new testers, those in progress finish. Follow it with \
wait_job, which returns once the last of them has submitted.
- cancel_job ends an active or paused job at once and releases everything not yet paid.

## Paying the testers
1. close_job(job_id) closes the job and begins settlement (status \"settling\"): it works out \
what each finished tester earned and keeps only that in escrow; the rest goes back to your \
balance. Close when you have the feedback you need, usually after wait_job returns; a tester \
still working when you close is not paid.
2. get_settlement_status(job_id) shows that settlement: each tester's earning, the platform \
fee and their payout, and the totals.
3. Then either approve_job(job_id), which pays the testers (status \"settled\"), or \
submit_dispute(job_id, reason) if the work is unacceptable: the money held for it goes back to \
you (status \"disputed\").

## Errors
A failed call is a result with isError and a JSON body {\"error\": \"...\"}. An error about the \
job's state (pausing a paused job, approving before close_job) means the job is not where that \
tool needs it: call get_job, read its status, and pick the tool that fits. Arguments are \
snake_case (job_id, tester_count), unlike the REST API's camelCase.
";

#[prompt_router(vis = "pub(super)")]
impl InstaHumanTools {
    #[prompt(name = "job_tool_usage", description = JOB_TOOL_USAGE_DESCRIPTION)]
    async fn job_tool_usage(&self) -> GetPromptResult {
        GetPromptResult::new(vec![PromptMessage::new_text(
            Role::User,
            JOB_TOOL_USAGE.to_owned(),
        )])
        .with_description(JOB_TOOL_USAGE_DESCRIPTION)
    }
}
