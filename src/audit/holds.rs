//! Invariant 3: escrow is settled exactly. Each hold (placed, plus its increases) is captured or
//! released piece by piece, never for more than it still holds; each settlement id is applied
//! at most once in the whole journal, and paid at most once; and every task's (and Humai
//! contract's) escrow equals what its hold still holds on the payer's account.

use std::collections::{BTreeMap, HashMap, HashSet};

use errand_aggregates::account::{AccountEvent, AccountId};
use errand_aggregates::contract::Contract;
use errand_aggregates::ids::{HoldId, SettlementId, TaskId};
use errand_aggregates::DomainEvent;

use super::findings::Findings;
use super::replay::TaskFold;
use super::InvariantReport;

pub(super) const NAME: &str = "holds_settled_once";

#[derive(Debug, Clone, Copy)]
struct HoldFold {
    /// Placed plus increased.
    held_cents: i64,
    /// Captured plus released.
    settled_cents: i64,
    task_id: TaskId,
}

impl HoldFold {
    fn remaining_cents(&self) -> i64 {
        self.held_cents - self.settled_cents
    }
}

#[derive(Debug, Default)]
pub(super) struct Holds {
    findings: Findings,
    holds: HashMap<(AccountId, HoldId), HoldFold>,
    /// Settlement ids of every capture and release seen.
    settled: HashSet<SettlementId>,
    /// Settlement ids of every payment seen.
    paid: HashSet<SettlementId>,
}

impl Holds {
    /// Applies one account event of `account`'s stream.
    pub(super) fn apply(&mut self, position: i64, account: &AccountId, event: &AccountEvent) {
        let at = || format!("position {position} ({}, {account})", event.event_type());
        match event {
            AccountEvent::HoldPlaced {
                hold_id,
                task_id,
                amount,
                ..
            } => {
                let placed = HoldFold {
                    held_cents: amount.cents,
                    settled_cents: 0,
                    task_id: *task_id,
                };
                if self.holds.insert((*account, *hold_id), placed).is_some() {
                    self.findings
                        .breach(|| format!("{}: hold {hold_id} was already placed", at()));
                }
            }
            AccountEvent::HoldIncreased {
                hold_id, amount, ..
            } => match self.holds.get_mut(&(*account, *hold_id)) {
                Some(hold) => hold.held_cents += amount.cents,
                None => self
                    .findings
                    .breach(|| format!("{}: hold {hold_id} was never placed", at())),
            },
            AccountEvent::HoldCaptured {
                hold_id,
                settlement_id,
                gross: amount,
                ..
            }
            | AccountEvent::HoldReleased {
                hold_id,
                settlement_id,
                amount,
                ..
            } => {
                if !self.settled.insert(*settlement_id) {
                    self.findings.breach(|| {
                        format!("{}: settlement {settlement_id} was already applied", at())
                    });
                }
                self.settle(&at, account, *hold_id, amount.cents);
            }
            AccountEvent::PaymentReceived { settlement_id, .. } => {
                if !self.paid.insert(*settlement_id) {
                    self.findings.breach(|| {
                        format!("{}: settlement {settlement_id} was already paid", at())
                    });
                }
            }
            AccountEvent::FundsDeposited { .. }
            | AccountEvent::PayoutSent { .. }
            | AccountEvent::PayoutReturned { .. }
            | AccountEvent::FreeTasksGranted { .. } => {}
        }
    }

    fn settle(
        &mut self,
        at: &dyn Fn() -> String,
        account: &AccountId,
        hold_id: HoldId,
        cents: i64,
    ) {
        let Some(hold) = self.holds.get_mut(&(*account, hold_id)) else {
            self.findings
                .breach(|| format!("{}: hold {hold_id} was never placed", at()));
            return;
        };
        let remaining = hold.remaining_cents();
        hold.settled_cents += cents;
        if cents > remaining {
            self.findings.breach(|| {
                format!(
                    "{}: settles {cents} cents of hold {hold_id}, which held {remaining}",
                    at()
                )
            });
        }
    }

    /// The verdict once every event is applied: also compares each task's escrow with its
    /// hold. `unreadable` counts account and task events that did not decode.
    pub(super) fn finish(
        mut self,
        tasks: &BTreeMap<String, TaskFold>,
        contracts: &BTreeMap<String, Contract>,
        unreadable: u64,
    ) -> InvariantReport {
        let mut escrows = 0;
        for (task_id, task) in tasks {
            let (Some(account), Some(hold_id)) = (task.state.account, task.state.hold_id) else {
                continue;
            };
            escrows += 1;
            let escrow = task.state.escrow_cents;
            match self.holds.get(&(account, hold_id)) {
                Some(hold) if hold.remaining_cents() == escrow => {}
                Some(hold) => self.findings.breach(|| {
                    format!(
                        "task {task_id}: escrow is {escrow} cents but hold {hold_id} on {account} holds {}",
                        hold.remaining_cents()
                    )
                }),
                None => self.findings.breach(|| {
                    format!("task {task_id}: its hold {hold_id} was never placed on {account}")
                }),
            }
        }
        for (contract_id, contract) in contracts {
            let (Some(account), Some(hold_id)) = (contract.account, contract.hold_id) else {
                continue;
            };
            escrows += 1;
            let escrow = contract.held_cents;
            // A hold settled to nothing is still in the fold (remaining 0).
            match self.holds.get(&(account, hold_id)) {
                Some(hold) if hold.remaining_cents() == escrow => {}
                Some(hold) => self.findings.breach(|| {
                    format!(
                        "contract {contract_id}: escrow is {escrow} cents but hold {hold_id} on {account} holds {}",
                        hold.remaining_cents()
                    )
                }),
                None => self.findings.breach(|| {
                    format!("contract {contract_id}: its hold {hold_id} was never placed on {account}")
                }),
            }
        }
        self.check_holds_have_their_task(tasks, contracts);
        if unreadable > 0 {
            self.findings.breach(|| {
                format!(
                    "{unreadable} account or task event(s) do not decode; their holds are unproven"
                )
            });
        }
        let summary = format!(
            "{} holds, {} settlements, {} payments; {escrows} task and contract escrows compared with their holds",
            self.holds.len(),
            self.settled.len(),
            self.paid.len()
        );
        InvariantReport::new(NAME, &summary, &self.findings)
    }

    /// A hold is placed in the same append as its task: one for a task that does not know it
    /// was not made by posting work. A Humai contract's hold names the contract's id where a
    /// task's names the task's (`contract::escrow`).
    fn check_holds_have_their_task(
        &mut self,
        tasks: &BTreeMap<String, TaskFold>,
        contracts: &BTreeMap<String, Contract>,
    ) {
        let mut orphans: Vec<_> = self
            .holds
            .iter()
            .filter(|((account, hold_id), hold)| {
                let owner = hold.task_id.to_string();
                let task = tasks.get(&owner);
                let held_by_task = task.is_some_and(|task| {
                    task.state.hold_id == Some(*hold_id) && task.state.account == Some(*account)
                });
                let held_by_contract = contracts.get(&owner).is_some_and(|contract| {
                    contract.hold_id == Some(*hold_id) && contract.account == Some(*account)
                });
                !(held_by_task || held_by_contract)
            })
            .map(|((account, hold_id), hold)| (*account, *hold_id, hold.task_id))
            .collect();
        orphans.sort();
        for (account, hold_id, task_id) in orphans {
            self.findings.breach(|| {
                format!("hold {hold_id} on {account} names task {task_id}, which does not hold it")
            });
        }
    }
}
