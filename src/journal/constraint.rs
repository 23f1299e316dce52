//! Unique violations, mapped to what they mean for an append. Under the head lock no append
//! of ours can violate a constraint by racing another, so a violation means a reused event id
//! or a writer that bypassed the lock; either way the caller gets a typed answer, never a
//! generic database error.

use sqlx::error::ErrorKind;
use sqlx::AnyPool;

use super::batch::AppendBatch;
use super::connect::Backend;
use super::error::{AppendError, JournalError};
use super::reads::{last_recorded_version, recorded_event_ids, stored_response};

/// A unique constraint of the journal's schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Constraint {
    /// `events (stream_id, stream_version)` or `streams (stream_id)`: the stream moved.
    StreamVersion,
    /// `events (event_id)`.
    EventId,
    /// `idempotency (principal, key)`.
    IdempotencyKey,
}

/// The journal constraint `error` violates, if it is a unique violation of one. PostgreSQL
/// names the constraint (the migrations spell the names out); SQLite names the columns.
pub(crate) fn violated_constraint(error: &sqlx::Error) -> Option<Constraint> {
    let sqlx::Error::Database(database_error) = error else {
        return None;
    };
    if database_error.kind() != ErrorKind::UniqueViolation {
        return None;
    }
    match database_error.constraint() {
        Some("events_stream_version_unique" | "streams_pkey") => Some(Constraint::StreamVersion),
        Some("events_event_id_unique") => Some(Constraint::EventId),
        Some("idempotency_pkey") => Some(Constraint::IdempotencyKey),
        Some(_) => None,
        None => sqlite_constraint(database_error.message()),
    }
}

/// SQLite's message is "UNIQUE constraint failed: <table>.<column>, …".
fn sqlite_constraint(message: &str) -> Option<Constraint> {
    let columns = message.strip_prefix("UNIQUE constraint failed: ")?;
    match columns {
        "events.stream_id, events.stream_version" | "streams.stream_id" => {
            Some(Constraint::StreamVersion)
        }
        "events.event_id" => Some(Constraint::EventId),
        "idempotency.principal, idempotency.key" => Some(Constraint::IdempotencyKey),
        _ => None,
    }
}

/// Turns the unique violation that failed `batch`'s own transaction into the error the
/// caller should see, by looking at what the database now holds. Any other error is passed on.
pub(crate) async fn explain_violation(
    pool: &AnyPool,
    backend: Backend,
    batch: &AppendBatch,
    error: JournalError,
) -> AppendError {
    let constraint = error.sqlx_error().and_then(violated_constraint);
    let explained = match constraint {
        Some(Constraint::StreamVersion) => version_conflict(pool, batch).await,
        Some(Constraint::IdempotencyKey) => key_taken(pool, batch).await,
        Some(Constraint::EventId) => duplicate_event(pool, backend, batch).await,
        None => None,
    };
    explained.unwrap_or(AppendError::Journal(error))
}

/// The first stream of `batch` that is no longer at its expected version, judged by the
/// events themselves (a writer that bypassed the lock may not have moved `streams`). If every
/// stream is back where expected (the racing transaction rolled back), it is still reported as
/// a conflict on the first stream written to, so the caller reloads and retries.
async fn version_conflict(pool: &AnyPool, batch: &AppendBatch) -> Option<AppendError> {
    let mut fallback = None;
    for stream in &batch.streams {
        let actual = last_recorded_version(pool, &stream.stream_id).await.ok()?;
        let conflict = AppendError::VersionConflict {
            stream_id: stream.stream_id.clone(),
            expected: stream.expected_version,
            actual,
        };
        if actual != stream.expected_version {
            return Some(conflict);
        }
        if fallback.is_none() && !stream.events.is_empty() {
            fallback = Some(conflict);
        }
    }
    fallback
}

async fn key_taken(pool: &AnyPool, batch: &AppendBatch) -> Option<AppendError> {
    let record = batch.idempotency.as_ref()?;
    let stored = stored_response(pool, &record.principal, &record.key)
        .await
        .ok()??;
    Some(AppendError::IdempotencyKeyTaken { stored })
}

async fn duplicate_event(
    pool: &AnyPool,
    backend: Backend,
    batch: &AppendBatch,
) -> Option<AppendError> {
    let event_ids: Vec<String> = batch
        .events()
        .map(|event| event.event_id.hyphenated().to_string())
        .collect();
    let recorded = recorded_event_ids(pool, backend, &event_ids).await.ok()?;
    let event_id = batch
        .events()
        .map(|event| event.event_id)
        .find(|event_id| recorded.contains(&event_id.hyphenated().to_string()))?;
    Some(AppendError::Journal(JournalError::DuplicateEvent {
        event_id,
    }))
}
