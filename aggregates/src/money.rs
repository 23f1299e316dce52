//! Exact money: integer minor units with a currency. Dollar amounts are parsed
//! with `rust_decimal` at the edge and refused if they carry sub-cent precision,
//! so nothing in the ledger is ever a float.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The largest amount accepted anywhere: $10 billion in cents. Far above any
/// real task, far below `i64::MAX`, so sums of many amounts cannot overflow.
pub const MAX_AMOUNT_CENTS: i64 = 1_000_000_000_000;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub enum Currency {
    /// US dollars, counted in cents.
    #[default]
    USD,
    /// Humai's marketplace credits: their own unit, whole credits.
    RC,
}

impl Currency {
    pub fn code(self) -> &'static str {
        match self {
            Currency::USD => "USD",
            Currency::RC => "RC",
        }
    }

    /// Digits after the point in the major unit: cents for USD; Humai's
    /// credits are whole, so for them the minor unit is the major one.
    pub fn decimal_places(self) -> u32 {
        match self {
            Currency::USD => 2,
            Currency::RC => 0,
        }
    }

    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        match code {
            "USD" | "usd" => Ok(Currency::USD),
            "RC" | "rc" => Ok(Currency::RC),
            other => Err(MoneyError::UnknownCurrency(other.to_owned())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount must not be negative")]
    Negative,
    #[error("amount must be greater than zero")]
    Zero,
    #[error("amount has more precision than a cent")]
    SubCent,
    #[error("amount is larger than the maximum of {MAX_AMOUNT_CENTS} cents")]
    TooLarge,
    #[error("amount is not a number: {0}")]
    NotANumber(String),
    #[error("unknown currency {0}")]
    UnknownCurrency(String),
    #[error("currencies differ: {0} and {1}")]
    CurrencyMismatch(&'static str, &'static str),
}

/// A non-negative amount of one currency, in minor units. The default is
/// nothing, in dollars (a state's amount before its first event).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Money {
    pub cents: i64,
    #[serde(default)]
    pub currency: Currency,
}

impl Money {
    pub const fn zero(currency: Currency) -> Self {
        Money { cents: 0, currency }
    }

    pub const fn usd(cents: i64) -> Self {
        Money {
            cents,
            currency: Currency::USD,
        }
    }

    /// An amount given in minor units, e.g. HumanPing's `budget_cents`.
    pub fn from_cents(cents: i64, currency: Currency) -> Result<Self, MoneyError> {
        if cents < 0 {
            return Err(MoneyError::Negative);
        }
        if cents > MAX_AMOUNT_CENTS {
            return Err(MoneyError::TooLarge);
        }
        Ok(Money { cents, currency })
    }

    /// A positive amount in minor units: rewards, deposits, holds.
    pub fn positive_cents(cents: i64, currency: Currency) -> Result<Self, MoneyError> {
        let money = Self::from_cents(cents, currency)?;
        if money.cents == 0 {
            return Err(MoneyError::Zero);
        }
        Ok(money)
    }

    /// An amount given in major units as a decimal, e.g. Humans2AI's `budget: 150`
    /// or Humai's `price_usd: 7.5`. Sub-cent precision is refused, not rounded:
    /// silently rounding someone's money is worse than a clear error.
    pub fn from_major(amount: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(MoneyError::Negative);
        }
        let minor_per_major = Decimal::from(10_i64.pow(currency.decimal_places()));
        let cents = amount
            .checked_mul(minor_per_major)
            .ok_or(MoneyError::TooLarge)?;
        if cents.fract() != Decimal::ZERO {
            return Err(MoneyError::SubCent);
        }
        let cents = cents.to_i64().ok_or(MoneyError::TooLarge)?;
        Self::from_cents(cents, currency)
    }

    /// Parses a plain decimal string in major units ("12.50", "-3", ".5").
    /// Exponents and digit separators are refused, and precision is checked
    /// on the text itself: `Decimal` would round digits beyond its 28
    /// silently ("1.00000000000000000000000000001" would become 1).
    pub fn parse_major(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        let trimmed = text.trim();
        let negative = trimmed.starts_with('-');
        let unsigned = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return Err(MoneyError::NotANumber(text.to_owned()));
        }
        let whole = whole.trim_start_matches('0');
        let fraction = fraction.trim_end_matches('0');
        if negative && !(whole.is_empty() && fraction.is_empty()) {
            return Err(MoneyError::Negative);
        }
        if fraction.len() > currency.decimal_places() as usize {
            return Err(MoneyError::SubCent);
        }
        let canonical = match (whole, fraction) {
            ("", "") => "0".to_owned(),
            (whole, "") => whole.to_owned(),
            (whole, fraction) => format!("{whole}.{fraction}"),
        };
        // The text is well formed, so only a number too long for `Decimal` fails here.
        let amount: Decimal = canonical.parse().map_err(|_| MoneyError::TooLarge)?;
        Self::from_major(amount, currency)
    }

    /// The amount in major units, exact.
    pub fn to_major(self) -> Decimal {
        Decimal::new(self.cents, self.currency.decimal_places())
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let cents = self
            .cents
            .checked_add(other.cents)
            .ok_or(MoneyError::TooLarge)?;
        Ok(Money { cents, ..self })
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let cents = self
            .cents
            .checked_sub(other.cents)
            .ok_or(MoneyError::TooLarge)?;
        if cents < 0 {
            return Err(MoneyError::Negative);
        }
        Ok(Money { cents, ..self })
    }

    pub fn checked_mul(self, factor: i64) -> Result<Money, MoneyError> {
        let cents = self.cents.checked_mul(factor).ok_or(MoneyError::TooLarge)?;
        Money::from_cents(cents, self.currency)
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(
                self.currency.code(),
                other.currency.code(),
            ));
        }
        Ok(())
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.currency {
            Currency::USD => write!(f, "${}", self.to_major()),
            Currency::RC => write!(f, "{} RC", self.cents),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn major(text: &str) -> Result<Money, MoneyError> {
        Money::parse_major(text, Currency::USD)
    }

    #[test]
    fn dollars_parse_to_exact_cents() {
        assert_eq!(major("150").unwrap().cents, 15_000);
        assert_eq!(major("7.5").unwrap().cents, 750);
        assert_eq!(major("0.01").unwrap().cents, 1);
        assert_eq!(major("19.990").unwrap().cents, 1_999);
    }

    #[test]
    fn sub_cent_precision_is_refused_not_rounded() {
        assert_eq!(major("0.005"), Err(MoneyError::SubCent));
        assert_eq!(major("1.999"), Err(MoneyError::SubCent));
    }

    #[test]
    fn negative_amounts_are_refused() {
        assert_eq!(major("-1"), Err(MoneyError::Negative));
        assert_eq!(
            Money::from_cents(-1, Currency::USD),
            Err(MoneyError::Negative)
        );
    }

    #[test]
    fn zero_is_not_a_positive_amount() {
        assert_eq!(
            Money::positive_cents(0, Currency::USD),
            Err(MoneyError::Zero)
        );
    }

    #[test]
    fn overflowing_amounts_are_refused() {
        assert_eq!(
            major("79228162514264337593543950335"),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(major("10000000001"), Err(MoneyError::TooLarge));
        assert_eq!(
            Money::usd(MAX_AMOUNT_CENTS).checked_mul(2),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(
            Money::from_cents(i64::MAX, Currency::USD),
            Err(MoneyError::TooLarge)
        );
    }

    #[test]
    fn garbage_is_not_a_number() {
        assert!(matches!(major("ten"), Err(MoneyError::NotANumber(_))));
        assert!(matches!(major("1e3"), Err(MoneyError::NotANumber(_))));
    }

    #[test]
    fn subtraction_never_goes_below_zero() {
        assert_eq!(
            Money::usd(100).checked_sub(Money::usd(101)),
            Err(MoneyError::Negative)
        );
    }

    #[test]
    fn currencies_do_not_mix() {
        let credits = Money::from_cents(5, Currency::RC).unwrap();
        assert!(matches!(
            Money::usd(5).checked_add(credits),
            Err(MoneyError::CurrencyMismatch(..))
        ));
    }

    #[test]
    fn money_displays_in_dollars() {
        assert_eq!(Money::usd(15_050).to_string(), "$150.50");
    }

    #[test]
    fn exponents_and_digit_separators_are_not_numbers() {
        for text in [
            "1e3", "1E-2", "1.5e1", "1_000", "1 000", "0x10", "", ".", "1.2.3", "--1", "$5",
        ] {
            assert!(
                matches!(major(text), Err(MoneyError::NotANumber(_))),
                "{text:?} parsed as {:?}",
                major(text)
            );
        }
    }

    #[test]
    fn signs_leading_and_trailing_zeros_are_read_exactly() {
        assert_eq!(major("+5").unwrap().cents, 500);
        assert_eq!(major(" 0012.50 ").unwrap().cents, 1_250);
        assert_eq!(major(".5").unwrap().cents, 50);
        assert_eq!(major("5.").unwrap().cents, 500);
        assert_eq!(major("-0").unwrap().cents, 0);
        assert_eq!(major("-0.00").unwrap().cents, 0);
        assert_eq!(major("-0.001"), Err(MoneyError::Negative));
    }

    #[test]
    fn digits_beyond_decimals_precision_are_refused_not_rounded_away() {
        // `Decimal` keeps 28 digits and would round these to 1 and 0.
        assert_eq!(
            major("1.00000000000000000000000000001"),
            Err(MoneyError::SubCent)
        );
        assert_eq!(
            major("0.0000000000000000000000000000001"),
            Err(MoneyError::SubCent)
        );
        let many_zeros = format!("1.{}", "0".repeat(40));
        assert_eq!(major(&many_zeros).unwrap().cents, 100);
        assert_eq!(major(&"9".repeat(40)), Err(MoneyError::TooLarge));
    }

    #[test]
    fn credits_are_whole_units() {
        let credits = |text| Money::parse_major(text, Currency::RC);
        assert_eq!(credits("5").unwrap().cents, 5);
        assert_eq!(credits("5.0").unwrap().cents, 5);
        assert_eq!(credits("5.5"), Err(MoneyError::SubCent));
        let five = Money::from_cents(5, Currency::RC).unwrap();
        assert_eq!(five.to_major(), Decimal::new(5, 0));
        assert_eq!(five.to_string(), "5 RC");
        assert_eq!(
            Money::from_major(Decimal::new(7, 0), Currency::RC)
                .unwrap()
                .cents,
            7
        );
    }

    #[test]
    fn currencies_parse_from_their_codes() {
        assert_eq!(Currency::parse("USD"), Ok(Currency::USD));
        assert_eq!(Currency::parse("rc"), Ok(Currency::RC));
        assert_eq!(
            Currency::parse("EUR"),
            Err(MoneyError::UnknownCurrency("EUR".to_owned()))
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn currency() -> impl Strategy<Value = Currency> {
            prop_oneof![Just(Currency::USD), Just(Currency::RC)]
        }

        proptest! {
            #[test]
            fn printing_then_parsing_gives_the_same_amount(
                cents in 0..=MAX_AMOUNT_CENTS,
                currency in currency(),
            ) {
                let money = Money::from_cents(cents, currency).unwrap();
                let text = money.to_major().to_string();
                prop_assert_eq!(Money::parse_major(&text, currency), Ok(money));
                prop_assert_eq!(Money::from_major(money.to_major(), currency), Ok(money));
            }

            #[test]
            fn dollars_and_cents_parse_to_exact_cents(
                dollars in 0..=MAX_AMOUNT_CENTS / 100,
                cents in 0..100i64,
            ) {
                let text = format!("{dollars}.{cents:02}");
                prop_assert_eq!(major(&text).map(|m| m.cents), Ok(dollars * 100 + cents));
            }

            #[test]
            fn any_nonzero_digit_below_a_cent_is_refused(
                dollars in 0..1_000_000i64,
                cents in 0..100i64,
                zeros in 0..30usize,
                digit in 1..=9u8,
            ) {
                let text = format!("{dollars}.{cents:02}{}{digit}", "0".repeat(zeros));
                prop_assert_eq!(major(&text), Err(MoneyError::SubCent));
            }

            #[test]
            fn negative_amounts_never_parse(cents in 1..=MAX_AMOUNT_CENTS) {
                let text = format!("-{}", Money::usd(cents).to_major());
                prop_assert_eq!(major(&text), Err(MoneyError::Negative));
            }
        }
    }
}
