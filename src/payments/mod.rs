//! Payment providers: where deposits are paid ([`PaymentProvider`]) and where
//! payouts go ([`PayoutProvider`]). Errand ships a [`Sandbox`] for both, whose
//! checkout and onboarding pages it serves itself; a real provider plugs in
//! behind the same traits (its webhooks complete deposits and onboarding
//! through the bus, as the sandbox's pages do). [`charges`] charges saved
//! payment methods, at an owner's request or by auto-reload ([`AutoReloader`]).

pub mod charges;
mod deposits;
pub mod dispatch;
mod payouts;
pub mod task_earnings;

pub use charges::AutoReloader;
pub use deposits::{ChargeOrder, ChargeOutcome, PaymentProvider, Sandbox, SANDBOX_CARD_TOKENS};
pub use payouts::{
    ConnectedAccount, PayoutOrder, PayoutOutcome, PayoutProvider, ProviderUnavailable,
    SANDBOX_DECLINED_PAYOUT_CENTS,
};
