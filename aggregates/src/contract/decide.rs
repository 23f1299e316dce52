//! The contract's rules: who may act, in which status, and what each
//! acceptance or settlement pays.

use super::chain;
use super::command::{ContractCommand, Deliverable, OpenContract, ReviewWindow};
use super::escrow::{acceptance_settlement, dispute_settlements, hold_id, milestone_settlement};
use super::event::{ContractEvent, DisputeOutcome};
use super::milestone::{self, MilestoneStatus};
use super::state::{Contract, ContractStatus};
use super::SLA_HOURS_MAX;
use crate::account::AccountId;
use crate::actor::Caller;
use crate::aggregate::Aggregate;
use crate::dispute::Resolution;
use crate::error::{Decided, DomainError, RuleKind};
use crate::fee::FeeSplit;
use crate::ids::{ContractId, DisputeId};
use crate::money::{Currency, Money};
use crate::Timestamp;

/// A contract with milestones is delivered, accepted and disputed one
/// milestone at a time; the whole-contract commands are refused with this
/// code, so a client knows to call `milestones-deliver` instead.
pub const MILESTONE_DELIVERY_REQUIRED: &str = "milestone_delivery_required";
/// A second dispute while one is open.
pub const DISPUTE_ALREADY_OPEN: &str = "dispute_already_open";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Buyer,
    Seller,
    Either,
}

impl Aggregate for Contract {
    const STREAM_PREFIX: &'static str = "contract";
    type Command = ContractCommand;
    type Event = ContractEvent;

    fn decide(&self, command: &ContractCommand) -> Decided<ContractEvent> {
        match command {
            ContractCommand::Open(open) => self.open(open),
            ContractCommand::RecordSubcontract {
                child,
                buyer,
                seller,
                price,
                at,
            } => {
                chain::ensure_parent_allows(self, *buyer, *price)?;
                if self.children.contains(child) {
                    return Err(DomainError::conflict(
                        "this subcontract is already recorded",
                    ));
                }
                Ok(vec![ContractEvent::SubcontractOpened {
                    child: *child,
                    seller: *seller,
                    price: *price,
                    at: *at,
                }])
            }
            ContractCommand::Assign { by, at } => {
                self.ensure_party(by, Side::Either)?;
                self.ensure_status(ContractStatus::PendingPayment)?;
                let milestone_due_at = self
                    .milestone(1)
                    .map(|m| hours_after(*at, m.spec.sla_hours));
                Ok(vec![ContractEvent::ContractAssigned {
                    by: by.actor,
                    sla_due_at: hours_after(*at, self.sla_hours),
                    milestone_due_at,
                    at: *at,
                }])
            }
            ContractCommand::Deliver {
                by,
                deliverable,
                review_window,
                at,
            } => {
                self.ensure_party(by, Side::Seller)?;
                self.ensure_whole()?;
                self.ensure_status(ContractStatus::Assigned)?;
                let Deliverable {
                    output_data,
                    storage_path,
                } = deliverable.clone();
                Ok(vec![ContractEvent::DeliverySubmitted {
                    output_data,
                    storage_path,
                    late: self.sla_due_at.is_some_and(|due| *at > due),
                    review_due_at: review_due_at(*at, *review_window),
                    at: *at,
                }])
            }
            ContractCommand::Accept { by, at } => {
                self.ensure_party(by, Side::Buyer)?;
                self.ensure_whole()?;
                self.ensure_status(ContractStatus::Delivered)?;
                self.accept_whole(false, *at)
            }
            ContractCommand::AutoAccept { at } => self.auto_accept(*at),
            ContractCommand::DeliverMilestone {
                by,
                sequence,
                deliverable,
                review_window,
                at,
            } => {
                self.ensure_party(by, Side::Seller)?;
                self.ensure_status(ContractStatus::Assigned)?;
                let milestone = self
                    .milestone(*sequence)
                    .ok_or(DomainError::NotFound("milestone"))?;
                match milestone.status {
                    MilestoneStatus::InProgress => {}
                    MilestoneStatus::Pending => {
                        return Err(DomainError::conflict(format!(
                        "milestone {} must be accepted before milestone {sequence} is delivered",
                        sequence - 1
                    )))
                    }
                    status => {
                        return Err(DomainError::conflict(format!(
                            "milestone {sequence} is {}",
                            status.as_str()
                        )))
                    }
                }
                let Deliverable {
                    output_data,
                    storage_path,
                } = deliverable.clone();
                Ok(vec![ContractEvent::MilestoneDelivered {
                    sequence: *sequence,
                    output_data,
                    storage_path,
                    late: milestone.due_at.is_some_and(|due| *at > due),
                    review_due_at: review_due_at(*at, *review_window),
                    at: *at,
                }])
            }
            ContractCommand::AcceptMilestone { by, sequence, at } => {
                self.ensure_party(by, Side::Buyer)?;
                let milestone = self
                    .milestone(*sequence)
                    .ok_or(DomainError::NotFound("milestone"))?;
                if milestone.status != MilestoneStatus::Delivered {
                    return Err(DomainError::conflict(format!(
                        "milestone {sequence} is {}, not delivered",
                        milestone.status.as_str()
                    )));
                }
                self.accept_milestone(*sequence, false, *at)
            }
            ContractCommand::Dispute {
                by,
                dispute_id,
                sequence,
                reason,
                at,
            } => self.dispute(by, *dispute_id, *sequence, reason, *at),
            ContractCommand::SettleDispute {
                dispute_id,
                resolution,
                at,
            } => self.settle_dispute(*dispute_id, *resolution, *at),
        }
    }

    fn apply(&mut self, event: &ContractEvent) {
        self.apply_event(event);
    }
}

crate::cqrs_aggregate!(Contract);

fn hours_after(at: Timestamp, hours: u32) -> Timestamp {
    at + chrono::Duration::hours(i64::from(hours))
}

fn review_due_at(at: Timestamp, window: ReviewWindow) -> Timestamp {
    at + window.duration()
}

impl Contract {
    fn open(&self, open: &OpenContract) -> Decided<ContractEvent> {
        if self.id.is_some() {
            return Err(DomainError::conflict("this transaction already exists"));
        }
        let OpenContract {
            contract_id,
            mode,
            buyer,
            seller,
            listing_id,
            bid_id,
            price,
            sla_hours,
            milestones,
            fee,
            parent,
            at,
        } = open;
        if price.cents <= 0 || price.currency != Currency::USD {
            return Err(DomainError::invalid(
                "a transaction's price is a positive USD amount",
            ));
        }
        if !(1..=SLA_HOURS_MAX).contains(sla_hours) {
            return Err(DomainError::invalid(format!(
                "sla_hours is 1 to {SLA_HOURS_MAX}"
            )));
        }
        milestone::ensure_plan(milestones)?;
        chain::ensure_arms_length(buyer, seller)?;
        let (depth, chain_actors) = chain::extend(parent.as_ref(), buyer, seller)?;
        let mut platform_fee = Money::zero(price.currency);
        let mut seller_payout = Money::zero(price.currency);
        let parts = if milestones.is_empty() {
            vec![*price]
        } else {
            milestone::amounts(*price, milestones)
        };
        for part in parts {
            let split = fee.split(part)?;
            platform_fee = platform_fee.checked_add(split.fee)?;
            seller_payout = seller_payout.checked_add(split.payee)?;
        }
        Ok(vec![ContractEvent::ContractOpened {
            contract_id: *contract_id,
            mode: *mode,
            buyer: buyer.clone(),
            seller: seller.clone(),
            listing_id: *listing_id,
            bid_id: *bid_id,
            price: *price,
            fee_policy: *fee,
            platform_fee,
            seller_payout,
            sla_hours: *sla_hours,
            milestones: milestones.clone(),
            parent: parent.as_ref().map(|p| p.contract_id),
            root: parent.as_ref().map_or(*contract_id, |p| p.root),
            depth,
            chain_actors,
            account: AccountId {
                owner: buyer.actor,
                mode: *mode,
                currency: price.currency,
            },
            hold_id: hold_id(*contract_id),
            at: *at,
        }])
    }

    fn ensure_exists(&self) -> Result<ContractId, DomainError> {
        self.id.ok_or(DomainError::NotFound("transaction"))
    }

    fn ensure_party(&self, by: &Caller, side: Side) -> Result<(), DomainError> {
        self.ensure_exists()?;
        by.ensure_not_banned()?;
        let is = |party: &Option<super::Party>| party.as_ref().is_some_and(|p| p.actor == by.actor);
        let allowed = match side {
            Side::Buyer => is(&self.buyer),
            Side::Seller => is(&self.seller),
            Side::Either => is(&self.buyer) || is(&self.seller),
        };
        if !allowed {
            let who = match side {
                Side::Buyer => "the buyer",
                Side::Seller => "the seller",
                Side::Either => "the buyer or the seller",
            };
            return Err(DomainError::forbidden(format!(
                "only {who} may do this to the transaction"
            )));
        }
        Ok(())
    }

    fn ensure_status(&self, expected: ContractStatus) -> Result<(), DomainError> {
        if self.status != expected {
            return Err(DomainError::conflict(format!(
                "the transaction is {}, not {}",
                self.status.as_str(),
                expected.as_str()
            )));
        }
        Ok(())
    }

    fn ensure_whole(&self) -> Result<(), DomainError> {
        if self.has_milestones() {
            return Err(DomainError::rule(
                RuleKind::Conflict,
                MILESTONE_DELIVERY_REQUIRED,
                "this transaction has milestones: deliver, accept and dispute them one by one",
            ));
        }
        Ok(())
    }

    fn split(&self, gross: Money) -> Result<FeeSplit, DomainError> {
        let policy = self
            .fee_policy
            .ok_or(DomainError::NotFound("transaction"))?;
        Ok(policy.split(gross)?)
    }

    fn hold(&self) -> Result<crate::ids::HoldId, DomainError> {
        self.hold_id.ok_or(DomainError::NotFound("transaction"))
    }

    /// Captures what is still held: with no milestones, the price.
    fn accept_whole(&self, auto: bool, at: Timestamp) -> Decided<ContractEvent> {
        let gross = Money {
            cents: self.held_cents,
            currency: self.price.currency,
        };
        let split = self.split(gross)?;
        Ok(vec![
            ContractEvent::ContractAccepted {
                settlement_id: acceptance_settlement(self.hold()?),
                gross,
                fee: split.fee,
                payout: split.payee,
                auto,
                at,
            },
            self.completed(at)?,
        ])
    }

    fn accept_milestone(&self, sequence: u32, auto: bool, at: Timestamp) -> Decided<ContractEvent> {
        let milestone = self
            .milestone(sequence)
            .ok_or(DomainError::NotFound("milestone"))?;
        let split = self.split(milestone.amount)?;
        let next = self.milestone(sequence + 1);
        let mut events = vec![ContractEvent::MilestoneAccepted {
            sequence,
            settlement_id: milestone_settlement(self.hold()?, sequence),
            gross: milestone.amount,
            fee: split.fee,
            payout: split.payee,
            auto,
            next_due_at: next.map(|n| hours_after(at, n.spec.sla_hours)),
            at,
        }];
        if next.is_none() {
            events.push(self.completed(at)?);
        }
        Ok(events)
    }

    fn completed(&self, at: Timestamp) -> Result<ContractEvent, DomainError> {
        let (Some(listing_id), Some(buyer), Some(seller)) =
            (self.listing_id, self.buyer.as_ref(), self.seller.as_ref())
        else {
            return Err(DomainError::NotFound("transaction"));
        };
        Ok(ContractEvent::ContractCompleted {
            listing_id,
            buyer: buyer.actor,
            seller: seller.actor,
            price: self.price,
            on_time: !self.delivered_late,
            at,
        })
    }

    /// What the review window's timer fires: whatever awaits review is
    /// accepted, once its window has run out. Anything else — accepted,
    /// disputed, nothing delivered — is a refusal that changes nothing, as
    /// a timer fired twice must be.
    fn auto_accept(&self, at: Timestamp) -> Decided<ContractEvent> {
        self.ensure_exists()?;
        let in_review = if self.status == ContractStatus::Delivered {
            self.review_due_at.map(|due| (None, due))
        } else if self.status == ContractStatus::Assigned {
            self.milestone_in_review()
                .and_then(|m| m.review_due_at.map(|due| (Some(m.sequence), due)))
        } else {
            None
        };
        let Some((sequence, due)) = in_review else {
            return Err(DomainError::conflict(format!(
                "nothing of this transaction awaits review (it is {})",
                self.status.as_str()
            )));
        };
        if at < due {
            return Err(DomainError::conflict(
                "the buyer's review window is still open",
            ));
        }
        match sequence {
            Some(sequence) => self.accept_milestone(sequence, true, at),
            None => self.accept_whole(true, at),
        }
    }

    /// Either party may open a dispute over a delivery awaiting review: the
    /// buyer over the work, the seller over a buyer who will not accept it.
    /// Without a sequence on a contract with milestones, the dispute is over
    /// the milestone under review (what `disputes-create`, which names only
    /// the transaction, means).
    fn dispute(
        &self,
        by: &Caller,
        dispute_id: DisputeId,
        sequence: Option<u32>,
        reason: &str,
        at: Timestamp,
    ) -> Decided<ContractEvent> {
        self.ensure_party(by, Side::Either)?;
        if self.status == ContractStatus::Disputed {
            return Err(DomainError::rule(
                RuleKind::Conflict,
                DISPUTE_ALREADY_OPEN,
                "a dispute over this transaction is already open",
            ));
        }
        let reason = crate::policy::audited_reason(reason)?;
        let sequence = if self.has_milestones() {
            let milestone = match sequence {
                Some(sequence) => self
                    .milestone(sequence)
                    .ok_or(DomainError::NotFound("milestone"))?,
                None => self.milestone_in_review().ok_or_else(|| {
                    DomainError::conflict("no milestone of this transaction awaits review")
                })?,
            };
            if milestone.status != MilestoneStatus::Delivered {
                return Err(DomainError::conflict(format!(
                    "milestone {} is {}, not delivered",
                    milestone.sequence,
                    milestone.status.as_str()
                )));
            }
            Some(milestone.sequence)
        } else {
            if sequence.is_some() {
                return Err(DomainError::NotFound("milestone"));
            }
            self.ensure_status(ContractStatus::Delivered)?;
            None
        };
        Ok(vec![ContractEvent::ContractDisputed {
            dispute_id,
            sequence,
            by: by.actor,
            reason,
            at,
        }])
    }

    /// The admin's resolution of the open dispute, in cents: a milestone's
    /// dispute is about that milestone's amount, a whole contract's about
    /// everything still held.
    fn settle_dispute(
        &self,
        dispute_id: DisputeId,
        resolution: Resolution,
        at: Timestamp,
    ) -> Decided<ContractEvent> {
        self.ensure_exists()?;
        if self.open_dispute != Some(dispute_id) {
            return Err(DomainError::conflict(
                "this dispute is not the transaction's open dispute",
            ));
        }
        let disputed = self
            .milestones
            .iter()
            .find(|m| m.status == MilestoneStatus::Disputed);
        let (sequence, stake) = match disputed {
            Some(milestone) => (Some(milestone.sequence), milestone.amount),
            None => (
                None,
                Money {
                    cents: self.held_cents,
                    currency: self.price.currency,
                },
            ),
        };
        let seller_gross = Money {
            cents: resolution.seller_cents(stake.cents),
            currency: stake.currency,
        };
        let split = self.split(seller_gross)?;
        let (capture_settlement_id, release_settlement_id) =
            dispute_settlements(self.hold()?, dispute_id);
        let next_due_at = sequence
            .and_then(|s| self.milestone(s + 1))
            .map(|next| hours_after(at, next.spec.sla_hours));
        Ok(vec![ContractEvent::DisputeSettled {
            dispute_id,
            sequence,
            resolution,
            outcome: DisputeOutcome {
                stake,
                seller_gross,
                fee: split.fee,
                seller_payout: split.payee,
                refund: stake.checked_sub(seller_gross)?,
                capture_settlement_id,
                release_settlement_id,
            },
            next_due_at,
            at,
        }])
    }
}
