//! What is asked of an agent's auto-bidding rules, and what happened to them.

use super::{AutoBidRule, RuleId};
use crate::aggregate::DomainEvent;
use crate::error::DomainError;
use crate::ids::{BidId, ListingId};
use crate::mode::Mode;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// A reason is a refusal's code (`already_bid`), or a short message for a
/// refusal without one.
pub const SKIP_REASON_MAX_CHARS: usize = 200;

/// Why a placement was skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SkipReason(String);

impl SkipReason {
    /// Cut to its bound rather than refused: a refusal must always be recordable.
    pub fn new(text: &str) -> SkipReason {
        SkipReason(text.trim().chars().take(SKIP_REASON_MAX_CHARS).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum AutoBidCommand {
    /// Creates a rule or changes one: its criteria (`rule`), `enabled`, or both.
    Configure {
        rule_id: RuleId,
        rule: Option<AutoBidRule>,
        /// Unchanged when absent; a new rule starts enabled.
        enabled: Option<bool>,
        mode: Mode,
        at: Timestamp,
    },
    Delete {
        rule_id: RuleId,
        at: Timestamp,
    },
    /// Records a bid on `listing_id`; `closed` are the rule's open bids the
    /// bus found closed (accepted, rejected, expired).
    Place {
        rule_id: RuleId,
        listing_id: ListingId,
        closed: Vec<BidId>,
        at: Timestamp,
    },
    /// Records that a placement was refused, so it is not tried again.
    Skip {
        rule_id: RuleId,
        listing_id: ListingId,
        reason: SkipReason,
        at: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum AutoBidEvent {
    /// The rule as it now stands, whole.
    AutoBidRuleSet {
        rule_id: RuleId,
        rule: AutoBidRule,
        enabled: bool,
        mode: Mode,
        at: Timestamp,
    },
    AutoBidRuleDeleted {
        rule_id: RuleId,
        at: Timestamp,
    },
    AutoBidPlaced {
        rule_id: RuleId,
        listing_id: ListingId,
        bid_id: BidId,
        /// Open bids seen closed, no longer counted.
        released: Vec<BidId>,
        at: Timestamp,
    },
    AutoBidSkipped {
        rule_id: RuleId,
        listing_id: ListingId,
        bid_id: BidId,
        reason: SkipReason,
        at: Timestamp,
    },
}

impl DomainEvent for AutoBidEvent {
    fn event_type(&self) -> &'static str {
        match self {
            AutoBidEvent::AutoBidRuleSet { .. } => "AutoBidRuleSet",
            AutoBidEvent::AutoBidRuleDeleted { .. } => "AutoBidRuleDeleted",
            AutoBidEvent::AutoBidPlaced { .. } => "AutoBidPlaced",
            AutoBidEvent::AutoBidSkipped { .. } => "AutoBidSkipped",
        }
    }
}

impl From<&DomainError> for SkipReason {
    fn from(error: &DomainError) -> SkipReason {
        match error {
            DomainError::Rule { code, .. } => SkipReason::new(code),
            other => SkipReason::new(&other.to_string()),
        }
    }
}
