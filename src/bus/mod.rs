//! The command bus: load → decide → append. A handler's decision runs in a
//! [`UnitOfWork`] (see [`execute!`]); the bus appends what it decided
//! atomically (the journal group-commits concurrent appends), and on a
//! version conflict drops the stale states and decides again, a bounded
//! number of times.
//!
//! Freshness: the bus caches states, and a cached state may be behind: on
//! PostgreSQL other instances append to the same streams, and even in one
//! process a state folded just before a commit can land in the cache after
//! it. A decision that commits is safe anyway: every stream it read is
//! version-checked in the append (written streams, and the caller's key and
//! actor as guards). A refusal is checked by no append, so a refused command
//! is decided once more on states brought up to date with the journal first.
//!
//! Idempotency: with an `Idempotency-Key`, the reply is recorded in the same
//! transaction as the events. A repeat with the same request replays it; with
//! another request it is refused; while the first is in flight it is refused.

mod cache;
pub mod commands;
mod context;
mod error;
mod queue;
mod top_up;
mod unit;
mod wait;

#[cfg(test)]
mod tests;

pub use cache::{StateCache, STATE_CACHE_ENTRIES_MAX};
pub use context::{CommandContext, Idempotency};
pub use error::BusError;
pub use top_up::{top_up_funding_id, TopUps};
pub use unit::UnitOfWork;
pub use wait::{Waited, WAIT_OTHER_INSTANCES_INTERVAL, WAIT_READ_INTERVAL_MIN};

use queue::{StreamQueues, Turn};

use crate::journal::{
    AppendBatch, AppendError, IdempotencyRecord, Journal, RecordedEvent, StoredResponse,
};
use errand_aggregates::Aggregate;
use serde::Serialize;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};

pub use crate::execute;

/// Each retry reloads and decides again; past this many conflicts in a row
/// the stream is too hot and the client is told to retry later.
pub const CONFLICT_RETRIES_MAX: usize = 16;

pub struct CommandBus {
    journal: Journal,
    cache: StateCache,
    /// Where commands that lost a race for a stream wait their turn.
    queues: StreamQueues,
    /// (principal, key) pairs being carried out by this process now.
    in_flight: Mutex<HashSet<(String, String)>>,
    /// Who charges auto-reloads; without it no command tops up.
    top_ups: OnceLock<Arc<dyn TopUps>>,
}

/// How a command starts: run it, or replay what it replied the first time.
pub enum Begun<'b> {
    Run(Attempt<'b>),
    Replayed(StoredResponse),
}

/// A command being carried out: each try decides in a fresh [`UnitOfWork`]
/// and commits it; a conflict asks for another try.
pub struct Attempt<'b> {
    bus: &'b CommandBus,
    context: &'b CommandContext,
    conflicts: usize,
    /// Load every stream up to the journal's present, not from the cache.
    fresh: bool,
    /// After a conflict: this command's turn at the stream it lost.
    turn: Option<Turn<'b>>,
    /// Whether this command has had its one auto-reload.
    topped_up: bool,
    _in_flight: Option<InFlight<'b>>,
}

impl<'b> Attempt<'b> {
    pub fn unit(&self) -> UnitOfWork<'b> {
        let may_top_up =
            !self.topped_up && !self.context.dry_run && self.bus.top_ups.get().is_some();
        UnitOfWork::new(self.bus, self.context, self.fresh, may_top_up)
    }

    /// The decision in `unit` failed with `error`. `Ok` means decide again:
    /// after an auto-reload, on the topped-up balance; or because the
    /// refusal may rest on cached states the journal has moved on from, so
    /// they are brought up to date and the command decided once more.
    /// Otherwise the error stands.
    pub async fn refused(&mut self, unit: UnitOfWork<'b>, error: BusError) -> Result<(), BusError> {
        if let BusError::TopUpDue(top_up) = error {
            drop(unit);
            return self.top_up(&top_up).await;
        }
        let may_be_stale = matches!(error, BusError::Domain(_) | BusError::UnknownActor);
        if self.fresh || !may_be_stale || !unit.read_any() {
            return Err(error);
        }
        self.fresh = true;
        Ok(())
    }

    /// Has the top-up charged and credited, once, then lets the command
    /// decide again on states as of now.
    async fn top_up(&mut self, top_up: &errand_aggregates::billing::TopUp) -> Result<(), BusError> {
        self.topped_up = true;
        self.fresh = true;
        let Some(top_ups) = self.bus.top_ups.get() else {
            return Ok(());
        };
        // The top-up appends to the account this command may be waiting its
        // turn at: holding the turn meanwhile would wait on itself.
        self.turn = None;
        let funding_id = top_up_funding_id(self.context);
        top_ups
            .top_up(self.bus, self.context, funding_id, top_up)
            .await
    }

    /// Appends what `unit` decided. `None` means a concurrent change got there
    /// first: decide again in a fresh unit.
    pub async fn commit<R: Serialize>(
        &mut self,
        unit: UnitOfWork<'b>,
        reply: R,
    ) -> Result<Option<Executed<R>>, BusError> {
        let (bus, context) = (self.bus, self.context);
        let streams = unit.appends();
        if context.dry_run {
            return Ok(Some(Executed::DryRun {
                reply,
                events: planned(&streams),
            }));
        }
        let idempotency = match &context.idempotency {
            Some(idempotency) => Some(IdempotencyRecord {
                principal: context.principal.clone(),
                key: idempotency.key.clone(),
                fingerprint: idempotency.fingerprint.clone(),
                status: context.reply_status,
                body: serde_json::to_string(&reply).map_err(BusError::Reply)?,
            }),
            None => None,
        };
        match bus
            .journal
            .append(AppendBatch {
                streams,
                idempotency,
            })
            .await
        {
            Ok(appended) => {
                metrics::counter!("errand_commands_total", "command" => context.command)
                    .increment(1);
                unit.into_cache();
                Ok(Some(Executed::Done {
                    reply,
                    last_position: appended.last_position,
                }))
            }
            Err(AppendError::VersionConflict { stream_id, .. }) => {
                metrics::counter!("errand_bus_conflicts_total").increment(1);
                for stream in unit.stream_ids() {
                    bus.cache.forget(stream);
                }
                if context.guards.iter().any(|(guard, _)| *guard == stream_id) {
                    // Deciding again would not re-check the caller's rights.
                    bus.cache.forget(&stream_id);
                    return Err(BusError::CallerChanged);
                }
                self.conflicts += 1;
                if self.conflicts >= CONFLICT_RETRIES_MAX {
                    return Err(BusError::Contention { stream_id });
                }
                // One turn at a time: waiting at two streams could deadlock.
                self.turn = None;
                self.turn = Some(bus.queues.wait_turn(&stream_id).await);
                Ok(None)
            }
            Err(AppendError::IdempotencyKeyTaken { stored }) => {
                let idempotency = context
                    .idempotency
                    .as_ref()
                    .ok_or(BusError::IdempotencyKeyReused)?;
                replay(stored, idempotency).map(|stored| Some(Executed::Replayed(stored)))
            }
            Err(AppendError::Journal(error)) => Err(error.into()),
        }
    }
}

/// Carries out a command: `execute!(bus, &context, |unit| { …; Ok(reply) })`.
/// The body decides in `unit` (a `&mut UnitOfWork`) and may use `?` on
/// `BusError`s; it runs again on a version conflict, so it must only decide.
/// Evaluates to `Result<Executed<R>, BusError>`. A macro rather than a method
/// taking an async closure, so handlers' futures stay provably `Send`.
#[macro_export]
macro_rules! execute {
    ($bus:expr, $context:expr, |$unit:ident| $body:expr) => {{
        let executed: Result<$crate::bus::Executed<_>, $crate::bus::BusError> = async {
            match $bus.begin($context).await? {
                $crate::bus::Begun::Replayed(stored) => Ok($crate::bus::Executed::Replayed(stored)),
                $crate::bus::Begun::Run(mut attempt) => loop {
                    let mut unit = attempt.unit();
                    let decided: Result<_, $crate::bus::BusError> = {
                        let $unit = &mut unit;
                        async { $body }.await
                    };
                    let reply = match decided {
                        Ok(reply) => reply,
                        Err(error) => {
                            attempt.refused(unit, error).await?;
                            continue;
                        }
                    };
                    if let Some(executed) = attempt.commit(unit, reply).await? {
                        break Ok(executed);
                    }
                },
            }
        }
        .await;
        executed
    }};
}

/// What became of a command.
#[derive(Debug)]
pub enum Executed<R> {
    /// Appended: the reply, and where its events landed in the journal.
    Done { reply: R, last_position: i64 },
    /// A repeat of an idempotent request: the reply recorded the first time.
    Replayed(StoredResponse),
    /// A dry run: what would be appended, and the reply, with nothing appended.
    DryRun { reply: R, events: Vec<PlannedEvent> },
}

#[derive(Debug, Serialize)]
pub struct PlannedEvent {
    pub stream_id: String,
    pub expected_version: i64,
    pub event_type: String,
    pub payload: serde_json::Value,
}

impl CommandBus {
    pub fn new(journal: Journal) -> Self {
        CommandBus {
            journal,
            cache: StateCache::new(STATE_CACHE_ENTRIES_MAX),
            queues: StreamQueues::default(),
            in_flight: Mutex::new(HashSet::new()),
            top_ups: OnceLock::new(),
        }
    }

    /// Lets holds set off auto-reloads, charged by `top_ups` (once per bus).
    pub fn install_top_ups(&self, top_ups: Arc<dyn TopUps>) {
        if self.top_ups.set(top_ups).is_err() {
            tracing::warn!("auto-reload was already installed on this bus");
        }
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// Starts carrying out a command: replays a recorded reply for a repeated
    /// idempotent request, refuses one whose twin is in flight, and otherwise
    /// hands back an [`Attempt`] to decide and commit (see [`execute!`]).
    pub async fn begin<'b>(&'b self, context: &'b CommandContext) -> Result<Begun<'b>, BusError> {
        let in_flight = match &context.idempotency {
            Some(idempotency) => {
                let stored = self
                    .journal
                    .stored_response(&context.principal, &idempotency.key)
                    .await?;
                if let Some(stored) = stored {
                    return replay(stored, idempotency).map(Begun::Replayed);
                }
                Some(InFlight::enter(self, &context.principal, &idempotency.key)?)
            }
            None => None,
        };
        Ok(Begun::Run(Attempt {
            bus: self,
            context,
            conflicts: 0,
            fresh: false,
            turn: None,
            topped_up: false,
            _in_flight: in_flight,
        }))
    }

    /// A stream's state and version: from the cache, or folded from the journal.
    pub async fn load<A>(&self, stream_id: &str) -> Result<(A, i64), BusError>
    where
        A: Aggregate + Send + Sync + 'static,
    {
        if let Some(hit) = self.cache.get::<A>(stream_id) {
            return Ok(hit);
        }
        let (state, version) = self.fold::<A>(stream_id, None).await?;
        self.cache.put(stream_id, state.clone(), version);
        Ok((state, version))
    }

    /// A stream's state and version as of now: the cached state brought up to
    /// date with the events appended since (by any instance), or folded.
    pub async fn load_fresh<A>(&self, stream_id: &str) -> Result<(A, i64), BusError>
    where
        A: Aggregate + Send + Sync + 'static,
    {
        let Some((mut state, mut version)) = self.cache.get::<A>(stream_id) else {
            return self.load(stream_id).await;
        };
        let newer = self.journal.read_stream_after(stream_id, version).await?;
        if newer.is_empty() {
            return Ok((state, version));
        }
        apply_recorded(stream_id, &mut state, &mut version, &newer)?;
        self.cache.put(stream_id, state.clone(), version);
        Ok((state, version))
    }

    /// A stream's state as of a journal position (auditors read the past), and its events.
    pub async fn fold<A>(
        &self,
        stream_id: &str,
        until_position: Option<i64>,
    ) -> Result<(A, i64), BusError>
    where
        A: Aggregate,
    {
        let recorded = self.journal.read_stream(stream_id, until_position).await?;
        let (mut state, mut version) = (A::default(), 0);
        apply_recorded(stream_id, &mut state, &mut version, &recorded)?;
        Ok((state, version))
    }
}

/// Applies a stream's recorded events, in order, to its state and version.
fn apply_recorded<A: Aggregate>(
    stream_id: &str,
    state: &mut A,
    version: &mut i64,
    recorded: &[RecordedEvent],
) -> Result<(), BusError> {
    for event in recorded {
        let decoded: A::Event =
            serde_json::from_str(&event.payload).map_err(|source| BusError::Corrupt {
                stream_id: stream_id.to_owned(),
                source,
            })?;
        state.apply(&decoded);
        *version = event.stream_version;
    }
    Ok(())
}

/// A recorded reply may be replayed only to the very same request.
fn replay(stored: StoredResponse, idempotency: &Idempotency) -> Result<StoredResponse, BusError> {
    if stored.fingerprint == idempotency.fingerprint {
        Ok(stored)
    } else {
        Err(BusError::IdempotencyKeyReused)
    }
}

fn planned(streams: &[crate::journal::StreamAppend]) -> Vec<PlannedEvent> {
    streams
        .iter()
        .flat_map(|stream| {
            stream.events.iter().map(|event| PlannedEvent {
                stream_id: stream.stream_id.clone(),
                expected_version: stream.expected_version,
                event_type: event.event_type.clone(),
                payload: serde_json::from_str(&event.payload).unwrap_or(serde_json::Value::Null),
            })
        })
        .collect()
}

/// Marks an idempotent request as being carried out; unmarks on drop, so a
/// failed or cancelled request frees its key.
struct InFlight<'b> {
    bus: &'b CommandBus,
    entry: (String, String),
}

impl<'b> InFlight<'b> {
    fn enter(bus: &'b CommandBus, principal: &str, key: &str) -> Result<Self, BusError> {
        let entry = (principal.to_owned(), key.to_owned());
        let mut in_flight = bus.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        if !in_flight.insert(entry.clone()) {
            return Err(BusError::IdempotencyKeyInFlight);
        }
        Ok(InFlight { bus, entry })
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut in_flight = self.bus.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        in_flight.remove(&self.entry);
    }
}
