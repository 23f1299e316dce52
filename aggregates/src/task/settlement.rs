//! Settling a task (InstaHuman's "close and settle"): the poster closes the
//! task, which ends the work under way and computes what each finished
//! worker — one whose work awaits review — earned; then approves the
//! settlement (each is paid their reward less the fee, and the task
//! completes) or disputes it (the finished work is disputed, its escrow goes
//! back to the poster, and the task closes). While a task settles, nothing
//! else changes it: no one takes or hands in work, and its submissions are
//! reviewed only through the settlement.

use super::event::TaskEvent;
use super::state::{Task, TaskStatus};
use crate::error::DomainError;
use crate::ids::{ActorId, SettlementId, SubmissionId};
use crate::money::Money;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// What one finished worker earns for one submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Earning {
    pub submission_id: SubmissionId,
    pub worker: ActorId,
    /// The reward, taken from the escrow.
    pub gross: Money,
    /// The platform's share of it.
    pub fee: Money,
    /// What the worker receives: `gross - fee`.
    pub payout: Money,
}

/// A task's settlement, from `SettlementOpened`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    pub earnings: Vec<Earning>,
    pub opened_at: Timestamp,
}

impl Settlement {
    /// What the settlement pays in all, before fees.
    pub fn gross_cents(&self) -> i64 {
        self.earnings.iter().map(|e| e.gross.cents).sum()
    }
}

/// Closes the task for settlement, from open, paused or stopped.
pub(super) fn open(task: &Task, at: Timestamp) -> Result<Vec<TaskEvent>, DomainError> {
    if !matches!(
        task.status,
        TaskStatus::Open | TaskStatus::Paused | TaskStatus::Stopped
    ) {
        return Err(DomainError::conflict(format!(
            "cannot settle a task that is {}",
            task.status.as_str()
        )));
    }
    let reward = task.reward.ok_or(DomainError::NotFound("task"))?;
    let fee = task.fee.ok_or(DomainError::NotFound("task"))?;
    let split = fee.split(reward)?;
    let earnings = task
        .pending_submissions()
        .map(|submission| Earning {
            submission_id: submission.id,
            worker: submission.worker,
            gross: split.gross,
            fee: split.fee,
            payout: split.payee,
        })
        .collect();
    Ok(vec![TaskEvent::SettlementOpened { earnings, at }])
}

/// Pays every earning of the settlement; the task completes.
pub(super) fn approve(task: &Task, at: Timestamp) -> Result<Vec<TaskEvent>, DomainError> {
    let settlement = settling(task, "approve")?;
    let mut events: Vec<TaskEvent> = settlement
        .earnings
        .iter()
        .map(|earning| TaskEvent::SubmissionApproved {
            submission_id: earning.submission_id,
            worker: earning.worker,
            // One capture per submission, as an approval's.
            settlement_id: SettlementId(earning.submission_id.0),
            gross: earning.gross,
            fee: earning.fee,
            payout: earning.payout,
            auto: false,
            at,
        })
        .collect();
    events.push(TaskEvent::TaskCompleted { at });
    Ok(events)
}

/// Disputes every earning of the settlement and closes the task: their
/// escrow goes back to the poster.
pub(super) fn dispute(
    task: &Task,
    reason: String,
    at: Timestamp,
) -> Result<Vec<TaskEvent>, DomainError> {
    let settlement = settling(task, "dispute")?;
    if settlement.earnings.is_empty() {
        return Err(DomainError::conflict(
            "the settlement pays no one, so there is nothing to dispute; approve it to close the task",
        ));
    }
    let mut events: Vec<TaskEvent> = settlement
        .earnings
        .iter()
        .map(|earning| TaskEvent::SubmissionDisputed {
            submission_id: earning.submission_id,
            worker: Some(earning.worker),
            reason: reason.clone(),
            at,
        })
        .collect();
    events.push(TaskEvent::TaskCancelled { at });
    Ok(events)
}

/// The open settlement, or why there is none to act on.
fn settling<'a>(task: &'a Task, action: &str) -> Result<&'a Settlement, DomainError> {
    match (&task.settlement, task.status) {
        (Some(settlement), TaskStatus::Settling) => Ok(settlement),
        _ => Err(DomainError::conflict(format!(
            "cannot {action} the settlement of a task that is {}; settle it first",
            task.status.as_str()
        ))),
    }
}

/// Work on a settling task is reviewed only through its settlement.
pub(super) fn ensure_not_settling(task: &Task) -> Result<(), DomainError> {
    if task.status == TaskStatus::Settling {
        return Err(DomainError::conflict(
            "the task is settling: approve or dispute its settlement",
        ));
    }
    Ok(())
}
