//! Fires due timers. The `timers` read model says what is due; a callback
//! (the lead's command bus) turns each into its command — `Expire`,
//! `AbandonAssignment` or `AutoApprove` — and the aggregate decides whether it
//! still applies. The row leaves the table when the projection sees the
//! resolving event, never by this runner's hand, so a firing that is refused,
//! lost or crashed is simply tried again.

use std::future::Future;
use std::time::Duration;

use errand_projections::timers::due;
use errand_projections::Timer;
use sqlx::AnyPool;

use super::lease::Lease;
use super::leased_poller::{
    self, DueWork, PollerHandle, Polling, BACKOFF_FIRST_DEFAULT, BACKOFF_LAST_DEFAULT,
};

/// How often due timers are looked for. Deadlines are minutes to days long; a
/// second late is invisible, and one indexed query a second costs nothing.
pub const TIMER_INTERVAL_DEFAULT: Duration = Duration::from_secs(1);

/// Timers fired per tick, one after another: bounds the commands one tick
/// sends to the bus. A backlog (after downtime) drains at this many per tick.
pub const TIMER_BATCH_DEFAULT: i64 = 100;

#[derive(Debug, Clone)]
pub struct TimerOptions {
    pub interval: Duration,
    pub batch_max: i64,
    pub backoff_first: Duration,
    pub backoff_last: Duration,
}

impl Default for TimerOptions {
    fn default() -> Self {
        TimerOptions {
            interval: TIMER_INTERVAL_DEFAULT,
            batch_max: TIMER_BATCH_DEFAULT,
            backoff_first: BACKOFF_FIRST_DEFAULT,
            backoff_last: BACKOFF_LAST_DEFAULT,
        }
    }
}

pub struct TimerRunner;

impl TimerRunner {
    /// Every `options.interval`, fires the due timers through `fire`. `Err`
    /// means the command was refused or failed; the timer backs off.
    pub fn start<F, Fut>(pool: AnyPool, options: TimerOptions, fire: F) -> PollerHandle
    where
        F: Fn(Timer) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        Self::start_leased(pool, Lease::sole(), options, fire)
    }

    /// Fires timers only while `lease` is held, so that of several instances
    /// one fires each timer.
    pub fn start_leased<F, Fut>(
        pool: AnyPool,
        lease: Lease,
        options: TimerOptions,
        fire: F,
    ) -> PollerHandle
    where
        F: Fn(Timer) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let polling = Polling {
            interval: options.interval,
            batch_max: options.batch_max,
            backoff_first: options.backoff_first,
            backoff_last: options.backoff_last,
        };
        leased_poller::start("timers", lease, polling, DueTimers { pool, fire })
    }
}

/// The `timers` read model's due rows, fired through `fire`.
struct DueTimers<F> {
    pool: AnyPool,
    fire: F,
}

impl<F, Fut> DueWork for DueTimers<F>
where
    F: Fn(Timer) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    type Item = Timer;
    const READS: &'static str = "due timers";

    fn due(&self, limit: i64) -> impl Future<Output = Result<Vec<Timer>, sqlx::Error>> + Send {
        let now_us = chrono::Utc::now().timestamp_micros();
        due(&self.pool, now_us, limit)
    }

    fn id(timer: &Timer) -> &str {
        &timer.timer_id
    }

    fn run(&self, timer: Timer) -> impl Future<Output = Result<(), String>> + Send {
        (self.fire)(timer)
    }

    fn ran(timer: &Timer) {
        tracing::debug!(timer = %timer.timer_id, kind = %timer.kind, "timer fired");
    }

    fn failed(timer: &Timer, reason: &str, retry_in: Duration) {
        tracing::info!(
            timer = %timer.timer_id, kind = %timer.kind, %reason, retry_in_s = retry_in.as_secs(),
            "timer's command was refused"
        );
    }
}
