//! Paying a task's workers out: each worker's earnings from the task go to
//! their payout account, once — the payout id is named by (task, worker), so
//! asking again finds the first payout (and finishes it if it is still
//! pending) instead of paying twice. Each worker is paid in an append of
//! their own, so one worker who cannot be paid (no onboarded account, a
//! balance already withdrawn, frozen) holds no one else's payout back.

use super::dispatch;
use super::PayoutProvider;
use crate::bus::{commands, BusError, CommandBus, CommandContext, Executed};
use chrono::Utc;
use errand_aggregates::account::AccountId;
use errand_aggregates::actor::Caller;
use errand_aggregates::ids::{ActorId, PayoutId, TaskId};
use errand_aggregates::money::Money;
use errand_aggregates::payout::{task_earnings, task_payout_id, Payout, PayoutPurpose};
use errand_aggregates::task::Task;
use errand_aggregates::DomainError;

/// What became of one worker's earnings.
#[derive(Debug, Clone)]
pub struct WorkerPayout {
    pub worker: ActorId,
    pub payout_id: PayoutId,
    pub amount: Money,
    pub outcome: Outcome,
}

#[derive(Debug, Clone)]
pub enum Outcome {
    /// The payout exists: made by this call (`now`) or an earlier one.
    Sent { payout: Payout, now: bool },
    /// Not paid; nothing was recorded for this worker.
    Refused(DomainError),
    /// A dry run: what would have been requested.
    WouldSend,
}

/// Pays out what each worker earned on `task_id`. `context` makes each
/// worker's command context (every append carries its own command id).
pub async fn pay_out(
    bus: &CommandBus,
    provider: &dyn PayoutProvider,
    by: Caller,
    task_id: TaskId,
    context: impl Fn() -> CommandContext,
) -> Result<Vec<WorkerPayout>, BusError> {
    let (task, _) = bus
        .load_fresh::<Task>(&commands::task_stream(task_id))
        .await?;
    let earnings = task_earnings(&task, &by)?;
    let mut paid = Vec::with_capacity(earnings.len());
    for (worker, amount) in earnings {
        let payout_id = task_payout_id(task_id, worker);
        let outcome = pay_worker(bus, provider, &task, task_id, worker, amount, &context()).await?;
        paid.push(WorkerPayout {
            worker,
            payout_id,
            amount,
            outcome,
        });
    }
    Ok(paid)
}

async fn pay_worker(
    bus: &CommandBus,
    provider: &dyn PayoutProvider,
    task: &Task,
    task_id: TaskId,
    worker: ActorId,
    amount: Money,
    context: &CommandContext,
) -> Result<Outcome, BusError> {
    let payout_id = task_payout_id(task_id, worker);
    let stream = commands::payout_stream(payout_id);
    let earlier = |dispatched: dispatch::Dispatched| Outcome::Sent {
        payout: dispatched.payout,
        now: false,
    };
    if bus.load_fresh::<Payout>(&stream).await?.0.exists() {
        return Ok(earlier(dispatch::send(bus, provider, payout_id).await?));
    }
    let payout = commands::NewPayout {
        payout_id,
        account: AccountId {
            owner: worker,
            mode: task.mode,
            currency: amount.currency,
        },
        amount,
        purpose: PayoutPurpose::TaskEarnings { task_id },
    };
    let executed = crate::execute!(bus, context, |unit| {
        // Enforcement reaches payouts: a frozen or banned worker is not paid out.
        commands::caller(unit, worker).await?.ensure_active()?;
        commands::request_payout(unit, &payout, provider.name(), Utc::now()).await
    });
    match executed {
        Ok(Executed::DryRun { .. }) => Ok(Outcome::WouldSend),
        Ok(Executed::Done { .. } | Executed::Replayed(_)) => {
            let dispatched = dispatch::send(bus, provider, payout_id).await?;
            Ok(Outcome::Sent {
                payout: dispatched.payout,
                now: true,
            })
        }
        // A concurrent call requested it first.
        Err(BusError::Domain(DomainError::Conflict(message)))
            if message == "payout already requested" =>
        {
            Ok(earlier(dispatch::send(bus, provider, payout_id).await?))
        }
        Err(BusError::Domain(
            refusal @ (DomainError::Conflict(_)
            | DomainError::Forbidden(_)
            | DomainError::InsufficientFunds { .. }),
        )) => Ok(Outcome::Refused(refusal)),
        Err(error) => Err(error),
    }
}
