//! The shape every aggregate has: state folded from its events, and a pure
//! `decide` that turns a command into new events or a refusal.

use crate::error::Decided;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// An event as stored: a stable type name and a schema version, so old shapes
/// can be upcast on read instead of rewritten.
pub trait DomainEvent: Serialize + DeserializeOwned + Clone + std::fmt::Debug {
    fn event_type(&self) -> &'static str;
    /// The version of this event's stored shape. Bumped with an upcaster.
    fn event_version(&self) -> i32 {
        1
    }
}

pub trait Aggregate: Default + Clone + Serialize + DeserializeOwned {
    /// What the stream is called before its id, e.g. `task` in `task-<id>`.
    const STREAM_PREFIX: &'static str;
    type Command;
    type Event: DomainEvent;

    /// Decides which events follow from `command` in the current state, or
    /// refuses. Pure: reads no clock and no IO; `now` and ids come in the command.
    fn decide(&self, command: &Self::Command) -> Decided<Self::Event>;

    /// Folds one event into the state. Never fails: events are facts.
    fn apply(&mut self, event: &Self::Event);

    /// The state after a whole history.
    fn fold<'a>(events: impl IntoIterator<Item = &'a Self::Event>) -> Self
    where
        Self::Event: 'a,
    {
        let mut state = Self::default();
        for event in events {
            state.apply(event);
        }
        state
    }
}

/// Implements cqrs-es's `Aggregate` (for its given/when/then `TestFramework`)
/// on top of our pure trait. Compiled only with the `cqrs` feature, which the
/// crate's own tests enable.
#[macro_export]
macro_rules! cqrs_aggregate {
    ($ty:ty) => {
        #[cfg(feature = "cqrs")]
        impl cqrs_es::DomainEvent for <$ty as $crate::aggregate::Aggregate>::Event {
            fn event_type(&self) -> String {
                $crate::aggregate::DomainEvent::event_type(self).to_owned()
            }
            fn event_version(&self) -> String {
                $crate::aggregate::DomainEvent::event_version(self).to_string()
            }
        }

        #[cfg(feature = "cqrs")]
        impl cqrs_es::Aggregate for $ty {
            const TYPE: &'static str = <$ty as $crate::aggregate::Aggregate>::STREAM_PREFIX;
            type Command = <$ty as $crate::aggregate::Aggregate>::Command;
            type Event = <$ty as $crate::aggregate::Aggregate>::Event;
            type Error = $crate::error::DomainError;
            type Services = ();

            async fn handle(
                &mut self,
                command: Self::Command,
                _services: &(),
                sink: &cqrs_es::event_sink::EventSink<Self>,
            ) -> Result<(), Self::Error> {
                let events = $crate::aggregate::Aggregate::decide(self, &command)?;
                for event in events {
                    sink.write(event, self).await;
                }
                Ok(())
            }

            fn apply(&mut self, event: Self::Event) {
                $crate::aggregate::Aggregate::apply(self, &event)
            }
        }
    };
}
