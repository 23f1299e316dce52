//! Submitting work and reviewing it: approve, reject, dispute.

use super::*;
use crate::task::proof::{ATTACHMENTS_MAX, ATTACHMENT_URL_MAX_CHARS, PROOF_TEXT_MAX_CHARS};
use crate::task::Attachment;

fn submit_proof(proof: Proof) -> TaskCommand {
    TaskCommand::Submit {
        submission_id: submission(1),
        proof,
        by: worker(1),
        at: at(),
    }
}

fn attachment(url: &str, media_type: &str) -> Attachment {
    Attachment {
        url: url.to_owned(),
        media_type: media_type.to_owned(),
    }
}

fn photo(url: &str) -> Proof {
    Proof {
        text: None,
        attachments: vec![attachment(url, "image/jpeg")],
        result: None,
    }
}

fn accepts_proof(proof: Proof) {
    TaskTest::with(())
        .given(vec![posted(1), assigned(1)])
        .when(submit_proof(proof.clone()))
        .then_expect_events(vec![with!(submitted(1), WorkSubmitted { proof: proof })]);
}

fn refuses_proof(proof: Proof, error: DomainError) {
    TaskTest::with(())
        .given(vec![posted(1), assigned(1)])
        .when(submit_proof(proof))
        .then_expect_error(error);
}

// ---- submitting ----

#[test]
fn submitting_work_opens_the_review_window() {
    TaskTest::with(())
        .given(vec![posted(1), assigned(1)])
        .when(submit(1))
        .then_expect_events(vec![submitted(1)]);
}

#[test]
fn without_a_review_window_a_submission_waits_for_the_poster() {
    let task = new_task_with(|t| t.review_window_s = None);
    TaskTest::with(())
        .given(vec![posted_task(&task), assigned(1)])
        .when(submit(1))
        .then_expect_events(vec![with!(
            submitted(1),
            WorkSubmitted {
                review_due_at: None,
            }
        )]);
}

#[test]
fn only_the_assignee_submits() {
    for by in [worker(2), poster(), admin()] {
        TaskTest::with(())
            .given(vec![posted(2), assigned(1)])
            .when(TaskCommand::Submit {
                submission_id: submission(1),
                proof: Proof::text("done"),
                by,
                at: at(),
            })
            .then_expect_error(forbidden("you are not assigned to this task"));
    }
}

#[test]
fn submitting_twice_is_a_conflict() {
    TaskTest::with(())
        .given(vec![posted(1), assigned(1), submitted(1)])
        .when(TaskCommand::Submit {
            submission_id: submission(2),
            proof: Proof::text("again"),
            by: worker(1),
            at: at(),
        })
        .then_expect_error(conflict(
            "you have no assignment on this task awaiting work",
        ));
}

#[test]
fn an_abandoned_assignee_cannot_submit() {
    TaskTest::with(())
        .given(vec![
            posted(1),
            assigned(1),
            TaskEvent::AssignmentAbandoned {
                assignment_id: assignment(1),
                at: later(3_600),
            },
        ])
        .when(submit(1))
        .then_expect_error(conflict(
            "you have no assignment on this task awaiting work",
        ));
}

#[test]
fn work_is_not_taken_after_the_assignments_time_limit() {
    let limit = i64::from(TIME_LIMIT_S);
    TaskTest::with(())
        .given(vec![posted(1), assigned(1)])
        .when(TaskCommand::Submit {
            submission_id: submission(1),
            proof: Proof::text("late"),
            by: worker(1),
            at: later(limit),
        })
        .then_expect_error(conflict("the assignment's time limit has passed"));
    TaskTest::with(())
        .given(vec![posted(1), assigned(1)])
        .when(TaskCommand::Submit {
            submission_id: submission(1),
            proof: Proof::text("just in time"),
            by: worker(1),
            at: later(limit - 1),
        })
        .then_expect_events(vec![with!(
            submitted(1),
            WorkSubmitted {
                proof: Proof::text("just in time"),
                review_due_at: Some(later(limit - 1 + i64::from(REVIEW_WINDOW_S))),
                at: later(limit - 1),
            }
        )]);
}

#[test]
fn a_frozen_worker_may_still_hand_in_work_under_way() {
    TaskTest::with(())
        .given(vec![posted(1), assigned(1)])
        .when(TaskCommand::Submit {
            submission_id: submission(1),
            proof: Proof::text("The door was open at noon."),
            by: frozen(worker(1)),
            at: at(),
        })
        .then_expect_events(vec![submitted(1)]);
}

#[test]
fn a_banned_worker_cannot_submit() {
    TaskTest::with(())
        .given(vec![posted(1), assigned(1)])
        .when(TaskCommand::Submit {
            submission_id: submission(1),
            proof: Proof::text("done"),
            by: banned(worker(1)),
            at: at(),
        })
        .then_expect_error(forbidden("actor is banned"));
}

#[test]
fn work_under_way_may_be_submitted_while_paused_or_stopped() {
    for events in [
        vec![TaskEvent::TaskPaused { at: at() }],
        vec![
            TaskEvent::TaskStopped { at: at() },
            released(0, 1, "stopped"),
        ],
    ] {
        TaskTest::with(())
            .given([vec![posted(2), assigned(1)], events].concat())
            .when(submit(1))
            .then_expect_events(vec![submitted(1)]);
    }
}

#[test]
fn proof_needs_text_or_an_attachment() {
    let error = invalid("proof needs text or at least one attachment");
    refuses_proof(Proof::default(), error.clone());
    refuses_proof(Proof::text("  \n "), error);
    accepts_proof(photo("https://example.com/door.jpg"));
}

#[test]
fn proof_text_is_bounded() {
    accepts_proof(Proof::text(&"p".repeat(PROOF_TEXT_MAX_CHARS)));
    refuses_proof(
        Proof::text(&"p".repeat(PROOF_TEXT_MAX_CHARS + 1)),
        invalid(&format!(
            "proof text is longer than {PROOF_TEXT_MAX_CHARS} characters"
        )),
    );
}

#[test]
fn proof_has_at_most_ten_attachments() {
    let many = |n| Proof {
        text: None,
        attachments: vec![attachment("attachment:photo", "image/png"); n],
        result: None,
    };
    accepts_proof(many(ATTACHMENTS_MAX));
    refuses_proof(
        many(ATTACHMENTS_MAX + 1),
        invalid(&format!("at most {ATTACHMENTS_MAX} attachments")),
    );
}

#[test]
fn attachment_urls_are_http_https_or_stored_attachments() {
    let error = invalid(&format!(
        "attachment url must be http(s):// or attachment: and at most {ATTACHMENT_URL_MAX_CHARS} characters"
    ));
    for url in [
        "https://example.com/a.jpg",
        "http://example.com/a.jpg",
        "attachment:0192f1e2",
    ] {
        accepts_proof(photo(url));
    }
    for url in [
        "ftp://example.com/a.jpg",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "",
    ] {
        refuses_proof(photo(url), error.clone());
    }
    let long = format!(
        "https://example.com/{}",
        "a".repeat(ATTACHMENT_URL_MAX_CHARS)
    );
    refuses_proof(photo(&long), error);
}

#[test]
fn attachments_need_a_media_type_like_image_jpeg() {
    for media_type in ["jpeg", "image/", "/jpeg", "image/ jpeg", ""] {
        refuses_proof(
            Proof {
                text: None,
                attachments: vec![attachment("attachment:x", media_type)],
                result: None,
            },
            invalid(&format!(
                "{media_type:?} is not a media type like image/jpeg"
            )),
        );
    }
    let long = format!("image/{}", "x".repeat(100));
    refuses_proof(
        Proof {
            text: None,
            attachments: vec![attachment("attachment:x", &long)],
            result: None,
        },
        invalid(&format!("{long:?} is not a media type like image/jpeg")),
    );
}

// ---- approving ----

#[test]
fn approving_pays_the_reward_less_the_fee() {
    TaskTest::with(())
        .given(vec![posted(2), assigned(1), submitted(1)])
        .when(approve(1))
        .then_expect_events(vec![approved(1)]);
}

#[test]
fn approving_captures_the_hold_and_pays_the_worker() {
    let (task, events) = decide(&[posted(2), assigned(1), submitted(1)], approve(1));
    let settlement_id = SettlementId(submission(1).0);
    let worker_account = AccountId::usd(worker_id(1), Mode::Live);
    assert_eq!(
        account_commands(&task, &events),
        vec![
            (
                poster_account(),
                AccountCommand::CaptureHold {
                    hold_id: HOLD,
                    settlement_id,
                    gross: usd(500),
                    fee: usd(90),
                    payee: worker_id(1),
                    at: at(),
                }
            ),
            (
                worker_account,
                AccountCommand::ReceivePayment {
                    account: worker_account,
                    settlement_id,
                    payer: POSTER,
                    amount: usd(410),
                    at: at(),
                }
            ),
        ]
    );
}

#[test]
fn approving_the_last_slot_completes_the_task() {
    TaskTest::with(())
        .given(vec![posted(1), assigned(1), submitted(1)])
        .when(approve(1))
        .then_expect_events(vec![approved(1), completed()]);
    let task = after(&[posted(1), assigned(1), submitted(1)], approve(1));
    assert_eq!(task.status, TaskStatus::Completed);
    assert_eq!(task.escrow_cents, 0);
    assert_eq!(task.paid_cents, 500);
}

#[test]
fn approving_twice_pays_once() {
    TaskTest::with(())
        .given(vec![posted(2), assigned(1), submitted(1), approved(1)])
        .when(approve(1))
        .then_expect_error(conflict("the submission is already approved"));
}

#[test]
fn approving_an_unknown_submission_finds_nothing() {
    TaskTest::with(())
        .given(vec![posted(1), assigned(1)])
        .when(approve(1))
        .then_expect_error(DomainError::NotFound("submission"));
}

#[test]
fn an_admin_may_review_for_the_poster() {
    TaskTest::with(())
        .given(vec![posted(2), assigned(1), submitted(1)])
        .when(TaskCommand::Approve {
            submission_id: submission(1),
            by: admin(),
            at: at(),
        })
        .then_expect_events(vec![approved(1)]);
}

#[test]
fn only_the_poster_or_an_admin_reviews() {
    let given = vec![posted(2), assigned(1), submitted(1)];
    let refusal = forbidden("only the task's poster may do this");
    for by in [worker(1), worker(2)] {
        for command in [
            TaskCommand::Approve {
                submission_id: submission(1),
                by,
                at: at(),
            },
            TaskCommand::Reject {
                submission_id: submission(1),
                reason: "no".to_owned(),
                by,
                at: at(),
            },
            TaskCommand::Dispute {
                submission_id: submission(1),
                reason: "no".to_owned(),
                by,
                at: at(),
            },
        ] {
            TaskTest::with(())
                .given(given.clone())
                .when(command)
                .then_expect_error(refusal.clone());
        }
    }
}

#[test]
fn a_frozen_poster_may_still_review() {
    TaskTest::with(())
        .given(vec![posted(2), assigned(1), submitted(1)])
        .when(TaskCommand::Approve {
            submission_id: submission(1),
            by: frozen(poster()),
            at: at(),
        })
        .then_expect_events(vec![approved(1)]);
}

#[test]
fn a_banned_poster_cannot_review() {
    TaskTest::with(())
        .given(vec![posted(2), assigned(1), submitted(1)])
        .when(TaskCommand::Approve {
            submission_id: submission(1),
            by: banned(poster()),
            at: at(),
        })
        .then_expect_error(forbidden("actor is banned"));
}

#[test]
fn the_fee_follows_the_tasks_policy() {
    let cases = [
        // Humans2AI's 0.01 % of 500 cents is 0.05 cents: no fee.
        ("0.01", 0, 500),
        // Humai's 10 %.
        ("10", 50, 450),
        ("0", 0, 500),
        // A 100 % fee still records a (zero) payment to the worker.
        ("100", 500, 0),
    ];
    for (percent, fee_cents, payout_cents) in cases {
        let task = new_task_with(|t| t.fee = FeePolicy::percent(percent).unwrap());
        let given = [posted_task(&task), assigned(1), submitted(1)];
        TaskTest::with(())
            .given(given.to_vec())
            .when(approve(1))
            .then_expect_events(vec![
                with!(
                    approved(1),
                    SubmissionApproved {
                        fee: usd(fee_cents),
                        payout: usd(payout_cents),
                    }
                ),
                completed(),
            ]);
        let (task, events) = decide(&given, approve(1));
        let commands = account_commands(&task, &events);
        assert!(matches!(
            commands[1].1,
            AccountCommand::ReceivePayment { amount, .. } if amount == usd(payout_cents)
        ));
    }
}

// ---- rejecting ----

#[test]
fn rejecting_frees_the_slot_and_keeps_its_money_while_open() {
    TaskTest::with(())
        .given(vec![posted(1), assigned(1), submitted(1)])
        .when(reject(1))
        .then_expect_events(vec![rejected(1)]);
    let task = after(&[posted(1), assigned(1), submitted(1)], reject(1));
    assert_eq!(task.open_slots(), 1);
    assert_eq!(task.escrow_cents, 500);
    TaskTest::with(())
        .given(vec![posted(1), assigned(1), submitted(1), rejected(1)])
        .when(accept(2))
        .then_expect_events(vec![assigned(2)]);
}

#[test]
fn rejected_apply_select_work_goes_back_to_the_chosen_worker_to_redo() {
    let given = [
        posted_apply_select(1),
        applied(1),
        selected(1),
        submitted(1),
    ];
    TaskTest::with(())
        .given(given.to_vec())
        .when(reject(1))
        .then_expect_events(vec![rejected(1)]);
    let task = after(&given, reject(1));
    assert_eq!(task.open_slots(), 0, "the chosen worker keeps the slot");
    assert_eq!(task.escrow_cents, 500);
    let mut resubmitted = given.to_vec();
    resubmitted.push(rejected(1));
    let (_, events) = decide(
        &resubmitted,
        TaskCommand::Submit {
            submission_id: submission(2),
            proof: Proof::text("redone"),
            by: worker(1),
            at: later(60),
        },
    );
    assert!(
        matches!(events.as_slice(), [TaskEvent::WorkSubmitted { worker, .. }] if *worker == worker_id(1)),
        "{events:?}"
    );
}

#[test]
fn rejecting_while_stopped_releases_that_slots_reward() {
    TaskTest::with(())
        .given(vec![
            posted(2),
            assigned(1),
            submitted(1),
            TaskEvent::TaskStopped { at: at() },
            released(0, 1, "stopped"),
        ])
        .when(reject(1))
        .then_expect_events(vec![rejected(1), released(1, 1, "rejected")]);
}

#[test]
fn rejecting_needs_a_reason() {
    for reason in ["", "   ", &"r".repeat(crate::task::REASON_MAX_CHARS + 1)] {
        TaskTest::with(())
            .given(vec![posted(1), assigned(1), submitted(1)])
            .when(TaskCommand::Reject {
                submission_id: submission(1),
                reason: reason.to_owned(),
                by: poster(),
                at: at(),
            })
            .then_expect_error(invalid(&format!(
                "a reason of 1 to {} characters is required",
                crate::task::REASON_MAX_CHARS
            )));
    }
}

#[test]
fn only_a_pending_submission_can_be_rejected() {
    TaskTest::with(())
        .given(vec![posted(1), assigned(1), submitted(1), rejected(1)])
        .when(reject(1))
        .then_expect_error(conflict("the submission is already rejected"));
    TaskTest::with(())
        .given(vec![posted(2), assigned(1), submitted(1), approved(1)])
        .when(reject(1))
        .then_expect_error(conflict("the submission is already approved"));
}

// ---- disputing ----

#[test]
fn disputing_refunds_exactly_one_reward() {
    TaskTest::with(())
        .given(vec![posted(3), assigned(1), submitted(1)])
        .when(dispute(1))
        .then_expect_events(vec![disputed(1), released(0, 1, "disputed")]);
    let (task, events) = decide(&[posted(3), assigned(1), submitted(1)], dispute(1));
    assert_eq!(
        account_commands(&task, &events),
        vec![(
            poster_account(),
            AccountCommand::ReleaseHold {
                hold_id: HOLD,
                settlement_id: release_id(0),
                amount: usd(500),
                at: at(),
            }
        )]
    );
}

#[test]
fn a_disputed_slot_is_not_offered_again() {
    let task = after(&[posted(2), assigned(1), submitted(1)], dispute(1));
    assert_eq!(task.open_slots(), 1);
    assert_eq!(task.escrow_cents, 500);
}

#[test]
fn disputing_the_last_slot_completes_the_task() {
    TaskTest::with(())
        .given(vec![posted(1), assigned(1), submitted(1)])
        .when(dispute(1))
        .then_expect_events(vec![disputed(1), released(0, 1, "disputed"), completed()]);
}

#[test]
fn disputing_needs_a_reason_and_a_pending_submission() {
    TaskTest::with(())
        .given(vec![posted(1), assigned(1), submitted(1)])
        .when(TaskCommand::Dispute {
            submission_id: submission(1),
            reason: " ".to_owned(),
            by: poster(),
            at: at(),
        })
        .then_expect_error(invalid(&format!(
            "a reason of 1 to {} characters is required",
            crate::task::REASON_MAX_CHARS
        )));
    TaskTest::with(())
        .given(vec![
            posted(2),
            assigned(1),
            submitted(1),
            disputed(1),
            released(0, 1, "disputed"),
        ])
        .when(dispute(1))
        .then_expect_error(conflict("the submission is already disputed"));
}
