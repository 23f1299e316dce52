//! HumanPing's webhook body, rendered at send time from the journal:
//!
//! ```json
//! {"event": "task.proof_submitted", "delivery_id": "…", "task": {…},
//!  "timestamp": "2026-01-15T14:30:00Z", "proof_id": "proof_…"}
//! ```
//!
//! `task` is `GET /tasks/:id`'s task (proofs, consensus, transactions) as
//! the command that made the event left it, read from the journal, which
//! never changes: every attempt sends the same bytes. Which
//! ledger events are sent, and to whom, is the outbox's rule
//! (`projections/src/outbox/humanping.rs`); the names are HumanPing's:
//!
//! | ledger event | HumanPing event |
//! |---|---|
//! | `WorkSubmitted`, one worker | `task.proof_submitted` |
//! | `WorkSubmitted`, several (consensus) | `task.consensus_proof` |
//! | `TaskCompleted` (the approval that paid the last slot) | `task.completed` |
//! | `SubmissionDisputed` (once per dispute) | `task.disputed` |

use chrono::{DateTime, SecondsFormat, Utc};
use errand_aggregates::ids::ActorId;
use errand_aggregates::task::{Task, TaskEvent};
use errand_aggregates::Event;
use errand_projections::outbox::DueDelivery;
use serde_json::{json, Value};

use super::format::{RenderError, Rendered};
use super::signature::{humanping_secret, Signature};
use crate::bus::CommandBus;
use crate::http::humanping::task_document;
use crate::journal::RecordedEvent;
use crate::server_secret::ServerSecret;

pub const PROOF_SUBMITTED: &str = "task.proof_submitted";
pub const CONSENSUS_PROOF: &str = "task.consensus_proof";
pub const COMPLETED: &str = "task.completed";
pub const DISPUTED: &str = "task.disputed";

/// HumanPing's name for a ledger event on `task` (as of the event).
fn event_name(event: &TaskEvent, task: &Task) -> Option<&'static str> {
    Some(match event {
        TaskEvent::WorkSubmitted { .. } if task.is_consensus() => CONSENSUS_PROOF,
        TaskEvent::WorkSubmitted { .. } => PROOF_SUBMITTED,
        TaskEvent::TaskCompleted { .. } => COMPLETED,
        TaskEvent::SubmissionDisputed { .. } => DISPUTED,
        _ => return None,
    })
}

pub(super) async fn render(
    bus: &CommandBus,
    secret: &ServerSecret,
    delivery: &DueDelivery,
    recorded: RecordedEvent,
) -> Result<Rendered, RenderError> {
    let unrenderable = |why: &str| RenderError::Unrenderable(why.to_owned());
    let Event::Task(event) = decode(&recorded)? else {
        return Err(unrenderable("HumanPing sends only task events"));
    };
    let stream = bus
        .journal()
        .read_stream(&recorded.stream_id, None)
        .await
        .map_err(|error| RenderError::Journal(error.to_string()))?;
    let history: Vec<(Event, DateTime<Utc>)> = as_the_command_left_it(&stream, &recorded)?
        .iter()
        .map(|e| decode(e).map(|event| (event, e.recorded_at)))
        .collect::<Result<_, _>>()?;
    let mut task = Task::default();
    for (event, _) in &history {
        if let Event::Task(event) = event {
            errand_aggregates::Aggregate::apply(&mut task, event);
        }
    }
    let name = event_name(&event, &task).ok_or_else(|| {
        RenderError::Unrenderable(format!(
            "HumanPing has no event for {}",
            recorded.event_type
        ))
    })?;
    let mut body = json!({
        "event": name,
        "delivery_id": delivery.delivery_id,
        "task": Value::Object(task_document(&task, &history)),
        "timestamp": recorded.recorded_at.to_rfc3339_opts(SecondsFormat::Secs, true),
    });
    match &event {
        TaskEvent::WorkSubmitted { submission_id, .. } => {
            body["proof_id"] = json!(format!("proof_{}", submission_id.0.simple()));
        }
        TaskEvent::SubmissionDisputed { reason, .. } => body["reason"] = json!(reason),
        _ => {}
    }
    let agent =
        ActorId::parse(&delivery.owner).ok_or_else(|| unrenderable("the owner is not a UUID"))?;
    Ok(Rendered {
        body: body.to_string().into_bytes(),
        signature: Signature::humanping(&humanping_secret(secret, agent), name),
    })
}

/// The stream up to `trigger` and the rest of the append that made it (the
/// events of the same command): a dispute's body shows every proof it
/// disputed and the task closed, not the task halfway through the command.
pub(super) fn as_the_command_left_it<'s>(
    stream: &'s [RecordedEvent],
    trigger: &RecordedEvent,
) -> Result<&'s [RecordedEvent], RenderError> {
    let command = causation(trigger);
    let at = stream
        .iter()
        .position(|e| e.position == trigger.position)
        .ok_or_else(|| RenderError::Unrenderable("the event is not in its stream".into()))?;
    let same_command = stream[at + 1..]
        .iter()
        .take_while(|e| command.is_some() && causation(e) == command)
        .count();
    Ok(&stream[..=at + same_command])
}

fn causation(recorded: &RecordedEvent) -> Option<String> {
    let metadata: Value = serde_json::from_str(&recorded.metadata).ok()?;
    metadata.get("causation_id")?.as_str().map(str::to_owned)
}

pub(super) fn decode(recorded: &RecordedEvent) -> Result<Event, RenderError> {
    Event::decode(&recorded.stream_id, &recorded.payload)
        .map_err(|error| RenderError::Unrenderable(format!("the event does not decode: {error}")))
}
