//! What a delivery's body is, per endpoint format, rendered from the journal
//! when it is sent: the event at the delivery's position (and, for formats
//! that describe a task, the task folded up to that position). The journal
//! never changes, so every attempt of a delivery sends the same bytes.
//!
//! Adding a format: a variant of `errand_aggregates::webhook::WebhookFormat`,
//! an arm in [`render`] building its body (HumanPing's is in `humanping.rs`,
//! Humans2AI's in `humans2ai.rs`),
//! and its [`Signature`]. An event a format has no rendering for fails its
//! delivery.

use errand_aggregates::ids::WebhookId;
use errand_aggregates::webhook::WebhookFormat;
use errand_projections::outbox::DueDelivery;
use serde_json::json;

use super::signature::{endpoint_secret, Signature};
use crate::bus::CommandBus;
use crate::http::native::EventView;
use crate::server_secret::ServerSecret;

/// A body ready to send, and how to sign it.
pub struct Rendered {
    pub body: Vec<u8>,
    pub signature: Signature,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Sending it again would not help: the format cannot express the event.
    #[error("{0}")]
    Unrenderable(String),
    /// Reading the journal failed; a later attempt may succeed.
    #[error("reading the journal: {0}")]
    Journal(String),
}

pub async fn render(
    bus: &CommandBus,
    secret: &ServerSecret,
    delivery: &DueDelivery,
) -> Result<Rendered, RenderError> {
    let format = WebhookFormat::parse(&delivery.format).ok_or_else(|| {
        RenderError::Unrenderable(format!("unknown webhook format {:?}", delivery.format))
    })?;
    let webhook_id = WebhookId::parse(&delivery.webhook_id)
        .ok_or_else(|| RenderError::Unrenderable("the webhook id is not a UUID".into()))?;
    let recorded = bus
        .journal()
        .read_all(delivery.position - 1, 1)
        .await
        .map_err(|error| RenderError::Journal(error.to_string()))?
        .into_iter()
        .find(|event| event.position == delivery.position)
        .ok_or_else(|| {
            RenderError::Unrenderable(format!("no event at position {}", delivery.position))
        })?;
    match format {
        WebhookFormat::Native => {
            let envelope = json!({
                "type": recorded.event_type,
                "timestamp": recorded.recorded_at,
                "data": EventView::from(recorded),
            });
            let signature = Signature::standard(&endpoint_secret(secret, webhook_id))
                .map_err(|error| RenderError::Unrenderable(error.to_string()))?;
            Ok(Rendered {
                body: envelope.to_string().into_bytes(),
                signature,
            })
        }
        WebhookFormat::HumanPing => super::humanping::render(bus, secret, delivery, recorded).await,
        WebhookFormat::Humans2Ai => {
            super::humans2ai::render(bus, secret, webhook_id, recorded).await
        }
        WebhookFormat::Humai => super::humai::render(bus, secret, webhook_id, recorded).await,
    }
}
