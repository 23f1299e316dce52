//! A group's transaction on PostgreSQL: fixed statements whose rows travel as arrays.
//!
//! The portable path (`commit.rs`) sends one statement per table with a VALUES list whose
//! length is the group's, so PostgreSQL would parse and plan a new statement text every time,
//! and the group would spend a round trip per table. Here every statement's text is constant
//! (so it is prepared once per connection) and carries its rows as one array per column,
//! which `unnest` turns back into rows; the four writes go in one statement of
//! data-modifying CTEs. The arrays are bound in the binary protocol (sqlx's native driver:
//! the writer has a pool of its own), so the server copies each payload instead of lexing
//! it out of a JSON document: under the head lock, where every microsecond is throughput.
//!
//! A group's transaction is three round trips (four with idempotency keys): BEGIN with the
//! head lock, one read (the head and the stream versions), one write, and COMMIT. The lock
//! and the reads stay separate statements: under READ COMMITTED a statement sees what
//! committed before it started, and the reads must see the group that held the lock before
//! this one.

use std::collections::HashMap;

use sqlx::{PgPool, Postgres, Transaction};

use super::batch::{AppendBatch, StoredResponse};
use super::commit::{committed, now_to_the_microsecond, CommittedGroup};
use super::error::JournalError;
use super::group::{plan_group, GroupPlan, Known};
use super::lock::{decode_head, Head};
use super::reads::{column, decode_stored_response};

/// Commits `batches` in one transaction; see `commit::commit_group`.
pub(crate) async fn commit_group(
    pool: &PgPool,
    batches: &[&AppendBatch],
) -> Result<CommittedGroup, JournalError> {
    let mut transaction = begin_locked(pool).await?;
    let (head, stream_versions) = read_head_and_versions(&mut transaction, batches).await?;
    let known = Known {
        stream_versions,
        responses: read_stored_responses(&mut transaction, batches).await?,
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
    write_group(&mut transaction, &plan, recorded_at.timestamp_micros()).await?;
    transaction
        .commit()
        .await
        .map_err(JournalError::database("committing the append transaction"))?;
    Ok(committed(plan))
}

/// Begins the group's transaction holding the head lock, in one round trip: with no bind
/// parameters sqlx sends this as a simple query, which may carry two statements. Other
/// appenders, in this process or another, queue on the row lock.
async fn begin_locked(pool: &PgPool) -> Result<Transaction<'static, Postgres>, JournalError> {
    pool.begin_with("BEGIN; SELECT 1 FROM journal_head WHERE id = 1 FOR UPDATE")
        .await
        .map_err(JournalError::database("beginning the append transaction"))
}

/// The head, read under the lock, and the current versions of the streams the group touches,
/// in one statement: a row per stream that exists, each with the head (one row of NULLs for
/// the streams when none does).
async fn read_head_and_versions(
    transaction: &mut Transaction<'static, Postgres>,
    batches: &[&AppendBatch],
) -> Result<(Head, HashMap<String, i64>), JournalError> {
    let mut stream_ids: Vec<&str> = batches
        .iter()
        .flat_map(|batch| batch.streams.iter().map(|stream| stream.stream_id.as_str()))
        .collect();
    stream_ids.sort_unstable();
    stream_ids.dedup();
    let rows = sqlx::query(
        "SELECT h.position, h.hash, s.stream_id, s.version FROM journal_head h \
         LEFT JOIN streams s ON s.stream_id = ANY($1::text[]) \
         WHERE h.id = 1",
    )
    .bind(&stream_ids)
    .fetch_all(&mut **transaction)
    .await
    .map_err(JournalError::database(
        "reading the head and stream versions",
    ))?;
    let first = rows
        .first()
        .ok_or_else(|| JournalError::Corrupt("journal_head has no row".to_owned()))?;
    let head = decode_head(first)?;
    let mut versions = HashMap::with_capacity(rows.len());
    for row in &rows {
        let stream: Option<String> = column(row, "stream_id")?;
        let version: Option<i64> = column(row, "version")?;
        if let (Some(stream), Some(version)) = (stream, version) {
            versions.insert(stream, version);
        }
    }
    Ok((head, versions))
}

/// Stored responses for the group's idempotency keys; no statement when it has none.
async fn read_stored_responses(
    transaction: &mut Transaction<'static, Postgres>,
    batches: &[&AppendBatch],
) -> Result<HashMap<(String, String), StoredResponse>, JournalError> {
    let (principals, keys): (Vec<&str>, Vec<&str>) = batches
        .iter()
        .filter_map(|batch| batch.idempotency.as_ref())
        .map(|record| (record.principal.as_str(), record.key.as_str()))
        .unzip();
    let mut responses = HashMap::new();
    if keys.is_empty() {
        return Ok(responses);
    }
    let rows = sqlx::query(
        "SELECT principal, key, fingerprint, status, body, first_position, last_position \
         FROM idempotency WHERE (principal, key) IN \
         (SELECT * FROM unnest($1::text[], $2::text[]))",
    )
    .bind(&principals)
    .bind(&keys)
    .fetch_all(&mut **transaction)
    .await
    .map_err(JournalError::database("reading idempotency records"))?;
    for row in rows {
        let principal_and_key = (column(&row, "principal")?, column(&row, "key")?);
        responses.insert(principal_and_key, decode_stored_response(&row)?);
    }
    Ok(responses)
}

/// The events, the streams' new versions, the idempotency records and the head, in one
/// statement. A unique violation names its constraint as the portable path's does, so
/// `constraint::violated_constraint` reads it the same way.
const WRITE_GROUP: &str = "\
WITH new_events AS (
    INSERT INTO events (position, stream_id, stream_version, event_id, event_type,
                        event_version, payload, metadata, recorded_at_us, hash)
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[],
                         $6::integer[], $7::text[], $8::text[], $9::bigint[], $10::text[])
), new_versions AS (
    INSERT INTO streams (stream_id, version)
    SELECT * FROM unnest($11::text[], $12::bigint[])
    ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version
), new_responses AS (
    INSERT INTO idempotency (principal, key, fingerprint, status, body,
                             first_position, last_position, created_at_us)
    SELECT principal, key, fingerprint, status, body, first_position, last_position, $13
    FROM unnest($14::text[], $15::text[], $16::text[], $17::integer[], $18::text[],
                $19::bigint[], $20::bigint[])
        AS i(principal, key, fingerprint, status, body, first_position, last_position)
)
UPDATE journal_head SET position = $21, hash = $22 WHERE id = 1";

async fn write_group(
    transaction: &mut Transaction<'static, Postgres>,
    plan: &GroupPlan<'_>,
    created_at_us: i64,
) -> Result<(), JournalError> {
    let events = &plan.events;
    let responses = &plan.idempotency;
    let (stream_ids, versions): (Vec<&str>, Vec<i64>) = plan
        .stream_versions
        .iter()
        .map(|(stream_id, version)| (*stream_id, *version))
        .unzip();
    sqlx::query(WRITE_GROUP)
        .bind(events.iter().map(|e| e.position).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.stream_id).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.stream_version).collect::<Vec<_>>())
        .bind(
            events
                .iter()
                .map(|e| e.event_id.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(events.iter().map(|e| e.event_type).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.event_version).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.payload).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.metadata).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.recorded_at_us).collect::<Vec<_>>())
        .bind(
            events
                .iter()
                .map(|e| e.hash_hex.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(stream_ids)
        .bind(versions)
        .bind(created_at_us)
        .bind(responses.iter().map(|r| r.principal).collect::<Vec<_>>())
        .bind(responses.iter().map(|r| r.key).collect::<Vec<_>>())
        .bind(
            responses
                .iter()
                .map(|r| r.response.fingerprint.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            responses
                .iter()
                .map(|r| i32::from(r.response.status))
                .collect::<Vec<_>>(),
        )
        .bind(
            responses
                .iter()
                .map(|r| r.response.body.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            responses
                .iter()
                .map(|r| r.response.first_position)
                .collect::<Vec<_>>(),
        )
        .bind(
            responses
                .iter()
                .map(|r| r.response.last_position)
                .collect::<Vec<_>>(),
        )
        .bind(plan.head.position)
        .bind(hex::encode(plan.head.hash))
        .execute(&mut **transaction)
        .await
        .map_err(JournalError::database("writing the group"))?;
    Ok(())
}
