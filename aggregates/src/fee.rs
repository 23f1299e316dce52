//! Platform fees. Each dialect has its own rate (HumanPing 18 %, Humans2AI
//! 0.01 %, Humai 10 %); the rate travels with the task so a later change of
//! configuration never changes the price of work already posted.

use crate::money::{Money, MoneyError};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeePolicy {
    /// Fraction of the gross amount kept by the platform, e.g. `0.18`.
    pub rate: Decimal,
}

/// A gross amount split between the payee and the platform. `payee + fee == gross`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeSplit {
    pub gross: Money,
    pub fee: Money,
    pub payee: Money,
}

/// The most decimal places a rate may have: 0.0000000001, which is
/// 0.00000001 %. With gross amounts up to `MAX_AMOUNT_CENTS` (13 digits), the
/// product `gross × rate` then has at most 23 digits, so `Decimal` (28)
/// holds it exactly and the fee is rounded once. With more places `Decimal`
/// rounds the product first, and 4.4999… becomes 4.5 and then 5.
pub const RATE_DECIMAL_PLACES_MAX: u32 = 10;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeePolicyError {
    #[error("fee rate must be between 0 and 1, got {0}")]
    OutOfRange(Decimal),
    #[error("fee rate may have at most {RATE_DECIMAL_PLACES_MAX} decimal places, got {0}")]
    TooPrecise(Decimal),
}

impl FeePolicy {
    pub fn new(rate: Decimal) -> Result<Self, FeePolicyError> {
        if rate < Decimal::ZERO || rate > Decimal::ONE {
            return Err(FeePolicyError::OutOfRange(rate));
        }
        if rate.normalize().scale() > RATE_DECIMAL_PLACES_MAX {
            return Err(FeePolicyError::TooPrecise(rate));
        }
        Ok(FeePolicy { rate })
    }

    /// A rate given in percent, e.g. `percent("18")`.
    pub fn percent(percent: &str) -> Result<Self, FeePolicyError> {
        let value: Decimal = percent
            .parse()
            .map_err(|_| FeePolicyError::OutOfRange(Decimal::NEGATIVE_ONE))?;
        Self::new(value / Decimal::ONE_HUNDRED)
    }

    pub const fn free() -> Self {
        FeePolicy {
            rate: Decimal::ZERO,
        }
    }

    /// The fee is rounded half-up to the cent; the payee gets the exact rest,
    /// so the split always sums to the gross amount.
    pub fn split(&self, gross: Money) -> Result<FeeSplit, MoneyError> {
        let fee_cents = (Decimal::from(gross.cents) * self.rate)
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            .to_i64()
            .ok_or(MoneyError::TooLarge)?;
        let fee = Money::from_cents(fee_cents, gross.currency)?;
        let payee = gross.checked_sub(fee)?;
        Ok(FeeSplit { gross, fee, payee })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(percent: &str, cents: i64) -> (i64, i64) {
        let split = FeePolicy::percent(percent)
            .unwrap()
            .split(Money::usd(cents))
            .unwrap();
        assert_eq!(split.fee.cents + split.payee.cents, cents);
        (split.fee.cents, split.payee.cents)
    }

    #[test]
    fn humanping_keeps_eighteen_percent() {
        assert_eq!(split("18", 500), (90, 410));
    }

    #[test]
    fn the_fee_is_rounded_half_up_to_the_cent() {
        // 18 % of 25 cents is 4.5 cents: the fee rounds up to 5, the payee gets 20.
        assert_eq!(split("18", 25), (5, 20));
        // 10 % of 75 cents is 7.5 cents.
        assert_eq!(split("10", 75), (8, 67));
        // 10 % of 74 cents is 7.4 cents.
        assert_eq!(split("10", 74), (7, 67));
    }

    #[test]
    fn a_tiny_rate_on_a_small_amount_is_no_fee() {
        assert_eq!(split("0.01", 15_000), (2, 14_998));
        assert_eq!(split("0.01", 4_999), (0, 4_999));
        assert_eq!(split("0.01", 5_000), (1, 4_999));
    }

    #[test]
    fn rates_outside_zero_to_one_are_refused() {
        assert!(FeePolicy::percent("101").is_err());
        assert!(FeePolicy::percent("-1").is_err());
    }

    #[test]
    fn rates_too_precise_to_multiply_exactly_are_refused() {
        // 50.01000000000001000000000001 % of $9,999,999,999.99 is
        // 500099999999.4999999999999999999999999999 cents; `Decimal` rounded
        // the product to …99.5 and the fee to …00, a cent too much.
        assert!(matches!(
            FeePolicy::percent("50.01000000000001000000000001"),
            Err(FeePolicyError::TooPrecise(_))
        ));
        // Eight places of a percent are ten of a rate: the most there may be.
        assert!(FeePolicy::percent("12.34567891").is_ok());
        assert!(matches!(
            FeePolicy::percent("12.345678912"),
            Err(FeePolicyError::TooPrecise(_))
        ));
        // Trailing zeros are not precision.
        assert_eq!(split("18.000000000000000000", 25), (5, 20));
    }

    #[test]
    fn the_edges_of_the_range_are_free_and_everything() {
        assert_eq!(split("0", 999), (0, 999));
        assert_eq!(split("100", 999), (999, 0));
        assert_eq!(FeePolicy::free().split(Money::usd(7)).unwrap().fee.cents, 0);
    }

    mod properties {
        use super::*;
        use crate::money::MAX_AMOUNT_CENTS;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn the_fee_and_the_payee_share_the_gross_exactly(
                cents in 0..=MAX_AMOUNT_CENTS,
                // Any rate from 0 to 1 in millionths (0.0001 % steps).
                millionths in 0..=1_000_000i64,
            ) {
                let rate = Decimal::new(millionths, 6);
                let split = FeePolicy::new(rate).unwrap().split(Money::usd(cents)).unwrap();
                prop_assert_eq!(split.fee.cents + split.payee.cents, cents);
                prop_assert!(split.fee.cents >= 0 && split.payee.cents >= 0);
                let exact = Decimal::from(cents) * rate;
                let error = (Decimal::from(split.fee.cents) - exact).abs();
                prop_assert!(error <= Decimal::new(5, 1), "fee {} for exact {}", split.fee.cents, exact);
                // Half a cent rounds up, never down.
                if error == Decimal::new(5, 1) {
                    prop_assert!(Decimal::from(split.fee.cents) > exact);
                }
            }
        }
    }
}
