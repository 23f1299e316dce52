//! The payout sweep: sends again the payouts still `pending` some time after
//! their request, oldest first, while the lease is held. A payout's money
//! left the account in the append that requested it, and the request sends
//! it at once; but a crash before the provider's answer, or a provider that
//! did not answer, leaves it pending, and a client that went away never
//! repeats its request. The sweep is that repeat.
//!
//! Sending is idempotent (the payout id is the provider's idempotency key, and
//! a settled payout is not sent), so a payout the sweep and its own request
//! send at once, or two instances send, is paid once. Like the timers, the
//! sweep never resolves a row itself: the payout's `PayoutPaid` or
//! `PayoutFailed` does, through the `payouts` projection.

use std::future::Future;
use std::time::Duration;

use chrono::Utc;
use errand_projections::payouts::PayoutRow;
use sqlx::AnyPool;

use super::lease::Lease;
use super::leased_poller::{
    self, DueWork, PollerHandle, Polling, BACKOFF_FIRST_DEFAULT, BACKOFF_LAST_DEFAULT,
};
use crate::queries::payouts::pending_requested_before;

/// How often pending payouts are looked for. A payout the provider did not
/// answer waits at least this long for its next try; a provider that is down
/// is asked at most a batch of payouts this often.
pub const PAYOUT_SWEEP_INTERVAL_DEFAULT: Duration = Duration::from_secs(30);

/// How old a pending payout's request must be before the sweep sends it:
/// long enough that the request's own send (a provider call, usually well
/// under a minute even when slow) has answered or given up, so the sweep does
/// not race it. Racing would still pay once; this keeps it from asking twice.
pub const PAYOUT_SWEEP_GRACE_DEFAULT: Duration = Duration::from_secs(2 * 60);

/// Payouts sent per tick, one after another: each is a provider call, so this
/// bounds how long a tick may take against a slow provider, and how hard a
/// recovering provider is asked at once. A backlog drains at this many per tick.
pub const PAYOUT_SWEEP_BATCH_DEFAULT: i64 = 20;

#[derive(Debug, Clone, Copy)]
pub struct PayoutSweepOptions {
    pub interval: Duration,
    /// Only payouts requested longer ago than this are sent.
    pub grace: Duration,
    pub batch_max: i64,
}

impl Default for PayoutSweepOptions {
    fn default() -> Self {
        PayoutSweepOptions {
            interval: PAYOUT_SWEEP_INTERVAL_DEFAULT,
            grace: PAYOUT_SWEEP_GRACE_DEFAULT,
            batch_max: PAYOUT_SWEEP_BATCH_DEFAULT,
        }
    }
}

pub struct PayoutSweeper;

impl PayoutSweeper {
    /// Every `options.interval`, while `lease` is held, hands each payout
    /// pending past `options.grace` to `send`. `Ok` means the payout was
    /// settled (paid or failed); `Err`, that it is still pending (the
    /// provider did not answer) and is sent again after a back-off.
    pub fn start_leased<F, Fut>(
        pool: AnyPool,
        lease: Lease,
        options: PayoutSweepOptions,
        send: F,
    ) -> PollerHandle
    where
        F: Fn(PayoutRow) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let polling = Polling {
            interval: options.interval,
            batch_max: options.batch_max,
            // The timers' back-off: a provider that keeps failing is asked
            // about one payout at most every ten minutes.
            backoff_first: BACKOFF_FIRST_DEFAULT,
            backoff_last: BACKOFF_LAST_DEFAULT,
        };
        let work = PendingPayouts {
            pool,
            grace: options.grace,
            send,
        };
        leased_poller::start("payout sweep", lease, polling, work)
    }
}

/// `payouts_view`'s pending rows requested before `grace` ago, oldest first.
struct PendingPayouts<F> {
    pool: AnyPool,
    grace: Duration,
    send: F,
}

impl<F, Fut> DueWork for PendingPayouts<F>
where
    F: Fn(PayoutRow) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    type Item = PayoutRow;
    const READS: &'static str = "pending payouts";

    fn due(&self, limit: i64) -> impl Future<Output = Result<Vec<PayoutRow>, sqlx::Error>> + Send {
        let grace = chrono::Duration::from_std(self.grace).unwrap_or(chrono::Duration::MAX);
        let requested_before = Utc::now()
            .checked_sub_signed(grace)
            .unwrap_or(chrono::DateTime::<Utc>::MIN_UTC);
        pending_requested_before(&self.pool, requested_before, limit)
    }

    fn id(payout: &PayoutRow) -> &str {
        &payout.payout_id
    }

    fn run(&self, payout: PayoutRow) -> impl Future<Output = Result<(), String>> + Send {
        (self.send)(payout)
    }

    fn ran(payout: &PayoutRow) {
        tracing::info!(payout = %payout.payout_id, "the sweep settled a pending payout");
    }

    fn failed(payout: &PayoutRow, reason: &str, retry_in: Duration) {
        tracing::info!(
            payout = %payout.payout_id, %reason, retry_in_s = retry_in.as_secs(),
            "a pending payout is still pending; sending it again later"
        );
    }
}
