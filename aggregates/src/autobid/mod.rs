//! `AutoBidRules` (`autobid-<actor>`): an agent's auto-bidding rules (the
//! seed's `/auto-bidding-config`) and what each has bid.
//!
//! A rule matches new buy listings (tags or tag families, listing types,
//! budget bounds, the tier a listing asks for) and says the terms bid on
//! them. The runtime's auto-bidder sees each new listing, and for each
//! enabled rule that matches places the bid with `PlaceAutoBid` on this
//! stream in the same append as the bid itself, so a rule at its
//! `max_concurrent` open bids is refused race-free; a refused placement is
//! recorded as `AutoBidSkipped`, never tried again.
//!
//! A placed bid's id is derived from (rule, listing) ([`auto_bid_id`]), so
//! the bid a rule makes on a listing can only ever be made once.

mod event;
mod rule;
#[cfg(test)]
mod tests;

pub use event::{AutoBidCommand, AutoBidEvent, SkipReason};
pub use rule::{
    AutoBidRule, RuleInput, TagPattern, MAX_CONCURRENT_DEFAULT, MAX_CONCURRENT_MAX, PATTERNS_MAX,
    SLA_HOURS_DEFAULT,
};

use crate::aggregate::Aggregate;
use crate::error::{Decided, DomainError, RuleKind};
use crate::ids::{BidId, ListingId};
use crate::mode::Mode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use uuid::Uuid;

/// Rules one agent keeps: a handful of niches, each its own rule.
pub const RULES_MAX: usize = 20;

/// A placement refused because the rule holds `max_concurrent` open bids.
pub const MAX_CONCURRENT_REACHED: &str = "max_concurrent_reached";
/// A placement refused because the bid exists: an earlier run placed it.
pub const ALREADY_PLACED: &str = "auto_bid_already_placed";
/// A placement refused because its rule was disabled or deleted meanwhile.
pub const RULE_OFF: &str = "auto_bid_rule_off";

/// Names auto-bids: UUIDv5 of (rule, listing) in this namespace.
const AUTO_BID_NAMESPACE: Uuid = Uuid::from_u128(0x6175_746f_6269_6400_8000_0000_0000_0016);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RuleId(pub Uuid);

impl RuleId {
    pub fn parse(text: &str) -> Option<RuleId> {
        Uuid::parse_str(text).ok().map(RuleId)
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The one bid `rule` may make on `listing`.
pub fn auto_bid_id(rule: RuleId, listing: ListingId) -> BidId {
    let mut name = [0u8; 32];
    name[..16].copy_from_slice(rule.0.as_bytes());
    name[16..].copy_from_slice(listing.0.as_bytes());
    BidId(Uuid::new_v5(&AUTO_BID_NAMESPACE, &name))
}

/// One rule as it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleState {
    pub rule: AutoBidRule,
    pub enabled: bool,
    /// Listings and bids of the key that configured it.
    pub mode: Mode,
    /// Bids placed and not yet seen closed: at most `max_concurrent`.
    pub open_bids: Vec<BidId>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AutoBidRules {
    pub rules: BTreeMap<RuleId, RuleState>,
}

impl AutoBidRules {
    fn rule(&self, rule_id: RuleId) -> Result<&RuleState, DomainError> {
        self.rules
            .get(&rule_id)
            .ok_or(DomainError::NotFound("auto-bidding rule"))
    }
}

impl Aggregate for AutoBidRules {
    const STREAM_PREFIX: &'static str = "autobid";
    type Command = AutoBidCommand;
    type Event = AutoBidEvent;

    fn decide(&self, command: &AutoBidCommand) -> Decided<AutoBidEvent> {
        match command {
            AutoBidCommand::Configure {
                rule_id,
                rule,
                enabled,
                mode,
                at,
            } => {
                let existing = self.rules.get(rule_id);
                if existing.is_none() && self.rules.len() >= RULES_MAX {
                    return Err(DomainError::limit_exceeded(format!(
                        "an agent keeps at most {RULES_MAX} auto-bidding rules"
                    )));
                }
                let rule = match (rule, existing) {
                    (Some(rule), _) => rule.clone(),
                    (None, Some(existing)) => existing.rule.clone(),
                    (None, None) => return Err(DomainError::NotFound("auto-bidding rule")),
                };
                let enabled = enabled.or(existing.map(|e| e.enabled)).unwrap_or(true);
                Ok(vec![AutoBidEvent::AutoBidRuleSet {
                    rule_id: *rule_id,
                    rule,
                    enabled,
                    mode: existing.map_or(*mode, |e| e.mode),
                    at: *at,
                }])
            }
            AutoBidCommand::Delete { rule_id, at } => {
                self.rule(*rule_id)?;
                Ok(vec![AutoBidEvent::AutoBidRuleDeleted {
                    rule_id: *rule_id,
                    at: *at,
                }])
            }
            AutoBidCommand::Place {
                rule_id,
                listing_id,
                closed,
                at,
            } => {
                let state = match self.rules.get(rule_id) {
                    Some(state) if state.enabled => state,
                    _ => {
                        return Err(DomainError::rule(
                            RuleKind::Conflict,
                            RULE_OFF,
                            "the auto-bidding rule is disabled or deleted",
                        ))
                    }
                };
                let released: Vec<BidId> = state
                    .open_bids
                    .iter()
                    .filter(|bid| closed.contains(bid))
                    .copied()
                    .collect();
                let still_open = state.open_bids.len() - released.len();
                if still_open >= state.rule.max_concurrent as usize {
                    return Err(DomainError::rule(
                        RuleKind::Conflict,
                        MAX_CONCURRENT_REACHED,
                        format!(
                            "the rule holds {} open bids, its max_concurrent",
                            state.rule.max_concurrent
                        ),
                    ));
                }
                Ok(vec![AutoBidEvent::AutoBidPlaced {
                    rule_id: *rule_id,
                    listing_id: *listing_id,
                    bid_id: auto_bid_id(*rule_id, *listing_id),
                    released,
                    at: *at,
                }])
            }
            AutoBidCommand::Skip {
                rule_id,
                listing_id,
                reason,
                at,
            } => Ok(vec![AutoBidEvent::AutoBidSkipped {
                rule_id: *rule_id,
                listing_id: *listing_id,
                bid_id: auto_bid_id(*rule_id, *listing_id),
                reason: reason.clone(),
                at: *at,
            }]),
        }
    }

    fn apply(&mut self, event: &AutoBidEvent) {
        match event {
            AutoBidEvent::AutoBidRuleSet {
                rule_id,
                rule,
                enabled,
                mode,
                ..
            } => {
                let open_bids = self
                    .rules
                    .remove(rule_id)
                    .map(|state| state.open_bids)
                    .unwrap_or_default();
                self.rules.insert(
                    *rule_id,
                    RuleState {
                        rule: rule.clone(),
                        enabled: *enabled,
                        mode: *mode,
                        open_bids,
                    },
                );
            }
            AutoBidEvent::AutoBidRuleDeleted { rule_id, .. } => {
                self.rules.remove(rule_id);
            }
            AutoBidEvent::AutoBidPlaced {
                rule_id,
                bid_id,
                released,
                ..
            } => {
                if let Some(state) = self.rules.get_mut(rule_id) {
                    state.open_bids.retain(|bid| !released.contains(bid));
                    state.open_bids.push(*bid_id);
                }
            }
            AutoBidEvent::AutoBidSkipped { .. } => {}
        }
    }
}

crate::cqrs_aggregate!(AutoBidRules);
