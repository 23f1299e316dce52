//! How an admin divides what a dispute is about between the two sides.

use crate::error::DomainError;
use serde::{Deserialize, Serialize};

/// The seed's `refund_buyer` and `release_to_seller`, and a split. A split
/// names the seller's share in whole percent (`seller_pct`, 1 to 99): what
/// an admin weighing a partly good delivery decides ("half of it was
/// usable"), and what stays meaningful for any stake, where cents would
/// have to be recomputed from the amount in dispute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Resolution {
    RefundBuyer,
    ReleaseToSeller,
    Split { seller_pct: u8 },
}

impl Resolution {
    pub fn split(seller_pct: i64) -> Result<Resolution, DomainError> {
        let seller_pct = u8::try_from(seller_pct)
            .ok()
            .filter(|pct| (1..=99).contains(pct))
            .ok_or_else(|| {
                DomainError::invalid(
                    "a split gives the seller 1 to 99 percent; 0 is refund_buyer, 100 release_to_seller",
                )
            })?;
        Ok(Resolution::Split { seller_pct })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::RefundBuyer => "refund_buyer",
            Resolution::ReleaseToSeller => "release_to_seller",
            Resolution::Split { .. } => "split",
        }
    }

    /// The seller's gross share of `stake_cents`: the split's percentage
    /// rounded half-up to the cent (as fees are), the buyer getting the
    /// exact rest. At most 99 % rounded up never exceeds the stake.
    pub fn seller_cents(self, stake_cents: i64) -> i64 {
        match self {
            Resolution::RefundBuyer => 0,
            Resolution::ReleaseToSeller => stake_cents,
            Resolution::Split { seller_pct } => {
                // stake ≤ 10^13, so stake × 100 + 50 fits an i64.
                (stake_cents * i64::from(seller_pct) + 50) / 100
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_gives_the_seller_its_percent_rounded_half_up() {
        let half = Resolution::split(50).unwrap();
        assert_eq!(half.seller_cents(10_000), 5_000);
        assert_eq!(half.seller_cents(101), 51);
        assert_eq!(Resolution::split(99).unwrap().seller_cents(1), 1);
        assert_eq!(Resolution::split(1).unwrap().seller_cents(49), 0);
        assert_eq!(Resolution::RefundBuyer.seller_cents(700), 0);
        assert_eq!(Resolution::ReleaseToSeller.seller_cents(700), 700);
    }

    #[test]
    fn a_split_of_nothing_or_everything_is_refused() {
        assert!(Resolution::split(0).is_err());
        assert!(Resolution::split(100).is_err());
        assert!(Resolution::split(-5).is_err());
    }
}
