//! The bid's rules: placing within the listing's bounds, the owner's answer,
//! the counter rounds and their expiry.

use super::command::{BidAction, BidCommand};
use super::event::BidEvent;
use super::{
    parse_price, AgreedTerms, Bid, BidStatus, Counter, CounterNote, ScopeNote, Terms, BID_OPEN_FOR,
    COUNTER_OPEN_FOR, COUNTER_ROUNDS_MAX,
};
use crate::actor::Caller;
use crate::aggregate::Aggregate;
use crate::error::{Decided, DomainError, RuleKind};
use crate::ids::BidId;
use crate::listing::{Listing, SlaHours, Tier};
use crate::mode::Mode;
use crate::money::Money;
use crate::Timestamp;

impl Aggregate for Bid {
    const STREAM_PREFIX: &'static str = "bid";
    type Command = BidCommand;
    type Event = BidEvent;

    fn decide(&self, command: &BidCommand) -> Decided<BidEvent> {
        let BidCommand {
            by,
            mode,
            at,
            action,
        } = command;
        let (mode, at) = (*mode, *at);
        match action {
            BidAction::Place {
                bid_id,
                listing,
                seller_tier,
                terms,
                scope_note,
            } => self.place(
                *bid_id,
                listing,
                *seller_tier,
                terms,
                scope_note,
                by,
                mode,
                at,
            ),
            BidAction::Accept { listing } => {
                self.ensure_owner(by, mode)?;
                self.ensure_answerable(at)?;
                listing.ensure_open()?;
                let terms = self.terms.as_ref().ok_or(DomainError::NotFound("bid"))?;
                Ok(vec![self.accepted(terms.clone(), 0, by, at)?])
            }
            BidAction::Reject => {
                self.ensure_owner(by, mode)?;
                if self.status.is_closed() {
                    return Err(self.closed());
                }
                Ok(vec![BidEvent::BidRejected {
                    bid_id: self.bid_id()?,
                    by: by.actor,
                    at,
                }])
            }
            BidAction::Counter {
                listing,
                price,
                sla_hours,
                note,
            } => self.counter(listing, *price, *sla_hours, note, by, mode, at),
            BidAction::AcceptCounter { listing } => {
                self.ensure_bidder(by, mode)?;
                let counter = self.answerable_counter(at)?;
                listing.ensure_open()?;
                let milestones = self.terms.as_ref().and_then(|t| t.milestones.clone());
                let terms = Terms {
                    price: counter.price,
                    sla_hours: counter.sla_hours,
                    milestones,
                };
                Ok(vec![self.accepted(terms, counter.round, by, at)?])
            }
            BidAction::RejectCounter => {
                self.ensure_bidder(by, mode)?;
                let counter = self.answerable_counter(at)?;
                Ok(vec![BidEvent::CounterRejected {
                    bid_id: self.bid_id()?,
                    round: counter.round,
                    at,
                }])
            }
            BidAction::Expire => {
                if !self.exists() || self.mode != mode {
                    return Err(DomainError::NotFound("bid"));
                }
                if !self.has_lapsed(at) {
                    return Err(DomainError::conflict(
                        "the bid is closed or has not expired yet",
                    ));
                }
                Ok(vec![BidEvent::BidExpired {
                    bid_id: self.bid_id()?,
                    at,
                }])
            }
        }
    }

    fn apply(&mut self, event: &BidEvent) {
        match event {
            BidEvent::BidPlaced {
                bid_id,
                listing,
                listing_owner,
                bidder,
                mode,
                terms,
                scope_note,
                expires_at,
                at,
            } => {
                self.id = Some(*bid_id);
                self.listing = Some(*listing);
                self.listing_owner = Some(*listing_owner);
                self.bidder = Some(*bidder);
                self.mode = *mode;
                self.terms = Some(terms.clone());
                self.scope_note = scope_note.clone();
                self.status = BidStatus::Pending;
                self.placed_at = Some(*at);
                self.expires_at = Some(*expires_at);
            }
            BidEvent::BidCountered {
                round,
                price,
                sla_hours,
                note,
                expires_at,
                bid_expires_at,
                at,
                ..
            } => {
                self.status = BidStatus::Countered;
                self.counter_rounds = *round;
                self.counter = Some(Counter {
                    round: *round,
                    price: *price,
                    sla_hours: *sla_hours,
                    note: note.clone(),
                    made_at: *at,
                    expires_at: *expires_at,
                });
                self.expires_at = Some(*bid_expires_at);
            }
            BidEvent::CounterRejected { .. } => {
                self.status = BidStatus::Pending;
            }
            BidEvent::BidAccepted { terms, .. } => {
                self.status = BidStatus::Accepted;
                self.agreed = Some(terms.clone());
            }
            BidEvent::BidRejected { .. } => self.status = BidStatus::Rejected,
            BidEvent::BidExpired { .. } => self.status = BidStatus::Expired,
        }
    }
}

impl Bid {
    #[allow(clippy::too_many_arguments)]
    fn place(
        &self,
        bid_id: BidId,
        listing: &Listing,
        seller_tier: Tier,
        terms: &Terms,
        scope_note: &Option<ScopeNote>,
        by: &Caller,
        mode: Mode,
        at: Timestamp,
    ) -> Decided<BidEvent> {
        if self.exists() {
            return Err(DomainError::conflict("this bid already exists"));
        }
        by.ensure_active()?;
        listing.ensure_takes_bid_from(by.actor, mode, at)?;
        let (Some(listing_id), Some(owner), Some(details)) =
            (listing.id, listing.owner, listing.details.as_ref())
        else {
            return Err(DomainError::NotFound("listing"));
        };
        if seller_tier < details.min_seller_tier {
            return Err(DomainError::forbidden(format!(
                "this listing takes bids from sellers of tier {} and up; yours is {}",
                details.min_seller_tier.value(),
                seller_tier.value()
            )));
        }
        let price = parse_price(terms.price)?;
        let ceiling = details
            .budget_ceiling
            .ok_or_else(|| DomainError::invalid("the listing has no budget ceiling"))?;
        // price ≤ 1.5 × ceiling, in integer cents: 2 × price ≤ 3 × ceiling.
        // Amounts are bounded far below i64::MAX / 3, so neither side overflows.
        if price.cents * 2 > ceiling.cents * 3 {
            return Err(DomainError::rule(
                RuleKind::Invalid,
                "bid_price_too_high",
                "Price exceeds 1.5x budget ceiling",
            ));
        }
        Ok(vec![BidEvent::BidPlaced {
            bid_id,
            listing: listing_id,
            listing_owner: owner,
            bidder: by.actor,
            mode,
            terms: terms.clone(),
            scope_note: scope_note.clone(),
            expires_at: at + BID_OPEN_FOR,
            at,
        }])
    }

    #[allow(clippy::too_many_arguments)]
    fn counter(
        &self,
        listing: &Listing,
        price: Money,
        sla_hours: SlaHours,
        note: &Option<CounterNote>,
        by: &Caller,
        mode: Mode,
        at: Timestamp,
    ) -> Decided<BidEvent> {
        self.ensure_owner(by, mode)?;
        let negotiable = listing
            .details
            .as_ref()
            .is_some_and(|details| details.negotiation_permitted);
        if !negotiable {
            return Err(DomainError::rule(
                RuleKind::Conflict,
                "negotiation_not_permitted",
                "Listing has negotiation_permitted=false",
            ));
        }
        if self.counter_rounds >= COUNTER_ROUNDS_MAX {
            return Err(DomainError::rule(
                RuleKind::Conflict,
                "max_counter_rounds_exceeded",
                format!("Already at {COUNTER_ROUNDS_MAX} counter rounds"),
            ));
        }
        self.ensure_answerable(at)?;
        if self.open_counter(at).is_some() {
            return Err(DomainError::conflict(
                "your counter-offer awaits the bidder's answer",
            ));
        }
        listing.ensure_open()?;
        let price = parse_price(price)?;
        let expires_at = at + COUNTER_OPEN_FOR;
        let bid_expires_at = self.expires_at.map_or(expires_at, |e| e.max(expires_at));
        Ok(vec![BidEvent::BidCountered {
            bid_id: self.bid_id()?,
            round: self.counter_rounds + 1,
            price,
            sla_hours,
            note: note.clone(),
            expires_at,
            bid_expires_at,
            at,
        }])
    }

    fn accepted(
        &self,
        terms: Terms,
        round: u8,
        by: &Caller,
        at: Timestamp,
    ) -> Result<BidEvent, DomainError> {
        let (Some(listing), Some(buyer), Some(seller)) =
            (self.listing, self.listing_owner, self.bidder)
        else {
            return Err(DomainError::NotFound("bid"));
        };
        let agreed = AgreedTerms {
            listing,
            buyer,
            seller,
            mode: self.mode,
            price: terms.price,
            sla_hours: terms.sla_hours,
            milestones: terms
                .milestones
                .map(|m| m.as_slice().to_vec())
                .unwrap_or_default(),
            round,
        };
        Ok(BidEvent::BidAccepted {
            bid_id: self.bid_id()?,
            terms: agreed,
            by: by.actor,
            at,
        })
    }

    fn bid_id(&self) -> Result<BidId, DomainError> {
        self.id.ok_or(DomainError::NotFound("bid"))
    }

    /// Found by the caller: the bid's two parties see it, no one else (a
    /// bid's terms are between them).
    fn ensure_party(&self, by: &Caller, mode: Mode) -> Result<(), DomainError> {
        let party = self.bidder == Some(by.actor) || self.listing_owner == Some(by.actor);
        if !self.exists() || self.mode != mode || !party {
            return Err(DomainError::NotFound("bid"));
        }
        by.ensure_not_banned()
    }

    fn ensure_owner(&self, by: &Caller, mode: Mode) -> Result<(), DomainError> {
        self.ensure_party(by, mode)?;
        if self.listing_owner != Some(by.actor) {
            return Err(DomainError::forbidden(
                "only the listing's owner may answer a bid",
            ));
        }
        Ok(())
    }

    fn ensure_bidder(&self, by: &Caller, mode: Mode) -> Result<(), DomainError> {
        self.ensure_party(by, mode)?;
        if self.bidder != Some(by.actor) {
            return Err(DomainError::forbidden(
                "only the bidder may answer a counter-offer",
            ));
        }
        Ok(())
    }

    /// Open, and not past its expiry.
    fn ensure_answerable(&self, at: Timestamp) -> Result<(), DomainError> {
        if self.status.is_closed() {
            return Err(self.closed());
        }
        if self.has_lapsed(at) {
            return Err(DomainError::conflict("the bid has expired"));
        }
        Ok(())
    }

    /// The counter the bidder may still answer at `at`.
    fn answerable_counter(&self, at: Timestamp) -> Result<&Counter, DomainError> {
        if self.status != BidStatus::Countered {
            return Err(DomainError::conflict("there is no counter-offer to answer"));
        }
        self.open_counter(at)
            .ok_or_else(|| DomainError::conflict("the counter-offer has expired"))
    }

    fn closed(&self) -> DomainError {
        DomainError::conflict(format!("the bid is already {}", self.status.as_str()))
    }
}

crate::cqrs_aggregate!(Bid);
