//! The loop the timers, the auto-bidder and the payout and charge sweeps
//! share: while this instance holds the lease, every interval, read a
//! bounded batch of due work, leave out what is backing off, and run the
//! rest one item after another. What is due, how one item runs and what the
//! log says of it are a [`DueWork`]'s; the ticks, the lease, the back-off
//! and stopping are here.
//!
//! The poller never resolves an item: the item's own projection does, when
//! it sees the event that running it appended. So an item that failed,
//! was lost or was cut short by a crash is simply run again later.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior};

use super::background::Background;
use super::lease::Lease;
use super::projector::error_chain;

/// After a run, the same item waits this long before it may run again: time
/// for the projection to see the resolving event and delete or mark the row.
/// Each failure doubles the wait, up to `BACKOFF_LAST_DEFAULT`, so an item
/// that keeps failing costs one command every few minutes.
pub const BACKOFF_FIRST_DEFAULT: Duration = Duration::from_secs(5);
pub const BACKOFF_LAST_DEFAULT: Duration = Duration::from_secs(10 * 60);

/// Items remembered as backing off. A backlog larger than this is a bug
/// elsewhere; past it the entry due soonest is forgotten (and may run early).
const BACKOFF_ENTRIES_MAX: usize = 10_000;

/// What a leased poller runs: which work is due, how one item of it runs,
/// and what the log says of it.
pub(super) trait DueWork: Send + Sync + 'static {
    /// One row of due work. Cloned to be handed to `run`, so the log can
    /// still name it afterwards.
    type Item: Clone + Send + 'static;

    /// What each tick reads, for the log when reading fails ("due timers").
    const READS: &'static str;

    /// Up to `limit` items due now, the most urgent first.
    fn due(&self, limit: i64) -> impl Future<Output = Result<Vec<Self::Item>, sqlx::Error>> + Send;

    /// The item's id, by which it backs off.
    fn id(item: &Self::Item) -> &str;

    /// Runs one item. `Err` says why it did not go through; it is run again
    /// after a wait that doubles each time.
    fn run(&self, item: Self::Item) -> impl Future<Output = Result<(), String>> + Send;

    /// Logs an item that ran.
    fn ran(_item: &Self::Item) {}

    /// Logs an item that did not, and how long until it is run again.
    fn failed(item: &Self::Item, reason: &str, retry_in: Duration);
}

/// A running poller; it runs until `stop`.
pub struct PollerHandle {
    background: Background,
}

impl PollerHandle {
    /// Stops after the item being run, and waits for it.
    pub async fn stop(&self) {
        self.background.stop().await;
    }
}

/// How often a poller looks, and how much it runs per look.
#[derive(Debug, Clone, Copy)]
pub(super) struct Polling {
    pub interval: Duration,
    /// Items run per tick, one after another: bounds the commands one tick
    /// sends to the bus. A backlog drains at this many per tick.
    pub batch_max: i64,
    pub backoff_first: Duration,
    pub backoff_last: Duration,
}

/// Starts polling `work` as the background task `name`: every
/// `polling.interval`, while `lease` is held, it runs up to
/// `polling.batch_max` due items that are not backing off.
pub(super) fn start<W: DueWork>(
    name: &'static str,
    lease: Lease,
    polling: Polling,
    work: W,
) -> PollerHandle {
    let poller = Poller {
        work,
        lease,
        batch_max: polling.batch_max,
        backoff: Backoff::new(polling.backoff_first, polling.backoff_last),
    };
    let background = Background::new(name);
    background.start(poller.run(polling.interval, background.stop_signal()));
    PollerHandle { background }
}

struct Poller<W> {
    work: W,
    lease: Lease,
    batch_max: i64,
    backoff: Backoff,
}

impl<W: DueWork> Poller<W> {
    async fn run(mut self, interval: Duration, mut stop: watch::Receiver<bool>) {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.changed() => return,
                _ = ticks.tick() => {}
            }
            if !self.lease.is_held() {
                continue;
            }
            if let Err(error) = self.tick(&stop).await {
                if matches!(error, sqlx::Error::PoolClosed) {
                    return;
                }
                tracing::warn!(
                    error = %error_chain(&error),
                    "reading {} failed; trying again next tick", W::READS
                );
            }
        }
    }

    /// Runs up to `batch_max` due items that are not backing off.
    async fn tick(&mut self, stop: &watch::Receiver<bool>) -> Result<(), sqlx::Error> {
        // Ask for enough rows to find `batch_max` that are not backing off.
        let limit = self.batch_max + self.backoff.len() as i64;
        let items = self.work.due(limit).await?;
        if (items.len() as i64) < limit {
            // Every due item was listed: those remembered but absent are resolved.
            self.backoff.keep_only(items.iter().map(W::id));
        }
        let now = Instant::now();
        let ready = items
            .into_iter()
            .filter(|item| !self.backoff.is_waiting(W::id(item), now))
            .take(self.batch_max.max(0) as usize)
            .collect::<Vec<_>>();
        for item in ready {
            // Stopping, or the lease went to another instance, which runs the rest.
            if *stop.borrow() || !self.lease.is_held() {
                break;
            }
            match self.work.run(item.clone()).await {
                Ok(()) => {
                    W::ran(&item);
                    self.backoff.ran(W::id(&item), now);
                }
                Err(reason) => {
                    let wait = self.backoff.failed(W::id(&item), now);
                    W::failed(&item, &reason, wait);
                }
            }
        }
        Ok(())
    }
}

/// When each recently run item may run again.
struct Backoff {
    first: Duration,
    last: Duration,
    entries: HashMap<String, Wait>,
}

struct Wait {
    until: Instant,
    /// The wait after the next failure.
    next: Duration,
}

impl Backoff {
    fn new(first: Duration, last: Duration) -> Backoff {
        Backoff {
            first,
            last,
            entries: HashMap::new(),
        }
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    fn is_waiting(&self, id: &str, now: Instant) -> bool {
        self.entries.get(id).is_some_and(|wait| now < wait.until)
    }

    /// Ran: wait a little for the projection to resolve it.
    fn ran(&mut self, id: &str, now: Instant) {
        self.insert(
            id,
            Wait {
                until: now + self.first,
                next: self.first,
            },
        );
    }

    /// Failed: wait twice as long as last time. Returns the wait.
    fn failed(&mut self, id: &str, now: Instant) -> Duration {
        let wait = self.entries.get(id).map_or(self.first, |w| w.next);
        self.insert(
            id,
            Wait {
                until: now + wait,
                next: (wait * 2).min(self.last),
            },
        );
        wait
    }

    fn keep_only<'a>(&mut self, due: impl Iterator<Item = &'a str>) {
        let due: HashSet<&str> = due.collect();
        self.entries.retain(|id, _| due.contains(id.as_str()));
    }

    fn insert(&mut self, id: &str, wait: Wait) {
        if self.entries.len() >= BACKOFF_ENTRIES_MAX && !self.entries.contains_key(id) {
            let soonest = self
                .entries
                .iter()
                .min_by_key(|(_, wait)| wait.until)
                .map(|(id, _)| id.clone());
            if let Some(soonest) = soonest {
                self.entries.remove(&soonest);
            }
        }
        self.entries.insert(id.to_owned(), wait);
    }
}

#[cfg(test)]
mod unit {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[test]
    fn a_failed_item_waits_twice_as_long_each_time_up_to_the_last_wait() {
        let mut backoff = Backoff::new(Duration::from_secs(5), Duration::from_secs(15));
        let now = Instant::now();
        let waits: Vec<u64> = (0..4).map(|_| backoff.failed("t", now).as_secs()).collect();
        assert_eq!(waits, [5, 10, 15, 15]);
        assert!(backoff.is_waiting("t", now + Duration::from_secs(14)));
        assert!(!backoff.is_waiting("t", now + Duration::from_secs(15)));
    }

    #[test]
    fn an_item_that_ran_waits_for_the_projection_and_is_forgotten_once_resolved() {
        let mut backoff = Backoff::new(Duration::from_secs(5), Duration::from_secs(60));
        let now = Instant::now();
        backoff.ran("a", now);
        backoff.failed("b", now);
        assert!(backoff.is_waiting("a", now));
        backoff.keep_only(["b"].into_iter());
        assert_eq!(backoff.len(), 1);
        assert!(!backoff.is_waiting("a", now));
    }

    /// Ticks in the tests below: short, so each test takes well under a second.
    const TICK: Duration = Duration::from_millis(10);

    /// Long enough for many ticks: what has not happened by then will not.
    const SEVERAL_TICKS: Duration = Duration::from_millis(150);

    /// Long enough for anything here, short enough that a hang fails fast.
    const WAIT: Duration = Duration::from_secs(10);

    fn polling() -> Polling {
        Polling {
            interval: TICK,
            batch_max: 10,
            backoff_first: Duration::from_secs(60),
            backoff_last: Duration::from_secs(60),
        }
    }

    /// Due work in memory: an item leaves `due` once it ran, as a
    /// projection would take its row away.
    #[derive(Clone, Default)]
    struct Queue(Arc<Mutex<Shelf>>);

    #[derive(Default)]
    struct Shelf {
        due: Vec<String>,
        ran: Vec<String>,
        reads: usize,
        attempts: usize,
        /// Reading fails with this, when set.
        read_error: Option<fn() -> sqlx::Error>,
        /// Items that fail instead of running.
        failing: HashSet<String>,
        /// The lease, taken away from this instance when any item runs.
        lost_when_run: Option<Arc<watch::Sender<bool>>>,
    }

    impl Queue {
        fn shelf(&self) -> std::sync::MutexGuard<'_, Shelf> {
            self.0.lock().unwrap()
        }

        fn push(&self, item: &str) {
            self.shelf().due.push(item.to_owned());
        }

        fn ran(&self) -> Vec<String> {
            self.shelf().ran.clone()
        }

        async fn until_ran(&self, count: usize) {
            let started = Instant::now();
            while self.ran().len() < count {
                assert!(started.elapsed() < WAIT, "ran only {:?}", self.ran());
                tokio::time::sleep(TICK).await;
            }
        }
    }

    impl DueWork for Queue {
        type Item = String;
        const READS: &'static str = "the test's queue";

        fn due(&self, limit: i64) -> impl Future<Output = Result<Vec<String>, sqlx::Error>> + Send {
            let mut shelf = self.shelf();
            shelf.reads += 1;
            let due = match shelf.read_error {
                Some(error) => Err(error()),
                None => Ok(shelf.due.iter().take(limit as usize).cloned().collect()),
            };
            async move { due }
        }

        fn id(item: &String) -> &str {
            item
        }

        fn run(&self, item: String) -> impl Future<Output = Result<(), String>> + Send {
            let mut shelf = self.shelf();
            shelf.attempts += 1;
            if let Some(lease) = &shelf.lost_when_run {
                lease.send_replace(false);
            }
            let outcome = if shelf.failing.contains(&item) {
                Err("refused".to_owned())
            } else {
                shelf.due.retain(|due| *due != item);
                shelf.ran.push(item);
                Ok(())
            };
            async move { outcome }
        }

        fn failed(_item: &String, _reason: &str, _retry_in: Duration) {}
    }

    #[tokio::test]
    async fn due_work_runs_only_while_the_lease_is_held_and_never_after_stop() {
        let (holding, lease) = Lease::switched(false);
        let queue = Queue::default();
        queue.push("a");
        let poller = start("test", lease, polling(), queue.clone());

        tokio::time::sleep(SEVERAL_TICKS).await;
        assert!(queue.ran().is_empty(), "ran without the lease");
        assert_eq!(queue.shelf().reads, 0, "read without the lease");

        holding.send_replace(true);
        queue.until_ran(1).await;

        holding.send_replace(false);
        queue.push("b");
        tokio::time::sleep(SEVERAL_TICKS).await;
        assert_eq!(queue.ran(), ["a"], "ran after the lease was lost");

        holding.send_replace(true);
        queue.until_ran(2).await;
        assert_eq!(queue.ran(), ["a", "b"]);

        poller.stop().await;
        queue.push("c");
        tokio::time::sleep(SEVERAL_TICKS).await;
        assert_eq!(queue.ran(), ["a", "b"], "ran after stopping");
    }

    #[tokio::test]
    async fn losing_the_lease_mid_batch_leaves_the_rest_of_the_batch_to_the_next_holder() {
        let (holding, lease) = Lease::switched(true);
        let queue = Queue::default();
        for item in ["a", "b", "c"] {
            queue.push(item);
        }
        // Another instance takes the lease while "a" runs.
        queue.shelf().lost_when_run = Some(holding);
        let poller = start("test", lease, polling(), queue.clone());
        queue.until_ran(1).await;
        tokio::time::sleep(SEVERAL_TICKS).await;
        poller.stop().await;
        assert_eq!(queue.ran(), ["a"]);
    }

    #[tokio::test]
    async fn a_failed_item_waits_while_the_others_run_every_tick() {
        let (_holding, lease) = Lease::switched(true);
        let queue = Queue::default();
        queue.push("refused");
        queue.shelf().failing.insert("refused".to_owned());
        let poller = start("test", lease, polling(), queue.clone());
        queue.push("a");
        queue.until_ran(1).await;
        queue.push("b");
        queue.until_ran(2).await;
        poller.stop().await;
        // Every tick read "refused" as due; it ran once, then waited its minute.
        assert_eq!(queue.shelf().attempts, 3);
        assert_eq!(queue.ran(), ["a", "b"]);
    }

    #[tokio::test]
    async fn a_closed_pool_ends_the_poller() {
        let (_holding, lease) = Lease::switched(true);
        let queue = Queue::default();
        queue.shelf().read_error = Some(|| sqlx::Error::PoolClosed);
        let poller = start("test", lease, polling(), queue.clone());
        tokio::time::sleep(SEVERAL_TICKS).await;
        assert_eq!(queue.shelf().reads, 1);
        poller.stop().await;
    }

    #[tokio::test]
    async fn a_failed_read_is_tried_again_next_tick() {
        let (_holding, lease) = Lease::switched(true);
        let queue = Queue::default();
        queue.shelf().read_error = Some(|| sqlx::Error::PoolTimedOut);
        queue.push("a");
        let poller = start("test", lease, polling(), queue.clone());
        tokio::time::sleep(SEVERAL_TICKS).await;
        assert!(queue.shelf().reads > 1);
        assert!(queue.ran().is_empty());
        queue.shelf().read_error = None;
        queue.until_ran(1).await;
        poller.stop().await;
    }
}
