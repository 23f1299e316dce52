//! `/v1/notifications`: what concerns the caller (applications, assignments,
//! submissions and their reviews, expiries, messages, money received), newest
//! first with the unread count, and marking them read by ids or all at once.
//! Any key of the actor reads its own notifications: no scope names them.

use super::page_limit;
use crate::bus::{commands, Executed};
use crate::http::auth::Principal;
use crate::http::errors::{ApiError, ApiResult};
use crate::http::extract::{ApiQuery, CommandMeta, CommandRequest};
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

#[derive(Debug, Clone, Serialize, ToSchema)]
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
    Ok(Json(
        page(&app, &principal, filter, query.cursor.as_deref(), limit).await?,
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
    let marks = match (&request.body.ids, request.body.all) {
        (Some(ids), None | Some(false)) => {
            Marks::Ids(ids.iter().copied().map(NotificationId).collect())
        }
        (None, Some(true)) => Marks::All,
        _ => {
            return Err(ApiError::Invalid(format!(
                "send either ids (1 to {NOTIFICATION_IDS_PER_MARK_MAX}) or \"all\": true"
            )))
        }
    };
    let executed = mark(&app, &principal, marks, &request.meta, Clone::clone).await?;
    Ok(respond::executed(executed, StatusCode::OK))
}

// What other dialects (Humans2AI's `/notifications`) call.

/// Which notifications to mark read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Marks {
    /// These (others' ids change nothing).
    Ids(Vec<NotificationId>),
    /// Everything the principal has been notified of so far.
    All,
}

/// A page of the principal's notifications (in its mode), newest first, and the unread count.
pub(crate) async fn page(
    app: &AppState,
    principal: &Principal,
    filter: NotificationFilter,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> ApiResult<NotificationsPage> {
    let pool = app.read_models().await?;
    Ok(notification_queries::of_reader(
        pool,
        principal.actor_id,
        principal.mode,
        filter,
        cursor,
        limit,
    )
    .await?)
}

/// Records the principal's marks in its inbox; the reply is `render`ed in the calling
/// API's shape, so an idempotent replay answers in that shape too.
pub(crate) async fn mark<R>(
    app: &AppState,
    principal: &Principal,
    marks: Marks,
    meta: &CommandMeta,
    render: impl Fn(&NotificationsMarked) -> R,
) -> ApiResult<Executed<R>>
where
    R: Serialize + Clone + Send,
{
    let (reader, mode, at) = (principal.actor_id, principal.mode, Utc::now());
    let (command, reply) = match marks {
        Marks::Ids(ids) => {
            let mut marked: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
            marked.sort();
            marked.dedup();
            let command = InboxCommand::MarkRead {
                reader,
                mode,
                ids,
                at,
            };
            let reply = NotificationsMarked {
                ids: marked,
                all: false,
                up_to_position: None,
            };
            (command, reply)
        }
        Marks::All => {
            let pool = app.read_models().await?;
            let up_to_position = notification_queries::newest_position(pool, reader, mode).await?;
            let command = InboxCommand::MarkAllRead {
                reader,
                mode,
                up_to_position,
                at,
            };
            let reply = NotificationsMarked {
                ids: Vec::new(),
                all: true,
                up_to_position: Some(up_to_position),
            };
            (command, reply)
        }
    };
    let context = meta.context(principal, "MarkNotificationsRead", 200);
    let reply = render(&reply);
    let executed = crate::execute!(app.bus, &context, |unit| {
        commands::mark_notifications_read(unit, command.clone()).await?;
        Ok(reply.clone())
    })?;
    Ok(executed)
}
