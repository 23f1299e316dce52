//! What one `append` asks for and what it gets back.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::error::InvalidAppend;
use super::event::NewEvent;
use super::limits::{APPEND_BYTES_MAX, APPEND_EVENTS_MAX, APPEND_STREAMS_MAX};

/// Events for one or more streams, recorded all together or not at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendBatch {
    pub streams: Vec<StreamAppend>,
    /// The response to store under the request's idempotency key, in the same transaction.
    pub idempotency: Option<IdempotencyRecord>,
}

/// Events for one stream, on the condition that the stream is still at `expected_version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamAppend {
    pub stream_id: String,
    /// The version the caller decided against; 0 means the stream must not exist yet. A
    /// stream append without events only checks the version (the caller read it and relies
    /// on it not having moved).
    pub expected_version: i64,
    pub events: Vec<NewEvent>,
}

/// The response of an idempotent request, stored with its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    pub principal: String,
    pub key: String,
    /// A digest of the request, so the same key with another body can be refused.
    pub fingerprint: String,
    /// HTTP status of the response to replay.
    pub status: u16,
    /// JSON text of the response to replay.
    pub body: String,
}

/// A response recorded under an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub fingerprint: String,
    pub status: u16,
    pub body: String,
    /// The positions of the events recorded with it, so a replay can wait for the read
    /// models to reach them. Both equal the head at commit when it recorded no events.
    pub first_position: i64,
    pub last_position: i64,
}

/// Where an append landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// Positions of the first and last events recorded. An append without events gets the
    /// journal head at its commit for both.
    pub first_position: i64,
    pub last_position: i64,
    pub recorded_at: DateTime<Utc>,
}

impl AppendBatch {
    /// Number of events across all streams.
    pub(crate) fn event_count(&self) -> usize {
        self.streams.iter().map(|stream| stream.events.len()).sum()
    }

    /// Payload and metadata bytes across all events.
    pub(crate) fn body_bytes(&self) -> usize {
        self.events().map(NewEvent::body_bytes).sum()
    }

    pub(crate) fn events(&self) -> impl Iterator<Item = &NewEvent> {
        self.streams.iter().flat_map(|stream| stream.events.iter())
    }

    /// Checks the rules the journal can check without the database, so a bad append is
    /// refused before it can share (and fail) a group transaction with others.
    pub(crate) fn validate(&self) -> Result<(), InvalidAppend> {
        if self.streams.is_empty() && self.idempotency.is_none() {
            return Err(InvalidAppend::Empty);
        }
        if self.streams.len() > APPEND_STREAMS_MAX {
            return Err(InvalidAppend::TooManyStreams {
                count: self.streams.len(),
                max: APPEND_STREAMS_MAX,
            });
        }
        let events = self.event_count();
        if events > APPEND_EVENTS_MAX {
            return Err(InvalidAppend::TooManyEvents {
                count: events,
                max: APPEND_EVENTS_MAX,
            });
        }
        let bytes = self.body_bytes();
        if bytes > APPEND_BYTES_MAX {
            return Err(InvalidAppend::TooManyBytes {
                count: bytes,
                max: APPEND_BYTES_MAX,
            });
        }
        let mut stream_ids = HashSet::new();
        for stream in &self.streams {
            if stream.expected_version < 0 {
                return Err(InvalidAppend::NegativeExpectedVersion {
                    stream_id: stream.stream_id.clone(),
                    expected: stream.expected_version,
                });
            }
            if !stream_ids.insert(stream.stream_id.as_str()) {
                return Err(InvalidAppend::DuplicateStream {
                    stream_id: stream.stream_id.clone(),
                });
            }
        }
        let mut event_ids = HashSet::new();
        for event in self.events() {
            if !event_ids.insert(event.event_id) {
                return Err(InvalidAppend::DuplicateEvent {
                    event_id: event.event_id,
                });
            }
        }
        Ok(())
    }
}
