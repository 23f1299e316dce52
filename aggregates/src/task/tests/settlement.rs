//! Settling (InstaHuman's close and settle): settle, then approve or dispute
//! the settlement.

use super::*;
use crate::task::{AssignmentStatus, Earning};

fn settle() -> TaskCommand {
    TaskCommand::Settle {
        by: poster(),
        at: at(),
    }
}

fn approve_settlement() -> TaskCommand {
    TaskCommand::ApproveSettlement {
        by: poster(),
        at: at(),
    }
}

fn dispute_settlement() -> TaskCommand {
    TaskCommand::DisputeSettlement {
        reason: "The feedback was copied from another tester.".to_owned(),
        by: poster(),
        at: at(),
    }
}

/// What worker `n` earns for submission `n`: the reward less 18 %.
fn earning(n: u128) -> Earning {
    Earning {
        submission_id: submission(n),
        worker: worker_id(n),
        gross: usd(REWARD_CENTS),
        fee: usd(FEE_CENTS),
        payout: usd(PAYOUT_CENTS),
    }
}

fn settlement_opened(earnings: Vec<Earning>) -> TaskEvent {
    TaskEvent::SettlementOpened { earnings, at: at() }
}

fn settlement_disputed(n: u128) -> TaskEvent {
    TaskEvent::SubmissionDisputed {
        submission_id: submission(n),
        worker: Some(worker_id(n)),
        reason: "The feedback was copied from another tester.".to_owned(),
        at: at(),
    }
}

/// Four slots: worker 1 finished, worker 2 is still working, two are free.
fn half_done() -> Vec<TaskEvent> {
    vec![posted(4), assigned(1), submitted(1), assigned(2)]
}

/// `half_done` settled: worker 1 earns, three slots' escrow went back.
fn settling() -> Vec<TaskEvent> {
    let mut given = half_done();
    given.extend([
        settlement_opened(vec![earning(1)]),
        released(0, 3, "settled"),
    ]);
    given
}

#[test]
fn settling_ends_work_under_way_and_keeps_only_what_finished_testers_earned() {
    TaskTest::with(())
        .given(half_done())
        .when(settle())
        .then_expect_events(vec![
            settlement_opened(vec![earning(1)]),
            released(0, 3, "settled"),
        ]);
    let task = fold(&settling());
    assert_eq!(task.status, TaskStatus::Settling);
    assert_eq!(task.escrow_cents, REWARD_CENTS);
    assert_eq!(
        task.assignment(assignment(2)).unwrap().status,
        AssignmentStatus::Ended
    );
    let settlement = task.settlement.expect("a settlement");
    assert_eq!(settlement.earnings, vec![earning(1)]);
    assert_eq!(settlement.gross_cents(), REWARD_CENTS);
}

#[test]
fn a_paused_or_stopped_task_settles_too() {
    TaskTest::with(())
        .given(vec![
            posted(2),
            assigned(1),
            submitted(1),
            TaskEvent::TaskPaused { at: at() },
        ])
        .when(settle())
        .then_expect_events(vec![
            settlement_opened(vec![earning(1)]),
            released(0, 1, "settled"),
        ]);
    TaskTest::with(())
        .given(vec![
            posted(2),
            assigned(1),
            submitted(1),
            TaskEvent::TaskStopped { at: at() },
            released(0, 1, "stopped"),
        ])
        .when(settle())
        .then_expect_events(vec![settlement_opened(vec![earning(1)])]);
}

#[test]
fn a_task_with_no_finished_work_settles_paying_no_one() {
    TaskTest::with(())
        .given(vec![posted(2), assigned(1)])
        .when(settle())
        .then_expect_events(vec![
            settlement_opened(Vec::new()),
            released(0, 2, "settled"),
        ]);
}

#[test]
fn only_an_open_paused_or_stopped_task_settles() {
    let cases = [
        (settling(), "settling"),
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
    ];
    for (given, status) in cases {
        TaskTest::with(())
            .given(given)
            .when(settle())
            .then_expect_error(conflict(&format!("cannot settle a task that is {status}")));
    }
}

#[test]
fn only_the_poster_or_an_admin_settles() {
    for command in [settle(), approve_settlement(), dispute_settlement()] {
        let by_worker = match command.clone() {
            TaskCommand::Settle { at, .. } => TaskCommand::Settle { by: worker(1), at },
            TaskCommand::ApproveSettlement { at, .. } => {
                TaskCommand::ApproveSettlement { by: worker(1), at }
            }
            TaskCommand::DisputeSettlement { reason, at, .. } => TaskCommand::DisputeSettlement {
                reason,
                by: worker(1),
                at,
            },
            other => panic!("not a settlement command: {other:?}"),
        };
        TaskTest::with(())
            .given(settling())
            .when(by_worker)
            .then_expect_error(forbidden("only the task's poster may do this"));
    }
    assert!(fold(&half_done())
        .decide(&TaskCommand::Settle {
            by: admin(),
            at: at()
        })
        .is_ok());
}

#[test]
fn approving_the_settlement_pays_each_finished_tester_and_completes_the_task() {
    let mut given = vec![
        posted(3),
        assigned(1),
        submitted(1),
        assigned(2),
        submitted(2),
    ];
    given.extend([
        settlement_opened(vec![earning(1), earning(2)]),
        released(0, 1, "settled"),
    ]);
    TaskTest::with(())
        .given(given.clone())
        .when(approve_settlement())
        .then_expect_events(vec![approved(1), approved(2), completed()]);
    let task = after(&given, approve_settlement());
    assert_eq!(task.status, TaskStatus::Completed);
    assert_eq!(task.escrow_cents, 0);
    assert_eq!(task.paid_cents, 2 * REWARD_CENTS);
    assert_eq!(task.released_cents, REWARD_CENTS);
}

#[test]
fn approving_captures_the_hold_for_each_earning_and_pays_the_tester() {
    let (task, events) = decide(&settling(), approve_settlement());
    let commands = account_commands(&task, &events);
    assert_eq!(commands.len(), 2);
    assert!(matches!(
        &commands[0].1,
        AccountCommand::CaptureHold { gross, fee, payee, .. }
            if gross.cents == REWARD_CENTS && fee.cents == FEE_CENTS && *payee == worker_id(1)
    ));
    assert!(matches!(
        &commands[1],
        (account, AccountCommand::ReceivePayment { amount, .. })
            if account.owner == worker_id(1) && amount.cents == PAYOUT_CENTS
    ));
}

#[test]
fn a_settlement_that_pays_no_one_is_approved_into_a_completed_task() {
    TaskTest::with(())
        .given(vec![
            posted(2),
            settlement_opened(Vec::new()),
            released(0, 2, "settled"),
        ])
        .when(approve_settlement())
        .then_expect_events(vec![completed()]);
}

#[test]
fn disputing_the_settlement_refunds_the_finished_work_and_closes_the_task() {
    TaskTest::with(())
        .given(settling())
        .when(dispute_settlement())
        .then_expect_events(vec![
            settlement_disputed(1),
            TaskEvent::TaskCancelled { at: at() },
            released(1, 1, "disputed"),
        ]);
    let task = after(&settling(), dispute_settlement());
    assert_eq!(task.status, TaskStatus::Cancelled);
    assert_eq!(task.escrow_cents, 0);
    assert_eq!(task.paid_cents, 0);
    assert_eq!(task.released_cents, 4 * REWARD_CENTS);
}

#[test]
fn a_dispute_needs_a_reason_and_someone_to_dispute() {
    TaskTest::with(())
        .given(settling())
        .when(TaskCommand::DisputeSettlement {
            reason: "  ".to_owned(),
            by: poster(),
            at: at(),
        })
        .then_expect_error(invalid("a reason of 1 to 2000 characters is required"));
    TaskTest::with(())
        .given(vec![posted(2), settlement_opened(Vec::new()), released(0, 2, "settled")])
        .when(dispute_settlement())
        .then_expect_error(conflict(
            "the settlement pays no one, so there is nothing to dispute; approve it to close the task",
        ));
}

#[test]
fn a_settlement_is_approved_or_disputed_only_while_settling() {
    for (command, action) in [
        (approve_settlement(), "approve"),
        (dispute_settlement(), "dispute"),
    ] {
        TaskTest::with(())
            .given(half_done())
            .when(command.clone())
            .then_expect_error(conflict(&format!(
                "cannot {action} the settlement of a task that is open; settle it first"
            )));
        let mut done = settling();
        done.extend([approved(1), completed()]);
        TaskTest::with(())
            .given(done)
            .when(command)
            .then_expect_error(conflict(&format!(
                "cannot {action} the settlement of a task that is completed; settle it first"
            )));
    }
}

#[test]
fn a_settling_task_takes_no_work_and_reviews_only_through_its_settlement() {
    TaskTest::with(())
        .given(settling())
        .when(accept(3))
        .then_expect_error(conflict("the task is settling and takes no workers"));
    TaskTest::with(())
        .given(settling())
        .when(submit(2))
        .then_expect_error(conflict(
            "you have no assignment on this task awaiting work",
        ));
    let settling_refusal = conflict("the task is settling: approve or dispute its settlement");
    for command in [
        approve(1),
        reject(1),
        dispute(1),
        TaskCommand::ApprovePending {
            override_result: None,
            by: poster(),
            at: at(),
        },
        TaskCommand::DisputePending {
            reason: "no".to_owned(),
            by: poster(),
            at: at(),
        },
        TaskCommand::AutoApprove {
            submission_id: submission(1),
            at: later(i64::from(REVIEW_WINDOW_S)),
        },
    ] {
        TaskTest::with(())
            .given(settling())
            .when(command)
            .then_expect_error(settling_refusal.clone());
    }
    for (command, action) in [
        (
            TaskCommand::Pause {
                by: poster(),
                at: at(),
            },
            "pause",
        ),
        (
            TaskCommand::Resume {
                by: poster(),
                at: at(),
            },
            "resume",
        ),
        (
            TaskCommand::Stop {
                by: poster(),
                at: at(),
            },
            "stop",
        ),
        (
            TaskCommand::Cancel {
                by: poster(),
                at: at(),
            },
            "cancel",
        ),
        (
            TaskCommand::Resize {
                slots: 5,
                by: poster(),
                at: at(),
            },
            "resize",
        ),
        (TaskCommand::Expire { at: deadline() }, "expire"),
    ] {
        TaskTest::with(())
            .given(settling())
            .when(command)
            .then_expect_error(conflict(&format!(
                "cannot {action} a task that is settling"
            )));
    }
}

#[test]
fn money_is_conserved_through_a_settlement() {
    for last in [approve_settlement(), dispute_settlement()] {
        let mut given = vec![posted(3)];
        // Posting held three rewards.
        let held = 3 * REWARD_CENTS;
        let mut out = 0;
        for command in [accept(1), submit(1), accept(2), settle(), last.clone()] {
            let (task, events) = decide(&given, command);
            for (_, command) in account_commands(&task, &events) {
                match command {
                    AccountCommand::CaptureHold { gross, .. } => out += gross.cents,
                    AccountCommand::ReleaseHold { amount, .. } => out += amount.cents,
                    _ => {}
                }
            }
            given.extend(events);
        }
        let task = fold(&given);
        assert_eq!(out, held, "everything held is paid or released");
        assert_eq!(task.escrow_cents, 0);
        assert!(task.status.is_terminal());
    }
}
