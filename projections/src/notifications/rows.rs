//! The tables of the `notifications` projection, as structs.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::rows::{AnyQuery, Record, ViewRow};

/// One row of `notifications_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRow {
    /// `inbox::notification_id(position, recipient)`.
    pub notification_id: String,
    pub recipient: String,
    pub mode: String,
    pub kind: String,
    pub task_id: Option<String>,
    pub text: String,
    pub position: i64,
    pub created_at_us: i64,
    /// 1 once marked read by id (a "mark all" is the reader's watermark).
    pub is_read: i64,
}

impl Record for NotificationRow {
    const TABLE: &'static str = "notifications_view";
    const COLUMNS: &'static [&'static str] = &[
        "notification_id",
        "recipient",
        "mode",
        "kind",
        "task_id",
        "text",
        "position",
        "created_at_us",
        "is_read",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.notification_id.as_str())
            .bind(self.recipient.as_str())
            .bind(self.mode.as_str())
            .bind(self.kind.as_str())
            .bind(self.task_id.as_deref())
            .bind(self.text.as_str())
            .bind(self.position)
            .bind(self.created_at_us)
            .bind(self.is_read)
    }
}

impl ViewRow for NotificationRow {
    fn key(&self) -> &str {
        &self.notification_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(NotificationRow {
            notification_id: row.try_get(0)?,
            recipient: row.try_get(1)?,
            mode: row.try_get(2)?,
            kind: row.try_get(3)?,
            task_id: row.try_get(4)?,
            text: row.try_get(5)?,
            position: row.try_get(6)?,
            created_at_us: row.try_get(7)?,
            is_read: row.try_get(8)?,
        })
    }
}

/// One row of `notification_tasks`: what later task events do not repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifiedTask {
    pub task_id: String,
    pub poster: String,
    pub mode: String,
    pub title: String,
}

impl Record for NotifiedTask {
    const TABLE: &'static str = "notification_tasks";
    const COLUMNS: &'static [&'static str] = &["task_id", "poster", "mode", "title"];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.task_id.as_str())
            .bind(self.poster.as_str())
            .bind(self.mode.as_str())
            .bind(self.title.as_str())
    }
}

impl ViewRow for NotifiedTask {
    fn key(&self) -> &str {
        &self.task_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(NotifiedTask {
            task_id: row.try_get(0)?,
            poster: row.try_get(1)?,
            mode: row.try_get(2)?,
            title: row.try_get(3)?,
        })
    }
}

/// One row of `notification_submissions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifiedSubmission {
    pub submission_id: String,
    pub task_id: String,
    pub worker: String,
}

impl Record for NotifiedSubmission {
    const TABLE: &'static str = "notification_submissions";
    const COLUMNS: &'static [&'static str] = &["submission_id", "task_id", "worker"];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.submission_id.as_str())
            .bind(self.task_id.as_str())
            .bind(self.worker.as_str())
    }
}

impl ViewRow for NotifiedSubmission {
    fn key(&self) -> &str {
        &self.submission_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(NotifiedSubmission {
            submission_id: row.try_get(0)?,
            task_id: row.try_get(1)?,
            worker: row.try_get(2)?,
        })
    }
}

/// One row of `notification_readers`: a reader's "mark all" watermark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderMark {
    /// `<actor>-<mode>`.
    pub reader_id: String,
    pub read_up_to_position: i64,
}

impl ReaderMark {
    pub fn reader_id(actor: &str, mode: &str) -> String {
        format!("{actor}-{mode}")
    }
}

impl Record for ReaderMark {
    const TABLE: &'static str = "notification_readers";
    const COLUMNS: &'static [&'static str] = &["reader_id", "read_up_to_position"];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.reader_id.as_str())
            .bind(self.read_up_to_position)
    }
}

impl ViewRow for ReaderMark {
    fn key(&self) -> &str {
        &self.reader_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(ReaderMark {
            reader_id: row.try_get(0)?,
            read_up_to_position: row.try_get(1)?,
        })
    }
}
