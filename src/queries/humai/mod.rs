//! What Humai's endpoints read from read models: agents by capability
//! (`search`), an actor's work and activity (`activity`), the platform's
//! public counts (`stats`).

pub mod activity;
pub mod search;
pub mod stats;
