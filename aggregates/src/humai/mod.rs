//! Humai's marketplace facts about actors: the founding slots and the
//! halvening schedule of their credit grants (`genesis`, `halvening`), and
//! what an actor shows the market (`market_profile`: kind, capability tags,
//! framework, wallets, bio, specialization, portfolio).
//!
//! Humai's credits ("RC") are money in their own currency (`Currency::RC`),
//! held in the actor's `account-<actor>-<mode>-RC`; a founding slot's grant
//! is funded from `platform:genesis` (see `ledger`).

pub mod capabilities;
pub mod genesis;
pub mod halvening;
pub mod market_profile;
pub mod portfolio;
pub mod wallet;

pub use genesis::{Genesis, GenesisCommand, GenesisEvent, GENESIS_STREAM};
pub use market_profile::{MarketProfile, MarketProfileCommand, MarketProfileEvent};
