//! `/webhooks`: the caller's Humans2AI webhook endpoints (list, register,
//! delete). A registration is a `WebhookEndpoint` of format `humans2ai`; its
//! reply shows the endpoint's signing secret (`X-Humans2AI-Signature: v1=<hex
//! HMAC-SHA256 of the raw body>` under it), derived, never stored. The
//! endpoint is sent the events its filter names of every task its owner
//! posts, in the mode of the key that registered it (see
//! `errand_aggregates::webhook::humans2ai`). Another's endpoint is not found.
//!
//! Scopes: the seed names none for webhooks; they concern tasks, so listing
//! needs `tasks:read`, registering and deleting `tasks:write`.

use super::errors::{Humans2AiError, Humans2AiResult};
use super::extract::{Body, Caller, H2aPath, Scope};
use super::ids;
use super::views::{success, time};
use crate::bus::commands;
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::webhooks as webhook_queries;
use crate::webhooks::destination::check_url;
use crate::webhooks::signature::humans2ai_secret;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, Utc};
use errand_aggregates::ids::WebhookId;
use errand_aggregates::webhook::endpoint::HUMANS2AI_ENDPOINTS_PER_ACTOR_MAX;
use errand_aggregates::webhook::humans2ai::EVENT_NAMES;
use errand_aggregates::webhook::{
    EventFilter, WebhookCommand, WebhookEndpoint, WebhookFormat, WebhookUrl,
};
use errand_aggregates::DomainError;
use errand_projections::outbox::EndpointRow;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

/// Webhook ids here: `whk_<32 hex>`.
const ID_PREFIX: &str = "whk";

fn stream(webhook_id: WebhookId) -> String {
    format!("webhook-{webhook_id}")
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterWebhookRequest {
    /// http or https, at a public address (the SSRF guard's).
    pub url: String,
    /// Humans2AI event names (`task.completed`, …); every one when absent.
    pub events: Option<Vec<String>>,
}

fn webhook_json(
    webhook_id: Uuid,
    url: &str,
    filter: &EventFilter,
    mode: &str,
    created_at: Option<DateTime<Utc>>,
) -> Value {
    let events: Vec<&str> = match filter {
        EventFilter::All => EVENT_NAMES.to_vec(),
        EventFilter::Only(names) => names.iter().map(String::as_str).collect(),
    };
    json!({
        "id": ids::format(ID_PREFIX, webhook_id),
        "url": url,
        "events": events,
        "mode": mode,
        "active": true,
        "createdAt": created_at.map(time),
    })
}

fn row_json(row: &EndpointRow) -> Humans2AiResult<Value> {
    let internal = |error: String| Humans2AiError::Internal(anyhow::anyhow!(error));
    let filter: EventFilter = serde_json::from_str(&row.events)
        .map_err(|error| internal(format!("webhook {}: {error}", row.webhook_id)))?;
    let id = Uuid::parse_str(&row.webhook_id)
        .map_err(|error| internal(format!("webhook id {}: {error}", row.webhook_id)))?;
    Ok(webhook_json(
        id,
        &row.url,
        &filter,
        &row.mode,
        DateTime::from_timestamp_micros(row.registered_at_us),
    ))
}

/// The caller's endpoints, oldest first (at most 10, so one page).
pub async fn list_webhooks(
    State(app): State<AppState>,
    caller: Caller,
) -> Humans2AiResult<Json<Value>> {
    let principal = caller.require(Scope::TasksRead)?;
    let pool = app.read_models().await?;
    let rows = webhook_queries::endpoints_in(
        pool,
        &principal.actor_id.to_string(),
        WebhookFormat::Humans2Ai,
    )
    .await?;
    let webhooks = rows.iter().map(row_json).collect::<Result<Vec<_>, _>>()?;
    Ok(Json(success(json!({
        "webhooks": webhooks,
        "limit": HUMANS2AI_ENDPOINTS_PER_ACTOR_MAX,
    }))))
}

/// Registers an endpoint; the reply carries its secret, so, like a new
/// key's, it is not stored for idempotent replay.
pub async fn register_webhook(
    State(app): State<AppState>,
    caller: Caller,
    request: Body<RegisterWebhookRequest>,
) -> Humans2AiResult<Response> {
    let principal = caller.require(Scope::TasksWrite)?;
    let url = WebhookUrl::parse(&request.body.url)?;
    let parsed = reqwest::Url::parse(url.as_str())
        .map_err(|error| Humans2AiError::validation(format!("url does not parse: {error}")))?;
    check_url(&parsed, app.config.webhooks.allow_private_destinations)
        .map_err(Humans2AiError::validation)?;
    let events = match &request.body.events {
        Some(names) => EventFilter::Only(names.clone()),
        None => EventFilter::All,
    };
    let owned = webhook_queries::endpoint_count_in(
        app.read_models().await?,
        &principal.actor_id.to_string(),
        WebhookFormat::Humans2Ai,
    )
    .await?;
    let webhook_id = WebhookId(Uuid::now_v7());
    let mut meta = request.meta;
    meta.idempotency = None;
    let context = meta.context(principal, "RegisterWebhook", 201);
    let stream = stream(webhook_id);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        unit.start_new::<WebhookEndpoint>(&stream);
        let command = WebhookCommand::Register {
            webhook_id,
            by,
            mode: principal.mode,
            url: url.clone(),
            events: events.clone(),
            format: WebhookFormat::Humans2Ai,
            endpoints_owned: owned,
            at: Utc::now(),
        };
        unit.decide::<WebhookEndpoint>(&stream, &command).await?;
        let endpoint = unit.load::<WebhookEndpoint>(&stream).await?;
        let mut view = webhook_json(
            webhook_id.0,
            url.as_str(),
            endpoint.events.as_ref().unwrap_or(&EventFilter::All),
            endpoint.mode.as_str(),
            endpoint.registered_at,
        );
        view["secret"] = json!(humans2ai_secret(&app.secret, webhook_id));
        Ok(success(view))
    })?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

/// Deletes one of the caller's endpoints (an admin may delete anyone's):
/// nothing more is sent to it, and what was pending is cancelled.
pub async fn delete_webhook(
    State(app): State<AppState>,
    caller: Caller,
    H2aPath(id): H2aPath<String>,
    request: Body<Value>,
) -> Humans2AiResult<Response> {
    let principal = caller.require(Scope::TasksWrite)?;
    let webhook_id: WebhookId = ids::parse(&id, ID_PREFIX, "webhook")?;
    let context = request.meta.context(principal, "DeleteWebhook", 200);
    let stream = stream(webhook_id);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let endpoint = unit.load::<WebhookEndpoint>(&stream).await?;
        let visible = endpoint.format == WebhookFormat::Humans2Ai
            && (endpoint.owner == Some(principal.actor_id) || principal.is_admin());
        if !endpoint.is_live() || !visible {
            return Err(DomainError::NotFound("webhook").into());
        }
        let by = commands::caller(unit, principal.actor_id).await?;
        let command = WebhookCommand::Delete { by, at: Utc::now() };
        unit.decide::<WebhookEndpoint>(&stream, &command).await?;
        Ok(success(json!({
            "id": ids::format(ID_PREFIX, webhook_id.0),
            "deleted": true,
        })))
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}
