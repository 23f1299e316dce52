//! Humans2AI's webhook body, rendered at send time from the journal, in its
//! documented envelope:
//!
//! ```json
//! {"event": "task.completed", "timestamp": "2026-03-04T16:00:00Z",
//!  "taskId": "task_…", "data": {"taskTitle": "…", "humanDisplayId": "user_…",
//!  "completedAt": "2026-03-04T16:00:00Z", "payout": 142.5, "platformFee": 7.5}}
//! ```
//!
//! `timestamp` is the event's time (receivers refuse events older than 5
//! minutes; every attempt of the policy falls well within). `data` per event:
//!
//! | event | data |
//! |---|---|
//! | `task.human_accepted` | taskTitle, humanDisplayId, acceptedAt |
//! | `task.submitted` | taskTitle, humanDisplayId, submittedAt |
//! | `task.completed` | taskTitle, humanDisplayId (the last human paid), completedAt, payout and platformFee (dollars, every slot paid) |
//! | `task.expired` | taskTitle, expiredAt |
//! | `task.disputed` | taskTitle, humanDisplayId, reason, disputedAt |
//! | `message.received` | taskTitle, senderDisplayId, message, sentAt |
//!
//! Which ledger event is which, and who is sent it, is the domain's
//! (`errand_aggregates::webhook::humans2ai`) and the outbox's rule.

use chrono::{DateTime, SecondsFormat, Utc};
use errand_aggregates::ids::{ActorId, TaskId, WebhookId};
use errand_aggregates::money::Money;
use errand_aggregates::task::{Task, TaskEvent};
use errand_aggregates::webhook::humans2ai::{trigger, Humans2AiEvent, Trigger};
use errand_aggregates::Event;
use serde_json::{json, Map, Value};

use super::format::{RenderError, Rendered};
use super::humanping::{as_the_command_left_it, decode};
use super::signature::{humans2ai_secret, Signature};
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
    let trigger = trigger(&recorded.stream_id, &event).ok_or_else(|| {
        RenderError::Unrenderable(format!(
            "Humans2AI has no event for {}",
            recorded.event_type
        ))
    })?;
    let task_stream = format!("task-{}", trigger.task);
    let stream = bus
        .journal()
        .read_stream(&task_stream, None)
        .await
        .map_err(|error| RenderError::Journal(error.to_string()))?;
    // The task as the triggering command left it; a message (on a stream of
    // its own) sees the task as it stood when the message was sent.
    let history: Vec<Event> = if recorded.stream_id == task_stream {
        as_the_command_left_it(&stream, &recorded)?
    } else {
        &stream[..stream.partition_point(|e| e.position < recorded.position)]
    }
    .iter()
    .map(decode)
    .collect::<Result<_, _>>()?;
    let body = envelope(&trigger, &history);
    Ok(Rendered {
        body: body.to_string().into_bytes(),
        signature: Signature::humans2ai(&humans2ai_secret(secret, webhook_id)),
    })
}

/// The body for `trigger`, given its task's events up to it.
fn envelope(trigger: &Trigger<'_>, history: &[Event]) -> Value {
    let mut task = Task::default();
    for event in history {
        if let Event::Task(event) = event {
            errand_aggregates::Aggregate::apply(&mut task, event);
        }
    }
    let mut data = Map::new();
    data.insert("taskTitle".into(), json!(task.title));
    let at = json!(time(trigger.at));
    let human = trigger.counterpart.map(display_id);
    match trigger.event {
        Humans2AiEvent::HumanAccepted => {
            data.insert("humanDisplayId".into(), json!(human));
            data.insert("acceptedAt".into(), at);
        }
        Humans2AiEvent::Submitted => {
            data.insert("humanDisplayId".into(), json!(human));
            data.insert("submittedAt".into(), at);
        }
        Humans2AiEvent::Completed => {
            let paid = Paid::of(history);
            data.insert(
                "humanDisplayId".into(),
                json!(paid.last_paid.map(display_id)),
            );
            data.insert("completedAt".into(), at);
            data.insert("payout".into(), dollars(paid.payout_cents));
            data.insert("platformFee".into(), dollars(paid.fee_cents));
        }
        Humans2AiEvent::Expired => {
            data.insert("expiredAt".into(), at);
        }
        Humans2AiEvent::Disputed => {
            data.insert("humanDisplayId".into(), json!(human));
            data.insert("reason".into(), json!(trigger.text));
            data.insert("disputedAt".into(), at);
        }
        Humans2AiEvent::MessageReceived => {
            data.insert("senderDisplayId".into(), json!(human));
            data.insert("message".into(), json!(trigger.text));
            data.insert("sentAt".into(), at);
        }
    }
    json!({
        "event": trigger.event.name(),
        "timestamp": time(trigger.at),
        "taskId": task_id(trigger.task),
        "data": data,
    })
}

/// What a task's approvals paid: the workers' share and the platform's, in
/// cents, and who was paid last.
#[derive(Default)]
struct Paid {
    payout_cents: i64,
    fee_cents: i64,
    last_paid: Option<ActorId>,
}

impl Paid {
    fn of(history: &[Event]) -> Paid {
        let mut paid = Paid::default();
        for event in history {
            if let Event::Task(TaskEvent::SubmissionApproved {
                worker,
                fee,
                payout,
                ..
            }) = event
            {
                paid.payout_cents = paid.payout_cents.saturating_add(payout.cents);
                paid.fee_cents = paid.fee_cents.saturating_add(fee.cents);
                paid.last_paid = Some(*worker);
            }
        }
        paid
    }
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Dollars as a JSON number, as Humans2AI shows money (142.5): the exact
/// decimal of the cents, written as a number.
fn dollars(cents: i64) -> Value {
    let text = Money::usd(cents).to_major().normalize().to_string();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn task_id(task: TaskId) -> String {
    format!("task_{}", task.0.simple())
}

fn display_id(actor: ActorId) -> String {
    format!("user_{}", actor.0.simple())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use errand_aggregates::ids::{SettlementId, SubmissionId};
    use uuid::Uuid;

    const TASK: TaskId = TaskId(Uuid::from_u128(0xa1b2c3d4));
    const HUMAN: ActorId = ActorId(Uuid::from_u128(0x28f3a1));

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 4, 16, 0, 0).unwrap()
    }

    fn approved(payout_cents: i64, fee_cents: i64) -> Event {
        Event::Task(TaskEvent::SubmissionApproved {
            submission_id: SubmissionId(Uuid::from_u128(9)),
            worker: HUMAN,
            settlement_id: SettlementId(Uuid::from_u128(10)),
            gross: Money::usd(payout_cents + fee_cents),
            fee: Money::usd(fee_cents),
            payout: Money::usd(payout_cents),
            auto: false,
            at: at(),
        })
    }

    #[test]
    fn a_completion_reads_as_the_documentation_shows_it() {
        let completed = Event::Task(TaskEvent::TaskCompleted { at: at() });
        let trigger = trigger(&format!("task-{TASK}"), &completed).unwrap();
        let body = envelope(&trigger, &[approved(14_250, 750), completed.clone()]);
        assert_eq!(
            body,
            json!({
                "event": "task.completed",
                "timestamp": "2026-03-04T16:00:00Z",
                "taskId": "task_000000000000000000000000a1b2c3d4",
                "data": {
                    "taskTitle": "",
                    "humanDisplayId": "user_0000000000000000000000000028f3a1",
                    "completedAt": "2026-03-04T16:00:00Z",
                    "payout": 142.5,
                    "platformFee": 7.5
                }
            })
        );
        assert_eq!(
            body["data"]["payout"].to_string(),
            "142.5",
            "a number, not a string"
        );
    }

    #[test]
    fn dollars_are_exact_numbers() {
        assert_eq!(dollars(14_999).to_string(), "149.99");
        assert_eq!(dollars(1).to_string(), "0.01");
        assert_eq!(dollars(15_000).to_string(), "150");
        assert_eq!(dollars(0).to_string(), "0");
    }
}
