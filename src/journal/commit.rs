//! One group transaction: lock the head, read what the group's checks need, write the rows
//! of the requests that pass, move the head, commit. PostgreSQL reads and writes through the
//! fixed statements of `commit_postgres`, on a connection of its own; SQLite, in process and
//! so without round trips to save, through a statement per table here.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::{Any, AnyPool, PgPool, Transaction};

use super::batch::{AppendBatch, Appended, StoredResponse};
use super::commit_postgres as postgres;
use super::connect::Backend;
use super::error::{AppendError, JournalError};
use super::group::{plan_group, EventRow, GroupPlan, IdempotencyRow, Known};
use super::lock::{advance_head, lock_head_sqlite, WriteGate};
use super::reads::{column, decode_stored_response};
use super::recent::CommittedEvent;
use super::sql::{placeholders, rows_per_statement, value_rows};

/// What a committed group tells the writer.
#[derive(Debug)]
pub(crate) struct CommittedGroup {
    /// One per request, in queue order.
    pub outcomes: Vec<Result<Appended, AppendError>>,
    /// The head after the commit.
    pub head_position: i64,
    /// What the group wrote, for the projector (`recent.rs`).
    pub events: Vec<Arc<CommittedEvent>>,
}

/// Where the writer commits groups. SQLite: through the shared pool, taking turns with the
/// projectors at the write gate. PostgreSQL: through a pool of the writer's own on sqlx's
/// native driver, which binds a group's rows as arrays in the binary protocol (the `Any`
/// driver has no arrays), so no row set is encoded as text and parsed again under the lock.
#[derive(Clone)]
pub(crate) enum GroupStore {
    Sqlite { pool: AnyPool, gate: WriteGate },
    Postgres(PgPool),
}

/// Commits `batches` in one transaction. An `Err` means nothing was written, for any of them:
/// on an early return the transaction is dropped, and sqlx rolls it back as the connection
/// goes back to the pool.
#[tracing::instrument(level = "debug", skip_all, fields(requests = batches.len()))]
pub(crate) async fn commit_group(
    store: &GroupStore,
    batches: &[&AppendBatch],
) -> Result<CommittedGroup, JournalError> {
    match store {
        GroupStore::Sqlite { pool, gate } => commit_group_sqlite(pool, gate, batches).await,
        GroupStore::Postgres(pool) => postgres::commit_group(pool, batches).await,
    }
}

async fn commit_group_sqlite(
    pool: &AnyPool,
    gate: &WriteGate,
    batches: &[&AppendBatch],
) -> Result<CommittedGroup, JournalError> {
    let backend = Backend::Sqlite;
    let (mut transaction, head, _turn) = lock_head_sqlite(pool, gate).await?;
    let known = Known {
        stream_versions: read_stream_versions(&mut transaction, backend, batches).await?,
        responses: read_stored_responses(&mut transaction, backend, batches).await?,
    };
    let recorded_at = now_to_the_microsecond();
    let plan = plan_group(batches, head, &known, recorded_at);
    if plan.writes_nothing() {
        // Every request failed its checks (or only checked versions): release the lock now.
        transaction
            .rollback()
            .await
            .map_err(JournalError::database(
                "ending an append transaction with no writes",
            ))?;
        return Ok(committed(plan));
    }
    insert_events(&mut transaction, backend, &plan.events).await?;
    upsert_stream_versions(&mut transaction, backend, &plan).await?;
    insert_idempotency(&mut transaction, backend, &plan.idempotency, recorded_at).await?;
    advance_head(&mut transaction, &plan.head).await?;
    transaction
        .commit()
        .await
        .map_err(JournalError::database("committing the append transaction"))?;
    Ok(committed(plan))
}

pub(crate) fn committed(plan: GroupPlan<'_>) -> CommittedGroup {
    let events = plan
        .events
        .iter()
        .map(|row| {
            Arc::new(CommittedEvent {
                position: row.position,
                stream_id: row.stream_id.to_owned(),
                event_type: row.event_type.to_owned(),
                payload: row.payload.to_owned(),
                recorded_at: DateTime::from_timestamp_micros(row.recorded_at_us)
                    .unwrap_or_default(),
            })
        })
        .collect();
    CommittedGroup {
        head_position: plan.head.position,
        events,
        outcomes: plan.outcomes,
    }
}

/// The stored timestamp has microsecond precision; truncating here makes what `append`
/// returns equal what a later read returns.
pub(crate) fn now_to_the_microsecond() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

/// Current versions of every stream the group touches, in as few queries as the parameter
/// bound allows.
async fn read_stream_versions(
    transaction: &mut Transaction<'static, Any>,
    backend: Backend,
    batches: &[&AppendBatch],
) -> Result<HashMap<String, i64>, JournalError> {
    let mut stream_ids: Vec<&str> = batches
        .iter()
        .flat_map(|batch| batch.streams.iter().map(|stream| stream.stream_id.as_str()))
        .collect();
    stream_ids.sort_unstable();
    stream_ids.dedup();
    let mut versions = HashMap::with_capacity(stream_ids.len());
    for chunk in stream_ids.chunks(rows_per_statement(1)) {
        let sql = format!(
            "SELECT stream_id, version FROM streams WHERE stream_id IN ({})",
            placeholders(backend, chunk.len())
        );
        let mut query = sqlx::query(&sql).persistent(false);
        for stream_id in chunk {
            query = query.bind(*stream_id);
        }
        let rows = query
            .fetch_all(&mut **transaction)
            .await
            .map_err(JournalError::database("reading stream versions"))?;
        for row in rows {
            versions.insert(column(&row, "stream_id")?, column(&row, "version")?);
        }
    }
    Ok(versions)
}

/// Stored responses for every idempotency key in the group.
async fn read_stored_responses(
    transaction: &mut Transaction<'static, Any>,
    backend: Backend,
    batches: &[&AppendBatch],
) -> Result<HashMap<(String, String), StoredResponse>, JournalError> {
    let keys: Vec<(&str, &str)> = batches
        .iter()
        .filter_map(|batch| batch.idempotency.as_ref())
        .map(|record| (record.principal.as_str(), record.key.as_str()))
        .collect();
    let mut responses = HashMap::new();
    for chunk in keys.chunks(rows_per_statement(2)) {
        // A row value IN a VALUES list: understood by both SQLite and PostgreSQL.
        let sql = format!(
            "SELECT principal, key, fingerprint, status, body, first_position, last_position \
             FROM idempotency WHERE (principal, key) IN (VALUES {})",
            value_rows(backend, chunk.len(), 2)
        );
        let mut query = sqlx::query(&sql).persistent(false);
        for (principal, key) in chunk {
            query = query.bind(*principal).bind(*key);
        }
        let rows = query
            .fetch_all(&mut **transaction)
            .await
            .map_err(JournalError::database("reading idempotency records"))?;
        for row in rows {
            let principal_and_key = (column(&row, "principal")?, column(&row, "key")?);
            responses.insert(principal_and_key, decode_stored_response(&row)?);
        }
    }
    Ok(responses)
}

/// Columns of one `events` row, in the order `insert_events` binds them.
const EVENT_COLUMNS: usize = 10;

async fn insert_events(
    transaction: &mut Transaction<'static, Any>,
    backend: Backend,
    events: &[EventRow<'_>],
) -> Result<(), JournalError> {
    for chunk in events.chunks(rows_per_statement(EVENT_COLUMNS)) {
        let sql = format!(
            "INSERT INTO events (position, stream_id, stream_version, event_id, event_type, \
             event_version, payload, metadata, recorded_at_us, hash) VALUES {}",
            value_rows(backend, chunk.len(), EVENT_COLUMNS)
        );
        let mut query = sqlx::query(&sql).persistent(false);
        for event in chunk {
            query = query
                .bind(event.position)
                .bind(event.stream_id)
                .bind(event.stream_version)
                .bind(event.event_id.as_str())
                .bind(event.event_type)
                .bind(event.event_version)
                .bind(event.payload)
                .bind(event.metadata)
                .bind(event.recorded_at_us)
                .bind(event.hash_hex.as_str());
        }
        query
            .execute(&mut **transaction)
            .await
            .map_err(JournalError::database("inserting events"))?;
    }
    Ok(())
}

async fn upsert_stream_versions(
    transaction: &mut Transaction<'static, Any>,
    backend: Backend,
    plan: &GroupPlan<'_>,
) -> Result<(), JournalError> {
    let streams: Vec<(&str, i64)> = plan
        .stream_versions
        .iter()
        .map(|(stream_id, version)| (*stream_id, *version))
        .collect();
    for chunk in streams.chunks(rows_per_statement(2)) {
        let sql = format!(
            "INSERT INTO streams (stream_id, version) VALUES {} \
             ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version",
            value_rows(backend, chunk.len(), 2)
        );
        let mut query = sqlx::query(&sql).persistent(false);
        for (stream_id, version) in chunk {
            query = query.bind(*stream_id).bind(*version);
        }
        query
            .execute(&mut **transaction)
            .await
            .map_err(JournalError::database("updating stream versions"))?;
    }
    Ok(())
}

/// Columns of one `idempotency` row, in the order `insert_idempotency` binds them.
const IDEMPOTENCY_COLUMNS: usize = 8;

async fn insert_idempotency(
    transaction: &mut Transaction<'static, Any>,
    backend: Backend,
    rows: &[IdempotencyRow<'_>],
    created_at: DateTime<Utc>,
) -> Result<(), JournalError> {
    let created_at_us = created_at.timestamp_micros();
    for chunk in rows.chunks(rows_per_statement(IDEMPOTENCY_COLUMNS)) {
        let sql = format!(
            "INSERT INTO idempotency (principal, key, fingerprint, status, body, \
             first_position, last_position, created_at_us) VALUES {}",
            value_rows(backend, chunk.len(), IDEMPOTENCY_COLUMNS)
        );
        let mut query = sqlx::query(&sql).persistent(false);
        for row in chunk {
            query = query
                .bind(row.principal)
                .bind(row.key)
                .bind(row.response.fingerprint.as_str())
                .bind(i32::from(row.response.status))
                .bind(row.response.body.as_str())
                .bind(row.response.first_position)
                .bind(row.response.last_position)
                .bind(created_at_us);
        }
        query
            .execute(&mut **transaction)
            .await
            .map_err(JournalError::database("recording idempotency keys"))?;
    }
    Ok(())
}
