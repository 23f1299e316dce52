//! `wait_job`: blocks until the job needs its owner (the domain says when:
//! `instahuman::needs_owner`), waiting on the journal's commits through
//! [`CommandBus::wait_until`](crate::bus::CommandBus::wait_until), which reads
//! only the job's stream, and only when the journal moved. Bounded twice: in
//! time (`timeout_seconds`, at most [`WAIT_TIMEOUT_SECONDS_MAX`]) and in
//! number (at most [`JOB_WAITERS_MAX`] calls waiting at once).

use crate::bus::commands::task_stream;
use crate::bus::Waited;
use crate::http::instahuman::jobs::{job_project, own_job};
use crate::http::instahuman::views::{job_json, status_of};
use crate::http::instahuman::{Caller, InstaHumanError, InstaHumanResult, Scope};
use crate::http::state::AppState;
use errand_aggregates::instahuman::needs_owner;
use errand_aggregates::task::Task;
use serde_json::{json, Value};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// What `wait_job` waits when the agent does not say: under a minute, so an
/// MCP client's own request timeout (often 60 s) does not cut it first.
pub const WAIT_TIMEOUT_SECONDS_DEFAULT: u64 = 50;
/// The longest one call waits. Testers take minutes to hours; an agent that
/// wants to wait longer calls again, as the timeout's next_action says, and a
/// call held open longer ties up a connection for little gain.
pub const WAIT_TIMEOUT_SECONDS_MAX: u64 = 300;
/// `wait_job` calls waiting at once per endpoint and process. Each holds an
/// HTTP request open and reads its job's stream when the journal moves (at
/// most five times a second), so this bounds both; past it the call is
/// refused at once (retry shortly, or read get_job).
pub const JOB_WAITERS_MAX: usize = 256;

const TIMEOUT_ERROR: &str = "Timeout waiting for job";
const TIMEOUT_NEXT_ACTION: &str = "Call wait_job(job_id) again to resume waiting, or use \
    get_job(job_id) to inspect progress.";

/// How a `wait_job` call ended, short of a refusal.
pub enum JobWait {
    /// The job needs its owner: the job, as get_job answers it.
    Reached(Value),
    /// The time ran out: the seed's timeout payload.
    TimedOut(Value),
}

/// Waits for the caller's job `job_id` to need its owner, for at most
/// `timeout_seconds`.
pub async fn wait_job(
    app: &AppState,
    waiters: &Semaphore,
    caller: &Caller,
    job_id: &str,
    timeout_seconds: Option<u64>,
) -> InstaHumanResult<JobWait> {
    let principal = caller.require(Scope::Read)?;
    let timeout = timeout(timeout_seconds)?;
    let (task_id, _) = own_job(app, principal, job_id).await?;
    let _waiting = waiters.try_acquire().map_err(|_| {
        InstaHumanError::Unavailable(
            "Too many wait_job calls are waiting; retry shortly, or use get_job(job_id).".into(),
        )
    })?;
    let deadline = Instant::now() + timeout;
    let waited = app
        .bus
        .wait_until::<Task>(&task_stream(task_id), deadline, needs_owner)
        .await?;
    Ok(match waited {
        Waited::Reached(task) => {
            let project = job_project(app, task_id).await?;
            JobWait::Reached(job_json(&task, project))
        }
        Waited::TimedOut(task) => JobWait::TimedOut(timeout_payload(&task_id.0.to_string(), &task)),
    })
}

fn timeout(seconds: Option<u64>) -> InstaHumanResult<Duration> {
    let seconds = seconds.unwrap_or(WAIT_TIMEOUT_SECONDS_DEFAULT);
    if !(1..=WAIT_TIMEOUT_SECONDS_MAX).contains(&seconds) {
        return Err(InstaHumanError::bad_request(format!(
            "timeout_seconds must be 1 to {WAIT_TIMEOUT_SECONDS_MAX}"
        )));
    }
    Ok(Duration::from_secs(seconds))
}

/// The seed's payload for a wait that ran out of time.
fn timeout_payload(job_id: &str, task: &Task) -> Value {
    json!({
        "error": TIMEOUT_ERROR,
        "job_id": job_id,
        "status": status_of(task),
        "next_action": TIMEOUT_NEXT_ACTION,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_is_one_second_to_the_maximum() {
        assert_eq!(
            timeout(None).ok(),
            Some(Duration::from_secs(WAIT_TIMEOUT_SECONDS_DEFAULT))
        );
        assert_eq!(timeout(Some(1)).ok(), Some(Duration::from_secs(1)));
        assert!(timeout(Some(WAIT_TIMEOUT_SECONDS_MAX)).is_ok());
        assert!(timeout(Some(0)).is_err());
        assert!(timeout(Some(WAIT_TIMEOUT_SECONDS_MAX + 1)).is_err());
    }

    #[test]
    fn the_timeout_payload_is_the_seeds() {
        let payload = timeout_payload("0190-job", &Task::default());
        assert_eq!(payload["error"], "Timeout waiting for job");
        assert_eq!(payload["job_id"], "0190-job");
        assert_eq!(payload["status"], "active");
        assert_eq!(
            payload["next_action"],
            "Call wait_job(job_id) again to resume waiting, or use get_job(job_id) to inspect progress."
        );
    }
}
