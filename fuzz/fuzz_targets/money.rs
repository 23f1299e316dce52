//! Money at the edge: `Money::parse_major`, `from_major`, `from_cents`, the
//! checked arithmetic and `FeePolicy::split`, against properties that must
//! hold for every input, not only the examples in the unit tests:
//!
//! - nothing panics (overflow checks are on: `fuzz/run` builds with `-a`);
//! - `parse_major` agrees with an integer reference parser, refusal by refusal;
//! - an accepted amount prints and parses back to itself (as a decimal, as
//!   `Display`, and through serde);
//! - `from_major` never rounds: what it accepts converts back exactly;
//! - no operation yields a negative amount or one above `MAX_AMOUNT_CENTS`
//!   where it promises to refuse it;
//! - a fee split sums to the gross, is never negative, and rounds half up
//!   exactly (checked against integer arithmetic, not `Decimal`).

#![no_main]

use errand_aggregates::fee::{FeePolicy, RATE_DECIMAL_PLACES_MAX};
use errand_aggregates::money::{Currency, Money, MoneyError, MAX_AMOUNT_CENTS};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;

/// A `Decimal` from its raw parts, so every representable value is reachable.
#[derive(Debug, Arbitrary)]
struct RawDecimal {
    lo: u32,
    mid: u32,
    hi: u32,
    negative: bool,
    scale: u8,
}

impl RawDecimal {
    fn value(&self) -> Decimal {
        // 28 is `Decimal`'s largest scale; `from_parts` would panic above it.
        let scale = u32::from(self.scale) % 29;
        Decimal::from_parts(self.lo, self.mid, self.hi, self.negative, scale)
    }
}

#[derive(Debug, Arbitrary)]
struct Input {
    credits: bool,
    cents: i64,
    other_cents: i64,
    other_is_credits: bool,
    factor: i64,
    decimal: RawDecimal,
    rate: RawDecimal,
    percent: String,
    /// Last, so it takes the rest of the input: the text a client typed.
    text: String,
}

fuzz_target!(|input: Input| {
    let currency = if input.credits {
        Currency::RC
    } else {
        Currency::USD
    };
    check_parse_major(&input.text, currency);
    check_from_major(input.decimal.value(), currency);
    check_cents_and_arithmetic(&input, currency);
    check_fee_split(&input, currency);
});

fn check_parse_major(text: &str, currency: Currency) {
    let parsed = Money::parse_major(text, currency);
    let expected = reference_parse_major(text, currency);
    match (&parsed, &expected) {
        (Ok(money), Ok(cents)) => assert_eq!(money.cents, *cents, "{text:?}"),
        (Err(error), Err(kind)) => assert_eq!(Kind::of(error), *kind, "{text:?}: {error}"),
        _ => panic!("{text:?}: parse_major gave {parsed:?}, the reference {expected:?}"),
    }
    if let Ok(money) = parsed {
        assert_eq!(money.currency, currency);
        assert_round_trips(money);
    }
}

/// Every way an accepted amount is printed reads back as the same amount.
fn assert_round_trips(money: Money) {
    let currency = money.currency;
    assert!((0..=MAX_AMOUNT_CENTS).contains(&money.cents), "{money:?}");
    let major = money.to_major();
    assert_eq!(Money::from_major(major, currency), Ok(money));
    assert_eq!(Money::parse_major(&major.to_string(), currency), Ok(money));
    let shown = money.to_string();
    let number = match currency {
        Currency::USD => shown.strip_prefix('$'),
        Currency::RC => shown.strip_suffix(" RC"),
    };
    let number = number.unwrap_or_else(|| panic!("{money:?} displays as {shown:?}"));
    assert_eq!(Money::parse_major(number, currency), Ok(money), "{shown:?}");
    let stored = serde_json::to_vec(&money).expect("money serializes");
    let read: Money = serde_json::from_slice(&stored).expect("money deserializes");
    assert_eq!(read, money);
}

/// How an amount was refused, without the refused text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    NotANumber,
    Negative,
    SubCent,
    TooLarge,
    Other,
}

impl Kind {
    fn of(error: &MoneyError) -> Kind {
        match error {
            MoneyError::NotANumber(_) => Kind::NotANumber,
            MoneyError::Negative => Kind::Negative,
            MoneyError::SubCent => Kind::SubCent,
            MoneyError::TooLarge => Kind::TooLarge,
            _ => Kind::Other,
        }
    }
}

/// The documented grammar read with integers instead of `Decimal`: an
/// optional sign, digits, an optional point and digits; refusals in the
/// order `parse_major` promises (not a number, negative, sub-cent, too large).
fn reference_parse_major(text: &str, currency: Currency) -> Result<i64, Kind> {
    let trimmed = text.trim();
    let negative = trimmed.starts_with('-');
    let unsigned = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return Err(Kind::NotANumber);
    }
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    if negative && !(whole.is_empty() && fraction.is_empty()) {
        return Err(Kind::Negative);
    }
    let places = currency.decimal_places() as usize;
    if fraction.len() > places {
        return Err(Kind::SubCent);
    }
    // Anything over 20 digits is far above the maximum; i128 holds the rest.
    if whole.len() > 20 {
        return Err(Kind::TooLarge);
    }
    let whole: i128 = if whole.is_empty() {
        0
    } else {
        whole.parse().expect("at most 20 digits")
    };
    let fraction: i128 = format!("{fraction:0<places$}").parse().unwrap_or(0);
    let cents = whole * 10_i128.pow(places as u32) + fraction;
    if cents > i128::from(MAX_AMOUNT_CENTS) {
        return Err(Kind::TooLarge);
    }
    Ok(cents as i64)
}

fn check_from_major(amount: Decimal, currency: Currency) {
    let converted = Money::from_major(amount, currency);
    match converted {
        Ok(money) => {
            // Accepted means exact: nothing was rounded away.
            assert_eq!(money.to_major(), amount, "{amount}");
            assert_round_trips(money);
        }
        Err(MoneyError::Negative) => assert!(amount < Decimal::ZERO, "{amount}"),
        Err(MoneyError::SubCent) => {
            assert_ne!(
                amount.round_dp(currency.decimal_places()),
                amount,
                "{amount}"
            )
        }
        Err(MoneyError::TooLarge) => {
            let max = Decimal::new(MAX_AMOUNT_CENTS, currency.decimal_places());
            assert!(amount > max, "{amount} refused as too large");
        }
        Err(error) => panic!("{amount}: unexpected {error:?}"),
    }
    // The same number as text is read the same way.
    assert_eq!(
        Money::parse_major(&amount.to_string(), currency),
        converted,
        "{amount}"
    );
}

fn check_cents_and_arithmetic(input: &Input, currency: Currency) {
    let in_range = |cents: i64| (0..=MAX_AMOUNT_CENTS).contains(&cents);
    let money = Money::from_cents(input.cents, currency);
    assert_eq!(money.is_ok(), in_range(input.cents), "{}", input.cents);
    let positive = Money::positive_cents(input.cents, currency);
    assert_eq!(positive.is_ok(), input.cents > 0 && in_range(input.cents));
    let Ok(money) = money else { return };
    assert_round_trips(money);

    let product = Money::checked_mul(money, input.factor);
    let exact = i128::from(money.cents) * i128::from(input.factor);
    match product {
        Ok(product) => assert_eq!(i128::from(product.cents), exact),
        Err(_) => assert!(exact < 0 || exact > i128::from(MAX_AMOUNT_CENTS), "{exact}"),
    }

    let other_currency = if input.other_is_credits {
        Currency::RC
    } else {
        Currency::USD
    };
    let Ok(other) = Money::from_cents(input.other_cents, other_currency) else {
        return;
    };
    let sum = money.checked_add(other);
    let difference = money.checked_sub(other);
    if currency != other_currency {
        assert!(matches!(sum, Err(MoneyError::CurrencyMismatch(..))));
        assert!(matches!(difference, Err(MoneyError::CurrencyMismatch(..))));
        return;
    }
    assert_eq!(sum.map(|m| m.cents), Ok(money.cents + other.cents));
    if money.cents >= other.cents {
        assert_eq!(difference.map(|m| m.cents), Ok(money.cents - other.cents));
    } else {
        assert_eq!(difference, Err(MoneyError::Negative));
    }
}

fn check_fee_split(input: &Input, currency: Currency) {
    if let Ok(policy) = FeePolicy::percent(&input.percent) {
        assert!(policy.rate >= Decimal::ZERO && policy.rate <= Decimal::ONE);
        check_split(policy, input.cents, currency);
    }
    let rate = input.rate.value();
    let policy = FeePolicy::new(rate);
    let in_range = rate >= Decimal::ZERO && rate <= Decimal::ONE;
    let precise_enough = rate.normalize().scale() <= RATE_DECIMAL_PLACES_MAX;
    assert_eq!(policy.is_ok(), in_range && precise_enough, "{rate}");
    if let Ok(policy) = policy {
        check_split(policy, input.cents, currency);
    }
}

fn check_split(policy: FeePolicy, gross_cents: i64, currency: Currency) {
    let Ok(gross) = Money::from_cents(gross_cents, currency) else {
        return;
    };
    let split = policy
        .split(gross)
        .unwrap_or_else(|error| panic!("{} of {gross:?}: {error}", policy.rate));
    assert_eq!(split.gross, gross);
    assert_eq!(split.fee.currency, currency);
    assert_eq!(split.payee.currency, currency);
    assert!(split.fee.cents >= 0 && split.payee.cents >= 0, "{split:?}");
    assert_eq!(
        split.fee.cents + split.payee.cents,
        gross.cents,
        "{split:?}"
    );
    if let Some(expected) = half_up_fee_cents(policy.rate, gross.cents) {
        assert_eq!(
            split.fee.cents, expected,
            "{} of {} cents rounds half up to {expected}",
            policy.rate, gross.cents
        );
    }
}

/// The fee computed exactly in integers, rounded half up. The rate is
/// `mantissa / 10^scale`, so the fee is `round(mantissa × gross / 10^scale)`;
/// the mantissa (below 2^96) is split at 10^14 so that every product fits
/// in a `u128` for any gross up to `MAX_AMOUNT_CENTS` (below 2^40).
fn half_up_fee_cents(rate: Decimal, gross_cents: i64) -> Option<i64> {
    const SPLIT: u128 = 100_000_000_000_000; // 10^14
    let mantissa = u128::try_from(rate.mantissa()).ok()?;
    let gross = u128::try_from(gross_cents).ok()?;
    let scale = rate.scale();
    let denominator = 10_u128.pow(scale);
    // mantissa × gross = high × 10^14 + low, both below 2^90.
    let high = (mantissa / SPLIT).checked_mul(gross)?;
    let low = (mantissa % SPLIT).checked_mul(gross)?;
    let (quotient, remainder) = if scale <= 14 {
        let shift = 10_u128.pow(14 - scale);
        let quotient = high.checked_mul(shift)?.checked_add(low / denominator)?;
        (quotient, low % denominator)
    } else {
        // (high + low / 10^14) × 10^14 + low % 10^14, divided by 10^14 × 10^(scale - 14).
        let shift = 10_u128.pow(scale - 14);
        let upper = high.checked_add(low / SPLIT)?;
        (upper / shift, (upper % shift) * SPLIT + low % SPLIT)
    };
    let rounds_up = remainder.checked_mul(2)? >= denominator;
    i64::try_from(quotient + u128::from(rounds_up)).ok()
}
