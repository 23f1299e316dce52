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
use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior};

use super::background::Background;
use super::lease::Lease;
use super::projector::error_chain;
use super::timers::{Backoff, BACKOFF_FIRST_DEFAULT, BACKOFF_LAST_DEFAULT};

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

/// A running auto-bidder; it runs until `stop`.
pub struct AutoBidHandle {
    background: Background,
}

impl AutoBidRunner {
    /// Every `options.interval`, while `lease` is held, hands each pending
    /// attempt to `place`. `Ok` means the attempt ended (placed, or its
    /// refusal recorded); `Err`, that it should be tried again later.
    pub fn start_leased<F, Fut>(
        pool: AnyPool,
        lease: Lease,
        options: AutoBidOptions,
        place: F,
    ) -> AutoBidHandle
    where
        F: Fn(AutoBidAttemptRow) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let background = Background::new("autobids");
        background.start(run(pool, lease, options, place, background.stop_signal()));
        AutoBidHandle { background }
    }
}

impl AutoBidHandle {
    /// Stops after the attempt being placed, and waits for it.
    pub async fn stop(&self) {
        self.background.stop().await;
    }
}

async fn run<F, Fut>(
    pool: AnyPool,
    lease: Lease,
    options: AutoBidOptions,
    place: F,
    mut stop: watch::Receiver<bool>,
) where
    F: Fn(AutoBidAttemptRow) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let mut backoff = Backoff::new(BACKOFF_FIRST_DEFAULT, BACKOFF_LAST_DEFAULT);
    let mut ticks = tokio::time::interval(options.interval);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            _ = ticks.tick() => {}
        }
        if !lease.is_held() {
            continue;
        }
        let may_go_on = || !*stop.borrow() && lease.is_held();
        if let Err(error) = tick(&pool, options.batch_max, &place, &mut backoff, may_go_on).await {
            if matches!(error, sqlx::Error::PoolClosed) {
                return;
            }
            tracing::warn!(error = %error_chain(&error), "reading pending auto-bids failed; trying again next tick");
        }
    }
}

async fn tick<F, Fut>(
    pool: &AnyPool,
    batch_max: i64,
    place: &F,
    backoff: &mut Backoff,
    may_go_on: impl Fn() -> bool,
) -> Result<(), sqlx::Error>
where
    F: Fn(AutoBidAttemptRow) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    // Enough rows to find `batch_max` that are not waiting.
    let limit = batch_max + backoff.len() as i64;
    let attempts = pending(pool, limit).await?;
    if (attempts.len() as i64) < limit {
        backoff.keep_only(attempts.iter().map(|a| a.bid_id.as_str()));
    }
    let now = Instant::now();
    let ready = attempts
        .into_iter()
        .filter(|attempt| !backoff.is_waiting(&attempt.bid_id, now))
        .take(batch_max.max(0) as usize)
        .collect::<Vec<_>>();
    for attempt in ready {
        if !may_go_on() {
            break;
        }
        let bid_id = attempt.bid_id.clone();
        match place(attempt).await {
            // Wait for the projection to mark the row before looking again.
            Ok(()) => backoff.fired(&bid_id, now),
            Err(reason) => {
                let wait = backoff.refused(&bid_id, now);
                tracing::info!(bid = %bid_id, %reason, retry_in_s = wait.as_secs(), "an auto-bid failed; trying again later");
            }
        }
    }
    Ok(())
}
