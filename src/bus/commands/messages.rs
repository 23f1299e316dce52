//! Posting on a task's thread: the task is loaded to tell who takes part,
//! but only the thread is appended to, so a message never contends with the
//! task's own commands.

use super::tasks::task_stream;
use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::actor::Caller;
use errand_aggregates::ids::{MessageId, TaskId};
use errand_aggregates::task::Task;
use errand_aggregates::thread::{self, MessageBody, Thread, ThreadCommand, ThreadEvent};
use errand_aggregates::{DomainError, Timestamp};

pub fn thread_stream(task_id: TaskId) -> String {
    format!("thread-{task_id}")
}

/// `by` posts `body` on `task_id`'s thread; returns the message as recorded.
pub async fn post_message(
    unit: &mut UnitOfWork<'_>,
    by: Caller,
    task_id: TaskId,
    message_id: MessageId,
    body: MessageBody,
    at: Timestamp,
) -> Result<ThreadEvent, BusError> {
    let task = unit.load::<Task>(&task_stream(task_id)).await?;
    if !task.exists() {
        return Err(DomainError::NotFound("task").into());
    }
    let command = ThreadCommand::Post {
        task_id,
        message_id,
        sender: by,
        participation: thread::participation(&task, by.actor),
        recipients: thread::recipients(&task, by.actor),
        body,
        at,
    };
    let (_, events) = unit
        .decide::<Thread>(&thread_stream(task_id), &command)
        .await?;
    events
        .into_iter()
        .next()
        .ok_or_else(|| DomainError::Conflict("the message was not recorded".to_owned()).into())
}
