//! A contract's state, folded from its events.

use super::event::ContractEvent;
use super::milestone::{self, Milestone, MilestoneStatus};
use super::party::Party;
use crate::account::AccountId;
use crate::fee::FeePolicy;
use crate::ids::{ActorId, BidId, ContractId, DisputeId, HoldId, ListingId};
use crate::mode::Mode;
use crate::money::Money;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    /// Opened with its price held; not yet assigned (the seed's word).
    #[default]
    PendingPayment,
    Assigned,
    Delivered,
    Completed,
    Disputed,
    Resolved,
}

impl ContractStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ContractStatus::PendingPayment => "pending_payment",
            ContractStatus::Assigned => "assigned",
            ContractStatus::Delivered => "delivered",
            ContractStatus::Completed => "completed",
            ContractStatus::Disputed => "disputed",
            ContractStatus::Resolved => "resolved",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contract {
    pub id: Option<ContractId>,
    pub mode: Mode,
    pub buyer: Option<Party>,
    pub seller: Option<Party>,
    pub listing_id: Option<ListingId>,
    pub bid_id: Option<BidId>,
    pub price: Money,
    pub fee_policy: Option<FeePolicy>,
    /// What the platform keeps and the seller gets once every part is
    /// accepted, as decided at opening.
    pub platform_fee: Money,
    pub seller_payout: Money,
    pub sla_hours: u32,
    pub milestones: Vec<Milestone>,
    pub parent: Option<ContractId>,
    pub root: Option<ContractId>,
    pub depth: u8,
    pub chain_actors: Vec<ActorId>,
    pub children: Vec<ContractId>,
    /// What the children cost together (see `chain`).
    pub subcontracted_cents: i64,
    pub account: Option<AccountId>,
    pub hold_id: Option<HoldId>,
    /// What the hold still holds: the price less every capture and release.
    pub held_cents: i64,
    pub status: ContractStatus,
    pub sla_due_at: Option<Timestamp>,
    pub review_due_at: Option<Timestamp>,
    pub open_dispute: Option<DisputeId>,
    /// Some part was delivered after its deadline.
    pub delivered_late: bool,
    pub opened_at: Option<Timestamp>,
}

impl Contract {
    pub fn has_milestones(&self) -> bool {
        !self.milestones.is_empty()
    }

    /// The milestone numbered `sequence` (1-based).
    pub fn milestone(&self, sequence: u32) -> Option<&Milestone> {
        let index = usize::try_from(sequence).ok()?.checked_sub(1)?;
        self.milestones.get(index)
    }

    fn milestone_mut(&mut self, sequence: u32) -> Option<&mut Milestone> {
        let index = usize::try_from(sequence).ok()?.checked_sub(1)?;
        self.milestones.get_mut(index)
    }

    /// The milestone awaiting the buyer's review, if any.
    pub fn milestone_in_review(&self) -> Option<&Milestone> {
        self.milestones
            .iter()
            .find(|m| m.status == MilestoneStatus::Delivered)
    }

    fn start_milestone(&mut self, sequence: u32, due_at: Option<Timestamp>) {
        if let Some(next) = self.milestone_mut(sequence) {
            next.status = MilestoneStatus::InProgress;
            next.due_at = due_at;
        }
    }

    pub(super) fn apply_event(&mut self, event: &ContractEvent) {
        match event {
            ContractEvent::ContractOpened {
                contract_id,
                mode,
                buyer,
                seller,
                listing_id,
                bid_id,
                price,
                fee_policy,
                platform_fee,
                seller_payout,
                sla_hours,
                milestones,
                parent,
                root,
                depth,
                chain_actors,
                account,
                hold_id,
                at,
                ..
            } => {
                *self = Contract {
                    id: Some(*contract_id),
                    mode: *mode,
                    buyer: Some(buyer.clone()),
                    seller: Some(seller.clone()),
                    listing_id: Some(*listing_id),
                    bid_id: *bid_id,
                    price: *price,
                    fee_policy: Some(*fee_policy),
                    platform_fee: *platform_fee,
                    seller_payout: *seller_payout,
                    sla_hours: *sla_hours,
                    milestones: milestone::amounts(*price, milestones)
                        .into_iter()
                        .zip(milestones)
                        .zip(1u32..)
                        .map(|((amount, spec), sequence)| Milestone {
                            sequence,
                            spec: spec.clone(),
                            amount,
                            status: MilestoneStatus::Pending,
                            due_at: None,
                            review_due_at: None,
                        })
                        .collect(),
                    parent: *parent,
                    root: Some(*root),
                    depth: *depth,
                    chain_actors: chain_actors.clone(),
                    account: Some(*account),
                    hold_id: Some(*hold_id),
                    held_cents: price.cents,
                    opened_at: Some(*at),
                    ..Contract::default()
                };
            }
            ContractEvent::SubcontractOpened { child, price, .. } => {
                self.children.push(*child);
                self.subcontracted_cents += price.cents;
            }
            ContractEvent::ContractAssigned {
                sla_due_at,
                milestone_due_at,
                ..
            } => {
                self.status = ContractStatus::Assigned;
                self.sla_due_at = Some(*sla_due_at);
                if self.has_milestones() {
                    self.start_milestone(1, *milestone_due_at);
                }
            }
            ContractEvent::DeliverySubmitted {
                late,
                review_due_at,
                ..
            } => {
                self.status = ContractStatus::Delivered;
                self.review_due_at = Some(*review_due_at);
                self.delivered_late |= *late;
            }
            ContractEvent::MilestoneDelivered {
                sequence,
                late,
                review_due_at,
                ..
            } => {
                self.review_due_at = Some(*review_due_at);
                self.delivered_late |= *late;
                if let Some(milestone) = self.milestone_mut(*sequence) {
                    milestone.status = MilestoneStatus::Delivered;
                    milestone.review_due_at = Some(*review_due_at);
                }
            }
            ContractEvent::ContractAccepted { gross, .. } => {
                self.held_cents -= gross.cents;
                self.review_due_at = None;
            }
            ContractEvent::MilestoneAccepted {
                sequence,
                gross,
                next_due_at,
                ..
            } => {
                self.held_cents -= gross.cents;
                self.review_due_at = None;
                if let Some(milestone) = self.milestone_mut(*sequence) {
                    milestone.status = MilestoneStatus::Accepted;
                    milestone.review_due_at = None;
                }
                self.start_milestone(sequence + 1, *next_due_at);
            }
            ContractEvent::ContractCompleted { .. } => {
                self.status = ContractStatus::Completed;
            }
            ContractEvent::ContractDisputed {
                dispute_id,
                sequence,
                ..
            } => {
                self.status = ContractStatus::Disputed;
                self.open_dispute = Some(*dispute_id);
                self.review_due_at = None;
                if let Some(milestone) = sequence.and_then(|s| self.milestone_mut(s)) {
                    milestone.status = MilestoneStatus::Disputed;
                    milestone.review_due_at = None;
                }
            }
            ContractEvent::DisputeSettled {
                sequence,
                outcome,
                next_due_at,
                ..
            } => {
                self.held_cents -= outcome.stake.cents;
                self.open_dispute = None;
                let mut parts_remain = false;
                if let Some(sequence) = *sequence {
                    if let Some(milestone) = self.milestone_mut(sequence) {
                        milestone.status = MilestoneStatus::Resolved;
                    }
                    parts_remain = self.milestone(sequence + 1).is_some();
                    self.start_milestone(sequence + 1, *next_due_at);
                }
                // A milestone's dispute settles that part only: the work
                // goes on with the next one.
                self.status = if parts_remain {
                    ContractStatus::Assigned
                } else {
                    ContractStatus::Resolved
                };
            }
        }
    }
}
