//! What happened to a bid, in the past tense. Every event names its bid, so
//! [`super::listing_action`] can tell the listing which.

use super::{AgreedTerms, CounterNote, ScopeNote, Terms};
use crate::aggregate::DomainEvent;
use crate::ids::{ActorId, BidId, ListingId};
use crate::listing::SlaHours;
use crate::mode::Mode;
use crate::money::Money;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum BidEvent {
    BidPlaced {
        bid_id: BidId,
        listing: ListingId,
        listing_owner: ActorId,
        bidder: ActorId,
        mode: Mode,
        terms: Terms,
        scope_note: Option<ScopeNote>,
        expires_at: Timestamp,
        at: Timestamp,
    },
    /// The owner's counter-offer, round 1 or 2.
    BidCountered {
        bid_id: BidId,
        round: u8,
        price: Money,
        sla_hours: SlaHours,
        note: Option<CounterNote>,
        /// Until when the bidder may accept this counter.
        expires_at: Timestamp,
        /// The bid's own expiry from now on (never before the counter's).
        bid_expires_at: Timestamp,
        at: Timestamp,
    },
    /// The bidder turned the counter down: pending again at their terms.
    CounterRejected {
        bid_id: BidId,
        round: u8,
        at: Timestamp,
    },
    /// Accepted, by the owner (the bidder's terms) or by the bidder (the
    /// counter's): `terms` is what the contract is opened on.
    BidAccepted {
        bid_id: BidId,
        terms: AgreedTerms,
        by: ActorId,
        at: Timestamp,
    },
    BidRejected {
        bid_id: BidId,
        by: ActorId,
        at: Timestamp,
    },
    BidExpired {
        bid_id: BidId,
        at: Timestamp,
    },
}

impl DomainEvent for BidEvent {
    fn event_type(&self) -> &'static str {
        match self {
            BidEvent::BidPlaced { .. } => "BidPlaced",
            BidEvent::BidCountered { .. } => "BidCountered",
            BidEvent::CounterRejected { .. } => "CounterRejected",
            BidEvent::BidAccepted { .. } => "BidAccepted",
            BidEvent::BidRejected { .. } => "BidRejected",
            BidEvent::BidExpired { .. } => "BidExpired",
        }
    }
}
