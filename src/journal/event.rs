//! Events going in and coming out. The journal treats payload and metadata as opaque JSON
//! text: it knows no event type and no domain rule.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// An event the caller has decided on, not yet in the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// Unique for all time; the caller picks it (uuid v7, so ids sort by creation time).
    pub event_id: Uuid,
    /// Past tense, from the domain: `HoldCaptured`.
    pub event_type: String,
    /// The version of the payload's shape, so old shapes can be upcast on read.
    pub event_version: i32,
    /// JSON text, stored and hashed byte for byte.
    pub payload: String,
    /// JSON text: actor, key id, request id, idempotency key, causation and correlation ids.
    pub metadata: String,
}

impl NewEvent {
    /// Payload and metadata bytes, the part of an event whose size the caller controls.
    pub(crate) fn body_bytes(&self) -> usize {
        self.payload.len() + self.metadata.len()
    }
}

/// An event as the journal recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvent {
    /// Global, gap-free, in commit order; starts at 1.
    pub position: i64,
    pub stream_id: String,
    /// 1, 2, … within the stream.
    pub stream_version: i64,
    pub event_id: Uuid,
    pub event_type: String,
    pub event_version: i32,
    pub payload: String,
    pub metadata: String,
    /// When the group transaction that recorded it was prepared, to the microsecond.
    pub recorded_at: DateTime<Utc>,
    /// Hex SHA-256 chaining this event to the one before it (see `chain.rs`).
    pub hash: String,
}
