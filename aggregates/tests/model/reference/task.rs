//! One task in the reference model: its slots and the rules for taking,
//! handing in and reviewing work, pausing, stopping, cancelling, resizing,
//! expiring and settling; and what its escrow must still hold.

use super::{ensure, Refusal};
use errand_aggregates::account::AccountId;
use errand_aggregates::actor::{Caller, Role, Standing};
use errand_aggregates::fee::FeePolicy;
use errand_aggregates::ids::{ActorId, ApplicationId, AssignmentId, HoldId, SubmissionId, TaskId};
use errand_aggregates::task::{
    AssignmentMode, AssignmentStatus, NewTask, SubmissionStatus, TaskCommand, TaskStatus, SLOTS_MAX,
};
use errand_aggregates::Timestamp;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

#[derive(Debug, Clone)]
pub struct TaskModel {
    pub task_id: TaskId,
    pub hold_id: HoldId,
    pub poster: ActorId,
    /// The poster's account in the task's mode and currency: the escrow's home.
    pub account: AccountId,
    pub reward_cents: i64,
    /// The fee rate in hundredths of a percent; every rate the steps use is whole.
    pub fee_basis_points: i64,
    pub slots: u32,
    pub assignment: AssignmentMode,
    pub status: TaskStatus,
    pub deadline: Option<Timestamp>,
    pub time_limit_s: Option<u32>,
    pub review_window_s: Option<u32>,
    pub escrow_cents: i64,
    pub applications: Vec<ApplicationModel>,
    pub assignments: Vec<AssignmentModel>,
    pub submissions: Vec<SubmissionModel>,
}

#[derive(Debug, Clone)]
pub struct ApplicationModel {
    pub id: ApplicationId,
    pub applicant: ActorId,
    pub selected: bool,
}

#[derive(Debug, Clone)]
pub struct AssignmentModel {
    pub id: AssignmentId,
    pub worker: ActorId,
    pub status: AssignmentStatus,
    pub expires_at: Option<Timestamp>,
}

#[derive(Debug, Clone)]
pub struct SubmissionModel {
    pub id: SubmissionId,
    /// Index into the task's assignments.
    pub assignment: usize,
    pub status: SubmissionStatus,
    pub review_due_at: Option<Timestamp>,
}

/// One approved slot's money: the reward leaves the poster's hold, the fee
/// stays with the platform, the rest reaches the worker.
pub(super) struct Payment {
    pub(super) worker: ActorId,
    pub(super) gross_cents: i64,
    pub(super) fee_cents: i64,
}

/// Half a cent and more rounds the fee up; the worker gets the exact rest.
fn fee_cents(gross_cents: i64, basis_points: i64) -> i64 {
    (gross_cents * basis_points * 2 + 10_000) / 20_000
}

fn basis_points(fee: FeePolicy) -> i64 {
    let points = fee.rate * Decimal::from(10_000);
    assert!(
        points.fract().is_zero(),
        "the model knows whole basis points only"
    );
    points.to_i64().expect("a rate between 0 and 1")
}

fn after(at: Timestamp, seconds: Option<u32>) -> Option<Timestamp> {
    seconds.map(|s| at + chrono::Duration::seconds(i64::from(s)))
}

impl TaskModel {
    /// Just posted: open, its whole escrow held on `account`.
    pub(super) fn posted(new: &NewTask, account: AccountId, escrow_cents: i64) -> Self {
        TaskModel {
            task_id: new.task_id,
            hold_id: new.hold_id,
            poster: account.owner,
            account,
            reward_cents: new.reward.cents,
            fee_basis_points: basis_points(new.fee),
            slots: new.slots,
            assignment: new.assignment,
            status: TaskStatus::Open,
            deadline: new.deadline,
            time_limit_s: new.assignment_time_limit_s,
            review_window_s: new.review_window_s,
            escrow_cents,
            applications: Vec::new(),
            assignments: Vec::new(),
            submissions: Vec::new(),
        }
    }

    /// Slots paid, or refunded by a dispute: gone for good.
    pub fn settled_slots(&self) -> u32 {
        self.count(|s| matches!(s, AssignmentStatus::Approved | AssignmentStatus::Disputed))
    }

    /// Slots with someone working or waiting for review.
    pub fn in_flight_slots(&self) -> u32 {
        self.count(|s| matches!(s, AssignmentStatus::Active | AssignmentStatus::Submitted))
    }

    pub fn free_slots(&self) -> u32 {
        self.slots
            .saturating_sub(self.settled_slots() + self.in_flight_slots())
    }

    fn count(&self, status: impl Fn(AssignmentStatus) -> bool) -> u32 {
        self.assignments.iter().filter(|a| status(a.status)).count() as u32
    }

    /// What the task may still pay: every unsettled slot while it takes
    /// workers, only the work under way once it has stopped or expired.
    pub(super) fn owed_cents(&self) -> i64 {
        let slots = match self.status {
            TaskStatus::Open | TaskStatus::Paused => self.slots - self.settled_slots(),
            TaskStatus::Stopped | TaskStatus::Expired | TaskStatus::Settling => {
                self.in_flight_slots()
            }
            TaskStatus::Cancelled | TaskStatus::Completed => 0,
        };
        i64::from(slots) * self.reward_cents
    }

    pub(super) fn is_ended(&self) -> bool {
        matches!(
            self.status,
            TaskStatus::Cancelled | TaskStatus::Expired | TaskStatus::Completed
        )
    }

    pub(super) fn complete_when_every_slot_is_settled(&mut self) {
        if self.settled_slots() >= self.slots && !self.is_ended() {
            self.status = TaskStatus::Completed;
        }
    }

    /// A worker holds one slot at a time, and a paid or disputed slot counts:
    /// consensus needs distinct people.
    fn is_working(&self, worker: ActorId) -> bool {
        self.assignments.iter().any(|a| {
            a.worker == worker
                && !matches!(
                    a.status,
                    AssignmentStatus::Rejected
                        | AssignmentStatus::Abandoned
                        | AssignmentStatus::Ended
                )
        })
    }

    fn ensure_taking_workers(&self, at: Timestamp) -> Result<(), Refusal> {
        ensure(self.status == TaskStatus::Open, "the task takes no workers")?;
        ensure(
            self.deadline.is_none_or(|d| at < d),
            "the deadline has passed",
        )?;
        ensure(self.free_slots() > 0, "every slot is taken")
    }

    fn ensure_may_take_work(&self, by: &Caller, at: Timestamp) -> Result<(), Refusal> {
        ensure(
            by.standing == Standing::Active,
            "only an active actor takes work",
        )?;
        ensure(by.actor != self.poster, "nobody works on their own task")?;
        self.ensure_taking_workers(at)?;
        ensure(!self.is_working(by.actor), "already holds a slot")
    }

    fn ensure_steered_by(&self, by: &Caller) -> Result<(), Refusal> {
        ensure(
            by.standing != Standing::Banned,
            "a banned actor does nothing",
        )?;
        ensure(
            by.actor == self.poster || by.role == Role::Admin,
            "only the poster or an admin",
        )
    }

    fn ensure_status(&self, allowed: &[TaskStatus]) -> Result<(), Refusal> {
        ensure(allowed.contains(&self.status), "not in this status")
    }

    fn pending(&self, submission_id: SubmissionId) -> Result<usize, Refusal> {
        let index = self
            .submissions
            .iter()
            .position(|s| s.id == submission_id)
            .ok_or("no such submission")?;
        ensure(
            self.submissions[index].status == SubmissionStatus::Pending,
            "the submission was already reviewed",
        )?;
        Ok(index)
    }

    fn assign(&mut self, id: AssignmentId, worker: ActorId, at: Timestamp) {
        self.assignments.push(AssignmentModel {
            id,
            worker,
            status: AssignmentStatus::Active,
            expires_at: after(at, self.time_limit_s),
        });
    }

    fn review(&mut self, submission: usize, verdict: SubmissionStatus) {
        let assignment = self.submissions[submission].assignment;
        self.submissions[submission].status = verdict;
        self.assignments[assignment].status = match verdict {
            SubmissionStatus::Approved => AssignmentStatus::Approved,
            // Apply-select: the chosen worker redoes rejected work.
            SubmissionStatus::Rejected if self.assignment == AssignmentMode::ApplySelect => {
                AssignmentStatus::Active
            }
            SubmissionStatus::Rejected => AssignmentStatus::Rejected,
            SubmissionStatus::Disputed => AssignmentStatus::Disputed,
            SubmissionStatus::Pending => AssignmentStatus::Submitted,
        };
    }

    fn approve(&mut self, submission: usize) -> Payment {
        self.review(submission, SubmissionStatus::Approved);
        self.escrow_cents -= self.reward_cents;
        Payment {
            worker: self.assignments[self.submissions[submission].assignment].worker,
            gross_cents: self.reward_cents,
            fee_cents: fee_cents(self.reward_cents, self.fee_basis_points),
        }
    }

    fn end_work_under_way(&mut self, status: TaskStatus) {
        self.status = status;
        for assignment in &mut self.assignments {
            if assignment.status == AssignmentStatus::Active {
                assignment.status = AssignmentStatus::Ended;
            }
        }
    }

    /// Submissions awaiting review, in the order handed in.
    fn waiting_for_review(&self) -> impl Iterator<Item = usize> + '_ {
        self.submissions
            .iter()
            .enumerate()
            .filter(|(_, s)| s.status == SubmissionStatus::Pending)
            .map(|(index, _)| index)
    }

    /// A settling task's work is reviewed only through its settlement.
    fn ensure_not_settling(&self) -> Result<(), Refusal> {
        ensure(self.status != TaskStatus::Settling, "the task is settling")
    }

    /// Any command but posting; approvals say what they pay.
    pub(super) fn run(&mut self, command: &TaskCommand) -> Result<Vec<Payment>, Refusal> {
        use TaskStatus::{Open, Paused, Stopped};
        match command {
            TaskCommand::Post { .. } => unreachable!("posting is the reference's own"),
            // Reviews of everything at once (HumanPing's) are covered by the
            // given/when/then tests; the model reviews one submission at a time.
            TaskCommand::ApprovePending { .. } | TaskCommand::DisputePending { .. } => {
                unreachable!("the model does not generate whole-task reviews")
            }
            TaskCommand::Settle { by, .. } => {
                self.ensure_steered_by(by)?;
                self.ensure_status(&[Open, Paused, Stopped])?;
                self.end_work_under_way(TaskStatus::Settling);
            }
            TaskCommand::ApproveSettlement { by, .. } => {
                self.ensure_steered_by(by)?;
                self.ensure_status(&[TaskStatus::Settling])?;
                let waiting: Vec<usize> = self.waiting_for_review().collect();
                let payments = waiting.into_iter().map(|s| self.approve(s)).collect();
                self.status = TaskStatus::Completed;
                return Ok(payments);
            }
            TaskCommand::DisputeSettlement { by, reason, .. } => {
                self.ensure_steered_by(by)?;
                self.ensure_status(&[TaskStatus::Settling])?;
                ensure(!reason.trim().is_empty(), "a dispute needs a reason")?;
                let waiting: Vec<usize> = self.waiting_for_review().collect();
                ensure(!waiting.is_empty(), "nothing to dispute")?;
                for submission in waiting {
                    self.review(submission, SubmissionStatus::Disputed);
                }
                self.status = TaskStatus::Cancelled;
            }
            TaskCommand::Accept {
                assignment_id,
                by,
                at,
            } => {
                ensure(
                    self.assignment == AssignmentMode::FirstAccept,
                    "apply instead",
                )?;
                self.ensure_may_take_work(by, *at)?;
                self.assign(*assignment_id, by.actor, *at);
            }
            TaskCommand::Apply {
                application_id,
                by,
                at,
                ..
            } => {
                self.ensure_may_take_work(by, *at)?;
                let applied = self
                    .applications
                    .iter()
                    .any(|a| a.applicant == by.actor && !a.selected);
                ensure(!applied, "already applied")?;
                // First come, first served: applying takes the slot at once.
                let first_accept = self.assignment == AssignmentMode::FirstAccept;
                self.applications.push(ApplicationModel {
                    id: *application_id,
                    applicant: by.actor,
                    selected: first_accept,
                });
                if first_accept {
                    self.assign(AssignmentId(application_id.0), by.actor, *at);
                }
            }
            TaskCommand::Select {
                application_id,
                assignment_id,
                by,
                at,
            } => {
                self.ensure_steered_by(by)?;
                let index = self
                    .applications
                    .iter()
                    .position(|a| a.id == *application_id)
                    .ok_or("no such application")?;
                ensure(!self.applications[index].selected, "already selected")?;
                self.ensure_taking_workers(*at)?;
                let applicant = self.applications[index].applicant;
                ensure(!self.is_working(applicant), "the applicant holds a slot")?;
                self.applications[index].selected = true;
                self.assign(*assignment_id, applicant, *at);
            }
            TaskCommand::Submit {
                submission_id,
                by,
                at,
                ..
            } => {
                ensure(
                    by.standing != Standing::Banned,
                    "a banned actor does nothing",
                )?;
                let assignment = self
                    .assignments
                    .iter()
                    .position(|a| a.worker == by.actor && a.status == AssignmentStatus::Active)
                    .ok_or("no work under way to submit")?;
                let expires_at = self.assignments[assignment].expires_at;
                ensure(expires_at.is_none_or(|e| *at < e), "the time limit passed")?;
                self.assignments[assignment].status = AssignmentStatus::Submitted;
                self.submissions.push(SubmissionModel {
                    id: *submission_id,
                    assignment,
                    status: SubmissionStatus::Pending,
                    review_due_at: after(*at, self.review_window_s),
                });
            }
            TaskCommand::Approve {
                submission_id, by, ..
            } => {
                self.ensure_steered_by(by)?;
                self.ensure_not_settling()?;
                let submission = self.pending(*submission_id)?;
                return Ok(vec![self.approve(submission)]);
            }
            TaskCommand::AutoApprove { submission_id, at } => {
                self.ensure_not_settling()?;
                let submission = self.pending(*submission_id)?;
                let due = self.submissions[submission].review_due_at;
                ensure(due.is_some_and(|d| *at >= d), "the review window is open")?;
                return Ok(vec![self.approve(submission)]);
            }
            TaskCommand::Reject {
                submission_id,
                reason,
                by,
                ..
            }
            | TaskCommand::Dispute {
                submission_id,
                reason,
                by,
                ..
            } => {
                self.ensure_steered_by(by)?;
                self.ensure_not_settling()?;
                let submission = self.pending(*submission_id)?;
                ensure(!reason.trim().is_empty(), "a verdict needs a reason")?;
                let verdict = if matches!(command, TaskCommand::Reject { .. }) {
                    SubmissionStatus::Rejected
                } else {
                    SubmissionStatus::Disputed
                };
                self.review(submission, verdict);
            }
            TaskCommand::Pause { by, .. } => {
                self.ensure_steered_by(by)?;
                self.ensure_status(&[Open])?;
                self.status = Paused;
            }
            TaskCommand::Resume { by, .. } => {
                self.ensure_steered_by(by)?;
                self.ensure_status(&[Paused])?;
                self.status = Open;
            }
            TaskCommand::Stop { by, .. } => {
                self.ensure_steered_by(by)?;
                self.ensure_status(&[Open, Paused])?;
                self.status = Stopped;
            }
            TaskCommand::Cancel { by, .. } => {
                self.ensure_steered_by(by)?;
                self.ensure_status(&[Open, Paused, Stopped])?;
                let waiting = self
                    .submissions
                    .iter()
                    .any(|s| s.status == SubmissionStatus::Pending);
                ensure(!waiting, "submissions wait for review")?;
                self.end_work_under_way(TaskStatus::Cancelled);
            }
            TaskCommand::Resize { slots, by, .. } => {
                self.ensure_steered_by(by)?;
                self.ensure_status(&[Open, Paused])?;
                ensure((1..=SLOTS_MAX).contains(slots), "slots out of bounds")?;
                if *slots > self.slots {
                    ensure(by.standing == Standing::Active, "growing spends money")?;
                }
                let committed = self.settled_slots() + self.in_flight_slots();
                ensure(*slots >= committed, "cannot shrink below the slots taken")?;
                ensure(*slots != self.slots, "already that many slots")?;
                self.slots = *slots;
            }
            TaskCommand::AbandonAssignment { assignment_id, at } => {
                let assignment = self
                    .assignments
                    .iter_mut()
                    .find(|a| a.id == *assignment_id)
                    .ok_or("no such assignment")?;
                ensure(assignment.status == AssignmentStatus::Active, "not active")?;
                let expired = assignment.expires_at.is_some_and(|e| *at >= e);
                ensure(expired, "the time limit has not passed")?;
                assignment.status = AssignmentStatus::Abandoned;
            }
            TaskCommand::Expire { at } => {
                self.ensure_status(&[Open, Paused, Stopped])?;
                ensure(
                    self.deadline.is_some_and(|d| *at >= d),
                    "the deadline is ahead",
                )?;
                self.end_work_under_way(TaskStatus::Expired);
            }
        }
        Ok(Vec::new())
    }
}
