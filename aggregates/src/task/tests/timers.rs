//! Commands fired by timers: auto-approval, abandonment, expiry.

use super::*;
use crate::task::AssignmentStatus;

fn auto_approve(n: u128, when: Timestamp) -> TaskCommand {
    TaskCommand::AutoApprove {
        submission_id: submission(n),
        at: when,
    }
}

fn abandon(n: u128, when: Timestamp) -> TaskCommand {
    TaskCommand::AbandonAssignment {
        assignment_id: assignment(n),
        at: when,
    }
}

fn expire(when: Timestamp) -> TaskCommand {
    TaskCommand::Expire { at: when }
}

fn review_due() -> Timestamp {
    later(i64::from(REVIEW_WINDOW_S))
}

fn time_limit() -> Timestamp {
    later(i64::from(TIME_LIMIT_S))
}

fn abandoned(n: u128) -> TaskEvent {
    TaskEvent::AssignmentAbandoned {
        assignment_id: assignment(n),
        at: time_limit(),
    }
}

fn expired() -> TaskEvent {
    TaskEvent::TaskExpired { at: deadline() }
}

// ---- auto-approval ----

#[test]
fn a_submission_is_approved_when_its_review_window_ends() {
    TaskTest::with(())
        .given(vec![posted(1), assigned(1), submitted(1)])
        .when(auto_approve(1, review_due()))
        .then_expect_events(vec![
            with!(
                approved(1),
                SubmissionApproved {
                    auto: true,
                    at: review_due(),
                }
            ),
            TaskEvent::TaskCompleted { at: review_due() },
        ]);
}

#[test]
fn auto_approval_waits_for_the_review_window() {
    TaskTest::with(())
        .given(vec![posted(1), assigned(1), submitted(1)])
        .when(auto_approve(1, review_due() - Duration::seconds(1)))
        .then_expect_error(conflict("the review window is still open"));
}

#[test]
fn without_a_review_window_nothing_is_auto_approved() {
    let task = new_task_with(|t| t.review_window_s = None);
    let submitted_without_window = with!(
        submitted(1),
        WorkSubmitted {
            review_due_at: None,
        }
    );
    TaskTest::with(())
        .given(vec![
            posted_task(&task),
            assigned(1),
            submitted_without_window,
        ])
        .when(auto_approve(1, later(90 * 24 * 3_600)))
        .then_expect_error(conflict("the review window is still open"));
}

#[test]
fn auto_approval_applies_only_to_pending_submissions() {
    for (review, status) in [(approved(1), "approved"), (rejected(1), "rejected")] {
        TaskTest::with(())
            .given(vec![posted(2), assigned(1), submitted(1), review])
            .when(auto_approve(1, review_due()))
            .then_expect_error(conflict(&format!("the submission is already {status}")));
    }
    TaskTest::with(())
        .given(vec![posted(1)])
        .when(auto_approve(1, review_due()))
        .then_expect_error(DomainError::NotFound("submission"));
}

// ---- abandonment ----

#[test]
fn an_assignment_past_its_time_limit_is_abandoned_and_its_slot_freed() {
    let given = [posted(1), assigned(1)];
    TaskTest::with(())
        .given(given.to_vec())
        .when(abandon(1, time_limit()))
        .then_expect_events(vec![abandoned(1)]);
    let task = after(&given, abandon(1, time_limit()));
    assert_eq!(task.open_slots(), 1);
    assert_eq!(task.escrow_cents, REWARD_CENTS);
    TaskTest::with(())
        .given(vec![posted(1), assigned(1), abandoned(1)])
        .when(accept(2))
        .then_expect_events(vec![assigned(2)]);
}

#[test]
fn an_assignment_is_not_abandoned_before_its_time_limit() {
    TaskTest::with(())
        .given(vec![posted(1), assigned(1)])
        .when(abandon(1, time_limit() - Duration::seconds(1)))
        .then_expect_error(conflict("the assignment's time limit has not passed"));
}

#[test]
fn an_assignment_without_a_time_limit_is_never_abandoned() {
    let task = new_task_with(|t| t.assignment_time_limit_s = None);
    let assigned_forever = with!(assigned(1), TaskAssigned { expires_at: None });
    TaskTest::with(())
        .given(vec![posted_task(&task), assigned_forever])
        .when(abandon(1, deadline()))
        .then_expect_error(conflict("the assignment's time limit has not passed"));
}

#[test]
fn only_an_active_assignment_is_abandoned() {
    for given in [
        vec![posted(1), assigned(1), submitted(1)],
        vec![posted(1), assigned(1), abandoned(1)],
    ] {
        TaskTest::with(())
            .given(given)
            .when(abandon(1, time_limit()))
            .then_expect_error(conflict("the assignment is no longer active"));
    }
    TaskTest::with(())
        .given(vec![posted(1)])
        .when(abandon(1, time_limit()))
        .then_expect_error(DomainError::NotFound("assignment"));
}

#[test]
fn abandoning_on_a_stopped_task_releases_that_slots_reward() {
    TaskTest::with(())
        .given(vec![
            posted(2),
            assigned(1),
            TaskEvent::TaskStopped { at: at() },
            released(0, 1, "stopped"),
        ])
        .when(abandon(1, time_limit()))
        .then_expect_events(vec![
            abandoned(1),
            released_at(1, 1, "abandoned", time_limit()),
        ]);
}

// ---- expiry ----

#[test]
fn expiry_ends_active_work_and_keeps_money_only_for_pending_submissions() {
    // Three slots: one being worked on, one awaiting review, one free.
    let given = [posted(3), assigned(1), assigned(2), submitted(2)];
    TaskTest::with(())
        .given(given.to_vec())
        .when(expire(deadline()))
        .then_expect_events(vec![expired(), released_at(0, 2, "expired", deadline())]);
    let task = after(&given, expire(deadline()));
    assert_eq!(task.status, TaskStatus::Expired);
    assert_eq!(task.escrow_cents, REWARD_CENTS);
    assert_eq!(
        task.assignment(assignment(1)).unwrap().status,
        AssignmentStatus::Ended
    );
    assert_eq!(
        task.assignment(assignment(2)).unwrap().status,
        AssignmentStatus::Submitted
    );
}

#[test]
fn a_task_does_not_expire_before_its_deadline() {
    TaskTest::with(())
        .given(vec![posted(1)])
        .when(expire(deadline() - Duration::seconds(1)))
        .then_expect_error(conflict("the deadline has not passed"));
}

#[test]
fn a_task_without_a_deadline_never_expires() {
    let task = new_task_with(|t| t.deadline = None);
    TaskTest::with(())
        .given(vec![posted_task(&task)])
        .when(expire(later(365 * 24 * 3_600)))
        .then_expect_error(conflict("the deadline has not passed"));
}

#[test]
fn paused_and_stopped_tasks_expire_too() {
    TaskTest::with(())
        .given(vec![posted(2), TaskEvent::TaskPaused { at: at() }])
        .when(expire(deadline()))
        .then_expect_events(vec![expired(), released_at(0, 2, "expired", deadline())]);
    TaskTest::with(())
        .given(vec![
            posted(2),
            assigned(1),
            TaskEvent::TaskStopped { at: at() },
            released(0, 1, "stopped"),
        ])
        .when(expire(deadline()))
        .then_expect_events(vec![expired(), released_at(1, 1, "expired", deadline())]);
}

#[test]
fn a_finished_task_does_not_expire() {
    for (given, status) in [
        (
            vec![posted(1), expired(), released(0, 1, "expired")],
            "expired",
        ),
        (
            vec![
                posted(1),
                TaskEvent::TaskCancelled { at: at() },
                released(0, 1, "cancelled"),
            ],
            "cancelled",
        ),
        (
            vec![
                posted(1),
                assigned(1),
                submitted(1),
                approved(1),
                completed(),
            ],
            "completed",
        ),
    ] {
        TaskTest::with(())
            .given(given)
            .when(expire(deadline()))
            .then_expect_error(conflict(&format!("cannot expire a task that is {status}")));
    }
}

#[test]
fn work_pending_at_expiry_can_still_be_approved() {
    let given = [
        posted(2),
        assigned(1),
        submitted(1),
        expired(),
        released_at(0, 1, "expired", deadline()),
    ];
    TaskTest::with(())
        .given(given.to_vec())
        .when(approve(1))
        .then_expect_events(vec![approved(1)]);
    let task = after(&given, approve(1));
    assert_eq!(task.status, TaskStatus::Expired);
    assert_eq!(task.escrow_cents, 0);
}

#[test]
fn work_rejected_after_expiry_is_refunded() {
    TaskTest::with(())
        .given(vec![
            posted(2),
            assigned(1),
            submitted(1),
            expired(),
            released_at(0, 1, "expired", deadline()),
        ])
        .when(reject(1))
        .then_expect_events(vec![rejected(1), released(1, 1, "rejected")]);
}

#[test]
fn work_ended_by_expiry_cannot_be_submitted() {
    TaskTest::with(())
        .given(vec![
            posted(1),
            assigned(1),
            expired(),
            released_at(0, 1, "expired", deadline()),
        ])
        .when(submit(1))
        .then_expect_error(conflict(
            "you have no assignment on this task awaiting work",
        ));
}
