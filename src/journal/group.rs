//! Planning one group commit, without IO: given the head and what the database holds for the
//! streams and keys the group touches, decide each request's fate in queue order and lay out
//! the rows to write. A request that fails its checks writes nothing; the others proceed.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::batch::{AppendBatch, Appended, StoredResponse};
use super::chain::{chain_hash, ChainedFields};
use super::error::AppendError;
use super::lock::Head;

/// What the database held, under the head lock, for the streams and keys a group touches.
#[derive(Debug, Default)]
pub(crate) struct Known {
    /// Current version per stream; a stream missing here does not exist (version 0).
    pub stream_versions: HashMap<String, i64>,
    /// Stored responses per (principal, key).
    pub responses: HashMap<(String, String), StoredResponse>,
}

/// One row of the `events` table, borrowing its text from the request.
#[derive(Debug)]
pub(crate) struct EventRow<'a> {
    pub position: i64,
    pub stream_id: &'a str,
    pub stream_version: i64,
    /// Lowercase hyphenated, the form that is stored and hashed.
    pub event_id: String,
    pub event_type: &'a str,
    pub event_version: i32,
    pub payload: &'a str,
    pub metadata: &'a str,
    pub recorded_at_us: i64,
    pub hash_hex: String,
}

impl EventRow<'_> {
    /// The fields the hash chain covers.
    pub(crate) fn chained_fields(&self) -> ChainedFields<'_> {
        ChainedFields {
            position: self.position,
            stream_id: self.stream_id,
            stream_version: self.stream_version,
            event_id: &self.event_id,
            event_type: self.event_type,
            event_version: self.event_version,
            payload: self.payload,
            metadata: self.metadata,
            recorded_at_us: self.recorded_at_us,
        }
    }
}

/// One row of the `idempotency` table.
#[derive(Debug)]
pub(crate) struct IdempotencyRow<'a> {
    pub principal: &'a str,
    pub key: &'a str,
    pub response: StoredResponse,
}

/// Everything one group transaction writes, and what each request is told once it commits.
#[derive(Debug)]
pub(crate) struct GroupPlan<'a> {
    pub events: Vec<EventRow<'a>>,
    /// The new version of every stream that received events.
    pub stream_versions: BTreeMap<&'a str, i64>,
    pub idempotency: Vec<IdempotencyRow<'a>>,
    /// The head after the group's last event.
    pub head: Head,
    /// One per request, in queue order.
    pub outcomes: Vec<Result<Appended, AppendError>>,
}

impl GroupPlan<'_> {
    /// True when the group writes nothing (every request failed, or only checked versions).
    pub(crate) fn writes_nothing(&self) -> bool {
        self.events.is_empty() && self.idempotency.is_empty()
    }
}

/// Plans a group of requests against `known`, in order, as if each committed before the next.
pub(crate) fn plan_group<'a>(
    batches: &[&'a AppendBatch],
    head: Head,
    known: &Known,
    recorded_at: DateTime<Utc>,
) -> GroupPlan<'a> {
    let mut plan = GroupPlan {
        events: Vec::with_capacity(batches.iter().map(|batch| batch.event_count()).sum()),
        stream_versions: BTreeMap::new(),
        idempotency: Vec::new(),
        head,
        outcomes: Vec::with_capacity(batches.len()),
    };
    // Keys taken by earlier requests of this group, on top of `known.responses`.
    let mut keys_taken: HashMap<(&'a str, &'a str), StoredResponse> = HashMap::new();
    for batch in batches {
        let outcome = check(batch, known, &plan.stream_versions, &keys_taken)
            .map(|()| record(batch, &mut plan, &mut keys_taken, recorded_at));
        plan.outcomes.push(outcome);
    }
    plan
}

/// The checks one request must pass, against the database and the group's earlier requests.
/// The idempotency key comes first: a replayed request must get its stored response, not a
/// version conflict caused by its own earlier success.
fn check(
    batch: &AppendBatch,
    known: &Known,
    planned_versions: &BTreeMap<&str, i64>,
    keys_taken: &HashMap<(&str, &str), StoredResponse>,
) -> Result<(), AppendError> {
    if let Some(record) = &batch.idempotency {
        let in_group = keys_taken.get(&(record.principal.as_str(), record.key.as_str()));
        let in_journal = || {
            known
                .responses
                .get(&(record.principal.clone(), record.key.clone()))
        };
        if let Some(stored) = in_group.or_else(in_journal) {
            return Err(AppendError::IdempotencyKeyTaken {
                stored: stored.clone(),
            });
        }
    }
    for stream in &batch.streams {
        let actual = planned_versions
            .get(stream.stream_id.as_str())
            .or_else(|| known.stream_versions.get(&stream.stream_id))
            .copied()
            .unwrap_or(0);
        if actual != stream.expected_version {
            return Err(AppendError::VersionConflict {
                stream_id: stream.stream_id.clone(),
                expected: stream.expected_version,
                actual,
            });
        }
    }
    Ok(())
}

/// Lays out the rows of a request that passed its checks, advancing the planned head.
fn record<'a>(
    batch: &'a AppendBatch,
    plan: &mut GroupPlan<'a>,
    keys_taken: &mut HashMap<(&'a str, &'a str), StoredResponse>,
    recorded_at: DateTime<Utc>,
) -> Appended {
    let recorded_at_us = recorded_at.timestamp_micros();
    let first_position = plan.head.position + 1;
    for stream in &batch.streams {
        let mut version = stream.expected_version;
        for event in &stream.events {
            version += 1;
            let mut row = EventRow {
                position: plan.head.position + 1,
                stream_id: &stream.stream_id,
                stream_version: version,
                event_id: event.event_id.hyphenated().to_string(),
                event_type: &event.event_type,
                event_version: event.event_version,
                payload: &event.payload,
                metadata: &event.metadata,
                recorded_at_us,
                hash_hex: String::new(),
            };
            let hash = chain_hash(&plan.head.hash, &row.chained_fields());
            row.hash_hex = hex::encode(hash);
            plan.head = Head {
                position: row.position,
                hash,
            };
            plan.events.push(row);
        }
        if version != stream.expected_version {
            plan.stream_versions.insert(&stream.stream_id, version);
        }
    }
    let last_position = plan.head.position;
    // An append without events reports the head it committed at for both positions.
    let first_position = first_position.min(last_position);
    if let Some(record) = &batch.idempotency {
        let response = StoredResponse {
            fingerprint: record.fingerprint.clone(),
            status: record.status,
            body: record.body.clone(),
            first_position,
            last_position,
        };
        keys_taken.insert((&record.principal, &record.key), response.clone());
        plan.idempotency.push(IdempotencyRow {
            principal: &record.principal,
            key: &record.key,
            response,
        });
    }
    Appended {
        first_position,
        last_position,
        recorded_at,
    }
}

#[cfg(test)]
mod unit {
    use uuid::Uuid;

    use super::*;
    use crate::journal::batch::{IdempotencyRecord, StreamAppend};
    use crate::journal::chain::GENESIS_HASH;
    use crate::journal::event::NewEvent;

    fn append(stream_id: &str, expected_version: i64, events: usize) -> AppendBatch {
        AppendBatch {
            streams: vec![StreamAppend {
                stream_id: stream_id.to_owned(),
                expected_version,
                events: (0..events)
                    .map(|_| NewEvent {
                        event_id: Uuid::now_v7(),
                        event_type: "TaskPosted".to_owned(),
                        event_version: 1,
                        payload: "{}".to_owned(),
                        metadata: "{}".to_owned(),
                    })
                    .collect(),
            }],
            idempotency: None,
        }
    }

    fn with_key(mut batch: AppendBatch, key: &str) -> AppendBatch {
        batch.idempotency = Some(IdempotencyRecord {
            principal: "actor-1".to_owned(),
            key: key.to_owned(),
            fingerprint: key.to_owned(),
            status: 200,
            body: "{}".to_owned(),
        });
        batch
    }

    const EMPTY_HEAD: Head = Head {
        position: 0,
        hash: GENESIS_HASH,
    };

    #[test]
    fn a_later_request_is_checked_against_the_versions_an_earlier_one_produced() {
        let first = append("task-1", 0, 2);
        let stale = append("task-1", 0, 1);
        let current = append("task-1", 2, 1);
        let plan = plan_group(
            &[&first, &stale, &current],
            EMPTY_HEAD,
            &Known::default(),
            Utc::now(),
        );
        assert!(plan.outcomes[0].is_ok());
        assert!(matches!(
            plan.outcomes[1],
            Err(AppendError::VersionConflict {
                expected: 0,
                actual: 2,
                ..
            })
        ));
        assert_eq!(
            plan.outcomes[2]
                .as_ref()
                .map(|appended| appended.first_position)
                .ok(),
            Some(3)
        );
        let positions: Vec<i64> = plan.events.iter().map(|event| event.position).collect();
        assert_eq!(positions, [1, 2, 3]);
        assert_eq!(plan.stream_versions.get("task-1"), Some(&3));
        assert_eq!(plan.head.position, 3);
    }

    #[test]
    fn a_taken_key_refuses_a_request_whose_versions_would_pass() {
        let first = with_key(append("task-1", 0, 1), "key-1");
        let replay = with_key(append("task-2", 0, 1), "key-1");
        let plan = plan_group(
            &[&first, &replay],
            EMPTY_HEAD,
            &Known::default(),
            Utc::now(),
        );
        match &plan.outcomes[1] {
            Err(AppendError::IdempotencyKeyTaken { stored }) => {
                assert_eq!((stored.first_position, stored.last_position), (1, 1));
            }
            other => panic!("expected the key to be taken, got {other:?}"),
        }
        assert_eq!(plan.events.len(), 1);
        assert_eq!(plan.idempotency.len(), 1);
    }

    #[test]
    fn a_group_of_refused_requests_writes_nothing() {
        let stale = append("task-1", 4, 1);
        let known = Known::default();
        let plan = plan_group(&[&stale], EMPTY_HEAD, &known, Utc::now());
        assert!(plan.writes_nothing());
        assert_eq!(plan.head, EMPTY_HEAD);
    }
}
