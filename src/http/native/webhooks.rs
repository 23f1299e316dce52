//! `/v1/webhooks`: an actor's webhook endpoints (native format, Standard
//! Webhooks signatures), their secrets, and the deliveries made to them.
//! Endpoints are private: another actor's is not found (404), unless the
//! caller is an admin deleting it.

use super::{page_limit, parse_id, Empty};
use crate::bus::commands;
use crate::http::auth::Principal;
use crate::http::errors::{ApiError, ApiResult};
use crate::http::extract::{ApiPath, ApiQuery, CommandRequest};
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::webhooks::{self as webhook_queries, DeliveryFilter, DeliveryView};
use crate::queries::{Page, PAGE_LIMIT_MAX};
use crate::webhooks::destination::check_url;
use crate::webhooks::signature::endpoint_secret;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, Utc};
use errand_aggregates::ids::WebhookId;
use errand_aggregates::webhook::{
    EventFilter, WebhookCommand, WebhookEndpoint, WebhookFormat, WebhookUrl,
};
use errand_aggregates::DomainError;
use errand_projections::outbox::EndpointRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

fn webhook_stream(webhook_id: WebhookId) -> String {
    format!("webhook-{webhook_id}")
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterWebhookRequest {
    /// http or https; sent to only at public addresses (see the SSRF guard).
    pub url: String,
    /// The event types to send, as GET /v1/events names them; omitted or
    /// null for every type the key's actor may see.
    pub event_types: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: Uuid,
    pub url: String,
    /// null: every event type.
    pub event_types: Option<Vec<String>>,
    /// native: Standard Webhooks envelope and signature.
    pub format: String,
    /// Which mode's events it is sent: the mode of the key that registered it.
    pub mode: String,
    pub created_at: Option<DateTime<Utc>>,
}

impl WebhookView {
    fn of_state(id: WebhookId, endpoint: &WebhookEndpoint) -> WebhookView {
        WebhookView {
            id: id.0,
            url: endpoint
                .url
                .as_ref()
                .map(|url| url.as_str().to_owned())
                .unwrap_or_default(),
            event_types: match &endpoint.events {
                Some(EventFilter::Only(types)) => Some(types.clone()),
                _ => None,
            },
            format: endpoint.format.as_str().to_owned(),
            mode: endpoint.mode.as_str().to_owned(),
            created_at: endpoint.registered_at,
        }
    }

    fn of_row(row: EndpointRow) -> Result<WebhookView, ApiError> {
        let filter: EventFilter = serde_json::from_str(&row.events).map_err(ApiError::internal)?;
        Ok(WebhookView {
            id: Uuid::parse_str(&row.webhook_id).map_err(ApiError::internal)?,
            url: row.url,
            event_types: match filter {
                EventFilter::Only(types) => Some(types),
                EventFilter::All => None,
            },
            format: row.format,
            mode: row.mode,
            created_at: DateTime::from_timestamp_micros(row.registered_at_us),
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredWebhook {
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// `whsec_<base64>`: verify each delivery's `webhook-signature` with it.
    /// Also at GET /v1/webhooks/{id}/secret.
    pub secret: String,
}

/// Register an endpoint. The reply carries its signing secret; like a new
/// key's, the reply is not stored for idempotent replay, so the request's
/// `Idempotency-Key` is ignored.
#[utoipa::path(post, path = "/v1/webhooks", tag = "webhooks", request_body = RegisterWebhookRequest,
    responses((status = 201, body = RegisteredWebhook),
        (status = 422, description = "A URL that is not http(s), points at a private address, or names unknown event types; or too many webhooks")),
    security(("bearer" = [])))]
pub async fn register_webhook(
    State(app): State<AppState>,
    principal: Principal,
    request: CommandRequest<RegisterWebhookRequest>,
) -> ApiResult<Response> {
    principal.require_scope("webhooks:write")?;
    let body = &request.body;
    let url = WebhookUrl::parse(&body.url)?;
    let parsed = reqwest::Url::parse(url.as_str())
        .map_err(|error| ApiError::Invalid(format!("url does not parse: {error}")))?;
    check_url(&parsed, app.config.webhooks.allow_private_destinations)
        .map_err(ApiError::Invalid)?;
    let events = match &body.event_types {
        Some(types) => EventFilter::Only(types.clone()),
        None => EventFilter::All,
    };
    let owned =
        webhook_queries::endpoint_count(app.read_models().await?, &principal.actor_id.to_string())
            .await?;
    let webhook_id = WebhookId(Uuid::now_v7());
    let mut meta = request.meta;
    meta.idempotency = None;
    let context = meta.context(&principal, "RegisterWebhook", 201);
    let stream = webhook_stream(webhook_id);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        unit.start_new::<WebhookEndpoint>(&stream);
        let command = WebhookCommand::Register {
            webhook_id,
            by,
            mode: principal.mode,
            url: url.clone(),
            events: events.clone(),
            format: WebhookFormat::Native,
            endpoints_owned: owned,
            at: Utc::now(),
        };
        unit.decide::<WebhookEndpoint>(&stream, &command).await?;
        let endpoint = unit.load::<WebhookEndpoint>(&stream).await?;
        Ok(RegisteredWebhook {
            webhook: WebhookView::of_state(webhook_id, &endpoint),
            secret: endpoint_secret(&app.secret, webhook_id),
        })
    })?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub data: Vec<WebhookView>,
}

/// The caller's own endpoints (at most 16, so one page).
#[utoipa::path(get, path = "/v1/webhooks", tag = "webhooks",
    responses((status = 200, body = WebhookList)), security(("bearer" = [])))]
pub async fn list_webhooks(
    State(app): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<WebhookList>> {
    principal.require_scope("webhooks:read")?;
    let pool = app.read_models().await?;
    let rows = webhook_queries::endpoints_of(pool, &principal.actor_id.to_string()).await?;
    let data = rows
        .into_iter()
        .map(WebhookView::of_row)
        .collect::<Result<_, _>>()?;
    Ok(Json(WebhookList { data }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeletedWebhook {
    pub id: Uuid,
    /// Always true: nothing more is sent to it, and what was pending is cancelled.
    pub deleted: bool,
}

/// Delete an endpoint: its owner's, or as an admin anyone's.
#[utoipa::path(delete, path = "/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses((status = 200, body = DeletedWebhook)), security(("bearer" = [])))]
pub async fn delete_webhook(
    State(app): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
    request: CommandRequest<Empty>,
) -> ApiResult<Response> {
    principal.require_scope("webhooks:write")?;
    let webhook_id: WebhookId = parse_id(&id, "webhook")?;
    let context = request.meta.context(&principal, "DeleteWebhook", 200);
    let stream = webhook_stream(webhook_id);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let endpoint = unit.load::<WebhookEndpoint>(&stream).await?;
        let visible = endpoint.owner == Some(principal.actor_id) || principal.is_admin();
        if !endpoint.is_live() || !visible {
            return Err(DomainError::NotFound("webhook").into());
        }
        let by = commands::caller(unit, principal.actor_id).await?;
        let command = WebhookCommand::Delete { by, at: Utc::now() };
        unit.decide::<WebhookEndpoint>(&stream, &command).await?;
        Ok(DeletedWebhook {
            id: webhook_id.0,
            deleted: true,
        })
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookSecret {
    pub id: Uuid,
    /// `whsec_<base64>`.
    pub secret: String,
}

/// An endpoint's signing secret, to its owner only.
#[utoipa::path(get, path = "/v1/webhooks/{id}/secret", tag = "webhooks",
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses((status = 200, body = WebhookSecret)), security(("bearer" = [])))]
pub async fn get_secret(
    State(app): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<WebhookSecret>> {
    principal.require_scope("webhooks:read")?;
    let webhook_id: WebhookId = parse_id(&id, "webhook")?;
    let (endpoint, _) = app
        .bus
        .load::<WebhookEndpoint>(&webhook_stream(webhook_id))
        .await?;
    // Another format's endpoint has another secret, shown where it was registered.
    if !endpoint.is_live()
        || endpoint.owner != Some(principal.actor_id)
        || endpoint.format != WebhookFormat::Native
    {
        return Err(ApiError::NotFound("webhook".into()));
    }
    Ok(Json(WebhookSecret {
        id: webhook_id.0,
        secret: endpoint_secret(&app.secret, webhook_id),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    /// Only deliveries to this webhook.
    pub webhook_id: Option<Uuid>,
    /// pending | delivered | failed | cancelled
    #[param(pattern = "^(pending|delivered|failed|cancelled)$")]
    pub status: Option<String>,
    /// The `next` of the previous page.
    #[param(min_length = 1)]
    pub cursor: Option<String>,
    /// 1 to 100; default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// Deliveries to the caller's webhooks (an admin sees everyone's), newest
/// event first, each with its attempts.
#[utoipa::path(get, path = "/v1/webhooks/deliveries", tag = "webhooks", params(DeliveriesQuery),
    responses((status = 200, body = Page<DeliveryView>)), security(("bearer" = [])))]
pub async fn list_deliveries(
    State(app): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<DeliveriesQuery>,
) -> ApiResult<Json<Page<DeliveryView>>> {
    principal.require_scope("webhooks:read")?;
    let owner = (!principal.is_admin()).then(|| principal.actor_id.to_string());
    let filter = DeliveryFilter::parse(
        owner,
        query.webhook_id,
        query.status.as_deref(),
        query.cursor.as_deref(),
        page_limit(query.limit, PAGE_LIMIT_MAX)?,
    )?;
    let pool = app.read_models().await?;
    Ok(Json(webhook_queries::deliveries(pool, &filter).await?))
}
