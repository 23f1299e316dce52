//! Consensus: a task with more than one slot asks several people the same
//! question. Their results are their proofs' `result`, or the text where a
//! proof has no separate result, compared without
//! regard to case or spacing ("Open", " open " agree). When the poster
//! approves, every result handed in and not refused (awaiting review or
//! approved before) is compared:
//!
//! - one answer among them: that is the consensus;
//! - none (proofs with attachments only): there is nothing to compare, and
//!   approval goes ahead without one;
//! - two or more different answers: a conflict, and approval needs the
//!   poster's `override_result`, which becomes the answer (marked overridden).
//!
//! An override never changes who is paid: everyone whose work is approved
//! did the work; work the poster thinks bad is disputed instead.

use super::state::{ConsensusResult, SubmissionStatus, Task};
use crate::error::DomainError;

/// An answer, not an essay: the poster's override is bounded like a note.
pub const RESULT_MAX_CHARS: usize = 2_000;

/// A result as compared: lowercase, words separated by single spaces.
pub fn normalized(result: &str) -> String {
    result
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The results that count: the answer of every submission not rejected or disputed,
/// in the order handed in.
pub fn results(task: &Task) -> Vec<&str> {
    task.submissions
        .iter()
        .filter(|s| {
            matches!(
                s.status,
                SubmissionStatus::Pending | SubmissionStatus::Approved
            )
        })
        .filter_map(|s| s.proof.answer())
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .collect()
}

/// Whether the results so far agree (fewer than two different answers).
pub fn agrees(task: &Task) -> bool {
    let mut answers: Vec<String> = results(task).into_iter().map(normalized).collect();
    answers.sort();
    answers.dedup();
    answers.len() <= 1
}

/// The answer approval settles, or why approval must wait for an override.
pub(super) fn settle(
    task: &Task,
    override_result: Option<&str>,
) -> Result<Option<ConsensusResult>, DomainError> {
    if let Some(result) = override_result {
        let result = result.trim();
        if result.is_empty() || result.chars().count() > RESULT_MAX_CHARS {
            return Err(DomainError::invalid(format!(
                "override_result must be 1 to {RESULT_MAX_CHARS} characters"
            )));
        }
        return Ok(Some(ConsensusResult {
            result: result.to_owned(),
            overridden: true,
        }));
    }
    let results = results(task);
    let Some(first) = results.first() else {
        return Ok(None);
    };
    if !agrees(task) {
        let mut answers: Vec<String> = results.iter().map(|r| normalized(r)).collect();
        answers.sort();
        answers.dedup();
        return Err(DomainError::conflict(format!(
            "the workers' results conflict ({} different answers); approve with override_result to settle it",
            answers.len()
        )));
    }
    Ok(Some(ConsensusResult {
        result: (*first).to_owned(),
        overridden: false,
    }))
}
