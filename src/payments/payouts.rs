//! Money out: the payout provider holds each person's connected account
//! (Stripe Connect's Express accounts are the model), onboards them on its own
//! pages and pays payouts out to them.
//!
//! Every call may go over the network, so each returns a future. A payout is
//! sent with its `PayoutId` as the idempotency key: sending it again — after
//! a timeout, a crash, a retry — pays it at most once.

use super::Sandbox;
use errand_aggregates::ids::{ActorId, PayoutId};
use errand_aggregates::mode::Mode;
use errand_aggregates::money::Money;
use futures::future::BoxFuture;
use uuid::Uuid;

/// The sandbox declines a payout of exactly this many cents ($13.13), so
/// tests can see a payout fail and its money come back.
pub const SANDBOX_DECLINED_PAYOUT_CENTS: i64 = 1_313;

/// A connected account the provider opened for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectedAccount {
    /// The provider's id for it (`acct_…`): where payouts are sent.
    pub provider_account_id: String,
}

/// One payout, as the provider is asked to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutOrder {
    /// Also the idempotency key.
    pub payout_id: PayoutId,
    pub destination: String,
    pub amount: Money,
}

/// The provider's answer about a payout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayoutOutcome {
    /// Sent; the provider's own id for the transfer.
    Paid { provider_reference: String },
    /// Refused for good (closed account, bad bank details): the money returns.
    Failed { reason: String },
}

/// The provider could not be reached or did not answer: the payout's (or
/// charge's) fate is unknown, so it stays pending and is asked about again
/// (same key).
#[derive(Debug, thiserror::Error)]
#[error("the payment provider did not answer: {0}")]
pub struct ProviderUnavailable(pub String);

pub trait PayoutProvider: Send + Sync {
    /// Recorded on each connected account and payout.
    fn name(&self) -> &'static str;

    /// Opens a connected account for `owner` in `mode`.
    fn connect_account(
        &self,
        owner: ActorId,
        mode: Mode,
    ) -> BoxFuture<'_, Result<ConnectedAccount, ProviderUnavailable>>;

    /// Where the person completes onboarding (identity, bank details).
    fn onboarding_url(
        &self,
        owner: ActorId,
        mode: Mode,
        provider_account_id: &str,
    ) -> BoxFuture<'_, Result<String, ProviderUnavailable>>;

    /// Where the person sees their payouts and bank details at the provider.
    fn dashboard_url(
        &self,
        owner: ActorId,
        mode: Mode,
        provider_account_id: &str,
    ) -> BoxFuture<'_, Result<String, ProviderUnavailable>>;

    /// Sends a payout, idempotently on `order.payout_id`.
    fn send_payout<'a>(
        &'a self,
        order: &'a PayoutOrder,
    ) -> BoxFuture<'a, Result<PayoutOutcome, ProviderUnavailable>>;
}

impl Sandbox {
    fn page(&self, page: &str, owner: ActorId, mode: Mode, account: &str) -> String {
        format!(
            "{}/payouts/{page}/{owner}/{}/{account}",
            self.base_url.trim_end_matches('/'),
            mode.as_str()
        )
    }
}

impl PayoutProvider for Sandbox {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn connect_account(
        &self,
        _owner: ActorId,
        _mode: Mode,
    ) -> BoxFuture<'_, Result<ConnectedAccount, ProviderUnavailable>> {
        // 74 random bits, so the onboarding link (which names it) cannot be guessed.
        let provider_account_id = format!("acct_sandbox_{}", Uuid::now_v7().simple());
        Box::pin(async move {
            Ok(ConnectedAccount {
                provider_account_id,
            })
        })
    }

    fn onboarding_url(
        &self,
        owner: ActorId,
        mode: Mode,
        provider_account_id: &str,
    ) -> BoxFuture<'_, Result<String, ProviderUnavailable>> {
        let url = self.page("onboarding", owner, mode, provider_account_id);
        Box::pin(async move { Ok(url) })
    }

    fn dashboard_url(
        &self,
        owner: ActorId,
        mode: Mode,
        provider_account_id: &str,
    ) -> BoxFuture<'_, Result<String, ProviderUnavailable>> {
        let url = self.page("dashboard", owner, mode, provider_account_id);
        Box::pin(async move { Ok(url) })
    }

    fn send_payout<'a>(
        &'a self,
        order: &'a PayoutOrder,
    ) -> BoxFuture<'a, Result<PayoutOutcome, ProviderUnavailable>> {
        // Decided by the order alone, so asking twice answers the same.
        let outcome = if order.amount.cents == SANDBOX_DECLINED_PAYOUT_CENTS {
            PayoutOutcome::Failed {
                reason: "sandbox: the bank declined this payout".to_owned(),
            }
        } else {
            PayoutOutcome::Paid {
                provider_reference: format!("po_sandbox_{}", order.payout_id.0.simple()),
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
            base_url: "http://errand.test/".to_owned(),
        }
    }

    fn order(cents: i64) -> PayoutOrder {
        PayoutOrder {
            payout_id: PayoutId(Uuid::from_u128(7)),
            destination: "acct_sandbox_1".to_owned(),
            amount: Money::usd(cents),
        }
    }

    #[tokio::test]
    async fn the_sandbox_pays_the_same_payout_once_under_one_reference() {
        let first = sandbox().send_payout(&order(500)).await.unwrap();
        let again = sandbox().send_payout(&order(500)).await.unwrap();
        assert_eq!(first, again);
        assert!(matches!(first, PayoutOutcome::Paid { .. }));
    }

    #[tokio::test]
    async fn the_sandbox_declines_its_magic_amount() {
        let outcome = sandbox()
            .send_payout(&order(SANDBOX_DECLINED_PAYOUT_CENTS))
            .await
            .unwrap();
        assert!(matches!(outcome, PayoutOutcome::Failed { .. }));
    }

    #[tokio::test]
    async fn sandbox_links_name_the_account_and_open_distinct_accounts() {
        let owner = ActorId(Uuid::from_u128(1));
        let url = sandbox()
            .onboarding_url(owner, Mode::Test, "acct_x")
            .await
            .unwrap();
        assert_eq!(
            url,
            format!("http://errand.test/payouts/onboarding/{owner}/test/acct_x")
        );
        let a = sandbox().connect_account(owner, Mode::Live).await.unwrap();
        let b = sandbox().connect_account(owner, Mode::Live).await.unwrap();
        assert_ne!(a, b);
    }
}
