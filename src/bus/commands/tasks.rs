use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::account::Account;
use errand_aggregates::ids::TaskId;
use errand_aggregates::task::{account_commands, Task, TaskCommand};

pub fn task_stream(task_id: TaskId) -> String {
    format!("task-{task_id}")
}

/// Any task command: the task decides, then every account its events touch
/// (the poster's hold, the worker's payment) decides its part. If any account
/// refuses (insufficient funds), nothing is appended.
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
        unit.decide::<Account>(&account.stream_id(), &account_command)
            .await?;
    }
    unit.load::<Task>(&stream).await
}
