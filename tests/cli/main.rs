//! The `errand` binary itself: its commands, and a server killed with
//! SIGKILL in the middle of work that must lose nothing it acknowledged, and
//! two instances sharing one PostgreSQL journal.

mod client;
mod commands;
mod console;
mod crash;
mod instances;
mod process;
mod schema;
