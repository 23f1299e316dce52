//! Humai's fee schedule: a rate per kind of money movement and per tier
//! (founders, who hold a founding slot, and everyone else), in exact
//! percent. What `/humai/fee-calculate` previews; the fee itself is
//! `FeePolicy::split` (half-up to the cent, the payee the exact rest).

use crate::fee::{FeePolicy, FeeSplit};
use crate::money::{Money, MoneyError};
use rust_decimal::Decimal;

/// The kinds of movement the schedule prices (the seed's `fee_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeType {
    Deposit,
    Transaction,
    Withdrawal,
    InstantWithdrawal,
}

impl FeeType {
    pub fn parse(text: &str) -> Option<FeeType> {
        match text {
            "deposit" => Some(FeeType::Deposit),
            "transaction" => Some(FeeType::Transaction),
            "withdrawal" => Some(FeeType::Withdrawal),
            "instant_withdrawal" => Some(FeeType::InstantWithdrawal),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeTier {
    /// Holds a founding slot (`MarketProfile::founding`).
    Founding,
    Standard,
}

impl FeeTier {
    pub fn as_str(self) -> &'static str {
        match self {
            FeeTier::Founding => "founding",
            FeeTier::Standard => "standard",
        }
    }
}

/// The rate in percent, with two decimals: `percent(25)` is 0.25 %.
const fn hundredths(value: i64) -> Decimal {
    Decimal::from_parts(value as u32, 0, 0, false, 2)
}

/// The rate of `fee_type` for `tier`, in percent. The transaction rate is
/// the marketplace's (`transaction`: what contracts charge, configured) for
/// everyone; founders pay half the deposit rate, no withdrawal fee, and a
/// third less for instant withdrawals.
pub fn rate_percent(fee_type: FeeType, tier: FeeTier, transaction: FeePolicy) -> Decimal {
    match (fee_type, tier) {
        (FeeType::Deposit, FeeTier::Founding) => hundredths(25),
        (FeeType::Deposit, FeeTier::Standard) => hundredths(50),
        (FeeType::Transaction, _) => (transaction.rate * Decimal::ONE_HUNDRED).normalize(),
        (FeeType::Withdrawal, FeeTier::Founding) => hundredths(0),
        (FeeType::Withdrawal, FeeTier::Standard) => hundredths(25),
        (FeeType::InstantWithdrawal, FeeTier::Founding) => hundredths(100),
        (FeeType::InstantWithdrawal, FeeTier::Standard) => hundredths(150),
    }
}

/// A fee previewed for an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeQuote {
    pub split: FeeSplit,
    pub rate_percent: Decimal,
    pub tier: FeeTier,
    /// The standard tier pays a fee the caller's tier does not.
    pub waived: bool,
}

pub fn quote(
    amount: Money,
    fee_type: FeeType,
    tier: FeeTier,
    transaction: FeePolicy,
) -> Result<FeeQuote, MoneyError> {
    let rate = rate_percent(fee_type, tier, transaction);
    let standard = rate_percent(fee_type, FeeTier::Standard, transaction);
    let policy = FeePolicy {
        rate: rate / Decimal::ONE_HUNDRED,
    };
    Ok(FeeQuote {
        split: policy.split(amount)?,
        rate_percent: rate,
        tier,
        waived: rate.is_zero() && !standard.is_zero(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ten_percent() -> FeePolicy {
        FeePolicy::percent("10").unwrap()
    }

    fn quote_of(fee_type: FeeType, tier: FeeTier, cents: i64) -> FeeQuote {
        quote(Money::usd(cents), fee_type, tier, ten_percent()).unwrap()
    }

    #[test]
    fn the_seeds_example_a_founders_deposit_of_100_dollars_costs_25_cents() {
        let quote = quote_of(FeeType::Deposit, FeeTier::Founding, 10_000);
        assert_eq!(quote.split.fee, Money::usd(25));
        assert_eq!(quote.rate_percent.to_string(), "0.25");
        assert!(!quote.waived);
    }

    #[test]
    fn fees_round_half_up_to_the_cent_and_the_rest_is_exact() {
        let quote = quote_of(FeeType::Transaction, FeeTier::Standard, 1_234);
        assert_eq!(quote.split.fee, Money::usd(123));
        assert_eq!(quote.rate_percent.to_string(), "10");
        assert_eq!(quote.split.payee, Money::usd(1_111));
        let quote = quote_of(FeeType::InstantWithdrawal, FeeTier::Standard, 1_000);
        assert_eq!(quote.split.fee, Money::usd(15));
    }

    #[test]
    fn the_transaction_rate_is_the_configured_one() {
        let configured = FeePolicy::percent("12.5").unwrap();
        let quote = quote(
            Money::usd(1_000),
            FeeType::Transaction,
            FeeTier::Founding,
            configured,
        );
        let quote = quote.unwrap();
        assert_eq!(quote.rate_percent.to_string(), "12.5");
        assert_eq!(quote.split.fee, Money::usd(125));
    }

    #[test]
    fn a_founders_withdrawal_fee_is_waived_and_a_standard_one_is_not() {
        let founding = quote_of(FeeType::Withdrawal, FeeTier::Founding, 10_000);
        assert!(founding.waived);
        assert_eq!(founding.split.fee, Money::usd(0));
        let standard = quote_of(FeeType::Withdrawal, FeeTier::Standard, 10_000);
        assert!(!standard.waived);
        assert_eq!(standard.split.fee, Money::usd(25));
    }

    #[test]
    fn fee_types_parse_by_the_seeds_names_only() {
        assert_eq!(
            FeeType::parse("instant_withdrawal"),
            Some(FeeType::InstantWithdrawal)
        );
        assert_eq!(FeeType::parse("Deposit"), None);
    }
}
