//! What is asked of a bid. Commands that depend on the listing carry it as
//! the bus loaded it (in the same unit of work the listing's own decision
//! is appended in, so a listing changed meanwhile fails the append).

use super::{CounterNote, ScopeNote, Terms};
use crate::actor::Caller;
use crate::ids::BidId;
use crate::listing::{Listing, SlaHours, Tier};
use crate::mode::Mode;
use crate::money::Money;
use crate::Timestamp;

#[derive(Debug, Clone, PartialEq)]
pub struct BidCommand {
    pub by: Caller,
    pub mode: Mode,
    pub at: Timestamp,
    pub action: BidAction,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BidAction {
    /// The bidder (`by`) bids on a buy listing.
    Place {
        bid_id: BidId,
        listing: Box<Listing>,
        /// The bidder's reputation tier, as the bus read it.
        seller_tier: Tier,
        terms: Terms,
        scope_note: Option<ScopeNote>,
    },
    /// The listing's owner accepts the bid at the bidder's terms.
    Accept { listing: Box<Listing> },
    /// The listing's owner turns the bid down.
    Reject,
    /// The listing's owner offers other terms.
    Counter {
        listing: Box<Listing>,
        price: Money,
        sla_hours: SlaHours,
        note: Option<CounterNote>,
    },
    /// The bidder takes the owner's counter-offer.
    AcceptCounter { listing: Box<Listing> },
    /// The bidder turns the counter-offer down; their own terms stand.
    RejectCounter,
    /// The bid's time ran out (a timer, or anyone who notices).
    Expire,
}
