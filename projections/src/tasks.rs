//! `tasks_view`, `task_assignments_view` and `task_submissions_view`: tasks
//! with their slot counters and escrow, and the work each worker holds.
//!
//! A task's open slots are `slots - working - awaiting_review - approved -
//! disputed`, computed in queries: the same sum the aggregate uses
//! (`Task::open_slots`), so a list never offers a slot the task would refuse.

use errand_aggregates::task::{AssignmentMode, TaskEvent, TaskStatus};
use errand_aggregates::Event;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::rows::{bigint, AnyQuery, Record, Rows, ViewRow};
use crate::{micros, stream_suffix, ProjectedEvent, Projection, ProjectionError};

/// The words `task_assignments_view.status` holds.
pub mod assignment_status {
    pub const ACTIVE: &str = "active";
    pub const SUBMITTED: &str = "submitted";
    pub const APPROVED: &str = "approved";
    pub const REJECTED: &str = "rejected";
    pub const DISPUTED: &str = "disputed";
    pub const ABANDONED: &str = "abandoned";
    /// Ended by the task's cancellation or expiry.
    pub const ENDED: &str = "ended";
}

/// The words `task_submissions_view.status` holds.
pub mod submission_status {
    pub const PENDING: &str = "pending";
    pub const APPROVED: &str = "approved";
    pub const REJECTED: &str = "rejected";
    pub const DISPUTED: &str = "disputed";
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tasks;

/// One row of `tasks_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskView {
    pub task_id: String,
    pub poster: String,
    pub mode: String,
    pub title: String,
    pub description: String,
    pub kind: String,
    /// The dialect's details, JSON.
    pub details: String,
    /// `open`, `paused`, `stopped`, `settling`, `cancelled`, `expired` or `completed`.
    pub status: String,
    /// `first_accept` or `apply_select`.
    pub assignment_mode: String,
    pub reward_cents: i64,
    pub currency: String,
    /// The platform's share as a decimal fraction, e.g. `0.18`.
    pub fee_rate: String,
    pub slots: i64,
    /// Assignments being worked on.
    pub working: i64,
    /// Submissions waiting for review.
    pub awaiting_review: i64,
    pub approved: i64,
    pub disputed: i64,
    /// What the task's hold still holds.
    pub escrow_cents: i64,
    /// Captured for approved work (gross: worker's payout plus fee).
    pub paid_cents: i64,
    /// Returned to the poster.
    pub released_cents: i64,
    pub deadline_us: Option<i64>,
    pub assignment_time_limit_s: Option<i64>,
    pub review_window_s: Option<i64>,
    pub posted_at_us: i64,
    pub updated_at_us: i64,
    /// The journal position of the last event applied to this task.
    pub last_position: i64,
}

impl TaskView {
    pub fn open_slots(&self) -> i64 {
        (self.slots - self.working - self.awaiting_review - self.approved - self.disputed).max(0)
    }
}

impl Record for TaskView {
    const TABLE: &'static str = "tasks_view";
    const COLUMNS: &'static [&'static str] = &[
        "task_id",
        "poster",
        "mode",
        "title",
        "description",
        "kind",
        "details",
        "status",
        "assignment_mode",
        "reward_cents",
        "currency",
        "fee_rate",
        "slots",
        "working",
        "awaiting_review",
        "approved",
        "disputed",
        "escrow_cents",
        "paid_cents",
        "released_cents",
        "deadline_us",
        "assignment_time_limit_s",
        "review_window_s",
        "posted_at_us",
        "updated_at_us",
        "last_position",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.task_id.as_str())
            .bind(self.poster.as_str())
            .bind(self.mode.as_str())
            .bind(self.title.as_str())
            .bind(self.description.as_str())
            .bind(self.kind.as_str())
            .bind(self.details.as_str())
            .bind(self.status.as_str())
            .bind(self.assignment_mode.as_str())
            .bind(self.reward_cents)
            .bind(self.currency.as_str())
            .bind(self.fee_rate.as_str())
            .bind(self.slots)
            .bind(self.working)
            .bind(self.awaiting_review)
            .bind(self.approved)
            .bind(self.disputed)
            .bind(self.escrow_cents)
            .bind(self.paid_cents)
            .bind(self.released_cents)
            .bind(self.deadline_us)
            .bind(self.assignment_time_limit_s)
            .bind(self.review_window_s)
            .bind(self.posted_at_us)
            .bind(self.updated_at_us)
            .bind(self.last_position)
    }
}

impl ViewRow for TaskView {
    fn key(&self) -> &str {
        &self.task_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(TaskView {
            task_id: row.try_get(0)?,
            poster: row.try_get(1)?,
            mode: row.try_get(2)?,
            title: row.try_get(3)?,
            description: row.try_get(4)?,
            kind: row.try_get(5)?,
            details: row.try_get(6)?,
            status: row.try_get(7)?,
            assignment_mode: row.try_get(8)?,
            reward_cents: row.try_get(9)?,
            currency: row.try_get(10)?,
            fee_rate: row.try_get(11)?,
            slots: row.try_get(12)?,
            working: row.try_get(13)?,
            awaiting_review: row.try_get(14)?,
            approved: row.try_get(15)?,
            disputed: row.try_get(16)?,
            escrow_cents: row.try_get(17)?,
            paid_cents: row.try_get(18)?,
            released_cents: row.try_get(19)?,
            deadline_us: row.try_get(20)?,
            assignment_time_limit_s: row.try_get(21)?,
            review_window_s: row.try_get(22)?,
            posted_at_us: row.try_get(23)?,
            updated_at_us: row.try_get(24)?,
            last_position: row.try_get(25)?,
        })
    }
}

/// One row of `task_assignments_view`: a worker holding a slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentView {
    pub assignment_id: String,
    pub task_id: String,
    pub worker: String,
    /// One of [`assignment_status`].
    pub status: String,
    pub assigned_at_us: i64,
    pub expires_at_us: Option<i64>,
    pub updated_at_us: i64,
}

impl Record for AssignmentView {
    const TABLE: &'static str = "task_assignments_view";
    const COLUMNS: &'static [&'static str] = &[
        "assignment_id",
        "task_id",
        "worker",
        "status",
        "assigned_at_us",
        "expires_at_us",
        "updated_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.assignment_id.as_str())
            .bind(self.task_id.as_str())
            .bind(self.worker.as_str())
            .bind(self.status.as_str())
            .bind(self.assigned_at_us)
            .bind(self.expires_at_us)
            .bind(self.updated_at_us)
    }
}

impl ViewRow for AssignmentView {
    fn key(&self) -> &str {
        &self.assignment_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(AssignmentView {
            assignment_id: row.try_get(0)?,
            task_id: row.try_get(1)?,
            worker: row.try_get(2)?,
            status: row.try_get(3)?,
            assigned_at_us: row.try_get(4)?,
            expires_at_us: row.try_get(5)?,
            updated_at_us: row.try_get(6)?,
        })
    }
}

/// One row of `task_submissions_view`: work handed in and its review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionView {
    pub submission_id: String,
    pub task_id: String,
    pub assignment_id: String,
    pub worker: String,
    /// One of [`submission_status`].
    pub status: String,
    /// The proof, JSON (`{"text": …, "attachments": […]}`).
    pub proof: String,
    /// Why it was rejected or disputed.
    pub reason: Option<String>,
    /// What the worker was paid, after the fee.
    pub payout_cents: Option<i64>,
    pub fee_cents: Option<i64>,
    pub submitted_at_us: i64,
    /// When it is approved automatically unless reviewed first.
    pub review_due_at_us: Option<i64>,
    pub reviewed_at_us: Option<i64>,
    /// Approved by the review window's timer, not by the poster.
    pub auto_approved: bool,
}

impl Record for SubmissionView {
    const TABLE: &'static str = "task_submissions_view";
    const COLUMNS: &'static [&'static str] = &[
        "submission_id",
        "task_id",
        "assignment_id",
        "worker",
        "status",
        "proof",
        "reason",
        "payout_cents",
        "fee_cents",
        "submitted_at_us",
        "review_due_at_us",
        "reviewed_at_us",
        "auto_approved",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.submission_id.as_str())
            .bind(self.task_id.as_str())
            .bind(self.assignment_id.as_str())
            .bind(self.worker.as_str())
            .bind(self.status.as_str())
            .bind(self.proof.as_str())
            .bind(self.reason.as_deref())
            .bind(self.payout_cents)
            .bind(self.fee_cents)
            .bind(self.submitted_at_us)
            .bind(self.review_due_at_us)
            .bind(self.reviewed_at_us)
            .bind(i32::from(self.auto_approved))
    }
}

impl ViewRow for SubmissionView {
    fn key(&self) -> &str {
        &self.submission_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(SubmissionView {
            submission_id: row.try_get(0)?,
            task_id: row.try_get(1)?,
            assignment_id: row.try_get(2)?,
            worker: row.try_get(3)?,
            status: row.try_get(4)?,
            proof: row.try_get(5)?,
            reason: row.try_get(6)?,
            payout_cents: row.try_get(7)?,
            fee_cents: row.try_get(8)?,
            submitted_at_us: row.try_get(9)?,
            review_due_at_us: row.try_get(10)?,
            reviewed_at_us: row.try_get(11)?,
            auto_approved: row.try_get::<i32, _>(12)? != 0,
        })
    }
}

/// The rows one batch touches.
#[derive(Default)]
struct Batch {
    tasks: Rows<TaskView>,
    assignments: Rows<AssignmentView>,
    submissions: Rows<SubmissionView>,
}

impl Batch {
    /// Loads, a few statements in all, the rows the batch's events will change
    /// and that exist before it. A row missed here is loaded on first use.
    async fn prefetch(
        &mut self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), sqlx::Error> {
        let task_events = || {
            events.iter().filter_map(|e| match &e.event {
                Event::Task(event) => Some((stream_suffix(&e.stream_id), event)),
                _ => None,
            })
        };
        let changed_tasks = task_events()
            .filter(|(_, event)| !matches!(event, TaskEvent::TaskPosted { .. }))
            .map(|(task_id, _)| task_id.to_owned());
        self.tasks.prefetch(conn, changed_tasks).await?;
        let reviewed = task_events()
            .filter_map(|(_, event)| match event {
                TaskEvent::SubmissionApproved { submission_id, .. }
                | TaskEvent::SubmissionRejected { submission_id, .. }
                | TaskEvent::SubmissionDisputed { submission_id, .. } => {
                    Some(submission_id.to_string())
                }
                _ => None,
            })
            .collect::<Vec<_>>();
        self.submissions
            .prefetch(conn, reviewed.iter().cloned())
            .await?;
        let mut assignments = task_events()
            .filter_map(|(_, event)| match event {
                TaskEvent::AssignmentAbandoned { assignment_id, .. }
                | TaskEvent::WorkSubmitted { assignment_id, .. } => Some(assignment_id.to_string()),
                _ => None,
            })
            .collect::<Vec<_>>();
        assignments.extend(
            reviewed
                .iter()
                .filter_map(|id| self.submissions.cached(id))
                .map(|submission| submission.assignment_id.clone()),
        );
        self.assignments.prefetch(conn, assignments).await?;
        // Cancelling, expiring and settling end every active assignment of the task.
        let ending = task_events()
            .filter(|(_, event)| {
                matches!(
                    event,
                    TaskEvent::TaskCancelled { .. }
                        | TaskEvent::TaskExpired { .. }
                        | TaskEvent::SettlementOpened { .. }
                )
            })
            .map(|(task_id, _)| task_id.to_owned());
        self.assignments
            .prefetch_where(conn, "task_id", ending)
            .await?;
        Ok(())
    }

    async fn apply(
        &mut self,
        conn: &mut AnyConnection,
        projected: &ProjectedEvent,
        event: &TaskEvent,
    ) -> Result<(), ProjectionError> {
        let task_id = stream_suffix(&projected.stream_id);
        if let TaskEvent::TaskPosted { .. } = event {
            self.tasks.put(posted(task_id, projected, event));
            return Ok(());
        }
        let inconsistent = |reason: &str| ProjectionError::inconsistent(projected, reason);
        let task = self
            .tasks
            .get_mut(conn, task_id)
            .await?
            .ok_or_else(|| inconsistent("task was never posted"))?;
        task.last_position = projected.position;
        match event {
            TaskEvent::TaskPosted { .. } => unreachable!("handled above"),
            TaskEvent::TaskApplied { at, .. } => task.updated_at_us = micros(*at),
            TaskEvent::TaskAssigned {
                assignment_id,
                worker,
                expires_at,
                at,
                ..
            } => {
                task.working += 1;
                task.updated_at_us = micros(*at);
                self.assignments.put(AssignmentView {
                    assignment_id: assignment_id.to_string(),
                    task_id: task_id.to_owned(),
                    worker: worker.to_string(),
                    status: assignment_status::ACTIVE.to_owned(),
                    assigned_at_us: micros(*at),
                    expires_at_us: expires_at.map(micros),
                    updated_at_us: micros(*at),
                });
            }
            TaskEvent::AssignmentAbandoned { assignment_id, at } => {
                task.working -= 1;
                task.updated_at_us = micros(*at);
                let assignment = self
                    .assignments
                    .get_mut(conn, &assignment_id.to_string())
                    .await?
                    .ok_or_else(|| inconsistent("assignment is unknown"))?;
                assignment.status = assignment_status::ABANDONED.to_owned();
                assignment.updated_at_us = micros(*at);
            }
            TaskEvent::WorkSubmitted {
                submission_id,
                assignment_id,
                worker,
                proof,
                review_due_at,
                at,
            } => {
                task.working -= 1;
                task.awaiting_review += 1;
                task.updated_at_us = micros(*at);
                let assignment = self
                    .assignments
                    .get_mut(conn, &assignment_id.to_string())
                    .await?
                    .ok_or_else(|| inconsistent("assignment is unknown"))?;
                assignment.status = assignment_status::SUBMITTED.to_owned();
                assignment.updated_at_us = micros(*at);
                self.submissions.put(SubmissionView {
                    submission_id: submission_id.to_string(),
                    task_id: task_id.to_owned(),
                    assignment_id: assignment_id.to_string(),
                    worker: worker.to_string(),
                    status: submission_status::PENDING.to_owned(),
                    proof: serde_json::to_string(proof).expect("a proof serializes"),
                    reason: None,
                    payout_cents: None,
                    fee_cents: None,
                    submitted_at_us: micros(*at),
                    review_due_at_us: review_due_at.map(micros),
                    reviewed_at_us: None,
                    auto_approved: false,
                });
            }
            TaskEvent::SubmissionApproved {
                submission_id,
                gross,
                fee,
                payout,
                auto,
                at,
                ..
            } => {
                task.awaiting_review -= 1;
                task.approved += 1;
                task.escrow_cents -= gross.cents;
                task.paid_cents += gross.cents;
                task.updated_at_us = micros(*at);
                let submission = self
                    .submissions
                    .get_mut(conn, &submission_id.to_string())
                    .await?
                    .ok_or_else(|| inconsistent("submission is unknown"))?;
                submission.status = submission_status::APPROVED.to_owned();
                submission.payout_cents = Some(payout.cents);
                submission.fee_cents = Some(fee.cents);
                submission.reviewed_at_us = Some(micros(*at));
                submission.auto_approved = *auto;
                let assignment_id = submission.assignment_id.clone();
                set_assignment(
                    &mut self.assignments,
                    conn,
                    projected,
                    &assignment_id,
                    assignment_status::APPROVED,
                    *at,
                )
                .await?;
            }
            TaskEvent::SubmissionRejected {
                submission_id,
                reason,
                at,
            }
            | TaskEvent::SubmissionDisputed {
                submission_id,
                reason,
                at,
                ..
            } => {
                let disputed = matches!(event, TaskEvent::SubmissionDisputed { .. });
                // Apply-select work rejected goes back to the chosen person
                // (the aggregate's rule): their assignment is active again.
                let redo =
                    !disputed && task.assignment_mode == AssignmentMode::ApplySelect.as_str();
                task.awaiting_review -= 1;
                task.working += i64::from(redo);
                task.disputed += i64::from(disputed);
                task.updated_at_us = micros(*at);
                let (submission_word, assignment_word) = if disputed {
                    (submission_status::DISPUTED, assignment_status::DISPUTED)
                } else if redo {
                    (submission_status::REJECTED, assignment_status::ACTIVE)
                } else {
                    (submission_status::REJECTED, assignment_status::REJECTED)
                };
                let submission = self
                    .submissions
                    .get_mut(conn, &submission_id.to_string())
                    .await?
                    .ok_or_else(|| inconsistent("submission is unknown"))?;
                submission.status = submission_word.to_owned();
                submission.reason = Some(reason.clone());
                submission.reviewed_at_us = Some(micros(*at));
                let assignment_id = submission.assignment_id.clone();
                set_assignment(
                    &mut self.assignments,
                    conn,
                    projected,
                    &assignment_id,
                    assignment_word,
                    *at,
                )
                .await?;
            }
            TaskEvent::TaskPaused { at } => set_status(task, TaskStatus::Paused, *at),
            TaskEvent::TaskResumed { at } => set_status(task, TaskStatus::Open, *at),
            TaskEvent::TaskStopped { at } => set_status(task, TaskStatus::Stopped, *at),
            TaskEvent::TaskCompleted { at } => set_status(task, TaskStatus::Completed, *at),
            TaskEvent::TaskCancelled { at }
            | TaskEvent::TaskExpired { at }
            | TaskEvent::SettlementOpened { at, .. } => {
                let status = match event {
                    TaskEvent::TaskCancelled { .. } => TaskStatus::Cancelled,
                    TaskEvent::TaskExpired { .. } => TaskStatus::Expired,
                    _ => TaskStatus::Settling,
                };
                set_status(task, status, *at);
                task.working = 0;
                // Every assignment of this task was prefetched for this event.
                self.assignments.update_cached(
                    |a| a.task_id == task_id && a.status == assignment_status::ACTIVE,
                    |a| {
                        a.status = assignment_status::ENDED.to_owned();
                        a.updated_at_us = micros(*at);
                    },
                );
            }
            TaskEvent::TaskResized { slots, at } => {
                task.slots = bigint(*slots);
                task.updated_at_us = micros(*at);
            }
            TaskEvent::EscrowIncreased { amount, at } => {
                task.escrow_cents += amount.cents;
                task.updated_at_us = micros(*at);
            }
            TaskEvent::EscrowReleased { amount, at, .. } => {
                task.escrow_cents -= amount.cents;
                task.released_cents += amount.cents;
                task.updated_at_us = micros(*at);
            }
            // The answer is read from the task's stream (`GET` by id), not listed.
            TaskEvent::ConsensusReached { at, .. } => task.updated_at_us = micros(*at),
        }
        Ok(())
    }
}

/// Moves the assignment behind a reviewed submission to the review's outcome.
async fn set_assignment(
    assignments: &mut Rows<AssignmentView>,
    conn: &mut AnyConnection,
    projected: &ProjectedEvent,
    assignment_id: &str,
    status: &str,
    at: errand_aggregates::Timestamp,
) -> Result<(), ProjectionError> {
    let assignment = assignments
        .get_mut(conn, assignment_id)
        .await?
        .ok_or_else(|| {
            ProjectionError::inconsistent(projected, "the submission's assignment is unknown")
        })?;
    assignment.status = status.to_owned();
    assignment.updated_at_us = micros(at);
    Ok(())
}

fn set_status(task: &mut TaskView, status: TaskStatus, at: errand_aggregates::Timestamp) {
    task.status = status.as_str().to_owned();
    task.updated_at_us = micros(at);
}

fn posted(task_id: &str, projected: &ProjectedEvent, event: &TaskEvent) -> TaskView {
    let TaskEvent::TaskPosted {
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
        escrow,
        posted_at,
        ..
    } = event
    else {
        unreachable!("called for TaskPosted only")
    };
    TaskView {
        task_id: task_id.to_owned(),
        poster: poster.to_string(),
        mode: mode.as_str().to_owned(),
        title: title.clone(),
        description: description.clone(),
        kind: kind.clone(),
        details: details.to_string(),
        status: TaskStatus::Open.as_str().to_owned(),
        assignment_mode: assignment.as_str().to_owned(),
        reward_cents: reward.cents,
        currency: reward.currency.code().to_owned(),
        fee_rate: fee.rate.to_string(),
        slots: bigint(*slots),
        working: 0,
        awaiting_review: 0,
        approved: 0,
        disputed: 0,
        escrow_cents: escrow.cents,
        paid_cents: 0,
        released_cents: 0,
        deadline_us: deadline.map(micros),
        assignment_time_limit_s: assignment_time_limit_s.map(bigint),
        review_window_s: review_window_s.map(bigint),
        posted_at_us: micros(*posted_at),
        updated_at_us: micros(*posted_at),
        last_position: projected.position,
    }
}

impl Projection for Tasks {
    fn name(&self) -> &'static str {
        "tasks"
    }

    fn tables(&self) -> &'static [&'static str] {
        &[
            "tasks_view",
            "task_assignments_view",
            "task_submissions_view",
        ]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut batch = Batch::default();
        batch.prefetch(conn, events).await?;
        for projected in events {
            if let Event::Task(event) = &projected.event {
                batch.apply(conn, projected, event).await?;
            }
        }
        let Batch {
            tasks,
            assignments,
            submissions,
        } = batch;
        tasks.flush(conn).await?;
        assignments.flush(conn).await?;
        submissions.flush(conn).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use errand_aggregates::task::{AssignmentStatus, SubmissionStatus, Task};

    /// The counters as the aggregate itself counts them.
    fn expected_counters(task: &Task) -> [i64; 9] {
        let assignments = |status| {
            task.assignments
                .iter()
                .filter(|a| a.status == status)
                .count() as i64
        };
        let submissions = |status| {
            task.submissions
                .iter()
                .filter(|s| s.status == status)
                .count() as i64
        };
        [
            i64::from(task.slots),
            assignments(AssignmentStatus::Active),
            submissions(SubmissionStatus::Pending),
            submissions(SubmissionStatus::Approved),
            submissions(SubmissionStatus::Disputed),
            task.escrow_cents,
            task.paid_cents,
            task.released_cents,
            i64::from(task.open_slots()),
        ]
    }

    fn counters(row: &TaskView) -> [i64; 9] {
        [
            row.slots,
            row.working,
            row.awaiting_review,
            row.approved,
            row.disputed,
            row.escrow_cents,
            row.paid_cents,
            row.released_cents,
            row.open_slots(),
        ]
    }

    #[tokio::test]
    async fn every_task_reads_as_the_aggregate_folds_it() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let cast = rich_story(&mut journal);
        db.apply(&Tasks, &journal.take()).await;

        for task_id in [cast.consensus, cast.expired, cast.cancelled, cast.stopped] {
            let state = journal.task_state(task_id);
            let row = TaskView::find(&mut db.conn, &task_id.to_string())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.status, state.status.as_str(), "{task_id}");
            assert_eq!(counters(&row), expected_counters(state), "{task_id}");
            assert_eq!(row.updated_at_us, micros(state.updated_at.unwrap()));
        }
    }

    #[tokio::test]
    async fn rejected_apply_select_work_reads_as_the_chosen_person_working_again() {
        use errand_aggregates::ids::{ApplicationId, AssignmentId, HoldId, SubmissionId};
        use errand_aggregates::task::{AssignmentMode, Proof, TaskCommand};
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let cast = rich_story(&mut journal);
        let task_id = errand_aggregates::ids::TaskId(new_id());
        let mut task = new_task(task_id, 1, 1_500);
        task.assignment = AssignmentMode::ApplySelect;
        task.hold_id = HoldId(new_id());
        journal.task(
            task_id,
            TaskCommand::Post {
                task: Box::new(task),
                by: caller(cast.poster),
                at: at(500),
            },
        );
        let (application, assignment) = (ApplicationId(new_id()), AssignmentId(new_id()));
        let worker = cast.workers[0];
        journal.task(
            task_id,
            TaskCommand::Apply {
                application_id: application,
                note: None,
                by: caller(worker),
                at: at(501),
            },
        );
        journal.task(
            task_id,
            TaskCommand::Select {
                application_id: application,
                assignment_id: assignment,
                by: caller(cast.poster),
                at: at(502),
            },
        );
        let submit = |journal: &mut TestJournal, seconds| {
            let submission_id = SubmissionId(new_id());
            journal.task(
                task_id,
                TaskCommand::Submit {
                    submission_id,
                    proof: Proof::text("done"),
                    by: caller(worker),
                    at: at(seconds),
                },
            );
            submission_id
        };
        let first = submit(&mut journal, 503);
        journal.task(
            task_id,
            TaskCommand::Reject {
                submission_id: first,
                reason: "Blurry".into(),
                by: caller(cast.poster),
                at: at(504),
            },
        );
        db.apply(&Tasks, &journal.take()).await;
        let row = TaskView::find(&mut db.conn, &task_id.to_string())
            .await
            .unwrap()
            .unwrap();
        assert_eq!((row.working, row.awaiting_review), (1, 0));
        assert_eq!(
            counters(&row),
            expected_counters(journal.task_state(task_id))
        );
        let assignment_row = AssignmentView::find(&mut db.conn, &assignment.to_string())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(assignment_row.status, "active");

        submit(&mut journal, 505);
        db.apply(&Tasks, &journal.take()).await;
        let row = TaskView::find(&mut db.conn, &task_id.to_string())
            .await
            .unwrap()
            .unwrap();
        assert_eq!((row.working, row.awaiting_review), (0, 1));
        assert_eq!(
            counters(&row),
            expected_counters(journal.task_state(task_id))
        );
    }

    #[tokio::test]
    async fn a_three_slot_task_with_one_approved_one_rejected_and_one_disputed_submission() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let cast = rich_story(&mut journal);
        db.apply(&Tasks, &journal.take()).await;
        let task = TaskView::find(&mut db.conn, &cast.consensus.to_string())
            .await
            .unwrap()
            .unwrap();
        // Two approved (one by the review window), one disputed: all 3 slots settled.
        assert_eq!(task.status, "completed");
        assert_eq!(
            (
                task.approved,
                task.disputed,
                task.working,
                task.awaiting_review
            ),
            (2, 1, 0, 0)
        );
        assert_eq!(
            (task.escrow_cents, task.paid_cents, task.released_cents),
            (0, 2_000, 1_000)
        );
        assert_eq!(task.poster, cast.poster.to_string());
        assert_eq!(task.reward_cents, 1_000);
        assert_eq!(task.fee_rate, "0.18");
        assert_eq!(task.details, r#"{"urgency":"high"}"#);

        let submissions: Vec<SubmissionView> = all_rows::<SubmissionView>(&mut db.conn)
            .await
            .into_iter()
            .filter(|s| s.task_id == cast.consensus.to_string())
            .collect();
        let mut statuses: Vec<(&str, bool)> = submissions
            .iter()
            .map(|s| (s.status.as_str(), s.auto_approved))
            .collect();
        statuses.sort();
        assert_eq!(
            statuses,
            [
                ("approved", false),
                ("approved", true),
                ("disputed", false),
                ("rejected", false)
            ]
        );
        for submission in &submissions {
            let paid = submission.status == "approved";
            assert_eq!(submission.payout_cents, paid.then_some(820));
            assert_eq!(submission.fee_cents, paid.then_some(180));
            assert_eq!(submission.reason.is_some(), !paid);
            assert!(submission.reviewed_at_us.is_some());
            assert_eq!(submission.proof, r#"{"text":"done"}"#);
        }

        let mut assignments: Vec<String> = all_rows::<AssignmentView>(&mut db.conn)
            .await
            .into_iter()
            .filter(|a| a.task_id == cast.consensus.to_string())
            .map(|a| a.status)
            .collect();
        assignments.sort();
        assert_eq!(
            assignments,
            ["abandoned", "approved", "approved", "disputed", "rejected"]
        );
    }

    #[tokio::test]
    async fn cancelling_ends_the_work_under_way_and_expiry_keeps_submitted_work() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let cast = rich_story(&mut journal);
        db.apply(&Tasks, &journal.take()).await;

        let assignments = all_rows::<AssignmentView>(&mut db.conn).await;
        let of = |task: errand_aggregates::ids::TaskId| {
            assignments
                .iter()
                .filter(|a| a.task_id == task.to_string())
                .map(|a| a.status.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(of(cast.cancelled), ["ended"]);
        assert_eq!(of(cast.expired), ["approved"]);
        let cancelled = TaskView::find(&mut db.conn, &cast.cancelled.to_string())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (cancelled.slots, cancelled.working, cancelled.escrow_cents),
            (4, 0, 0)
        );
        assert_eq!(cancelled.released_cents, 4 * 700);
    }

    #[tokio::test]
    async fn settling_ends_the_work_under_way_and_approving_it_completes_the_task() {
        use errand_aggregates::ids::{ActorId, AssignmentId, SubmissionId, TaskId};
        use errand_aggregates::task::{Proof, TaskCommand};
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let (poster, ann, bob) = (ActorId(new_id()), ActorId(new_id()), ActorId(new_id()));
        journal.deposit(poster, 10_000);
        let task_id = TaskId(new_id());
        journal.task(
            task_id,
            TaskCommand::Post {
                task: Box::new(new_task(task_id, 3, 1_000)),
                by: caller(poster),
                at: at(1),
            },
        );
        let (ann_slot, bob_slot) = (AssignmentId(new_id()), AssignmentId(new_id()));
        for (assignment_id, worker, second) in [(ann_slot, ann, 2), (bob_slot, bob, 3)] {
            journal.task(
                task_id,
                TaskCommand::Accept {
                    assignment_id,
                    by: caller(worker),
                    at: at(second),
                },
            );
        }
        journal.task(
            task_id,
            TaskCommand::Submit {
                submission_id: SubmissionId(new_id()),
                proof: Proof::text("done"),
                by: caller(ann),
                at: at(4),
            },
        );
        journal.task(
            task_id,
            TaskCommand::Settle {
                by: caller(poster),
                at: at(5),
            },
        );
        db.apply(&Tasks, &journal.take()).await;
        let row = TaskView::find(&mut db.conn, &task_id.to_string())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.status, "settling");
        assert_eq!((row.working, row.awaiting_review), (0, 1));
        assert_eq!((row.escrow_cents, row.released_cents), (1_000, 2_000));
        assert_eq!(
            counters(&row),
            expected_counters(journal.task_state(task_id))
        );
        let bob_row = AssignmentView::find(&mut db.conn, &bob_slot.to_string())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(bob_row.status, "ended");
        let ann_row = AssignmentView::find(&mut db.conn, &ann_slot.to_string())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(ann_row.status, "submitted");

        journal.task(
            task_id,
            TaskCommand::ApproveSettlement {
                by: caller(poster),
                at: at(6),
            },
        );
        db.apply(&Tasks, &journal.take()).await;
        let row = TaskView::find(&mut db.conn, &task_id.to_string())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.status, "completed");
        assert_eq!(
            (row.approved, row.escrow_cents, row.paid_cents),
            (1, 0, 1_000)
        );
        assert_eq!(
            counters(&row),
            expected_counters(journal.task_state(task_id))
        );
    }

    #[tokio::test]
    async fn a_workers_assignments_and_submissions_are_listed_by_worker() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let cast = rich_story(&mut journal);
        db.apply(&Tasks, &journal.take()).await;
        let worker = cast.workers[1].to_string();
        let listed: Vec<(String, String)> = sqlx::query_as(
            "SELECT a.status, t.title FROM task_assignments_view a \
             JOIN tasks_view t ON t.task_id = a.task_id \
             WHERE a.worker = $1 ORDER BY a.assigned_at_us",
        )
        .bind(&worker)
        .fetch_all(&mut db.conn)
        .await
        .unwrap();
        assert_eq!(
            listed,
            [
                (
                    "rejected".to_owned(),
                    "Photograph the storefront".to_owned()
                ),
                (
                    "approved".to_owned(),
                    "Photograph the storefront".to_owned()
                ),
            ]
        );
    }

    #[tokio::test]
    async fn an_event_for_a_task_never_posted_is_refused() {
        let mut db = TestDb::new().await;
        let event = projected(
            3,
            &format!("task-{}", new_id()),
            Event::Task(TaskEvent::TaskPaused { at: at(0) }),
        );
        let error = Tasks.apply(&mut db.conn, &event).await.unwrap_err();
        assert!(matches!(
            error,
            ProjectionError::Inconsistent { position: 3, .. }
        ));
    }
}
