//! Payment providers: where deposits are paid. Errand ships a sandbox whose
//! checkout page it serves itself; a real provider plugs in behind the same
//! trait (its webhook completes deposits through the bus, as the sandbox's
//! Pay button does).

use errand_aggregates::ids::FundingId;

pub trait PaymentProvider: Send + Sync {
    /// Recorded on each deposit.
    fn name(&self) -> &'static str;
    /// Where the payer goes to pay this deposit.
    fn checkout_url(&self, funding_id: &FundingId) -> String;
}

/// Pays everything at the press of a button; moves no real money.
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
