//! A Humai channel's messages (a task's thread in `messages_view`), newest
//! first, each with whether the reader has read it. A message is read by its
//! sender, and by a recipient once the `message_received` notification it
//! made for them is read (marked by id, or under their "mark all" watermark).
//! Someone who joined the conversation after a message was posted was not
//! notified of it and has nothing left to read. Who may read a channel is the
//! caller's to check first (`thread::may_read`).

use crate::queries::notifications::watermark;
use crate::queries::{QueryError, PAGE_LIMIT_MAX};
use errand_aggregates::ids::{ActorId, NotificationId, TaskId};
use errand_aggregates::mode::Mode;
use errand_projections::messages::MessageRow;
use errand_projections::{Record, ViewRow};
use sqlx::{AnyPool, Row};
use uuid::Uuid;

/// The seed's default page of messages.
pub const DEFAULT_LIMIT: u32 = 50;

/// A reader marks at most this many messages read in one request: a thread holds at
/// most `thread::MESSAGES_PER_THREAD_MAX`, and each is one id in the reader's inbox.
pub const UNREAD_PER_MARK_MAX: i64 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelMessage {
    pub row: MessageRow,
    pub read: bool,
}

/// A page of `channel`'s messages sent before `before_us` (all when `None`),
/// newest first, and whether older ones remain.
pub async fn page(
    pool: &AnyPool,
    channel: TaskId,
    reader: ActorId,
    mode: Mode,
    before_us: Option<i64>,
    limit: u32,
) -> Result<(Vec<ChannelMessage>, bool), QueryError> {
    if !(1..=PAGE_LIMIT_MAX).contains(&limit) {
        return Err(QueryError::Invalid(format!(
            "limit must be 1 to {PAGE_LIMIT_MAX}"
        )));
    }
    let watermark = watermark(pool, reader, mode).await?;
    let columns: Vec<String> = MessageRow::COLUMNS
        .iter()
        .map(|column| format!("m.{column}"))
        .collect();
    let sql = format!(
        "SELECT {}, n.is_read, n.position FROM messages_view m \
         LEFT JOIN notifications_view n ON n.recipient = $2 AND n.mode = $3 \
           AND n.kind = 'message_received' AND n.position = m.position \
         WHERE m.task_id = $1 AND m.sent_at_us < $4 \
         ORDER BY m.position DESC LIMIT $5",
        columns.join(", ")
    );
    let rows = sqlx::query(&sql)
        .bind(channel.to_string())
        .bind(reader.to_string())
        .bind(mode.as_str())
        .bind(before_us.unwrap_or(i64::MAX))
        .bind(i64::from(limit) + 1)
        .fetch_all(pool)
        .await?;
    let more = rows.len() > limit as usize;
    let reader = reader.to_string();
    let mut messages = Vec::with_capacity(limit as usize);
    for row in rows.iter().take(limit as usize) {
        let message = MessageRow::decode(row)?;
        let column = MessageRow::COLUMNS.len();
        let is_read: Option<i64> = row.try_get(column)?;
        let notified_at: Option<i64> = row.try_get(column + 1)?;
        let unread = matches!((is_read, notified_at), (Some(0), Some(at)) if at > watermark);
        let read = message.sender == reader || !unread;
        messages.push(ChannelMessage { row: message, read });
    }
    Ok((messages, more))
}

/// One message, wherever it was posted.
pub async fn message(pool: &AnyPool, message_id: Uuid) -> Result<Option<MessageRow>, QueryError> {
    let sql = format!(
        "SELECT {} FROM messages_view WHERE message_id = $1",
        MessageRow::COLUMNS.join(", ")
    );
    let row = sqlx::query(&sql)
        .bind(message_id.to_string())
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().map(MessageRow::decode).transpose()?)
}

/// The notifications of `channel`'s messages that `reader` has not read yet.
pub async fn unread(
    pool: &AnyPool,
    channel: TaskId,
    reader: ActorId,
    mode: Mode,
) -> Result<Vec<NotificationId>, QueryError> {
    let watermark = watermark(pool, reader, mode).await?;
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT notification_id FROM notifications_view \
         WHERE recipient = $1 AND mode = $2 AND kind = 'message_received' AND task_id = $3 \
           AND is_read = 0 AND position > $4 ORDER BY position LIMIT $5",
    )
    .bind(reader.to_string())
    .bind(mode.as_str())
    .bind(channel.to_string())
    .bind(watermark)
    .bind(UNREAD_PER_MARK_MAX)
    .fetch_all(pool)
    .await?;
    Ok(ids
        .iter()
        .filter_map(|id| Uuid::parse_str(id).ok())
        .map(NotificationId)
        .collect())
}
