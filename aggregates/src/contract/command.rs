//! What may be asked of a contract. The caller is authenticated by the bus;
//! the contract decides whether that caller may.

use super::chain::ParentLink;
use super::milestone::MilestoneSpec;
use super::party::Party;
use super::{DEFAULT_REVIEW_WINDOW_HOURS, OUTPUT_DATA_MAX_BYTES, STORAGE_PATH_MAX_CHARS};
use crate::actor::Caller;
use crate::dispute::Resolution;
use crate::error::DomainError;
use crate::fee::FeePolicy;
use crate::ids::{ActorId, BidId, ContractId, DisputeId, ListingId};
use crate::mode::Mode;
use crate::money::Money;
use crate::Timestamp;
use serde_json::Value;

/// A contract to open. Who may open it — the buyer buying a listing, the
/// listing's owner accepting a bid, the bidder accepting a counter — and
/// whether that caller is in good standing is the bus's to check, as it
/// loads the listing and the bid; the contract checks the parties against
/// each other and the chain, and the buyer's account decides the hold.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenContract {
    pub contract_id: ContractId,
    pub mode: Mode,
    pub buyer: Party,
    pub seller: Party,
    pub listing_id: ListingId,
    pub bid_id: Option<BidId>,
    pub price: Money,
    pub sla_hours: u32,
    /// Empty for a contract paid in one piece.
    pub milestones: Vec<MilestoneSpec>,
    /// Humai's 10 %, from configuration: the contract keeps the rate it was
    /// opened with.
    pub fee: FeePolicy,
    /// Set for a subcontract: the parent as the bus loaded it.
    pub parent: Option<ParentLink>,
    pub at: Timestamp,
}

/// What the seller hands in: the seed's `output_data` (any JSON object,
/// at most `OUTPUT_DATA_MAX_BYTES` serialized) and an optional storage path.
#[derive(Debug, Clone, PartialEq)]
pub struct Deliverable {
    pub output_data: Value,
    pub storage_path: Option<String>,
}

impl Deliverable {
    pub fn parse(output_data: Value, storage_path: Option<&str>) -> Result<Self, DomainError> {
        if !output_data.is_object() {
            return Err(DomainError::invalid("output_data must be a JSON object"));
        }
        let bytes = serde_json::to_string(&output_data)
            .map_err(|_| DomainError::invalid("output_data is not serializable"))?
            .len();
        if bytes > OUTPUT_DATA_MAX_BYTES {
            return Err(DomainError::invalid(format!(
                "output_data is {bytes} bytes; at most {OUTPUT_DATA_MAX_BYTES}"
            )));
        }
        let storage_path = match storage_path.map(str::trim) {
            None | Some("") => None,
            Some(path) if path.chars().count() > STORAGE_PATH_MAX_CHARS || path.contains('\0') => {
                return Err(DomainError::invalid(format!(
                    "output_storage_path is at most {STORAGE_PATH_MAX_CHARS} characters, without NUL"
                )))
            }
            Some(path) => Some(path.to_owned()),
        };
        Ok(Deliverable {
            output_data,
            storage_path,
        })
    }
}

/// How long a buyer has to review a delivery before it is accepted for
/// them: the seed's 48 hours by default, shorter in tests and where an
/// operator configures it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewWindow(chrono::Duration);

impl ReviewWindow {
    /// A window of one second to 30 days: long enough to be a window, short
    /// enough that escrow is never locked for months by a silent buyer.
    pub fn new(window: chrono::Duration) -> Result<Self, DomainError> {
        if window < chrono::Duration::seconds(1) || window > chrono::Duration::days(30) {
            return Err(DomainError::invalid(
                "a review window is one second to 30 days",
            ));
        }
        Ok(ReviewWindow(window))
    }

    pub fn duration(self) -> chrono::Duration {
        self.0
    }
}

impl Default for ReviewWindow {
    fn default() -> Self {
        ReviewWindow(chrono::Duration::hours(DEFAULT_REVIEW_WINDOW_HOURS))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ContractCommand {
    Open(Box<OpenContract>),
    /// To the parent: a child was opened under it (see `chain`).
    RecordSubcontract {
        child: ContractId,
        buyer: ActorId,
        seller: ActorId,
        price: Money,
        at: Timestamp,
    },
    /// pending_payment → assigned; the SLA starts.
    Assign {
        by: Caller,
        at: Timestamp,
    },
    /// assigned → delivered, for a contract without milestones.
    Deliver {
        by: Caller,
        deliverable: Deliverable,
        review_window: ReviewWindow,
        at: Timestamp,
    },
    /// delivered → completed: the seller is paid.
    Accept {
        by: Caller,
        at: Timestamp,
    },
    /// The review window ran out: what is delivered is accepted, the whole
    /// contract or the milestone under review. Fired by the runtime's timer.
    AutoAccept {
        at: Timestamp,
    },
    DeliverMilestone {
        by: Caller,
        sequence: u32,
        deliverable: Deliverable,
        review_window: ReviewWindow,
        at: Timestamp,
    },
    AcceptMilestone {
        by: Caller,
        sequence: u32,
        at: Timestamp,
    },
    /// A dispute opened over the delivery (`sequence` for a milestone's).
    /// Decided with the `Dispute`'s opening, in one append.
    Dispute {
        by: Caller,
        dispute_id: DisputeId,
        sequence: Option<u32>,
        reason: String,
        at: Timestamp,
    },
    /// The admin's resolution of the contract's open dispute.
    SettleDispute {
        dispute_id: DisputeId,
        resolution: Resolution,
        at: Timestamp,
    },
}
