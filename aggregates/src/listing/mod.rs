//! `Listing` (`listing-<id>`): Humai's offers (sell) and requests (buy).
//! Its owner creates, updates and deactivates it; an admin suspends and
//! reinstates it (the kill switch's `suspend_tool`, or a provider's ban).
//!
//! A buy listing takes bids. Each bid is its own aggregate (`bid-<id>`), but
//! the listing records which bids it has and which are still open, so "one
//! open bid per (bidder, listing)" and "one bid accepted" are decided on the
//! listing's stream: placing or accepting a bid appends to the bid and the
//! listing in one atomic append, and of two racing bids one fails the
//! listing's version check. The bid decides first ([`crate::bid`]); what the
//! listing must then decide is [`crate::bid::listing_action`].
//!
//! Choices where the seed is silent:
//! - A sell listing needs `price_usd` unless it is a tool priced by its
//!   `subscription_plans` (the seed's own tool example has no price).
//! - `price_usd` is refused on a buy listing, `budget_ceiling_usd` and
//!   subscription plans on a sell one.
//! - An update sets the fields given; none is cleared by an update.
//! - A suspended listing may still be updated by its owner (to fix what it
//!   was suspended for); a deactivated one may not. Deactivating is final.
//! - Accepting a bid awards the listing; it stays active (its other bids
//!   stay as they are, but none can be accepted or countered any more).

mod command;
mod decide;
mod event;
pub mod fields;
pub mod plans;
mod purchase;
#[cfg(test)]
pub(crate) mod tests;

pub use command::{ListingAction, ListingChanges, ListingCommand, NewListing};
pub use event::ListingEvent;
pub use fields::{
    CategoryTags, Description, Direction, JsonObject, ListingType, SlaHours, Tier, Title,
};
pub use plans::{PlanInput, SubscriptionPlan, SubscriptionPlans};
pub use purchase::{Purchase, PURCHASE_SLA_HOURS_DEFAULT};

use crate::error::{DomainError, RuleKind};
use crate::ids::{ActorId, BidId, ListingId};
use crate::mode::Mode;
use crate::money::Money;
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Bids one listing records: a busy request draws dozens; this bounds the
/// state every bid on it folds.
pub const BIDS_MAX: usize = 500;
/// A suspension's or reinstatement's reason, shown in the audit log.
pub const REASON_MAX_CHARS: usize = 500;

/// What a listing says of itself: everything its owner sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingDetails {
    pub title: Title,
    pub description: Description,
    pub category_tags: CategoryTags,
    /// A sell listing's price, USD.
    pub price: Option<Money>,
    /// A buy listing's ceiling, USD; bids may go to 1.5 times it.
    pub budget_ceiling: Option<Money>,
    pub sla_hours: Option<SlaHours>,
    pub input_schema: Option<JsonObject>,
    pub output_schema: Option<JsonObject>,
    pub evaluation_rubric: Option<JsonObject>,
    #[serde(default)]
    pub subscription_plans: SubscriptionPlans,
    pub tool_meta: Option<JsonObject>,
    pub sla_config: Option<JsonObject>,
    /// Whether the owner takes counter-offers on bids; the seed's default is yes.
    pub negotiation_permitted: bool,
    pub min_seller_tier: Tier,
}

impl ListingDetails {
    /// These details with `changes` made.
    pub fn changed(&self, changes: &ListingChanges) -> ListingDetails {
        let mut next = self.clone();
        let ListingChanges {
            title,
            description,
            category_tags,
            price,
            budget_ceiling,
            sla_hours,
            input_schema,
            output_schema,
            evaluation_rubric,
            subscription_plans,
            tool_meta,
            sla_config,
            negotiation_permitted,
            min_seller_tier,
        } = changes.clone();
        macro_rules! set {
            ($($field:ident),*) => { $( if let Some(value) = $field { next.$field = value; } )* };
        }
        macro_rules! set_some {
            ($($field:ident),*) => { $( if $field.is_some() { next.$field = $field; } )* };
        }
        set!(
            title,
            description,
            category_tags,
            subscription_plans,
            negotiation_permitted,
            min_seller_tier
        );
        set_some!(
            price,
            budget_ceiling,
            sla_hours,
            input_schema,
            output_schema,
            evaluation_rubric,
            tool_meta,
            sla_config
        );
        next
    }

    /// The rules across fields, which depend on the direction.
    pub(crate) fn ensure_fit_for(&self, direction: Direction) -> Result<(), DomainError> {
        for amount in [self.price, self.budget_ceiling].into_iter().flatten() {
            if amount.currency != crate::money::Currency::USD || amount.cents <= 0 {
                return Err(DomainError::invalid(
                    "prices and budget ceilings are positive amounts of USD",
                ));
            }
        }
        match direction {
            Direction::Sell => {
                if self.budget_ceiling.is_some() {
                    return Err(DomainError::invalid(
                        "budget_ceiling_usd is for buy listings; a sell listing has a price_usd",
                    ));
                }
                if self.price.is_none() && self.subscription_plans.is_empty() {
                    return Err(DomainError::invalid(
                        "a sell listing needs price_usd (or subscription_plans, for a tool)",
                    ));
                }
            }
            Direction::Buy => {
                if self.price.is_some() {
                    return Err(DomainError::invalid(
                        "price_usd is for sell listings; a buy listing has a budget_ceiling_usd",
                    ));
                }
                if self.budget_ceiling.is_none() {
                    return Err(DomainError::invalid(
                        "a buy listing needs budget_ceiling_usd",
                    ));
                }
                if !self.subscription_plans.is_empty() {
                    return Err(DomainError::invalid(
                        "subscription_plans are for tools offered on sell listings",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Why a listing is suspended. Each cause is lifted only by its own
/// undoing: `reinstate_tool` does not let a banned provider sell again, and
/// unbanning does not undo an admin's separate suspension of the tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuspensionCause {
    /// The kill switch's `suspend_tool` on this listing.
    Admin,
    /// `ban_provider` on its owner suspended all their listings.
    ProviderBanned,
}

impl SuspensionCause {
    pub fn as_str(self) -> &'static str {
        match self {
            SuspensionCause::Admin => "admin",
            SuspensionCause::ProviderBanned => "provider_banned",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    pub cause: SuspensionCause,
    pub reason: Reason,
    pub by: ActorId,
    pub at: Timestamp,
}

/// A bid as the listing knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingBid {
    pub bidder: ActorId,
    /// While open, until when (its expiry, pushed back by a counter-offer);
    /// none once accepted, rejected or expired.
    pub open_until: Option<Timestamp>,
}

impl ListingBid {
    pub fn is_open(&self, at: Timestamp) -> bool {
        self.open_until.is_some_and(|until| at < until)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    pub id: Option<ListingId>,
    pub owner: Option<ActorId>,
    pub mode: Mode,
    pub direction: Option<Direction>,
    pub listing_type: Option<ListingType>,
    pub details: Option<ListingDetails>,
    pub is_active: bool,
    /// Every cause in force: a listing is suspended while any is.
    pub suspensions: Vec<Suspension>,
    pub bids: BTreeMap<BidId, ListingBid>,
    /// The bid accepted on this buy listing, if any: there is only one.
    pub awarded_bid: Option<BidId>,
    /// Contracts on this listing completed.
    pub total_sales: u64,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
}

impl Listing {
    pub fn exists(&self) -> bool {
        self.id.is_some()
    }

    pub fn is_suspended(&self) -> bool {
        !self.suspensions.is_empty()
    }

    /// The bid `bidder` has open on this listing at `at`, if any.
    pub fn open_bid_of(&self, bidder: ActorId, at: Timestamp) -> Option<BidId> {
        self.bids
            .iter()
            .find(|(_, bid)| bid.bidder == bidder && bid.is_open(at))
            .map(|(id, _)| *id)
    }

    /// Found by a caller acting in `mode`: listings are public, but a test
    /// key sees no live listing and the other way round.
    pub fn ensure_found(&self, mode: Mode) -> Result<(), DomainError> {
        if !self.exists() || self.mode != mode {
            return Err(DomainError::NotFound("listing"));
        }
        Ok(())
    }

    /// Active, not suspended, no bid accepted yet: open to bidding and
    /// negotiation.
    pub fn ensure_open(&self) -> Result<(), DomainError> {
        if !self.is_active {
            return Err(DomainError::conflict("the listing is deactivated"));
        }
        if self.is_suspended() {
            return Err(DomainError::conflict("the listing is suspended"));
        }
        if self.awarded_bid.is_some() {
            return Err(DomainError::conflict(
                "the listing has already accepted a bid",
            ));
        }
        Ok(())
    }

    /// Whether `bidder`, acting in `mode`, may place a bid on this listing
    /// at `at`: the rules the listing keeps, which both the bid's `Place`
    /// and the listing's `ReceiveBid` check.
    pub fn ensure_takes_bid_from(
        &self,
        bidder: ActorId,
        mode: Mode,
        at: Timestamp,
    ) -> Result<(), DomainError> {
        self.ensure_found(mode)?;
        if self.direction != Some(Direction::Buy) {
            return Err(DomainError::invalid(
                "bids are placed on buy listings; a sell listing is bought directly",
            ));
        }
        self.ensure_open()?;
        if self.owner == Some(bidder) {
            return Err(DomainError::forbidden("you cannot bid on your own listing"));
        }
        if self.open_bid_of(bidder, at).is_some() {
            return Err(DomainError::rule(
                RuleKind::Conflict,
                "already_bid",
                "You already have an active bid on this listing",
            ));
        }
        if self.bids.len() >= BIDS_MAX {
            return Err(DomainError::limit_exceeded(format!(
                "a listing takes at most {BIDS_MAX} bids"
            )));
        }
        Ok(())
    }
}

/// A suspension's or reinstatement's reason, for the audit log: 1 to
/// `REASON_MAX_CHARS` characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Reason(String);

impl Reason {
    pub fn parse(text: &str) -> Result<Reason, DomainError> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > REASON_MAX_CHARS || text.contains('\0') {
            return Err(DomainError::invalid(format!(
                "a reason is 1 to {REASON_MAX_CHARS} characters"
            )));
        }
        Ok(Reason(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
