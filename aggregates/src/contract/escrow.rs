//! The contract's escrow: one hold of the whole price on the buyer's
//! account, placed in the opening append, and settled piecewise — a capture
//! per accepted part (the seller paid through `platform:settlement`, the fee
//! kept), a capture and a release per settled dispute. The hold always
//! holds what the contract may still pay (`Contract::held_cents`).
//!
//! Every settlement id is derived from the hold and what it settles, so a
//! command decided twice can never settle twice: the account refuses an id
//! it has already applied.
//!
//! The account's `HoldPlaced` names a `task_id`; a contract's hold names the
//! contract's UUID there (ids are UUIDs, never shared between kinds), which
//! is also its stream's suffix (`contract-<id>`).

use super::event::ContractEvent;
use super::state::Contract;
use super::ContractCommand;
use crate::account::{AccountCommand, AccountId};
use crate::ids::{ContractId, DisputeId, HoldId, SettlementId, TaskId};
use crate::money::Money;
use crate::Timestamp;
use uuid::Uuid;

/// The one hold a contract places: named after the contract.
pub fn hold_id(contract: ContractId) -> HoldId {
    HoldId(Uuid::new_v5(&contract.0, b"escrow"))
}

fn settlement(hold: HoldId, name: &str) -> SettlementId {
    SettlementId(Uuid::new_v5(&hold.0, name.as_bytes()))
}

pub(super) fn acceptance_settlement(hold: HoldId) -> SettlementId {
    settlement(hold, "accept")
}

pub(super) fn milestone_settlement(hold: HoldId, sequence: u32) -> SettlementId {
    settlement(hold, &format!("milestone-{sequence}-accept"))
}

pub(super) fn dispute_settlements(
    hold: HoldId,
    dispute: DisputeId,
) -> (SettlementId, SettlementId) {
    (
        settlement(hold, &format!("dispute-{dispute}-capture")),
        settlement(hold, &format!("dispute-{dispute}-release")),
    )
}

/// The account commands a contract's new events imply, to be decided by the
/// accounts and appended atomically with the contract's events. `contract`
/// is the state the events were decided on (for an opening, the events say
/// everything).
pub fn account_commands(
    contract: &Contract,
    events: &[ContractEvent],
) -> Vec<(AccountId, AccountCommand)> {
    let mut commands = Vec::new();
    for event in events {
        match event {
            ContractEvent::ContractOpened {
                contract_id,
                price,
                account,
                hold_id,
                at,
                ..
            } => commands.push((
                *account,
                AccountCommand::PlaceHold {
                    account: *account,
                    hold_id: *hold_id,
                    task_id: TaskId(contract_id.0),
                    amount: *price,
                    at: *at,
                },
            )),
            ContractEvent::ContractAccepted {
                settlement_id,
                gross,
                fee,
                payout,
                at,
                ..
            }
            | ContractEvent::MilestoneAccepted {
                settlement_id,
                gross,
                fee,
                payout,
                at,
                ..
            } => capture(
                contract,
                &mut commands,
                *settlement_id,
                *gross,
                *fee,
                *payout,
                *at,
            ),
            ContractEvent::DisputeSettled { outcome, at, .. } => {
                capture(
                    contract,
                    &mut commands,
                    outcome.capture_settlement_id,
                    outcome.seller_gross,
                    outcome.fee,
                    outcome.seller_payout,
                    *at,
                );
                if let (Some(account), Some(hold_id)) = (contract.account, contract.hold_id) {
                    if outcome.refund.cents > 0 {
                        commands.push((
                            account,
                            AccountCommand::ReleaseHold {
                                hold_id,
                                settlement_id: outcome.release_settlement_id,
                                amount: outcome.refund,
                                at: *at,
                            },
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    commands
}

/// A capture from the buyer's hold and the seller's payment; nothing for a
/// zero part (a 1-cent price's early milestone), which moves no money.
fn capture(
    contract: &Contract,
    commands: &mut Vec<(AccountId, AccountCommand)>,
    settlement_id: SettlementId,
    gross: Money,
    fee: Money,
    payout: Money,
    at: Timestamp,
) {
    let (Some(account), Some(hold_id), Some(seller)) =
        (contract.account, contract.hold_id, contract.seller.as_ref())
    else {
        return;
    };
    if gross.cents == 0 {
        return;
    }
    commands.push((
        account,
        AccountCommand::CaptureHold {
            hold_id,
            settlement_id,
            gross,
            fee,
            payee: seller.actor,
            at,
        },
    ));
    let payee = AccountId {
        owner: seller.actor,
        ..account
    };
    commands.push((
        payee,
        AccountCommand::ReceivePayment {
            account: payee,
            settlement_id,
            payer: account.owner,
            amount: payout,
            at,
        },
    ));
}

/// The parent's command a subcontract's opening implies: the parent
/// records the child (and checks its side of the chain rules).
pub fn parent_command(events: &[ContractEvent]) -> Option<(ContractId, ContractCommand)> {
    events.iter().find_map(|event| match event {
        ContractEvent::ContractOpened {
            contract_id,
            buyer,
            seller,
            price,
            parent: Some(parent),
            at,
            ..
        } => Some((
            *parent,
            ContractCommand::RecordSubcontract {
                child: *contract_id,
                buyer: buyer.actor,
                seller: seller.actor,
                price: *price,
                at: *at,
            },
        )),
        _ => None,
    })
}
