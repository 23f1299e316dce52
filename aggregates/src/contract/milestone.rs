//! Milestones: the work in sequential parts, each a percentage of the price,
//! each paid when the buyer accepts it. Milestone N is delivered only after
//! N−1 is accepted (or its dispute resolved), so one part at most awaits
//! review at a time.

use super::SLA_HOURS_MAX;
use crate::error::{DomainError, RuleKind};
use crate::money::Money;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// A title names a deliverable in a list, like a task's title.
pub const TITLE_MAX_CHARS: usize = 200;
/// Parts of one contract: more than this is a project plan, not a price.
/// Bounds the contract's state and its milestones view.
pub const MILESTONES_MAX: usize = 20;

/// One part as agreed: its title, share of the price and time to deliver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneSpec {
    pub title: String,
    pub pct_of_total: u8,
    pub sla_hours: u32,
}

impl MilestoneSpec {
    pub fn parse(title: &str, pct_of_total: i64, sla_hours: i64) -> Result<Self, DomainError> {
        let title = title.trim();
        if title.is_empty() || title.chars().count() > TITLE_MAX_CHARS || title.contains('\0') {
            return Err(DomainError::invalid(format!(
                "a milestone's title is 1 to {TITLE_MAX_CHARS} characters, without NUL"
            )));
        }
        let pct_of_total = u8::try_from(pct_of_total)
            .ok()
            .filter(|pct| (1..=100).contains(pct))
            .ok_or_else(|| DomainError::invalid("a milestone's pct_of_total is 1 to 100"))?;
        let sla_hours = u32::try_from(sla_hours)
            .ok()
            .filter(|hours| (1..=SLA_HOURS_MAX).contains(hours))
            .ok_or_else(|| {
                DomainError::invalid(format!("a milestone's sla_hours is 1 to {SLA_HOURS_MAX}"))
            })?;
        Ok(MilestoneSpec {
            title: title.to_owned(),
            pct_of_total,
            sla_hours,
        })
    }
}

/// A plan of milestones is none at all, or 1 to `MILESTONES_MAX` parts
/// whose percentages sum to exactly 100 (the seed's `milestone_sum_invalid`).
pub fn ensure_plan(specs: &[MilestoneSpec]) -> Result<(), DomainError> {
    if specs.len() > MILESTONES_MAX {
        return Err(DomainError::invalid(format!(
            "a contract has at most {MILESTONES_MAX} milestones"
        )));
    }
    let sum: u32 = specs.iter().map(|s| u32::from(s.pct_of_total)).sum();
    if !specs.is_empty() && sum != 100 {
        return Err(DomainError::rule(
            RuleKind::Invalid,
            "milestone_sum_invalid",
            format!("milestone percentages must sum to 100, not {sum}"),
        ));
    }
    Ok(())
}

/// Each part's amount: its percentage of the price rounded down to the cent,
/// the last taking the remainder, so the parts always sum to the price
/// exactly and none is negative. Rounding down, not half-up: half-up can
/// give the early parts more than the price (5 cents at 30/30/30/10 would
/// be 2 + 2 + 2, leaving the last −1).
pub fn amounts(price: Money, specs: &[MilestoneSpec]) -> Vec<Money> {
    let mut amounts = Vec::with_capacity(specs.len());
    let mut given = 0i64;
    for (index, spec) in specs.iter().enumerate() {
        let cents = if index + 1 == specs.len() {
            price.cents - given
        } else {
            // price ≤ MAX_AMOUNT_CENTS (10^13) × 100 fits an i64.
            price.cents * i64::from(spec.pct_of_total) / 100
        };
        given += cents;
        amounts.push(Money {
            cents,
            currency: price.currency,
        });
    }
    amounts
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneStatus {
    /// Not yet reached: an earlier part is still open.
    #[default]
    Pending,
    /// The part the seller works on now; `due_at` runs.
    InProgress,
    Delivered,
    Accepted,
    Disputed,
    /// Its dispute was settled by an admin.
    Resolved,
}

impl MilestoneStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneStatus::Pending => "pending",
            MilestoneStatus::InProgress => "in_progress",
            MilestoneStatus::Delivered => "delivered",
            MilestoneStatus::Accepted => "accepted",
            MilestoneStatus::Disputed => "disputed",
            MilestoneStatus::Resolved => "resolved",
        }
    }

    /// Accepted or resolved: the next part may start.
    pub fn is_closed(self) -> bool {
        matches!(self, MilestoneStatus::Accepted | MilestoneStatus::Resolved)
    }
}

/// One part as it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    /// 1-based, as the seed numbers them.
    pub sequence: u32,
    pub spec: MilestoneSpec,
    pub amount: Money,
    pub status: MilestoneStatus,
    pub due_at: Option<Timestamp>,
    pub review_due_at: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(pct: i64) -> MilestoneSpec {
        MilestoneSpec::parse("part", pct, 24).unwrap()
    }

    fn cents(price: i64, pcts: &[i64]) -> Vec<i64> {
        let specs: Vec<_> = pcts.iter().map(|p| spec(*p)).collect();
        amounts(Money::usd(price), &specs)
            .iter()
            .map(|m| m.cents)
            .collect()
    }

    #[test]
    fn parts_are_their_share_and_the_last_takes_the_remainder() {
        assert_eq!(cents(10_000, &[40, 60]), [4_000, 6_000]);
        assert_eq!(cents(1_000, &[33, 33, 34]), [330, 330, 340]);
        assert_eq!(cents(1_001, &[33, 33, 34]), [330, 330, 341]);
        assert_eq!(cents(1, &[50, 50]), [0, 1]);
        assert_eq!(cents(5, &[30, 30, 30, 10]), [1, 1, 1, 2]);
    }

    #[test]
    fn a_plan_must_sum_to_a_hundred_percent() {
        assert_eq!(ensure_plan(&[]), Ok(()));
        assert_eq!(ensure_plan(&[spec(40), spec(60)]), Ok(()));
        let refused = ensure_plan(&[spec(40), spec(50)]).unwrap_err();
        assert_eq!(refused.code(), Some("milestone_sum_invalid"));
        assert!(ensure_plan(&vec![spec(5); 21]).is_err());
    }

    #[test]
    fn a_spec_out_of_bounds_is_refused() {
        assert!(MilestoneSpec::parse(" ", 10, 1).is_err());
        assert!(MilestoneSpec::parse("x", 0, 1).is_err());
        assert!(MilestoneSpec::parse("x", 101, 1).is_err());
        assert!(MilestoneSpec::parse("x", 10, 0).is_err());
        assert!(MilestoneSpec::parse(&"x".repeat(201), 10, 1).is_err());
    }
}
