//! What must hold after every command, whatever came before.

use crate::people::ACCOUNT_KINDS;
use crate::reference::Reference;
use crate::world::{Recorded, World};
use errand_aggregates::account::AccountEvent;
use errand_aggregates::ids::{HoldId, SettlementId, SubmissionId};
use errand_aggregates::ledger::postings;
use errand_aggregates::task::TaskEvent;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Every account event posts a balanced set; summed over the whole journal,
/// each account's `available` and `held` ledger accounts are its balances,
/// the settlement clearing account is empty (every capture's payment was
/// appended with it), and the fees are what the reference expects.
pub fn money_is_conserved(world: &World, reference: &Reference) -> Result<(), TestCaseError> {
    let mut ledger: BTreeMap<String, i64> = BTreeMap::new();
    for recorded in &world.journal {
        let Recorded::Account { account, event } = recorded else {
            continue;
        };
        let posted = postings(account, event);
        let sum: i64 = posted.iter().map(|p| p.amount_cents).sum();
        prop_assert_eq!(sum, 0, "{:?} posts an unbalanced set", event);
        for posting in posted {
            *ledger.entry(posting.ledger_account).or_default() += posting.amount_cents;
        }
    }
    prop_assert_eq!(ledger.values().sum::<i64>(), 0, "the whole ledger");
    let balance = |name: &str| ledger.get(name).copied().unwrap_or(0);
    for (mode, currency) in ACCOUNT_KINDS {
        let platform = |name| format!("platform:{name}:{}:{}", mode.as_str(), currency.code());
        let clearing = balance(&platform("settlement"));
        prop_assert_eq!(clearing, 0, "{} is not empty", platform("settlement"));
        let fees = reference.fees_cents(mode, currency);
        prop_assert_eq!(balance(&platform("fees")), fees, "{}", platform("fees"));
    }
    for (id, state) in &world.accounts {
        let available = balance(&format!("{id}:available"));
        prop_assert_eq!(
            available,
            state.available_cents,
            "{}'s available ledger",
            id
        );
        let held = balance(&format!("{id}:held"));
        prop_assert_eq!(held, state.held_cents, "{}'s held ledger", id);
    }
    Ok(())
}

pub fn no_balance_is_negative(world: &World) -> Result<(), TestCaseError> {
    for (id, state) in &world.accounts {
        prop_assert!(state.available_cents >= 0, "{} is overdrawn", id);
        prop_assert!(state.held_cents >= 0, "{} holds less than nothing", id);
        let open: i64 = state.holds.values().map(|h| h.remaining_cents).sum();
        prop_assert_eq!(
            open,
            state.held_cents,
            "{}'s holds and held balance differ",
            id
        );
        prop_assert!(state.holds.values().all(|h| h.remaining_cents > 0));
    }
    for (id, task) in &world.tasks {
        prop_assert!(task.escrow_cents >= 0, "task {}'s escrow is negative", id);
    }
    Ok(())
}

/// Read from the journal alone: a hold is placed once, each settlement of it
/// (a capture or a release) happens once and never for more than it still
/// holds, every capture pays its worker exactly once, and a submission is
/// approved at most once.
pub fn holds_settle_at_most_once(world: &World) -> Result<(), TestCaseError> {
    let mut holding: BTreeMap<HoldId, i64> = BTreeMap::new();
    let mut settled: BTreeSet<(HoldId, SettlementId)> = BTreeSet::new();
    let mut captured: BTreeMap<SettlementId, i64> = BTreeMap::new();
    let mut paid: BTreeMap<SettlementId, i64> = BTreeMap::new();
    let mut approved: BTreeSet<SubmissionId> = BTreeSet::new();
    for recorded in &world.journal {
        match recorded {
            Recorded::Account { event, .. } => match event {
                AccountEvent::HoldPlaced {
                    hold_id, amount, ..
                } => {
                    let placed = holding.insert(*hold_id, amount.cents);
                    prop_assert!(placed.is_none(), "hold {} was placed twice", hold_id);
                }
                AccountEvent::HoldIncreased {
                    hold_id, amount, ..
                } => {
                    let left = holding.get_mut(hold_id);
                    prop_assert!(left.is_some(), "hold {} grew before it was placed", hold_id);
                    *left.unwrap() += amount.cents;
                }
                AccountEvent::HoldCaptured {
                    hold_id,
                    settlement_id,
                    gross,
                    fee,
                    ..
                } => {
                    settle(
                        &mut holding,
                        &mut settled,
                        *hold_id,
                        *settlement_id,
                        gross.cents,
                    )?;
                    captured.insert(*settlement_id, gross.cents - fee.cents);
                }
                AccountEvent::HoldReleased {
                    hold_id,
                    settlement_id,
                    amount,
                    ..
                } => settle(
                    &mut holding,
                    &mut settled,
                    *hold_id,
                    *settlement_id,
                    amount.cents,
                )?,
                AccountEvent::PaymentReceived {
                    settlement_id,
                    amount,
                    ..
                } => {
                    let before = paid.insert(*settlement_id, amount.cents);
                    prop_assert!(before.is_none(), "settlement {} paid twice", settlement_id);
                }
                AccountEvent::FundsDeposited { .. }
                | AccountEvent::PayoutSent { .. }
                | AccountEvent::PayoutReturned { .. }
                | AccountEvent::FreeTasksGranted { .. } => {}
            },
            Recorded::Task {
                event: TaskEvent::SubmissionApproved { submission_id, .. },
                ..
            } => {
                let first = approved.insert(*submission_id);
                prop_assert!(first, "submission {} approved twice", submission_id);
            }
            Recorded::Task { .. } | Recorded::Deposit { .. } => {}
        }
    }
    prop_assert_eq!(captured, paid, "captures and the payments they owe differ");
    Ok(())
}

fn settle(
    holding: &mut BTreeMap<HoldId, i64>,
    settled: &mut BTreeSet<(HoldId, SettlementId)>,
    hold_id: HoldId,
    settlement_id: SettlementId,
    cents: i64,
) -> Result<(), TestCaseError> {
    prop_assert!(
        settled.insert((hold_id, settlement_id)),
        "settlement {} of hold {} applied twice",
        settlement_id,
        hold_id
    );
    let left = holding.get_mut(&hold_id);
    prop_assert!(
        left.is_some(),
        "hold {} settled before it was placed",
        hold_id
    );
    let left = left.unwrap();
    *left -= cents;
    prop_assert!(*left >= 0, "hold {} settled for more than it held", hold_id);
    Ok(())
}
