//! Native API command bodies, from bytes to decided events, with no server:
//!
//! 1. the bytes go through `http::extract::parse_json`, the function every
//!    `/v1` command's extractor uses, for one of the body types;
//! 2. a body that decodes is turned into domain values and a command as its
//!    handler does (`Money::positive_cents`, `Role::parse`, `Email::parse`,
//!    `NewTask`, …), and the pure aggregate `decide`s it against a fixed
//!    state (an empty stream, or a task with work under way);
//! 3. decided events are stored and read back as the journal does
//!    (`serde_json` text, `Event::decode` by stream prefix) and applied.
//!
//! Properties: nothing panics; every refusal, from the JSON decoder or the
//! domain, renders as a 4xx problem (a body can never cause a 500); only
//! JSON content types are decoded; a decided event survives the journal.
//!
//! Input layout: byte 0 picks the body type, byte 1 the Content-Type, the
//! rest is the body.

#![no_main]

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::IntoResponse;
use chrono::{DateTime, TimeZone, Utc};
use errand::http::errors::ApiError;
use errand::http::extract::parse_json;
use errand::http::native::{
    ApplyRequest, DepositRequest, Empty, GrantCreditRequest, IssueKeyRequest, PostTaskRequest,
    ReasonRequest, RegisterActorRequest, ResizeRequest, StandingRequest, SubmitRequest,
    DEFAULT_ASSIGNMENT_TIME_LIMIT_S, DEFAULT_REVIEW_WINDOW_S,
};
use errand_aggregates::account::{Account, AccountCommand, AccountId, Funding};
use errand_aggregates::actor::{Actor, ActorCommand, Caller, Email, Role, Standing};
use errand_aggregates::api_key::{ApiKey, KeyCommand};
use errand_aggregates::deposit::{Deposit, DepositCommand, DepositSource};
use errand_aggregates::fee::FeePolicy;
use errand_aggregates::ids::{
    ActorId, ApplicationId, AssignmentId, FundingId, HoldId, KeyId, SubmissionId, TaskId,
};
use errand_aggregates::mode::Mode;
use errand_aggregates::money::{Currency, Money, MAX_AMOUNT_CENTS};
use errand_aggregates::task::{account_commands, AssignmentMode, NewTask, Task, TaskCommand};
use errand_aggregates::{policy, Aggregate, DomainError, Event};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use std::sync::OnceLock;
use uuid::Uuid;

fuzz_target!(|data: &[u8]| {
    let [route, content_type, body @ ..] = data else {
        return;
    };
    let headers = headers(*content_type);
    let outcome = match route % 12 {
        0 => decode(&headers, body).and_then(post_task),
        1 => decode(&headers, body).and_then(apply),
        2 => decode(&headers, body).and_then(submit),
        3 => decode(&headers, body).and_then(|b| review(b, false)),
        4 => decode(&headers, body).and_then(|b| review(b, true)),
        5 => decode(&headers, body).and_then(resize),
        6 => decode(&headers, body).and_then(register_actor),
        7 => decode(&headers, body).and_then(issue_key),
        8 => decode(&headers, body).and_then(change_standing),
        9 => decode(&headers, body).and_then(grant_credit),
        10 => decode(&headers, body).and_then(request_deposit),
        _ => decode::<Empty>(&headers, body).map(|_| ()),
    };
    if let Err(error) = outcome {
        let status = error.into_response().status();
        assert!(
            status.is_client_error(),
            "a body was answered with {status}"
        );
    }
});

/// The Content-Types clients send, right and wrong.
fn headers(choice: u8) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let value = match choice % 5 {
        0 => "application/json",
        1 => "application/json; charset=utf-8",
        2 => "application/merge-patch+json",
        3 => "text/plain",
        _ => return headers,
    };
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(value));
    headers
}

fn decode<T: DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<T, ApiError> {
    let decoded = parse_json::<T>(headers, body);
    let is_json = matches!(headers.get(CONTENT_TYPE), Some(v) if v.to_str().is_ok_and(|v| v.contains("json")));
    let reads_as_empty = body.iter().all(u8::is_ascii_whitespace) || body == b"{}";
    if !is_json && !reads_as_empty {
        assert!(
            matches!(decoded, Err(ApiError::UnsupportedMediaType)),
            "a body without a JSON Content-Type was read"
        );
    }
    decoded
}

// The fixed world the commands are decided in.

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn caller(n: u128, role: Role) -> Caller {
    Caller {
        actor: ActorId(id(n)),
        role,
        standing: Standing::Active,
    }
}

fn poster() -> Caller {
    caller(1, Role::Agent)
}

/// Assigned on `working_task` and not yet submitted.
fn worker() -> Caller {
    caller(2, Role::Human)
}

/// Assigned on `working_task` and submitted `SUBMISSION`.
fn submitter() -> Caller {
    caller(3, Role::Human)
}

fn admin() -> Caller {
    caller(4, Role::Admin)
}

const SUBMISSION: u128 = 30;

/// The native API's default fee, as `Config::default` sets it.
fn native_fee() -> FeePolicy {
    FeePolicy::percent("10").expect("10 % is a valid fee")
}

struct World {
    /// First-accept, three slots: `worker` assigned, `submitter` submitted.
    working_task: Task,
    /// Apply-select, two slots, nobody applied yet.
    applying_task: Task,
    /// A registered, active human.
    actor: Actor,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let new_task = |task: u128, assignment: AssignmentMode, slots: u32| NewTask {
            task_id: TaskId(id(task)),
            hold_id: HoldId(id(task + 1)),
            mode: Mode::Live,
            title: "Photograph the shop front".to_owned(),
            description: String::new(),
            kind: "photography".to_owned(),
            details: serde_json::json!({}),
            reward: Money::usd(500),
            slots,
            assignment,
            fee: native_fee(),
            deadline: None,
            assignment_time_limit_s: Some(DEFAULT_ASSIGNMENT_TIME_LIMIT_S),
            review_window_s: Some(DEFAULT_REVIEW_WINDOW_S),
        };
        let post = |new: NewTask| TaskCommand::Post {
            task: Box::new(new),
            by: poster(),
            at: at(),
        };
        let accept = |assignment: u128, by| TaskCommand::Accept {
            assignment_id: AssignmentId(id(assignment)),
            by,
            at: at(),
        };
        let mut working_task = Task::default();
        for command in [
            post(new_task(10, AssignmentMode::FirstAccept, 3)),
            accept(20, worker()),
            accept(21, submitter()),
            TaskCommand::Submit {
                submission_id: SubmissionId(id(SUBMISSION)),
                proof: errand_aggregates::task::Proof::text("done"),
                by: submitter(),
                at: at(),
            },
        ] {
            working_task = decided(&working_task, &command).expect("the fixture is valid");
        }
        let applying_task = decided(
            &Task::default(),
            &post(new_task(40, AssignmentMode::ApplySelect, 2)),
        )
        .expect("the fixture is valid");
        let actor = decided(
            &Actor::default(),
            &ActorCommand::Register {
                actor_id: ActorId(id(5)),
                role: Role::Human,
                name: "Ada".to_owned(),
                email: None,
                at: at(),
            },
        )
        .expect("the fixture is valid");
        World {
            working_task,
            applying_task,
            actor,
        }
    })
}

/// Decides `command`, stores and reads back each event as the journal does,
/// and returns the state after them.
fn decided<A: Aggregate>(state: &A, command: &A::Command) -> Result<A, DomainError> {
    decided_with_events(state, command).map(|(next, _)| next)
}

fn decided_with_events<A: Aggregate>(
    state: &A,
    command: &A::Command,
) -> Result<(A, Vec<A::Event>), DomainError> {
    let events = state.decide(command)?;
    let stream_id = format!("{}-{}", A::STREAM_PREFIX, id(99));
    let mut next = state.clone();
    for event in &events {
        let payload = serde_json::to_string(event).expect("an event serializes");
        let read = Event::decode(&stream_id, &payload)
            .unwrap_or_else(|error| panic!("a decided event does not read back: {error}"));
        assert_eq!(
            serde_json::to_value(&read).expect("an event serializes"),
            serde_json::to_value(event).expect("an event serializes"),
            "an event changed in the journal"
        );
        next.apply(event);
    }
    Ok((next, events))
}

// One function per body, converting it as its handler does.

fn post_task(body: PostTaskRequest) -> Result<(), ApiError> {
    let new_task = NewTask {
        task_id: TaskId(id(50)),
        hold_id: HoldId(id(51)),
        mode: Mode::Live,
        title: body.title,
        description: body.description,
        kind: body.kind.unwrap_or_else(|| "general".to_owned()),
        details: body.details.unwrap_or_else(|| serde_json::json!({})),
        reward: Money::positive_cents(body.reward_cents, Currency::USD)?,
        slots: body.slots.unwrap_or(1),
        assignment: body.assignment.unwrap_or_default(),
        fee: native_fee(),
        deadline: body.deadline,
        assignment_time_limit_s: Some(
            body.assignment_time_limit_s
                .unwrap_or(DEFAULT_ASSIGNMENT_TIME_LIMIT_S),
        ),
        review_window_s: Some(body.review_window_s.unwrap_or(DEFAULT_REVIEW_WINDOW_S)),
    };
    let reward = new_task.reward;
    let slots = new_task.slots;
    let command = TaskCommand::Post {
        task: Box::new(new_task),
        by: poster(),
        at: at(),
    };
    let (task, events) = decided_with_events(&Task::default(), &command)?;
    // The escrow is the whole task's price, held on the poster's account, after a free
    // task (if the account has one left) funds part of it.
    let commands = account_commands(&task, &events);
    let (free_tasks, holds): (Vec<_>, Vec<_>) = commands
        .iter()
        .partition(|(_, command)| matches!(command, AccountCommand::FundFreeTask { .. }));
    let [(account, hold @ AccountCommand::PlaceHold { amount, .. })] = holds.as_slice() else {
        panic!("posting places exactly one hold: {commands:?}");
    };
    assert!(
        free_tasks.len() <= 1 && free_tasks.iter().all(|(funded, _)| funded == account),
        "a free task funds the poster's own account first: {commands:?}"
    );
    assert_eq!(amount.cents, reward.cents * i64::from(slots));
    assert!(amount.cents <= MAX_AMOUNT_CENTS);
    let funded = decided(
        &Account::default(),
        &AccountCommand::Fund {
            account: *account,
            funding_id: FundingId(id(52)),
            amount: Money::usd(MAX_AMOUNT_CENTS),
            funding: Funding::Grant {
                reason: "fuzzing".to_owned(),
                granted_by: admin().actor,
            },
            at: at(),
        },
    )
    .expect("funding an empty account");
    for (_, free_task) in &free_tasks {
        // An account granted no free tasks funds nothing.
        decided(&funded, free_task).expect("no free task is no refusal");
    }
    decided(&funded, hold).expect("a funded account holds any valid escrow");
    Ok(())
}

fn apply(body: ApplyRequest) -> Result<(), ApiError> {
    let command = TaskCommand::Apply {
        application_id: ApplicationId(id(60)),
        note: body.note,
        by: worker(),
        at: at(),
    };
    decided(&world().applying_task, &command)?;
    Ok(())
}

fn submit(body: SubmitRequest) -> Result<(), ApiError> {
    let command = TaskCommand::Submit {
        submission_id: SubmissionId(id(61)),
        proof: body.proof,
        by: worker(),
        at: at(),
    };
    decided(&world().working_task, &command)?;
    Ok(())
}

fn review(body: ReasonRequest, dispute: bool) -> Result<(), ApiError> {
    let submission_id = SubmissionId(id(SUBMISSION));
    let (by, at, reason) = (poster(), at(), body.reason);
    let command = if dispute {
        TaskCommand::Dispute {
            submission_id,
            reason,
            by,
            at,
        }
    } else {
        TaskCommand::Reject {
            submission_id,
            reason,
            by,
            at,
        }
    };
    decided(&world().working_task, &command)?;
    Ok(())
}

fn resize(body: ResizeRequest) -> Result<(), ApiError> {
    let command = TaskCommand::Resize {
        slots: body.slots,
        by: poster(),
        at: at(),
    };
    decided(&world().working_task, &command)?;
    Ok(())
}

fn register_actor(body: RegisterActorRequest) -> Result<(), ApiError> {
    let role = Role::parse(&body.kind)
        .ok_or_else(|| ApiError::Invalid(format!("kind {:?}", body.kind)))?;
    let email = body.email.as_deref().map(Email::parse).transpose()?;
    let command = ActorCommand::Register {
        actor_id: ActorId(id(70)),
        role,
        name: body.name,
        email,
        at: at(),
    };
    decided(&Actor::default(), &command)?;
    Ok(())
}

/// The handler's prefixes and modes; the secret itself is random and
/// decides nothing, so a fixed one stands in for it.
fn issue_key(body: IssueKeyRequest) -> Result<(), ApiError> {
    let prefix = body.prefix.as_deref().unwrap_or("erk");
    if !["erk", "ih", "hp", "hm", "sk"].contains(&prefix) {
        return Err(ApiError::Invalid("prefix".to_owned()));
    }
    let mode = match body.mode.as_deref() {
        None | Some("live") => Mode::Live,
        Some("test") => Mode::Test,
        Some(_) => return Err(ApiError::Invalid("mode".to_owned())),
    };
    let command = KeyCommand::Issue {
        key_id: KeyId(id(71)),
        actor_id: ActorId(id(5)),
        prefix: format!("{prefix}_{}_0000", mode.as_str()),
        secret_hash: "0".repeat(64),
        scopes: body.scopes,
        mode,
        at: at(),
    };
    decided(&ApiKey::default(), &command)?;
    Ok(())
}

fn change_standing(body: StandingRequest) -> Result<(), ApiError> {
    for command in [
        ActorCommand::Freeze {
            by: admin(),
            reason: body.reason.clone(),
            at: at(),
        },
        ActorCommand::Ban {
            by: admin(),
            reason: body.reason.clone(),
            at: at(),
        },
    ] {
        decided(&world().actor, &command)?;
    }
    Ok(())
}

fn grant_credit(body: GrantCreditRequest) -> Result<(), ApiError> {
    let amount = Money::positive_cents(body.amount_cents, Currency::USD)?;
    let account = AccountId::usd(ActorId(body.actor_id), Mode::Live);
    let by = admin();
    policy::may_grant_credit(&by)?;
    let reason = policy::audited_reason(&body.reason)?;
    let command = AccountCommand::Fund {
        account,
        funding_id: FundingId(id(72)),
        amount,
        funding: Funding::Grant {
            reason,
            granted_by: by.actor,
        },
        at: at(),
    };
    let funded = decided(&Account::default(), &command)?;
    assert_eq!(funded.available_cents, amount.cents);
    Ok(())
}

fn request_deposit(body: DepositRequest) -> Result<(), ApiError> {
    let amount = Money::positive_cents(body.amount_cents, Currency::USD)?;
    let by = caller(1, Role::Agent);
    by.ensure_not_banned()?;
    let command = DepositCommand::Request {
        funding_id: FundingId(id(73)),
        account: AccountId::usd(by.actor, Mode::Live),
        amount,
        provider: "sandbox".to_owned(),
        source: DepositSource::Checkout,
        at: at(),
    };
    decided(&Deposit::default(), &command)?;
    Ok(())
}
