//! Humai's marketplace facts about actors: the founding slots and the
//! halvening schedule of their credit grants (`genesis`, `halvening`), and
//! what an actor shows the market (`market_profile`: kind, capability tags,
//! framework, wallets, bio, specialization, portfolio).
//!
//! Humai's credits ("RC") are money in their own currency (`Currency::RC`),
//! held in the actor's `account-<actor>-<mode>-RC`; a founding slot's grant
//! is funded from `platform:genesis` (see `ledger`). `credit_lots` records
//! each credit's provenance (its pool) and which credits each debit spent (NIFO);
//! `fees` is Humai's fee schedule by tier, `revenue_share` the founders' pool.

pub mod capabilities;
pub mod credit_lots;
pub mod external_reputation;
pub mod fees;
pub mod genesis;
pub mod halvening;
pub mod market_profile;
pub mod portfolio;
pub mod revenue_share;
pub mod wallet;

pub use credit_lots::{CreditLots, CreditLotsCommand, CreditLotsEvent};
pub use genesis::{Genesis, GenesisCommand, GenesisEvent, GENESIS_STREAM};
pub use market_profile::{MarketProfile, MarketProfileCommand, MarketProfileEvent};
