//! What HumanPing's agent endpoints read: an agent's tasks in HumanPing's
//! status words, its wallet's movements, its stats. Only read models.

pub mod stats;
pub mod tasks;
pub mod wallet;
