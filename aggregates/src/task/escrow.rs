//! The task's escrow. The rule is one line: after every command the hold
//! holds exactly what the task may still pay —
//! open or paused: a reward for every slot not yet paid or disputed;
//! stopped or expired: a reward for every slot with work under way;
//! settling: a reward for every finished worker the settlement pays;
//! cancelled or completed: nothing.
//! Whatever is above that goes back to the poster in the same append.

use super::event::TaskEvent;
use super::state::{Task, TaskStatus};
use crate::account::{AccountCommand, AccountId};
use crate::aggregate::Aggregate;
use crate::ids::SettlementId;
use crate::money::Money;
use crate::Timestamp;
use uuid::Uuid;

pub(super) fn required_cents(task: &Task) -> i64 {
    let slots = match task.status {
        TaskStatus::Open | TaskStatus::Paused => task.slots.saturating_sub(task.settled_slots()),
        // Settling ended the work under way, so what is in flight is the
        // work handed in: the settlement's earnings.
        TaskStatus::Stopped | TaskStatus::Expired | TaskStatus::Settling => task.in_flight_slots(),
        TaskStatus::Cancelled | TaskStatus::Completed => 0,
    };
    i64::from(slots) * task.reward_cents()
}

/// Appends to a command's events the escrow movement and completion they imply.
pub(super) fn settle_follow_ups(
    task: &Task,
    mut events: Vec<TaskEvent>,
    reason: &str,
    at: Timestamp,
) -> Vec<TaskEvent> {
    let mut after = task.clone();
    for event in &events {
        after.apply(event);
    }
    let excess = after.escrow_cents - required_cents(&after);
    let currency = task.reward.map(|r| r.currency).unwrap_or_default();
    if excess > 0 {
        let release = TaskEvent::EscrowReleased {
            settlement_id: release_id(&after),
            amount: Money {
                cents: excess,
                currency,
            },
            reason: reason.to_owned(),
            at,
        };
        after.apply(&release);
        events.push(release);
    } else if excess < 0 {
        let increase = TaskEvent::EscrowIncreased {
            amount: Money {
                cents: -excess,
                currency,
            },
            at,
        };
        after.apply(&increase);
        events.push(increase);
    }
    let every_slot_settled = after.settled_slots() >= after.slots;
    if every_slot_settled && !after.status.is_terminal() {
        events.push(TaskEvent::TaskCompleted { at });
    }
    events
}

/// Releases are numbered per task, so the n-th release of a hold always has
/// the same id: a retried command cannot release twice.
fn release_id(task: &Task) -> SettlementId {
    let namespace = task.hold_id.map(|h| h.0).unwrap_or(Uuid::nil());
    let name = format!("release-{}", task.releases);
    SettlementId(Uuid::new_v5(&namespace, name.as_bytes()))
}

/// The account commands a task's new events imply, to be decided by the
/// accounts and appended atomically with the task's events. `task` is the
/// state the events were decided on.
pub fn account_commands(task: &Task, events: &[TaskEvent]) -> Vec<(AccountId, AccountCommand)> {
    let mut commands = Vec::new();
    for event in events {
        match event {
            TaskEvent::TaskPosted {
                task_id,
                hold_id,
                account,
                escrow,
                posted_at,
                ..
            } => {
                // A free task, if the poster has one, pays before the wallet.
                commands.push((
                    *account,
                    AccountCommand::FundFreeTask {
                        account: *account,
                        task_id: *task_id,
                        escrow: *escrow,
                        at: *posted_at,
                    },
                ));
                commands.push((
                    *account,
                    AccountCommand::PlaceHold {
                        account: *account,
                        hold_id: *hold_id,
                        task_id: *task_id,
                        amount: *escrow,
                        at: *posted_at,
                    },
                ));
            }
            TaskEvent::EscrowIncreased { amount, at } => {
                if let (Some(account), Some(hold_id)) = (task.account, task.hold_id) {
                    commands.push((
                        account,
                        AccountCommand::IncreaseHold {
                            hold_id,
                            amount: *amount,
                            at: *at,
                        },
                    ));
                }
            }
            TaskEvent::EscrowReleased {
                settlement_id,
                amount,
                at,
                ..
            } => {
                if let (Some(account), Some(hold_id)) = (task.account, task.hold_id) {
                    commands.push((
                        account,
                        AccountCommand::ReleaseHold {
                            hold_id,
                            settlement_id: *settlement_id,
                            amount: *amount,
                            at: *at,
                        },
                    ));
                }
            }
            TaskEvent::SubmissionApproved {
                worker,
                settlement_id,
                gross,
                fee,
                payout,
                at,
                ..
            } => {
                if let (Some(account), Some(hold_id)) = (task.account, task.hold_id) {
                    commands.push((
                        account,
                        AccountCommand::CaptureHold {
                            hold_id,
                            settlement_id: *settlement_id,
                            gross: *gross,
                            fee: *fee,
                            payee: *worker,
                            at: *at,
                        },
                    ));
                    let payee = AccountId {
                        owner: *worker,
                        ..account
                    };
                    commands.push((
                        payee,
                        AccountCommand::ReceivePayment {
                            account: payee,
                            settlement_id: *settlement_id,
                            payer: account.owner,
                            amount: *payout,
                            at: *at,
                        },
                    ));
                }
            }
            _ => {}
        }
    }
    commands
}
