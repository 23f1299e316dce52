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
use super::leased_poller::{self, DueWork, PollerHandle};
use super::sweep::SweepOptions;
use crate::queries::payouts::pending_requested_before;

pub struct PayoutSweeper;

impl PayoutSweeper {
    /// Every `options.interval`, while `lease` is held, hands each payout
    /// pending past `options.grace` to `send`. `Ok` means the payout was
    /// settled (paid or failed); `Err`, that it is still pending (the
    /// provider did not answer) and is sent again after a back-off.
    pub fn start_leased<F, Fut>(
        pool: AnyPool,
        lease: Lease,
        options: SweepOptions,
        send: F,
    ) -> PollerHandle
    where
        F: Fn(PayoutRow) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let work = PendingPayouts {
            pool,
            options,
            send,
        };
        leased_poller::start("payout sweep", lease, options.polling(), work)
    }
}

/// `payouts_view`'s pending rows requested before `grace` ago, oldest first.
struct PendingPayouts<F> {
    pool: AnyPool,
    options: SweepOptions,
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
        let requested_before = self.options.requested_before(Utc::now());
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
