//! An actor's notifications from `notifications_view`, newest first, with
//! how many are unread. A notification is read when marked by id or when at
//! or before the reader's "mark all" watermark (`notification_readers`).

use super::{decode_cursor, encode_cursor, micros_to_time, QueryError, PAGE_LIMIT_MAX};
use chrono::{DateTime, Utc};
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use errand_projections::notifications::{NotificationRow, ReaderMark};
use errand_projections::{Record, ViewRow};
use serde::Serialize;
use sqlx::{AnyPool, Row};
use utoipa::ToSchema;
use uuid::Uuid;

const DEFAULT_LIMIT: u32 = 20;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: Uuid,
    /// application_received | assigned | work_submitted | submission_approved |
    /// submission_rejected | submission_disputed | task_expired | message_received |
    /// payment_received | referral_bonus
    pub kind: String,
    pub task_id: Option<Uuid>,
    pub text: String,
    pub read: bool,
    pub created_at: Option<DateTime<Utc>>,
}

/// A page of notifications and the reader's unread count (all pages).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationsPage {
    pub unread_count: i64,
    pub data: Vec<NotificationView>,
    /// The cursor of the next (older) page; null on the last.
    pub next: Option<String>,
}

/// Which notifications a page lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NotificationFilter {
    pub unread_only: bool,
}

pub(crate) async fn watermark(
    pool: &AnyPool,
    reader: ActorId,
    mode: Mode,
) -> Result<i64, QueryError> {
    let reader_id = ReaderMark::reader_id(&reader.to_string(), mode.as_str());
    let position: Option<i64> = sqlx::query_scalar(
        "SELECT read_up_to_position FROM notification_readers WHERE reader_id = $1",
    )
    .bind(reader_id)
    .fetch_optional(pool)
    .await?;
    Ok(position.unwrap_or(0))
}

/// How many of `reader`'s notifications in `mode` are unread.
pub async fn unread_count(pool: &AnyPool, reader: ActorId, mode: Mode) -> Result<i64, QueryError> {
    let watermark = watermark(pool, reader, mode).await?;
    let count = sqlx::query(
        "SELECT COUNT(*) FROM notifications_view WHERE recipient = $1 AND mode = $2 \
         AND is_read = 0 AND position > $3",
    )
    .bind(reader.to_string())
    .bind(mode.as_str())
    .bind(watermark)
    .fetch_one(pool)
    .await?
    .try_get::<i64, _>(0)?;
    Ok(count)
}

/// The position of `reader`'s newest notification in `mode` (0 without any):
/// what "mark all as read" marks up to.
pub async fn newest_position(
    pool: &AnyPool,
    reader: ActorId,
    mode: Mode,
) -> Result<i64, QueryError> {
    let newest: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(position) FROM notifications_view WHERE recipient = $1 AND mode = $2",
    )
    .bind(reader.to_string())
    .bind(mode.as_str())
    .fetch_one(pool)
    .await?;
    Ok(newest.unwrap_or(0))
}

/// `reader`'s notifications in `mode`, newest first. The cursor is the position of the last seen.
pub async fn of_reader(
    pool: &AnyPool,
    reader: ActorId,
    mode: Mode,
    filter: NotificationFilter,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<NotificationsPage, QueryError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=PAGE_LIMIT_MAX).contains(&limit) {
        return Err(QueryError::Invalid(format!(
            "limit must be 1 to {PAGE_LIMIT_MAX}"
        )));
    }
    let before = match cursor {
        None => i64::MAX,
        Some(cursor) => decode_cursor(cursor)
            .and_then(|text| text.parse::<i64>().ok())
            .ok_or_else(|| QueryError::Invalid("cursor is not one this API gave".into()))?,
    };
    let watermark = watermark(pool, reader, mode).await?;
    let columns = NotificationRow::COLUMNS.join(", ");
    let rows = if filter.unread_only {
        let sql = format!(
            "SELECT {columns} FROM notifications_view WHERE recipient = $1 AND mode = $2 \
             AND position < $3 AND is_read = 0 AND position > $4 \
             ORDER BY position DESC LIMIT $5"
        );
        sqlx::query(&sql)
            .bind(reader.to_string())
            .bind(mode.as_str())
            .bind(before)
            .bind(watermark)
            .bind(i64::from(limit) + 1)
            .fetch_all(pool)
            .await?
    } else {
        let sql = format!(
            "SELECT {columns} FROM notifications_view WHERE recipient = $1 AND mode = $2 \
             AND position < $3 ORDER BY position DESC LIMIT $4"
        );
        sqlx::query(&sql)
            .bind(reader.to_string())
            .bind(mode.as_str())
            .bind(before)
            .bind(i64::from(limit) + 1)
            .fetch_all(pool)
            .await?
    };
    let more = rows.len() > limit as usize;
    let mut data = Vec::with_capacity(limit as usize);
    let mut last_position = None;
    for row in rows.iter().take(limit as usize) {
        let row = NotificationRow::decode(row)?;
        last_position = Some(row.position);
        data.push(NotificationView {
            id: Uuid::parse_str(&row.notification_id).unwrap_or_default(),
            kind: row.kind,
            task_id: row.task_id.and_then(|id| Uuid::parse_str(&id).ok()),
            text: row.text,
            read: row.is_read == 1 || row.position <= watermark,
            created_at: micros_to_time(Some(row.created_at_us)),
        });
    }
    let next = more
        .then(|| last_position.map(|p| encode_cursor(&p.to_string())))
        .flatten();
    Ok(NotificationsPage {
        unread_count: unread_count(pool, reader, mode).await?,
        data,
        next,
    })
}
