//! `PeerTask`: a task as a cqrs-es user models it. It knows what its escrow
//! must be, but cannot place the hold itself: the hold lives on another
//! aggregate, and cqrs-es commits one aggregate per `execute`.

use chrono::{DateTime, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use errand_aggregates::fee::FeePolicy;
use errand_aggregates::money::{Money, MoneyError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct PeerTask {
    posted: bool,
    /// The aggregate id of the poster's `PeerAccount`.
    poster_account: String,
    reward: Option<Money>,
    slots: u32,
    fee: Option<FeePolicy>,
    hold_id: Option<Uuid>,
    requires_submission: bool,
    /// Workers holding a slot.
    assigned: Vec<Uuid>,
    /// Handed-in work, by submission id, and who did it.
    submitted: Vec<(Uuid, Uuid)>,
    approved: Vec<Uuid>,
}

#[derive(Debug)]
pub enum PeerTaskCommand {
    PostTask(Box<NewPeerTask>),
    AcceptTask {
        assignment_id: Uuid,
        worker: Uuid,
        at: DateTime<Utc>,
    },
    SubmitWork {
        submission_id: Uuid,
        worker: Uuid,
        proof: String,
        at: DateTime<Utc>,
    },
    ApproveSubmission {
        submission_id: Uuid,
        worker: Uuid,
        by_account: String,
        at: DateTime<Utc>,
    },
}

#[derive(Debug)]
pub struct NewPeerTask {
    pub task_id: Uuid,
    pub poster_account: String,
    pub title: String,
    pub description: String,
    pub kind: String,
    pub reward: Money,
    pub slots: u32,
    pub fee: FeePolicy,
    pub hold_id: Uuid,
    /// Whether approval needs a worker to accept and hand in work first (as
    /// Errand's tasks do); without, the poster approves a named worker.
    pub requires_submission: bool,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PeerTaskEvent {
    TaskPosted {
        task_id: Uuid,
        poster_account: String,
        title: String,
        description: String,
        kind: String,
        reward: Money,
        slots: u32,
        fee: FeePolicy,
        hold_id: Uuid,
        escrow: Money,
        requires_submission: bool,
        at: DateTime<Utc>,
    },
    TaskAccepted {
        assignment_id: Uuid,
        worker: Uuid,
        at: DateTime<Utc>,
    },
    WorkSubmitted {
        submission_id: Uuid,
        worker: Uuid,
        proof: String,
        at: DateTime<Utc>,
    },
    SubmissionApproved {
        submission_id: Uuid,
        worker: Uuid,
        poster_account: String,
        hold_id: Uuid,
        gross: Money,
        fee: Money,
        at: DateTime<Utc>,
    },
}

impl DomainEvent for PeerTaskEvent {
    fn event_type(&self) -> String {
        match self {
            PeerTaskEvent::TaskPosted { .. } => "TaskPosted",
            PeerTaskEvent::TaskAccepted { .. } => "TaskAccepted",
            PeerTaskEvent::WorkSubmitted { .. } => "WorkSubmitted",
            PeerTaskEvent::SubmissionApproved { .. } => "SubmissionApproved",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PeerTaskError {
    #[error("task already posted")]
    AlreadyPosted,
    #[error("task not found")]
    NotFound,
    #[error("only the poster may approve")]
    NotThePoster,
    #[error("no free slot")]
    NoFreeSlot,
    #[error("only the assigned worker may hand in work")]
    NotAssigned,
    #[error("no such submission")]
    UnknownSubmission,
    #[error("submission already approved")]
    AlreadyApproved,
    #[error("every slot is already paid")]
    NoSlotLeft,
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl Aggregate for PeerTask {
    const TYPE: &'static str = "PeerTask";
    type Command = PeerTaskCommand;
    type Event = PeerTaskEvent;
    type Error = PeerTaskError;
    type Services = ();

    async fn handle(
        &mut self,
        command: PeerTaskCommand,
        _services: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), PeerTaskError> {
        match command {
            PeerTaskCommand::PostTask(task) => {
                if self.posted {
                    return Err(PeerTaskError::AlreadyPosted);
                }
                let escrow = task.reward.checked_mul(i64::from(task.slots))?;
                let NewPeerTask {
                    task_id,
                    poster_account,
                    title,
                    description,
                    kind,
                    reward,
                    slots,
                    fee,
                    hold_id,
                    requires_submission,
                    at,
                } = *task;
                let event = PeerTaskEvent::TaskPosted {
                    task_id,
                    poster_account,
                    title,
                    description,
                    kind,
                    reward,
                    slots,
                    fee,
                    hold_id,
                    escrow,
                    requires_submission,
                    at,
                };
                sink.write(event, self).await;
            }
            PeerTaskCommand::AcceptTask {
                assignment_id,
                worker,
                at,
            } => {
                if !self.posted {
                    return Err(PeerTaskError::NotFound);
                }
                if self.assigned.len() >= self.slots as usize {
                    return Err(PeerTaskError::NoFreeSlot);
                }
                let event = PeerTaskEvent::TaskAccepted {
                    assignment_id,
                    worker,
                    at,
                };
                sink.write(event, self).await;
            }
            PeerTaskCommand::SubmitWork {
                submission_id,
                worker,
                proof,
                at,
            } => {
                if !self.assigned.contains(&worker) {
                    return Err(PeerTaskError::NotAssigned);
                }
                let event = PeerTaskEvent::WorkSubmitted {
                    submission_id,
                    worker,
                    proof,
                    at,
                };
                sink.write(event, self).await;
            }
            PeerTaskCommand::ApproveSubmission {
                submission_id,
                worker,
                by_account,
                at,
            } => {
                let (Some(reward), Some(fee), Some(hold_id)) =
                    (self.reward, self.fee, self.hold_id)
                else {
                    return Err(PeerTaskError::NotFound);
                };
                if by_account != self.poster_account {
                    return Err(PeerTaskError::NotThePoster);
                }
                if self.approved.contains(&submission_id) {
                    return Err(PeerTaskError::AlreadyApproved);
                }
                if self.approved.len() >= self.slots as usize {
                    return Err(PeerTaskError::NoSlotLeft);
                }
                let submitted_by = self
                    .submitted
                    .iter()
                    .find(|(submission, _)| *submission == submission_id)
                    .map(|(_, worker)| *worker);
                if self.requires_submission && submitted_by != Some(worker) {
                    return Err(PeerTaskError::UnknownSubmission);
                }
                let split = fee.split(reward)?;
                let event = PeerTaskEvent::SubmissionApproved {
                    submission_id,
                    worker,
                    poster_account: self.poster_account.clone(),
                    hold_id,
                    gross: split.gross,
                    fee: split.fee,
                    at,
                };
                sink.write(event, self).await;
            }
        }
        Ok(())
    }

    fn apply(&mut self, event: PeerTaskEvent) {
        match event {
            PeerTaskEvent::TaskPosted {
                poster_account,
                reward,
                slots,
                fee,
                hold_id,
                requires_submission,
                ..
            } => {
                self.posted = true;
                self.requires_submission = requires_submission;
                self.poster_account = poster_account;
                self.reward = Some(reward);
                self.slots = slots;
                self.fee = Some(fee);
                self.hold_id = Some(hold_id);
            }
            PeerTaskEvent::TaskAccepted { worker, .. } => {
                self.assigned.push(worker);
            }
            PeerTaskEvent::WorkSubmitted {
                submission_id,
                worker,
                ..
            } => {
                self.submitted.push((submission_id, worker));
            }
            PeerTaskEvent::SubmissionApproved { submission_id, .. } => {
                self.approved.push(submission_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cqrs_es::test::TestFramework;

    type TaskTest = TestFramework<PeerTask>;

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).expect("a valid time")
    }

    fn posted(requires_submission: bool) -> PeerTaskEvent {
        PeerTaskEvent::TaskPosted {
            task_id: Uuid::nil(),
            poster_account: "account-poster".to_owned(),
            title: "t".to_owned(),
            description: String::new(),
            kind: "general".to_owned(),
            reward: Money::usd(500),
            slots: 1,
            fee: FeePolicy::percent("10").expect("a valid fee"),
            hold_id: Uuid::nil(),
            escrow: Money::usd(500),
            requires_submission,
            at: at(),
        }
    }

    fn approve(submission_id: Uuid, by_account: &str) -> PeerTaskCommand {
        PeerTaskCommand::ApproveSubmission {
            submission_id,
            worker: Uuid::max(),
            by_account: by_account.to_owned(),
            at: at(),
        }
    }

    #[test]
    fn approving_splits_the_reward_into_gross_and_fee() {
        TaskTest::with(())
            .given(vec![posted(false)])
            .when(approve(Uuid::nil(), "account-poster"))
            .then_expect_events(vec![PeerTaskEvent::SubmissionApproved {
                submission_id: Uuid::nil(),
                worker: Uuid::max(),
                poster_account: "account-poster".to_owned(),
                hold_id: Uuid::nil(),
                gross: Money::usd(500),
                fee: Money::usd(50),
                at: at(),
            }]);
    }

    #[test]
    fn only_the_poster_approves() {
        TaskTest::with(())
            .given(vec![posted(false)])
            .when(approve(Uuid::nil(), "account-someone-else"))
            .then_expect_error_message("only the poster may approve");
    }

    #[test]
    fn a_task_that_needs_a_submission_is_not_approved_without_one() {
        TaskTest::with(())
            .given(vec![posted(true)])
            .when(approve(Uuid::nil(), "account-poster"))
            .then_expect_error_message("no such submission");
    }

    #[test]
    fn a_one_slot_task_pays_once() {
        let approved = PeerTaskEvent::SubmissionApproved {
            submission_id: Uuid::nil(),
            worker: Uuid::max(),
            poster_account: "account-poster".to_owned(),
            hold_id: Uuid::nil(),
            gross: Money::usd(500),
            fee: Money::usd(50),
            at: at(),
        };
        TaskTest::with(())
            .given(vec![posted(false), approved])
            .when(approve(Uuid::max(), "account-poster"))
            .then_expect_error_message("every slot is already paid");
    }
}
