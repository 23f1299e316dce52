//! The reference model: what the ledger should hold after each command, in
//! plain integers and lists, written from the product's rules (the slot
//! rules, and escrow's one-line rule in `task/escrow.rs`) rather than from the
//! aggregates' code, so that a disagreement points at one of the two. It
//! predicts whether a command is accepted, not which refusal it earns:
//! the order of the domain's checks is not a rule worth pinning here.

mod task;

pub use task::TaskModel;

use crate::world::Command;
use errand_aggregates::account::AccountId;
use errand_aggregates::actor::{Caller, Role, Standing};
use errand_aggregates::deposit::DEPOSIT_MIN_CENTS;
use errand_aggregates::ids::{AssignmentId, FundingId, SubmissionId, TaskId};
use errand_aggregates::mode::Mode;
use errand_aggregates::money::Currency;
use errand_aggregates::task::{
    AssignmentStatus, NewTask, SubmissionStatus, TaskCommand, SLOTS_MAX,
};
use errand_aggregates::Timestamp;
use std::collections::BTreeMap;

/// Why the model expects a refusal; shown when the domain disagrees.
pub type Refusal = &'static str;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Balance {
    pub available_cents: i64,
    pub held_cents: i64,
}

#[derive(Debug, Clone, Default)]
pub struct Reference {
    /// One per owner, mode and currency, as accounts are.
    pub balances: BTreeMap<AccountId, Balance>,
    pub tasks: Vec<TaskModel>,
    pub deposits: Vec<DepositModel>,
    /// What the platform has kept from approved work, per mode and currency.
    pub fees_cents: BTreeMap<(Mode, Currency), i64>,
}

/// A timer the service's runtime fires as a command once it is due.
#[derive(Debug, Clone, Copy)]
pub struct Timer {
    pub due: Timestamp,
    pub task_id: TaskId,
    pub fires: Fires,
}

#[derive(Debug, Clone, Copy)]
pub enum Fires {
    Expiry,
    Abandonment(AssignmentId),
    AutoApproval(SubmissionId),
}

#[derive(Debug, Clone)]
pub struct DepositModel {
    pub funding_id: FundingId,
    pub account: AccountId,
    pub cents: i64,
    pub completed: bool,
}

fn ensure(condition: bool, refusal: Refusal) -> Result<(), Refusal> {
    if condition {
        Ok(())
    } else {
        Err(refusal)
    }
}

impl Reference {
    pub fn balance(&self, account: AccountId) -> Balance {
        self.balances.get(&account).copied().unwrap_or_default()
    }

    fn balance_mut(&mut self, account: AccountId) -> &mut Balance {
        self.balances.entry(account).or_default()
    }

    pub fn fees_cents(&self, mode: Mode, currency: Currency) -> i64 {
        self.fees_cents.get(&(mode, currency)).copied().unwrap_or(0)
    }

    pub fn task(&self, task_id: TaskId) -> Option<&TaskModel> {
        self.tasks.iter().find(|t| t.task_id == task_id)
    }

    /// The timers the service would still fire, soonest first: deadlines
    /// of tasks that have not ended, time limits of work under way, and
    /// review windows of submissions waiting for review.
    pub fn timers(&self) -> Vec<Timer> {
        let mut timers = Vec::new();
        for task in &self.tasks {
            let timer = |due, fires| Timer {
                due,
                task_id: task.task_id,
                fires,
            };
            if let Some(deadline) = task.deadline.filter(|_| !task.is_ended()) {
                timers.push(timer(deadline, Fires::Expiry));
            }
            for assignment in &task.assignments {
                if let (AssignmentStatus::Active, Some(due)) =
                    (assignment.status, assignment.expires_at)
                {
                    timers.push(timer(due, Fires::Abandonment(assignment.id)));
                }
            }
            for submission in &task.submissions {
                if let (SubmissionStatus::Pending, Some(due)) =
                    (submission.status, submission.review_due_at)
                {
                    timers.push(timer(due, Fires::AutoApproval(submission.id)));
                }
            }
        }
        timers.sort_by_key(|timer| timer.due);
        timers
    }

    /// Carries out `command` if the rules allow it; otherwise nothing changes.
    pub fn execute(&mut self, command: &Command) -> Result<(), Refusal> {
        let mut next = self.clone();
        next.run(command)?;
        *self = next;
        Ok(())
    }

    fn run(&mut self, command: &Command) -> Result<(), Refusal> {
        match command {
            Command::RequestDeposit {
                by,
                account,
                funding_id,
                amount,
                ..
            } => {
                ensure(
                    by.standing != Standing::Banned,
                    "a banned actor deposits nothing",
                )?;
                let known = self.deposits.iter().any(|d| d.funding_id == *funding_id);
                ensure(!known, "the deposit was already requested")?;
                ensure(
                    amount.cents >= DEPOSIT_MIN_CENTS,
                    "below the minimum deposit",
                )?;
                ensure(
                    amount.currency == account.currency,
                    "a deposit in another currency",
                )?;
                self.deposits.push(DepositModel {
                    funding_id: *funding_id,
                    account: *account,
                    cents: amount.cents,
                    completed: false,
                });
            }
            Command::CompleteDeposit { funding_id, .. } => {
                let deposit = self
                    .deposits
                    .iter_mut()
                    .find(|d| d.funding_id == *funding_id)
                    .ok_or("no such deposit")?;
                ensure(!deposit.completed, "the deposit already completed")?;
                deposit.completed = true;
                let (account, cents) = (deposit.account, deposit.cents);
                self.balance_mut(account).available_cents += cents;
            }
            Command::GrantCredit {
                by,
                account,
                amount,
                reason,
                ..
            } => {
                let admin = by.role == Role::Admin && by.standing != Standing::Banned;
                ensure(admin, "only an admin grants credit")?;
                ensure(!reason.trim().is_empty(), "a grant needs a reason")?;
                ensure(amount.cents > 0, "a grant of nothing")?;
                ensure(
                    amount.currency == account.currency,
                    "a grant in another currency",
                )?;
                self.balance_mut(*account).available_cents += amount.cents;
            }
            Command::Task { task_id, command } => self.run_task(*task_id, command)?,
        }
        Ok(())
    }

    fn run_task(&mut self, task_id: TaskId, command: &TaskCommand) -> Result<(), Refusal> {
        if let TaskCommand::Post { task, by, at } = command {
            return self.post(task, by, *at);
        }
        let index = self
            .tasks
            .iter()
            .position(|t| t.task_id == task_id)
            .ok_or("no such task")?;
        let account = self.tasks[index].account;
        for payment in self.tasks[index].run(command)? {
            self.balance_mut(account).held_cents -= payment.gross_cents;
            // The worker is paid in the task's mode and currency.
            let worker = AccountId {
                owner: payment.worker,
                ..account
            };
            self.balance_mut(worker).available_cents += payment.gross_cents - payment.fee_cents;
            *self
                .fees_cents
                .entry((account.mode, account.currency))
                .or_default() += payment.fee_cents;
        }
        let task = &mut self.tasks[index];
        task.complete_when_every_slot_is_settled();
        // Whatever the escrow holds beyond what the task may still pay goes
        // back to the poster; a shortfall comes out of the poster's balance.
        let excess_cents = task.escrow_cents - task.owed_cents();
        task.escrow_cents -= excess_cents;
        let poster = self.balance_mut(account);
        poster.held_cents -= excess_cents;
        poster.available_cents += excess_cents;
        ensure(
            poster.available_cents >= 0,
            "the poster cannot cover the escrow",
        )
    }

    fn post(&mut self, new: &NewTask, by: &Caller, at: Timestamp) -> Result<(), Refusal> {
        ensure(
            self.task(new.task_id).is_none(),
            "the task was already posted",
        )?;
        ensure(
            by.standing == Standing::Active,
            "only an active actor posts",
        )?;
        ensure(new.reward.cents > 0, "a reward of nothing")?;
        ensure((1..=SLOTS_MAX).contains(&new.slots), "slots out of bounds")?;
        ensure(
            new.deadline.is_none_or(|d| d > at),
            "a deadline in the past",
        )?;
        let escrow_cents = new.reward.cents * i64::from(new.slots);
        let account = AccountId {
            owner: by.actor,
            mode: new.mode,
            currency: new.reward.currency,
        };
        let poster = self.balance_mut(account);
        ensure(poster.available_cents >= escrow_cents, "insufficient funds")?;
        poster.available_cents -= escrow_cents;
        poster.held_cents += escrow_cents;
        self.tasks
            .push(TaskModel::posted(new, account, escrow_cents));
        Ok(())
    }
}
