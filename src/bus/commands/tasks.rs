use super::billing::billing_stream;
use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::account::{Account, AccountCommand, AccountId};
use errand_aggregates::billing::{self, BillingProfile};
use errand_aggregates::ids::TaskId;
use errand_aggregates::task::{account_commands, Task, TaskCommand};

pub fn task_stream(task_id: TaskId) -> String {
    format!("task-{task_id}")
}

/// Any task command: the task decides, then every account its events touch
/// (the poster's hold, the worker's payment) decides its part. If any account
/// refuses (insufficient funds), nothing is appended. A hold that sets off
/// the poster's auto-reload stops the decision for the bus to top up first
/// (`bus::top_up`): every dialect's post and resize places its holds here.
pub async fn on_task(
    unit: &mut UnitOfWork<'_>,
    task_id: TaskId,
    command: &TaskCommand,
) -> Result<Task, BusError> {
    let stream = task_stream(task_id);
    if matches!(command, TaskCommand::Post { .. }) {
        unit.start_new::<Task>(&stream);
    }
    let (before, events) = unit.decide::<Task>(&stream, command).await?;
    for (account, account_command) in account_commands(&before, &events) {
        if let AccountCommand::PlaceHold { amount, .. }
        | AccountCommand::IncreaseHold { amount, .. } = &account_command
        {
            ensure_no_top_up_due(unit, account, amount.cents).await?;
        }
        unit.decide::<Account>(&account.stream_id(), &account_command)
            .await?;
    }
    unit.load::<Task>(&stream).await
}

/// Stops the decision if holding `hold_cents` on `account` sets off its
/// owner's auto-reload (`billing::top_up`).
async fn ensure_no_top_up_due(
    unit: &mut UnitOfWork<'_>,
    account: AccountId,
    hold_cents: i64,
) -> Result<(), BusError> {
    if !unit.may_top_up() {
        return Ok(());
    }
    let profile = unit
        .load::<BillingProfile>(&billing_stream(account.owner, account.mode))
        .await?;
    if !profile.auto_reload.enabled {
        return Ok(());
    }
    let balance = unit.load::<Account>(&account.stream_id()).await?;
    match billing::top_up(&profile, account, balance.available_cents, hold_cents) {
        Some(top_up) => Err(BusError::TopUpDue(Box::new(top_up))),
        None => Ok(()),
    }
}
