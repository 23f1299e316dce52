//! The peer's read side, the cqrs-es way: a `View` per aggregate kept by a
//! `GenericQuery` over a `PostgresViewRepository`, which the framework runs
//! after each commit (a load, then an insert or a version-checked update).

use super::account::{PeerAccount, PeerAccountEvent};
use super::task::{PeerTask, PeerTaskEvent};
use cqrs_es::{EventEnvelope, View};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct TaskView {
    pub task_id: Option<Uuid>,
    pub poster_account: String,
    pub title: String,
    pub status: String,
    pub reward_cents: i64,
    pub slots: u32,
    pub assigned: u32,
    pub submitted: u32,
    pub approved: u32,
    /// What the escrow still holds for this task.
    pub escrow_cents: i64,
}

impl View<PeerTask> for TaskView {
    fn update(&mut self, event: &EventEnvelope<PeerTask>) {
        match &event.payload {
            PeerTaskEvent::TaskPosted {
                task_id,
                poster_account,
                title,
                reward,
                slots,
                escrow,
                ..
            } => {
                self.task_id = Some(*task_id);
                self.poster_account.clone_from(poster_account);
                self.title.clone_from(title);
                self.status = "open".to_owned();
                self.reward_cents = reward.cents;
                self.slots = *slots;
                self.escrow_cents = escrow.cents;
            }
            PeerTaskEvent::TaskAccepted { .. } => {
                self.assigned += 1;
            }
            PeerTaskEvent::WorkSubmitted { .. } => {
                self.submitted += 1;
            }
            PeerTaskEvent::SubmissionApproved { gross, .. } => {
                self.approved += 1;
                self.escrow_cents -= gross.cents;
                if self.approved == self.slots {
                    self.status = "completed".to_owned();
                }
            }
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct AccountView {
    pub available_cents: i64,
    pub held_cents: i64,
    pub spent_cents: i64,
    pub fees_paid_cents: i64,
    pub earned_cents: i64,
    pub open_holds: u32,
}

impl View<PeerAccount> for AccountView {
    fn update(&mut self, event: &EventEnvelope<PeerAccount>) {
        match &event.payload {
            PeerAccountEvent::FundsDeposited { amount, .. } => {
                self.available_cents += amount.cents;
            }
            PeerAccountEvent::HoldPlaced { amount, .. } => {
                self.available_cents -= amount.cents;
                self.held_cents += amount.cents;
                self.open_holds += 1;
            }
            PeerAccountEvent::HoldCaptured { gross, fee, .. } => {
                self.held_cents -= gross.cents;
                self.spent_cents += gross.cents;
                self.fees_paid_cents += fee.cents;
                // One slot per task here, so a capture settles its hold.
                self.open_holds = self.open_holds.saturating_sub(1);
            }
            PeerAccountEvent::PaymentReceived { amount, .. } => {
                self.available_cents += amount.cents;
                self.earned_cents += amount.cents;
            }
        }
    }
}
