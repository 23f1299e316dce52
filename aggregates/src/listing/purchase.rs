//! Buying a sell listing outright (Humai's `transactions-create` and
//! `subcontracts-create`): what the listing says of it. The contract then
//! decides the parties and the chain, the buyer's account the hold.

use super::{Direction, Listing};
use crate::error::{DomainError, RuleKind};
use crate::ids::ActorId;
use crate::mode::Mode;
use crate::money::Money;

/// A sell listing that names no `sla_hours` promises delivery within the
/// longest deadline the seed allows a listing (168 hours, a week).
pub const PURCHASE_SLA_HOURS_DEFAULT: u32 = 168;

/// The terms a sell listing is bought on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purchase {
    pub seller: ActorId,
    pub price: Money,
    pub sla_hours: u32,
}

impl Purchase {
    /// The buyer's ceiling (`subcontracts-create`'s `price_usd`): the
    /// listing's price may not exceed what the buyer means to spend.
    pub fn ensure_within(&self, budget: Money) -> Result<(), DomainError> {
        if self.price.currency != budget.currency || self.price.cents > budget.cents {
            return Err(DomainError::rule(
                RuleKind::Invalid,
                "budget_exceeded",
                format!(
                    "the listing costs {} cents; the budget named is {} cents",
                    self.price.cents, budget.cents
                ),
            ));
        }
        Ok(())
    }
}

impl Listing {
    /// The terms on which anyone acting in `mode` may buy this listing now:
    /// a sell listing, active and not suspended, with a price (a tool sold
    /// by subscription plans has none). Buying one's own listing is the
    /// contract's to refuse, as self-dealing.
    pub fn purchase(&self, mode: Mode) -> Result<Purchase, DomainError> {
        self.ensure_found(mode)?;
        if self.direction != Some(Direction::Sell) {
            return Err(DomainError::invalid(
                "a buy listing is answered with a bid; only sell listings are bought directly",
            ));
        }
        if !self.is_active {
            return Err(DomainError::conflict("the listing is deactivated"));
        }
        if self.is_suspended() {
            return Err(DomainError::conflict("the listing is suspended"));
        }
        let (Some(seller), Some(details)) = (self.owner, self.details.as_ref()) else {
            return Err(DomainError::NotFound("listing"));
        };
        let price = details.price.ok_or_else(|| {
            DomainError::invalid("this listing has no price: it is sold by subscription plan")
        })?;
        Ok(Purchase {
            seller,
            price,
            sla_hours: details
                .sla_hours
                .map_or(PURCHASE_SLA_HOURS_DEFAULT, |hours| hours.hours()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{buy_created, sell_created, OWNER};
    use super::*;
    use crate::aggregate::Aggregate;
    use crate::listing::ListingEvent;

    fn folded(events: &[ListingEvent]) -> Listing {
        let mut listing = Listing::default();
        for event in events {
            listing.apply(event);
        }
        listing
    }

    #[test]
    fn a_sell_listing_is_bought_at_its_price_within_its_sla() {
        let listing = folded(&[sell_created()]);
        assert_eq!(
            listing.purchase(Mode::Live).unwrap(),
            Purchase {
                seller: OWNER,
                price: Money::usd(7_500),
                sla_hours: 48,
            }
        );
    }

    #[test]
    fn a_budget_below_the_price_is_exceeded() {
        let terms = folded(&[sell_created()]).purchase(Mode::Live).unwrap();
        assert!(terms.ensure_within(Money::usd(7_500)).is_ok());
        assert!(matches!(
            terms.ensure_within(Money::usd(7_499)),
            Err(DomainError::Rule {
                code: "budget_exceeded",
                ..
            })
        ));
    }

    #[test]
    fn a_buy_listing_a_deactivated_one_or_another_modes_is_not_bought() {
        assert!(matches!(
            folded(&[buy_created()]).purchase(Mode::Live),
            Err(DomainError::Invalid(_))
        ));
        assert!(matches!(
            folded(&[sell_created()]).purchase(Mode::Test),
            Err(DomainError::NotFound("listing"))
        ));
        let deactivated = ListingEvent::ListingDeactivated {
            at: super::super::tests::at(),
        };
        assert!(matches!(
            folded(&[sell_created(), deactivated]).purchase(Mode::Live),
            Err(DomainError::Conflict(_))
        ));
        assert!(matches!(
            Listing::default().purchase(Mode::Live),
            Err(DomainError::NotFound("listing"))
        ));
    }
}
