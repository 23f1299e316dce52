//! Humai's webhook body, rendered at send time from the journal:
//!
//! ```json
//! {"event": "bid.received", "webhook_id": "…", "timestamp": "2026-03-25T14:00:00Z",
//!  "data": {"bid_id": "…", "details": {…the ledger event…}}}
//! ```
//!
//! `data` names the subject (`transaction_id`, `bid_id`, or for
//! `reputation.updated` the reviewed `actor_id`) and carries the
//! ledger event it is (`details`, the journal's versioned form, money in
//! cents). A sample asked for through `/webhooks-test` is the same envelope
//! with `"test": true` and `data.sample: true`. Signed `X-Humai-Signature:
//! sha256=<hex HMAC-SHA256 of the raw body>` under the endpoint's secret
//! (the client's own, as sent to `webhooks-register`; else the one the
//! registration replied with), with `X-Humai-Event` and `X-Humai-Delivery`
//! (the same on every attempt).

use chrono::SecondsFormat;
use errand_aggregates::ids::WebhookId;
use errand_aggregates::webhook::humai::{trigger, Subject};
use errand_aggregates::webhook::{WebhookEndpoint, WebhookEvent};
use errand_aggregates::Event;
use serde_json::{json, Value};

use super::format::{RenderError, Rendered};
use super::humanping::decode;
use super::sealed_secret;
use super::signature::{humai_secret, Signature};
use crate::bus::CommandBus;
use crate::journal::RecordedEvent;
use crate::server_secret::ServerSecret;

pub(super) async fn render(
    bus: &CommandBus,
    secret: &ServerSecret,
    webhook_id: WebhookId,
    recorded: RecordedEvent,
) -> Result<Rendered, RenderError> {
    let event = decode(&recorded)?;
    let timestamp = recorded
        .recorded_at
        .to_rfc3339_opts(SecondsFormat::Secs, true);
    let (name, body) = match &event {
        Event::Webhook(WebhookEvent::WebhookTestRequested { event_name, .. }) => {
            let body = json!({
                "event": event_name,
                "test": true,
                "webhook_id": webhook_id.0,
                "timestamp": timestamp,
                "data": { "sample": true },
            });
            (event_name.clone(), body)
        }
        _ => {
            let trigger = trigger(&recorded.stream_id, &event).ok_or_else(|| {
                RenderError::Unrenderable(format!("Humai has no event for {}", recorded.event_type))
            })?;
            let details: Value = serde_json::from_str(&recorded.payload).map_err(|error| {
                RenderError::Unrenderable(format!("the event is not JSON: {error}"))
            })?;
            let data = match trigger.subject {
                Subject::Contract(id) => json!({ "transaction_id": id.0, "details": details }),
                Subject::Bid(id) => json!({ "bid_id": id.0, "details": details }),
                Subject::Reputation { actor, .. } => {
                    json!({ "actor_id": actor.0, "details": details })
                }
            };
            let body = json!({
                "event": trigger.name,
                "webhook_id": webhook_id.0,
                "timestamp": timestamp,
                "data": data,
            });
            (trigger.name.to_owned(), body)
        }
    };
    Ok(Rendered {
        body: body.to_string().into_bytes(),
        signature: Signature::humai(&signing_secret(bus, secret, webhook_id).await?, &name),
    })
}

/// The secret deliveries are signed with now: the client's own if it set one
/// (the latest), else the server's for this endpoint.
async fn signing_secret(
    bus: &CommandBus,
    secret: &ServerSecret,
    webhook_id: WebhookId,
) -> Result<String, RenderError> {
    let (endpoint, _) = bus
        .load_fresh::<WebhookEndpoint>(&format!("webhook-{webhook_id}"))
        .await
        .map_err(|error| RenderError::Journal(error.to_string()))?;
    match &endpoint.sealed_secret {
        Some(sealed) => sealed_secret::open(secret, webhook_id, sealed)
            .map_err(|error| RenderError::Unrenderable(error.to_string())),
        None => Ok(humai_secret(secret, webhook_id)),
    }
}
