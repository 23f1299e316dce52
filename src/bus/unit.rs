//! One attempt at a command: the streams it loaded (with the versions it
//! decided against) and the events it decided, appended together or not at all.

use super::{BusError, CommandBus, CommandContext};
use crate::journal::{NewEvent, StreamAppend};
use errand_aggregates::{Aggregate, DomainEvent};
use std::any::Any;

struct Slot {
    stream_id: String,
    /// The version the decision was made against: the append's expected version.
    loaded_version: i64,
    state: Box<dyn Any + Send + Sync>,
    new_events: Vec<NewEvent>,
}

pub struct UnitOfWork<'b> {
    bus: &'b CommandBus,
    context: &'b CommandContext,
    /// Load streams as of now rather than from the cache.
    fresh: bool,
    slots: Vec<Slot>,
    /// Whether any state was read from the journal or the cache (not only started new).
    read_any: bool,
    /// Whether a hold may still set off auto-reload (see `bus::top_up`).
    may_top_up: bool,
}

impl<'b> UnitOfWork<'b> {
    pub(super) fn new(
        bus: &'b CommandBus,
        context: &'b CommandContext,
        fresh: bool,
        may_top_up: bool,
    ) -> Self {
        UnitOfWork {
            bus,
            context,
            fresh,
            slots: Vec::new(),
            read_any: false,
            may_top_up,
        }
    }

    /// Whether a hold in this unit may still set off auto-reload: not in a
    /// dry run, not twice in one command, and only where it is installed.
    pub fn may_top_up(&self) -> bool {
        self.may_top_up
    }

    pub(super) fn read_any(&self) -> bool {
        self.read_any
    }

    pub fn context(&self) -> &CommandContext {
        self.context
    }

    /// The current state of a stream, as this unit sees it (its own new events included).
    pub async fn load<A>(&mut self, stream_id: &str) -> Result<A, BusError>
    where
        A: Aggregate + Send + Sync + 'static,
    {
        if let Some(slot) = self.slots.iter().find(|s| s.stream_id == stream_id) {
            return Ok(downcast::<A>(slot).clone());
        }
        let (state, version) = if self.fresh {
            self.bus.load_fresh::<A>(stream_id).await?
        } else {
            self.bus.load::<A>(stream_id).await?
        };
        self.read_any = true;
        self.slots.push(Slot {
            stream_id: stream_id.to_owned(),
            loaded_version: version,
            state: Box::new(state.clone()),
            new_events: Vec::new(),
        });
        Ok(state)
    }

    /// A stream's state as the journal held it when this unit read it: without
    /// the unit's own new events.
    pub async fn load_committed<A>(&mut self, stream_id: &str) -> Result<A, BusError>
    where
        A: Aggregate + Send + Sync + 'static,
    {
        let state = self.load::<A>(stream_id).await?;
        let slot = self
            .slots
            .iter()
            .find(|s| s.stream_id == stream_id)
            .expect("load made a slot");
        if slot.new_events.is_empty() {
            return Ok(state);
        }
        let loaded_version = slot.loaded_version;
        let recorded = self.bus.journal.read_stream(stream_id, None).await?;
        let upto = usize::try_from(loaded_version)
            .unwrap_or(0)
            .min(recorded.len());
        let (mut committed, mut version) = (A::default(), 0);
        super::apply_recorded(stream_id, &mut committed, &mut version, &recorded[..upto])?;
        Ok(committed)
    }

    /// Starts a stream for an id this process just made (a UUIDv7): it cannot
    /// exist yet, so nothing is read. The append still insists on version 0.
    pub fn start_new<A>(&mut self, stream_id: &str)
    where
        A: Aggregate + Send + Sync + 'static,
    {
        if self.slots.iter().any(|s| s.stream_id == stream_id) {
            return;
        }
        self.slots.push(Slot {
            stream_id: stream_id.to_owned(),
            loaded_version: 0,
            state: Box::new(A::default()),
            new_events: Vec::new(),
        });
    }

    /// Loads the stream, decides, and records the events. Returns the state
    /// the decision was made on and the events.
    pub async fn decide<A>(
        &mut self,
        stream_id: &str,
        command: &A::Command,
    ) -> Result<(A, Vec<A::Event>), BusError>
    where
        A: Aggregate + Send + Sync + 'static,
    {
        let before = self.load::<A>(stream_id).await?;
        let events = before.decide(command)?;
        self.record::<A>(stream_id, &events)?;
        Ok((before, events))
    }

    fn record<A>(&mut self, stream_id: &str, events: &[A::Event]) -> Result<(), BusError>
    where
        A: Aggregate + Send + Sync + 'static,
    {
        let metadata = self.context.metadata_json();
        let slot = self
            .slots
            .iter_mut()
            .find(|s| s.stream_id == stream_id)
            .expect("record follows load of the same stream");
        let state = slot
            .state
            .downcast_mut::<A>()
            .expect("a stream is loaded as one aggregate type");
        for event in events {
            state.apply(event);
            let payload = serde_json::to_string(event).map_err(|source| BusError::Corrupt {
                stream_id: stream_id.to_owned(),
                source,
            })?;
            slot.new_events.push(NewEvent {
                event_id: uuid::Uuid::now_v7(),
                event_type: event.event_type().to_owned(),
                event_version: event.event_version(),
                payload,
                metadata: metadata.clone(),
            });
        }
        Ok(())
    }

    pub(super) fn stream_ids(&self) -> impl Iterator<Item = &str> {
        self.slots.iter().map(|s| s.stream_id.as_str())
    }

    /// The streams with new events, ready for the journal, and the caller's
    /// guards that no event touches, as version checks without events.
    pub(super) fn appends(&self) -> Vec<StreamAppend> {
        let written = self
            .slots
            .iter()
            .filter(|s| !s.new_events.is_empty())
            .map(|s| StreamAppend {
                stream_id: s.stream_id.clone(),
                expected_version: s.loaded_version,
                events: s.new_events.clone(),
            });
        let guards = self
            .context
            .guards
            .iter()
            .filter(|(stream_id, _)| {
                !self
                    .slots
                    .iter()
                    .any(|s| s.stream_id == *stream_id && !s.new_events.is_empty())
            })
            .map(|(stream_id, version)| StreamAppend {
                stream_id: stream_id.clone(),
                expected_version: *version,
                events: Vec::new(),
            });
        written.chain(guards).collect()
    }

    /// Hands every changed state to the bus's cache at its new version.
    pub(super) fn into_cache(self) {
        for slot in self.slots {
            if slot.new_events.is_empty() {
                continue;
            }
            let version = slot.loaded_version + slot.new_events.len() as i64;
            self.bus
                .cache
                .put_boxed(&slot.stream_id, slot.state, version);
        }
    }
}

fn downcast<A: 'static>(slot: &Slot) -> &A {
    slot.state
        .downcast_ref::<A>()
        .expect("a stream is loaded as one aggregate type")
}
