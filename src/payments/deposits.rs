//! Money in: where the payer pays a deposit. The sandbox's checkout page is
//! Errand's own (`http/checkout.rs`); its Pay button completes the deposit
//! through the bus, as a real provider's webhook would. An owner may also
//! save a payment method at the provider (from a card token its own page
//! made, as Stripe's Elements do) and have it charged: at once when they
//! add credits, or by auto-reload.
//!
//! Charges may go over the network, so each call returns a future; a charge
//! is made with its deposit's `FundingId` as the idempotency key, so asking
//! again after a timeout or a retry charges at most once.

use super::ProviderUnavailable;
use chrono::Datelike;
use errand_aggregates::billing::PaymentMethod;
use errand_aggregates::ids::{ActorId, FundingId};
use errand_aggregates::mode::Mode;
use errand_aggregates::money::Money;
use futures::future::BoxFuture;
use uuid::Uuid;

/// The sandbox's card tokens, as Stripe's test mode names them: brand and
/// last four digits. `tok_chargeDeclined` saves, but every charge of it is
/// declined, so tests can see a charge fail and nothing credited.
pub const SANDBOX_CARD_TOKENS: [(&str, &str, &str); 4] = [
    ("tok_visa", "visa", "4242"),
    ("tok_mastercard", "mastercard", "4444"),
    ("tok_amex", "amex", "8431"),
    ("tok_chargeDeclined", "visa", "0002"),
];
/// The last four digits of the sandbox's declining card.
const SANDBOX_DECLINING_LAST4: &str = "0002";
/// How long a sandbox card is valid, in years from when it is saved.
const SANDBOX_CARD_YEARS: i32 = 4;

/// One charge of a saved method, as the provider is asked to make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeOrder {
    /// Also the idempotency key.
    pub funding_id: FundingId,
    pub payment_method: String,
    pub amount: Money,
}

/// The provider's answer about a charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeOutcome {
    /// Charged; the provider's own id for the payment.
    Paid { provider_reference: String },
    /// Refused (declined card, insufficient funds at the bank): no money moved.
    Declined { reason: String },
}

pub trait PaymentProvider: Send + Sync {
    /// Recorded on each deposit.
    fn name(&self) -> &'static str;
    /// Where the payer goes to pay this deposit.
    fn checkout_url(&self, funding_id: &FundingId) -> String;

    /// Saves the card `token` names for `owner`; `Ok(Err(reason))` when the
    /// provider refuses the token.
    fn save_method<'a>(
        &'a self,
        owner: ActorId,
        mode: Mode,
        token: &'a str,
    ) -> BoxFuture<'a, Result<Result<PaymentMethod, String>, ProviderUnavailable>>;

    /// Charges a saved method, idempotently on `order.funding_id`.
    fn charge<'a>(
        &'a self,
        order: &'a ChargeOrder,
    ) -> BoxFuture<'a, Result<ChargeOutcome, ProviderUnavailable>>;
}

/// Pays everything at the press of a button and pays every payout out at
/// once (but one amount, declined for tests); moves no real money.
pub struct Sandbox {
    /// The public base URL of this server, e.g. `http://127.0.0.1:8080`.
    pub base_url: String,
}

impl PaymentProvider for Sandbox {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn checkout_url(&self, funding_id: &FundingId) -> String {
        format!(
            "{}/checkout/{funding_id}",
            self.base_url.trim_end_matches('/')
        )
    }

    fn save_method<'a>(
        &'a self,
        _owner: ActorId,
        _mode: Mode,
        token: &'a str,
    ) -> BoxFuture<'a, Result<Result<PaymentMethod, String>, ProviderUnavailable>> {
        let card = SANDBOX_CARD_TOKENS
            .iter()
            .find(|(known, _, _)| *known == token);
        let saved = match card {
            Some((_, brand, last4)) => Ok(PaymentMethod {
                // Random, so one owner's saved cards are told apart.
                id: format!("pm_sandbox_{brand}_{last4}_{}", Uuid::now_v7().simple()),
                provider: self.name().to_owned(),
                brand: (*brand).to_owned(),
                last4: (*last4).to_owned(),
                exp_month: 12,
                exp_year: (chrono::Utc::now().year() + SANDBOX_CARD_YEARS) as u32,
            }),
            None => Err(format!(
                "unknown sandbox card token; use one of {}",
                SANDBOX_CARD_TOKENS
                    .iter()
                    .map(|(token, _, _)| *token)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
        Box::pin(async move { Ok(saved) })
    }

    fn charge<'a>(
        &'a self,
        order: &'a ChargeOrder,
    ) -> BoxFuture<'a, Result<ChargeOutcome, ProviderUnavailable>> {
        // Decided by the order alone, so asking twice answers the same.
        let declining = format!("_{SANDBOX_DECLINING_LAST4}_");
        let outcome = if order.payment_method.contains(&declining) {
            ChargeOutcome::Declined {
                reason: "sandbox: your card was declined".to_owned(),
            }
        } else {
            ChargeOutcome::Paid {
                provider_reference: format!("ch_sandbox_{}", order.funding_id.0.simple()),
            }
        };
        Box::pin(async move { Ok(outcome) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox() -> Sandbox {
        Sandbox {
            base_url: "http://errand.test".to_owned(),
        }
    }

    async fn save(token: &str) -> Result<PaymentMethod, String> {
        let owner = ActorId(Uuid::from_u128(1));
        sandbox()
            .save_method(owner, Mode::Live, token)
            .await
            .unwrap()
    }

    fn order(method: &PaymentMethod) -> ChargeOrder {
        ChargeOrder {
            funding_id: FundingId(Uuid::from_u128(9)),
            payment_method: method.id.clone(),
            amount: Money::usd(2_000),
        }
    }

    #[tokio::test]
    async fn the_sandbox_saves_its_test_cards_and_refuses_other_tokens() {
        let visa = save("tok_visa").await.unwrap();
        assert_eq!((visa.brand.as_str(), visa.last4.as_str()), ("visa", "4242"));
        assert!(visa.id.starts_with("pm_sandbox_visa_4242_"));
        assert!(save("tok_bogus").await.is_err());
    }

    #[tokio::test]
    async fn the_sandbox_charges_a_card_once_per_funding_id_and_declines_its_declining_card() {
        let visa = save("tok_visa").await.unwrap();
        let first = sandbox().charge(&order(&visa)).await.unwrap();
        let again = sandbox().charge(&order(&visa)).await.unwrap();
        assert_eq!(first, again);
        assert!(matches!(first, ChargeOutcome::Paid { .. }));
        let declining = save("tok_chargeDeclined").await.unwrap();
        assert!(matches!(
            sandbox().charge(&order(&declining)).await.unwrap(),
            ChargeOutcome::Declined { .. }
        ));
    }
}
