//! When a job needs its owner: what `wait_job` waits for. Until then the
//! testers are still at it and nothing is asked of the owner; from then on
//! the owner has something to decide (settle what finished, approve or
//! dispute the settlement) or nothing more will happen (the job is over).

use crate::task::{AssignmentStatus, Task, TaskStatus};

/// Whether the job this task is needs its owner now: every tester slot
/// finished (work handed in, whatever became of it since), or the job was
/// stopped with no tester still working, or it is settling, settled,
/// disputed or cancelled (a job that expired reads as cancelled).
pub fn needs_owner(task: &Task) -> bool {
    match task.status {
        TaskStatus::Settling
        | TaskStatus::Completed
        | TaskStatus::Cancelled
        | TaskStatus::Expired => true,
        // A tester still working holds a slot, so only they are waited for.
        TaskStatus::Stopped => !task.assignments.iter().any(is_working),
        TaskStatus::Open | TaskStatus::Paused => {
            task.slots > 0 && finished_slots(task) >= task.slots
        }
    }
}

fn is_working(assignment: &crate::task::Assignment) -> bool {
    assignment.status == AssignmentStatus::Active
}

/// Slots whose tester handed work in: awaiting review, or reviewed for good.
fn finished_slots(task: &Task) -> u32 {
    let finished = task.assignments.iter().filter(|a| {
        matches!(
            a.status,
            AssignmentStatus::Submitted | AssignmentStatus::Approved | AssignmentStatus::Disputed
        )
    });
    finished.count() as u32
}
