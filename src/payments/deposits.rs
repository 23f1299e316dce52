//! Money in: where the payer pays a deposit. The sandbox's checkout page is
//! Errand's own (`http/checkout.rs`); its Pay button completes the deposit
//! through the bus, as a real provider's webhook would.

use errand_aggregates::ids::FundingId;

pub trait PaymentProvider: Send + Sync {
    /// Recorded on each deposit.
    fn name(&self) -> &'static str;
    /// Where the payer goes to pay this deposit.
    fn checkout_url(&self, funding_id: &FundingId) -> String;
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
}
