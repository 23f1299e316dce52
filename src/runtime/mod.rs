//! # Runtime
//!
//! The long-running work beside the HTTP server (DESIGN.md §5):
//!
//! - `projector`: [`ProjectionRunner`] tails the journal and keeps the read
//!   models of `errand-projections` up to date, each batch in one transaction
//!   with its checkpoints; [`ProjectionHandle`] answers read-your-writes waits
//!   and rebuilds.
//! - `leased_poller`: the loop the timers, the auto-bidder and the two
//!   sweeps share: while the lease is held, every interval, a bounded batch of
//!   due work run one item at a time, an item that failed backing off;
//!   [`PollerHandle`] stops it.
//! - `timers`: [`TimerRunner`] reads due rows of the `timers` read model and
//!   hands them to a callback that fires their commands through the bus.
//! - `autobids`: [`AutoBidRunner`] reads the pending rows of
//!   `autobid_attempts_view` and hands them to a callback that places them.
//! - `payouts`: [`PayoutSweeper`] reads the `payouts_view` rows still pending
//!   past a grace period and hands them to a callback that sends them to the
//!   payout provider again (a crash or an unanswered provider left them so).
//! - `charges`: [`ChargeSweeper`], the same for `deposits_view`'s charges of
//!   saved methods still pending: the provider is asked again (checkouts are
//!   their payer's to complete).
//! - `webhooks`: [`WebhookDispatcher`] sends due deliveries of the `outbox`
//!   read model through a callback (the server's courier), while the lease is held.
//! - `lag_history`: the last hour's projection lag per minute, which the
//!   projector records after each step, for the console's chart.
//! - `lease`: [`Lease`], which instance of several on one PostgreSQL journal
//!   runs the projector and the timers (an advisory lock); the others follow.
//!
//! **Invariants.** The runtime never writes a read model outside a
//! projection's transaction, and never deletes a timer: the projection does,
//! when it sees the event that resolves it.

mod autobids;
mod background;
mod charges;
mod lag_history;
mod lease;
mod leased_poller;
mod payouts;
mod projector;
mod sweep;
mod timers;
mod webhooks;

pub use lag_history::LAG_HISTORY_MINUTES;
pub use lease::{Lease, LEASE_GAUGE, LEASE_INTERVAL_DEFAULT, LEASE_KEY};

pub use autobids::{AutoBidOptions, AutoBidRunner, AUTOBID_BATCH_DEFAULT};
pub use charges::ChargeSweeper;
pub use leased_poller::PollerHandle;
pub use payouts::PayoutSweeper;
pub use projector::{
    Lagging, ProjectionHandle, ProjectionRunner, ProjectorError, ProjectorOptions, RebuildReport,
    BATCH_EVENTS_DEFAULT, LAG_GAUGE, POLL_INTERVAL_DEFAULT, REBUILD_BATCH_EVENTS_DEFAULT,
};
pub use sweep::{SweepOptions, SWEEP_BATCH_DEFAULT, SWEEP_GRACE_DEFAULT, SWEEP_INTERVAL_DEFAULT};
pub use timers::{TimerOptions, TimerRunner};
pub use webhooks::{
    DispatcherHandle, DispatcherOptions, WebhookDispatcher, DISPATCH_BATCH_DEFAULT,
    DISPATCH_CONCURRENCY_DEFAULT,
};

#[cfg(test)]
mod tests;
