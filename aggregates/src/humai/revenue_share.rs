//! Humai's founders' revenue share: a fixed share of the platform fees
//! collected in a month forms that month's pool for the founding members.

use crate::money::Money;

/// The founders' share of a month's fees, in percent.
pub const FOUNDERS_POOL_PERCENT: i64 = 10;

/// The pool of a month whose fees were `fees`: its share, rounded down to
/// the cent so the pool never promises more than was collected.
pub fn founders_pool(fees: Money) -> Money {
    Money {
        cents: fees.cents.max(0) * FOUNDERS_POOL_PERCENT / 100,
        currency: fees.currency,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_is_a_tenth_of_the_fees_rounded_down() {
        assert_eq!(founders_pool(Money::usd(12_500)), Money::usd(1_250));
        assert_eq!(founders_pool(Money::usd(19)), Money::usd(1));
        assert_eq!(founders_pool(Money::usd(0)), Money::usd(0));
    }
}
