//! A tool listing's subscription plans. Kept for the tools issue, which
//! subscribes people to them; here they are only checked for shape.
//!
//! Overage is exact: the seed prices it in cents per call and shows `0.5`,
//! so it is kept in **milli-cents** per call (`0.5` cents = 500), an integer
//! like every other amount; a price finer than a thousandth of a cent is
//! refused rather than rounded.

use crate::error::DomainError;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Plans per tool: a free tier, a few paid ones, an enterprise one.
pub const PLANS_MAX: usize = 10;
pub const PLAN_ID_MAX_CHARS: usize = 64;
pub const PLAN_NAME_MAX_CHARS: usize = 100;
/// Feature labels per plan, each a short token like `js_rendering`.
pub const FEATURES_MAX: usize = 32;
pub const FEATURE_MAX_CHARS: usize = 64;
/// $10,000 a month or year: above any plan in the seed by far, below any
/// overflow when multiplied by subscriber counts.
pub const PLAN_AMOUNT_CENTS_MAX: i64 = 1_000_000;
/// A billion calls per period.
pub const INCLUDED_CALLS_MAX: u64 = 1_000_000_000;
/// A dollar per call over quota, in milli-cents.
pub const OVERAGE_MILLICENTS_MAX: i64 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanInterval {
    Monthly,
    Yearly,
}

impl PlanInterval {
    pub fn parse(text: &str) -> Result<PlanInterval, DomainError> {
        match text {
            "monthly" => Ok(PlanInterval::Monthly),
            "yearly" => Ok(PlanInterval::Yearly),
            _ => Err(DomainError::invalid(
                "a plan's interval is \"monthly\" or \"yearly\"",
            )),
        }
    }
}

/// One plan as a client sends it, before it is checked.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanInput {
    pub plan_id: String,
    pub name: String,
    pub interval: String,
    pub amount_cents: i64,
    pub included_calls: i64,
    /// Cents per call over the included calls, as sent (`0.5`); none means
    /// calls over quota are refused.
    pub overage_cents_per_call: Option<Decimal>,
    pub features: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionPlan {
    pub plan_id: String,
    pub name: String,
    pub interval: PlanInterval,
    pub amount_cents: i64,
    pub included_calls: u64,
    /// Thousandths of a cent per call over quota; none: no overage allowed.
    pub overage_millicents_per_call: Option<i64>,
    pub features: Vec<String>,
}

impl SubscriptionPlan {
    fn parse(input: &PlanInput) -> Result<SubscriptionPlan, DomainError> {
        let plan_id = input.plan_id.trim();
        let id_chars = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-');
        if plan_id.is_empty()
            || plan_id.chars().count() > PLAN_ID_MAX_CHARS
            || !plan_id.chars().all(id_chars)
        {
            return Err(DomainError::invalid(format!(
                "a plan_id is 1 to {PLAN_ID_MAX_CHARS} letters, digits, '_' or '-'"
            )));
        }
        let name = input.name.trim();
        if name.is_empty()
            || name.chars().count() > PLAN_NAME_MAX_CHARS
            || name.chars().any(char::is_control)
        {
            return Err(DomainError::invalid(format!(
                "a plan's name is 1 to {PLAN_NAME_MAX_CHARS} characters"
            )));
        }
        if !(0..=PLAN_AMOUNT_CENTS_MAX).contains(&input.amount_cents) {
            return Err(DomainError::invalid(format!(
                "a plan's amount_cents is 0 to {PLAN_AMOUNT_CENTS_MAX}"
            )));
        }
        let included_calls = u64::try_from(input.included_calls)
            .ok()
            .filter(|calls| *calls <= INCLUDED_CALLS_MAX)
            .ok_or_else(|| {
                DomainError::invalid(format!(
                    "a plan's included_calls is 0 to {INCLUDED_CALLS_MAX}"
                ))
            })?;
        let overage = input
            .overage_cents_per_call
            .map(overage_millicents)
            .transpose()?;
        if input.features.len() > FEATURES_MAX {
            return Err(DomainError::invalid(format!(
                "a plan lists at most {FEATURES_MAX} features"
            )));
        }
        let mut features = Vec::with_capacity(input.features.len());
        for feature in &input.features {
            let feature = feature.trim();
            if feature.is_empty()
                || feature.chars().count() > FEATURE_MAX_CHARS
                || feature.chars().any(char::is_control)
            {
                return Err(DomainError::invalid(format!(
                    "a plan's feature is 1 to {FEATURE_MAX_CHARS} characters"
                )));
            }
            features.push(feature.to_owned());
        }
        Ok(SubscriptionPlan {
            plan_id: plan_id.to_owned(),
            name: name.to_owned(),
            interval: PlanInterval::parse(&input.interval)?,
            amount_cents: input.amount_cents,
            included_calls,
            overage_millicents_per_call: overage,
            features,
        })
    }

    /// Free plans make a tool's free tier.
    pub fn is_free(&self) -> bool {
        self.amount_cents == 0
    }
}

/// Cents per call as sent (`0.5`) in thousandths of a cent (`500`), exactly.
fn overage_millicents(cents: Decimal) -> Result<i64, DomainError> {
    let millicents = cents.checked_mul(Decimal::from(1_000));
    let exact = millicents.filter(|m| m.fract().is_zero() && !m.is_sign_negative());
    exact
        .and_then(|m| m.to_i64())
        .filter(|m| *m <= OVERAGE_MILLICENTS_MAX)
        .ok_or_else(|| {
            DomainError::invalid(format!(
                "overage_cents_per_call is 0 to {} cents, in steps of a thousandth of a cent",
                OVERAGE_MILLICENTS_MAX / 1_000
            ))
        })
}

/// A tool's plans: at most `PLANS_MAX`, each `plan_id` once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SubscriptionPlans(Vec<SubscriptionPlan>);

impl SubscriptionPlans {
    pub fn parse(inputs: &[PlanInput]) -> Result<SubscriptionPlans, DomainError> {
        if inputs.len() > PLANS_MAX {
            return Err(DomainError::invalid(format!(
                "a listing has at most {PLANS_MAX} subscription plans"
            )));
        }
        let mut plans: Vec<SubscriptionPlan> = Vec::with_capacity(inputs.len());
        for input in inputs {
            let plan = SubscriptionPlan::parse(input)?;
            if plans.iter().any(|p| p.plan_id == plan.plan_id) {
                return Err(DomainError::invalid(format!(
                    "plan_id {:?} appears twice",
                    plan.plan_id
                )));
            }
            plans.push(plan);
        }
        Ok(SubscriptionPlans(plans))
    }

    pub fn as_slice(&self) -> &[SubscriptionPlan] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starter() -> PlanInput {
        PlanInput {
            plan_id: "starter".into(),
            name: "Starter".into(),
            interval: "monthly".into(),
            amount_cents: 2_900,
            included_calls: 10_000,
            overage_cents_per_call: Some(Decimal::new(5, 1)),
            features: vec!["basic".into(), "js_rendering".into()],
        }
    }

    #[test]
    fn half_a_cent_of_overage_is_kept_exactly_in_millicents() {
        let plans = SubscriptionPlans::parse(&[starter()]).unwrap();
        assert_eq!(plans.as_slice()[0].overage_millicents_per_call, Some(500));
        let finer = PlanInput {
            overage_cents_per_call: Some(Decimal::new(1, 4)),
            ..starter()
        };
        assert!(SubscriptionPlans::parse(&[finer]).is_err(), "0.0001 cents");
        let negative = PlanInput {
            overage_cents_per_call: Some(Decimal::new(-1, 0)),
            ..starter()
        };
        assert!(SubscriptionPlans::parse(&[negative]).is_err());
    }

    #[test]
    fn plan_ids_are_unique_and_every_field_is_bounded() {
        assert!(SubscriptionPlans::parse(&[starter(), starter()]).is_err());
        let bad = [
            PlanInput {
                plan_id: "has space".into(),
                ..starter()
            },
            PlanInput {
                name: "".into(),
                ..starter()
            },
            PlanInput {
                interval: "daily".into(),
                ..starter()
            },
            PlanInput {
                amount_cents: -1,
                ..starter()
            },
            PlanInput {
                included_calls: -5,
                ..starter()
            },
            PlanInput {
                features: vec!["f".into(); FEATURES_MAX + 1],
                ..starter()
            },
        ];
        for plan in bad {
            assert!(
                SubscriptionPlans::parse(std::slice::from_ref(&plan)).is_err(),
                "{plan:?}"
            );
        }
        let free = PlanInput {
            plan_id: "free".into(),
            amount_cents: 0,
            overage_cents_per_call: None,
            ..starter()
        };
        let plans = SubscriptionPlans::parse(&[free, starter()]).unwrap();
        assert!(plans.as_slice()[0].is_free() && !plans.as_slice()[1].is_free());
    }
}
