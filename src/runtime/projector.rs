//! The projector: tails the journal by position and keeps every read model up
//! to date. Each batch is applied in one transaction together with the
//! checkpoints it advances, so an event affects each read model exactly once,
//! even after a crash (DESIGN.md §5).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use errand_aggregates::event::DecodeError;
use errand_projections::{ProjectedEvent, Projection, ProjectionError, ReadModel};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use tokio::sync::watch;

use super::background::Background;
use super::lag_history::LagHistory;
use super::lease::Lease;
use crate::journal::{Backend, CommittedEvent, Journal, JournalError};

/// Events per transaction while tailing. On SQLite a batch holds the database's
/// one write lock, which the journal's writer needs too: a thousand events take
/// a few milliseconds to apply, so appends wait at most that long, while the
/// commit and the per-batch statements are shared by enough events to be cheap.
/// It also bounds the memory a batch holds (a thousand events of a few KiB).
pub const BATCH_EVENTS_DEFAULT: u32 = 1_000;

/// Events per transaction while rebuilding. Larger, because a rebuild is the
/// only writer that matters then and fewer, larger batches replay faster; it
/// is the most one journal read returns (`READ_ALL_LIMIT_MAX`).
pub const REBUILD_BATCH_EVENTS_DEFAULT: u32 = 10_000;

/// How often to look for events appended by another process: on PostgreSQL
/// several instances share one journal, and only this process's own appends
/// wake the projector at once. Short, because a client that writes through
/// one instance and reads through another waits this long at most; a look
/// that finds nothing costs one indexed query.
pub const POLL_INTERVAL_DEFAULT: Duration = Duration::from_millis(50);

/// How often an instance without the lease reads the leader's checkpoints
/// while its own appends are not projected yet (a read-your-writes query may
/// be waiting for them).
const FOLLOW_BEHIND_INTERVAL: Duration = Duration::from_millis(5);

/// After a database error the projector retries, waiting twice as long each
/// time from the first delay up to the last, so a database that is down for a
/// while is neither hammered nor waited for long once it is back.
const RETRY_DELAY_FIRST: Duration = Duration::from_millis(100);
const RETRY_DELAY_LAST: Duration = Duration::from_secs(5);

/// While the journal is busy, the projector leaves SQLite's write lock to the
/// journal's writer for this many times as long as its last batch held it, so
/// it takes at most a third of the lock's time. Only on SQLite: on PostgreSQL
/// the projector's rows and the journal's are locked apart, so there it never
/// rests (resting there left it seconds behind under load, and read models
/// that lag are what read-your-writes queries wait for). Batches then grow with the
/// load, and their fixed costs (the commit's WAL sync above all) are shared by
/// more events: under 64 posting clients this more than halved the lock
/// held per event (the commit's sync alone fell from ~40 to ~11 µs per
/// event). When the journal is idle the rest has long passed by the next
/// append, so a quiet projector is as prompt as before.
const REST_PER_HELD: u32 = 2;

/// The longest rest, so read-your-writes queries wait at most this much more
/// even after a batch that held the lock for long (a full one, say).
const REST_MAX: Duration = Duration::from_millis(20);

/// Transactions a batch is applied in, side by side, on PostgreSQL. The
/// projector's work is a chain of statements, each waiting for the one before;
/// several chains keep both the projector's thread and the database busy where
/// one left a core idle (projections fell seconds behind 64 clients with a
/// fifth of the CPU unused). Lanes are dealt by cost (`lanes`): with three so
/// balanced the read models were current half a second after 64 clients
/// stopped, against 2.4 s with two and 2.8 s with two dealt blindly.
const POSTGRES_PROJECTION_LANES: usize = 3;

/// The gauge of how many events the read models are behind the journal head.
pub const LAG_GAUGE: &str = "errand_projection_lag_events";

#[derive(Debug, Clone)]
pub struct ProjectorOptions {
    pub batch_events: u32,
    pub rebuild_batch_events: u32,
    pub poll_interval: Duration,
}

impl Default for ProjectorOptions {
    fn default() -> Self {
        ProjectorOptions {
            batch_events: BATCH_EVENTS_DEFAULT,
            rebuild_batch_events: REBUILD_BATCH_EVENTS_DEFAULT,
            poll_interval: POLL_INTERVAL_DEFAULT,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProjectorError {
    #[error("reading the journal failed")]
    Journal(#[from] JournalError),
    #[error("database error while {context}")]
    Database {
        context: &'static str,
        #[source]
        source: sqlx::Error,
    },
    /// A stored event that no longer decodes: the journal and the code
    /// disagree. Never skipped, since every read model after it would be wrong.
    #[error("the event at position {position} does not decode")]
    Decode {
        position: i64,
        #[source]
        source: DecodeError,
    },
    #[error("projection {projection} failed on positions {first} to {last}")]
    Projection {
        projection: &'static str,
        first: i64,
        last: i64,
        #[source]
        source: ProjectionError,
    },
}

impl ProjectorError {
    fn database(context: &'static str) -> impl FnOnce(sqlx::Error) -> ProjectorError {
        move |source| ProjectorError::Database { context, source }
    }

    /// Whether retrying cannot help: the events or the read models are wrong,
    /// not the database's availability.
    pub fn is_permanent(&self) -> bool {
        match self {
            ProjectorError::Decode { .. } => true,
            ProjectorError::Projection { source, .. } => {
                matches!(source, ProjectionError::Inconsistent { .. })
            }
            ProjectorError::Journal(JournalError::Corrupt(_)) => true,
            ProjectorError::Journal(_) | ProjectorError::Database { .. } => false,
        }
    }

    /// Whether the pool was closed: the process is shutting down.
    fn is_closed(&self) -> bool {
        match self {
            ProjectorError::Journal(JournalError::Closed) => true,
            ProjectorError::Database { source, .. } => matches!(source, sqlx::Error::PoolClosed),
            _ => false,
        }
    }
}

/// An error with its causes, one line: `a: b: c`.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The read models did not reach a position in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("read models are at position {projected}, not yet at {wanted}{}", if *.stopped { " (the projector has stopped)" } else { "" })]
pub struct Lagging {
    pub wanted: i64,
    pub projected: i64,
    /// The projector is not running, so waiting longer would not help.
    pub stopped: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RebuildReport {
    /// Journal events replayed.
    pub events: i64,
    pub elapsed: Duration,
}

impl RebuildReport {
    pub fn events_per_second(&self) -> f64 {
        self.events as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Progress {
    /// Every read model has applied the journal up to here.
    position: i64,
    running: bool,
}

/// Starts projectors, and rebuilds read models without one running.
pub struct ProjectionRunner;

/// A running projector. Cheap to clone; the projector runs until `stop`.
#[derive(Clone)]
pub struct ProjectionHandle {
    shared: Arc<Shared>,
}

struct Shared {
    journal: Journal,
    projections: Vec<ReadModel>,
    options: ProjectorOptions,
    /// Only the lease's holder projects; the others follow its checkpoints.
    lease: Lease,
    progress: watch::Sender<Progress>,
    background: Background,
    /// Held by the live loop for each batch and by a rebuild for all of it, so
    /// the two never interleave. A tokio mutex: it is held across awaits.
    gate: tokio::sync::Mutex<()>,
    /// The last hour's lag, per minute, for the console.
    lag_history: LagHistory,
}

impl ProjectionRunner {
    /// Starts tailing the journal with the default options. Call within a tokio runtime.
    pub fn start(journal: Journal, projections: Vec<ReadModel>) -> ProjectionHandle {
        Self::start_with(journal, projections, ProjectorOptions::default())
    }

    pub fn start_with(
        journal: Journal,
        projections: Vec<ReadModel>,
        options: ProjectorOptions,
    ) -> ProjectionHandle {
        Self::start_leased(journal, projections, options, Lease::sole())
    }

    /// Projects while `lease` is held, and otherwise follows the checkpoints
    /// of the instance that holds it.
    pub fn start_leased(
        journal: Journal,
        projections: Vec<ReadModel>,
        options: ProjectorOptions,
        lease: Lease,
    ) -> ProjectionHandle {
        metrics::describe_gauge!(
            LAG_GAUGE,
            "Events committed to the journal that the read models have not applied yet."
        );
        let shared = Arc::new(Shared {
            journal,
            projections,
            options,
            lease,
            progress: watch::Sender::new(Progress {
                position: 0,
                running: true,
            }),
            background: Background::new("projector"),
            lag_history: LagHistory::default(),
            gate: tokio::sync::Mutex::new(()),
        });
        shared.background.start(run(Arc::clone(&shared)));
        ProjectionHandle { shared }
    }

    /// Empties the projections' tables, resets their checkpoints and replays
    /// the journal from the start, calling `progress(done, head)` after each
    /// batch. For `errand replay`, with no projector running; a running one is
    /// rebuilt with [`ProjectionHandle::rebuild`].
    pub async fn rebuild(
        journal: &Journal,
        projections: &[ReadModel],
        batch_events: u32,
        mut progress: impl FnMut(i64, i64),
    ) -> Result<RebuildReport, ProjectorError> {
        let started = Instant::now();
        reset(journal, projections).await?;
        let mut head = journal.head().await?;
        progress(0, head);
        // The next page is read (and decoded) while the current one is
        // applied: on SQLite the two run on different connections and threads.
        let mut page = read_page(journal, 0, batch_events).await?;
        let done = loop {
            let last = page.events.last().map_or(page.after, |e| e.position);
            let next = page.full.then(|| {
                let journal = journal.clone();
                tokio::spawn(async move { read_page(&journal, last, batch_events).await })
            });
            let step = apply_page(journal, projections, &page).await?;
            head = head.max(step.projected);
            progress(step.projected, head);
            if !step.more {
                break step.projected;
            }
            page = match next {
                Some(next) if step.projected == last => {
                    next.await.expect("reading a page does not panic")?
                }
                // Raced by another process's rebuild: read again from where it left us.
                _ => read_page(journal, step.projected, batch_events).await?,
            };
        };
        Ok(RebuildReport {
            events: done,
            elapsed: started.elapsed(),
        })
    }
}

impl ProjectionHandle {
    /// The position every read model has applied the journal up to.
    pub fn projected_position(&self) -> i64 {
        self.shared.progress.borrow().position
    }

    /// The last hour up to `now_unix_s`, per minute: the most events the read
    /// models trailed by, `None` where the projector took no step.
    pub fn lag_history(&self, now_unix_s: i64) -> Vec<(i64, Option<i64>)> {
        self.shared.lag_history.last_hour(now_unix_s)
    }

    /// Waits until every read model has applied `position`, for read-your-writes.
    pub async fn wait_for(&self, position: i64, timeout: Duration) -> Result<(), Lagging> {
        let mut progress = self.shared.progress.subscribe();
        let settled = |p: &Progress| p.position >= position || !p.running;
        // The sender lives in `shared`, which `self` keeps alive: the wait only ends by itself.
        let _ = tokio::time::timeout(timeout, progress.wait_for(settled)).await;
        let now = *progress.borrow();
        if now.position >= position {
            Ok(())
        } else {
            Err(Lagging {
                wanted: position,
                projected: now.position,
                stopped: !now.running,
            })
        }
    }

    /// Waits until the read models include this process's last append: the
    /// head as of the call, so a query sees the writes made before it arrived.
    pub async fn wait_for_head(&self, timeout: Duration) -> Result<(), Lagging> {
        let head = *self.shared.journal.watch_head().borrow();
        self.wait_for(head, timeout).await
    }

    /// Rebuilds the read models from position 0 while the live projector waits.
    /// Queries see the read models fill up again as it runs.
    pub async fn rebuild(
        &self,
        mut progress: impl FnMut(i64, i64),
    ) -> Result<RebuildReport, ProjectorError> {
        let _gate = self.shared.gate.lock().await;
        let shared = &self.shared;
        ProjectionRunner::rebuild(
            &shared.journal,
            &shared.projections,
            shared.options.rebuild_batch_events,
            |done, head| {
                shared.publish(done);
                progress(done, head);
            },
        )
        .await
    }

    /// Stops the projector after the batch in flight and waits for it.
    pub async fn stop(&self) {
        self.shared.background.stop().await;
    }
}

impl Shared {
    fn publish(&self, projected: i64) {
        self.progress.send_if_modified(|progress| {
            let changed = progress.position != projected;
            progress.position = projected;
            changed
        });
        let head = (*self.journal.watch_head().borrow()).max(projected);
        metrics::gauge!(LAG_GAUGE).set((head - projected) as f64);
        self.lag_history
            .record(chrono::Utc::now().timestamp(), head - projected);
    }
}

/// Marks the projector stopped however its task ends, panics included, so
/// `wait_for` answers at once instead of at its timeout.
struct StoppedOnDrop(Arc<Shared>);

impl Drop for StoppedOnDrop {
    fn drop(&mut self) {
        self.0
            .progress
            .send_modify(|progress| progress.running = false);
    }
}

/// The live loop: catch up batch by batch, then wait for the next append.
async fn run(shared: Arc<Shared>) {
    let _stopped = StoppedOnDrop(Arc::clone(&shared));
    let mut head = shared.journal.watch_head();
    let mut stop = shared.background.stop_signal();
    let mut lease = shared.lease.watch();
    let mut retry_delay = RETRY_DELAY_FIRST;
    let mut checkpoints_exist = false;
    let mut rest_until = None;
    while !*stop.borrow() {
        if let Some(until) = rest_until.take() {
            tokio::select! {
                _ = stop.changed() => continue,
                _ = tokio::time::sleep_until(until) => {}
            }
        }
        let outcome = if shared.lease.is_held() {
            let _gate = shared.gate.lock().await;
            live_step(&shared, &mut checkpoints_exist).await
        } else {
            follow(&shared).await
        };
        let wait = match outcome {
            Ok(step) => {
                retry_delay = RETRY_DELAY_FIRST;
                rest_until = (shared.journal.backend() == Backend::Sqlite)
                    .then(|| step.rest_until(tokio::time::Instant::now()));
                shared.publish(step.projected);
                if step.more {
                    continue;
                }
                if step.projected < *head.borrow() && !shared.lease.is_held() {
                    FOLLOW_BEHIND_INTERVAL
                } else {
                    shared.options.poll_interval
                }
            }
            Err(error) if error.is_closed() => break,
            Err(error) if error.is_permanent() => {
                tracing::error!(
                    error = %error_chain(&error),
                    "the projector stopped: the read models will not advance until this is fixed \
                     and they are rebuilt (errand replay)"
                );
                break;
            }
            Err(error) => {
                tracing::warn!(
                    error = %error_chain(&error),
                    retry_in_ms = retry_delay.as_millis() as u64,
                    "projecting failed; retrying"
                );
                let wait = retry_delay;
                retry_delay = (retry_delay * 2).min(RETRY_DELAY_LAST);
                wait
            }
        };
        tokio::select! {
            _ = stop.changed() => {}
            changed = head.changed() => {
                if changed.is_err() {
                    // The journal was closed: nothing more will be appended here.
                    break;
                }
            }
            _ = lease.changed() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// Without the lease: the read models are as far as the leader's checkpoints.
async fn follow(shared: &Shared) -> Result<Step, ProjectorError> {
    Ok(Step {
        projected: lowest_checkpoint(&shared.journal, &shared.projections).await?,
        more: false,
        held: Duration::ZERO,
    })
}

async fn live_step(shared: &Shared, checkpoints_exist: &mut bool) -> Result<Step, ProjectorError> {
    if !*checkpoints_exist {
        ensure_checkpoints(&shared.journal, &shared.projections).await?;
        *checkpoints_exist = true;
    }
    step(
        &shared.journal,
        &shared.projections,
        shared.options.batch_events,
    )
    .await
}

/// What one batch did.
struct Step {
    /// Every projection has applied the journal up to here.
    projected: i64,
    /// Run another batch at once: this one was full, or raced a rebuild.
    more: bool,
    /// How long the batch held the write transaction open.
    held: Duration,
}

impl Step {
    /// Until when the projector leaves the write lock to the journal.
    fn rest_until(&self, ended: tokio::time::Instant) -> tokio::time::Instant {
        ended + (self.held * REST_PER_HELD).min(REST_MAX)
    }
}

/// Applies the next batch: reads up to `limit` events after the lowest
/// checkpoint and gives each projection those after its own checkpoint, all in
/// one transaction with the new checkpoints.
async fn step(
    journal: &Journal,
    projections: &[ReadModel],
    limit: u32,
) -> Result<Step, ProjectorError> {
    let before = lowest_checkpoint(journal, projections).await?;
    let page = read_page(journal, before, limit).await?;
    apply_page(journal, projections, &page).await
}

/// Events read and decoded, not applied yet.
struct Page {
    /// The position the page was read after.
    after: i64,
    events: Vec<ProjectedEvent>,
    /// As many events as asked for: more may follow.
    full: bool,
}

/// Reads and decodes up to `limit` events after `after`. Decoding happens here,
/// before any transaction, so the write lock is not held for it.
async fn read_page(journal: &Journal, after: i64, limit: u32) -> Result<Page, ProjectorError> {
    let committed = journal.read_committed(after, limit).await?;
    Ok(Page {
        after,
        full: committed.len() >= limit as usize,
        events: decode(&committed)?,
    })
}

/// Gives each projection the page's events after its own checkpoint. On
/// PostgreSQL the projections are dealt into `POSTGRES_PROJECTION_LANES` lanes
/// applied side by side, each in a transaction of its own with its
/// projections' checkpoints (a projection writes only its own tables, so the
/// lanes never touch the same rows); on SQLite, whose one write lock admits
/// one transaction at a time, all of them go in one transaction.
async fn apply_page(
    journal: &Journal,
    projections: &[ReadModel],
    page: &Page,
) -> Result<Step, ProjectorError> {
    if page.events.is_empty() {
        return Ok(Step {
            projected: page.after,
            more: false,
            held: Duration::ZERO,
        });
    }
    let lane_count = match journal.backend() {
        Backend::Sqlite => 1,
        Backend::Postgres => POSTGRES_PROJECTION_LANES,
    };
    let lanes = lanes(projections, lane_count);
    let steps =
        futures::future::try_join_all(lanes.iter().map(|lane| apply_lane(journal, lane, page)))
            .await?;
    Ok(Step {
        projected: steps
            .iter()
            .map(|step| step.projected)
            .min()
            .unwrap_or(page.after),
        more: steps.iter().any(|step| step.more),
        held: steps.iter().map(|step| step.held).max().unwrap_or_default(),
    })
}

/// Deals `projections` into at most `count` lanes of about equal work: the
/// costliest first, each to the lane with the least so far. A batch ends when
/// its slowest lane does, so lanes dealt blindly left one idle for a fifth of
/// every batch under load.
fn lanes(projections: &[ReadModel], count: usize) -> Vec<Vec<&ReadModel>> {
    let mut by_cost: Vec<&ReadModel> = projections.iter().collect();
    by_cost.sort_by_key(|projection| std::cmp::Reverse(relative_cost(projection)));
    let mut lanes: Vec<(u32, Vec<&ReadModel>)> = vec![(0, Vec::new()); count.max(1)];
    for projection in by_cost {
        let lightest = lanes
            .iter_mut()
            .min_by_key(|(cost, _)| *cost)
            .expect("at least one lane");
        lightest.0 += relative_cost(projection);
        lightest.1.push(projection);
    }
    lanes
        .into_iter()
        .map(|(_, lane)| lane)
        .filter(|lane| !lane.is_empty())
        .collect()
}

/// A projection's share of the projector's time on PostgreSQL, in percent,
/// as the peer benchmark measured it at 64 clients (time inside each
/// projection's `apply_batch`). Only its order matters much: it balances lanes.
fn relative_cost(projection: &ReadModel) -> u32 {
    match projection {
        ReadModel::Tasks(_) => 30,
        ReadModel::Notifications(_) => 24,
        ReadModel::Postings(_) | ReadModel::Outbox(_) => 13,
        ReadModel::Timers(_) => 9,
        ReadModel::Reputation(_) => 6,
        ReadModel::Accounts(_) => 4,
        _ => 1,
    }
}

/// Applies the page to one lane's projections in one transaction with their
/// new checkpoints.
async fn apply_lane(
    journal: &Journal,
    projections: &[&ReadModel],
    page: &Page,
) -> Result<Step, ProjectorError> {
    let events = &page.events;
    let (mut transaction, _turn) =
        journal
            .begin_write()
            .await
            .map_err(ProjectorError::database(
                "beginning a projection transaction",
            ))?;
    let began = Instant::now();
    let names: Vec<&'static str> = projections.iter().map(|p| p.name()).collect();
    let saved = locked_checkpoints(&mut transaction, journal.backend(), &names).await?;
    let lowest_saved = lowest(&saved, projections.iter().copied());
    if lowest_saved < page.after {
        // A rebuild elsewhere moved a checkpoint back below the events read.
        return Ok(Step {
            projected: lowest_saved,
            more: true,
            held: began.elapsed(),
        });
    }
    let mut projected = i64::MAX;
    let mut advanced = Vec::with_capacity(projections.len());
    for projection in projections {
        let checkpoint = saved.get(projection.name()).copied().unwrap_or(0);
        let pending = &events[events.partition_point(|e| e.position <= checkpoint)..];
        let (Some(first), Some(last)) = (pending.first(), pending.last()) else {
            projected = projected.min(checkpoint);
            continue;
        };
        projection
            .apply_batch(&mut transaction, pending)
            .await
            .map_err(|source| ProjectorError::Projection {
                projection: projection.name(),
                first: first.position,
                last: last.position,
                source,
            })?;
        advanced.push((projection.name(), last.position));
        projected = projected.min(last.position);
    }
    save_checkpoints(&mut transaction, &advanced).await?;
    transaction
        .commit()
        .await
        .map_err(ProjectorError::database("committing a projection batch"))?;
    Ok(Step {
        projected,
        more: page.full,
        held: began.elapsed(),
    })
}

fn decode(committed: &[Arc<CommittedEvent>]) -> Result<Vec<ProjectedEvent>, ProjectorError> {
    committed
        .iter()
        .map(|e| {
            ProjectedEvent::decode(
                e.position,
                &e.stream_id,
                &e.event_type,
                &e.payload,
                e.recorded_at,
            )
            .map_err(|source| ProjectorError::Decode {
                position: e.position,
                source,
            })
        })
        .collect()
}

/// Every projection's checkpoint, read without locks.
async fn checkpoints(conn: &mut AnyConnection) -> Result<HashMap<String, i64>, ProjectorError> {
    let rows = sqlx::query("SELECT name, position FROM projection_checkpoints")
        .fetch_all(conn)
        .await
        .map_err(ProjectorError::database("reading checkpoints"))?;
    decode_checkpoints(&rows)
}

/// The checkpoints of the projections `names`, with their row locks on
/// PostgreSQL, so two instances cannot apply the same events (SQLite's write
/// lock already does this). Only a lane's own rows: the lanes never wait on
/// each other.
async fn locked_checkpoints(
    conn: &mut AnyConnection,
    backend: Backend,
    names: &[&'static str],
) -> Result<HashMap<String, i64>, ProjectorError> {
    if backend == Backend::Sqlite {
        return checkpoints(conn).await;
    }
    let sql = format!(
        "SELECT name, position FROM projection_checkpoints WHERE name IN ({}) \
         ORDER BY name FOR UPDATE",
        (1..=names.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut query = sqlx::query(&sql);
    for name in names {
        query = query.bind(*name);
    }
    let rows = query
        .fetch_all(conn)
        .await
        .map_err(ProjectorError::database("reading checkpoints"))?;
    decode_checkpoints(&rows)
}

fn decode_checkpoints(rows: &[AnyRow]) -> Result<HashMap<String, i64>, ProjectorError> {
    rows.iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(ProjectorError::database("reading checkpoints"))
}

/// The position every projection has applied, read outside any transaction.
async fn lowest_checkpoint(
    journal: &Journal,
    projections: &[ReadModel],
) -> Result<i64, ProjectorError> {
    let mut conn = journal
        .pool()
        .acquire()
        .await
        .map_err(ProjectorError::database("reading checkpoints"))?;
    let saved = checkpoints(&mut conn).await?;
    Ok(lowest(&saved, projections))
}

fn lowest<'p>(
    checkpoints: &HashMap<String, i64>,
    projections: impl IntoIterator<Item = &'p ReadModel>,
) -> i64 {
    projections
        .into_iter()
        .map(|p| checkpoints.get(p.name()).copied().unwrap_or(0))
        .min()
        .unwrap_or(0)
}

/// Moves several checkpoints in one statement.
async fn save_checkpoints(
    conn: &mut AnyConnection,
    checkpoints: &[(&'static str, i64)],
) -> Result<(), ProjectorError> {
    if checkpoints.is_empty() {
        return Ok(());
    }
    let values = (0..checkpoints.len())
        .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO projection_checkpoints (name, position) VALUES {values} \
         ON CONFLICT (name) DO UPDATE SET position = excluded.position"
    );
    let mut query = sqlx::query(&sql);
    for (name, position) in checkpoints {
        query = query.bind(*name).bind(*position);
    }
    query
        .execute(conn)
        .await
        .map_err(ProjectorError::database("saving checkpoints"))?;
    Ok(())
}

/// Creates missing checkpoint rows at 0, so that they can be locked.
async fn ensure_checkpoints(
    journal: &Journal,
    projections: &[ReadModel],
) -> Result<(), ProjectorError> {
    for projection in projections {
        sqlx::query(
            "INSERT INTO projection_checkpoints (name, position) VALUES ($1, 0) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(projection.name())
        .execute(journal.pool())
        .await
        .map_err(ProjectorError::database("creating checkpoints"))?;
    }
    Ok(())
}

/// Empties the projections' tables and sets their checkpoints to 0, in one
/// transaction: a crash leaves either the old read models or empty ones at 0.
async fn reset(journal: &Journal, projections: &[ReadModel]) -> Result<(), ProjectorError> {
    let (mut transaction, _turn) = journal
        .begin_write()
        .await
        .map_err(ProjectorError::database("beginning a rebuild"))?;
    for projection in projections {
        for table in projection.tables() {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *transaction)
                .await
                .map_err(ProjectorError::database("emptying a read model"))?;
        }
    }
    let at_start: Vec<_> = projections.iter().map(|p| (p.name(), 0)).collect();
    save_checkpoints(&mut transaction, &at_start).await?;
    transaction
        .commit()
        .await
        .map_err(ProjectorError::database("committing a rebuild's reset"))
}

#[cfg(test)]
mod rest_tests {
    use super::*;

    fn step_that_held(held: Duration) -> Step {
        Step {
            projected: 0,
            more: false,
            held,
        }
    }

    #[test]
    fn the_projector_rests_twice_as_long_as_it_held_the_lock_up_to_a_cap() {
        let ended = tokio::time::Instant::now();
        let rest = |held| step_that_held(held).rest_until(ended) - ended;
        assert_eq!(rest(Duration::ZERO), Duration::ZERO);
        assert_eq!(rest(Duration::from_millis(3)), Duration::from_millis(6));
        assert_eq!(rest(Duration::from_secs(1)), REST_MAX);
    }
}

#[cfg(test)]
mod lane_tests {
    use super::*;

    fn cost(lane: &[&ReadModel]) -> u32 {
        lane.iter()
            .map(|projection| relative_cost(projection))
            .sum()
    }

    #[test]
    fn lanes_deal_every_projection_once_and_split_the_work_evenly() {
        let all = ReadModel::all();
        let lanes = lanes(&all, POSTGRES_PROJECTION_LANES);
        assert_eq!(lanes.len(), POSTGRES_PROJECTION_LANES);
        let mut dealt: Vec<&str> = lanes.iter().flatten().map(|p| p.name()).collect();
        dealt.sort_unstable();
        let mut names: Vec<&str> = all.iter().map(|p| p.name()).collect();
        names.sort_unstable();
        assert_eq!(dealt, names);
        // No lane waits long for another: they differ by less than the smaller costs.
        let costs: Vec<u32> = lanes.iter().map(|lane| cost(lane)).collect();
        let spread = costs.iter().max().unwrap_or(&0) - costs.iter().min().unwrap_or(&0);
        assert!(
            spread <= relative_cost(&ReadModel::Reputation(errand_projections::Reputation)),
            "{costs:?}"
        );
    }

    #[test]
    fn one_lane_holds_everything_and_empty_lanes_are_dropped() {
        let all = ReadModel::all();
        let one = lanes(&all, 1);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].len(), all.len());
        let two = [ReadModel::all()[0], ReadModel::all()[1]];
        assert_eq!(lanes(&two, 5).len(), 2);
    }
}
