//! The `Journal` handle: what the command bus, the projectors and `errand verify` call.

use std::sync::Arc;

use sqlx::{Any, AnyPool, Transaction};
use tokio::sync::{mpsc, oneshot, watch, Mutex, Notify};

use super::batch::{AppendBatch, Appended, StoredResponse};
use super::commit::GroupStore;
use super::connect::{connect, Backend, JournalOptions};
use super::error::{AppendError, JournalError};
use super::event::RecordedEvent;
use super::limits::{APPEND_QUEUE_CAPACITY, READ_ALL_LIMIT_MAX};
use super::lock::{read_head, WriteGate, WriteTurn};
use super::reads;
use super::recent::{CommittedEvent, RecentEvents, RECENT_EVENTS_CAPACITY};
use super::stats::{GroupCommitCounters, GroupCommitStats};
use super::verify::{verify_chain, ChainReport};
use super::writer::{AppendRequest, Stopped, Writer};

/// The event journal. Cheap to clone: every clone shares one pool and one writer.
#[derive(Clone)]
pub struct Journal {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Journal")
            .field("backend", &self.shared.backend)
            .finish_non_exhaustive()
    }
}

struct Shared {
    pool: AnyPool,
    backend: Backend,
    gate: WriteGate,
    /// The writer's queue, bounded by `APPEND_QUEUE_CAPACITY`.
    requests: mpsc::Sender<AppendRequest>,
    head: watch::Receiver<i64>,
    counters: Arc<GroupCommitCounters>,
    shutdown: Arc<Notify>,
    /// This process's last commits, for `read_committed`.
    recent: Arc<RecentEvents>,
    /// Taken by the first `close`. An async mutex, held while the writer drains, so a
    /// concurrent `close` waits for the drain instead of closing the pool under it.
    writer: Mutex<Option<Stopped>>,
}

impl Journal {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://…`), applies every pending
    /// migration of the backend's folder (the journal's and the read models'), and starts the
    /// group-commit writer.
    pub async fn open(url: &str, options: JournalOptions) -> Result<Journal, JournalError> {
        let (pool, backend) = connect(url, &options).await?;
        let head = read_head(&pool).await?;
        let (head_sender, head_receiver) = watch::channel(head.position);
        let (request_sender, request_receiver) = mpsc::channel(APPEND_QUEUE_CAPACITY);
        let counters = Arc::new(GroupCommitCounters::default());
        let shutdown = Arc::new(Notify::new());
        let gate = WriteGate::default();
        let recent = Arc::new(RecentEvents::new(RECENT_EVENTS_CAPACITY));
        let writer = {
            let (pool, counters, shutdown, recent) = (
                pool.clone(),
                Arc::clone(&counters),
                Arc::clone(&shutdown),
                Arc::clone(&recent),
            );
            move |store| Writer {
                store,
                pool,
                backend,
                requests: request_receiver,
                head: head_sender,
                counters,
                shutdown,
                recent,
            }
        };
        let writer = match backend {
            Backend::Sqlite => writer(GroupStore::Sqlite {
                pool: pool.clone(),
                gate: gate.clone(),
            })
            .spawn(),
            Backend::Postgres => Writer::spawn_postgres(url, writer).await?,
        };
        tracing::info!(%backend, head = head.position, "journal opened");
        Ok(Journal {
            shared: Arc::new(Shared {
                pool,
                backend,
                gate,
                requests: request_sender,
                head: head_receiver,
                counters,
                shutdown,
                recent,
                writer: Mutex::new(Some(writer)),
            }),
        })
    }

    /// The pool, shared with read models and projections.
    pub fn pool(&self) -> &AnyPool {
        &self.shared.pool
    }

    /// This process's turn-taking between SQLite writers (tests hold it to form groups).
    #[cfg(test)]
    pub(crate) fn write_gate(&self) -> &WriteGate {
        &self.shared.gate
    }

    /// Begins a write transaction for a read model, taking this process's turn at writing
    /// first (see [`WriteGate`]); on SQLite with `BEGIN IMMEDIATE`, so it holds the write
    /// lock from the start and never fails to upgrade a read. Keep the turn until the
    /// transaction is committed or rolled back.
    pub async fn begin_write(&self) -> Result<(Transaction<'static, Any>, WriteTurn), sqlx::Error> {
        let turn = self.shared.gate.enter(self.shared.backend).await;
        let transaction = match self.shared.backend {
            Backend::Sqlite => self.shared.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.shared.pool.begin().await?,
        };
        Ok((transaction, turn))
    }

    /// Which database the journal runs on.
    pub fn backend(&self) -> Backend {
        self.shared.backend
    }

    /// Records `batch` atomically: every stream at its expected version and the idempotency
    /// key unused, or nothing at all. Concurrent appends share one transaction (group commit).
    ///
    /// Dropping the returned future after the request was queued does not withdraw it: it may
    /// still commit. Callers that retry should carry an idempotency key.
    pub async fn append(&self, batch: AppendBatch) -> Result<Appended, AppendError> {
        let outcome = self.submit(batch).await?;
        outcome.await.map_err(|_| JournalError::Closed)?
    }

    /// Validates `batch` and queues it for the writer; the receiver gets its outcome. Appends
    /// submitted one after another are committed in that order.
    pub(crate) async fn submit(
        &self,
        batch: AppendBatch,
    ) -> Result<oneshot::Receiver<Result<Appended, AppendError>>, AppendError> {
        batch.validate()?;
        let (reply, outcome) = oneshot::channel();
        self.shared
            .requests
            .send(AppendRequest { batch, reply })
            .await
            .map_err(|_| JournalError::Closed)?;
        Ok(outcome)
    }

    /// Appends waiting in the queue, not yet taken by the writer.
    #[cfg(test)]
    pub(crate) fn queued_appends(&self) -> usize {
        self.shared.requests.max_capacity() - self.shared.requests.capacity()
    }

    /// A stream's events, optionally only up to and including `until_position`.
    pub async fn read_stream(
        &self,
        stream_id: &str,
        until_position: Option<i64>,
    ) -> Result<Vec<RecordedEvent>, JournalError> {
        reads::read_stream(&self.shared.pool, stream_id, until_position).await
    }

    /// The events of several streams in one go, in position order.
    pub async fn read_streams(
        &self,
        stream_ids: &[String],
    ) -> Result<Vec<RecordedEvent>, JournalError> {
        reads::read_streams(&self.shared.pool, self.shared.backend, stream_ids).await
    }

    /// A stream's events after `after_version`, in version order.
    pub async fn read_stream_after(
        &self,
        stream_id: &str,
        after_version: i64,
    ) -> Result<Vec<RecordedEvent>, JournalError> {
        reads::read_stream_after(&self.shared.pool, stream_id, after_version).await
    }

    /// Up to `limit` events after `after_position`, in position order. `limit` is capped at
    /// `READ_ALL_LIMIT_MAX` (10,000); fewer events than asked for means the end was reached.
    pub async fn read_all(
        &self,
        after_position: i64,
        limit: u32,
    ) -> Result<Vec<RecordedEvent>, JournalError> {
        reads::read_all(&self.shared.pool, after_position, limit).await
    }

    /// Up to `limit` (at most `READ_ALL_LIMIT_MAX`) events after `after_position`, with only
    /// what projections read. Events this process committed recently come from memory
    /// (`recent.rs`), the rest from the table.
    pub async fn read_committed(
        &self,
        after_position: i64,
        limit: u32,
    ) -> Result<Vec<Arc<CommittedEvent>>, JournalError> {
        let limit = limit.min(READ_ALL_LIMIT_MAX);
        if let Some(events) = self.shared.recent.after(after_position, limit as usize) {
            return Ok(events);
        }
        reads::read_committed(&self.shared.pool, after_position, limit).await
    }

    /// A stream's current version; 0 when it does not exist.
    pub async fn stream_version(&self, stream_id: &str) -> Result<i64, JournalError> {
        reads::stream_version(&self.shared.pool, stream_id).await
    }

    /// The last committed position (by any process); 0 when the journal is empty.
    pub async fn head(&self) -> Result<i64, JournalError> {
        Ok(read_head(&self.shared.pool).await?.position)
    }

    /// The head as of this process's last commit, bumped after each one. Commits by other
    /// processes sharing the database show up only with this process's next commit.
    pub fn watch_head(&self) -> watch::Receiver<i64> {
        self.shared.head.clone()
    }

    /// The response stored under (principal, key), if any.
    pub async fn stored_response(
        &self,
        principal: &str,
        key: &str,
    ) -> Result<Option<StoredResponse>, JournalError> {
        reads::stored_response(&self.shared.pool, principal, key).await
    }

    /// Recomputes every hash from the genesis hash and checks positions run 1..N up to the head.
    pub async fn verify_chain(&self) -> Result<ChainReport, JournalError> {
        verify_chain(&self.shared.pool).await
    }

    /// How well concurrent appends are being grouped, since `open`.
    pub fn group_commit_stats(&self) -> GroupCommitStats {
        self.shared.counters.snapshot()
    }

    /// Commits every queued append, stops the writer and closes the pool. Appends after this
    /// fail with `JournalError::Closed`.
    pub async fn close(&self) {
        self.shared.shutdown.notify_one();
        let mut writer = self.shared.writer.lock().await;
        if let Some(running) = writer.take() {
            if running.await.is_err() {
                tracing::error!("the journal writer stopped without finishing its queue");
            }
        }
        self.shared.pool.close().await;
    }
}
