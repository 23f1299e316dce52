//! InstaHuman's rules that are not one aggregate's own: what a job may ask
//! of its testers (`catalog`), and the job's status word, derived from its
//! `Task`. A job is a `Task` taken first come, first served, one slot per
//! tester; the dialect applies these, so no rule lives in `src/http/`.

pub mod attention;
pub mod catalog;

pub use attention::needs_owner;

use crate::task::TaskStatus;

/// The words a job's status takes.
pub const JOB_STATUSES: [&str; 7] = [
    "active",
    "paused",
    "stopped",
    "settling",
    "settled",
    "disputed",
    "cancelled",
];

/// A job's status from its task's status and how many of its testers'
/// submissions were disputed: active ⇄ paused → stopped → settling →
/// settled (approved, or every slot paid) or disputed (a closed task with
/// disputed work); a job that ended otherwise (cancelled, or past a
/// deadline) is cancelled.
pub fn job_status(status: TaskStatus, disputed: i64) -> &'static str {
    match status {
        TaskStatus::Open => "active",
        TaskStatus::Paused => "paused",
        TaskStatus::Stopped => "stopped",
        TaskStatus::Settling => "settling",
        TaskStatus::Completed => "settled",
        TaskStatus::Cancelled if disputed > 0 => "disputed",
        TaskStatus::Cancelled | TaskStatus::Expired => "cancelled",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_task_status_reads_as_a_job_status() {
        assert_eq!(job_status(TaskStatus::Open, 0), "active");
        assert_eq!(job_status(TaskStatus::Paused, 0), "paused");
        assert_eq!(job_status(TaskStatus::Stopped, 0), "stopped");
        assert_eq!(job_status(TaskStatus::Settling, 0), "settling");
        assert_eq!(job_status(TaskStatus::Completed, 1), "settled");
        assert_eq!(job_status(TaskStatus::Cancelled, 2), "disputed");
        assert_eq!(job_status(TaskStatus::Cancelled, 0), "cancelled");
        assert_eq!(job_status(TaskStatus::Expired, 0), "cancelled");
        for status in [
            TaskStatus::Open,
            TaskStatus::Settling,
            TaskStatus::Cancelled,
        ] {
            assert!(JOB_STATUSES.contains(&job_status(status, 1)));
        }
    }
}
