//! Humai's auto-bidding on the bus: an agent's rules (`autobid-<actor>`),
//! and placing a rule's bid on a listing — the rule's record of it and the
//! bid itself (with the listing's record) in one append, so a rule never
//! holds more than its `max_concurrent` open bids, and a bid is placed with
//! its record or not at all.

use super::actors::caller;
use super::bids::{bid_stream, place_bid, NewBid};
use super::listings::listing_stream;
use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::autobid::{
    auto_bid_id, AutoBidCommand, AutoBidRules, RuleId, SkipReason, ALREADY_PLACED, RULE_OFF,
};
use errand_aggregates::bid::{Bid, BidStatus};
use errand_aggregates::error::RuleKind;
use errand_aggregates::ids::{ActorId, ListingId};
use errand_aggregates::listing::Listing;
use errand_aggregates::{DomainError, Timestamp};

pub fn autobid_stream(actor: ActorId) -> String {
    format!("autobid-{actor}")
}

/// Decides a command on `actor`'s rules; the rules as they then stand.
pub async fn on_auto_bid_rules(
    unit: &mut UnitOfWork<'_>,
    actor: ActorId,
    command: &AutoBidCommand,
) -> Result<AutoBidRules, BusError> {
    let stream = autobid_stream(actor);
    unit.decide::<AutoBidRules>(&stream, command).await?;
    unit.load::<AutoBidRules>(&stream).await
}

/// Places `rule_id`'s bid on `listing_id` for `actor`, in the rule's mode,
/// on the terms the rule makes of the listing. A refusal (the rule off or
/// at its limit, the bidder frozen, `already_bid`, a tier too low) appends
/// nothing; the caller records it with [`skip_auto_bid`]. A bid already
/// placed — by an earlier run of this instance or another's — is refused as
/// `ALREADY_PLACED`, which is no failure: its record is already appended.
pub async fn place_auto_bid(
    unit: &mut UnitOfWork<'_>,
    actor: ActorId,
    rule_id: RuleId,
    listing_id: ListingId,
    at: Timestamp,
) -> Result<Bid, BusError> {
    let bid_id = auto_bid_id(rule_id, listing_id);
    let existing = unit.load::<Bid>(&bid_stream(bid_id)).await?;
    if existing.listing.is_some() {
        return Err(DomainError::Rule {
            kind: RuleKind::Conflict,
            code: ALREADY_PLACED,
            message: "this rule's bid on this listing is placed".to_owned(),
        }
        .into());
    }
    let stream = autobid_stream(actor);
    let rules = unit.load::<AutoBidRules>(&stream).await?;
    let Some(state) = rules.rules.get(&rule_id).cloned() else {
        return Err(DomainError::Rule {
            kind: RuleKind::Conflict,
            code: RULE_OFF,
            message: "the auto-bidding rule is deleted".to_owned(),
        }
        .into());
    };
    // At most `max_concurrent` bids: the few the rule still counts as open.
    let mut closed = Vec::new();
    for open in &state.open_bids {
        let bid = unit.load::<Bid>(&bid_stream(*open)).await?;
        if !matches!(bid.status_at(at), BidStatus::Pending | BidStatus::Countered) {
            closed.push(*open);
        }
    }
    let place = AutoBidCommand::Place {
        rule_id,
        listing_id,
        closed,
        at,
    };
    unit.decide::<AutoBidRules>(&stream, &place).await?;
    let listing = unit.load::<Listing>(&listing_stream(listing_id)).await?;
    let details = listing
        .details
        .as_ref()
        .ok_or(DomainError::NotFound("listing"))?;
    let terms = state.rule.terms(details)?;
    let by = caller(unit, actor).await?;
    by.ensure_active()?;
    let new = NewBid {
        bid_id,
        listing_id,
        terms,
        scope_note: state.rule.scope_note.clone(),
    };
    place_bid(unit, by, state.mode, new, at).await
}

/// Records that `rule_id`'s bid on `listing_id` was refused, and why.
pub async fn skip_auto_bid(
    unit: &mut UnitOfWork<'_>,
    actor: ActorId,
    rule_id: RuleId,
    listing_id: ListingId,
    reason: SkipReason,
    at: Timestamp,
) -> Result<(), BusError> {
    let skip = AutoBidCommand::Skip {
        rule_id,
        listing_id,
        reason,
        at,
    };
    on_auto_bid_rules(unit, actor, &skip).await?;
    Ok(())
}
