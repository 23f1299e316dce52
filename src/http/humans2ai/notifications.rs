//! `GET|PATCH /notifications`: what happened to the caller's tasks and work,
//! newest first with the unread count, and marking them read by ids or all.

use super::errors::{Humans2AiError, Humans2AiResult};
use super::extract::{Body, Caller, H2aQuery};
use super::ids;
use super::views::{success, time};
use crate::http::native::notifications::{mark, page, Marks, NotificationsMarked};
use crate::http::native::page_limit;
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::notifications::{NotificationFilter, NotificationView};
use crate::queries::PAGE_LIMIT_MAX;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use errand_aggregates::ids::NotificationId;
use errand_aggregates::inbox::NOTIFICATION_IDS_PER_MARK_MAX;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationsQuery {
    /// Only those not read yet.
    pub unread: Option<bool>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 100; default 20.
    pub limit: Option<i64>,
}

/// `{"ids": ["ntf_…", …]}` or `{"all": true}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkRequest {
    pub ids: Option<Vec<String>>,
    pub all: Option<bool>,
}

pub(crate) fn notification_json(notification: &NotificationView) -> Value {
    json!({
        "id": ids::format("ntf", notification.id),
        "type": notification.kind,
        "taskId": notification.task_id.map(|id| ids::format("task", id)),
        "message": notification.text,
        "read": notification.read,
        "createdAt": notification.created_at.map(time),
    })
}

pub(crate) fn marked_json(marked: &NotificationsMarked) -> Value {
    let ids: Vec<String> = marked
        .ids
        .iter()
        .map(|id| ids::format("ntf", *id))
        .collect();
    json!({ "markedIds": ids, "all": marked.all })
}

pub async fn list_notifications(
    State(app): State<AppState>,
    Caller(principal): Caller,
    H2aQuery(query): H2aQuery<NotificationsQuery>,
) -> Humans2AiResult<Json<Value>> {
    let limit = page_limit(query.limit, PAGE_LIMIT_MAX)?;
    let filter = NotificationFilter {
        unread_only: query.unread.unwrap_or(false),
    };
    let page = page(&app, &principal, filter, query.cursor.as_deref(), limit).await?;
    let notifications: Vec<Value> = page.data.iter().map(notification_json).collect();
    Ok(Json(success(json!({
        "notifications": notifications,
        "unreadCount": page.unread_count,
        "next": page.next,
    }))))
}

pub async fn mark_notifications(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<MarkRequest>,
) -> Humans2AiResult<Response> {
    let marks = match (&request.body.ids, request.body.all) {
        (Some(texts), None | Some(false)) if !texts.is_empty() => {
            if texts.len() > NOTIFICATION_IDS_PER_MARK_MAX {
                return Err(Humans2AiError::validation(format!(
                    "ids lists at most {NOTIFICATION_IDS_PER_MARK_MAX} notifications"
                )));
            }
            let ids = texts
                .iter()
                .map(|text| ids::parse::<Uuid>(text, "ntf", "notification").map(NotificationId))
                .collect::<Result<Vec<_>, _>>()?;
            Marks::Ids(ids)
        }
        (None, Some(true)) => Marks::All,
        _ => {
            return Err(Humans2AiError::validation(
                "send ids (1 to 100 notification ids) or \"all\": true",
            ))
        }
    };
    let executed = mark(&app, &principal, marks, &request.meta, |marked| {
        success(marked_json(marked))
    })
    .await?;
    Ok(respond::executed(executed, StatusCode::OK))
}
