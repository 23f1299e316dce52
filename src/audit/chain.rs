//! Invariant 1: the hash chain is intact and positions run 1..N without gaps. The journal
//! knows how its chain is built, so it does the recomputing; this turns its answer into a report.

use super::findings::Findings;
use super::{AuditError, InvariantReport};
use crate::journal::Journal;

pub(super) const NAME: &str = "hash_chain";

pub(super) async fn check(journal: &Journal) -> Result<InvariantReport, AuditError> {
    let report = journal.verify_chain().await?;
    let mut findings = Findings::default();
    if let Some(first_break) = &report.first_break {
        findings.breach(|| {
            format!(
                "position {}: {}; nothing after it can be trusted",
                first_break.position, first_break.reason
            )
        });
    }
    let summary = format!(
        "{} of {} events verified: hashes recomputed from the genesis hash, positions contiguous",
        report.events_checked, report.head_position
    );
    Ok(InvariantReport::new(NAME, &summary, &findings))
}
