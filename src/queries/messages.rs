//! A task's messages from `messages_view`, oldest first. Who may read them is
//! the caller's to check first (`thread::may_read` on the task's state).

use super::{decode_cursor, encode_cursor, micros_to_time, Page, QueryError, PAGE_LIMIT_MAX};
use chrono::{DateTime, Utc};
use errand_aggregates::ids::TaskId;
use errand_aggregates::thread::ThreadEvent;
use errand_projections::messages::MessageRow;
use errand_projections::{Record, ViewRow};
use serde::Serialize;
use sqlx::AnyPool;
use utoipa::ToSchema;
use uuid::Uuid;

const DEFAULT_LIMIT: u32 = 50;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageView {
    pub id: Uuid,
    pub task_id: Uuid,
    pub sender_id: Uuid,
    /// poster | worker | applicant: how the sender took part in the task
    pub sender_role: String,
    pub body: String,
    pub sent_at: Option<DateTime<Utc>>,
}

impl MessageView {
    /// The message a command just recorded.
    pub fn from_event(event: &ThreadEvent) -> MessageView {
        let ThreadEvent::MessagePosted {
            task_id,
            message_id,
            sender,
            participation,
            body,
            at,
            ..
        } = event;
        MessageView {
            id: message_id.0,
            task_id: task_id.0,
            sender_id: sender.0,
            sender_role: participation.as_str().to_owned(),
            body: body.clone(),
            sent_at: Some(*at),
        }
    }

    fn from_row(row: MessageRow) -> MessageView {
        MessageView {
            id: Uuid::parse_str(&row.message_id).unwrap_or_default(),
            task_id: Uuid::parse_str(&row.task_id).unwrap_or_default(),
            sender_id: Uuid::parse_str(&row.sender).unwrap_or_default(),
            sender_role: row.participation,
            body: row.body,
            sent_at: micros_to_time(Some(row.sent_at_us)),
        }
    }
}

/// `task_id`'s messages, oldest first. The cursor is the position of the last message seen.
pub async fn of_task(
    pool: &AnyPool,
    task_id: TaskId,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<Page<MessageView>, QueryError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=PAGE_LIMIT_MAX).contains(&limit) {
        return Err(QueryError::Invalid(format!(
            "limit must be 1 to {PAGE_LIMIT_MAX}"
        )));
    }
    let after = match cursor {
        None => 0,
        Some(cursor) => decode_cursor(cursor)
            .and_then(|text| text.parse::<i64>().ok())
            .ok_or_else(|| QueryError::Invalid("cursor is not one this API gave".into()))?,
    };
    let sql = format!(
        "SELECT {} FROM messages_view WHERE task_id = $1 AND position > $2 \
         ORDER BY position LIMIT $3",
        MessageRow::COLUMNS.join(", ")
    );
    let rows = sqlx::query(&sql)
        .bind(task_id.to_string())
        .bind(after)
        .bind(i64::from(limit) + 1)
        .fetch_all(pool)
        .await?;
    let more = rows.len() > limit as usize;
    let mut data = Vec::with_capacity(limit as usize);
    let mut last_position = None;
    for row in rows.iter().take(limit as usize) {
        let row = MessageRow::decode(row)?;
        last_position = Some(row.position);
        data.push(MessageView::from_row(row));
    }
    let next = more
        .then(|| last_position.map(|p| encode_cursor(&p.to_string())))
        .flatten();
    Ok(Page { data, next })
}
