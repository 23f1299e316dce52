//! Turns a step into the command it stands for now: positions become ids
//! through the reference model, fresh ids are handed out, and the clock
//! stamps every command.

use crate::people::{account, admin, caller, PEOPLE};
use crate::reference::{Fires, Reference, TaskModel};
use crate::steps::{Steerer, Steering, Step, Verdict, Worker};
use crate::world::Command;
use errand_aggregates::actor::{Caller, Standing};
use errand_aggregates::fee::FeePolicy;
use errand_aggregates::ids::{
    ApplicationId, AssignmentId, FundingId, HoldId, SubmissionId, TaskId,
};
use errand_aggregates::mode::Mode;
use errand_aggregates::money::{Currency, Money};
use errand_aggregates::task::{AssignmentMode, NewTask, Proof, TaskCommand};
use errand_aggregates::Timestamp;
use uuid::Uuid;

/// Hands out ids no other entity has, as the service's UUIDv7s would.
#[derive(Debug, Default)]
pub struct Ids {
    issued: u128,
}

impl Ids {
    pub fn fresh(&mut self) -> Uuid {
        self.issued += 1;
        Uuid::from_u128(0x1_0000_0000 + self.issued)
    }
}

/// The `n`-th newest item, counting round when `n` runs past the oldest.
fn nth<T>(items: &[T], n: usize) -> Option<&T> {
    (!items.is_empty()).then(|| &items[items.len() - 1 - n % items.len()])
}

fn worker_caller(worker: Worker, task: &TaskModel) -> Caller {
    match worker {
        Worker::NotThePoster { n, standing } => {
            let others: Vec<_> = PEOPLE
                .iter()
                .map(|(actor, _)| *actor)
                .filter(|actor| *actor != task.poster)
                .collect();
            caller(others[n % others.len()], standing)
        }
        Worker::Anyone(person) => person.caller(),
    }
}

fn steerer_caller(by: Steerer, task: &TaskModel) -> Caller {
    match by {
        Steerer::Poster(standing) => caller(task.poster, standing),
        Steerer::Admin => admin(),
        Steerer::Someone(index) => caller(PEOPLE[index].0, Standing::Active),
    }
}

/// An amount in `currency`, or with `foreign`, in the other one.
fn money(cents: i64, currency: Currency, foreign: bool) -> Money {
    let currency = match (currency, foreign) {
        (currency, false) => currency,
        (Currency::USD, true) => Currency::RC,
        (Currency::RC, true) => Currency::USD,
    };
    Money { cents, currency }
}

fn new_task(
    task_id: TaskId,
    hold_id: HoldId,
    (mode, currency): (Mode, Currency),
    reward_cents: i64,
    slots: u32,
) -> NewTask {
    let reward = Money {
        cents: reward_cents,
        currency,
    };
    NewTask {
        task_id,
        hold_id,
        mode,
        title: "Check the bakery is open".to_owned(),
        description: "Walk past 12 Rue Cler and photograph the door.".to_owned(),
        kind: "verification".to_owned(),
        details: serde_json::json!({ "urgency": "normal" }),
        reward,
        slots,
        assignment: AssignmentMode::FirstAccept,
        fee: FeePolicy::free(),
        deadline: None,
        assignment_time_limit_s: None,
        review_window_s: None,
    }
}

/// The command `step` stands for now, or `None` when it points at nothing
/// (or is only time passing).
pub fn command(
    step: &Step,
    reference: &Reference,
    now: Timestamp,
    ids: &mut Ids,
) -> Option<Command> {
    let seconds = |s: i64| now + chrono::Duration::seconds(s);
    let on_task = |task: &TaskModel, command: TaskCommand| Command::Task {
        task_id: task.task_id,
        command,
    };
    let task = |n: usize| nth(&reference.tasks, n);
    Some(match *step {
        Step::RequestDeposit {
            person,
            into,
            cents,
            foreign,
        } => Command::RequestDeposit {
            by: person.caller(),
            account: account(person.caller().actor, into),
            funding_id: FundingId(ids.fresh()),
            amount: money(cents, into.1, foreign),
            at: now,
        },
        Step::CompleteDeposit { deposit } => Command::CompleteDeposit {
            funding_id: nth(&reference.deposits, deposit)?.funding_id,
            at: now,
        },
        Step::GrantCredit {
            person,
            into,
            cents,
            foreign,
            by_admin,
        } => Command::GrantCredit {
            by: if by_admin {
                admin()
            } else {
                caller(PEOPLE[person].0, Standing::Active)
            },
            account: account(PEOPLE[person].0, into),
            funding_id: FundingId(ids.fresh()),
            amount: money(cents, into.1, foreign),
            reason: "welcome credit".to_owned(),
            at: now,
        },
        Step::Post {
            poster,
            paid_from,
            reward_cents,
            slots,
            assignment,
            fee_percent,
            deadline_s,
            time_limit_s,
            review_window_s,
        } => {
            let task_id = TaskId(ids.fresh());
            let mut new = new_task(task_id, HoldId(ids.fresh()), paid_from, reward_cents, slots);
            new.assignment = assignment;
            new.fee = FeePolicy::percent(fee_percent).expect("a rate from the list");
            new.deadline = deadline_s.map(seconds);
            new.assignment_time_limit_s = time_limit_s;
            new.review_window_s = review_window_s;
            Command::Task {
                task_id,
                command: TaskCommand::Post {
                    task: Box::new(new),
                    by: poster.caller(),
                    at: now,
                },
            }
        }
        Step::Repost { task: n } => {
            let task = task(n)?;
            let paid_from = (task.account.mode, task.account.currency);
            let new = new_task(
                task.task_id,
                task.hold_id,
                paid_from,
                task.reward_cents,
                task.slots,
            );
            let by = caller(task.poster, Standing::Active);
            on_task(
                task,
                TaskCommand::Post {
                    task: Box::new(new),
                    by,
                    at: now,
                },
            )
        }
        Step::TakeWork {
            task: n,
            worker,
            wrong_way,
        } => {
            let task = task(n)?;
            let by = worker_caller(worker, task);
            let accepts = (task.assignment == AssignmentMode::FirstAccept) != wrong_way;
            let command = if accepts {
                TaskCommand::Accept {
                    assignment_id: AssignmentId(ids.fresh()),
                    by,
                    at: now,
                }
            } else {
                TaskCommand::Apply {
                    application_id: ApplicationId(ids.fresh()),
                    note: Some("I live next door".to_owned()),
                    by,
                    at: now,
                }
            };
            on_task(task, command)
        }
        Step::Select {
            task: n,
            application,
            by,
        } => {
            let task = task(n)?;
            on_task(
                task,
                TaskCommand::Select {
                    application_id: nth(&task.applications, application)?.id,
                    assignment_id: AssignmentId(ids.fresh()),
                    by: steerer_caller(by, task),
                    at: now,
                },
            )
        }
        Step::Submit {
            task: n,
            assignment,
            stranger,
            standing,
        } => {
            let task = task(n)?;
            let worker = match stranger {
                Some(index) => PEOPLE[index].0,
                None => nth(&task.assignments, assignment)?.worker,
            };
            on_task(
                task,
                TaskCommand::Submit {
                    submission_id: SubmissionId(ids.fresh()),
                    proof: Proof::text("The door was open at noon."),
                    by: caller(worker, standing),
                    at: now,
                },
            )
        }
        Step::Review {
            task: n,
            submission,
            verdict,
            reason,
            by,
        } => {
            let task = task(n)?;
            let submission_id = nth(&task.submissions, submission)?.id;
            let by = steerer_caller(by, task);
            let reason = reason.to_owned();
            let command = match verdict {
                Verdict::Approve => TaskCommand::Approve {
                    submission_id,
                    by,
                    at: now,
                },
                Verdict::Reject => TaskCommand::Reject {
                    submission_id,
                    reason,
                    by,
                    at: now,
                },
                Verdict::Dispute => TaskCommand::Dispute {
                    submission_id,
                    reason,
                    by,
                    at: now,
                },
            };
            on_task(task, command)
        }
        Step::AutoApprove {
            task: n,
            submission,
        } => {
            let task = task(n)?;
            on_task(
                task,
                TaskCommand::AutoApprove {
                    submission_id: nth(&task.submissions, submission)?.id,
                    at: now,
                },
            )
        }
        Step::Steer {
            task: n,
            steering,
            by,
        } => {
            let task = task(n)?;
            let by = steerer_caller(by, task);
            let command = match steering {
                Steering::Pause => TaskCommand::Pause { by, at: now },
                Steering::Resume => TaskCommand::Resume { by, at: now },
                Steering::Stop => TaskCommand::Stop { by, at: now },
                Steering::Cancel => TaskCommand::Cancel { by, at: now },
                Steering::Settle => TaskCommand::Settle { by, at: now },
                Steering::ApproveSettlement => TaskCommand::ApproveSettlement { by, at: now },
                Steering::DisputeSettlement => TaskCommand::DisputeSettlement {
                    reason: "Not what was asked.".to_owned(),
                    by,
                    at: now,
                },
            };
            on_task(task, command)
        }
        Step::Resize { task: n, slots, by } => {
            let task = task(n)?;
            on_task(
                task,
                TaskCommand::Resize {
                    slots,
                    by: steerer_caller(by, task),
                    at: now,
                },
            )
        }
        Step::Abandon {
            task: n,
            assignment,
        } => {
            let task = task(n)?;
            on_task(
                task,
                TaskCommand::AbandonAssignment {
                    assignment_id: nth(&task.assignments, assignment)?.id,
                    at: now,
                },
            )
        }
        Step::Expire { task: n } => on_task(task(n)?, TaskCommand::Expire { at: now }),
        Step::FireTimer { timer } => {
            let timers = reference.timers();
            let timer = timers.get(timer % timers.len().max(1))?;
            let command = match timer.fires {
                Fires::Expiry => TaskCommand::Expire { at: now },
                Fires::Abandonment(assignment_id) => TaskCommand::AbandonAssignment {
                    assignment_id,
                    at: now,
                },
                Fires::AutoApproval(submission_id) => TaskCommand::AutoApprove {
                    submission_id,
                    at: now,
                },
            };
            Command::Task {
                task_id: timer.task_id,
                command,
            }
        }
        Step::Wait { .. } | Step::WaitForTimer { .. } => return None,
    })
}
