//! `Bid` (`bid-<id>`): a seller's offer on a Humai buy listing, and the
//! negotiation on it. The bidder places it; the listing's owner accepts,
//! rejects or counters it (at most [`COUNTER_ROUNDS_MAX`] rounds, each open
//! [`COUNTER_OPEN_FOR`]); the bidder accepts or rejects a counter.
//!
//! Commands that involve the listing carry the [`crate::listing::Listing`] as the bus
//! loaded it; the bid decides first, then [`listing_action`] says what the
//! listing must decide in the same append (record the bid, extend it,
//! release it, award it). The listing's stream is what makes "one open bid
//! per bidder" and "one accepted bid" hold under races.
//!
//! Choices where the seed is silent:
//! - A bid is open [`BID_OPEN_FOR`] (the seed's example: placed + 7 days).
//!   A counter keeps the bid open at least until the counter expires, so a
//!   bid never dies while its bidder may still answer.
//! - Rejecting a counter, or letting it lapse, puts the bid back to pending
//!   at the bidder's own last terms; the rounds used stay used. The owner
//!   may then accept, reject, or counter again (if a round is left).
//! - While their counter is open, the owner may still accept the bid at the
//!   bidder's terms (withdrawing the counter) or reject it, but not counter
//!   again: a round is an offer and its answer.
//! - A counter's price has no ceiling: the 1.5 × budget bound protects the
//!   owner from bids, and a counter is the owner's own offer.
//! - Milestones keep their percentages when a counter changes the price;
//!   each milestone's `sla_hours` is its own (1–168), as in the seed's
//!   example; how they combine in time is the contract's to decide.

mod command;
mod decide;
mod event;
#[cfg(test)]
mod tests;

pub use command::{BidAction, BidCommand};
pub use event::BidEvent;

use crate::error::{DomainError, RuleKind};
use crate::ids::{ActorId, BidId, ListingId};
use crate::listing::{ListingAction, SlaHours, Title};
use crate::mode::Mode;
use crate::money::{Currency, Money};
use crate::Timestamp;
use chrono::Duration;
use serde::{Deserialize, Serialize};

/// How long a bid stays open: the seed's example answers a bid placed on
/// 25 March with `expires_at` 1 April.
pub const BID_OPEN_FOR: Duration = Duration::days(7);
/// The seed: "48-hour expiry per round".
pub const COUNTER_OPEN_FOR: Duration = Duration::hours(48);
/// The seed: "Max 2 rounds".
pub const COUNTER_ROUNDS_MAX: u8 = 2;
/// The seed: "Brief explanation (max 300 chars)".
pub const SCOPE_NOTE_MAX_CHARS: usize = 300;
/// A counter's note is the owner's brief explanation, as brief as a scope note.
pub const COUNTER_NOTE_MAX_CHARS: usize = 300;
/// Milestones per bid: a plan, not a task list. Bounds the contract's too.
pub const MILESTONES_MAX: usize = 10;

/// A short note: trimmed, 1 to `max_chars` characters, no NUL.
fn note(text: &str, what: &str, max_chars: usize) -> Result<String, DomainError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > max_chars || text.contains('\0') {
        return Err(DomainError::invalid(format!(
            "{what} is 1 to {max_chars} characters"
        )));
    }
    Ok(text.to_owned())
}

/// The bidder's explanation of their bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ScopeNote(String);

impl ScopeNote {
    pub fn parse(text: &str) -> Result<ScopeNote, DomainError> {
        note(text, "scope_note", SCOPE_NOTE_MAX_CHARS).map(ScopeNote)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The owner's explanation of their counter-offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CounterNote(String);

impl CounterNote {
    pub fn parse(text: &str) -> Result<CounterNote, DomainError> {
        note(text, "counter_note", COUNTER_NOTE_MAX_CHARS).map(CounterNote)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A price offered in a bid or counter: a positive amount of USD.
pub fn parse_price(price: Money) -> Result<Money, DomainError> {
    if price.currency != Currency::USD || price.cents <= 0 {
        return Err(DomainError::invalid("a price is a positive amount of USD"));
    }
    Ok(price)
}

/// One milestone as a client sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneInput {
    pub title: String,
    pub pct_of_total: i64,
    pub sla_hours: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub title: Title,
    /// Whole percent of the price, 1 to 100.
    pub pct_of_total: u8,
    pub sla_hours: SlaHours,
}

/// A bid's milestones: 1 to `MILESTONES_MAX` whose percentages sum to
/// exactly 100 (refused with the seed's `milestone_sum_invalid`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Milestones(Vec<Milestone>);

impl Milestones {
    pub fn parse(inputs: &[MilestoneInput]) -> Result<Milestones, DomainError> {
        if inputs.len() > MILESTONES_MAX {
            return Err(DomainError::invalid(format!(
                "a bid has at most {MILESTONES_MAX} milestones"
            )));
        }
        let mut milestones = Vec::with_capacity(inputs.len());
        for input in inputs {
            let pct_of_total = u8::try_from(input.pct_of_total)
                .ok()
                .filter(|pct| (1..=100).contains(pct))
                .ok_or_else(|| DomainError::invalid("a milestone's pct_of_total is 1 to 100"))?;
            milestones.push(Milestone {
                title: Title::parse(&input.title)?,
                pct_of_total,
                sla_hours: SlaHours::parse(input.sla_hours)?,
            });
        }
        let sum: u32 = milestones.iter().map(|m| u32::from(m.pct_of_total)).sum();
        if sum != 100 {
            return Err(DomainError::rule(
                RuleKind::Invalid,
                "milestone_sum_invalid",
                format!("Milestone percentages must sum to 100, not {sum}"),
            ));
        }
        Ok(Milestones(milestones))
    }

    pub fn as_slice(&self) -> &[Milestone] {
        &self.0
    }
}

/// What a bid offers: a price, a delivery time, maybe milestones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    pub price: Money,
    pub sla_hours: SlaHours,
    pub milestones: Option<Milestones>,
}

/// The terms both sides agreed to when a bid was accepted: what the
/// contract is opened on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreedTerms {
    pub listing: ListingId,
    /// Who pays: the listing's owner.
    pub buyer: ActorId,
    /// Who delivers: the bidder.
    pub seller: ActorId,
    pub mode: Mode,
    pub price: Money,
    pub sla_hours: SlaHours,
    /// Empty: paid whole on delivery.
    pub milestones: Vec<Milestone>,
    /// The counter round it was agreed in; 0 for the bidder's own terms.
    pub round: u8,
}

impl AgreedTerms {
    /// Each milestone's share of the price in cents: its percentage rounded
    /// down, the last taking what rounding left, so the shares sum to the
    /// price exactly. Without milestones, the whole price.
    pub fn milestone_amounts(&self) -> Vec<Money> {
        let Some((_, before_last)) = self.milestones.split_last() else {
            return vec![self.price];
        };
        let mut amounts: Vec<Money> = before_last
            .iter()
            .map(|m| Money {
                cents: self.price.cents * i64::from(m.pct_of_total) / 100,
                currency: self.price.currency,
            })
            .collect();
        let paid: i64 = amounts.iter().map(|m| m.cents).sum();
        amounts.push(Money {
            cents: self.price.cents - paid,
            currency: self.price.currency,
        });
        amounts
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BidStatus {
    #[default]
    Pending,
    /// The owner made a counter-offer; the bidder may answer until it expires.
    Countered,
    Accepted,
    Rejected,
    Expired,
}

impl BidStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BidStatus::Pending => "pending",
            BidStatus::Countered => "countered",
            BidStatus::Accepted => "accepted",
            BidStatus::Rejected => "rejected",
            BidStatus::Expired => "expired",
        }
    }

    pub fn is_closed(self) -> bool {
        matches!(
            self,
            BidStatus::Accepted | BidStatus::Rejected | BidStatus::Expired
        )
    }
}

/// The owner's counter-offer in one round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counter {
    pub round: u8,
    pub price: Money,
    pub sla_hours: SlaHours,
    pub note: Option<CounterNote>,
    pub made_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Bid {
    pub id: Option<BidId>,
    pub listing: Option<ListingId>,
    pub listing_owner: Option<ActorId>,
    pub bidder: Option<ActorId>,
    pub mode: Mode,
    /// The bidder's terms.
    pub terms: Option<Terms>,
    pub scope_note: Option<ScopeNote>,
    pub status: BidStatus,
    pub placed_at: Option<Timestamp>,
    /// Until when the bid may be accepted (a counter may push it back).
    pub expires_at: Option<Timestamp>,
    /// Counter rounds made so far.
    pub counter_rounds: u8,
    /// The last counter, while it is the bid's state.
    pub counter: Option<Counter>,
    pub agreed: Option<AgreedTerms>,
}

impl Bid {
    pub fn exists(&self) -> bool {
        self.id.is_some()
    }

    /// Whether the bid is past its expiry at `at` without being closed.
    pub fn has_lapsed(&self, at: Timestamp) -> bool {
        !self.status.is_closed() && self.expires_at.is_some_and(|until| at >= until)
    }

    /// The counter awaiting the bidder's answer at `at`, if any: a counter
    /// whose 48 hours passed is as good as rejected.
    pub fn open_counter(&self, at: Timestamp) -> Option<&Counter> {
        if self.status != BidStatus::Countered {
            return None;
        }
        self.counter.as_ref().filter(|c| at < c.expires_at)
    }

    /// The status as a reader should see it at `at`: a lapsed bid is
    /// expired, a lapsed counter leaves the bid pending, before any
    /// command has recorded it.
    pub fn status_at(&self, at: Timestamp) -> BidStatus {
        if self.has_lapsed(at) {
            BidStatus::Expired
        } else if self.status == BidStatus::Countered && self.open_counter(at).is_none() {
            BidStatus::Pending
        } else {
            self.status
        }
    }
}

/// What the listing must decide after the bid's `events`, in the same
/// append: record a placed bid, push back an open one, release a closed
/// one, or be awarded to an accepted one.
pub fn listing_action(events: &[BidEvent]) -> Option<ListingAction> {
    events.iter().find_map(|event| match event {
        BidEvent::BidPlaced {
            bid_id,
            bidder,
            expires_at,
            ..
        } => Some(ListingAction::ReceiveBid {
            bid: *bid_id,
            bidder: *bidder,
            open_until: *expires_at,
        }),
        BidEvent::BidCountered {
            bid_id,
            bid_expires_at,
            ..
        } => Some(ListingAction::ExtendBid {
            bid: *bid_id,
            open_until: *bid_expires_at,
        }),
        BidEvent::BidRejected { bid_id, .. } | BidEvent::BidExpired { bid_id, .. } => {
            Some(ListingAction::ReleaseBid { bid: *bid_id })
        }
        BidEvent::BidAccepted { bid_id, .. } => Some(ListingAction::AwardBid { bid: *bid_id }),
        BidEvent::CounterRejected { .. } => None,
    })
}
