//! What HumanPing's endpoints read: an agent's tasks in HumanPing's status
//! words, its wallet's movements, its stats; a worker's feed and earnings.
//! Only read models.

pub mod earnings;
pub mod feed;
pub mod stats;
pub mod tasks;
pub mod wallet;
