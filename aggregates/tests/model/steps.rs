//! The steps a case takes. Steps name their targets by position from the
//! newest ("the task before last", "its newest submission"), so a shrunk
//! sequence still means something; `commands.rs` turns a position into an
//! id through the reference model, and a step with nothing to point at is
//! skipped.

use crate::people::{Person, ACCOUNT_KINDS, PEOPLE};
use errand_aggregates::actor::Standing;
use errand_aggregates::mode::Mode;
use errand_aggregates::money::Currency;
use errand_aggregates::task::AssignmentMode;
use proptest::prelude::*;

/// Long enough to post, take, submit and review a few tasks in one case.
pub const STEPS_MAX: usize = 40;

/// Rates in use by the dialects, and the edges of the range.
const FEE_PERCENTS: [&str; 5] = ["0", "0.01", "10", "18", "100"];

/// Who takes work: mostly someone other than the task's poster (the `n`-th
/// of them), sometimes anyone, the poster included.
#[derive(Debug, Clone, Copy)]
pub enum Worker {
    NotThePoster { n: usize, standing: Standing },
    Anyone(Person),
}

/// Who steers a task: its poster, an admin, or one of the people (who may
/// happen to be the poster).
#[derive(Debug, Clone, Copy)]
pub enum Steerer {
    Poster(Standing),
    Admin,
    Someone(usize),
}

#[derive(Debug, Clone, Copy)]
pub enum Verdict {
    Approve,
    Reject,
    Dispute,
}

#[derive(Debug, Clone, Copy)]
pub enum Steering {
    Pause,
    Resume,
    Stop,
    Cancel,
    /// Close and settle (InstaHuman's), then approve or dispute the settlement.
    Settle,
    ApproveSettlement,
    DisputeSettlement,
}

#[derive(Debug, Clone)]
pub enum Step {
    RequestDeposit {
        person: Person,
        into: (Mode, Currency),
        cents: i64,
        /// Paid in the other currency than the account's.
        foreign: bool,
    },
    CompleteDeposit {
        deposit: usize,
    },
    GrantCredit {
        person: usize,
        into: (Mode, Currency),
        cents: i64,
        foreign: bool,
        by_admin: bool,
    },
    Post {
        poster: Person,
        /// The task's mode, and the reward's currency.
        paid_from: (Mode, Currency),
        reward_cents: i64,
        slots: u32,
        assignment: AssignmentMode,
        fee_percent: &'static str,
        deadline_s: Option<i64>,
        time_limit_s: Option<u32>,
        review_window_s: Option<u32>,
    },
    /// The same post again, as a client retrying without an idempotency key.
    Repost {
        task: usize,
    },
    /// Accept a first-accept task or apply to an apply-select one; with
    /// `wrong_way`, the other of the two, which the task refuses.
    TakeWork {
        task: usize,
        worker: Worker,
        wrong_way: bool,
    },
    Select {
        task: usize,
        application: usize,
        by: Steerer,
    },
    /// Submit as the worker of an assignment, or as someone else.
    Submit {
        task: usize,
        assignment: usize,
        stranger: Option<usize>,
        standing: Standing,
    },
    Review {
        task: usize,
        submission: usize,
        verdict: Verdict,
        /// An empty reason is refused for a rejection or a dispute.
        reason: &'static str,
        by: Steerer,
    },
    AutoApprove {
        task: usize,
        submission: usize,
    },
    Steer {
        task: usize,
        steering: Steering,
        by: Steerer,
    },
    Resize {
        task: usize,
        slots: u32,
        by: Steerer,
    },
    Abandon {
        task: usize,
        assignment: usize,
    },
    Expire {
        task: usize,
    },
    /// Time passes, so deadlines, time limits and review windows run out.
    Wait {
        seconds: i64,
    },
    /// The service's runtime fires the `timer`-th soonest timer (due or not).
    FireTimer {
        timer: usize,
    },
    /// Time passes until just before, at, or just after the moment a
    /// deadline, time limit or review window ends (the `timer`-th soonest):
    /// the boundary each timer command must respect.
    WaitForTimer {
        timer: usize,
        offset_s: i64,
    },
}

/// A position counted from the newest: mostly the newest itself, where work
/// is moving, sometimes an older one.
fn newest() -> impl Strategy<Value = usize> {
    prop_oneof![2 => Just(0usize), 1 => 0..8usize]
}

fn standing() -> impl Strategy<Value = Standing> {
    prop_oneof![
        30 => Just(Standing::Active),
        1 => Just(Standing::Frozen),
        1 => Just(Standing::Banned),
    ]
}

fn person() -> impl Strategy<Value = Person> {
    (0..PEOPLE.len(), standing()).prop_map(|(index, standing)| Person { index, standing })
}

fn worker() -> impl Strategy<Value = Worker> {
    prop_oneof![
        9 => (0..PEOPLE.len(), standing())
            .prop_map(|(n, standing)| Worker::NotThePoster { n, standing }),
        1 => person().prop_map(Worker::Anyone),
    ]
}

fn steerer() -> impl Strategy<Value = Steerer> {
    prop_oneof![
        12 => standing().prop_map(Steerer::Poster),
        1 => Just(Steerer::Admin),
        2 => (0..PEOPLE.len()).prop_map(Steerer::Someone),
    ]
}

/// Mostly small, sometimes more than anyone holds, rarely nothing.
fn reward_cents() -> impl Strategy<Value = i64> {
    prop_oneof![
        1 => Just(0i64),
        20 => 1..=2_000i64,
        2 => 2_000..=40_000i64,
    ]
}

fn post() -> impl Strategy<Value = Step> {
    (
        person(),
        account_kind(),
        reward_cents(),
        prop_oneof![20 => 1..=5u32, 1 => Just(0u32), 1 => Just(501u32)],
        prop_oneof![
            Just(AssignmentMode::FirstAccept),
            Just(AssignmentMode::ApplySelect)
        ],
        prop::sample::select(&FEE_PERCENTS[..]),
        prop::option::of(1..=12_000i64),
        prop::option::of(1..=3_000u32),
        prop::option::of(1..=3_000u32),
    )
        .prop_map(
            |(
                poster,
                paid_from,
                reward_cents,
                slots,
                assignment,
                fee_percent,
                deadline_s,
                time_limit_s,
                review_window_s,
            )| Step::Post {
                poster,
                paid_from,
                reward_cents,
                slots,
                assignment,
                fee_percent,
                deadline_s,
                time_limit_s,
                review_window_s,
            },
        )
}

/// What each person holds before the first step: often enough for a few
/// tasks, sometimes nothing at all.
pub fn opening_cents() -> impl Strategy<Value = [[i64; ACCOUNT_KINDS.len()]; PEOPLE.len()]> {
    let cents = || prop_oneof![1 => Just(0i64), 4 => 1_000..=40_000i64];
    prop::array::uniform3(prop::array::uniform3(cents()))
}

/// Mostly live dollars.
fn account_kind() -> impl Strategy<Value = (Mode, Currency)> {
    prop_oneof![
        6 => Just(ACCOUNT_KINDS[0]),
        1 => Just(ACCOUNT_KINDS[1]),
        1 => Just(ACCOUNT_KINDS[2]),
    ]
}

/// Weighted so that work is taken, handed in and reviewed before the money
/// runs out or the case ends.
pub fn step() -> impl Strategy<Value = Step> {
    let index = newest;
    prop_oneof![
        2 => (
            person(),
            account_kind(),
            prop_oneof![1 => 0..500i64, 6 => 500..=30_000i64],
            prop::bool::weighted(0.05),
        )
            .prop_map(|(person, into, cents, foreign)| Step::RequestDeposit {
                person, into, cents, foreign,
            }),
        2 => index().prop_map(|deposit| Step::CompleteDeposit { deposit }),
        1 => (
            0..PEOPLE.len(),
            account_kind(),
            0..=20_000i64,
            prop::bool::weighted(0.05),
            prop::bool::weighted(0.8),
        )
            .prop_map(|(person, into, cents, foreign, by_admin)| Step::GrantCredit {
                person, into, cents, foreign, by_admin,
            }),
        7 => post(),
        1 => index().prop_map(|task| Step::Repost { task }),
        10 => (index(), worker(), prop::bool::weighted(0.05)).prop_map(
            |(task, worker, wrong_way)| Step::TakeWork { task, worker, wrong_way }
        ),
        5 => (index(), index(), steerer())
            .prop_map(|(task, application, by)| Step::Select { task, application, by }),
        10 => (index(), index(), prop::option::weighted(0.05, 0..PEOPLE.len()), standing())
            .prop_map(|(task, assignment, stranger, standing)| Step::Submit {
                task, assignment, stranger, standing,
            }),
        10 => (
            index(),
            index(),
            prop_oneof![
                3 => Just(Verdict::Approve),
                1 => Just(Verdict::Reject),
                1 => Just(Verdict::Dispute),
            ],
            prop_oneof![9 => Just("not what was asked"), 1 => Just("  ")],
            steerer(),
        )
            .prop_map(|(task, submission, verdict, reason, by)| Step::Review {
                task, submission, verdict, reason, by,
            }),
        1 => (index(), index())
            .prop_map(|(task, submission)| Step::AutoApprove { task, submission }),
        3 => (
            index(),
            prop_oneof![
                Just(Steering::Pause),
                Just(Steering::Resume),
                Just(Steering::Stop),
                Just(Steering::Cancel),
                Just(Steering::Settle),
                Just(Steering::ApproveSettlement),
                Just(Steering::DisputeSettlement),
            ],
            steerer(),
        )
            .prop_map(|(task, steering, by)| Step::Steer { task, steering, by }),
        2 => (index(), 0..=7u32, steerer())
            .prop_map(|(task, slots, by)| Step::Resize { task, slots, by }),
        1 => (index(), index()).prop_map(|(task, assignment)| Step::Abandon { task, assignment }),
        1 => index().prop_map(|task| Step::Expire { task }),
        4 => index().prop_map(|timer| Step::FireTimer { timer }),
        3 => (1..=3_000i64).prop_map(|seconds| Step::Wait { seconds }),
        3 => (index(), -1..=1i64)
            .prop_map(|(timer, offset_s)| Step::WaitForTimer { timer, offset_s }),
    ]
}
