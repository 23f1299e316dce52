//! `messages_view`: every task's conversation, for its participants to page
//! through oldest first. Folds the `thread-<task>` streams.

use errand_aggregates::thread::ThreadEvent;
use errand_aggregates::Event;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::rows::{AnyQuery, Record, Rows, ViewRow};
use crate::{micros, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Messages;

/// One row of `messages_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    pub message_id: String,
    pub task_id: String,
    pub sender: String,
    /// `poster`, `worker` or `applicant`.
    pub participation: String,
    pub body: String,
    /// Of its `MessagePosted`: orders a thread.
    pub position: i64,
    pub sent_at_us: i64,
}

impl Record for MessageRow {
    const TABLE: &'static str = "messages_view";
    const COLUMNS: &'static [&'static str] = &[
        "message_id",
        "task_id",
        "sender",
        "participation",
        "body",
        "position",
        "sent_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.message_id.as_str())
            .bind(self.task_id.as_str())
            .bind(self.sender.as_str())
            .bind(self.participation.as_str())
            .bind(self.body.as_str())
            .bind(self.position)
            .bind(self.sent_at_us)
    }
}

impl ViewRow for MessageRow {
    fn key(&self) -> &str {
        &self.message_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(MessageRow {
            message_id: row.try_get(0)?,
            task_id: row.try_get(1)?,
            sender: row.try_get(2)?,
            participation: row.try_get(3)?,
            body: row.try_get(4)?,
            position: row.try_get(5)?,
            sent_at_us: row.try_get(6)?,
        })
    }
}

impl Projection for Messages {
    fn name(&self) -> &'static str {
        "messages"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["messages_view"]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut messages = Rows::<MessageRow>::default();
        for projected in events {
            let Event::Thread(ThreadEvent::MessagePosted {
                task_id,
                message_id,
                sender,
                participation,
                body,
                at,
                ..
            }) = &projected.event
            else {
                continue;
            };
            messages.put(MessageRow {
                message_id: message_id.to_string(),
                task_id: task_id.to_string(),
                sender: sender.to_string(),
                participation: participation.as_str().to_owned(),
                body: body.clone(),
                position: projected.position,
                sent_at_us: micros(*at),
            });
        }
        messages.flush(conn).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use errand_aggregates::ids::{ActorId, TaskId};

    #[tokio::test]
    async fn a_threads_messages_are_kept_in_the_order_they_were_posted() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let poster = ActorId(new_id());
        let worker = ActorId(new_id());
        let task = TaskId(new_id());
        journal.deposit(poster, 10_000);
        journal.task(task, post_task(task, poster));
        journal.task(task, accept(worker));
        journal.message(task, poster, "Front door, please");
        journal.message(task, worker, "On my way");
        db.apply(&Messages, &journal.take()).await;
        let rows: Vec<MessageRow> = all_rows(&mut db.conn).await;
        let mut rows = rows;
        rows.sort_by_key(|row| row.position);
        let said: Vec<(&str, &str, &str)> = rows
            .iter()
            .map(|r| (r.sender.as_str(), r.participation.as_str(), r.body.as_str()))
            .collect();
        let (poster, worker) = (poster.to_string(), worker.to_string());
        assert_eq!(
            said,
            vec![
                (poster.as_str(), "poster", "Front door, please"),
                (worker.as_str(), "worker", "On my way"),
            ]
        );
        assert!(rows.iter().all(|r| r.task_id == task.to_string()));
    }
}
