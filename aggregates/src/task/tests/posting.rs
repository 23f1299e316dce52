//! Posting: what a task must say, who may post, and the escrow it places.

use super::*;
use crate::money::{MoneyError, MAX_AMOUNT_CENTS};
use crate::task::{
    DESCRIPTION_MAX_CHARS, DETAILS_MAX_BYTES, DURATION_MAX_S, KIND_MAX_CHARS, SLOTS_MAX,
    TITLE_MAX_CHARS,
};
use rust_decimal::Decimal;

fn refuses(task: NewTask, error: DomainError) {
    TaskTest::with(())
        .given_no_previous_events()
        .when(post(task))
        .then_expect_error(error);
}

fn accepts(task: NewTask) {
    let expected = posted_task(&task);
    TaskTest::with(())
        .given_no_previous_events()
        .when(post(task))
        .then_expect_events(vec![expected]);
}

#[test]
fn posting_a_task_records_it_with_its_escrow() {
    TaskTest::with(())
        .given_no_previous_events()
        .when(post(new_task()))
        .then_expect_events(vec![posted(1)]);
}

#[test]
fn the_escrow_is_the_reward_times_the_slots() {
    let task = new_task_with(|t| t.slots = 3);
    let (_, events) = decide(&[], post(task));
    let TaskEvent::TaskPosted { escrow, .. } = &events[0] else {
        panic!("expected TaskPosted, got {events:?}");
    };
    assert_eq!(*escrow, usd(1_500));
}

#[test]
fn posting_places_a_hold_for_the_escrow_on_the_posters_account() {
    let (task, events) = decide(&[], post(new_task_with(|t| t.slots = 3)));
    assert_eq!(
        account_commands(&task, &events),
        vec![
            // A free task, if the poster has one left, pays first (`promotion`).
            (
                poster_account(),
                AccountCommand::FundFreeTask {
                    account: poster_account(),
                    task_id: TASK,
                    escrow: usd(1_500),
                    at: at(),
                }
            ),
            (
                poster_account(),
                AccountCommand::PlaceHold {
                    account: poster_account(),
                    hold_id: HOLD,
                    task_id: TASK,
                    amount: usd(1_500),
                    at: at(),
                }
            )
        ]
    );
}

#[test]
fn a_test_mode_task_escrows_on_the_posters_test_account() {
    let (task, events) = decide(&[], post(new_task_with(|t| t.mode = Mode::Test)));
    let (account, _) = &account_commands(&task, &events)[0];
    assert_eq!(*account, AccountId::usd(POSTER, Mode::Test));
}

#[test]
fn posting_twice_is_a_conflict() {
    TaskTest::with(())
        .given(vec![posted(1)])
        .when(post(new_task()))
        .then_expect_error(conflict("task already posted"));
}

#[test]
fn a_frozen_poster_cannot_post() {
    TaskTest::with(())
        .given_no_previous_events()
        .when(TaskCommand::Post {
            task: Box::new(new_task()),
            by: frozen(poster()),
            at: at(),
        })
        .then_expect_error(frozen_refusal());
}

#[test]
fn a_banned_poster_cannot_post() {
    TaskTest::with(())
        .given_no_previous_events()
        .when(TaskCommand::Post {
            task: Box::new(new_task()),
            by: banned(poster()),
            at: at(),
        })
        .then_expect_error(forbidden("actor is banned"));
}

#[test]
fn the_title_and_kind_are_stored_trimmed() {
    accepts(new_task_with(|t| {
        t.title = "  Check the bakery  ".to_owned();
        t.kind = " verification ".to_owned();
    }));
    let (_, events) = decide(
        &[],
        post(new_task_with(|t| t.title = "  Check  ".to_owned())),
    );
    assert!(matches!(&events[0], TaskEvent::TaskPosted { title, .. } if title == "Check"));
}

#[test]
fn a_blank_title_is_refused() {
    let error = invalid(&format!("title must be 1 to {TITLE_MAX_CHARS} characters"));
    refuses(new_task_with(|t| t.title = String::new()), error.clone());
    refuses(new_task_with(|t| t.title = " \n\t ".to_owned()), error);
}

#[test]
fn a_title_may_be_200_characters_but_not_201() {
    accepts(new_task_with(|t| t.title = "é".repeat(TITLE_MAX_CHARS)));
    refuses(
        new_task_with(|t| t.title = "é".repeat(TITLE_MAX_CHARS + 1)),
        invalid(&format!("title must be 1 to {TITLE_MAX_CHARS} characters")),
    );
}

#[test]
fn a_description_may_be_empty_but_not_longer_than_5000_characters() {
    accepts(new_task_with(|t| t.description = String::new()));
    accepts(new_task_with(|t| {
        t.description = "x".repeat(DESCRIPTION_MAX_CHARS)
    }));
    refuses(
        new_task_with(|t| t.description = "x".repeat(DESCRIPTION_MAX_CHARS + 1)),
        invalid(&format!(
            "description must be at most {DESCRIPTION_MAX_CHARS} characters"
        )),
    );
}

#[test]
fn a_kind_must_be_1_to_64_characters() {
    let error = invalid(&format!("kind must be 1 to {KIND_MAX_CHARS} characters"));
    refuses(new_task_with(|t| t.kind = "  ".to_owned()), error.clone());
    refuses(
        new_task_with(|t| t.kind = "k".repeat(KIND_MAX_CHARS + 1)),
        error,
    );
    accepts(new_task_with(|t| t.kind = "k".repeat(KIND_MAX_CHARS)));
}

#[test]
fn details_larger_than_16_kib_of_json_are_refused() {
    // `"` + text + `"` is the serialized size of a JSON string.
    let fits = "d".repeat(DETAILS_MAX_BYTES - 2);
    accepts(new_task_with(|t| {
        t.details = serde_json::Value::String(fits)
    }));
    let too_big = "d".repeat(DETAILS_MAX_BYTES - 1);
    refuses(
        new_task_with(|t| t.details = serde_json::Value::String(too_big)),
        invalid(&format!(
            "details must be at most {DETAILS_MAX_BYTES} bytes of JSON"
        )),
    );
}

#[test]
fn a_reward_must_be_greater_than_zero() {
    let error = invalid("reward must be greater than zero");
    refuses(new_task_with(|t| t.reward = usd(0)), error.clone());
    refuses(new_task_with(|t| t.reward = usd(-500)), error);
    accepts(new_task_with(|t| t.reward = usd(1)));
}

#[test]
fn slots_must_be_1_to_500() {
    let error = invalid(&format!("slots must be 1 to {SLOTS_MAX}"));
    refuses(new_task_with(|t| t.slots = 0), error.clone());
    refuses(new_task_with(|t| t.slots = SLOTS_MAX + 1), error);
    accepts(new_task_with(|t| t.slots = SLOTS_MAX));
}

#[test]
fn an_escrow_above_the_largest_amount_is_refused() {
    refuses(
        new_task_with(|t| {
            t.reward = usd(MAX_AMOUNT_CENTS);
            t.slots = 2;
        }),
        DomainError::Money(MoneyError::TooLarge),
    );
    accepts(new_task_with(|t| t.reward = usd(MAX_AMOUNT_CENTS)));
}

#[test]
fn the_deadline_must_be_in_the_future() {
    let error = invalid("deadline must be in the future");
    refuses(new_task_with(|t| t.deadline = Some(at())), error.clone());
    refuses(new_task_with(|t| t.deadline = Some(later(-1))), error);
    accepts(new_task_with(|t| t.deadline = Some(later(1))));
    accepts(new_task_with(|t| t.deadline = None));
}

#[test]
fn durations_must_be_1_second_to_90_days() {
    for (name, set) in [
        (
            "assignment_time_limit_s",
            (|t: &mut NewTask, s| t.assignment_time_limit_s = s) as fn(&mut NewTask, Option<u32>),
        ),
        ("review_window_s", |t: &mut NewTask, s| {
            t.review_window_s = s
        }),
    ] {
        let error = invalid(&format!("{name} must be 1 to {DURATION_MAX_S} seconds"));
        refuses(new_task_with(|t| set(t, Some(0))), error.clone());
        refuses(new_task_with(|t| set(t, Some(DURATION_MAX_S + 1))), error);
        accepts(new_task_with(|t| set(t, Some(DURATION_MAX_S))));
        accepts(new_task_with(|t| set(t, Some(1))));
        accepts(new_task_with(|t| set(t, None)));
    }
}

#[test]
fn a_fee_rate_outside_zero_to_one_is_refused() {
    // `FeePolicy::rate` is public, so a bad rate can be built without `FeePolicy::new`.
    for rate in [Decimal::new(15, 1), Decimal::new(-1, 2)] {
        refuses(
            new_task_with(|t| t.fee = FeePolicy { rate }),
            invalid(&format!("fee rate must be between 0 and 1, got {rate}")),
        );
    }
    accepts(new_task_with(|t| t.fee = FeePolicy::free()));
    accepts(new_task_with(|t| {
        t.fee = FeePolicy::percent("100").unwrap()
    }));
}

#[test]
fn commands_on_a_task_never_posted_find_nothing() {
    for command in [
        accept(1),
        apply(1),
        submit(1),
        approve(1),
        TaskCommand::Pause {
            by: poster(),
            at: at(),
        },
        TaskCommand::Expire { at: deadline() },
    ] {
        TaskTest::with(())
            .given_no_previous_events()
            .when(command)
            .then_expect_error(DomainError::NotFound("task"));
    }
}
