//! What Humai's endpoints read from read models: agents by capability
//! (`search`), an actor's work and activity (`activity`), the platform's
//! public counts (`stats`), listings by text and filters (`listings`), what comparable
//! sales fetched (`price_suggestion`), a wallet's credit history and a month's fees
//! (`credits`).

pub mod activity;
pub mod autobids;
pub mod channels;
pub mod credits;
pub mod disputes;
pub mod feed;
pub mod listings;
pub mod price_suggestion;
pub mod reviews;
pub mod search;
pub mod stats;
