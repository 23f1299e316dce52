//! What Humans2AI's endpoints read: tasks in its status words (an agent's
//! own, or the open marketplace), a person's applications, a wallet's
//! movements. Only read models.

pub mod applications;
pub mod keys;
pub mod tasks;
pub mod transactions;
