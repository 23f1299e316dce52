//! Invariant 2: money is neither made nor lost. Every account event's postings sum to zero;
//! the `platform:settlement` clearing account, credited by a capture and debited by the payment
//! appended with it, nets to zero, overall and per settlement; and replaying each account in
//! order, neither its available nor its held balance ever goes below zero. A Humai wallet's
//! credit lots (`CreditLots`) hold exactly its balance (`replay::check_credit_lots`).

use std::collections::{BTreeMap, HashMap};

use errand_aggregates::account::{AccountEvent, AccountId};
use errand_aggregates::ids::SettlementId;
use errand_aggregates::ledger::postings;
use errand_aggregates::DomainEvent;

use super::findings::Findings;
use super::InvariantReport;

pub(super) const NAME: &str = "ledger_balanced";

/// The prefix of every clearing account, one per mode and currency.
const CLEARING_PREFIX: &str = "platform:settlement:";

/// What the postings to one ledger account add up to: what the `postings` table must hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct LedgerBalance {
    pub cents: i64,
    pub postings: i64,
}

/// Ledger accounts by (name, currency code).
pub(super) type Balances = BTreeMap<(String, &'static str), LedgerBalance>;

/// A settlement whose capture and payment do not (yet) net to zero on the clearing account.
#[derive(Debug, Clone, Copy)]
struct OpenSettlement {
    net_cents: i64,
    first_position: i64,
}

#[derive(Debug, Default)]
pub(super) struct Ledger {
    findings: Findings,
    balances: Balances,
    /// Only settlements with a non-zero net stay here, so this holds what is in flight (none,
    /// at a committed head: a capture and its payment are appended together).
    open_settlements: HashMap<SettlementId, OpenSettlement>,
    events: u64,
    postings: u64,
}

impl Ledger {
    /// Posts one account event of `account`'s stream.
    pub(super) fn post(&mut self, position: i64, account: &AccountId, event: &AccountEvent) {
        self.events += 1;
        let postings = postings(account, event);
        let sum: i64 = postings.iter().map(|posting| posting.amount_cents).sum();
        if sum != 0 {
            self.findings.breach(|| {
                format!(
                    "position {position} ({}, {account}): postings sum to {sum} cents, not zero",
                    event.event_type()
                )
            });
        }
        for posting in postings {
            self.postings += 1;
            let balance = self
                .balances
                .entry((posting.ledger_account, posting.currency.code()))
                .or_default();
            balance.cents += posting.amount_cents;
            balance.postings += 1;
        }
        match event {
            AccountEvent::HoldCaptured {
                settlement_id,
                gross,
                fee,
                ..
            } => self.clear(*settlement_id, position, gross.cents - fee.cents),
            AccountEvent::PaymentReceived {
                settlement_id,
                amount,
                ..
            } => self.clear(*settlement_id, position, -amount.cents),
            _ => {}
        }
    }

    fn clear(&mut self, settlement_id: SettlementId, position: i64, cents: i64) {
        let open = self
            .open_settlements
            .entry(settlement_id)
            .or_insert(OpenSettlement {
                net_cents: 0,
                first_position: position,
            });
        open.net_cents += cents;
        if open.net_cents == 0 {
            self.open_settlements.remove(&settlement_id);
        }
    }

    /// Records a breach found while replaying an account (a negative balance, an event that
    /// does not belong to its stream).
    pub(super) fn breach(&mut self, describe: impl FnOnce() -> String) {
        self.findings.breach(describe);
    }

    pub(super) fn balances(&self) -> &Balances {
        &self.balances
    }

    /// The verdict once every event is posted. `unreadable` counts the account and task events
    /// that did not decode: balances are unproven while any exists.
    pub(super) fn finish(mut self, unreadable: u64) -> InvariantReport {
        for ((ledger_account, _), balance) in &self.balances {
            if ledger_account.starts_with(CLEARING_PREFIX) && balance.cents != 0 {
                self.findings.breach(|| {
                    format!(
                        "{ledger_account} nets to {} cents, not zero: captures and payments differ",
                        balance.cents
                    )
                });
            }
        }
        let mut open: Vec<_> = self.open_settlements.iter().collect();
        open.sort_by_key(|(_, settlement)| settlement.first_position);
        for (settlement_id, settlement) in open {
            self.findings
                .breach(|| describe_open(settlement_id, settlement));
        }
        if unreadable > 0 {
            self.findings.breach(|| {
                format!("{unreadable} account or task event(s) do not decode; their money is unaccounted for")
            });
        }
        let summary = format!(
            "{} account events posted as {} postings to {} ledger accounts",
            self.events,
            self.postings,
            self.balances.len()
        );
        InvariantReport::new(NAME, &summary, &self.findings)
    }
}

fn describe_open(settlement_id: &SettlementId, settlement: &OpenSettlement) -> String {
    let net = settlement.net_cents;
    let what = if net > 0 {
        format!("{net} cents captured were never paid to the payee")
    } else {
        format!("the payee was paid {} cents more than was captured", -net)
    };
    format!(
        "settlement {settlement_id} (from position {}): {what}",
        settlement.first_position
    )
}
