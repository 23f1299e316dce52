//! `Payout` (`payout-<id>`): money on its way out to a person's connected
//! account at the payout provider — the mirror of `Deposit`. It is requested
//! once (the stream must be empty), in the same append as the account's
//! `PayoutSent`, so the money leaves the ledger before the provider is asked;
//! then it is paid, or it fails once and the account gets the money back
//! (`PayoutReturned`, appended with `PayoutFailed`).
//!
//! A payout id is the provider call's idempotency key: asking again after a
//! crash or a timeout pays at most once. A task's payout to a worker has a
//! name-based id ([`task_payout_id`]), so paying a task out twice finds the
//! first payout instead of making a second.

use crate::account::AccountId;
use crate::actor::Caller;
use crate::aggregate::{Aggregate, DomainEvent};
use crate::error::{Decided, DomainError};
use crate::ids::{ActorId, PayoutId, TaskId};
use crate::money::Money;
use crate::task::{SubmissionStatus, Task};
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The longest failure reason recorded: a provider's message, not a document.
pub const FAILURE_REASON_MAX_CHARS: usize = 500;

/// Task payouts' ids live in this namespace (a fixed v4), apart from any other
/// name-based id.
const TASK_PAYOUT_NAMESPACE: Uuid = Uuid::from_u128(0x6c1b_9a7e_2f4d_4e8a_9b3c_5d7e_0a1f_2b3c);

/// The one payout of `worker`'s earnings from `task_id`: the same on every
/// call, so the task is paid out to each worker at most once.
pub fn task_payout_id(task_id: TaskId, worker: ActorId) -> PayoutId {
    let mut name = [0u8; 32];
    name[..16].copy_from_slice(task_id.0.as_bytes());
    name[16..].copy_from_slice(worker.0.as_bytes());
    PayoutId(Uuid::new_v5(&TASK_PAYOUT_NAMESPACE, &name))
}

/// What each worker earned on `task` — their approved submissions' pay, net
/// of the fee — for the task's poster (or an admin) to pay out. Workers whose
/// pay was nothing (a 100 % fee) are left out.
pub fn task_earnings(task: &Task, by: &Caller) -> Result<Vec<(ActorId, Money)>, DomainError> {
    if !task.exists() {
        return Err(DomainError::NotFound("task"));
    }
    if task.poster != Some(by.actor) && !by.is_admin() {
        return Err(DomainError::forbidden(
            "only the task's poster may pay its workers out",
        ));
    }
    by.ensure_not_banned()?;
    let mut earned: BTreeMap<ActorId, Money> = BTreeMap::new();
    for submission in &task.submissions {
        let Some(pay) = submission.payout else {
            continue;
        };
        if submission.status != SubmissionStatus::Approved || pay.cents <= 0 {
            continue;
        }
        let total = earned.entry(submission.worker).or_insert(Money {
            cents: 0,
            currency: pay.currency,
        });
        total.cents = total
            .cents
            .checked_add(pay.cents)
            .ok_or(crate::money::MoneyError::TooLarge)?;
    }
    if earned.is_empty() {
        return Err(DomainError::conflict(
            "task has no approved work to pay out",
        ));
    }
    Ok(earned.into_iter().collect())
}

/// What a payout is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PayoutPurpose {
    /// The owner withdrew part of their available balance.
    #[default]
    Withdrawal,
    /// A worker's earnings from one task, paid out at the poster's request.
    TaskEarnings { task_id: TaskId },
}

impl PayoutPurpose {
    pub fn task_id(&self) -> Option<TaskId> {
        match self {
            PayoutPurpose::Withdrawal => None,
            PayoutPurpose::TaskEarnings { task_id } => Some(*task_id),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum PayoutCommand {
    Request {
        payout_id: PayoutId,
        account: AccountId,
        amount: Money,
        /// The connected account at the provider that receives the money.
        destination: String,
        purpose: PayoutPurpose,
        provider: String,
        at: Timestamp,
    },
    /// The provider paid it; `provider_reference` is its own id for the transfer.
    Confirm {
        provider_reference: String,
        at: Timestamp,
    },
    /// The provider refused it or it bounced: the money goes back.
    Fail { reason: String, at: Timestamp },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum PayoutEvent {
    PayoutRequested {
        payout_id: PayoutId,
        account: AccountId,
        amount: Money,
        destination: String,
        purpose: PayoutPurpose,
        provider: String,
        at: Timestamp,
    },
    PayoutPaid {
        provider_reference: String,
        at: Timestamp,
    },
    PayoutFailed {
        reason: String,
        at: Timestamp,
    },
}

impl DomainEvent for PayoutEvent {
    fn event_type(&self) -> &'static str {
        match self {
            PayoutEvent::PayoutRequested { .. } => "PayoutRequested",
            PayoutEvent::PayoutPaid { .. } => "PayoutPaid",
            PayoutEvent::PayoutFailed { .. } => "PayoutFailed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayoutStatus {
    /// Requested: the money left the account; the provider has not answered yet.
    #[default]
    Pending,
    Paid,
    Failed,
}

impl PayoutStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PayoutStatus::Pending => "pending",
            PayoutStatus::Paid => "paid",
            PayoutStatus::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Payout {
    pub payout_id: Option<PayoutId>,
    pub account: Option<AccountId>,
    pub amount: Option<Money>,
    pub destination: String,
    pub purpose: PayoutPurpose,
    pub provider: String,
    pub status: PayoutStatus,
    pub provider_reference: Option<String>,
    pub failure_reason: Option<String>,
    pub requested_at: Option<Timestamp>,
    pub settled_at: Option<Timestamp>,
}

impl Payout {
    pub fn exists(&self) -> bool {
        self.payout_id.is_some()
    }

    fn ensure_pending(&self) -> Result<(), DomainError> {
        if !self.exists() {
            return Err(DomainError::NotFound("payout"));
        }
        if self.status != PayoutStatus::Pending {
            return Err(DomainError::conflict(format!(
                "payout is already {}",
                self.status.as_str()
            )));
        }
        Ok(())
    }
}

impl Aggregate for Payout {
    const STREAM_PREFIX: &'static str = "payout";
    type Command = PayoutCommand;
    type Event = PayoutEvent;

    fn decide(&self, command: &PayoutCommand) -> Decided<PayoutEvent> {
        match command {
            PayoutCommand::Request {
                payout_id,
                account,
                amount,
                destination,
                purpose,
                provider,
                at,
            } => {
                if self.exists() {
                    return Err(DomainError::conflict("payout already requested"));
                }
                if amount.cents <= 0 {
                    return Err(DomainError::invalid("amount must be greater than zero"));
                }
                if amount.currency != account.currency {
                    return Err(DomainError::invalid(format!(
                        "a {} payout cannot leave a {} account",
                        amount.currency.code(),
                        account.currency.code()
                    )));
                }
                if destination.trim().is_empty() {
                    return Err(DomainError::invalid("a payout needs a destination"));
                }
                Ok(vec![PayoutEvent::PayoutRequested {
                    payout_id: *payout_id,
                    account: *account,
                    amount: *amount,
                    destination: destination.clone(),
                    purpose: *purpose,
                    provider: provider.clone(),
                    at: *at,
                }])
            }
            PayoutCommand::Confirm {
                provider_reference,
                at,
            } => {
                self.ensure_pending()?;
                Ok(vec![PayoutEvent::PayoutPaid {
                    provider_reference: provider_reference.clone(),
                    at: *at,
                }])
            }
            PayoutCommand::Fail { reason, at } => {
                self.ensure_pending()?;
                let reason: String = reason.chars().take(FAILURE_REASON_MAX_CHARS).collect();
                Ok(vec![PayoutEvent::PayoutFailed { reason, at: *at }])
            }
        }
    }

    fn apply(&mut self, event: &PayoutEvent) {
        match event {
            PayoutEvent::PayoutRequested {
                payout_id,
                account,
                amount,
                destination,
                purpose,
                provider,
                at,
            } => {
                self.payout_id = Some(*payout_id);
                self.account = Some(*account);
                self.amount = Some(*amount);
                self.destination = destination.clone();
                self.purpose = *purpose;
                self.provider = provider.clone();
                self.requested_at = Some(*at);
            }
            PayoutEvent::PayoutPaid {
                provider_reference,
                at,
            } => {
                self.status = PayoutStatus::Paid;
                self.provider_reference = Some(provider_reference.clone());
                self.settled_at = Some(*at);
            }
            PayoutEvent::PayoutFailed { reason, at } => {
                self.status = PayoutStatus::Failed;
                self.failure_reason = Some(reason.clone());
                self.settled_at = Some(*at);
            }
        }
    }
}

crate::cqrs_aggregate!(Payout);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mode::Mode;
    use crate::money::Currency;
    use chrono::TimeZone;
    use cqrs_es::test::TestFramework;

    type PayoutTest = TestFramework<Payout>;

    const PAYOUT: PayoutId = PayoutId(Uuid::from_u128(0x9a0));
    const WORKER: ActorId = ActorId(Uuid::from_u128(0x2));

    fn at() -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
    }

    fn account() -> AccountId {
        AccountId::usd(WORKER, Mode::Live)
    }

    fn request(amount: Money) -> PayoutCommand {
        PayoutCommand::Request {
            payout_id: PAYOUT,
            account: account(),
            amount,
            destination: "acct_1".to_owned(),
            purpose: PayoutPurpose::Withdrawal,
            provider: "sandbox".to_owned(),
            at: at(),
        }
    }

    fn requested(cents: i64) -> PayoutEvent {
        PayoutEvent::PayoutRequested {
            payout_id: PAYOUT,
            account: account(),
            amount: Money::usd(cents),
            destination: "acct_1".to_owned(),
            purpose: PayoutPurpose::Withdrawal,
            provider: "sandbox".to_owned(),
            at: at(),
        }
    }

    fn paid() -> PayoutEvent {
        PayoutEvent::PayoutPaid {
            provider_reference: "po_1".to_owned(),
            at: at(),
        }
    }

    fn failed() -> PayoutEvent {
        PayoutEvent::PayoutFailed {
            reason: "account closed".to_owned(),
            at: at(),
        }
    }

    fn confirm() -> PayoutCommand {
        PayoutCommand::Confirm {
            provider_reference: "po_1".to_owned(),
            at: at(),
        }
    }

    fn fail() -> PayoutCommand {
        PayoutCommand::Fail {
            reason: "account closed".to_owned(),
            at: at(),
        }
    }

    #[test]
    fn a_payout_is_requested_pending() {
        PayoutTest::with(())
            .given_no_previous_events()
            .when(request(Money::usd(450)))
            .then_expect_events(vec![requested(450)]);
        assert_eq!(
            Payout::fold(&[requested(450)]).status,
            PayoutStatus::Pending
        );
    }

    #[test]
    fn a_payout_id_is_requested_once() {
        PayoutTest::with(())
            .given(vec![requested(450)])
            .when(request(Money::usd(450)))
            .then_expect_error(DomainError::Conflict("payout already requested".into()));
        PayoutTest::with(())
            .given(vec![requested(450), paid()])
            .when(request(Money::usd(100)))
            .then_expect_error(DomainError::Conflict("payout already requested".into()));
    }

    #[test]
    fn a_payout_of_nothing_in_another_currency_or_to_nowhere_is_refused() {
        PayoutTest::with(())
            .given_no_previous_events()
            .when(request(Money::usd(0)))
            .then_expect_error(DomainError::Invalid(
                "amount must be greater than zero".into(),
            ));
        PayoutTest::with(())
            .given_no_previous_events()
            .when(request(Money::from_cents(10, Currency::RC).unwrap()))
            .then_expect_error(DomainError::Invalid(
                "a RC payout cannot leave a USD account".into(),
            ));
        let mut nowhere = request(Money::usd(10));
        if let PayoutCommand::Request { destination, .. } = &mut nowhere {
            *destination = " ".to_owned();
        }
        PayoutTest::with(())
            .given_no_previous_events()
            .when(nowhere)
            .then_expect_error(DomainError::Invalid("a payout needs a destination".into()));
    }

    #[test]
    fn a_pending_payout_is_paid_or_fails_once() {
        PayoutTest::with(())
            .given(vec![requested(450)])
            .when(confirm())
            .then_expect_events(vec![paid()]);
        PayoutTest::with(())
            .given(vec![requested(450)])
            .when(fail())
            .then_expect_events(vec![failed()]);
        for (history, status) in [(paid(), "paid"), (failed(), "failed")] {
            for command in [confirm(), fail()] {
                PayoutTest::with(())
                    .given(vec![requested(450), history.clone()])
                    .when(command)
                    .then_expect_error(DomainError::Conflict(format!(
                        "payout is already {status}"
                    )));
            }
        }
    }

    #[test]
    fn settling_a_payout_never_requested_finds_nothing() {
        for command in [confirm(), fail()] {
            PayoutTest::with(())
                .given_no_previous_events()
                .when(command)
                .then_expect_error(DomainError::NotFound("payout"));
        }
    }

    #[test]
    fn a_failure_reason_is_bounded() {
        let long = "x".repeat(FAILURE_REASON_MAX_CHARS + 10);
        let events = Payout::fold(&[requested(1)])
            .decide(&PayoutCommand::Fail {
                reason: long,
                at: at(),
            })
            .unwrap();
        let PayoutEvent::PayoutFailed { reason, .. } = &events[0] else {
            panic!("a failure")
        };
        assert_eq!(reason.chars().count(), FAILURE_REASON_MAX_CHARS);
    }

    fn caller(actor: ActorId, role: crate::actor::Role) -> Caller {
        Caller {
            actor,
            role,
            standing: crate::actor::Standing::Active,
        }
    }

    /// A task posted by 0x1 whose submissions by `workers` are approved (or
    /// not), each paying `pay` cents.
    fn task_with(work: &[(ActorId, SubmissionStatus, i64)]) -> Task {
        let mut task = Task {
            id: Some(TaskId(Uuid::from_u128(0x7a5c))),
            poster: Some(ActorId(Uuid::from_u128(0x1))),
            ..Task::default()
        };
        for (n, (worker, status, pay)) in work.iter().enumerate() {
            task.submissions.push(crate::task::Submission {
                id: crate::ids::SubmissionId(Uuid::from_u128(0x50 + n as u128)),
                assignment_id: crate::ids::AssignmentId(Uuid::from_u128(0xa0 + n as u128)),
                worker: *worker,
                proof: crate::task::Proof::text("done"),
                status: *status,
                submitted_at: at(),
                review_due_at: None,
                reason: None,
                payout: (*status == SubmissionStatus::Approved).then(|| Money::usd(*pay)),
                fee: None,
            });
        }
        task
    }

    #[test]
    fn a_task_pays_out_what_each_worker_earned_on_it() {
        let other = ActorId(Uuid::from_u128(0x3));
        let task = task_with(&[
            (WORKER, SubmissionStatus::Approved, 410),
            (other, SubmissionStatus::Approved, 410),
            (WORKER, SubmissionStatus::Approved, 90),
            (other, SubmissionStatus::Rejected, 410),
        ]);
        let poster = caller(ActorId(Uuid::from_u128(0x1)), crate::actor::Role::Agent);
        assert_eq!(
            task_earnings(&task, &poster),
            Ok(vec![(WORKER, Money::usd(500)), (other, Money::usd(410))])
        );
    }

    #[test]
    fn only_the_poster_or_an_admin_pays_a_task_out() {
        let task = task_with(&[(WORKER, SubmissionStatus::Approved, 410)]);
        let stranger = caller(ActorId(Uuid::from_u128(0x9)), crate::actor::Role::Agent);
        assert_eq!(
            task_earnings(&task, &stranger),
            Err(DomainError::Forbidden(
                "only the task's poster may pay its workers out".into()
            ))
        );
        let admin = caller(ActorId(Uuid::from_u128(0xad)), crate::actor::Role::Admin);
        assert!(task_earnings(&task, &admin).is_ok());
    }

    #[test]
    fn a_task_without_approved_pay_has_nothing_to_pay_out() {
        let poster = caller(ActorId(Uuid::from_u128(0x1)), crate::actor::Role::Agent);
        for work in [
            vec![],
            vec![(WORKER, SubmissionStatus::Pending, 410)],
            vec![(WORKER, SubmissionStatus::Approved, 0)],
        ] {
            assert_eq!(
                task_earnings(&task_with(&work), &poster),
                Err(DomainError::Conflict(
                    "task has no approved work to pay out".into()
                ))
            );
        }
        assert_eq!(
            task_earnings(&Task::default(), &poster),
            Err(DomainError::NotFound("task"))
        );
    }

    #[test]
    fn a_task_payout_id_depends_on_the_task_and_the_worker_only() {
        let task = TaskId(Uuid::from_u128(0x7a5c));
        let other_task = TaskId(Uuid::from_u128(0x7a5d));
        let other_worker = ActorId(Uuid::from_u128(0x3));
        assert_eq!(task_payout_id(task, WORKER), task_payout_id(task, WORKER));
        assert_ne!(
            task_payout_id(task, WORKER),
            task_payout_id(other_task, WORKER)
        );
        assert_ne!(
            task_payout_id(task, WORKER),
            task_payout_id(task, other_worker)
        );
    }
}
