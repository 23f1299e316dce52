//! Humai's amounts: `price_usd`-style fields are dollars as JSON numbers
//! (`75`, `49.99`), read exactly from their decimal text (never through a
//! float) and refused with sub-cent precision; `rc_balance`-style fields are
//! whole RC credits.

use super::errors::HumaiError;
use errand_aggregates::money::{Currency, Money};
use serde_json::{Number, Value};

/// Dollars as sent (`"price_usd": 49.99`) into exact cents.
pub fn usd(field: &str, amount: &Number) -> Result<Money, HumaiError> {
    Money::parse_major(&amount.to_string(), Currency::USD)
        .map_err(|error| HumaiError::validation(format!("{field}: {error}")))
}

/// Money as Humai shows it: dollars as a number from the exact decimal
/// text; RC as whole credits.
pub fn shown(money: Money) -> Value {
    decimal(money.to_major())
}

/// An exact decimal as a JSON number written from its text.
pub fn decimal(value: rust_decimal::Decimal) -> Value {
    let text = value.normalize().to_string();
    text.parse::<Number>()
        .map(Value::Number)
        .unwrap_or(Value::String(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn number(value: Value) -> Number {
        let Value::Number(number) = value else {
            panic!("a number")
        };
        number
    }

    #[test]
    fn dollars_are_read_exactly_and_sub_cents_refused() {
        assert_eq!(
            usd("price_usd", &number(json!(75))).unwrap(),
            Money::usd(7_500)
        );
        assert_eq!(
            usd("price_usd", &number(json!(49.99))).unwrap(),
            Money::usd(4_999)
        );
        assert_eq!(
            usd("price_usd", &number(json!(0.1))).unwrap(),
            Money::usd(10)
        );
        let refused = usd("price_usd", &number(json!(0.005))).unwrap_err();
        assert_eq!(refused.code(), "validation_error");
        assert!(refused.to_string().starts_with("price_usd"), "{refused}");
        assert!(usd("price_usd", &number(json!(-1))).is_err());
    }

    #[test]
    fn amounts_are_shown_as_numbers_from_their_decimal_text() {
        assert_eq!(shown(Money::usd(1_250)), json!(12.5));
        assert_eq!(shown(Money::usd(7_500)), json!(75));
        let credits = Money::from_cents(128, Currency::RC).unwrap();
        assert_eq!(shown(credits), json!(128));
    }
}
