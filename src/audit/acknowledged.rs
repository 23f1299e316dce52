//! Invariant 5: nothing acknowledged is lost. An idempotency record is written in the same
//! transaction as its command's events, so each record's positions must be at or below the
//! head, and the events at its first and last positions must carry its idempotency key (the bus
//! writes `principal` and `idempotency_key` into every event's metadata).
//!
//! The journal records an append without events with both positions at the head it committed
//! at, where another request's event stands: a record whose single position holds another
//! request's event is read as such an append. That a one-event command's event was not swapped
//! for another's is proved by the hash chain (invariant 1), not here.

use serde::Deserialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::findings::Findings;
use super::{AuditError, InvariantReport};
use crate::journal::Journal;

pub(super) const NAME: &str = "acknowledged_commands_recorded";

/// Records per query. Each row carries two events' metadata (well under a KiB each), so a page
/// stays around a MiB however many commands were acknowledged.
const IDEMPOTENCY_PAGE_ROWS: i64 = 1_000;

/// Each record with the metadata of the events at its first and last positions, if they exist,
/// in key order. The joins read the record and its events in one statement, so one snapshot.
const SELECT_RECORDS: &str = "SELECT i.principal, i.key, i.first_position, i.last_position, \
     first_event.metadata AS first_metadata, last_event.metadata AS last_metadata \
     FROM idempotency i \
     LEFT JOIN events first_event ON first_event.position = i.first_position \
     LEFT JOIN events last_event ON last_event.position = i.last_position";

/// The part of an event's metadata that ties it to its request.
#[derive(Debug, Deserialize)]
struct Metadata {
    #[serde(default)]
    principal: Option<String>,
    #[serde(default)]
    idempotency_key: Option<String>,
}

struct Record {
    principal: String,
    key: String,
    first_position: i64,
    last_position: i64,
    first_metadata: Option<String>,
    last_metadata: Option<String>,
}

impl Record {
    fn decode(row: &AnyRow) -> Result<Record, sqlx::Error> {
        Ok(Record {
            principal: row.try_get("principal")?,
            key: row.try_get("key")?,
            first_position: row.try_get("first_position")?,
            last_position: row.try_get("last_position")?,
            first_metadata: row.try_get("first_metadata")?,
            last_metadata: row.try_get("last_metadata")?,
        })
    }

    /// Whether an event's metadata says it was appended for this record's request.
    fn owns(&self, metadata: &str) -> bool {
        serde_json::from_str::<Metadata>(metadata).is_ok_and(|metadata| {
            metadata.idempotency_key.as_deref() == Some(self.key.as_str())
                && metadata
                    .principal
                    .as_deref()
                    .is_none_or(|principal| principal == self.principal)
        })
    }
}

#[derive(Debug, Default)]
struct Tally {
    with_events: u64,
    without_events: u64,
}

pub(super) async fn check(journal: &Journal) -> Result<InvariantReport, AuditError> {
    let mut findings = Findings::default();
    let mut tally = Tally::default();
    let mut after: Option<(String, String)> = None;
    loop {
        let page = read_page(journal, after.as_ref()).await?;
        // Read after the page: every record in it committed with its events, so by now the
        // head is at or past them, and a record past this head was never committed with them.
        let head_position = journal.head().await?;
        for record in &page {
            check_record(record, head_position, &mut findings, &mut tally);
        }
        match page.last() {
            Some(last) if page.len() as i64 == IDEMPOTENCY_PAGE_ROWS => {
                after = Some((last.principal.clone(), last.key.clone()));
            }
            _ => break,
        }
    }
    let summary = format!(
        "{} idempotency records: {} with their events in the journal, {} from appends without events",
        tally.with_events + tally.without_events + findings.total(),
        tally.with_events,
        tally.without_events
    );
    Ok(InvariantReport::new(NAME, &summary, &findings))
}

async fn read_page(
    journal: &Journal,
    after: Option<&(String, String)>,
) -> Result<Vec<Record>, AuditError> {
    let failed = || AuditError::database("reading idempotency records");
    let rows = match after {
        None => {
            sqlx::query(&format!(
                "{SELECT_RECORDS} ORDER BY i.principal, i.key LIMIT $1"
            ))
            .bind(IDEMPOTENCY_PAGE_ROWS)
            .fetch_all(journal.pool())
            .await
        }
        Some((principal, key)) => {
            // A row value comparison: keyset paging both SQLite and PostgreSQL understand.
            sqlx::query(&format!(
                "{SELECT_RECORDS} WHERE (i.principal, i.key) > ($1, $2) \
                 ORDER BY i.principal, i.key LIMIT $3"
            ))
            .bind(principal.as_str())
            .bind(key.as_str())
            .bind(IDEMPOTENCY_PAGE_ROWS)
            .fetch_all(journal.pool())
            .await
        }
    }
    .map_err(failed())?;
    rows.iter()
        .map(|row| Record::decode(row).map_err(failed()))
        .collect()
}

fn check_record(record: &Record, head_position: i64, findings: &mut Findings, tally: &mut Tally) {
    let (first, last) = (record.first_position, record.last_position);
    let described = || format!("command {:?} of {}", record.key, record.principal);
    // Before any event, or a range that is empty: an append that recorded no events.
    if last == 0 || first > last {
        tally.without_events += 1;
        return;
    }
    if last > head_position {
        findings.breach(|| {
            format!(
                "{}: acknowledged at positions {first}..={last}, past the journal head {head_position}",
                described()
            )
        });
        return;
    }
    if first < 1 {
        findings.breach(|| format!("{}: its first position is {first}", described()));
        return;
    }
    let Some(last_metadata) = &record.last_metadata else {
        findings.breach(|| format!("{}: no event at its last position {last}", described()));
        return;
    };
    if !record.owns(last_metadata) {
        if first == last {
            tally.without_events += 1;
        } else {
            findings.breach(|| {
                format!(
                    "{}: the event at its last position {last} is another request's",
                    described()
                )
            });
        }
        return;
    }
    let first_is_ours = first == last
        || record
            .first_metadata
            .as_deref()
            .is_some_and(|m| record.owns(m));
    if first_is_ours {
        tally.with_events += 1;
    } else {
        findings.breach(|| {
            format!(
                "{}: the event at its first position {first} is missing or another request's",
                described()
            )
        });
    }
}
