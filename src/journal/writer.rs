//! The group-commit writer: one task that owns the append queue. It takes the first waiting
//! request, drains whatever else is queued (within the group bounds), and commits them all in
//! one transaction, so one fsync serves many commands. Each request keeps its own checks.
//!
//! Before committing, it waits briefly for the callers it just answered (see `Expected`):
//! otherwise callers that send their next command right after a reply split into two
//! alternating halves, each group carrying half of them.
//!
//! On PostgreSQL the writer runs on a thread of its own, with its own runtime and its own
//! connection: every command waits for its commits, and on the shared runtime each of a
//! group's round trips waited for a worker busy with request handling (and for that
//! runtime's I/O driver to be polled) before the writer saw the reply.

use std::sync::Arc;
use std::time::Duration;

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot, watch, Notify};
use tokio::time::Instant;

use super::batch::{AppendBatch, Appended};
use super::commit::{commit_group, CommittedGroup, GroupStore};
use super::connect::{connect_postgres_writer, Backend};
use super::constraint::{explain_violation, violated_constraint};
use super::error::{AppendError, JournalError};
use super::limits::{GROUP_BYTES_MAX, GROUP_EVENTS_MAX, GROUP_LINGER_MAX, GROUP_REQUESTS_MAX};
use super::recent::RecentEvents;
use super::stats::GroupCommitCounters;

/// One queued append and where to send its outcome.
pub(crate) struct AppendRequest {
    pub batch: AppendBatch,
    pub reply: oneshot::Sender<Result<Appended, AppendError>>,
}

pub(crate) struct Writer {
    /// Where groups commit.
    pub store: GroupStore,
    /// The shared pool, for explaining a request's unique violation after the fact.
    pub pool: AnyPool,
    pub backend: Backend,
    pub requests: mpsc::Receiver<AppendRequest>,
    /// Bumped to the new head after every commit.
    pub head: watch::Sender<i64>,
    pub counters: Arc<GroupCommitCounters>,
    /// Notified by `close`: stop waiting for new requests, commit the queued ones, exit.
    pub shutdown: Arc<Notify>,
    /// Where committed events are kept for this process's projector.
    pub recent: Arc<RecentEvents>,
}

/// A request taken from the queue that did not fit in the group being formed; it opens the next.
type Carried = Option<AppendRequest>;

/// How many requests the next group may expect, and until when it waits for them: those that
/// queued while the last group committed, plus the callers that group just answered, who
/// mostly come straight back with their next command. Waiting for them costs at most a
/// fraction of a commit and lets one fsync serve all of them.
#[derive(Debug, Clone, Copy)]
struct Expected {
    requests: usize,
    until: Instant,
}

impl Expected {
    /// Nothing to wait for: the first group, and groups while closing.
    fn nothing() -> Expected {
        Expected {
            requests: 0,
            until: Instant::now(),
        }
    }

    /// After a commit of `answered` requests that took `took`, with `queued` waiting.
    fn after(answered: usize, queued: usize, took: Duration) -> Expected {
        Expected {
            requests: (answered + queued).min(GROUP_REQUESTS_MAX),
            until: Instant::now() + (took / 2).min(GROUP_LINGER_MAX),
        }
    }
}

/// Resolves when the writer has stopped (an error if it panicked).
pub(crate) type Stopped = oneshot::Receiver<()>;

impl Writer {
    /// Runs the writer as a task of the current runtime (SQLite's: its pool, shared with the
    /// read models, does its I/O on threads of its own).
    pub(crate) fn spawn(self) -> Stopped {
        let (stopped, on_stop) = oneshot::channel();
        tokio::spawn(async move {
            self.run().await;
            let _ = stopped.send(());
        });
        on_stop
    }

    /// Connects the writer's own PostgreSQL pool to `url` and runs the writer with it, both on
    /// a thread and runtime of their own (see the module's doc); `writer` is given the store.
    /// Returns once connected.
    pub(crate) async fn spawn_postgres(
        url: &str,
        writer: impl FnOnce(GroupStore) -> Writer + Send + 'static,
    ) -> Result<Stopped, JournalError> {
        let url = url.to_owned();
        let (connected, on_connect) = oneshot::channel();
        let (stopped, on_stop) = oneshot::channel();
        std::thread::Builder::new()
            .name("journal-writer".to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        let _ = connected.send(Err(JournalError::WriterThread(Arc::new(error))));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match connect_postgres_writer(&url).await {
                        Ok(pool) => {
                            let _ = connected.send(Ok(()));
                            writer(GroupStore::Postgres(pool)).run().await;
                            let _ = stopped.send(());
                        }
                        Err(error) => {
                            let _ = connected.send(Err(error));
                        }
                    }
                });
            })
            .map_err(|error| JournalError::WriterThread(Arc::new(error)))?;
        on_connect.await.map_err(|_| JournalError::Closed)??;
        Ok(on_stop)
    }

    async fn run(mut self) {
        let mut carried: Carried = None;
        let mut expected = Expected::nothing();
        loop {
            let first = tokio::select! {
                biased;
                () = self.shutdown.notified() => break,
                first = next_request(&mut self.requests, &mut carried) => first,
            };
            // None: every `Journal` handle was dropped without `close`.
            let Some(first) = first else { return };
            let mut group = fill_group(first, &mut self.requests, &mut carried);
            if carried.is_none() {
                tokio::select! {
                    biased;
                    () = self.shutdown.notified() => {}
                    () = linger(&mut group, &mut self.requests, &mut carried, expected) => {}
                }
            }
            let started = Instant::now();
            let answered = group.requests.len();
            self.commit(group.requests).await;
            let took = started.elapsed();
            metrics::histogram!("errand_journal_group_commit_seconds").record(took.as_secs_f64());
            expected = Expected::after(answered, self.requests.len(), took);
        }
        // Closing: refuse new appends, but commit everything already queued.
        self.requests.close();
        while let Some(first) = next_request(&mut self.requests, &mut carried).await {
            let group = fill_group(first, &mut self.requests, &mut carried);
            self.commit(group.requests).await;
        }
        if let GroupStore::Postgres(pool) = &self.store {
            pool.close().await;
        }
    }

    /// Commits one group and answers every request in it.
    async fn commit(&mut self, group: Vec<AppendRequest>) {
        let (batches, replies): (Vec<AppendBatch>, Vec<_>) = group
            .into_iter()
            .map(|request| (request.batch, request.reply))
            .unzip();
        let outcomes = self.commit_or_isolate(&batches).await;
        let conflicts = outcomes
            .iter()
            .filter(|outcome| matches!(outcome, Err(AppendError::VersionConflict { .. })))
            .count();
        metrics::counter!("errand_journal_conflicts_total").increment(conflicts as u64);
        for (reply, outcome) in replies.into_iter().zip(outcomes) {
            // A closed receiver means the caller stopped waiting; its append stands regardless.
            let _ = reply.send(outcome);
        }
    }

    /// Commits the group as one transaction. If that fails on a unique violation, one request
    /// is at fault (a reused event id, or a writer that bypassed the head lock): commit each
    /// request alone so only that one fails. Any other failure fails the whole group, and
    /// nothing in it is acknowledged.
    async fn commit_or_isolate(
        &mut self,
        batches: &[AppendBatch],
    ) -> Vec<Result<Appended, AppendError>> {
        let group: Vec<&AppendBatch> = batches.iter().collect();
        let failure = match commit_group(&self.store, &group).await {
            Ok(committed) => return self.publish(committed),
            Err(failure) => failure,
        };
        let is_unique_violation = failure.sqlx_error().and_then(violated_constraint).is_some();
        if !is_unique_violation {
            tracing::warn!(error = %failure, requests = batches.len(), "group commit failed");
            return batches
                .iter()
                .map(|_| Err(AppendError::Journal(failure.clone())))
                .collect();
        }
        if let [batch] = batches {
            return vec![Err(self.explain(batch, failure).await)];
        }
        let mut outcomes = Vec::with_capacity(batches.len());
        for batch in batches {
            let outcome = match commit_group(&self.store, &[batch]).await {
                Ok(committed) => self.publish(committed),
                Err(error) => vec![Err(self.explain(batch, error).await)],
            };
            outcomes.extend(outcome);
        }
        outcomes
    }

    /// The error a request that failed on its own should get.
    async fn explain(&self, batch: &AppendBatch, error: JournalError) -> AppendError {
        explain_violation(&self.pool, self.backend, batch, error).await
    }

    /// Makes a committed group known: the head watch, the counters, the metrics.
    fn publish(&mut self, group: CommittedGroup) -> Vec<Result<Appended, AppendError>> {
        let events_written = group.events.len();
        // Before the head moves, so a projector woken by it finds them here.
        self.recent.extend(group.events);
        self.head.send_if_modified(|head| {
            let advanced = group.head_position > *head;
            *head = (*head).max(group.head_position);
            advanced
        });
        self.counters.record_group(group.outcomes.len());
        metrics::counter!("errand_journal_events_appended_total").increment(events_written as u64);
        metrics::histogram!("errand_journal_batch_requests").record(group.outcomes.len() as f64);
        group.outcomes
    }
}

/// The carried-over request if there is one, else the next from the queue (waiting for it).
async fn next_request(
    requests: &mut mpsc::Receiver<AppendRequest>,
    carried: &mut Carried,
) -> Option<AppendRequest> {
    match carried.take() {
        Some(request) => Some(request),
        None => requests.recv().await,
    }
}

/// A group being formed, with its running totals for the group bounds.
struct Forming {
    requests: Vec<AppendRequest>,
    events: usize,
    bytes: usize,
}

impl Forming {
    fn new(first: AppendRequest) -> Forming {
        Forming {
            events: first.batch.event_count(),
            bytes: first.batch.body_bytes(),
            requests: vec![first],
        }
    }

    /// Adds `next` if the group bounds allow; otherwise carries it and says the group is full.
    fn admit(&mut self, next: AppendRequest, carried: &mut Carried) -> bool {
        let events = self.events + next.batch.event_count();
        let bytes = self.bytes + next.batch.body_bytes();
        let fits = self.requests.len() < GROUP_REQUESTS_MAX
            && events <= GROUP_EVENTS_MAX
            && bytes <= GROUP_BYTES_MAX;
        if fits {
            self.events = events;
            self.bytes = bytes;
            self.requests.push(next);
        } else {
            *carried = Some(next);
        }
        fits
    }
}

/// `first`, plus whatever is queued right now, within the group bounds. It never waits.
fn fill_group(
    first: AppendRequest,
    requests: &mut mpsc::Receiver<AppendRequest>,
    carried: &mut Carried,
) -> Forming {
    let mut group = Forming::new(first);
    while let Ok(next) = requests.try_recv() {
        if !group.admit(next, carried) {
            break;
        }
    }
    group
}

/// Adds to `group` the requests that arrive until it holds what `expected` says, the deadline
/// passes, or it is full (the request that does not fit is carried to the next group).
async fn linger(
    group: &mut Forming,
    requests: &mut mpsc::Receiver<AppendRequest>,
    carried: &mut Carried,
    expected: Expected,
) {
    while group.requests.len() < expected.requests {
        match tokio::time::timeout_at(expected.until, requests.recv()).await {
            Ok(Some(next)) => {
                if !group.admit(next, carried) {
                    return;
                }
            }
            // Closed, or the deadline passed.
            Ok(None) | Err(_) => return,
        }
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn a_group_waits_at_most_half_the_last_commit_and_never_past_the_bound() {
        let before = Instant::now();
        let short = Expected::after(3, 2, Duration::from_micros(800));
        assert_eq!(short.requests, 5);
        assert!(short.until <= Instant::now() + Duration::from_micros(400));
        assert!(short.until >= before + Duration::from_micros(400));
        let long = Expected::after(GROUP_REQUESTS_MAX, 9, Duration::from_secs(1));
        assert_eq!(long.requests, GROUP_REQUESTS_MAX);
        assert!(long.until <= Instant::now() + GROUP_LINGER_MAX);
    }
}
