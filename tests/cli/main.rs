//! The `errand` binary itself: its commands, and a server killed with
//! SIGKILL in the middle of work that must lose nothing it acknowledged.

mod commands;
mod crash;
mod process;
