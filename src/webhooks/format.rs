//! What a delivery's body is, per endpoint format, rendered from the journal
//! when it is sent: the event at the delivery's position (and, for formats
//! that describe a task, the task folded up to that position). The journal
//! never changes, so every attempt of a delivery sends the same bytes.
//!
//! Adding a format: a variant of `errand_aggregates::webhook::WebhookFormat`,
//! an arm in [`render`] building its body, and its [`Signature`]. A dialect
//! that sends only some events names them in its endpoints' filter (and maps
//! them here); an event a format has no rendering for fails its delivery.

use chrono::{DateTime, Utc};
use errand_aggregates::ids::{ActorId, TaskId, WebhookId};
use errand_aggregates::task::Task;
use errand_aggregates::webhook::WebhookFormat;
use errand_projections::outbox::DueDelivery;
use serde_json::json;

use super::signature::{endpoint_secret, humanping_secret, Signature};
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

/// HumanPing's names for the task events it sends. The HumanPing dialect
/// owns this mapping: extend it there (`task.consensus_proof` is its to name).
pub const HUMANPING_EVENTS: &[(&str, &str)] = &[
    ("WorkSubmitted", "task.proof_submitted"),
    ("TaskCompleted", "task.completed"),
    ("SubmissionDisputed", "task.disputed"),
];

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
        WebhookFormat::HumanPing => {
            let event = HUMANPING_EVENTS
                .iter()
                .find(|(native, _)| *native == recorded.event_type)
                .map(|(_, name)| *name)
                .ok_or_else(|| {
                    RenderError::Unrenderable(format!(
                        "the humanping format has no event for {}",
                        recorded.event_type
                    ))
                })?;
            let task_id = recorded
                .stream_id
                .strip_prefix("task-")
                .and_then(TaskId::parse)
                .ok_or_else(|| RenderError::Unrenderable("not a task's event".into()))?;
            let (task, _) = bus
                .fold::<Task>(&recorded.stream_id, Some(recorded.position))
                .await
                .map_err(|error| RenderError::Journal(error.to_string()))?;
            let body = json!({
                "event": event,
                "task": humanping_task(task_id, &task),
                "timestamp": recorded.recorded_at,
            });
            let agent = ActorId::parse(&delivery.owner)
                .ok_or_else(|| RenderError::Unrenderable("the owner is not a UUID".into()))?;
            Ok(Rendered {
                body: body.to_string().into_bytes(),
                signature: Signature::humanping(&humanping_secret(secret, agent), event),
            })
        }
    }
}

/// The task as of the event. The HumanPing dialect replaces this with its
/// own task shape when it wires its webhooks.
fn humanping_task(task_id: TaskId, task: &Task) -> serde_json::Value {
    json!({
        "id": task_id,
        "title": task.title,
        "status": task.status,
        "budget_cents": task.reward_cents(),
        "updated_at": task.updated_at.map(|at: DateTime<Utc>| at.to_rfc3339()),
    })
}
