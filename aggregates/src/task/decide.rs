//! The task's rules: which events follow from a command, or why not.
//! After the command's own events, `escrow::rebalance` adds whatever moves the
//! hold to exactly what the task may still pay, and completion follows.

use super::command::{AssignmentMode, NewTask, TaskCommand};
use super::consensus;
use super::escrow;
use super::event::TaskEvent;
use super::settlement;
use super::state::{ApplicationStatus, AssignmentStatus, SubmissionStatus, Task, TaskStatus};
use super::*;
use crate::account::AccountId;
use crate::actor::Caller;
use crate::error::{Decided, DomainError};
use crate::fee::FeePolicy;
use crate::ids::{AssignmentId, SettlementId, SubmissionId};
use crate::Timestamp;
use chrono::Duration;

pub(super) fn decide(task: &Task, command: &TaskCommand) -> Decided<TaskEvent> {
    let (events, reason) = match command {
        TaskCommand::Post { task: new, by, at } => return post(task, new, by, *at),
        TaskCommand::Accept {
            assignment_id,
            by,
            at,
        } => {
            let task = existing(task)?;
            if task.assignment_mode != AssignmentMode::FirstAccept {
                return Err(DomainError::conflict(
                    "this task takes applications; apply instead of accepting",
                ));
            }
            ensure_can_take_work(task, by, *at)?;
            let event = TaskEvent::TaskAssigned {
                assignment_id: *assignment_id,
                worker: by.actor,
                application_id: None,
                expires_at: deadline_after(*at, task.assignment_time_limit_s),
                at: *at,
            };
            (vec![event], "accepted")
        }
        TaskCommand::Apply {
            application_id,
            note,
            by,
            at,
        } => {
            let task = existing(task)?;
            ensure_can_take_work(task, by, *at)?;
            let already_applied = task
                .applications
                .iter()
                .any(|a| a.applicant == by.actor && a.status == ApplicationStatus::Pending);
            if already_applied {
                return Err(DomainError::conflict(
                    "you have already applied to this task",
                ));
            }
            // The bound is on applications waiting for the poster's choice.
            if task.assignment_mode == AssignmentMode::ApplySelect
                && task.applications.len() >= APPLICATIONS_MAX
            {
                return Err(DomainError::conflict(
                    "this task takes no more applications",
                ));
            }
            let note = optional_text(note.as_deref(), NOTE_MAX_CHARS, "note")?;
            let applied = TaskEvent::TaskApplied {
                application_id: *application_id,
                applicant: by.actor,
                note,
                at: *at,
            };
            match task.assignment_mode {
                AssignmentMode::ApplySelect => (vec![applied], "applied"),
                // First come, first served: an application is an acceptance, so a
                // client of an apply-first API (Humans2AI) can take such work
                // too. The assignment takes the application's id, which is as
                // unique within the task as any.
                AssignmentMode::FirstAccept => {
                    let assigned = TaskEvent::TaskAssigned {
                        assignment_id: AssignmentId(application_id.0),
                        worker: by.actor,
                        application_id: Some(*application_id),
                        expires_at: deadline_after(*at, task.assignment_time_limit_s),
                        at: *at,
                    };
                    (vec![applied, assigned], "applied and assigned")
                }
            }
        }
        TaskCommand::Select {
            application_id,
            assignment_id,
            by,
            at,
        } => {
            let task = existing(task)?;
            ensure_poster(task, by)?;
            let application = task
                .application(*application_id)
                .ok_or(DomainError::NotFound("application"))?;
            if application.status != ApplicationStatus::Pending {
                return Err(DomainError::conflict("application was already selected"));
            }
            ensure_taking_workers(task, *at)?;
            if is_working(task, application.applicant) {
                return Err(DomainError::conflict(
                    "applicant is already working on this task",
                ));
            }
            let event = TaskEvent::TaskAssigned {
                assignment_id: *assignment_id,
                worker: application.applicant,
                application_id: Some(*application_id),
                expires_at: deadline_after(*at, task.assignment_time_limit_s),
                at: *at,
            };
            (vec![event], "selected")
        }
        TaskCommand::Submit {
            submission_id,
            proof,
            by,
            at,
        } => {
            let task = existing(task)?;
            by.ensure_not_banned()?;
            let assignment = task
                .assignments
                .iter()
                .find(|a| a.worker == by.actor && a.status == AssignmentStatus::Active)
                .ok_or_else(|| {
                    if task.assignments.iter().any(|a| a.worker == by.actor) {
                        DomainError::conflict("you have no assignment on this task awaiting work")
                    } else {
                        DomainError::forbidden("you are not assigned to this task")
                    }
                })?;
            if assignment.expires_at.is_some_and(|expiry| *at >= expiry) {
                return Err(DomainError::conflict(
                    "the assignment's time limit has passed",
                ));
            }
            proof.validate()?;
            let event = TaskEvent::WorkSubmitted {
                submission_id: *submission_id,
                assignment_id: assignment.id,
                worker: by.actor,
                proof: proof.clone(),
                review_due_at: deadline_after(*at, task.review_window_s),
                at: *at,
            };
            (vec![event], "submitted")
        }
        TaskCommand::Approve {
            submission_id,
            by,
            at,
        } => {
            let task = existing(task)?;
            ensure_poster(task, by)?;
            settlement::ensure_not_settling(task)?;
            (
                vec![approval(task, *submission_id, false, *at)?],
                "approved",
            )
        }
        TaskCommand::AutoApprove { submission_id, at } => {
            let task = existing(task)?;
            settlement::ensure_not_settling(task)?;
            let submission = pending(task, *submission_id)?;
            if submission.review_due_at.is_none_or(|due| *at < due) {
                return Err(DomainError::conflict("the review window is still open"));
            }
            (vec![approval(task, *submission_id, true, *at)?], "approved")
        }
        TaskCommand::Reject {
            submission_id,
            reason,
            by,
            at,
        } => {
            let task = existing(task)?;
            ensure_poster(task, by)?;
            settlement::ensure_not_settling(task)?;
            pending(task, *submission_id)?;
            let event = TaskEvent::SubmissionRejected {
                submission_id: *submission_id,
                reason: required_reason(reason)?,
                at: *at,
            };
            (vec![event], "rejected")
        }
        TaskCommand::Dispute {
            submission_id,
            reason,
            by,
            at,
        } => {
            let task = existing(task)?;
            ensure_poster(task, by)?;
            settlement::ensure_not_settling(task)?;
            let submission = pending(task, *submission_id)?;
            let event = TaskEvent::SubmissionDisputed {
                submission_id: *submission_id,
                worker: Some(submission.worker),
                reason: required_reason(reason)?,
                at: *at,
            };
            (vec![event], "disputed")
        }
        TaskCommand::ApprovePending {
            override_result,
            by,
            at,
        } => {
            let task = existing(task)?;
            ensure_poster(task, by)?;
            settlement::ensure_not_settling(task)?;
            let waiting: Vec<SubmissionId> = task.pending_submissions().map(|s| s.id).collect();
            if waiting.is_empty() {
                return Err(DomainError::conflict("no submission is waiting for review"));
            }
            let mut events = Vec::new();
            if task.is_consensus() {
                if let Some(settled) = consensus::settle(task, override_result.as_deref())? {
                    events.push(TaskEvent::ConsensusReached {
                        result: settled.result,
                        overridden: settled.overridden,
                        at: *at,
                    });
                }
            } else if override_result.is_some() {
                return Err(DomainError::invalid(
                    "override_result is for consensus tasks (more than one worker)",
                ));
            }
            for submission_id in waiting {
                events.push(approval(task, submission_id, false, *at)?);
            }
            (events, "approved")
        }
        TaskCommand::DisputePending { reason, by, at } => {
            let task = existing(task)?;
            ensure_poster(task, by)?;
            settlement::ensure_not_settling(task)?;
            let reason = required_reason(reason)?;
            let waiting: Vec<_> = task.pending_submissions().collect();
            if waiting.is_empty() {
                return Err(DomainError::conflict("no submission is waiting for review"));
            }
            let mut events: Vec<TaskEvent> = waiting
                .iter()
                .map(|submission| TaskEvent::SubmissionDisputed {
                    submission_id: submission.id,
                    worker: Some(submission.worker),
                    reason: reason.clone(),
                    at: *at,
                })
                .collect();
            // A disputed task takes no more work: what it would still pay goes back.
            if !task.status.is_terminal() {
                events.push(TaskEvent::TaskCancelled { at: *at });
            }
            (events, "disputed")
        }
        TaskCommand::Pause { by, at } => {
            let task = existing(task)?;
            ensure_poster(task, by)?;
            ensure_status(task, &[TaskStatus::Open], "pause")?;
            (vec![TaskEvent::TaskPaused { at: *at }], "paused")
        }
        TaskCommand::Resume { by, at } => {
            let task = existing(task)?;
            ensure_poster(task, by)?;
            ensure_status(task, &[TaskStatus::Paused], "resume")?;
            (vec![TaskEvent::TaskResumed { at: *at }], "resumed")
        }
        TaskCommand::Stop { by, at } => {
            let task = existing(task)?;
            ensure_poster(task, by)?;
            ensure_status(task, &[TaskStatus::Open, TaskStatus::Paused], "stop")?;
            (vec![TaskEvent::TaskStopped { at: *at }], "stopped")
        }
        TaskCommand::Cancel { by, at } => {
            let task = existing(task)?;
            ensure_poster(task, by)?;
            ensure_status(
                task,
                &[TaskStatus::Open, TaskStatus::Paused, TaskStatus::Stopped],
                "cancel",
            )?;
            if task.pending_submissions().next().is_some() {
                return Err(DomainError::conflict(
                    "submissions are waiting for review; approve, reject or dispute them first",
                ));
            }
            (vec![TaskEvent::TaskCancelled { at: *at }], "cancelled")
        }
        TaskCommand::Resize { slots, by, at } => {
            let task = existing(task)?;
            ensure_poster(task, by)?;
            ensure_status(task, &[TaskStatus::Open, TaskStatus::Paused], "resize")?;
            ensure_slots(*slots)?;
            if *slots > task.slots {
                by.ensure_active()?;
                // The same bound as posting: the whole escrow is one amount.
                if let Some(reward) = task.reward {
                    reward.checked_mul(i64::from(*slots))?;
                }
            }
            let committed = task.settled_slots() + task.in_flight_slots();
            if *slots < committed {
                return Err(DomainError::conflict(format!(
                    "{committed} slots are taken or paid; cannot shrink to {slots}"
                )));
            }
            if *slots == task.slots {
                return Err(DomainError::conflict(format!(
                    "the task already has {slots} slots"
                )));
            }
            (
                vec![TaskEvent::TaskResized {
                    slots: *slots,
                    at: *at,
                }],
                "resized",
            )
        }
        TaskCommand::Settle { by, at } => {
            let task = existing(task)?;
            ensure_poster(task, by)?;
            (settlement::open(task, *at)?, "settled")
        }
        TaskCommand::ApproveSettlement { by, at } => {
            let task = existing(task)?;
            ensure_poster(task, by)?;
            (settlement::approve(task, *at)?, "settlement approved")
        }
        TaskCommand::DisputeSettlement { reason, by, at } => {
            let task = existing(task)?;
            ensure_poster(task, by)?;
            let reason = required_reason(reason)?;
            (settlement::dispute(task, reason, *at)?, "disputed")
        }
        TaskCommand::AbandonAssignment { assignment_id, at } => {
            let task = existing(task)?;
            let assignment = task
                .assignment(*assignment_id)
                .ok_or(DomainError::NotFound("assignment"))?;
            if assignment.status != AssignmentStatus::Active {
                return Err(DomainError::conflict("the assignment is no longer active"));
            }
            if assignment.expires_at.is_none_or(|expiry| *at < expiry) {
                return Err(DomainError::conflict(
                    "the assignment's time limit has not passed",
                ));
            }
            let event = TaskEvent::AssignmentAbandoned {
                assignment_id: *assignment_id,
                at: *at,
            };
            (vec![event], "abandoned")
        }
        TaskCommand::Expire { at } => {
            let task = existing(task)?;
            ensure_status(
                task,
                &[TaskStatus::Open, TaskStatus::Paused, TaskStatus::Stopped],
                "expire",
            )?;
            if task.deadline.is_none_or(|deadline| *at < deadline) {
                return Err(DomainError::conflict("the deadline has not passed"));
            }
            (vec![TaskEvent::TaskExpired { at: *at }], "expired")
        }
    };
    Ok(escrow::settle_follow_ups(
        task,
        events,
        reason,
        command_time(command),
    ))
}

fn post(task: &Task, new: &NewTask, by: &Caller, at: Timestamp) -> Decided<TaskEvent> {
    if task.exists() {
        return Err(DomainError::conflict("task already posted"));
    }
    by.ensure_active()?;
    let title = new.title.trim();
    if title.is_empty() || title.chars().count() > TITLE_MAX_CHARS {
        return Err(DomainError::invalid(format!(
            "title must be 1 to {TITLE_MAX_CHARS} characters"
        )));
    }
    if new.description.chars().count() > DESCRIPTION_MAX_CHARS {
        return Err(DomainError::invalid(format!(
            "description must be at most {DESCRIPTION_MAX_CHARS} characters"
        )));
    }
    let kind = new.kind.trim();
    if kind.is_empty() || kind.chars().count() > KIND_MAX_CHARS {
        return Err(DomainError::invalid(format!(
            "kind must be 1 to {KIND_MAX_CHARS} characters"
        )));
    }
    if serde_json::to_vec(&new.details).map_or(true, |bytes| bytes.len() > DETAILS_MAX_BYTES) {
        return Err(DomainError::invalid(format!(
            "details must be at most {DETAILS_MAX_BYTES} bytes of JSON"
        )));
    }
    if new.reward.cents <= 0 {
        return Err(DomainError::invalid("reward must be greater than zero"));
    }
    ensure_slots(new.slots)?;
    let escrow = new.reward.checked_mul(i64::from(new.slots))?;
    // The policy's field is public, so an out-of-range rate can reach here; it
    // would make every approval fail and strand the escrow.
    FeePolicy::new(new.fee.rate).map_err(|error| DomainError::invalid(error.to_string()))?;
    if new.deadline.is_some_and(|deadline| deadline <= at) {
        return Err(DomainError::invalid("deadline must be in the future"));
    }
    for (name, seconds) in [
        ("assignment_time_limit_s", new.assignment_time_limit_s),
        ("review_window_s", new.review_window_s),
    ] {
        if seconds.is_some_and(|s| s == 0 || s > DURATION_MAX_S) {
            return Err(DomainError::invalid(format!(
                "{name} must be 1 to {DURATION_MAX_S} seconds"
            )));
        }
    }
    Ok(vec![TaskEvent::TaskPosted {
        task_id: new.task_id,
        poster: by.actor,
        mode: new.mode,
        title: title.to_owned(),
        description: new.description.clone(),
        kind: kind.to_owned(),
        details: new.details.clone(),
        reward: new.reward,
        slots: new.slots,
        assignment: new.assignment,
        fee: new.fee,
        deadline: new.deadline,
        assignment_time_limit_s: new.assignment_time_limit_s,
        review_window_s: new.review_window_s,
        hold_id: new.hold_id,
        account: AccountId {
            owner: by.actor,
            mode: new.mode,
            currency: new.reward.currency,
        },
        escrow,
        posted_at: at,
    }])
}

fn approval(
    task: &Task,
    submission_id: SubmissionId,
    auto: bool,
    at: Timestamp,
) -> Result<TaskEvent, DomainError> {
    let submission = pending(task, submission_id)?;
    let reward = task.reward.ok_or(DomainError::NotFound("task"))?;
    let fee = task.fee.ok_or(DomainError::NotFound("task"))?;
    let split = fee.split(reward)?;
    Ok(TaskEvent::SubmissionApproved {
        submission_id,
        worker: submission.worker,
        // One capture per submission: its id is the settlement's.
        settlement_id: SettlementId(submission_id.0),
        gross: split.gross,
        fee: split.fee,
        payout: split.payee,
        auto,
        at,
    })
}

fn existing(task: &Task) -> Result<&Task, DomainError> {
    if task.exists() {
        Ok(task)
    } else {
        Err(DomainError::NotFound("task"))
    }
}

fn ensure_poster(task: &Task, by: &Caller) -> Result<(), DomainError> {
    by.ensure_not_banned()?;
    if task.poster == Some(by.actor) || by.is_admin() {
        Ok(())
    } else {
        Err(DomainError::forbidden("only the task's poster may do this"))
    }
}

fn ensure_status(task: &Task, allowed: &[TaskStatus], action: &str) -> Result<(), DomainError> {
    if allowed.contains(&task.status) {
        Ok(())
    } else {
        Err(DomainError::conflict(format!(
            "cannot {action} a task that is {}",
            task.status.as_str()
        )))
    }
}

fn ensure_slots(slots: u32) -> Result<(), DomainError> {
    if (1..=SLOTS_MAX).contains(&slots) {
        Ok(())
    } else {
        Err(DomainError::invalid(format!(
            "slots must be 1 to {SLOTS_MAX}"
        )))
    }
}

/// The task is open, its deadline is ahead, and a slot is free.
fn ensure_taking_workers(task: &Task, at: Timestamp) -> Result<(), DomainError> {
    if task.status != TaskStatus::Open {
        return Err(DomainError::conflict(format!(
            "the task is {} and takes no workers",
            task.status.as_str()
        )));
    }
    if task.deadline.is_some_and(|deadline| at >= deadline) {
        return Err(DomainError::conflict("the task's deadline has passed"));
    }
    if task.open_slots() == 0 {
        return Err(DomainError::conflict("every slot of this task is taken"));
    }
    Ok(())
}

fn ensure_can_take_work(task: &Task, by: &Caller, at: Timestamp) -> Result<(), DomainError> {
    by.ensure_active()?;
    if task.poster == Some(by.actor) {
        return Err(DomainError::conflict("you cannot take your own task"));
    }
    ensure_taking_workers(task, at)?;
    if is_working(task, by.actor) {
        return Err(DomainError::conflict(
            "you already hold a slot of this task",
        ));
    }
    Ok(())
}

/// A worker holds at most one slot of a task at a time, and a paid slot
/// counts: consensus needs distinct people.
fn is_working(task: &Task, worker: crate::ids::ActorId) -> bool {
    task.assignments
        .iter()
        .any(|a| a.worker == worker && (a.status.is_in_flight() || a.status.is_settled()))
}

fn pending(task: &Task, submission_id: SubmissionId) -> Result<&super::Submission, DomainError> {
    let submission = task
        .submission(submission_id)
        .ok_or(DomainError::NotFound("submission"))?;
    if submission.status != SubmissionStatus::Pending {
        return Err(DomainError::conflict(format!(
            "the submission is already {}",
            match submission.status {
                SubmissionStatus::Pending => "pending",
                SubmissionStatus::Approved => "approved",
                SubmissionStatus::Rejected => "rejected",
                SubmissionStatus::Disputed => "disputed",
            }
        )));
    }
    Ok(submission)
}

fn required_reason(reason: &str) -> Result<String, DomainError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > REASON_MAX_CHARS {
        return Err(DomainError::invalid(format!(
            "a reason of 1 to {REASON_MAX_CHARS} characters is required"
        )));
    }
    Ok(reason.to_owned())
}

fn optional_text(
    text: Option<&str>,
    max: usize,
    name: &str,
) -> Result<Option<String>, DomainError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) if text.chars().count() > max => Err(DomainError::invalid(format!(
            "{name} must be at most {max} characters"
        ))),
        Some(text) => Ok(Some(text.to_owned())),
    }
}

fn deadline_after(at: Timestamp, seconds: Option<u32>) -> Option<Timestamp> {
    seconds.map(|s| at + Duration::seconds(i64::from(s)))
}

fn command_time(command: &TaskCommand) -> Timestamp {
    match command {
        TaskCommand::Post { at, .. }
        | TaskCommand::Accept { at, .. }
        | TaskCommand::Apply { at, .. }
        | TaskCommand::Select { at, .. }
        | TaskCommand::Submit { at, .. }
        | TaskCommand::Approve { at, .. }
        | TaskCommand::Reject { at, .. }
        | TaskCommand::Dispute { at, .. }
        | TaskCommand::ApprovePending { at, .. }
        | TaskCommand::DisputePending { at, .. }
        | TaskCommand::Pause { at, .. }
        | TaskCommand::Resume { at, .. }
        | TaskCommand::Stop { at, .. }
        | TaskCommand::Cancel { at, .. }
        | TaskCommand::Resize { at, .. }
        | TaskCommand::Settle { at, .. }
        | TaskCommand::ApproveSettlement { at, .. }
        | TaskCommand::DisputeSettlement { at, .. }
        | TaskCommand::AutoApprove { at, .. }
        | TaskCommand::AbandonAssignment { at, .. }
        | TaskCommand::Expire { at } => *at,
    }
}
