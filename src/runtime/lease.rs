//! The leader lease. Several instances may share one PostgreSQL journal, and
//! the projector and the timers must run on one of them at a time: two
//! projectors would take turns on the same checkpoints for nothing, and two
//! timer loops would fire every due timer twice (DESIGN.md §5).
//!
//! The lease is a session-level advisory lock on a connection of its own.
//! PostgreSQL releases it the moment that connection ends, however the holder
//! dies (`kill -9` included), so a standby instance, trying once per retry
//! interval, takes over within about one interval. The holder checks its
//! connection as often, and gives up its duties as soon as the check fails.
//!
//! SQLite needs no contest: one process serves a file, so it always leads.

use std::sync::Arc;
use std::time::Duration;

use sqlx::{AnyConnection, Connection};
use tokio::sync::watch;

use super::background::Background;
use super::projector::error_chain;

/// The advisory lock's key: the ASCII of "errand" (any fixed number shared
/// by every instance would do).
pub const LEASE_KEY: i64 = 0x6572_7261_6e64;

/// How often a standby tries to take the lease and the holder checks that it
/// still has it: the longest a dead holder's duties wait for a successor.
pub const LEASE_INTERVAL_DEFAULT: Duration = Duration::from_secs(1);

/// The gauge that says whether this instance holds the lease (1) or not (0).
pub const LEASE_GAUGE: &str = "errand_lease_held";

/// Whether this instance leads. Cheap to clone.
#[derive(Clone)]
pub struct Lease {
    held: watch::Receiver<bool>,
    /// Kept by every clone, so that `changed` waits instead of failing even
    /// after the contest ended.
    _announcer: Arc<watch::Sender<bool>>,
    /// The task contending for the lease; none for a sole lease.
    contest: Option<Arc<Background>>,
}

impl Lease {
    /// A lease this instance always holds: for SQLite, where one process
    /// serves a file, and for tests of one instance.
    pub fn sole() -> Lease {
        let (announcer, held) = watch::channel(true);
        Lease {
            held,
            _announcer: Arc::new(announcer),
            contest: None,
        }
    }

    /// A lease held or not as the returned sender says: for tests of what
    /// runs only under the lease.
    #[cfg(test)]
    pub(super) fn switched(held: bool) -> (Arc<watch::Sender<bool>>, Lease) {
        let (announcer, receiver) = watch::channel(held);
        let announcer = Arc::new(announcer);
        let lease = Lease {
            held: receiver,
            _announcer: Arc::clone(&announcer),
            contest: None,
        };
        (announcer, lease)
    }

    /// Contends for the lease on the PostgreSQL database at `url`. The first
    /// attempt is made before this returns, so a lone instance leads at once.
    pub async fn contend(url: &str, interval: Duration) -> Lease {
        metrics::describe_gauge!(
            LEASE_GAUGE,
            "1 while this instance holds the lease and runs the projector and timers."
        );
        let (announcer, held) = watch::channel(false);
        let announcer = Arc::new(announcer);
        let contest = Background::new("lease");
        let mut holder = Holder {
            url: url.to_owned(),
            interval,
            held: Arc::clone(&announcer),
            stop: contest.stop_signal(),
        };
        let connection = holder.try_take().await;
        if connection.is_some() {
            holder.announce(true);
        }
        contest.start(async move { holder.run(connection).await });
        Lease {
            held,
            _announcer: announcer,
            contest: Some(Arc::new(contest)),
        }
    }

    pub fn is_held(&self) -> bool {
        *self.held.borrow()
    }

    /// Follows whether the lease is held.
    pub fn watch(&self) -> watch::Receiver<bool> {
        self.held.clone()
    }

    /// Gives the lease up (a standby takes it at its next try) and stops
    /// contending. Stop the duties first: after this they may run elsewhere.
    pub async fn release(&self) {
        if let Some(contest) = &self.contest {
            contest.stop().await;
        }
    }
}

struct Holder {
    url: String,
    interval: Duration,
    held: Arc<watch::Sender<bool>>,
    stop: watch::Receiver<bool>,
}

impl Holder {
    async fn run(&mut self, mut connection: Option<AnyConnection>) {
        loop {
            match connection.take() {
                Some(held) => {
                    if !*self.held.borrow() {
                        self.announce(true);
                    }
                    let outcome = self.keep(held).await;
                    self.announce(false);
                    if outcome == Kept::UntilStopped {
                        return;
                    }
                }
                None if *self.stop.borrow() => return,
                None => {}
            }
            if self.rest().await == Rested::Stopped {
                return;
            }
            connection = self.try_take().await;
        }
    }

    /// One attempt: the connection holding the lock, or `None`.
    async fn try_take(&self) -> Option<AnyConnection> {
        let attempt = async {
            let mut connection = AnyConnection::connect(&self.url).await?;
            let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                .bind(LEASE_KEY)
                .fetch_one(&mut connection)
                .await?;
            Ok::<_, sqlx::Error>(taken.then_some(connection))
        };
        match attempt.await {
            Ok(connection) => connection,
            Err(error) => {
                tracing::warn!(error = %error_chain(&error), "contending for the lease failed");
                None
            }
        }
    }

    /// Holds the lease until its connection fails or the lease is released.
    async fn keep(&mut self, mut connection: AnyConnection) -> Kept {
        loop {
            if self.rest().await == Rested::Stopped {
                let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(LEASE_KEY)
                    .execute(&mut connection)
                    .await;
                if let Err(error) = unlocked.map(drop).and(connection.close().await) {
                    // Closing the session releases the lock anyway.
                    tracing::debug!(%error, "releasing the lease's connection failed");
                }
                return Kept::UntilStopped;
            }
            if let Err(error) = connection.ping().await {
                tracing::warn!(
                    error = %error_chain(&error),
                    "the lease's connection failed: this instance stops projecting and firing timers"
                );
                return Kept::UntilLost;
            }
        }
    }

    async fn rest(&mut self) -> Rested {
        if *self.stop.borrow() {
            return Rested::Stopped;
        }
        tokio::select! {
            _ = self.stop.changed() => Rested::Stopped,
            _ = tokio::time::sleep(self.interval) => Rested::Awake,
        }
    }

    fn announce(&self, held: bool) {
        if held {
            tracing::info!("this instance holds the lease: it runs the projector and timers");
        } else {
            tracing::info!("this instance no longer holds the lease");
        }
        metrics::gauge!(LEASE_GAUGE).set(if held { 1.0 } else { 0.0 });
        self.held.send_replace(held);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kept {
    UntilStopped,
    UntilLost,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rested {
    Stopped,
    Awake,
}
