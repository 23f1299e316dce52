//! `KeyRing` (`keyring-<actor>`): the keys an actor issued through an API
//! that bounds how many may be active at once (Humans2AI: 10). Issuing such
//! a key adds it here in the same append as its `ApiKeyIssued`, and revoking
//! it removes it, so two racing issues of the 10th and 11th key meet at this
//! stream's version: one is appended, the other is decided again and refused.

use crate::aggregate::{Aggregate, DomainEvent};
use crate::error::{Decided, DomainError};
use crate::ids::KeyId;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// No API allows more active keys than this; it bounds the ring's state.
pub const RING_LIMIT_MAX: usize = 100;

#[derive(Debug, Clone, PartialEq)]
pub enum KeyRingCommand {
    /// Adds a key if fewer than `limit` are active.
    Add {
        key_id: KeyId,
        limit: usize,
        at: Timestamp,
    },
    Remove {
        key_id: KeyId,
        at: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum KeyRingEvent {
    KeyAddedToRing { key_id: KeyId, at: Timestamp },
    KeyRemovedFromRing { key_id: KeyId, at: Timestamp },
}

impl DomainEvent for KeyRingEvent {
    fn event_type(&self) -> &'static str {
        match self {
            KeyRingEvent::KeyAddedToRing { .. } => "KeyAddedToRing",
            KeyRingEvent::KeyRemovedFromRing { .. } => "KeyRemovedFromRing",
        }
    }
}

/// The domain's refusal when the ring is full, recognised by the dialect
/// that maps it to its own limit error.
pub const RING_FULL: &str = "the maximum number of active API keys is reached";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyRing {
    /// The active keys, oldest first.
    pub active: Vec<KeyId>,
}

impl KeyRing {
    pub fn contains(&self, key_id: KeyId) -> bool {
        self.active.contains(&key_id)
    }
}

impl Aggregate for KeyRing {
    const STREAM_PREFIX: &'static str = "keyring";
    type Command = KeyRingCommand;
    type Event = KeyRingEvent;

    fn decide(&self, command: &KeyRingCommand) -> Decided<KeyRingEvent> {
        match command {
            KeyRingCommand::Add { key_id, limit, at } => {
                if self.contains(*key_id) {
                    return Err(DomainError::conflict("the key is already on the ring"));
                }
                if self.active.len() >= (*limit).min(RING_LIMIT_MAX) {
                    return Err(DomainError::limit_exceeded(format!(
                        "{RING_FULL} ({limit}); revoke one first"
                    )));
                }
                Ok(vec![KeyRingEvent::KeyAddedToRing {
                    key_id: *key_id,
                    at: *at,
                }])
            }
            KeyRingCommand::Remove { key_id, at } => {
                if !self.contains(*key_id) {
                    return Err(DomainError::NotFound("key"));
                }
                Ok(vec![KeyRingEvent::KeyRemovedFromRing {
                    key_id: *key_id,
                    at: *at,
                }])
            }
        }
    }

    fn apply(&mut self, event: &KeyRingEvent) {
        match event {
            KeyRingEvent::KeyAddedToRing { key_id, .. } => self.active.push(*key_id),
            KeyRingEvent::KeyRemovedFromRing { key_id, .. } => {
                self.active.retain(|active| active != key_id)
            }
        }
    }
}

crate::cqrs_aggregate!(KeyRing);

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use cqrs_es::test::TestFramework;
    use uuid::Uuid;

    type RingTest = TestFramework<KeyRing>;

    fn at() -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap()
    }

    fn key(n: u128) -> KeyId {
        KeyId(Uuid::from_u128(n))
    }

    fn added(n: u128) -> KeyRingEvent {
        KeyRingEvent::KeyAddedToRing {
            key_id: key(n),
            at: at(),
        }
    }

    fn add(n: u128) -> KeyRingCommand {
        KeyRingCommand::Add {
            key_id: key(n),
            limit: 10,
            at: at(),
        }
    }

    #[test]
    fn a_key_is_added_while_fewer_than_the_limit_are_active() {
        RingTest::with(())
            .given((1..=9).map(added).collect())
            .when(add(10))
            .then_expect_events(vec![added(10)]);
    }

    #[test]
    fn the_eleventh_active_key_is_refused_as_over_the_limit() {
        RingTest::with(())
            .given((1..=10).map(added).collect())
            .when(add(11))
            .then_expect_error(DomainError::limit_exceeded(format!(
                "{RING_FULL} (10); revoke one first"
            )));
    }

    #[test]
    fn revoking_one_makes_room_for_another() {
        let removed = KeyRingEvent::KeyRemovedFromRing {
            key_id: key(3),
            at: at(),
        };
        let mut given: Vec<KeyRingEvent> = (1..=10).map(added).collect();
        given.push(removed);
        RingTest::with(())
            .given(given)
            .when(add(11))
            .then_expect_events(vec![added(11)]);
    }

    #[test]
    fn a_key_not_on_the_ring_cannot_be_removed() {
        RingTest::with(())
            .given(vec![added(1)])
            .when(KeyRingCommand::Remove {
                key_id: key(2),
                at: at(),
            })
            .then_expect_error(DomainError::NotFound("key"));
    }
}
