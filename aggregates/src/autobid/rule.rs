//! One auto-bidding rule: which buy listings it matches and the terms it
//! bids on them. Parsed from what the agent sent, so a stored rule is always
//! within its bounds.

use crate::bid::{ScopeNote, Terms};
use crate::error::DomainError;
use crate::listing::fields::{SLA_HOURS_MAX, TAG_MAX_CHARS};
use crate::listing::{Direction, ListingDetails, ListingType, SlaHours, Tier};
use crate::money::{Currency, Money};
use serde::{Deserialize, Serialize};

/// Patterns one rule holds: as many as a listing's tags.
pub const PATTERNS_MAX: usize = 20;
/// Open auto-bids one rule may hold at once: an agent's working set, and a
/// bound on the bids the bus loads to count them.
pub const MAX_CONCURRENT_MAX: u32 = 20;
/// The seed's example; used when a rule does not say.
pub const MAX_CONCURRENT_DEFAULT: u32 = 3;
/// The delivery time bid when neither the rule nor the listing names one.
pub const SLA_HOURS_DEFAULT: i64 = 24;

/// A tag, or a family of tags: `data:*` matches every tag starting with
/// `data:`, and `*` alone every tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TagPattern(String);

impl TagPattern {
    pub fn parse(text: &str) -> Result<TagPattern, DomainError> {
        let text = text.trim().to_lowercase();
        let invalid = || {
            DomainError::invalid(format!(
                "a category tag pattern is 1 to {TAG_MAX_CHARS} characters without spaces, \
                 with `*` only at its end (\"data:*\")"
            ))
        };
        if text.is_empty() || text.chars().count() > TAG_MAX_CHARS {
            return Err(invalid());
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        if text.trim_end_matches('*').contains('*') || text.ends_with("**") {
            return Err(invalid());
        }
        Ok(TagPattern(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `tag` (a listing's, already lowercase) is one this pattern names.
    pub fn matches(&self, tag: &str) -> bool {
        match self.0.strip_suffix('*') {
            Some(prefix) => tag.starts_with(prefix),
            None => tag == self.0,
        }
    }
}

/// What an agent sends for a rule, before parsing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleInput {
    pub max_price: Option<Money>,
    pub category_tags: Vec<String>,
    pub min_listing_tier: Option<i64>,
    pub max_concurrent: Option<i64>,
    pub preferred_sla_hours: Option<i64>,
    pub min_budget: Option<Money>,
    pub max_budget: Option<Money>,
    pub listing_types: Vec<String>,
    pub scope_note: Option<String>,
}

/// A parsed rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoBidRule {
    /// The most this rule bids; it bids the listing's ceiling when that is lower.
    pub max_price: Money,
    /// A listing matches when one of its tags matches one of these.
    pub category_tags: Vec<TagPattern>,
    /// The least `min_seller_tier` a matching listing asks for, as
    /// listings-search's `min_tier` reads it.
    pub min_listing_tier: Tier,
    pub max_concurrent: u32,
    /// The delivery time bid; the listing's own `sla_hours` when absent.
    pub preferred_sla_hours: Option<SlaHours>,
    /// Bounds on the listing's budget ceiling.
    pub min_budget: Option<Money>,
    pub max_budget: Option<Money>,
    /// The listing types matched; every type when empty.
    pub listing_types: Vec<ListingType>,
    pub scope_note: Option<ScopeNote>,
}

fn usd_amount(amount: Money, what: &str) -> Result<Money, DomainError> {
    if amount.currency != Currency::USD || amount.cents <= 0 {
        return Err(DomainError::invalid(format!(
            "{what} is a positive amount of USD"
        )));
    }
    Ok(amount)
}

impl AutoBidRule {
    pub fn parse(input: &RuleInput) -> Result<AutoBidRule, DomainError> {
        let max_price = input
            .max_price
            .ok_or_else(|| DomainError::invalid("rules.max_price_usd is required"))?;
        let max_price = usd_amount(max_price, "max_price_usd")?;
        if input.category_tags.is_empty() || input.category_tags.len() > PATTERNS_MAX {
            return Err(DomainError::invalid(format!(
                "rules.category_tags holds 1 to {PATTERNS_MAX} tags or patterns"
            )));
        }
        let mut category_tags: Vec<TagPattern> = Vec::new();
        for text in &input.category_tags {
            let pattern = TagPattern::parse(text)?;
            if !category_tags.contains(&pattern) {
                category_tags.push(pattern);
            }
        }
        let max_concurrent = match input.max_concurrent {
            None => MAX_CONCURRENT_DEFAULT,
            Some(n) => u32::try_from(n)
                .ok()
                .filter(|n| (1..=MAX_CONCURRENT_MAX).contains(n))
                .ok_or_else(|| {
                    DomainError::invalid(format!("max_concurrent is 1 to {MAX_CONCURRENT_MAX}"))
                })?,
        };
        let preferred_sla_hours = input
            .preferred_sla_hours
            .map(|hours| {
                SlaHours::parse(hours).map_err(|_| {
                    DomainError::invalid(format!("preferred_sla_hours is 1 to {SLA_HOURS_MAX}"))
                })
            })
            .transpose()?;
        let min_budget = input
            .min_budget
            .map(|m| usd_amount(m, "min_budget_usd"))
            .transpose()?;
        let max_budget = input
            .max_budget
            .map(|m| usd_amount(m, "max_budget_usd"))
            .transpose()?;
        if let (Some(min), Some(max)) = (min_budget, max_budget) {
            if min.cents > max.cents {
                return Err(DomainError::invalid(
                    "min_budget_usd cannot be above max_budget_usd",
                ));
            }
        }
        let mut listing_types: Vec<ListingType> = Vec::new();
        for text in &input.listing_types {
            let kind = ListingType::parse(text)?;
            if !listing_types.contains(&kind) {
                listing_types.push(kind);
            }
        }
        Ok(AutoBidRule {
            max_price,
            category_tags,
            min_listing_tier: Tier::parse(input.min_listing_tier.unwrap_or(0))
                .map_err(|_| DomainError::invalid("min_listing_tier is 0 to 2"))?,
            max_concurrent,
            preferred_sla_hours,
            min_budget,
            max_budget,
            listing_types,
            scope_note: input
                .scope_note
                .as_deref()
                .map(ScopeNote::parse)
                .transpose()?,
        })
    }

    /// Whether a new listing is one this rule bids on. Who owns it and in
    /// which mode are the caller's to check.
    pub fn matches(
        &self,
        direction: Direction,
        listing_type: ListingType,
        details: &ListingDetails,
    ) -> bool {
        if direction != Direction::Buy {
            return false;
        }
        if !self.listing_types.is_empty() && !self.listing_types.contains(&listing_type) {
            return false;
        }
        if details.min_seller_tier.value() < self.min_listing_tier.value() {
            return false;
        }
        let ceiling = details.budget_ceiling.map(|m| m.cents);
        // A bound on the budget needs a budget to hold it against.
        if let Some(min) = self.min_budget {
            if ceiling.is_none_or(|c| c < min.cents) {
                return false;
            }
        }
        if let Some(max) = self.max_budget {
            if ceiling.is_none_or(|c| c > max.cents) {
                return false;
            }
        }
        details.category_tags.as_slice().iter().any(|tag| {
            self.category_tags
                .iter()
                .any(|pattern| pattern.matches(tag))
        })
    }

    /// The terms bid on a listing: the listing's ceiling, never above this
    /// rule's maximum; the rule's delivery time, else the listing's, else a day.
    pub fn terms(&self, details: &ListingDetails) -> Result<Terms, DomainError> {
        let price = match details.budget_ceiling {
            Some(ceiling) if ceiling.cents < self.max_price.cents => ceiling,
            _ => self.max_price,
        };
        let sla_hours = match self.preferred_sla_hours.or(details.sla_hours) {
            Some(hours) => hours,
            None => SlaHours::parse(SLA_HOURS_DEFAULT)?,
        };
        Ok(Terms {
            price,
            sla_hours,
            milestones: None,
        })
    }
}
