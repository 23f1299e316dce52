//! The escrow's bookkeeping: settlement ids and the account commands a task's
//! events imply.

use super::*;

#[test]
fn release_settlement_ids_are_derived_from_the_hold_and_count() {
    // First release: a dispute. Second: stopping. Third: cancelling.
    let mut given = vec![posted(4), assigned(1), submitted(1), assigned(2)];
    let (_, first) = decide(&given, dispute(1));
    assert_eq!(first, vec![disputed(1), released(0, 1, "disputed")]);
    given.extend(first);

    let (_, second) = decide(
        &given,
        TaskCommand::Stop {
            by: poster(),
            at: at(),
        },
    );
    assert_eq!(
        second,
        vec![
            TaskEvent::TaskStopped { at: at() },
            released(1, 2, "stopped")
        ]
    );
    given.extend(second);

    let (_, third) = decide(
        &given,
        TaskCommand::Cancel {
            by: poster(),
            at: at(),
        },
    );
    assert_eq!(
        third,
        vec![
            TaskEvent::TaskCancelled { at: at() },
            released(2, 1, "cancelled")
        ]
    );

    let ids = [release_id(0), release_id(1), release_id(2)];
    assert!(ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2]);
}

#[test]
fn deciding_the_same_command_twice_gives_the_same_release() {
    let given = [posted(2), assigned(1), submitted(1)];
    assert_eq!(decide(&given, dispute(1)).1, decide(&given, dispute(1)).1);
}

#[test]
fn another_task_releases_under_other_ids() {
    let other = new_task_with(|t| {
        t.task_id = TaskId(Uuid::from_u128(0x7a5d));
        t.hold_id = HoldId(Uuid::from_u128(0x401e));
    });
    let (_, events) = decide(
        &[posted_task(&other)],
        TaskCommand::Cancel {
            by: poster(),
            at: at(),
        },
    );
    let TaskEvent::EscrowReleased { settlement_id, .. } = events[1] else {
        panic!("expected a release, got {events:?}");
    };
    assert_ne!(settlement_id, release_id(0));
}

#[test]
fn an_approval_settles_under_its_submissions_id() {
    let (_, events) = decide(&[posted(2), assigned(1), submitted(1)], approve(1));
    assert!(matches!(
        events[0],
        TaskEvent::SubmissionApproved { settlement_id, .. } if settlement_id == SettlementId(submission(1).0)
    ));
}

#[test]
fn events_that_move_no_money_imply_no_account_commands() {
    let task = fold(&[posted(2), assigned(1), submitted(1)]);
    let events = [
        applied(3),
        assigned(2),
        submitted(2),
        rejected(1),
        TaskEvent::TaskPaused { at: at() },
        TaskEvent::TaskResumed { at: at() },
        TaskEvent::TaskResized { slots: 2, at: at() },
        completed(),
    ];
    assert!(account_commands(&task, &events).is_empty());
}

#[test]
fn the_escrow_follows_every_movement() {
    let mut given = vec![posted(3)];
    let mut ledger_cents = 0;
    let steps = [
        accept(1),
        submit(1),
        approve(1),
        accept(2),
        submit(2),
        dispute(2),
        TaskCommand::Resize {
            slots: 4,
            by: poster(),
            at: at(),
        },
        accept(3),
        TaskCommand::Stop {
            by: poster(),
            at: at(),
        },
        submit(3),
        reject(3),
    ];
    for command in steps {
        let (task, events) = decide(&given, command);
        for (_, command) in account_commands(&task, &events) {
            ledger_cents += match command {
                AccountCommand::PlaceHold { amount, .. }
                | AccountCommand::IncreaseHold { amount, .. } => amount.cents,
                AccountCommand::CaptureHold { gross, .. } => -gross.cents,
                AccountCommand::ReleaseHold { amount, .. } => -amount.cents,
                _ => 0,
            };
        }
        given.extend(events);
        assert_eq!(fold(&given).escrow_cents, ledger_cents + 3 * REWARD_CENTS);
    }
    let task = fold(&given);
    assert_eq!(task.escrow_cents, 0);
    assert_eq!(task.paid_cents, REWARD_CENTS);
    assert_eq!(task.released_cents, 3 * REWARD_CENTS);
}
