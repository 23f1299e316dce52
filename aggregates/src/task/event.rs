//! What happened to a task. Stored forever: shapes change only with a new
//! `event_version` and an upcaster.

use super::command::AssignmentMode;
use super::proof::Proof;
use super::settlement::Earning;
use crate::account::AccountId;
use crate::aggregate::DomainEvent;
use crate::fee::FeePolicy;
use crate::ids::{
    ActorId, ApplicationId, AssignmentId, HoldId, SettlementId, SubmissionId, TaskId,
};
use crate::mode::Mode;
use crate::money::Money;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum TaskEvent {
    /// Posted with its escrow: the hold is placed on `account` in the same append.
    TaskPosted {
        task_id: TaskId,
        poster: ActorId,
        mode: Mode,
        title: String,
        description: String,
        kind: String,
        details: serde_json::Value,
        reward: Money,
        slots: u32,
        assignment: AssignmentMode,
        fee: FeePolicy,
        deadline: Option<Timestamp>,
        assignment_time_limit_s: Option<u32>,
        review_window_s: Option<u32>,
        hold_id: HoldId,
        account: AccountId,
        escrow: Money,
        posted_at: Timestamp,
    },
    TaskApplied {
        application_id: ApplicationId,
        applicant: ActorId,
        note: Option<String>,
        at: Timestamp,
    },
    TaskAssigned {
        assignment_id: AssignmentId,
        worker: ActorId,
        application_id: Option<ApplicationId>,
        expires_at: Option<Timestamp>,
        at: Timestamp,
    },
    AssignmentAbandoned {
        assignment_id: AssignmentId,
        at: Timestamp,
    },
    WorkSubmitted {
        submission_id: SubmissionId,
        assignment_id: AssignmentId,
        worker: ActorId,
        proof: Proof,
        review_due_at: Option<Timestamp>,
        at: Timestamp,
    },
    /// One slot's reward is captured: `fee` to the platform, `payout` to the worker.
    SubmissionApproved {
        submission_id: SubmissionId,
        worker: ActorId,
        settlement_id: SettlementId,
        gross: Money,
        fee: Money,
        payout: Money,
        auto: bool,
        at: Timestamp,
    },
    SubmissionRejected {
        submission_id: SubmissionId,
        reason: String,
        at: Timestamp,
    },
    /// The poster refuses the work and is refunded that slot's reward.
    SubmissionDisputed {
        submission_id: SubmissionId,
        /// Whose work is disputed (for reputation); absent on events recorded
        /// before it was named here.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        worker: Option<ActorId>,
        reason: String,
        at: Timestamp,
    },
    /// A consensus task's answer, settled when its work was approved: the
    /// workers' common result, or the poster's `overridden` one.
    ConsensusReached {
        result: String,
        overridden: bool,
        at: Timestamp,
    },
    TaskPaused {
        at: Timestamp,
    },
    TaskResumed {
        at: Timestamp,
    },
    TaskStopped {
        at: Timestamp,
    },
    TaskCancelled {
        at: Timestamp,
    },
    TaskExpired {
        at: Timestamp,
    },
    TaskResized {
        slots: u32,
        at: Timestamp,
    },
    /// More money moved into the task's hold (a resize up).
    EscrowIncreased {
        amount: Money,
        at: Timestamp,
    },
    /// Money no longer needed by the task went back to the poster's available balance.
    EscrowReleased {
        settlement_id: SettlementId,
        amount: Money,
        reason: String,
        at: Timestamp,
    },
    TaskCompleted {
        at: Timestamp,
    },
    /// Closed for settlement: no one takes or hands in work any more, work
    /// under way ended unpaid, and `earnings` is what each finished worker
    /// (work awaiting review) is paid when the poster approves.
    SettlementOpened {
        earnings: Vec<Earning>,
        at: Timestamp,
    },
}

impl DomainEvent for TaskEvent {
    fn event_type(&self) -> &'static str {
        match self {
            TaskEvent::TaskPosted { .. } => "TaskPosted",
            TaskEvent::TaskApplied { .. } => "TaskApplied",
            TaskEvent::TaskAssigned { .. } => "TaskAssigned",
            TaskEvent::AssignmentAbandoned { .. } => "AssignmentAbandoned",
            TaskEvent::WorkSubmitted { .. } => "WorkSubmitted",
            TaskEvent::SubmissionApproved { .. } => "SubmissionApproved",
            TaskEvent::SubmissionRejected { .. } => "SubmissionRejected",
            TaskEvent::SubmissionDisputed { .. } => "SubmissionDisputed",
            TaskEvent::ConsensusReached { .. } => "ConsensusReached",
            TaskEvent::TaskPaused { .. } => "TaskPaused",
            TaskEvent::TaskResumed { .. } => "TaskResumed",
            TaskEvent::TaskStopped { .. } => "TaskStopped",
            TaskEvent::TaskCancelled { .. } => "TaskCancelled",
            TaskEvent::TaskExpired { .. } => "TaskExpired",
            TaskEvent::TaskResized { .. } => "TaskResized",
            TaskEvent::EscrowIncreased { .. } => "EscrowIncreased",
            TaskEvent::EscrowReleased { .. } => "EscrowReleased",
            TaskEvent::TaskCompleted { .. } => "TaskCompleted",
            TaskEvent::SettlementOpened { .. } => "SettlementOpened",
        }
    }
}
