//! What happened to a listing, in the past tense. The listing's id is its
//! stream's (`listing-<id>`); only the first event names it again.

use super::{Direction, ListingChanges, ListingDetails, ListingType, Reason, SuspensionCause};
use crate::aggregate::DomainEvent;
use crate::ids::{ActorId, BidId, ListingId};
use crate::mode::Mode;
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ListingEvent {
    ListingCreated {
        listing_id: ListingId,
        owner: ActorId,
        mode: Mode,
        direction: Direction,
        listing_type: ListingType,
        details: Box<ListingDetails>,
        at: Timestamp,
    },
    /// The fields that changed, with their new values.
    ListingUpdated {
        changes: Box<ListingChanges>,
        at: Timestamp,
    },
    ListingDeactivated {
        at: Timestamp,
    },
    ListingSuspended {
        cause: SuspensionCause,
        reason: Reason,
        by: ActorId,
        at: Timestamp,
    },
    /// The suspension of this cause is lifted; another may remain.
    ListingReinstated {
        cause: SuspensionCause,
        reason: Reason,
        by: ActorId,
        at: Timestamp,
    },
    BidReceived {
        bid: BidId,
        bidder: ActorId,
        open_until: Timestamp,
        at: Timestamp,
    },
    BidExtended {
        bid: BidId,
        open_until: Timestamp,
        at: Timestamp,
    },
    /// The bid closed unaccepted; its bidder may bid again.
    BidReleased {
        bid: BidId,
        at: Timestamp,
    },
    BidAwarded {
        bid: BidId,
        at: Timestamp,
    },
    /// A contract on the listing completed: one more sale.
    SaleRecorded {
        contract: Uuid,
        at: Timestamp,
    },
}

impl DomainEvent for ListingEvent {
    fn event_type(&self) -> &'static str {
        match self {
            ListingEvent::ListingCreated { .. } => "ListingCreated",
            ListingEvent::ListingUpdated { .. } => "ListingUpdated",
            ListingEvent::ListingDeactivated { .. } => "ListingDeactivated",
            ListingEvent::ListingSuspended { .. } => "ListingSuspended",
            ListingEvent::ListingReinstated { .. } => "ListingReinstated",
            ListingEvent::BidReceived { .. } => "BidReceived",
            ListingEvent::BidExtended { .. } => "BidExtended",
            ListingEvent::BidReleased { .. } => "BidReleased",
            ListingEvent::BidAwarded { .. } => "BidAwarded",
            ListingEvent::SaleRecorded { .. } => "SaleRecorded",
        }
    }
}
