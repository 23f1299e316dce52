//! A task's state, folded from its events.

use super::command::AssignmentMode;
use super::event::TaskEvent;
use super::proof::Proof;
use super::settlement::Settlement;
use crate::account::AccountId;
use crate::fee::FeePolicy;
use crate::ids::{ActorId, ApplicationId, AssignmentId, HoldId, SubmissionId, TaskId};
use crate::mode::Mode;
use crate::money::Money;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Taking workers.
    #[default]
    Open,
    /// Not taking workers for now; work under way goes on.
    Paused,
    /// Not taking workers ever again; work under way finishes.
    Stopped,
    /// Closed for settlement (`SettlementOpened`): work under way ended, and
    /// each finished worker's reward waits for the poster to approve or
    /// dispute the settlement.
    Settling,
    Cancelled,
    /// The deadline passed before every slot was paid.
    Expired,
    /// Every slot was paid or disputed.
    Completed,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Paused => "paused",
            TaskStatus::Stopped => "stopped",
            TaskStatus::Settling => "settling",
            TaskStatus::Cancelled => "cancelled",
            TaskStatus::Expired => "expired",
            TaskStatus::Completed => "completed",
        }
    }

    /// The status `as_str` names, for read models that store the word.
    pub fn parse(word: &str) -> Option<TaskStatus> {
        [
            TaskStatus::Open,
            TaskStatus::Paused,
            TaskStatus::Stopped,
            TaskStatus::Settling,
            TaskStatus::Cancelled,
            TaskStatus::Expired,
            TaskStatus::Completed,
        ]
        .into_iter()
        .find(|status| status.as_str() == word)
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskStatus::Cancelled | TaskStatus::Expired | TaskStatus::Completed
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    Pending,
    Selected,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    pub id: ApplicationId,
    pub applicant: ActorId,
    pub note: Option<String>,
    pub status: ApplicationStatus,
    pub at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentStatus {
    /// Working on it.
    Active,
    /// Handed in; waiting for review.
    Submitted,
    Approved,
    Rejected,
    Disputed,
    /// The time limit passed without a submission; the slot is free again.
    Abandoned,
    /// Ended by the task's cancellation, expiry or settlement.
    Ended,
}

impl AssignmentStatus {
    /// Holds a slot that may still be paid.
    pub fn is_in_flight(self) -> bool {
        matches!(self, AssignmentStatus::Active | AssignmentStatus::Submitted)
    }

    /// Consumed its slot for good.
    pub fn is_settled(self) -> bool {
        matches!(
            self,
            AssignmentStatus::Approved | AssignmentStatus::Disputed
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: AssignmentId,
    pub worker: ActorId,
    pub application_id: Option<ApplicationId>,
    pub status: AssignmentStatus,
    pub assigned_at: Timestamp,
    pub expires_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    Pending,
    Approved,
    Rejected,
    Disputed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    pub id: SubmissionId,
    pub assignment_id: AssignmentId,
    pub worker: ActorId,
    pub proof: Proof,
    pub status: SubmissionStatus,
    pub submitted_at: Timestamp,
    pub review_due_at: Option<Timestamp>,
    pub reason: Option<String>,
    pub payout: Option<Money>,
    pub fee: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsensusResult {
    pub result: String,
    /// The poster chose it over conflicting results.
    pub overridden: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: Option<TaskId>,
    pub poster: Option<ActorId>,
    pub mode: Mode,
    pub title: String,
    pub description: String,
    pub kind: String,
    pub details: serde_json::Value,
    pub reward: Option<Money>,
    pub slots: u32,
    pub assignment_mode: AssignmentMode,
    pub fee: Option<FeePolicy>,
    pub deadline: Option<Timestamp>,
    pub assignment_time_limit_s: Option<u32>,
    pub review_window_s: Option<u32>,
    pub hold_id: Option<HoldId>,
    pub account: Option<AccountId>,
    pub status: TaskStatus,
    pub posted_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    /// What the hold still holds for this task.
    pub escrow_cents: i64,
    pub paid_cents: i64,
    pub released_cents: i64,
    /// Counts releases, to derive each release's settlement id deterministically.
    pub releases: u32,
    pub applications: Vec<Application>,
    pub assignments: Vec<Assignment>,
    pub submissions: Vec<Submission>,
    /// A consensus task's settled answer, once its work was approved.
    #[serde(default)]
    pub consensus: Option<ConsensusResult>,
    /// What the task's settlement pays, once it was closed for settlement.
    #[serde(default)]
    pub settlement: Option<Settlement>,
}

impl Task {
    pub fn exists(&self) -> bool {
        self.id.is_some()
    }

    pub fn reward_cents(&self) -> i64 {
        self.reward.map(|r| r.cents).unwrap_or(0)
    }

    /// Slots whose reward is paid or refunded for good.
    pub fn settled_slots(&self) -> u32 {
        self.assignments
            .iter()
            .filter(|a| a.status.is_settled())
            .count() as u32
    }

    /// Slots taken by someone working or waiting for review.
    pub fn in_flight_slots(&self) -> u32 {
        self.assignments
            .iter()
            .filter(|a| a.status.is_in_flight())
            .count() as u32
    }

    /// Slots a new worker could take now (ignoring pause and deadline).
    pub fn open_slots(&self) -> u32 {
        self.slots
            .saturating_sub(self.settled_slots() + self.in_flight_slots())
    }

    /// More than one person is asked: their results are compared (`consensus`).
    pub fn is_consensus(&self) -> bool {
        self.slots > 1
    }

    pub fn pending_submissions(&self) -> impl Iterator<Item = &Submission> {
        self.submissions
            .iter()
            .filter(|s| s.status == SubmissionStatus::Pending)
    }

    pub fn submission(&self, id: SubmissionId) -> Option<&Submission> {
        self.submissions.iter().find(|s| s.id == id)
    }

    pub fn assignment(&self, id: AssignmentId) -> Option<&Assignment> {
        self.assignments.iter().find(|a| a.id == id)
    }

    pub fn application(&self, id: ApplicationId) -> Option<&Application> {
        self.applications.iter().find(|a| a.id == id)
    }

    fn assignment_mut(&mut self, id: AssignmentId) -> Option<&mut Assignment> {
        self.assignments.iter_mut().find(|a| a.id == id)
    }

    fn set_submission(&mut self, id: SubmissionId, status: SubmissionStatus, reason: Option<&str>) {
        let assignment_status = match status {
            SubmissionStatus::Pending => AssignmentStatus::Submitted,
            SubmissionStatus::Approved => AssignmentStatus::Approved,
            // The poster chose this person: rejected work goes back to them
            // to redo, rather than freeing the slot for someone unchosen.
            SubmissionStatus::Rejected if self.assignment_mode == AssignmentMode::ApplySelect => {
                AssignmentStatus::Active
            }
            SubmissionStatus::Rejected => AssignmentStatus::Rejected,
            SubmissionStatus::Disputed => AssignmentStatus::Disputed,
        };
        let Some(submission) = self.submissions.iter_mut().find(|s| s.id == id) else {
            return;
        };
        submission.status = status;
        submission.reason = reason.map(str::to_owned);
        let assignment_id = submission.assignment_id;
        if let Some(assignment) = self.assignment_mut(assignment_id) {
            assignment.status = assignment_status;
        }
    }

    fn end_active_assignments(&mut self) {
        for assignment in &mut self.assignments {
            if assignment.status == AssignmentStatus::Active {
                assignment.status = AssignmentStatus::Ended;
            }
        }
    }

    pub(crate) fn apply_event(&mut self, event: &TaskEvent) {
        match event {
            TaskEvent::TaskPosted {
                task_id,
                poster,
                mode,
                title,
                description,
                kind,
                details,
                reward,
                slots,
                assignment,
                fee,
                deadline,
                assignment_time_limit_s,
                review_window_s,
                hold_id,
                account,
                escrow,
                posted_at,
            } => {
                *self = Task {
                    id: Some(*task_id),
                    poster: Some(*poster),
                    mode: *mode,
                    title: title.clone(),
                    description: description.clone(),
                    kind: kind.clone(),
                    details: details.clone(),
                    reward: Some(*reward),
                    slots: *slots,
                    assignment_mode: *assignment,
                    fee: Some(*fee),
                    deadline: *deadline,
                    assignment_time_limit_s: *assignment_time_limit_s,
                    review_window_s: *review_window_s,
                    hold_id: Some(*hold_id),
                    account: Some(*account),
                    status: TaskStatus::Open,
                    posted_at: Some(*posted_at),
                    escrow_cents: escrow.cents,
                    ..Task::default()
                };
            }
            TaskEvent::TaskApplied {
                application_id,
                applicant,
                note,
                at,
            } => self.applications.push(Application {
                id: *application_id,
                applicant: *applicant,
                note: note.clone(),
                status: ApplicationStatus::Pending,
                at: *at,
            }),
            TaskEvent::TaskAssigned {
                assignment_id,
                worker,
                application_id,
                expires_at,
                at,
            } => {
                if let Some(application) =
                    application_id.and_then(|id| self.applications.iter_mut().find(|a| a.id == id))
                {
                    application.status = ApplicationStatus::Selected;
                }
                self.assignments.push(Assignment {
                    id: *assignment_id,
                    worker: *worker,
                    application_id: *application_id,
                    status: AssignmentStatus::Active,
                    assigned_at: *at,
                    expires_at: *expires_at,
                });
            }
            TaskEvent::AssignmentAbandoned { assignment_id, .. } => {
                if let Some(assignment) = self.assignment_mut(*assignment_id) {
                    assignment.status = AssignmentStatus::Abandoned;
                }
            }
            TaskEvent::WorkSubmitted {
                submission_id,
                assignment_id,
                worker,
                proof,
                review_due_at,
                at,
            } => {
                self.submissions.push(Submission {
                    id: *submission_id,
                    assignment_id: *assignment_id,
                    worker: *worker,
                    proof: proof.clone(),
                    status: SubmissionStatus::Pending,
                    submitted_at: *at,
                    review_due_at: *review_due_at,
                    reason: None,
                    payout: None,
                    fee: None,
                });
                if let Some(assignment) = self.assignment_mut(*assignment_id) {
                    assignment.status = AssignmentStatus::Submitted;
                }
            }
            TaskEvent::SubmissionApproved {
                submission_id,
                gross,
                fee,
                payout,
                ..
            } => {
                self.set_submission(*submission_id, SubmissionStatus::Approved, None);
                if let Some(submission) =
                    self.submissions.iter_mut().find(|s| s.id == *submission_id)
                {
                    submission.payout = Some(*payout);
                    submission.fee = Some(*fee);
                }
                self.escrow_cents -= gross.cents;
                self.paid_cents += gross.cents;
            }
            TaskEvent::SubmissionRejected {
                submission_id,
                reason,
                ..
            } => self.set_submission(*submission_id, SubmissionStatus::Rejected, Some(reason)),
            TaskEvent::SubmissionDisputed {
                submission_id,
                reason,
                ..
            } => self.set_submission(*submission_id, SubmissionStatus::Disputed, Some(reason)),
            TaskEvent::TaskPaused { .. } => self.status = TaskStatus::Paused,
            TaskEvent::TaskResumed { .. } => self.status = TaskStatus::Open,
            TaskEvent::TaskStopped { .. } => self.status = TaskStatus::Stopped,
            TaskEvent::TaskCancelled { .. } => {
                self.status = TaskStatus::Cancelled;
                self.end_active_assignments();
            }
            TaskEvent::TaskExpired { .. } => {
                self.status = TaskStatus::Expired;
                self.end_active_assignments();
            }
            TaskEvent::TaskResized { slots, .. } => self.slots = *slots,
            TaskEvent::EscrowIncreased { amount, .. } => self.escrow_cents += amount.cents,
            TaskEvent::EscrowReleased { amount, .. } => {
                self.escrow_cents -= amount.cents;
                self.released_cents += amount.cents;
                self.releases += 1;
            }
            TaskEvent::TaskCompleted { .. } => self.status = TaskStatus::Completed,
            TaskEvent::SettlementOpened { earnings, at } => {
                self.status = TaskStatus::Settling;
                self.end_active_assignments();
                self.settlement = Some(Settlement {
                    earnings: earnings.clone(),
                    opened_at: *at,
                });
            }
            TaskEvent::ConsensusReached {
                result, overridden, ..
            } => {
                self.consensus = Some(ConsensusResult {
                    result: result.clone(),
                    overridden: *overridden,
                })
            }
        }
        self.updated_at = Some(event_time(event));
    }
}

fn event_time(event: &TaskEvent) -> Timestamp {
    match event {
        TaskEvent::TaskPosted { posted_at, .. } => *posted_at,
        TaskEvent::TaskApplied { at, .. }
        | TaskEvent::TaskAssigned { at, .. }
        | TaskEvent::AssignmentAbandoned { at, .. }
        | TaskEvent::WorkSubmitted { at, .. }
        | TaskEvent::SubmissionApproved { at, .. }
        | TaskEvent::SubmissionRejected { at, .. }
        | TaskEvent::SubmissionDisputed { at, .. }
        | TaskEvent::TaskPaused { at }
        | TaskEvent::TaskResumed { at }
        | TaskEvent::TaskStopped { at }
        | TaskEvent::TaskCancelled { at }
        | TaskEvent::TaskExpired { at }
        | TaskEvent::TaskResized { at, .. }
        | TaskEvent::EscrowIncreased { at, .. }
        | TaskEvent::EscrowReleased { at, .. }
        | TaskEvent::TaskCompleted { at }
        | TaskEvent::SettlementOpened { at, .. }
        | TaskEvent::ConsensusReached { at, .. } => *at,
    }
}
