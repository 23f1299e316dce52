//! `POST /webhooks-register`, `POST /webhooks-manage` (update or delete) and
//! `POST /webhooks-test` (a sample delivery). A registration is a
//! `WebhookEndpoint` of format `humai` on the shared dispatcher (signed,
//! retried with back-off like every delivery); its filter names Humai's
//! events (`errand_aggregates::webhook::humai`: which ledger event each is,
//! and who hears it). Another actor's endpoint is not found.
//!
//! Deliveries are signed with the `secret` the client sent (at registration,
//! or later through `webhooks-manage`), kept sealed (`webhooks::sealed_secret`:
//! the journal holds only ciphertext). Without one, the server derives a
//! secret for the endpoint and the registration's reply shows it.

use super::errors::{HumaiError, HumaiResult};
use super::extract::{Body, Caller};
use super::views::time;
use crate::bus::commands;
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::webhooks as webhook_queries;
use crate::webhooks::destination::check_url;
use crate::webhooks::sealed_secret;
use crate::webhooks::signature::humai_secret;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use chrono::Utc;
use errand_aggregates::ids::WebhookId;
use errand_aggregates::webhook::{
    EventFilter, WebhookCommand, WebhookEndpoint, WebhookFormat, WebhookUrl,
};
use errand_aggregates::DomainError;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/webhooks-register", post(register))
        .route("/webhooks-manage", post(manage))
        .route("/webhooks-test", post(test))
}

/// A client's secret longer than this is no secret anyone types or stores.
const SECRET_MAX_CHARS: usize = 256;

fn stream(webhook_id: WebhookId) -> String {
    format!("webhook-{webhook_id}")
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// http or https at a public address (the SSRF guard's).
    pub url: String,
    /// Humai event names, at least one.
    pub events: Vec<String>,
    /// The client's own signing secret (see the module's note).
    pub secret: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManageRequest {
    pub webhook_id: String,
    /// `update` or `delete`.
    pub action: String,
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    /// A new signing secret of the client's own.
    pub secret: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestRequest {
    pub webhook_id: String,
    /// A Humai event name; `transaction.created` when absent.
    pub event_type: Option<String>,
}

fn webhook_id(text: &str) -> HumaiResult<WebhookId> {
    WebhookId::parse(text.trim()).ok_or_else(|| HumaiError::validation("webhook_id must be a UUID"))
}

/// A URL the dispatcher will send to.
fn destination(app: &AppState, text: &str) -> HumaiResult<WebhookUrl> {
    let url = WebhookUrl::parse(text)?;
    let parsed = reqwest::Url::parse(url.as_str())
        .map_err(|error| HumaiError::validation(format!("url does not parse: {error}")))?;
    check_url(&parsed, app.config.webhooks.allow_private_destinations)
        .map_err(HumaiError::validation)?;
    Ok(url)
}

/// A client's signing secret as sent: 1 to 256 characters, not all blank.
fn client_secret(secret: Option<&str>) -> HumaiResult<Option<&str>> {
    match secret {
        Some(text) if text.trim().is_empty() || text.chars().count() > SECRET_MAX_CHARS => {
            Err(HumaiError::validation(format!(
                "secret, when sent, is 1 to {SECRET_MAX_CHARS} characters"
            )))
        }
        secret => Ok(secret),
    }
}

fn events(names: &[String]) -> HumaiResult<EventFilter> {
    if names.is_empty() {
        return Err(HumaiError::validation(
            "events must list at least one event type",
        ));
    }
    Ok(EventFilter::Only(names.to_vec()))
}

fn webhook_json(id: WebhookId, endpoint: &WebhookEndpoint) -> Value {
    let events: Vec<&str> = match endpoint.events.as_ref().unwrap_or(&EventFilter::All) {
        EventFilter::All => WebhookFormat::Humai.event_names().to_vec(),
        EventFilter::Only(names) => names.iter().map(String::as_str).collect(),
    };
    json!({
        "webhook_id": id.0,
        "url": endpoint.url.as_ref().map(WebhookUrl::as_str),
        "events": events,
        "created_at": endpoint.registered_at.map(time),
    })
}

/// The caller's live Humai endpoint (an admin may manage anyone's); any other is not found.
fn visible(endpoint: &WebhookEndpoint, principal: &crate::http::auth::Principal) -> bool {
    endpoint.is_live()
        && endpoint.format == WebhookFormat::Humai
        && (endpoint.owner == Some(principal.actor_id) || principal.is_admin())
}

/// Registers an endpoint; the reply carries its secret, so, like a new
/// key's, it is not stored for idempotent replay.
async fn register(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<RegisterRequest>,
) -> HumaiResult<Response> {
    let url = destination(&app, &request.body.url)?;
    let events = events(&request.body.events)?;
    let client_secret = client_secret(request.body.secret.as_deref())?;
    let owned = webhook_queries::endpoint_count_in(
        app.read_models().await?,
        &principal.actor_id.to_string(),
        WebhookFormat::Humai,
    )
    .await?;
    let webhook_id = WebhookId(Uuid::now_v7());
    let sealed = client_secret.map(|secret| sealed_secret::seal(&app.secret, webhook_id, secret));
    let mut meta = request.meta;
    meta.idempotency = None;
    let context = meta.context(&principal, "RegisterWebhook", 201);
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
            format: WebhookFormat::Humai,
            endpoints_owned: owned,
            at: Utc::now(),
        };
        unit.decide::<WebhookEndpoint>(&stream, &command).await?;
        if let Some(sealed) = sealed.clone() {
            let command = WebhookCommand::SetSigningSecret {
                by,
                sealed,
                at: Utc::now(),
            };
            unit.decide::<WebhookEndpoint>(&stream, &command).await?;
        }
        let endpoint = unit.load::<WebhookEndpoint>(&stream).await?;
        let mut view = webhook_json(webhook_id, &endpoint);
        // A client that sent its secret has it; otherwise this is the only showing.
        if sealed.is_none() {
            view["secret"] = json!(humai_secret(&app.secret, webhook_id));
        }
        Ok(view)
    })?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

async fn manage(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<ManageRequest>,
) -> HumaiResult<Response> {
    let body = &request.body;
    let webhook_id = webhook_id(&body.webhook_id)?;
    let at = Utc::now();
    let change = match body.action.as_str() {
        "delete" => {
            if body.url.is_some() || body.events.is_some() || body.secret.is_some() {
                return Err(HumaiError::validation("delete takes only webhook_id"));
            }
            None
        }
        "update" => {
            let url = body
                .url
                .as_deref()
                .map(|text| destination(&app, text))
                .transpose()?;
            let events = body.events.as_deref().map(events).transpose()?;
            let sealed = client_secret(body.secret.as_deref())?
                .map(|secret| sealed_secret::seal(&app.secret, webhook_id, secret));
            if url.is_none() && events.is_none() && sealed.is_none() {
                return Err(HumaiError::validation(
                    "update takes a url, events or a secret to change",
                ));
            }
            Some((url, events, sealed))
        }
        _ => {
            return Err(HumaiError::validation(
                "action must be \"update\" or \"delete\"",
            ))
        }
    };
    let context = request.meta.context(&principal, "ManageWebhook", 200);
    let stream = stream(webhook_id);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let endpoint = unit.load::<WebhookEndpoint>(&stream).await?;
        if !visible(&endpoint, &principal) {
            return Err(DomainError::NotFound("webhook").into());
        }
        let by = commands::caller(unit, principal.actor_id).await?;
        let Some((url, events, sealed)) = change.clone() else {
            let command = WebhookCommand::Delete { by, at };
            unit.decide::<WebhookEndpoint>(&stream, &command).await?;
            return Ok(json!({ "webhook_id": webhook_id.0, "deleted": true }));
        };
        if url.is_some() || events.is_some() {
            let command = WebhookCommand::Update {
                by,
                url,
                events,
                at,
            };
            unit.decide::<WebhookEndpoint>(&stream, &command).await?;
        }
        if let Some(sealed) = sealed {
            let command = WebhookCommand::SetSigningSecret { by, sealed, at };
            unit.decide::<WebhookEndpoint>(&stream, &command).await?;
        }
        let endpoint = unit.load::<WebhookEndpoint>(&stream).await?;
        Ok(webhook_json(webhook_id, &endpoint))
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}

/// Asks for a sample delivery; the dispatcher sends it like any other.
async fn test(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<TestRequest>,
) -> HumaiResult<Response> {
    let webhook_id = webhook_id(&request.body.webhook_id)?;
    let event_name = request
        .body
        .event_type
        .clone()
        .unwrap_or_else(|| "transaction.created".to_owned());
    let context = request.meta.context(&principal, "TestWebhook", 202);
    let stream = stream(webhook_id);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let endpoint = unit.load::<WebhookEndpoint>(&stream).await?;
        if !visible(&endpoint, &principal) {
            return Err(DomainError::NotFound("webhook").into());
        }
        let by = commands::caller(unit, principal.actor_id).await?;
        let command = WebhookCommand::Test {
            by,
            event_name: event_name.clone(),
            at: Utc::now(),
        };
        unit.decide::<WebhookEndpoint>(&stream, &command).await?;
        Ok(json!({
            "webhook_id": webhook_id.0,
            "event_type": event_name,
            "status": "queued",
        }))
    })?;
    Ok(respond::executed(executed, StatusCode::ACCEPTED))
}
