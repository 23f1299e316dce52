//! Random sequences of task commands, each decided on the state the previous
//! ones left, with the implied account commands decided by real accounts.
//! Whatever the sequence, the task's escrow is exactly what its account
//! commands put in the hold and took out, never negative, never refused by the
//! account, and no money appears or disappears.

use super::*;
use crate::account::{Account, Funding};
use crate::ids::FundingId;
use crate::task::escrow::required_cents;
use proptest::prelude::*;
use std::collections::BTreeMap;

const WORKERS: u8 = 5;
const FUNDED_CENTS: i64 = 1_000_000;

#[derive(Debug, Clone)]
enum Step {
    Accept(u8),
    Apply(u8),
    /// Select the n-th application (modulo their number).
    Select(usize),
    /// Submit as the worker of the n-th assignment (modulo their number).
    Submit(usize),
    Approve(usize),
    AutoApprove(usize),
    Reject(usize),
    Dispute(usize),
    Pause,
    Resume,
    Stop,
    Cancel,
    Resize(u32),
    Abandon(usize),
    Expire,
    Wait(i64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        // Weighted so that work gets done and reviewed before the task ends.
        8 => (0..WORKERS).prop_map(Step::Accept),
        5 => (0..WORKERS).prop_map(Step::Apply),
        5 => any::<usize>().prop_map(Step::Select),
        10 => any::<usize>().prop_map(Step::Submit),
        5 => any::<usize>().prop_map(Step::Approve),
        2 => any::<usize>().prop_map(Step::AutoApprove),
        3 => any::<usize>().prop_map(Step::Reject),
        2 => any::<usize>().prop_map(Step::Dispute),
        2 => Just(Step::Pause),
        2 => Just(Step::Resume),
        1 => Just(Step::Stop),
        1 => Just(Step::Cancel),
        2 => (0..=8u32).prop_map(Step::Resize),
        2 => any::<usize>().prop_map(Step::Abandon),
        2 => Just(Step::Expire),
        4 => (1..5_000i64).prop_map(Step::Wait),
    ]
}

fn nth<T>(items: &[T], n: usize) -> Option<&T> {
    (!items.is_empty()).then(|| &items[n % items.len()])
}

/// The command a step stands for, or `None` for waiting (or nothing to pick).
fn command(task: &Task, step: &Step, now: Timestamp, ids: &mut u128) -> Option<TaskCommand> {
    *ids += 1;
    let fresh = Uuid::from_u128(0xf000_0000 + *ids);
    let by_worker = |n: u8| worker(u128::from(n));
    let submission_id = |n: usize| nth(&task.submissions, n).map(|s| s.id);
    Some(match *step {
        Step::Accept(n) => TaskCommand::Accept {
            assignment_id: AssignmentId(fresh),
            by: by_worker(n),
            at: now,
        },
        Step::Apply(n) => TaskCommand::Apply {
            application_id: ApplicationId(fresh),
            note: None,
            by: by_worker(n),
            at: now,
        },
        Step::Select(n) => TaskCommand::Select {
            application_id: nth(&task.applications, n)?.id,
            assignment_id: AssignmentId(fresh),
            by: poster(),
            at: now,
        },
        Step::Submit(n) => TaskCommand::Submit {
            submission_id: SubmissionId(fresh),
            proof: Proof::text("done"),
            by: caller(nth(&task.assignments, n)?.worker, Role::Human),
            at: now,
        },
        Step::Approve(n) => TaskCommand::Approve {
            submission_id: submission_id(n)?,
            by: poster(),
            at: now,
        },
        Step::AutoApprove(n) => TaskCommand::AutoApprove {
            submission_id: submission_id(n)?,
            at: now,
        },
        Step::Reject(n) => TaskCommand::Reject {
            submission_id: submission_id(n)?,
            reason: "not it".to_owned(),
            by: poster(),
            at: now,
        },
        Step::Dispute(n) => TaskCommand::Dispute {
            submission_id: submission_id(n)?,
            reason: "not it".to_owned(),
            by: poster(),
            at: now,
        },
        Step::Pause => TaskCommand::Pause {
            by: poster(),
            at: now,
        },
        Step::Resume => TaskCommand::Resume {
            by: poster(),
            at: now,
        },
        Step::Stop => TaskCommand::Stop {
            by: poster(),
            at: now,
        },
        Step::Cancel => TaskCommand::Cancel {
            by: poster(),
            at: now,
        },
        Step::Resize(slots) => TaskCommand::Resize {
            slots,
            by: poster(),
            at: now,
        },
        Step::Abandon(n) => TaskCommand::AbandonAssignment {
            assignment_id: nth(&task.assignments, n)?.id,
            at: now,
        },
        Step::Expire => TaskCommand::Expire { at: now },
        Step::Wait(_) => return None,
    })
}

/// Decides and applies account commands on the accounts, as the bus would in
/// the same append as the task's events. The accounts must accept them all.
fn settle_accounts(
    accounts: &mut BTreeMap<AccountId, Account>,
    commands: Vec<(AccountId, AccountCommand)>,
) -> Result<i64, TestCaseError> {
    let mut escrow_change = 0;
    for (id, command) in commands {
        escrow_change += match &command {
            AccountCommand::PlaceHold { amount, .. }
            | AccountCommand::IncreaseHold { amount, .. } => amount.cents,
            AccountCommand::CaptureHold { gross, .. } => -gross.cents,
            AccountCommand::ReleaseHold { amount, .. } => -amount.cents,
            _ => 0,
        };
        let account = accounts.entry(id).or_default();
        let events = account.decide(&command);
        prop_assert!(events.is_ok(), "{command:?} was refused: {events:?}");
        for event in &events.unwrap() {
            account.apply(event);
        }
    }
    Ok(escrow_change)
}

fn task_strategy() -> impl Strategy<Value = NewTask> {
    (
        1..=5u32,
        any::<bool>(),
        prop::sample::select(vec!["0", "0.01", "10", "18", "100"]),
        prop::option::of(1..=3_000u32),
        prop::option::of(1..=3_000u32),
    )
        .prop_map(
            |(slots, apply_select, percent, time_limit, review_window)| {
                new_task_with(|t| {
                    t.slots = slots;
                    t.assignment = if apply_select {
                        AssignmentMode::ApplySelect
                    } else {
                        AssignmentMode::FirstAccept
                    };
                    t.fee = FeePolicy::percent(percent).unwrap();
                    t.deadline = Some(later(6_000));
                    t.assignment_time_limit_s = time_limit;
                    t.review_window_s = review_window;
                })
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_escrow_always_equals_what_the_account_commands_moved(
        new in task_strategy(),
        steps in prop::collection::vec(step(), 0..50),
    ) {
        let mut accounts = BTreeMap::new();
        let funding = AccountCommand::Fund {
            account: poster_account(),
            funding_id: FundingId(Uuid::from_u128(1)),
            amount: usd(FUNDED_CENTS),
            funding: Funding::Deposit { provider: "sandbox".to_owned() },
            at: at(),
        };
        settle_accounts(&mut accounts, vec![(poster_account(), funding)])?;

        let mut task = Task::default();
        let posting = post(new);
        let events = task.decide(&posting).unwrap();
        let mut ledger_cents = settle_accounts(&mut accounts, account_commands(&task, &events))?;
        for event in &events {
            task.apply(event);
        }

        let mut now = at();
        let mut ids = 0;
        for step in &steps {
            if let Step::Wait(seconds) = step {
                now += Duration::seconds(*seconds);
            }
            let Some(command) = command(&task, step, now, &mut ids) else { continue };
            let Ok(events) = task.decide(&command) else { continue };
            ledger_cents += settle_accounts(&mut accounts, account_commands(&task, &events))?;
            for event in &events {
                task.apply(event);
            }

            prop_assert_eq!(task.escrow_cents, ledger_cents, "after {:?}", command);
            prop_assert!(task.escrow_cents >= 0);
            prop_assert_eq!(task.escrow_cents, required_cents(&task));
            let held = accounts[&poster_account()]
                .holds
                .get(&HOLD)
                .map_or(0, |hold| hold.remaining_cents);
            prop_assert_eq!(task.escrow_cents, held);
            let total: i64 = accounts
                .values()
                .map(|a| a.available_cents + a.held_cents + a.fees_paid_cents)
                .sum();
            prop_assert_eq!(total, FUNDED_CENTS, "money appeared or vanished");
            if task.status == TaskStatus::Completed {
                prop_assert_eq!(task.settled_slots(), task.slots);
            }
        }
    }
}
