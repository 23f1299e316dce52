//! What happened to a contract, in the past tense. Money events carry their
//! settlement ids and amounts, so the accounts' commands and the read models
//! follow from the event alone.

use super::milestone::MilestoneSpec;
use super::party::Party;
use crate::account::AccountId;
use crate::aggregate::DomainEvent;
use crate::dispute::Resolution;
use crate::fee::FeePolicy;
use crate::ids::{ActorId, BidId, ContractId, DisputeId, HoldId, ListingId, SettlementId};
use crate::mode::Mode;
use crate::money::Money;
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ContractEvent {
    /// The contract exists and its price is held on `account` (the buyer's)
    /// under `hold_id`, in the same append.
    ContractOpened {
        contract_id: ContractId,
        mode: Mode,
        buyer: Party,
        seller: Party,
        listing_id: ListingId,
        bid_id: Option<BidId>,
        price: Money,
        fee_policy: FeePolicy,
        /// What the platform keeps and the seller gets if every part is
        /// accepted: the sum of each part's split (one part without milestones).
        platform_fee: Money,
        seller_payout: Money,
        sla_hours: u32,
        milestones: Vec<MilestoneSpec>,
        parent: Option<ContractId>,
        root: ContractId,
        depth: u8,
        chain_actors: Vec<ActorId>,
        account: AccountId,
        hold_id: HoldId,
        at: Timestamp,
    },
    /// On the parent: a child contract was opened for part of its work.
    SubcontractOpened {
        child: ContractId,
        seller: ActorId,
        price: Money,
        at: Timestamp,
    },
    ContractAssigned {
        by: ActorId,
        sla_due_at: Timestamp,
        /// The first milestone's deadline, for a contract with milestones.
        milestone_due_at: Option<Timestamp>,
        at: Timestamp,
    },
    DeliverySubmitted {
        output_data: Value,
        storage_path: Option<String>,
        /// After the SLA deadline: a reputation fact.
        late: bool,
        review_due_at: Timestamp,
        at: Timestamp,
    },
    MilestoneDelivered {
        sequence: u32,
        output_data: Value,
        storage_path: Option<String>,
        late: bool,
        review_due_at: Timestamp,
        at: Timestamp,
    },
    /// The whole delivery accepted: `gross` captured from the hold, `fee` to
    /// the platform, `payout` to the seller.
    ContractAccepted {
        settlement_id: SettlementId,
        gross: Money,
        fee: Money,
        payout: Money,
        /// By the review window's timer, not the buyer.
        auto: bool,
        at: Timestamp,
    },
    MilestoneAccepted {
        sequence: u32,
        settlement_id: SettlementId,
        gross: Money,
        fee: Money,
        payout: Money,
        auto: bool,
        /// The next milestone's deadline, which starts now; none after the last.
        next_due_at: Option<Timestamp>,
        at: Timestamp,
    },
    /// The sale is done: every part accepted. The fact a listing's
    /// `total_sales` and the seller's reputation count (Humai's
    /// `transaction.accepted` and its reputation event).
    ContractCompleted {
        listing_id: ListingId,
        buyer: ActorId,
        seller: ActorId,
        price: Money,
        /// Every part was delivered by its deadline.
        on_time: bool,
        at: Timestamp,
    },
    /// A dispute was opened over the delivery (`sequence`: a milestone's);
    /// the hold stays until an admin resolves it.
    ContractDisputed {
        dispute_id: DisputeId,
        sequence: Option<u32>,
        by: ActorId,
        reason: String,
        at: Timestamp,
    },
    /// The admin's resolution, in cents: `outcome.seller_gross` captured
    /// (fee on it) and `outcome.refund` released to the buyer.
    DisputeSettled {
        dispute_id: DisputeId,
        sequence: Option<u32>,
        resolution: Resolution,
        outcome: DisputeOutcome,
        /// The next milestone's deadline, when a milestone's dispute settles
        /// and parts remain.
        next_due_at: Option<Timestamp>,
        at: Timestamp,
    },
}

/// A settled dispute's money: the stake (what the dispute was about) split
/// between a capture for the seller and a release to the buyer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeOutcome {
    pub stake: Money,
    pub seller_gross: Money,
    pub fee: Money,
    pub seller_payout: Money,
    pub refund: Money,
    pub capture_settlement_id: SettlementId,
    pub release_settlement_id: SettlementId,
}

impl DomainEvent for ContractEvent {
    fn event_type(&self) -> &'static str {
        match self {
            ContractEvent::ContractOpened { .. } => "ContractOpened",
            ContractEvent::SubcontractOpened { .. } => "SubcontractOpened",
            ContractEvent::ContractAssigned { .. } => "ContractAssigned",
            ContractEvent::DeliverySubmitted { .. } => "DeliverySubmitted",
            ContractEvent::MilestoneDelivered { .. } => "MilestoneDelivered",
            ContractEvent::ContractAccepted { .. } => "ContractAccepted",
            ContractEvent::MilestoneAccepted { .. } => "MilestoneAccepted",
            ContractEvent::ContractCompleted { .. } => "ContractCompleted",
            ContractEvent::ContractDisputed { .. } => "ContractDisputed",
            ContractEvent::DisputeSettled { .. } => "DisputeSettled",
        }
    }
}
