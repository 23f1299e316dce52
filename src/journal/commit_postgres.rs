//! A group's reads and writes on PostgreSQL as fixed statements over JSON row sets.
//!
//! The portable path (`commit.rs`) sends one statement per table with a VALUES list whose
//! length is the group's, so PostgreSQL parses and plans a new statement text every time, and
//! the group spends a round trip per table. Here every statement's text is constant (so it is
//! prepared once per connection) and carries its rows as one JSON parameter that
//! `json_to_recordset` turns back into rows; the four writes go in one statement of
//! data-modifying CTEs. A group's transaction is then three round trips (four with
//! idempotency keys): BEGIN with the head lock, one read (the head and the stream versions),
//! one write, and COMMIT. While the head lock is held nothing else can commit, so every round
//! trip saved there is throughput.
//!
//! The lock and the reads stay separate statements: under READ COMMITTED a statement sees
//! what committed before it started, and the reads must see the group that held the lock
//! before this one.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::{Any, AnyPool, Transaction};

use super::batch::{AppendBatch, StoredResponse};
use super::error::JournalError;
use super::group::{GroupPlan, IdempotencyRow};
use super::lock::{decode_head, Head};
use super::reads::{column, decode_stored_response};

/// Begins the group's transaction holding the head lock, in one round trip: with no bind
/// parameters sqlx sends this as a simple query, which may carry two statements. Other
/// appenders, in this process or another, queue on the row lock.
pub(crate) async fn begin_locked(
    pool: &AnyPool,
) -> Result<Transaction<'static, Any>, JournalError> {
    pool.begin_with("BEGIN; SELECT 1 FROM journal_head WHERE id = 1 FOR UPDATE")
        .await
        .map_err(JournalError::database("beginning the append transaction"))
}

/// The head, read under the lock, and the current versions of the streams the group touches,
/// in one statement: a row per stream that exists, each with the head (one row of NULLs for
/// the streams when none does).
pub(crate) async fn read_head_and_versions(
    transaction: &mut Transaction<'static, Any>,
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
         LEFT JOIN streams s ON s.stream_id IN (SELECT json_array_elements_text($1::json)) \
         WHERE h.id = 1",
    )
    .bind(to_json(&stream_ids)?)
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

#[derive(Serialize)]
struct PrincipalKey<'a> {
    principal: &'a str,
    key: &'a str,
}

/// Stored responses for the group's idempotency keys; no statement when it has none.
pub(crate) async fn read_stored_responses(
    transaction: &mut Transaction<'static, Any>,
    batches: &[&AppendBatch],
) -> Result<HashMap<(String, String), StoredResponse>, JournalError> {
    let keys: Vec<PrincipalKey<'_>> = batches
        .iter()
        .filter_map(|batch| batch.idempotency.as_ref())
        .map(|record| PrincipalKey {
            principal: &record.principal,
            key: &record.key,
        })
        .collect();
    let mut responses = HashMap::new();
    if keys.is_empty() {
        return Ok(responses);
    }
    let rows = sqlx::query(
        "SELECT principal, key, fingerprint, status, body, first_position, last_position \
         FROM idempotency WHERE (principal, key) IN \
         (SELECT principal, key FROM json_to_recordset($1::json) AS k(principal text, key text))",
    )
    .bind(to_json(&keys)?)
    .fetch_all(&mut **transaction)
    .await
    .map_err(JournalError::database("reading idempotency records"))?;
    for row in rows {
        let principal_and_key = (column(&row, "principal")?, column(&row, "key")?);
        responses.insert(principal_and_key, decode_stored_response(&row)?);
    }
    Ok(responses)
}

#[derive(Serialize)]
struct StreamVersion<'a> {
    stream_id: &'a str,
    version: i64,
}

#[derive(Serialize)]
struct ResponseRow<'a> {
    principal: &'a str,
    key: &'a str,
    fingerprint: &'a str,
    status: i32,
    body: &'a str,
    first_position: i64,
    last_position: i64,
}

impl<'a> From<&'a IdempotencyRow<'a>> for ResponseRow<'a> {
    fn from(row: &'a IdempotencyRow<'a>) -> Self {
        ResponseRow {
            principal: row.principal,
            key: row.key,
            fingerprint: &row.response.fingerprint,
            status: i32::from(row.response.status),
            body: &row.response.body,
            first_position: row.response.first_position,
            last_position: row.response.last_position,
        }
    }
}

/// The events, the streams' new versions, the idempotency records and the head, in one
/// statement. A unique violation names its constraint as the portable path's does, so
/// `constraint::violated_constraint` reads it the same way.
const WRITE_GROUP: &str = "\
WITH new_events AS (
    INSERT INTO events (position, stream_id, stream_version, event_id, event_type,
                        event_version, payload, metadata, recorded_at_us, hash)
    SELECT position, stream_id, stream_version, event_id, event_type,
           event_version, payload, metadata, recorded_at_us, hash
    FROM json_to_recordset($1::json) AS e(position bigint, stream_id text, stream_version bigint,
        event_id text, event_type text, event_version integer, payload text, metadata text,
        recorded_at_us bigint, hash text)
), new_versions AS (
    INSERT INTO streams (stream_id, version)
    SELECT stream_id, version FROM json_to_recordset($2::json) AS s(stream_id text, version bigint)
    ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version
), new_responses AS (
    INSERT INTO idempotency (principal, key, fingerprint, status, body,
                             first_position, last_position, created_at_us)
    SELECT principal, key, fingerprint, status, body, first_position, last_position, $3
    FROM json_to_recordset($4::json) AS i(principal text, key text, fingerprint text,
        status integer, body text, first_position bigint, last_position bigint)
)
UPDATE journal_head SET position = $5, hash = $6 WHERE id = 1";

pub(crate) async fn write_group(
    transaction: &mut Transaction<'static, Any>,
    plan: &GroupPlan<'_>,
    created_at_us: i64,
) -> Result<(), JournalError> {
    let versions: Vec<StreamVersion<'_>> = plan
        .stream_versions
        .iter()
        .map(|(stream_id, version)| StreamVersion {
            stream_id,
            version: *version,
        })
        .collect();
    let responses: Vec<ResponseRow<'_>> = plan.idempotency.iter().map(ResponseRow::from).collect();
    sqlx::query(WRITE_GROUP)
        .bind(to_json(&plan.events)?)
        .bind(to_json(&versions)?)
        .bind(created_at_us)
        .bind(to_json(&responses)?)
        .bind(plan.head.position)
        .bind(hex::encode(plan.head.hash))
        .execute(&mut **transaction)
        .await
        .map_err(JournalError::database("writing the group"))?;
    Ok(())
}

fn to_json(rows: &impl Serialize) -> Result<String, JournalError> {
    serde_json::to_string(rows)
        .map_err(|error| JournalError::Corrupt(format!("encoding a row set: {error}")))
}
