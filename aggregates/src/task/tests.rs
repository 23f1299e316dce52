//! Given/when/then tests of the task's rules, driven by cqrs-es's
//! `TestFramework`. The fixtures here describe one task and its people with
//! fixed ids and times, so every expected event can be written out in full.

/// An event like `$event` but with some fields changed, e.g.
/// `with!(assigned(1), TaskAssigned { expires_at: None })` (enum variants have
/// no `..base` syntax). Each value is evaluated before the field is bound.
macro_rules! with {
    ($event:expr, $variant:ident { $($field:ident : $value:expr),+ $(,)? }) => {{
        let mut event = $event;
        $(
            let value = $value;
            match &mut event {
                TaskEvent::$variant { $field: slot, .. } => *slot = value,
                other => panic!("expected {}, got {other:?}", stringify!($variant)),
            }
        )+
        event
    }};
}

mod consensus;
mod escrow;
mod lifecycle;
mod owner_attention;
mod posting;
mod properties;
mod review;
mod settlement;
mod taking_work;
mod timers;

use super::{
    account_commands, AssignmentMode, NewTask, Proof, Task, TaskCommand, TaskEvent, TaskStatus,
};
use crate::account::{AccountCommand, AccountId};
use crate::actor::{Caller, Role, Standing};
use crate::aggregate::Aggregate;
use crate::error::DomainError;
use crate::fee::FeePolicy;
use crate::ids::{
    ActorId, ApplicationId, AssignmentId, HoldId, SettlementId, SubmissionId, TaskId,
};
use crate::mode::Mode;
use crate::money::Money;
use crate::Timestamp;
use chrono::{Duration, TimeZone, Utc};
use cqrs_es::test::TestFramework;
use uuid::Uuid;

type TaskTest = TestFramework<Task>;

const REWARD_CENTS: i64 = 500;
/// HumanPing's 18 % of a 500-cent reward.
const FEE_CENTS: i64 = 90;
const PAYOUT_CENTS: i64 = 410;
const TIME_LIMIT_S: u32 = 3_600;
const REVIEW_WINDOW_S: u32 = 7_200;
const DEADLINE_S: i64 = 86_400;

const TASK: TaskId = TaskId(Uuid::from_u128(0x7a5c));
const HOLD: HoldId = HoldId(Uuid::from_u128(0x401d));
const POSTER: ActorId = ActorId(Uuid::from_u128(0x1));
const ADMIN: ActorId = ActorId(Uuid::from_u128(0xad));

/// When the task is posted and, unless a test says otherwise, when everything happens.
fn at() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
}

fn later(seconds: i64) -> Timestamp {
    at() + Duration::seconds(seconds)
}

fn deadline() -> Timestamp {
    later(DEADLINE_S)
}

fn worker_id(n: u128) -> ActorId {
    ActorId(Uuid::from_u128(0x100 + n))
}

fn assignment(n: u128) -> AssignmentId {
    AssignmentId(Uuid::from_u128(0xa000 + n))
}

fn application(n: u128) -> ApplicationId {
    ApplicationId(Uuid::from_u128(0xb000 + n))
}

fn submission(n: u128) -> SubmissionId {
    SubmissionId(Uuid::from_u128(0xc000 + n))
}

fn caller(actor: ActorId, role: Role) -> Caller {
    Caller {
        actor,
        role,
        standing: Standing::Active,
    }
}

fn poster() -> Caller {
    caller(POSTER, Role::Agent)
}

fn worker(n: u128) -> Caller {
    caller(worker_id(n), Role::Human)
}

fn admin() -> Caller {
    caller(ADMIN, Role::Admin)
}

fn frozen(caller: Caller) -> Caller {
    Caller {
        standing: Standing::Frozen,
        ..caller
    }
}

fn banned(caller: Caller) -> Caller {
    Caller {
        standing: Standing::Banned,
        ..caller
    }
}

fn usd(cents: i64) -> Money {
    Money::usd(cents)
}

fn poster_account() -> AccountId {
    AccountId::usd(POSTER, Mode::Live)
}

fn conflict(message: &str) -> DomainError {
    DomainError::Conflict(message.to_owned())
}

fn invalid(message: &str) -> DomainError {
    DomainError::Invalid(message.to_owned())
}

/// What a frozen actor's spending or taking work is refused with.
fn frozen_refusal() -> DomainError {
    DomainError::Rule {
        kind: crate::RuleKind::Forbidden,
        code: crate::actor::AGENT_FROZEN,
        message: "actor is frozen".to_owned(),
    }
}

fn forbidden(message: &str) -> DomainError {
    DomainError::Forbidden(message.to_owned())
}

// ---- the task ----

/// A one-slot, first-accept HumanPing task: 500 cents, 18 % fee, a day to
/// run, an hour per assignment and two hours of review.
fn new_task() -> NewTask {
    NewTask {
        task_id: TASK,
        hold_id: HOLD,
        mode: Mode::Live,
        title: "Check the bakery is open".to_owned(),
        description: "Walk past 12 Rue Cler and photograph the door.".to_owned(),
        kind: "verification".to_owned(),
        details: serde_json::json!({ "urgency": "normal" }),
        reward: usd(REWARD_CENTS),
        slots: 1,
        assignment: AssignmentMode::FirstAccept,
        fee: FeePolicy::percent("18").unwrap(),
        deadline: Some(deadline()),
        assignment_time_limit_s: Some(TIME_LIMIT_S),
        review_window_s: Some(REVIEW_WINDOW_S),
    }
}

fn new_task_with(change: impl FnOnce(&mut NewTask)) -> NewTask {
    let mut task = new_task();
    change(&mut task);
    task
}

fn post(task: NewTask) -> TaskCommand {
    TaskCommand::Post {
        task: Box::new(task),
        by: poster(),
        at: at(),
    }
}

/// The `TaskPosted` that posting `task` as the poster at `at()` records.
fn posted_task(task: &NewTask) -> TaskEvent {
    TaskEvent::TaskPosted {
        task_id: task.task_id,
        poster: POSTER,
        mode: task.mode,
        title: task.title.trim().to_owned(),
        description: task.description.clone(),
        kind: task.kind.trim().to_owned(),
        details: task.details.clone(),
        reward: task.reward,
        slots: task.slots,
        assignment: task.assignment,
        fee: task.fee,
        deadline: task.deadline,
        assignment_time_limit_s: task.assignment_time_limit_s,
        review_window_s: task.review_window_s,
        hold_id: task.hold_id,
        account: AccountId {
            owner: POSTER,
            mode: task.mode,
            currency: task.reward.currency,
        },
        escrow: task.reward.checked_mul(i64::from(task.slots)).unwrap(),
        posted_at: at(),
    }
}

/// The default task with `slots` slots, first-accept.
fn posted(slots: u32) -> TaskEvent {
    posted_task(&new_task_with(|t| t.slots = slots))
}

/// The default task with `slots` slots, taking applications.
fn posted_apply_select(slots: u32) -> TaskEvent {
    posted_task(&new_task_with(|t| {
        t.slots = slots;
        t.assignment = AssignmentMode::ApplySelect;
    }))
}

// ---- commands, all at `at()` unless named otherwise ----

fn accept(n: u128) -> TaskCommand {
    TaskCommand::Accept {
        assignment_id: assignment(n),
        by: worker(n),
        at: at(),
    }
}

fn apply(n: u128) -> TaskCommand {
    TaskCommand::Apply {
        application_id: application(n),
        note: None,
        by: worker(n),
        at: at(),
    }
}

fn select(n: u128) -> TaskCommand {
    TaskCommand::Select {
        application_id: application(n),
        assignment_id: assignment(n),
        by: poster(),
        at: at(),
    }
}

fn submit(n: u128) -> TaskCommand {
    TaskCommand::Submit {
        submission_id: submission(n),
        proof: Proof::text("The door was open at noon."),
        by: worker(n),
        at: at(),
    }
}

fn approve(n: u128) -> TaskCommand {
    TaskCommand::Approve {
        submission_id: submission(n),
        by: poster(),
        at: at(),
    }
}

fn reject(n: u128) -> TaskCommand {
    TaskCommand::Reject {
        submission_id: submission(n),
        reason: "The photo shows another door.".to_owned(),
        by: poster(),
        at: at(),
    }
}

fn dispute(n: u128) -> TaskCommand {
    TaskCommand::Dispute {
        submission_id: submission(n),
        reason: "The photo is a stock image.".to_owned(),
        by: poster(),
        at: at(),
    }
}

// ---- events, matching the commands above ----

fn applied(n: u128) -> TaskEvent {
    TaskEvent::TaskApplied {
        application_id: application(n),
        applicant: worker_id(n),
        note: None,
        at: at(),
    }
}

/// Worker `n` holds slot `n` (first-accept), with the default time limit.
fn assigned(n: u128) -> TaskEvent {
    TaskEvent::TaskAssigned {
        assignment_id: assignment(n),
        worker: worker_id(n),
        application_id: None,
        expires_at: Some(later(i64::from(TIME_LIMIT_S))),
        at: at(),
    }
}

/// Worker `n` was selected from application `n`.
fn selected(n: u128) -> TaskEvent {
    with!(
        assigned(n),
        TaskAssigned {
            application_id: Some(application(n)),
        }
    )
}

fn submitted(n: u128) -> TaskEvent {
    TaskEvent::WorkSubmitted {
        submission_id: submission(n),
        assignment_id: assignment(n),
        worker: worker_id(n),
        proof: Proof::text("The door was open at noon."),
        review_due_at: Some(later(i64::from(REVIEW_WINDOW_S))),
        at: at(),
    }
}

fn approved(n: u128) -> TaskEvent {
    TaskEvent::SubmissionApproved {
        submission_id: submission(n),
        worker: worker_id(n),
        settlement_id: SettlementId(submission(n).0),
        gross: usd(REWARD_CENTS),
        fee: usd(FEE_CENTS),
        payout: usd(PAYOUT_CENTS),
        auto: false,
        at: at(),
    }
}

fn rejected(n: u128) -> TaskEvent {
    TaskEvent::SubmissionRejected {
        submission_id: submission(n),
        reason: "The photo shows another door.".to_owned(),
        at: at(),
    }
}

fn disputed(n: u128) -> TaskEvent {
    TaskEvent::SubmissionDisputed {
        submission_id: submission(n),
        worker: Some(worker_id(n)),
        reason: "The photo is a stock image.".to_owned(),
        at: at(),
    }
}

/// The settlement id of the task's `nth` release (counting from 0).
fn release_id(nth: u32) -> SettlementId {
    SettlementId(Uuid::new_v5(&HOLD.0, format!("release-{nth}").as_bytes()))
}

fn released(nth: u32, rewards: i64, reason: &str) -> TaskEvent {
    released_at(nth, rewards, reason, at())
}

fn released_at(nth: u32, rewards: i64, reason: &str, when: Timestamp) -> TaskEvent {
    TaskEvent::EscrowReleased {
        settlement_id: release_id(nth),
        amount: usd(rewards * REWARD_CENTS),
        reason: reason.to_owned(),
        at: when,
    }
}

fn completed() -> TaskEvent {
    TaskEvent::TaskCompleted { at: at() }
}

// ---- deciding outside the framework, to look at state and account commands ----

fn fold(given: &[TaskEvent]) -> Task {
    Task::fold(given)
}

/// Decides `command` on the state `given` folds to; returns that state and
/// the new events, so a test can ask `account_commands` about them.
fn decide(given: &[TaskEvent], command: TaskCommand) -> (Task, Vec<TaskEvent>) {
    let task = fold(given);
    let events = task.decide(&command).expect("the command is accepted");
    (task, events)
}

/// The state after `given` and then what `command` decided.
fn after(given: &[TaskEvent], command: TaskCommand) -> Task {
    let (mut task, events) = decide(given, command);
    for event in &events {
        task.apply(event);
    }
    task
}

fn state_of(given: &[TaskEvent]) -> TaskStatus {
    fold(given).status
}
