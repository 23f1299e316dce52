//! The listing's rules: who may change it, in which state, and the bids it
//! takes.

use super::command::{ListingAction, ListingChanges, ListingCommand, NewListing};
use super::event::ListingEvent;
use super::{Listing, ListingBid, Suspension, SuspensionCause};
use crate::actor::Caller;
use crate::aggregate::Aggregate;
use crate::error::{Decided, DomainError};
use crate::ids::BidId;
use crate::mode::Mode;
use crate::Timestamp;

impl Aggregate for Listing {
    const STREAM_PREFIX: &'static str = "listing";
    type Command = ListingCommand;
    type Event = ListingEvent;

    fn decide(&self, command: &ListingCommand) -> Decided<ListingEvent> {
        let ListingCommand {
            by,
            mode,
            at,
            action,
        } = command;
        let (mode, at) = (*mode, *at);
        match action {
            ListingAction::Create(new) => self.create(new, by, mode, at),
            ListingAction::Update(changes) => {
                self.ensure_owner(by, mode)?;
                if !self.is_active {
                    return Err(DomainError::conflict(
                        "the listing is deactivated; it cannot be changed",
                    ));
                }
                self.update(changes, at)
            }
            ListingAction::Deactivate => {
                self.ensure_owner(by, mode)?;
                if !self.is_active {
                    return Err(DomainError::conflict("the listing is already deactivated"));
                }
                Ok(vec![ListingEvent::ListingDeactivated { at }])
            }
            ListingAction::Suspend { cause, reason } => {
                self.ensure_admin(by)?;
                if self.suspensions.iter().any(|s| s.cause == *cause) {
                    return Err(DomainError::conflict(format!(
                        "the listing is already suspended ({})",
                        cause.as_str()
                    )));
                }
                Ok(vec![ListingEvent::ListingSuspended {
                    cause: *cause,
                    reason: reason.clone(),
                    by: by.actor,
                    at,
                }])
            }
            ListingAction::Reinstate { cause, reason } => {
                self.ensure_admin(by)?;
                if !self.suspensions.iter().any(|s| s.cause == *cause) {
                    return Err(DomainError::conflict(match cause {
                        SuspensionCause::Admin => "the listing is not suspended by an admin",
                        SuspensionCause::ProviderBanned => {
                            "the listing is not suspended by its provider's ban"
                        }
                    }));
                }
                Ok(vec![ListingEvent::ListingReinstated {
                    cause: *cause,
                    reason: reason.clone(),
                    by: by.actor,
                    at,
                }])
            }
            ListingAction::ReceiveBid {
                bid,
                bidder,
                open_until,
            } => {
                self.ensure_takes_bid_from(*bidder, mode, at)?;
                if self.bids.contains_key(bid) {
                    return Err(DomainError::conflict("this bid is already placed"));
                }
                Ok(vec![ListingEvent::BidReceived {
                    bid: *bid,
                    bidder: *bidder,
                    open_until: *open_until,
                    at,
                }])
            }
            ListingAction::ExtendBid { bid, open_until } => {
                self.ensure_found(mode)?;
                self.ensure_open()?;
                self.open_bid(*bid, at)?;
                Ok(vec![ListingEvent::BidExtended {
                    bid: *bid,
                    open_until: *open_until,
                    at,
                }])
            }
            ListingAction::ReleaseBid { bid } => {
                self.ensure_found(mode)?;
                let known = self.bids.get(bid).ok_or(DomainError::NotFound("bid"))?;
                // Releasing a closed bid changes nothing: expiry and a
                // rejection may both come for one bid.
                if known.open_until.is_none() {
                    return Ok(vec![]);
                }
                Ok(vec![ListingEvent::BidReleased { bid: *bid, at }])
            }
            ListingAction::AwardBid { bid } => {
                self.ensure_found(mode)?;
                self.ensure_open()?;
                self.open_bid(*bid, at)?;
                Ok(vec![ListingEvent::BidAwarded { bid: *bid, at }])
            }
            ListingAction::RecordSale { contract } => {
                self.ensure_found(mode)?;
                Ok(vec![ListingEvent::SaleRecorded {
                    contract: *contract,
                    at,
                }])
            }
        }
    }

    fn apply(&mut self, event: &ListingEvent) {
        match event {
            ListingEvent::ListingCreated {
                listing_id,
                owner,
                mode,
                direction,
                listing_type,
                details,
                at,
            } => {
                self.id = Some(*listing_id);
                self.owner = Some(*owner);
                self.mode = *mode;
                self.direction = Some(*direction);
                self.listing_type = Some(*listing_type);
                self.details = Some((**details).clone());
                self.is_active = true;
                self.created_at = Some(*at);
                self.updated_at = Some(*at);
            }
            ListingEvent::ListingUpdated { changes, at } => {
                if let Some(details) = &self.details {
                    self.details = Some(details.changed(changes));
                }
                self.updated_at = Some(*at);
            }
            ListingEvent::ListingDeactivated { at } => {
                self.is_active = false;
                self.updated_at = Some(*at);
            }
            ListingEvent::ListingSuspended {
                cause,
                reason,
                by,
                at,
            } => {
                self.suspensions.push(Suspension {
                    cause: *cause,
                    reason: reason.clone(),
                    by: *by,
                    at: *at,
                });
                self.updated_at = Some(*at);
            }
            ListingEvent::ListingReinstated { cause, at, .. } => {
                self.suspensions.retain(|s| s.cause != *cause);
                self.updated_at = Some(*at);
            }
            ListingEvent::BidReceived {
                bid,
                bidder,
                open_until,
                ..
            } => {
                self.bids.insert(
                    *bid,
                    ListingBid {
                        bidder: *bidder,
                        open_until: Some(*open_until),
                    },
                );
            }
            ListingEvent::BidExtended {
                bid, open_until, ..
            } => {
                if let Some(known) = self.bids.get_mut(bid) {
                    known.open_until = Some(*open_until);
                }
            }
            ListingEvent::BidReleased { bid, .. } => {
                if let Some(known) = self.bids.get_mut(bid) {
                    known.open_until = None;
                }
            }
            ListingEvent::BidAwarded { bid, .. } => {
                if let Some(known) = self.bids.get_mut(bid) {
                    known.open_until = None;
                }
                self.awarded_bid = Some(*bid);
            }
            ListingEvent::SaleRecorded { .. } => {
                self.total_sales += 1;
            }
        }
    }
}

impl Listing {
    fn create(
        &self,
        new: &NewListing,
        by: &Caller,
        mode: Mode,
        at: Timestamp,
    ) -> Decided<ListingEvent> {
        if self.exists() {
            return Err(DomainError::conflict("this listing already exists"));
        }
        by.ensure_active()?;
        new.details.ensure_fit_for(new.direction)?;
        Ok(vec![ListingEvent::ListingCreated {
            listing_id: new.listing_id,
            owner: by.actor,
            mode,
            direction: new.direction,
            listing_type: new.listing_type,
            details: Box::new(new.details.clone()),
            at,
        }])
    }

    fn update(&self, changes: &ListingChanges, at: Timestamp) -> Decided<ListingEvent> {
        if changes.is_empty() {
            return Err(DomainError::invalid("give at least one field to update"));
        }
        let (Some(details), Some(direction)) = (&self.details, self.direction) else {
            return Err(DomainError::NotFound("listing"));
        };
        details.changed(changes).ensure_fit_for(direction)?;
        let changes = changes.against(details);
        if changes.is_empty() {
            return Ok(vec![]);
        }
        Ok(vec![ListingEvent::ListingUpdated {
            changes: Box::new(changes),
            at,
        }])
    }

    /// The owner, in the listing's mode, not banned. Anyone else who can
    /// see the listing (it is public) is forbidden.
    fn ensure_owner(&self, by: &Caller, mode: Mode) -> Result<(), DomainError> {
        self.ensure_found(mode)?;
        if self.owner != Some(by.actor) {
            return Err(DomainError::forbidden(
                "only the listing's owner may change it",
            ));
        }
        by.ensure_not_banned()
    }

    /// The kill switch applies to any listing in any mode: only an admin.
    fn ensure_admin(&self, by: &Caller) -> Result<(), DomainError> {
        if !self.exists() {
            return Err(DomainError::NotFound("listing"));
        }
        if !by.is_admin() {
            return Err(DomainError::forbidden(
                "only an admin may suspend or reinstate a listing",
            ));
        }
        Ok(())
    }

    fn open_bid(&self, bid: BidId, at: Timestamp) -> Result<&ListingBid, DomainError> {
        let known = self.bids.get(&bid).ok_or(DomainError::NotFound("bid"))?;
        if !known.is_open(at) {
            return Err(DomainError::conflict("the bid is no longer open"));
        }
        Ok(known)
    }
}

crate::cqrs_aggregate!(Listing);
