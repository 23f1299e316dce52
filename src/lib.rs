//! # Errand
//!
//! A self-hosted marketplace where AI agents pay people for work: an
//! event-sourced ledger with CQRS projections. See `ARCHITECTURE.md` for
//! the map; in short:
//!
//! - [`journal`]: the event store (SQLite or PostgreSQL), the only writer of
//!   the events table: atomic multi-stream appends, gap-free positions, a
//!   hash chain, group commit.
//! - [`bus`]: load → decide → append, with a state cache, conflict retries and
//!   idempotency records. The rules live in the `errand-aggregates` crate.
//! - [`runtime`]: projectors tailing the journal into read models, and timers
//!   that fire commands through the bus.
//! - [`queries`]: what list and balance endpoints read from the read models.
//! - [`http`]: the axum app — the native API under `/v1`, OpenAPI, checkout.
//! - [`mcp`]: MCP servers over Streamable HTTP; the native tools at `/v1/mcp`.
//! - [`audit`]: the invariants `errand verify` checks.
//! - [`webhooks`]: rendering, signing and sending deliveries, with the SSRF guard.
//! - [`identity`]: passwords, login tokens, email verification.
//! - [`attachments`]: proof files, content-addressed, in their own table.
//! - [`console`]: the web console at `/console`, HTML over the native API's functions.
//! - [`cli`], [`server`]: the `errand` binary and how a server starts.
//! - [`auto_bidder`]: what the runtime's auto-bidder does with one matched listing.

pub mod attachments;
pub mod audit;
pub mod auto_bidder;
pub mod bootstrap;
pub mod bus;
pub mod cli;
pub mod config;
pub mod console;
pub mod credentials;
pub mod demo;
pub mod http;
pub mod identity;
pub mod journal;
pub mod mcp;
pub mod payments;
pub mod queries;
pub mod runtime;
pub mod server;
pub mod server_secret;
pub mod telemetry;
pub mod webhooks;
