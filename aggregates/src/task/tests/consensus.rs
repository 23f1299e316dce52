//! Approving and disputing everything awaiting review at once (HumanPing's
//! approve and dispute), and consensus among several workers' results.

use super::*;

fn answered(n: u128, text: &str) -> TaskEvent {
    with!(
        submitted(n),
        WorkSubmitted {
            proof: Proof::text(text)
        }
    )
}

fn approve_pending(override_result: Option<&str>) -> TaskCommand {
    TaskCommand::ApprovePending {
        override_result: override_result.map(str::to_owned),
        by: poster(),
        at: at(),
    }
}

fn dispute_pending() -> TaskCommand {
    TaskCommand::DisputePending {
        reason: "The photo is a stock image.".to_owned(),
        by: poster(),
        at: at(),
    }
}

fn consensus(result: &str, overridden: bool) -> TaskEvent {
    TaskEvent::ConsensusReached {
        result: result.to_owned(),
        overridden,
        at: at(),
    }
}

fn three_answers(answers: [&str; 3]) -> Vec<TaskEvent> {
    let mut given = vec![posted(3)];
    for (n, answer) in (1..=3).zip(answers) {
        given.push(assigned(n));
        given.push(answered(n, answer));
    }
    given
}

#[test]
fn agreeing_results_are_the_consensus_and_every_worker_is_paid() {
    TaskTest::with(())
        .given(three_answers(["Open", " open ", "OPEN"]))
        .when(approve_pending(None))
        .then_expect_events(vec![
            consensus("Open", false),
            approved(1),
            approved(2),
            approved(3),
            completed(),
        ]);
}

#[test]
fn conflicting_results_need_an_override() {
    TaskTest::with(())
        .given(three_answers(["Open", "Closed", "Open"]))
        .when(approve_pending(None))
        .then_expect_error(conflict(
            "the workers' results conflict (2 different answers); approve with override_result to settle it",
        ));
}

#[test]
fn an_override_settles_a_conflict_and_still_pays_everyone() {
    TaskTest::with(())
        .given(three_answers(["Open", "Closed", "Open"]))
        .when(approve_pending(Some("Open")))
        .then_expect_events(vec![
            consensus("Open", true),
            approved(1),
            approved(2),
            approved(3),
            completed(),
        ]);
}

#[test]
fn an_empty_or_overlong_override_is_refused() {
    for bad in ["  ".to_owned(), "x".repeat(2_001)] {
        TaskTest::with(())
            .given(three_answers(["Open", "Closed", "Open"]))
            .when(approve_pending(Some(&bad)))
            .then_expect_error(invalid("override_result must be 1 to 2000 characters"));
    }
}

#[test]
fn results_approved_earlier_count_against_later_ones() {
    let mut given = vec![posted(2), assigned(1), answered(1, "Open")];
    given.push(consensus("Open", false));
    given.push(approved(1));
    given.push(assigned(2));
    given.push(answered(2, "Closed"));
    TaskTest::with(())
        .given(given)
        .when(approve_pending(None))
        .then_expect_error(conflict(
            "the workers' results conflict (2 different answers); approve with override_result to settle it",
        ));
}

#[test]
fn photos_alone_are_approved_without_a_consensus() {
    let photo = Proof {
        text: None,
        attachments: vec![crate::task::Attachment {
            url: "https://example.com/door.jpg".to_owned(),
            media_type: "image/jpeg".to_owned(),
        }],
        result: None,
    };
    let given = vec![
        posted(2),
        assigned(1),
        with!(
            submitted(1),
            WorkSubmitted {
                proof: photo.clone()
            }
        ),
    ];
    TaskTest::with(())
        .given(given)
        .when(approve_pending(None))
        .then_expect_events(vec![approved(1)]);
}

#[test]
fn a_single_worker_task_has_no_consensus_and_takes_no_override() {
    TaskTest::with(())
        .given(vec![posted(1), assigned(1), submitted(1)])
        .when(approve_pending(None))
        .then_expect_events(vec![approved(1), completed()]);
    TaskTest::with(())
        .given(vec![posted(1), assigned(1), submitted(1)])
        .when(approve_pending(Some("Open")))
        .then_expect_error(invalid(
            "override_result is for consensus tasks (more than one worker)",
        ));
}

#[test]
fn approving_with_nothing_waiting_is_a_conflict() {
    TaskTest::with(())
        .given(vec![posted(3), assigned(1)])
        .when(approve_pending(None))
        .then_expect_error(conflict("no submission is waiting for review"));
    TaskTest::with(())
        .given(vec![posted(3), assigned(1)])
        .when(dispute_pending())
        .then_expect_error(conflict("no submission is waiting for review"));
}

#[test]
fn only_the_poster_approves_or_disputes_everything() {
    TaskTest::with(())
        .given(three_answers(["Open", "Open", "Open"]))
        .when(TaskCommand::ApprovePending {
            override_result: None,
            by: worker(9),
            at: at(),
        })
        .then_expect_error(forbidden("only the task's poster may do this"));
}

#[test]
fn disputing_refunds_the_work_and_the_open_slots_and_names_the_worker() {
    let given = vec![posted(3), assigned(1), submitted(1)];
    TaskTest::with(())
        .given(given.clone())
        .when(dispute_pending())
        .then_expect_events(vec![
            disputed(1),
            TaskEvent::TaskCancelled { at: at() },
            released(0, 3, "disputed"),
        ]);
    let task = after(&given, dispute_pending());
    assert_eq!(task.escrow_cents, 0);
    assert_eq!(task.status, TaskStatus::Cancelled);
}

#[test]
fn disputing_ends_work_still_under_way_and_keeps_what_was_paid() {
    let given = vec![
        posted(3),
        assigned(1),
        submitted(1),
        approved(1),
        assigned(2),
        submitted(2),
        assigned(3),
    ];
    let (task, events) = decide(&given, dispute_pending());
    assert_eq!(
        events,
        vec![
            disputed(2),
            TaskEvent::TaskCancelled { at: at() },
            released(0, 2, "disputed"),
        ]
    );
    let released_cents: i64 = account_commands(&task, &events)
        .into_iter()
        .map(|(_, command)| match command {
            AccountCommand::ReleaseHold { amount, .. } => amount.cents,
            _ => 0,
        })
        .sum();
    assert_eq!(released_cents, 2 * REWARD_CENTS);
}

#[test]
fn results_are_compared_without_case_or_spacing() {
    use crate::task::consensus::normalized;
    assert_eq!(normalized("  Open \n now "), "open now");
    assert_ne!(normalized("open"), normalized("opened"));
}

fn answered_with_result(n: u128, text: &str, result: &str) -> TaskEvent {
    with!(
        submitted(n),
        WorkSubmitted {
            proof: Proof {
                result: Some(result.to_owned()),
                ..Proof::text(text)
            }
        }
    )
}

#[test]
fn a_proofs_result_is_compared_rather_than_its_text() {
    let given = vec![
        posted(2),
        assigned(1),
        answered_with_result(1, "The sign on the door says open until 6", "Open"),
        assigned(2),
        answered(2, " open "),
    ];
    TaskTest::with(())
        .given(given)
        .when(approve_pending(None))
        .then_expect_events(vec![
            consensus("Open", false),
            approved(1),
            approved(2),
            completed(),
        ]);
}

#[test]
fn differing_results_conflict_even_when_the_texts_agree() {
    let given = vec![
        posted(2),
        assigned(1),
        answered_with_result(1, "Checked at noon", "Open"),
        assigned(2),
        answered_with_result(2, "Checked at noon", "Closed"),
    ];
    TaskTest::with(())
        .given(given)
        .when(approve_pending(None))
        .then_expect_error(conflict(
            "the workers' results conflict (2 different answers); approve with override_result to settle it",
        ));
}

#[test]
fn an_empty_or_overlong_result_is_refused_at_submission() {
    for result in ["  ".to_owned(), "x".repeat(2_001)] {
        let proof = Proof {
            result: Some(result),
            ..Proof::text("Checked")
        };
        TaskTest::with(())
            .given(vec![posted(2), assigned(1)])
            .when(TaskCommand::Submit {
                submission_id: submission(1),
                proof,
                by: worker(1),
                at: at(),
            })
            .then_expect_error(invalid("result must be 1 to 2000 characters"));
    }
}
