//! `/v1/notifications`: what concerns the caller (applications, assignments,
//! submissions and their reviews, expiries, messages, money received), newest
//! first with the unread count, and marking them read by ids or all at once.
//! Any key of the actor reads its own notifications: no scope names them.

use super::page_limit;
use crate::bus::commands;
use crate::http::auth::Principal;
use crate::http::errors::{ApiError, ApiResult};
use crate::http::extract::{ApiQuery, CommandRequest};
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::notifications::NotificationsPage;
use crate::queries::notifications::{self as notification_queries, NotificationFilter};
use crate::queries::PAGE_LIMIT_MAX;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::Utc;
use errand_aggregates::ids::NotificationId;
use errand_aggregates::inbox::{InboxCommand, NOTIFICATION_IDS_PER_MARK_MAX};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NotificationsQuery {
    /// Only those not read yet.
    pub unread: Option<bool>,
    /// The `next` of the previous page.
    #[param(min_length = 1)]
    pub cursor: Option<String>,
    /// 1 to 100; default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// Either `ids` (1 to 100 of the caller's notifications; others' ids change
/// nothing) or `"all": true` (everything listed so far).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkNotificationsRequest {
    pub ids: Option<Vec<Uuid>>,
    pub all: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationsMarked {
    /// The ids recorded as read (with `all`: none listed).
    pub ids: Vec<Uuid>,
    /// Whether everything up to `up_to_position` was marked.
    pub all: bool,
    /// With `all`: the journal position of the newest notification marked.
    pub up_to_position: Option<i64>,
}

/// The caller's notifications, newest first, and how many are unread.
#[utoipa::path(get, path = "/v1/notifications", tag = "notifications", params(NotificationsQuery),
    responses((status = 200, body = NotificationsPage)), security(("bearer" = [])))]
pub async fn list_notifications(
    State(app): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<NotificationsQuery>,
) -> ApiResult<Json<NotificationsPage>> {
    let limit = page_limit(query.limit, PAGE_LIMIT_MAX)?;
    let filter = NotificationFilter {
        unread_only: query.unread.unwrap_or(false),
    };
    let pool = app.read_models().await?;
    Ok(Json(
        notification_queries::of_reader(
            pool,
            principal.actor_id,
            principal.mode,
            filter,
            query.cursor.as_deref(),
            limit,
        )
        .await?,
    ))
}

/// Mark notifications read: by `ids`, or `"all": true`.
#[utoipa::path(patch, path = "/v1/notifications", tag = "notifications",
    request_body = MarkNotificationsRequest,
    responses((status = 200, body = NotificationsMarked),
              (status = 422, description = "Neither or both of ids and all; more than 100 ids")),
    security(("bearer" = [])))]
pub async fn mark_notifications(
    State(app): State<AppState>,
    principal: Principal,
    request: CommandRequest<MarkNotificationsRequest>,
) -> ApiResult<Response> {
    let (reader, mode, at) = (principal.actor_id, principal.mode, Utc::now());
    let command = match (&request.body.ids, request.body.all) {
        (Some(ids), None | Some(false)) => InboxCommand::MarkRead {
            reader,
            mode,
            ids: ids.iter().copied().map(NotificationId).collect(),
            at,
        },
        (None, Some(true)) => {
            let pool = app.read_models().await?;
            let up_to_position = notification_queries::newest_position(pool, reader, mode).await?;
            InboxCommand::MarkAllRead {
                reader,
                mode,
                up_to_position,
                at,
            }
        }
        _ => {
            return Err(ApiError::Invalid(format!(
                "send either ids (1 to {NOTIFICATION_IDS_PER_MARK_MAX}) or \"all\": true"
            )))
        }
    };
    let reply = match &command {
        InboxCommand::MarkRead { ids, .. } => {
            let mut ids: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
            ids.sort();
            ids.dedup();
            NotificationsMarked {
                ids,
                all: false,
                up_to_position: None,
            }
        }
        InboxCommand::MarkAllRead { up_to_position, .. } => NotificationsMarked {
            ids: Vec::new(),
            all: true,
            up_to_position: Some(*up_to_position),
        },
    };
    let context = request
        .meta
        .context(&principal, "MarkNotificationsRead", 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        commands::mark_notifications_read(unit, command.clone()).await?;
        Ok(NotificationsMarked {
            ids: reply.ids.clone(),
            all: reply.all,
            up_to_position: reply.up_to_position,
        })
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}
