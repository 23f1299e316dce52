//! When an InstaHuman job needs its owner (`instahuman::needs_owner`, what
//! `wait_job` waits for): given a job's events, then whether it does.

use super::*;
use crate::instahuman::needs_owner;

fn needs_owner_after(given: &[TaskEvent]) -> bool {
    needs_owner(&fold(given))
}

#[test]
fn a_job_with_testers_still_to_come_or_working_does_not_need_its_owner() {
    assert!(!needs_owner_after(&[posted(2)]));
    assert!(!needs_owner_after(&[posted(2), assigned(1), submitted(1)]));
    assert!(!needs_owner_after(&[
        posted(2),
        assigned(1),
        submitted(1),
        assigned(2)
    ]));
}

#[test]
fn a_job_whose_every_slot_handed_work_in_needs_its_owner() {
    let mut given = vec![posted(2), assigned(1), submitted(1), assigned(2)];
    given.push(submitted(2));
    assert!(needs_owner_after(&given));
    // Reviewed work still counts as finished.
    given.push(approved(1));
    assert!(needs_owner_after(&given));
    // Paused or not.
    let paused = [posted(1), assigned(1), TaskEvent::TaskPaused { at: at() }];
    assert!(!needs_owner_after(&paused));
    let mut paused = paused.to_vec();
    paused.push(submitted(1));
    assert!(needs_owner_after(&paused));
}

#[test]
fn a_slot_freed_by_rejected_work_is_waited_for_again() {
    let given = [posted(1), assigned(1), submitted(1), rejected(1)];
    assert!(!needs_owner_after(&given));
}

#[test]
fn a_stopped_job_needs_its_owner_once_no_tester_is_working() {
    let stopped = TaskEvent::TaskStopped { at: at() };
    assert!(needs_owner_after(&[posted(3), stopped.clone()]));
    let working = [posted(3), assigned(1), stopped.clone()];
    assert!(!needs_owner_after(&working));
    let mut finished = working.to_vec();
    finished.push(submitted(1));
    assert!(needs_owner_after(&finished));
}

#[test]
fn a_settling_or_ended_job_needs_its_owner() {
    let half_done = [posted(2), assigned(1), submitted(1), assigned(2)];
    let settling = after(
        &half_done,
        TaskCommand::Settle {
            by: poster(),
            at: at(),
        },
    );
    assert_eq!(settling.status, TaskStatus::Settling);
    assert!(needs_owner(&settling));
    for end in [
        TaskEvent::TaskCancelled { at: at() },
        TaskEvent::TaskExpired { at: deadline() },
        completed(),
    ] {
        let mut given = half_done.to_vec();
        given.push(end);
        assert!(needs_owner_after(&given), "{:?}", given.last());
    }
}
