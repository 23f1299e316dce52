//! The group-commit writer: one task that owns the append queue. It takes the first waiting
//! request, drains whatever else is queued (within the group bounds), and commits them all in
//! one transaction, so one fsync serves many commands. Each request keeps its own checks.

use std::sync::Arc;

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot, watch, Notify};
use tokio::task::JoinHandle;

use super::batch::{AppendBatch, Appended};
use super::commit::{commit_group, CommittedGroup};
use super::connect::Backend;
use super::constraint::{explain_violation, violated_constraint};
use super::error::{AppendError, JournalError};
use super::limits::{GROUP_BYTES_MAX, GROUP_EVENTS_MAX, GROUP_REQUESTS_MAX};
use super::lock::WriteGate;
use super::stats::GroupCommitCounters;

/// One queued append and where to send its outcome.
pub(crate) struct AppendRequest {
    pub batch: AppendBatch,
    pub reply: oneshot::Sender<Result<Appended, AppendError>>,
}

pub(crate) struct Writer {
    pub pool: AnyPool,
    pub backend: Backend,
    pub gate: WriteGate,
    pub requests: mpsc::Receiver<AppendRequest>,
    /// Bumped to the new head after every commit.
    pub head: watch::Sender<i64>,
    pub counters: Arc<GroupCommitCounters>,
    /// Notified by `close`: stop waiting for new requests, commit the queued ones, exit.
    pub shutdown: Arc<Notify>,
}

/// A request taken from the queue that did not fit in the group being formed; it opens the next.
type Carried = Option<AppendRequest>;

impl Writer {
    pub(crate) fn spawn(self) -> JoinHandle<()> {
        tokio::spawn(self.run())
    }

    async fn run(mut self) {
        let mut carried: Carried = None;
        loop {
            let first = tokio::select! {
                biased;
                () = self.shutdown.notified() => break,
                first = next_request(&mut self.requests, &mut carried) => first,
            };
            // None: every `Journal` handle was dropped without `close`.
            let Some(first) = first else { return };
            let group = fill_group(first, &mut self.requests, &mut carried);
            self.commit(group).await;
        }
        // Closing: refuse new appends, but commit everything already queued.
        self.requests.close();
        while let Some(first) = next_request(&mut self.requests, &mut carried).await {
            let group = fill_group(first, &mut self.requests, &mut carried);
            self.commit(group).await;
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
        let failure = match commit_group(&self.pool, self.backend, &self.gate, &group).await {
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
            let outcome = match commit_group(&self.pool, self.backend, &self.gate, &[batch]).await {
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
        self.head.send_if_modified(|head| {
            let advanced = group.head_position > *head;
            *head = (*head).max(group.head_position);
            advanced
        });
        self.counters.record_group(group.outcomes.len());
        metrics::counter!("errand_journal_events_appended_total")
            .increment(group.events_written as u64);
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

/// `first`, plus whatever is queued right now, within the group bounds. It never waits: a
/// group is whatever piled up while the previous one was committing.
fn fill_group(
    first: AppendRequest,
    requests: &mut mpsc::Receiver<AppendRequest>,
    carried: &mut Carried,
) -> Vec<AppendRequest> {
    let mut events = first.batch.event_count();
    let mut bytes = first.batch.body_bytes();
    let mut group = vec![first];
    while group.len() < GROUP_REQUESTS_MAX {
        let Ok(next) = requests.try_recv() else { break };
        let next_events = events + next.batch.event_count();
        let next_bytes = bytes + next.batch.body_bytes();
        if next_events > GROUP_EVENTS_MAX || next_bytes > GROUP_BYTES_MAX {
            *carried = Some(next);
            break;
        }
        events = next_events;
        bytes = next_bytes;
        group.push(next);
    }
    group
}
