//! The poster's controls: pause, resume, stop, cancel, resize.

use super::*;
use crate::money::{MoneyError, MAX_AMOUNT_CENTS};
use crate::task::{AssignmentStatus, SLOTS_MAX};

fn pause() -> TaskCommand {
    TaskCommand::Pause {
        by: poster(),
        at: at(),
    }
}

fn resume() -> TaskCommand {
    TaskCommand::Resume {
        by: poster(),
        at: at(),
    }
}

fn stop() -> TaskCommand {
    TaskCommand::Stop {
        by: poster(),
        at: at(),
    }
}

fn cancel() -> TaskCommand {
    TaskCommand::Cancel {
        by: poster(),
        at: at(),
    }
}

fn resize(slots: u32) -> TaskCommand {
    TaskCommand::Resize {
        slots,
        by: poster(),
        at: at(),
    }
}

fn paused() -> TaskEvent {
    TaskEvent::TaskPaused { at: at() }
}

fn stopped() -> TaskEvent {
    TaskEvent::TaskStopped { at: at() }
}

fn cancelled() -> TaskEvent {
    TaskEvent::TaskCancelled { at: at() }
}

fn expired() -> TaskEvent {
    TaskEvent::TaskExpired { at: deadline() }
}

fn resized(slots: u32) -> TaskEvent {
    TaskEvent::TaskResized { slots, at: at() }
}

fn increased(rewards: i64) -> TaskEvent {
    TaskEvent::EscrowIncreased {
        amount: usd(rewards * REWARD_CENTS),
        at: at(),
    }
}

/// A finished one-slot task.
fn completed_task() -> Vec<TaskEvent> {
    vec![
        posted(1),
        assigned(1),
        submitted(1),
        approved(1),
        completed(),
    ]
}

fn with_caller(command: TaskCommand, caller: Caller) -> TaskCommand {
    match command {
        TaskCommand::Pause { at, .. } => TaskCommand::Pause { by: caller, at },
        TaskCommand::Resume { at, .. } => TaskCommand::Resume { by: caller, at },
        TaskCommand::Stop { at, .. } => TaskCommand::Stop { by: caller, at },
        TaskCommand::Cancel { at, .. } => TaskCommand::Cancel { by: caller, at },
        TaskCommand::Resize { slots, at, .. } => TaskCommand::Resize {
            slots,
            by: caller,
            at,
        },
        other => panic!("not a poster's control: {other:?}"),
    }
}

// ---- who ----

#[test]
fn only_the_poster_or_an_admin_controls_the_task() {
    for command in [pause(), stop(), cancel(), resize(2)] {
        TaskTest::with(())
            .given(vec![posted(1)])
            .when(with_caller(command.clone(), worker(1)))
            .then_expect_error(forbidden("only the task's poster may do this"));
        TaskTest::with(())
            .given(vec![posted(1)])
            .when(with_caller(command.clone(), banned(poster())))
            .then_expect_error(forbidden("actor is banned"));
        assert!(fold(&[posted(1)])
            .decide(&with_caller(command, admin()))
            .is_ok());
    }
    TaskTest::with(())
        .given(vec![posted(1), paused()])
        .when(with_caller(resume(), worker(1)))
        .then_expect_error(forbidden("only the task's poster may do this"));
}

#[test]
fn a_frozen_poster_may_still_pause_stop_and_cancel() {
    for (command, event) in [(pause(), paused()), (stop(), stopped())] {
        TaskTest::with(())
            .given(vec![posted(1), assigned(1)])
            .when(with_caller(command, frozen(poster())))
            .then_expect_events(vec![event]);
    }
    TaskTest::with(())
        .given(vec![posted(1)])
        .when(with_caller(cancel(), frozen(poster())))
        .then_expect_events(vec![cancelled(), released(0, 1, "cancelled")]);
}

// ---- pause and resume ----

#[test]
fn pausing_an_open_task_keeps_its_escrow() {
    TaskTest::with(())
        .given(vec![posted(2)])
        .when(pause())
        .then_expect_events(vec![paused()]);
}

#[test]
fn only_an_open_task_can_be_paused() {
    let cases = [
        (vec![posted(1), paused()], "paused"),
        (
            vec![posted(1), stopped(), released(0, 1, "stopped")],
            "stopped",
        ),
        (
            vec![posted(1), cancelled(), released(0, 1, "cancelled")],
            "cancelled",
        ),
        (
            vec![posted(1), expired(), released(0, 1, "expired")],
            "expired",
        ),
        (completed_task(), "completed"),
    ];
    for (given, status) in cases {
        TaskTest::with(())
            .given(given)
            .when(pause())
            .then_expect_error(conflict(&format!("cannot pause a task that is {status}")));
    }
}

#[test]
fn resuming_a_paused_task_opens_it() {
    TaskTest::with(())
        .given(vec![posted(1), paused()])
        .when(resume())
        .then_expect_events(vec![TaskEvent::TaskResumed { at: at() }]);
    assert_eq!(
        state_of(&[posted(1), paused(), TaskEvent::TaskResumed { at: at() }]),
        TaskStatus::Open
    );
}

#[test]
fn only_a_paused_task_can_be_resumed() {
    for (given, status) in [
        (vec![posted(1)], "open"),
        (
            vec![posted(1), stopped(), released(0, 1, "stopped")],
            "stopped",
        ),
    ] {
        TaskTest::with(())
            .given(given)
            .when(resume())
            .then_expect_error(conflict(&format!("cannot resume a task that is {status}")));
    }
}

// ---- stop ----

#[test]
fn stopping_releases_only_the_free_slots_money() {
    // Three slots: one being worked on, one awaiting review, one free.
    let given = [posted(3), assigned(1), assigned(2), submitted(2)];
    TaskTest::with(())
        .given(given.to_vec())
        .when(stop())
        .then_expect_events(vec![stopped(), released(0, 1, "stopped")]);
    let task = after(&given, stop());
    assert_eq!(task.escrow_cents, 2 * REWARD_CENTS);
    assert_eq!(task.status, TaskStatus::Stopped);
}

#[test]
fn stopping_with_every_slot_taken_releases_nothing() {
    TaskTest::with(())
        .given(vec![posted(2), assigned(1), assigned(2)])
        .when(stop())
        .then_expect_events(vec![stopped()]);
}

#[test]
fn a_paused_task_can_be_stopped() {
    TaskTest::with(())
        .given(vec![posted(2), paused()])
        .when(stop())
        .then_expect_events(vec![stopped(), released(0, 2, "stopped")]);
}

#[test]
fn stopping_twice_or_after_the_end_is_a_conflict() {
    for (given, status) in [
        (
            vec![posted(1), stopped(), released(0, 1, "stopped")],
            "stopped",
        ),
        (
            vec![posted(1), cancelled(), released(0, 1, "cancelled")],
            "cancelled",
        ),
        (
            vec![posted(1), expired(), released(0, 1, "expired")],
            "expired",
        ),
        (completed_task(), "completed"),
    ] {
        TaskTest::with(())
            .given(given)
            .when(stop())
            .then_expect_error(conflict(&format!("cannot stop a task that is {status}")));
    }
}

#[test]
fn work_under_way_on_a_stopped_task_is_still_paid() {
    let given = [
        posted(2),
        assigned(1),
        submitted(1),
        stopped(),
        released(0, 1, "stopped"),
    ];
    TaskTest::with(())
        .given(given.to_vec())
        .when(approve(1))
        .then_expect_events(vec![approved(1)]);
    let task = after(&given, approve(1));
    assert_eq!(task.escrow_cents, 0);
    assert_eq!(task.status, TaskStatus::Stopped);
}

// ---- cancel ----

#[test]
fn cancelling_releases_the_whole_escrow() {
    TaskTest::with(())
        .given(vec![posted(3)])
        .when(cancel())
        .then_expect_events(vec![cancelled(), released(0, 3, "cancelled")]);
}

#[test]
fn cancelling_ends_active_assignments_and_releases_their_money() {
    let given = [posted(3), assigned(1), assigned(2)];
    TaskTest::with(())
        .given(given.to_vec())
        .when(cancel())
        .then_expect_events(vec![cancelled(), released(0, 3, "cancelled")]);
    let task = after(&given, cancel());
    assert!(task
        .assignments
        .iter()
        .all(|a| a.status == AssignmentStatus::Ended));
    assert_eq!(task.escrow_cents, 0);
    TaskTest::with(())
        .given(
            [
                given.to_vec(),
                vec![cancelled(), released(0, 3, "cancelled")],
            ]
            .concat(),
        )
        .when(submit(1))
        .then_expect_error(conflict(
            "you have no assignment on this task awaiting work",
        ));
}

#[test]
fn cancelling_keeps_what_was_already_paid() {
    TaskTest::with(())
        .given(vec![posted(3), assigned(1), submitted(1), approved(1)])
        .when(cancel())
        .then_expect_events(vec![cancelled(), released(0, 2, "cancelled")]);
}

#[test]
fn cancelling_is_refused_while_submissions_await_review() {
    TaskTest::with(())
        .given(vec![posted(2), assigned(1), submitted(1)])
        .when(cancel())
        .then_expect_error(conflict(
            "submissions are waiting for review; approve, reject or dispute them first",
        ));
}

#[test]
fn a_stopped_task_can_be_cancelled_releasing_the_work_under_way() {
    TaskTest::with(())
        .given(vec![
            posted(2),
            assigned(1),
            stopped(),
            released(0, 1, "stopped"),
        ])
        .when(cancel())
        .then_expect_events(vec![cancelled(), released(1, 1, "cancelled")]);
}

#[test]
fn cancelling_twice_or_after_the_end_is_a_conflict() {
    for (given, status) in [
        (
            vec![posted(1), cancelled(), released(0, 1, "cancelled")],
            "cancelled",
        ),
        (
            vec![posted(1), expired(), released(0, 1, "expired")],
            "expired",
        ),
        (completed_task(), "completed"),
    ] {
        TaskTest::with(())
            .given(given)
            .when(cancel())
            .then_expect_error(conflict(&format!("cannot cancel a task that is {status}")));
    }
}

// ---- resize ----

#[test]
fn resizing_up_escrows_the_new_slots() {
    TaskTest::with(())
        .given(vec![posted(2)])
        .when(resize(5))
        .then_expect_events(vec![resized(5), increased(3)]);
    let (task, events) = decide(&[posted(2)], resize(5));
    assert_eq!(
        account_commands(&task, &events),
        vec![(
            poster_account(),
            AccountCommand::IncreaseHold {
                hold_id: HOLD,
                amount: usd(1_500),
                at: at(),
            }
        )]
    );
}

#[test]
fn a_frozen_poster_cannot_resize_up() {
    TaskTest::with(())
        .given(vec![posted(2)])
        .when(with_caller(resize(3), frozen(poster())))
        .then_expect_error(frozen_refusal());
}

#[test]
fn resizing_down_releases_the_dropped_slots() {
    TaskTest::with(())
        .given(vec![posted(5), assigned(1)])
        .when(resize(2))
        .then_expect_events(vec![resized(2), released(0, 3, "resized")]);
    // Spending nothing, a frozen poster may shrink a task.
    TaskTest::with(())
        .given(vec![posted(5), assigned(1)])
        .when(with_caller(resize(2), frozen(poster())))
        .then_expect_events(vec![resized(2), released(0, 3, "resized")]);
}

#[test]
fn a_paused_task_can_be_resized() {
    TaskTest::with(())
        .given(vec![posted(2), paused()])
        .when(resize(1))
        .then_expect_events(vec![resized(1), released(0, 1, "resized")]);
}

#[test]
fn resizing_below_the_slots_taken_or_paid_is_refused() {
    TaskTest::with(())
        .given(vec![
            posted(4),
            assigned(1),
            submitted(1),
            approved(1),
            assigned(2),
            assigned(3),
        ])
        .when(resize(2))
        .then_expect_error(conflict("3 slots are taken or paid; cannot shrink to 2"));
}

#[test]
fn resizing_down_to_the_slots_paid_completes_the_task() {
    TaskTest::with(())
        .given(vec![posted(3), assigned(1), submitted(1), approved(1)])
        .when(resize(1))
        .then_expect_events(vec![resized(1), released(0, 2, "resized"), completed()]);
}

#[test]
fn resizing_to_the_same_count_is_a_conflict() {
    TaskTest::with(())
        .given(vec![posted(2)])
        .when(resize(2))
        .then_expect_error(conflict("the task already has 2 slots"));
}

#[test]
fn resizing_keeps_slots_within_1_to_500() {
    for slots in [0, SLOTS_MAX + 1] {
        TaskTest::with(())
            .given(vec![posted(2)])
            .when(resize(slots))
            .then_expect_error(invalid(&format!("slots must be 1 to {SLOTS_MAX}")));
    }
}

#[test]
fn resizing_up_past_the_largest_escrow_is_refused() {
    let task = new_task_with(|t| t.reward = usd(MAX_AMOUNT_CENTS));
    TaskTest::with(())
        .given(vec![posted_task(&task)])
        .when(resize(2))
        .then_expect_error(DomainError::Money(MoneyError::TooLarge));
}

#[test]
fn a_stopped_or_finished_task_cannot_be_resized() {
    for (given, status) in [
        (
            vec![posted(1), stopped(), released(0, 1, "stopped")],
            "stopped",
        ),
        (
            vec![posted(1), cancelled(), released(0, 1, "cancelled")],
            "cancelled",
        ),
        (completed_task(), "completed"),
    ] {
        TaskTest::with(())
            .given(given)
            .when(resize(3))
            .then_expect_error(conflict(&format!("cannot resize a task that is {status}")));
    }
}
