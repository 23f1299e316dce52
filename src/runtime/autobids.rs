//! The auto-bidder: places the pending attempts `autobid_attempts_view`
//! lists (each new buy listing an enabled rule matched) as commands through
//! the bus, oldest first, while the lease is held. Like the timers, it never
//! resolves a row itself: the placement's `AutoBidPlaced`, or the refusal's
//! `AutoBidSkipped`, does, through the projection. An attempt whose command
//! failed for want of the database backs off and is tried again; one the
//! domain refused is recorded as skipped by the callback and never retried.

use std::future::Future;
use std::time::Duration;

use errand_projections::autobids::{pending, AutoBidAttemptRow};
use sqlx::AnyPool;

use super::lease::Lease;
use super::leased_poller::{
    self, DueWork, PollerHandle, Polling, BACKOFF_FIRST_DEFAULT, BACKOFF_LAST_DEFAULT,
};

/// Attempts placed per tick, one after another: bounds the commands a burst
/// of new listings sends to the bus at once; a backlog drains at this rate.
pub const AUTOBID_BATCH_DEFAULT: i64 = 50;

#[derive(Debug, Clone)]
pub struct AutoBidOptions {
    /// How often pending attempts are looked for (the timers' interval).
    pub interval: Duration,
    pub batch_max: i64,
}

impl Default for AutoBidOptions {
    fn default() -> Self {
        AutoBidOptions {
            interval: Duration::from_secs(1),
            batch_max: AUTOBID_BATCH_DEFAULT,
        }
    }
}

pub struct AutoBidRunner;

impl AutoBidRunner {
    /// Every `options.interval`, while `lease` is held, hands each pending
    /// attempt to `place`. `Ok` means the attempt ended (placed, or its
    /// refusal recorded); `Err`, that it should be tried again later.
    pub fn start_leased<F, Fut>(
        pool: AnyPool,
        lease: Lease,
        options: AutoBidOptions,
        place: F,
    ) -> PollerHandle
    where
        F: Fn(AutoBidAttemptRow) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let polling = Polling {
            interval: options.interval,
            batch_max: options.batch_max,
            // The timers' back-off.
            backoff_first: BACKOFF_FIRST_DEFAULT,
            backoff_last: BACKOFF_LAST_DEFAULT,
        };
        let work = PendingAttempts { pool, place };
        leased_poller::start("autobids", lease, polling, work)
    }
}

/// `autobid_attempts_view`'s pending rows, oldest first, placed through `place`.
struct PendingAttempts<F> {
    pool: AnyPool,
    place: F,
}

impl<F, Fut> DueWork for PendingAttempts<F>
where
    F: Fn(AutoBidAttemptRow) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    type Item = AutoBidAttemptRow;
    const READS: &'static str = "pending auto-bids";

    fn due(
        &self,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<AutoBidAttemptRow>, sqlx::Error>> + Send {
        pending(&self.pool, limit)
    }

    fn id(attempt: &AutoBidAttemptRow) -> &str {
        &attempt.bid_id
    }

    fn run(&self, attempt: AutoBidAttemptRow) -> impl Future<Output = Result<(), String>> + Send {
        (self.place)(attempt)
    }

    fn failed(attempt: &AutoBidAttemptRow, reason: &str, retry_in: Duration) {
        tracing::info!(
            bid = %attempt.bid_id, %reason, retry_in_s = retry_in.as_secs(),
            "an auto-bid failed; trying again later"
        );
    }
}
