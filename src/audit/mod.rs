//! # The auditor: `errand verify` and `GET /v1/audit/verify`
//!
//! Proves the invariants of DESIGN.md §8 from the journal, the only source of truth, and checks
//! the read models against a fresh replay of it.
//!
//! ## Layout
//!
//! - [`verify`]: runs every check and gathers an [`AuditReport`].
//! - `chain`: 1. the hash chain is intact and positions run 1..N (the journal's `verify_chain`).
//! - `replay`: one pass over the journal in pages, folding every account and task in memory and
//!   feeding the checks that need the whole history:
//!   - `ledger`: 2. each event's postings sum to zero, the settlement clearing account nets to
//!     zero, and no balance ever goes negative;
//!   - `holds`: 3. each settlement is applied at most once, no hold is settled beyond what it
//!     holds, and each task's escrow equals its hold;
//!   - the folded rows, taken at each projection's checkpoint, for
//! - `read_models`: 4. `accounts_view`, `tasks_view` and `postings` equal the replay;
//!   `rebuilt`: the outbox's and reputation's tables equal their projections' own rebuild.
//! - `acknowledged`: 5. every idempotency record's events are in the journal.
//! - `findings`: the bounded list of breaches each check reports.
//!
//! **A breach is a finding, not an error**: `verify` returns `Ok` with `ok: false`.
//! [`AuditError`] is for failing to look (the database is down, a table is missing).
//!
//! **Memory**: the journal is streamed in pages of `READ_ALL_LIMIT_MAX` events, but the replay
//! keeps every account and task folded, every hold, and the ids of applied settlements: memory
//! is O(accounts + tasks + settlements), not O(events). Fine at today's scale; a larger ledger
//! would fold per stream from the database instead.

mod acknowledged;
mod chain;
mod findings;
mod holds;
mod ledger;
mod read_models;
mod rebuilt;
mod replay;

#[cfg(test)]
mod tests;

use std::fmt::Write as _;

use serde::Serialize;

use crate::journal::{Journal, JournalError};

pub use findings::BREACHES_LISTED_MAX;

/// What `errand verify` found.
#[derive(Debug, Serialize)]
pub struct AuditReport {
    /// True when every invariant holds.
    pub ok: bool,
    /// The journal head when the audit started; later appends are not audited.
    pub head_position: i64,
    /// Events replayed (positions 1..=head).
    pub events_checked: i64,
    /// One per invariant of DESIGN.md §8, in its order.
    pub invariants: Vec<InvariantReport>,
}

/// One invariant's verdict.
#[derive(Debug, Serialize)]
pub struct InvariantReport {
    /// Stable, snake_case: `hash_chain`, `ledger_balanced`, `holds_settled_once`,
    /// `read_models_match_replay`, `acknowledged_commands_recorded`.
    pub name: &'static str,
    pub ok: bool,
    /// What was checked (counts), then the first breaches, one per line, at most
    /// `BREACHES_LISTED_MAX` of them.
    pub detail: String,
}

/// Why the audit could not be carried out. Breaches are never errors: they are reported.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("the journal could not be read")]
    Journal(#[from] JournalError),
    #[error("{what} failed")]
    Database {
        what: &'static str,
        #[source]
        source: sqlx::Error,
    },
}

impl AuditError {
    /// Wraps a database error with what was being done, for `map_err`.
    pub(crate) fn database(what: &'static str) -> impl FnOnce(sqlx::Error) -> AuditError {
        move |source| AuditError::Database { what, source }
    }
}

/// Each invariant's name and the sentence `render_text` prints for it, in DESIGN.md's order.
const INVARIANTS: [(&str, &str); 5] = [
    (
        chain::NAME,
        "hash chain intact, positions 1..N without gaps",
    ),
    (
        ledger::NAME,
        "postings sum to zero, no balance ever negative",
    ),
    (
        holds::NAME,
        "holds settled at most once each, never beyond what they hold",
    ),
    (read_models::NAME, "read models equal a fresh replay"),
    (
        acknowledged::NAME,
        "every acknowledged command's events are in the journal",
    ),
];

/// Audits the journal and the read models. Read-only; safe to run while the server appends
/// (the audit covers the journal up to the head it reads at the start).
pub async fn verify(journal: &Journal) -> Result<AuditReport, AuditError> {
    // Opened first, so the projections' checkpoints it reads are at or below the head read next.
    let read_models = read_models::Snapshot::open(journal).await?;
    let head_position = journal.head().await?;
    let chain = chain::check(journal).await?;
    let replay = replay::run(journal, head_position, read_models.checkpoints()).await?;
    let events_checked = replay.events_checked;
    let (ledger, holds, folded) = replay.finish();
    let read_models = read_models.compare(journal, folded, head_position).await?;
    let acknowledged = acknowledged::check(journal).await?;
    let invariants = vec![chain, ledger, holds, read_models, acknowledged];
    Ok(AuditReport {
        ok: invariants.iter().all(|invariant| invariant.ok),
        head_position,
        events_checked,
        invariants,
    })
}

impl AuditReport {
    /// The report as the CLI prints it: a verdict line, then each invariant with its detail.
    pub fn render_text(&self) -> String {
        let mut text = String::new();
        let verdict = if self.ok {
            "every invariant holds"
        } else {
            "BREACHES FOUND"
        };
        let _ = writeln!(
            text,
            "errand verify: {verdict} (journal head {}, {} events replayed)",
            self.head_position, self.events_checked
        );
        for (number, invariant) in self.invariants.iter().enumerate() {
            let title = INVARIANTS
                .iter()
                .find(|(name, _)| *name == invariant.name)
                .map_or(invariant.name, |(_, title)| title);
            let mark = if invariant.ok { "ok    " } else { "BREACH" };
            let _ = writeln!(
                text,
                "\n{mark} {}. {title} [{}]",
                number + 1,
                invariant.name
            );
            for line in invariant.detail.lines() {
                let _ = writeln!(text, "         {line}");
            }
        }
        text
    }
}

impl InvariantReport {
    /// `summary` says what was checked; the breaches, if any, follow it.
    pub(crate) fn new(name: &'static str, summary: &str, findings: &findings::Findings) -> Self {
        InvariantReport {
            name,
            ok: findings.is_empty(),
            detail: findings.detail(summary),
        }
    }
}
