//! What may be asked of a task. Ids and `at` come in the command: the domain
//! reads no clock and makes no randomness.

use super::proof::Proof;
use crate::actor::Caller;
use crate::fee::FeePolicy;
use crate::ids::{ApplicationId, AssignmentId, HoldId, SubmissionId, TaskId};
use crate::mode::Mode;
use crate::money::Money;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentMode {
    /// The first people to accept get the slots (HumanPing, InstaHuman).
    #[default]
    FirstAccept,
    /// People apply; the poster selects whom to assign (Humans2AI).
    ApplySelect,
}

impl AssignmentMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentMode::FirstAccept => "first_accept",
            AssignmentMode::ApplySelect => "apply_select",
        }
    }
}

/// Everything a poster says about new work.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTask {
    pub task_id: TaskId,
    pub hold_id: HoldId,
    pub mode: Mode,
    pub title: String,
    pub description: String,
    /// The dialect's word for the kind of work (`verification`, `photography`, …).
    pub kind: String,
    /// Dialect details the domain carries but does not interpret (urgency, location, …).
    pub details: serde_json::Value,
    pub reward: Money,
    pub slots: u32,
    pub assignment: AssignmentMode,
    pub fee: FeePolicy,
    pub deadline: Option<Timestamp>,
    pub assignment_time_limit_s: Option<u32>,
    pub review_window_s: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TaskCommand {
    Post {
        task: Box<NewTask>,
        by: Caller,
        at: Timestamp,
    },
    Accept {
        assignment_id: AssignmentId,
        by: Caller,
        at: Timestamp,
    },
    Apply {
        application_id: ApplicationId,
        note: Option<String>,
        by: Caller,
        at: Timestamp,
    },
    Select {
        application_id: ApplicationId,
        assignment_id: AssignmentId,
        by: Caller,
        at: Timestamp,
    },
    Submit {
        submission_id: SubmissionId,
        proof: Proof,
        by: Caller,
        at: Timestamp,
    },
    Approve {
        submission_id: SubmissionId,
        by: Caller,
        at: Timestamp,
    },
    Reject {
        submission_id: SubmissionId,
        reason: String,
        by: Caller,
        at: Timestamp,
    },
    Dispute {
        submission_id: SubmissionId,
        reason: String,
        by: Caller,
        at: Timestamp,
    },
    /// Approve every submission awaiting review; on a consensus task whose
    /// results conflict, `override_result` settles the answer (`consensus`).
    ApprovePending {
        override_result: Option<String>,
        by: Caller,
        at: Timestamp,
    },
    /// Dispute every submission awaiting review and close the task: each
    /// disputed slot and every slot not yet taken is refunded to the poster.
    DisputePending {
        reason: String,
        by: Caller,
        at: Timestamp,
    },
    Pause {
        by: Caller,
        at: Timestamp,
    },
    Resume {
        by: Caller,
        at: Timestamp,
    },
    Stop {
        by: Caller,
        at: Timestamp,
    },
    Cancel {
        by: Caller,
        at: Timestamp,
    },
    Resize {
        slots: u32,
        by: Caller,
        at: Timestamp,
    },
    /// Close the task and settle it (InstaHuman's "close and settle"): no one
    /// takes or hands in work any more, work under way ends, and each
    /// finished worker's earnings wait for the poster's approval.
    Settle {
        by: Caller,
        at: Timestamp,
    },
    /// Pay the settlement: every finished worker their reward less the fee;
    /// the task completes.
    ApproveSettlement {
        by: Caller,
        at: Timestamp,
    },
    /// Refuse the settlement: the finished work is disputed and its escrow
    /// refunded; the task closes.
    DisputeSettlement {
        reason: String,
        by: Caller,
        at: Timestamp,
    },
    /// Fired by a timer when the review window of a submission has ended.
    AutoApprove {
        submission_id: SubmissionId,
        at: Timestamp,
    },
    /// Fired by a timer when an assignment's time limit has passed.
    AbandonAssignment {
        assignment_id: AssignmentId,
        at: Timestamp,
    },
    /// Fired by a timer at the task's deadline.
    Expire {
        at: Timestamp,
    },
}
