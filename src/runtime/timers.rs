//! Fires due timers. The `timers` read model says what is due; a callback
//! (the lead's command bus) turns each into its command — `Expire`,
//! `AbandonAssignment` or `AutoApprove` — and the aggregate decides whether it
//! still applies. The row leaves the table when the projection sees the
//! resolving event, never by this runner's hand, so a firing that is refused,
//! lost or crashed is simply tried again.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use errand_projections::timers::due;
use errand_projections::Timer;
use sqlx::AnyPool;
use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior};

use super::background::Background;
use super::lease::Lease;
use super::projector::error_chain;

/// How often due timers are looked for. Deadlines are minutes to days long; a
/// second late is invisible, and one indexed query a second costs nothing.
pub const TIMER_INTERVAL_DEFAULT: Duration = Duration::from_secs(1);

/// Timers fired per tick, one after another: bounds the commands one tick
/// sends to the bus. A backlog (after downtime) drains at this many per tick.
pub const TIMER_BATCH_DEFAULT: i64 = 100;

/// After a firing, the same timer waits this long before it may fire again:
/// time for the projection to see the resolving event and delete the row.
/// Each refusal doubles the wait, up to `BACKOFF_LAST_DEFAULT`, so a timer
/// the aggregate keeps refusing costs one command every few minutes.
pub const BACKOFF_FIRST_DEFAULT: Duration = Duration::from_secs(5);
pub const BACKOFF_LAST_DEFAULT: Duration = Duration::from_secs(10 * 60);

/// Timers remembered as backing off. A backlog larger than this is a bug
/// elsewhere; past it the entry due soonest is forgotten (and may fire early).
const BACKOFF_ENTRIES_MAX: usize = 10_000;

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

/// A running timer loop; it runs until `stop`.
pub struct TimerHandle {
    background: Background,
}

impl TimerRunner {
    /// Every `options.interval`, fires the due timers through `fire`. `Err`
    /// means the command was refused or failed; the timer backs off.
    pub fn start<F, Fut>(pool: AnyPool, options: TimerOptions, fire: F) -> TimerHandle
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
    ) -> TimerHandle
    where
        F: Fn(Timer) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let background = Background::new("timers");
        background.start(run(pool, lease, options, fire, background.stop_signal()));
        TimerHandle { background }
    }
}

impl TimerHandle {
    /// Stops after the timer being fired, and waits for it.
    pub async fn stop(&self) {
        self.background.stop().await;
    }
}

async fn run<F, Fut>(
    pool: AnyPool,
    lease: Lease,
    options: TimerOptions,
    fire: F,
    mut stop: watch::Receiver<bool>,
) where
    F: Fn(Timer) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let mut backoff = Backoff::new(options.backoff_first, options.backoff_last);
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
        if let Err(error) = tick(&pool, options.batch_max, &fire, &mut backoff, may_go_on).await {
            if matches!(error, sqlx::Error::PoolClosed) {
                return;
            }
            tracing::warn!(error = %error_chain(&error), "reading due timers failed; trying again next tick");
        }
    }
}

/// Fires up to `batch_max` due timers that are not backing off.
async fn tick<F, Fut>(
    pool: &AnyPool,
    batch_max: i64,
    fire: &F,
    backoff: &mut Backoff,
    may_go_on: impl Fn() -> bool,
) -> Result<(), sqlx::Error>
where
    F: Fn(Timer) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let now_us = chrono::Utc::now().timestamp_micros();
    // Ask for enough rows to find `batch_max` that are not backing off.
    let limit = batch_max + backoff.len() as i64;
    let timers = due(pool, now_us, limit).await?;
    if (timers.len() as i64) < limit {
        // Every due timer was listed: those remembered but absent are resolved.
        backoff.keep_only(timers.iter().map(|t| t.timer_id.as_str()));
    }
    let now = Instant::now();
    let ready = timers
        .into_iter()
        .filter(|timer| !backoff.is_waiting(&timer.timer_id, now))
        .take(batch_max.max(0) as usize)
        .collect::<Vec<_>>();
    for timer in ready {
        // Stopping, or the lease went to another instance, which fires the rest.
        if !may_go_on() {
            break;
        }
        let timer_id = timer.timer_id.clone();
        let kind = timer.kind;
        match fire(timer).await {
            Ok(()) => {
                tracing::debug!(timer = %timer_id, %kind, "timer fired");
                backoff.fired(&timer_id, now);
            }
            Err(reason) => {
                let wait = backoff.refused(&timer_id, now);
                tracing::info!(
                    timer = %timer_id, %kind, %reason, retry_in_s = wait.as_secs(),
                    "timer's command was refused"
                );
            }
        }
    }
    Ok(())
}

/// When each recently fired timer may fire again.
pub(super) struct Backoff {
    first: Duration,
    last: Duration,
    entries: HashMap<String, Wait>,
}

struct Wait {
    until: Instant,
    /// The wait after the next refusal.
    next: Duration,
}

impl Backoff {
    pub(super) fn new(first: Duration, last: Duration) -> Backoff {
        Backoff {
            first,
            last,
            entries: HashMap::new(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(super) fn is_waiting(&self, timer_id: &str, now: Instant) -> bool {
        self.entries
            .get(timer_id)
            .is_some_and(|wait| now < wait.until)
    }

    /// Fired and accepted: wait a little for the projection to delete it.
    pub(super) fn fired(&mut self, timer_id: &str, now: Instant) {
        self.insert(
            timer_id,
            Wait {
                until: now + self.first,
                next: self.first,
            },
        );
    }

    /// Refused: wait twice as long as last time. Returns the wait.
    pub(super) fn refused(&mut self, timer_id: &str, now: Instant) -> Duration {
        let wait = self.entries.get(timer_id).map_or(self.first, |w| w.next);
        self.insert(
            timer_id,
            Wait {
                until: now + wait,
                next: (wait * 2).min(self.last),
            },
        );
        wait
    }

    pub(super) fn keep_only<'a>(&mut self, due: impl Iterator<Item = &'a str>) {
        let due: std::collections::HashSet<&str> = due.collect();
        self.entries
            .retain(|timer_id, _| due.contains(timer_id.as_str()));
    }

    fn insert(&mut self, timer_id: &str, wait: Wait) {
        if self.entries.len() >= BACKOFF_ENTRIES_MAX && !self.entries.contains_key(timer_id) {
            let soonest = self
                .entries
                .iter()
                .min_by_key(|(_, wait)| wait.until)
                .map(|(id, _)| id.clone());
            if let Some(soonest) = soonest {
                self.entries.remove(&soonest);
            }
        }
        self.entries.insert(timer_id.to_owned(), wait);
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn a_refused_timer_waits_twice_as_long_each_time_up_to_the_last_wait() {
        let mut backoff = Backoff::new(Duration::from_secs(5), Duration::from_secs(15));
        let now = Instant::now();
        let waits: Vec<u64> = (0..4)
            .map(|_| backoff.refused("t", now).as_secs())
            .collect();
        assert_eq!(waits, [5, 10, 15, 15]);
        assert!(backoff.is_waiting("t", now + Duration::from_secs(14)));
        assert!(!backoff.is_waiting("t", now + Duration::from_secs(15)));
    }

    #[test]
    fn a_fired_timer_waits_for_the_projection_and_is_forgotten_once_resolved() {
        let mut backoff = Backoff::new(Duration::from_secs(5), Duration::from_secs(60));
        let now = Instant::now();
        backoff.fired("a", now);
        backoff.refused("b", now);
        assert!(backoff.is_waiting("a", now));
        backoff.keep_only(["b"].into_iter());
        assert_eq!(backoff.len(), 1);
        assert!(!backoff.is_waiting("a", now));
    }
}
