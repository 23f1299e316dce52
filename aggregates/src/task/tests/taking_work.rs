//! Taking work: accepting (first-accept), applying and selecting (apply-select).

use super::*;
use crate::task::{APPLICATIONS_MAX, NOTE_MAX_CHARS};

fn paused() -> TaskEvent {
    TaskEvent::TaskPaused { at: at() }
}

// ---- first accept ----

#[test]
fn accepting_assigns_the_worker_until_the_time_limit() {
    TaskTest::with(())
        .given(vec![posted(1)])
        .when(accept(1))
        .then_expect_events(vec![assigned(1)]);
}

#[test]
fn without_a_time_limit_an_assignment_never_expires() {
    let task = new_task_with(|t| t.assignment_time_limit_s = None);
    TaskTest::with(())
        .given(vec![posted_task(&task)])
        .when(accept(1))
        .then_expect_events(vec![with!(assigned(1), TaskAssigned { expires_at: None })]);
}

#[test]
fn accepting_takes_no_money() {
    let (task, events) = decide(&[posted(2)], accept(1));
    assert!(account_commands(&task, &events).is_empty());
}

#[test]
fn accepting_a_task_that_takes_applications_is_refused() {
    TaskTest::with(())
        .given(vec![posted_apply_select(1)])
        .when(accept(1))
        .then_expect_error(conflict(
            "this task takes applications; apply instead of accepting",
        ));
}

#[test]
fn the_poster_cannot_take_their_own_task() {
    TaskTest::with(())
        .given(vec![posted(1)])
        .when(TaskCommand::Accept {
            assignment_id: assignment(1),
            by: poster(),
            at: at(),
        })
        .then_expect_error(conflict("you cannot take your own task"));
    TaskTest::with(())
        .given(vec![posted_apply_select(1)])
        .when(TaskCommand::Apply {
            application_id: application(1),
            note: None,
            by: poster(),
            at: at(),
        })
        .then_expect_error(conflict("you cannot take your own task"));
}

#[test]
fn a_worker_holds_at_most_one_slot() {
    TaskTest::with(())
        .given(vec![posted(3), assigned(1)])
        .when(TaskCommand::Accept {
            assignment_id: assignment(2),
            by: worker(1),
            at: at(),
        })
        .then_expect_error(conflict("you already hold a slot of this task"));
}

#[test]
fn a_worker_whose_work_was_submitted_cannot_take_a_second_slot() {
    TaskTest::with(())
        .given(vec![posted(3), assigned(1), submitted(1)])
        .when(TaskCommand::Accept {
            assignment_id: assignment(2),
            by: worker(1),
            at: at(),
        })
        .then_expect_error(conflict("you already hold a slot of this task"));
}

#[test]
fn a_worker_already_paid_cannot_take_a_second_slot() {
    TaskTest::with(())
        .given(vec![posted(3), assigned(1), submitted(1), approved(1)])
        .when(TaskCommand::Accept {
            assignment_id: assignment(2),
            by: worker(1),
            at: at(),
        })
        .then_expect_error(conflict("you already hold a slot of this task"));
}

#[test]
fn a_rejected_worker_may_take_the_freed_slot_again() {
    TaskTest::with(())
        .given(vec![posted(1), assigned(1), submitted(1), rejected(1)])
        .when(TaskCommand::Accept {
            assignment_id: assignment(2),
            by: worker(1),
            at: at(),
        })
        .then_expect_events(vec![with!(
            assigned(1),
            TaskAssigned {
                assignment_id: assignment(2),
            }
        )]);
}

#[test]
fn a_task_with_no_free_slot_takes_no_one() {
    TaskTest::with(())
        .given(vec![posted(2), assigned(1), assigned(2)])
        .when(accept(3))
        .then_expect_error(conflict("every slot of this task is taken"));
}

#[test]
fn a_frozen_or_banned_worker_cannot_take_work() {
    for (by, error) in [
        (frozen(worker(1)), frozen_refusal()),
        (banned(worker(1)), forbidden("actor is banned")),
    ] {
        TaskTest::with(())
            .given(vec![posted(1)])
            .when(TaskCommand::Accept {
                assignment_id: assignment(1),
                by,
                at: at(),
            })
            .then_expect_error(error);
    }
}

#[test]
fn a_task_that_is_not_open_takes_no_workers() {
    let cases = [
        (paused(), "paused"),
        (TaskEvent::TaskStopped { at: at() }, "stopped"),
        (TaskEvent::TaskCancelled { at: at() }, "cancelled"),
        (TaskEvent::TaskExpired { at: deadline() }, "expired"),
    ];
    for (event, status) in cases {
        let error = conflict(&format!("the task is {status} and takes no workers"));
        TaskTest::with(())
            .given(vec![posted(2), event.clone()])
            .when(accept(1))
            .then_expect_error(error.clone());
        TaskTest::with(())
            .given(vec![posted_apply_select(2), event])
            .when(apply(1))
            .then_expect_error(error);
    }
}

#[test]
fn a_completed_task_takes_no_workers() {
    TaskTest::with(())
        .given(vec![
            posted(1),
            assigned(1),
            submitted(1),
            approved(1),
            completed(),
        ])
        .when(accept(2))
        .then_expect_error(conflict("the task is completed and takes no workers"));
}

#[test]
fn no_one_takes_work_once_the_deadline_has_passed() {
    TaskTest::with(())
        .given(vec![posted(1)])
        .when(TaskCommand::Accept {
            assignment_id: assignment(1),
            by: worker(1),
            at: deadline(),
        })
        .then_expect_error(conflict("the task's deadline has passed"));
    TaskTest::with(())
        .given(vec![posted(1)])
        .when(TaskCommand::Accept {
            assignment_id: assignment(1),
            by: worker(1),
            at: deadline() - Duration::seconds(1),
        })
        .then_expect_events(vec![with!(
            assigned(1),
            TaskAssigned {
                expires_at: Some(deadline() - Duration::seconds(1) + Duration::seconds(3_600)),
                at: deadline() - Duration::seconds(1),
            }
        )]);
}

// ---- apply and select ----

#[test]
fn applying_records_the_application_with_its_note_trimmed() {
    TaskTest::with(())
        .given(vec![posted_apply_select(1)])
        .when(TaskCommand::Apply {
            application_id: application(1),
            note: Some("  I live next door.  ".to_owned()),
            by: worker(1),
            at: at(),
        })
        .then_expect_events(vec![with!(
            applied(1),
            TaskApplied {
                note: Some("I live next door.".to_owned()),
            }
        )]);
}

#[test]
fn a_blank_note_is_no_note() {
    TaskTest::with(())
        .given(vec![posted_apply_select(1)])
        .when(TaskCommand::Apply {
            application_id: application(1),
            note: Some("   ".to_owned()),
            by: worker(1),
            at: at(),
        })
        .then_expect_events(vec![applied(1)]);
}

#[test]
fn a_note_longer_than_2000_characters_is_refused() {
    TaskTest::with(())
        .given(vec![posted_apply_select(1)])
        .when(TaskCommand::Apply {
            application_id: application(1),
            note: Some("n".repeat(NOTE_MAX_CHARS + 1)),
            by: worker(1),
            at: at(),
        })
        .then_expect_error(invalid(&format!(
            "note must be at most {NOTE_MAX_CHARS} characters"
        )));
}

#[test]
fn applying_to_a_first_accept_task_takes_a_slot_at_once() {
    TaskTest::with(())
        .given(vec![posted(1)])
        .when(apply(1))
        .then_expect_events(vec![
            applied(1),
            with!(
                selected(1),
                TaskAssigned {
                    assignment_id: AssignmentId(application(1).0),
                }
            ),
        ]);
}

#[test]
fn applying_to_a_full_first_accept_task_is_refused_like_accepting() {
    let accepting = TaskTest::with(())
        .given(vec![posted(1), assigned(2)])
        .when(accept(1))
        .inspect_result();
    let applying = TaskTest::with(())
        .given(vec![posted(1), assigned(2)])
        .when(apply(1))
        .inspect_result();
    assert!(accepting.is_err());
    assert_eq!(applying, accepting);
}

#[test]
fn applying_twice_is_a_conflict() {
    TaskTest::with(())
        .given(vec![posted_apply_select(1), applied(1)])
        .when(TaskCommand::Apply {
            application_id: application(2),
            note: None,
            by: worker(1),
            at: at(),
        })
        .then_expect_error(conflict("you have already applied to this task"));
}

#[test]
fn a_selected_worker_cannot_apply_again() {
    TaskTest::with(())
        .given(vec![posted_apply_select(2), applied(1), selected(1)])
        .when(TaskCommand::Apply {
            application_id: application(2),
            note: None,
            by: worker(1),
            at: at(),
        })
        .then_expect_error(conflict("you already hold a slot of this task"));
}

#[test]
fn a_task_takes_at_most_1000_applications() {
    let mut given = vec![posted_apply_select(1)];
    given.extend((0..APPLICATIONS_MAX as u128).map(|n| applied(1_000 + n)));
    TaskTest::with(())
        .given(given)
        .when(apply(1))
        .then_expect_error(conflict("this task takes no more applications"));
}

#[test]
fn selecting_assigns_the_applicant() {
    TaskTest::with(())
        .given(vec![posted_apply_select(1), applied(1)])
        .when(select(1))
        .then_expect_events(vec![selected(1)]);
    let task = after(&[posted_apply_select(1), applied(1)], select(1));
    assert_eq!(
        task.application(application(1)).unwrap().status,
        crate::task::ApplicationStatus::Selected
    );
}

#[test]
fn an_admin_may_select_for_the_poster() {
    TaskTest::with(())
        .given(vec![posted_apply_select(1), applied(1)])
        .when(TaskCommand::Select {
            application_id: application(1),
            assignment_id: assignment(1),
            by: admin(),
            at: at(),
        })
        .then_expect_events(vec![selected(1)]);
}

#[test]
fn only_the_poster_or_an_admin_selects() {
    TaskTest::with(())
        .given(vec![posted_apply_select(1), applied(1)])
        .when(TaskCommand::Select {
            application_id: application(1),
            assignment_id: assignment(1),
            by: worker(1),
            at: at(),
        })
        .then_expect_error(forbidden("only the task's poster may do this"));
}

#[test]
fn a_banned_poster_cannot_select() {
    TaskTest::with(())
        .given(vec![posted_apply_select(1), applied(1)])
        .when(TaskCommand::Select {
            application_id: application(1),
            assignment_id: assignment(1),
            by: banned(poster()),
            at: at(),
        })
        .then_expect_error(forbidden("actor is banned"));
}

#[test]
fn selecting_an_unknown_application_finds_nothing() {
    TaskTest::with(())
        .given(vec![posted_apply_select(1)])
        .when(select(1))
        .then_expect_error(DomainError::NotFound("application"));
}

#[test]
fn only_a_pending_application_can_be_selected() {
    TaskTest::with(())
        .given(vec![posted_apply_select(2), applied(1), selected(1)])
        .when(TaskCommand::Select {
            application_id: application(1),
            assignment_id: assignment(2),
            by: poster(),
            at: at(),
        })
        .then_expect_error(conflict("application was already selected"));
}

#[test]
fn selecting_needs_a_free_slot() {
    TaskTest::with(())
        .given(vec![
            posted_apply_select(1),
            applied(1),
            applied(2),
            selected(1),
        ])
        .when(select(2))
        .then_expect_error(conflict("every slot of this task is taken"));
}

#[test]
fn selecting_on_a_paused_task_is_refused() {
    TaskTest::with(())
        .given(vec![posted_apply_select(1), applied(1), paused()])
        .when(select(1))
        .then_expect_error(conflict("the task is paused and takes no workers"));
}

#[test]
fn selecting_after_the_deadline_is_refused() {
    TaskTest::with(())
        .given(vec![posted_apply_select(1), applied(1)])
        .when(TaskCommand::Select {
            application_id: application(1),
            assignment_id: assignment(1),
            by: poster(),
            at: deadline(),
        })
        .then_expect_error(conflict("the task's deadline has passed"));
}

#[test]
fn an_applicant_already_working_cannot_be_selected_twice() {
    // Two pending applications by one worker (not reachable through `Apply`,
    // which refuses the second, but stored histories are facts to respect).
    let second_application = with!(
        applied(1),
        TaskApplied {
            application_id: application(2),
        }
    );
    TaskTest::with(())
        .given(vec![
            posted_apply_select(2),
            applied(1),
            second_application,
            selected(1),
        ])
        .when(TaskCommand::Select {
            application_id: application(2),
            assignment_id: assignment(2),
            by: poster(),
            at: at(),
        })
        .then_expect_error(conflict("applicant is already working on this task"));
}

#[test]
fn selecting_on_a_first_accept_task_finds_no_application() {
    TaskTest::with(())
        .given(vec![posted(1)])
        .when(select(1))
        .then_expect_error(DomainError::NotFound("application"));
}
