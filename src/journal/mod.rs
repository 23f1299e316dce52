//! # The event journal
//!
//! The only source of truth (DESIGN.md §4): one `events` table, the same on SQLite and
//! PostgreSQL through sqlx's `Any` driver. Events are appended atomically across streams, each
//! stream at an expected version; positions are global, gap-free and in commit order; every
//! event is hash-chained to the one before it. The journal stores typed bytes and knows no
//! domain rule.
//!
//! ## Layout
//!
//! - `handle`: the [`Journal`] handle: open, append, reads, verify, close.
//! - `batch`, `event`, `error`: what goes in and comes out; `stats`: group-commit counters.
//! - `writer`: the group-commit task. `append` queues; the writer commits whatever is queued
//!   in one transaction, so one fsync serves many commands.
//! - `commit`: the SQL of one group transaction (`commit_postgres`: PostgreSQL's fixed
//!   statements over arrays, on the writer's own native connection); `group`: the pure planning inside it (each request's
//!   version and idempotency checks, positions, hashes).
//! - `lock`: the head lock that keeps positions gap-free (the one backend-specific statement).
//! - `sql`: placeholders for statements whose length varies, chunked under the bind limit.
//! - `chain`: the canonical bytes of an event and the hash chain; `verify`: `verify_chain`.
//! - `constraint`: unique violations mapped to conflicts, in one place.
//! - `reads`: reads by stream and by position; `connect`: URL, pragmas, pool, migrations.
//! - `limits`: every bound, with its reason. `testing`: fresh databases for tests.
//!
//! ## Invariants
//!
//! - Only this module writes `events`, `streams`, `journal_head` and `idempotency`.
//! - Positions are assigned only while holding the head lock, so they are 1..N in commit order.
//! - An append is acknowledged only after the transaction holding its events committed.

mod batch;
mod chain;
mod commit;
mod commit_postgres;
mod connect;
mod constraint;
mod error;
mod event;
mod group;
mod handle;
pub mod limits;
mod lock;
mod reads;
mod recent;
mod sql;
mod stats;
pub mod testing;
mod verify;
mod writer;

#[cfg(test)]
pub(crate) mod tests;

pub use batch::{AppendBatch, Appended, IdempotencyRecord, StoredResponse, StreamAppend};
pub use connect::{Backend, JournalOptions};
pub use error::{AppendError, InvalidAppend, JournalError};
pub use event::{NewEvent, RecordedEvent};
pub use handle::Journal;
pub use lock::{WriteGate, WriteTurn};
pub use recent::CommittedEvent;
pub use stats::GroupCommitStats;
pub use verify::{ChainBreak, ChainReport};
