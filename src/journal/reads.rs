//! Reading events back, and turning stored rows into values. Every read returns events in
//! position order.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::AnyPool;
use uuid::Uuid;

use super::batch::StoredResponse;
use super::chain::ChainedFields;
use super::connect::Backend;
use super::error::JournalError;
use super::event::RecordedEvent;
use super::limits::READ_ALL_LIMIT_MAX;
use super::recent::CommittedEvent;
use super::sql::{placeholders, rows_per_statement};

const SELECT_EVENTS: &str = "SELECT position, stream_id, stream_version, event_id, event_type, \
     event_version, payload, metadata, recorded_at_us, hash FROM events";

/// An `events` row exactly as stored, before any parsing: what the hash chain covers.
#[derive(Debug)]
pub(crate) struct StoredEvent {
    pub position: i64,
    pub stream_id: String,
    pub stream_version: i64,
    pub event_id: String,
    pub event_type: String,
    pub event_version: i32,
    pub payload: String,
    pub metadata: String,
    pub recorded_at_us: i64,
    pub hash: String,
}

impl StoredEvent {
    pub(crate) fn decode(row: &AnyRow) -> Result<StoredEvent, JournalError> {
        Ok(StoredEvent {
            position: column(row, "position")?,
            stream_id: column(row, "stream_id")?,
            stream_version: column(row, "stream_version")?,
            event_id: column(row, "event_id")?,
            event_type: column(row, "event_type")?,
            event_version: column(row, "event_version")?,
            payload: column(row, "payload")?,
            metadata: column(row, "metadata")?,
            recorded_at_us: column(row, "recorded_at_us")?,
            hash: column(row, "hash")?,
        })
    }

    pub(crate) fn chained_fields(&self) -> ChainedFields<'_> {
        ChainedFields {
            position: self.position,
            stream_id: &self.stream_id,
            stream_version: self.stream_version,
            event_id: &self.event_id,
            event_type: &self.event_type,
            event_version: self.event_version,
            payload: &self.payload,
            metadata: &self.metadata,
            recorded_at_us: self.recorded_at_us,
        }
    }

    fn into_recorded(self) -> Result<RecordedEvent, JournalError> {
        let position = self.position;
        let event_id = Uuid::parse_str(&self.event_id).map_err(|error| {
            JournalError::Corrupt(format!("event at position {position}: event_id: {error}"))
        })?;
        let recorded_at = timestamp(position, self.recorded_at_us)?;
        Ok(RecordedEvent {
            position,
            stream_id: self.stream_id,
            stream_version: self.stream_version,
            event_id,
            event_type: self.event_type,
            event_version: self.event_version,
            payload: self.payload,
            metadata: self.metadata,
            recorded_at,
            hash: self.hash,
        })
    }
}

/// A stored `recorded_at_us`, or `Corrupt` when out of range.
fn timestamp(position: i64, recorded_at_us: i64) -> Result<DateTime<Utc>, JournalError> {
    DateTime::from_timestamp_micros(recorded_at_us).ok_or_else(|| {
        JournalError::Corrupt(format!(
            "event at position {position}: recorded_at_us {recorded_at_us} is out of range"
        ))
    })
}

/// One column of a row (the shared pool's, or the PostgreSQL writer's own), or `Corrupt`
/// naming it.
pub(crate) fn column<'r, R, T>(row: &'r R, name: &str) -> Result<T, JournalError>
where
    R: sqlx::Row,
    for<'n> &'n str: sqlx::ColumnIndex<R>,
    T: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    row.try_get(name)
        .map_err(|error| JournalError::Corrupt(format!("column {name}: {error}")))
}

fn decode_events(rows: &[AnyRow]) -> Result<Vec<RecordedEvent>, JournalError> {
    rows.iter()
        .map(|row| StoredEvent::decode(row)?.into_recorded())
        .collect()
}

/// The columns fingerprint, status, body, first_position, last_position of `idempotency`.
pub(crate) fn decode_stored_response<R>(row: &R) -> Result<StoredResponse, JournalError>
where
    R: sqlx::Row,
    for<'n> &'n str: sqlx::ColumnIndex<R>,
    for<'r> i32: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let status: i32 = column(row, "status")?;
    let status = u16::try_from(status)
        .map_err(|_| JournalError::Corrupt(format!("idempotency status {status} is not a u16")))?;
    Ok(StoredResponse {
        fingerprint: column(row, "fingerprint")?,
        status,
        body: column(row, "body")?,
        first_position: column(row, "first_position")?,
        last_position: column(row, "last_position")?,
    })
}

/// A stream's events up to and including `until_position`, in version order (which within one
/// stream is position order, and is the order of the unique index). Unbounded on purpose: an
/// aggregate is folded from its whole stream; the domain keeps streams short (one task, one
/// account), and the bus caches folded state.
pub(crate) async fn read_stream(
    pool: &AnyPool,
    stream_id: &str,
    until_position: Option<i64>,
) -> Result<Vec<RecordedEvent>, JournalError> {
    let rows = sqlx::query(&format!(
        "{SELECT_EVENTS} WHERE stream_id = $1 AND position <= $2 ORDER BY stream_version"
    ))
    .bind(stream_id)
    .bind(until_position.unwrap_or(i64::MAX))
    .fetch_all(pool)
    .await
    .map_err(JournalError::database("reading a stream"))?;
    decode_events(&rows)
}

/// A stream's events after `after_version`: what a cached state has not seen.
pub(crate) async fn read_stream_after(
    pool: &AnyPool,
    stream_id: &str,
    after_version: i64,
) -> Result<Vec<RecordedEvent>, JournalError> {
    let rows = sqlx::query(&format!(
        "{SELECT_EVENTS} WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version"
    ))
    .bind(stream_id)
    .bind(after_version)
    .fetch_all(pool)
    .await
    .map_err(JournalError::database("reading a stream"))?;
    decode_events(&rows)
}

/// The events of several streams, merged in position order.
pub(crate) async fn read_streams(
    pool: &AnyPool,
    backend: Backend,
    stream_ids: &[String],
) -> Result<Vec<RecordedEvent>, JournalError> {
    let mut events = Vec::new();
    for chunk in stream_ids.chunks(rows_per_statement(1)) {
        let sql = format!(
            "{SELECT_EVENTS} WHERE stream_id IN ({}) ORDER BY position",
            placeholders(backend, chunk.len())
        );
        let mut query = sqlx::query(&sql).persistent(false);
        for stream_id in chunk {
            query = query.bind(stream_id.as_str());
        }
        let rows = query
            .fetch_all(pool)
            .await
            .map_err(JournalError::database("reading streams"))?;
        events.extend(decode_events(&rows)?);
    }
    // Only needed when the ids spanned several chunks; cheap on sorted input otherwise.
    events.sort_by_key(|event| event.position);
    Ok(events)
}

/// Up to `limit` rows after `after_position`, as stored. `limit` is capped at
/// `READ_ALL_LIMIT_MAX`; a caller detects the end by getting fewer rows than it asked for.
pub(crate) async fn read_stored_page(
    pool: &AnyPool,
    after_position: i64,
    until_position: i64,
    limit: u32,
) -> Result<Vec<StoredEvent>, JournalError> {
    let rows = sqlx::query(&format!(
        "{SELECT_EVENTS} WHERE position > $1 AND position <= $2 ORDER BY position LIMIT $3"
    ))
    .bind(after_position)
    .bind(until_position)
    .bind(i64::from(limit.min(READ_ALL_LIMIT_MAX)))
    .fetch_all(pool)
    .await
    .map_err(JournalError::database("reading events by position"))?;
    rows.iter().map(StoredEvent::decode).collect()
}

/// Up to `limit` (at most `READ_ALL_LIMIT_MAX`) events after `after_position`.
pub(crate) async fn read_all(
    pool: &AnyPool,
    after_position: i64,
    limit: u32,
) -> Result<Vec<RecordedEvent>, JournalError> {
    read_stored_page(pool, after_position, i64::MAX, limit)
        .await?
        .into_iter()
        .map(StoredEvent::into_recorded)
        .collect()
}

/// Up to `limit` events after `after_position`, with only the columns projections read.
pub(crate) async fn read_committed(
    pool: &AnyPool,
    after_position: i64,
    limit: u32,
) -> Result<Vec<Arc<CommittedEvent>>, JournalError> {
    let rows = sqlx::query(
        "SELECT position, stream_id, event_type, payload, recorded_at_us FROM events \
         WHERE position > $1 ORDER BY position LIMIT $2",
    )
    .bind(after_position)
    .bind(i64::from(limit.min(READ_ALL_LIMIT_MAX)))
    .fetch_all(pool)
    .await
    .map_err(JournalError::database("reading events by position"))?;
    rows.iter()
        .map(|row| {
            let position: i64 = column(row, "position")?;
            let recorded_at_us: i64 = column(row, "recorded_at_us")?;
            Ok(Arc::new(CommittedEvent {
                position,
                stream_id: column(row, "stream_id")?,
                event_type: column(row, "event_type")?,
                payload: column(row, "payload")?,
                recorded_at: timestamp(position, recorded_at_us)?,
            }))
        })
        .collect()
}

/// A stream's current version; 0 when it does not exist.
pub(crate) async fn stream_version(pool: &AnyPool, stream_id: &str) -> Result<i64, JournalError> {
    let version: Option<i64> =
        sqlx::query_scalar("SELECT version FROM streams WHERE stream_id = $1")
            .bind(stream_id)
            .fetch_optional(pool)
            .await
            .map_err(JournalError::database("reading a stream version"))?;
    Ok(version.unwrap_or(0))
}

/// The version of a stream's last event, from the events themselves; 0 when it has none.
pub(crate) async fn last_recorded_version(
    pool: &AnyPool,
    stream_id: &str,
) -> Result<i64, JournalError> {
    sqlx::query_scalar("SELECT COALESCE(MAX(stream_version), 0) FROM events WHERE stream_id = $1")
        .bind(stream_id)
        .fetch_one(pool)
        .await
        .map_err(JournalError::database("reading a stream's last version"))
}

/// The response stored under (principal, key), if any.
pub(crate) async fn stored_response(
    pool: &AnyPool,
    principal: &str,
    key: &str,
) -> Result<Option<StoredResponse>, JournalError> {
    let row = sqlx::query(
        "SELECT fingerprint, status, body, first_position, last_position \
         FROM idempotency WHERE principal = $1 AND key = $2",
    )
    .bind(principal)
    .bind(key)
    .fetch_optional(pool)
    .await
    .map_err(JournalError::database("reading an idempotency record"))?;
    row.as_ref().map(decode_stored_response).transpose()
}

/// Which of `event_ids` are already recorded.
pub(crate) async fn recorded_event_ids(
    pool: &AnyPool,
    backend: Backend,
    event_ids: &[String],
) -> Result<Vec<String>, JournalError> {
    let mut found = Vec::new();
    for chunk in event_ids.chunks(rows_per_statement(1)) {
        let sql = format!(
            "SELECT event_id FROM events WHERE event_id IN ({})",
            placeholders(backend, chunk.len())
        );
        let mut query = sqlx::query_scalar::<_, String>(&sql).persistent(false);
        for event_id in chunk {
            query = query.bind(event_id.as_str());
        }
        found.extend(
            query
                .fetch_all(pool)
                .await
                .map_err(JournalError::database("looking up event ids"))?,
        );
    }
    Ok(found)
}
