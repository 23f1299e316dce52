//! `GET /notifications-list` (the caller's notifications, newest first, with
//! the unread count) and `POST /notifications-read` (marked read by ids).
//! The notifications are the shared `notifications_view` rows every API
//! lists, and marks go to the caller's `Inbox`: this module only shapes them.

use super::errors::{HumaiError, HumaiResult};
use super::extract::{Body, Caller, HumaiQuery};
use super::views::time;
use crate::http::native::notifications::{mark, page, Marks, NotificationsMarked};
use crate::http::native::page_limit;
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::notifications::{NotificationFilter, NotificationView};
use crate::queries::PAGE_LIMIT_MAX;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use errand_aggregates::ids::NotificationId;
use errand_aggregates::inbox::NOTIFICATION_IDS_PER_MARK_MAX;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications-list", get(list))
        .route("/notifications-read", post(read))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only those not read yet.
    pub unread: Option<bool>,
    /// 1 to 100; default 20.
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadRequest {
    pub notification_ids: Vec<String>,
}

/// One notification in the seed's shape: what it is about goes in `payload`.
fn notification_json(notification: &NotificationView) -> Value {
    json!({
        "id": notification.id,
        "type": notification.kind,
        "payload": {
            "channel_id": notification.task_id,
            "message": notification.text,
        },
        "read": notification.read,
        "created_at": notification.created_at.map(time),
    })
}

fn marked_json(marked: &NotificationsMarked) -> Value {
    json!({ "notification_ids": marked.ids, "read": true })
}

async fn list(
    State(app): State<AppState>,
    Caller(principal): Caller,
    HumaiQuery(query): HumaiQuery<ListQuery>,
) -> HumaiResult<Json<Value>> {
    let limit = page_limit(query.limit, PAGE_LIMIT_MAX)?;
    let filter = NotificationFilter {
        unread_only: query.unread.unwrap_or(false),
    };
    let page = page(&app, &principal, filter, query.cursor.as_deref(), limit).await?;
    let notifications: Vec<Value> = page.data.iter().map(notification_json).collect();
    Ok(Json(json!({
        "notifications": notifications,
        "unread_count": page.unread_count,
        "next": page.next,
    })))
}

async fn read(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<ReadRequest>,
) -> HumaiResult<Response> {
    let texts = &request.body.notification_ids;
    if texts.is_empty() || texts.len() > NOTIFICATION_IDS_PER_MARK_MAX {
        return Err(HumaiError::validation(format!(
            "notification_ids lists 1 to {NOTIFICATION_IDS_PER_MARK_MAX} notifications"
        )));
    }
    let ids = texts
        .iter()
        .map(|text| {
            Uuid::parse_str(text.trim())
                .map(NotificationId)
                .map_err(|_| HumaiError::validation("notification_ids must be UUIDs"))
        })
        .collect::<HumaiResult<Vec<_>>>()?;
    let executed = mark(
        &app,
        &principal,
        Marks::Ids(ids),
        &request.meta,
        marked_json,
    )
    .await?;
    Ok(respond::executed(executed, StatusCode::OK))
}
