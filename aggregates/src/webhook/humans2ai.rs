//! Humans2AI's webhooks, the domain half: its event names, which ledger
//! event each one is, and (in `delivery.rs`) the retry policy it documents.
//!
//! A Humans2AI endpoint is registered like any (`webhook-<id>`, format
//! `humans2ai`), its filter naming Humans2AI's events. It is sent the events
//! of every task its owner posted, in the endpoint's mode, whichever API
//! posted the task: one marketplace, one ledger.
//!
//! | Humans2AI event | ledger event |
//! |---|---|
//! | `task.human_accepted` | `TaskAssigned` (the poster selected an applicant, or a human took first-accept work) |
//! | `task.submitted` | `WorkSubmitted` |
//! | `task.completed` | `TaskCompleted` (the approval that paid the last slot) |
//! | `task.expired` | `TaskExpired` |
//! | `task.disputed` | `SubmissionDisputed` (one per disputed submission) |
//! | `message.received` | `MessagePosted` on the task's thread (not sent for the poster's own) |

use crate::event::Event;
use crate::ids::{ActorId, TaskId};
use crate::task::TaskEvent;
use crate::thread::ThreadEvent;
use crate::Timestamp;

/// An event Humans2AI sends, by its name on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Humans2AiEvent {
    HumanAccepted,
    Submitted,
    Completed,
    Expired,
    Disputed,
    MessageReceived,
}

/// Every Humans2AI event name, as a filter may list them.
pub const EVENT_NAMES: &[&str] = &[
    "task.human_accepted",
    "task.submitted",
    "task.completed",
    "task.expired",
    "task.disputed",
    "message.received",
];

impl Humans2AiEvent {
    pub const ALL: [Humans2AiEvent; 6] = [
        Humans2AiEvent::HumanAccepted,
        Humans2AiEvent::Submitted,
        Humans2AiEvent::Completed,
        Humans2AiEvent::Expired,
        Humans2AiEvent::Disputed,
        Humans2AiEvent::MessageReceived,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Humans2AiEvent::HumanAccepted => "task.human_accepted",
            Humans2AiEvent::Submitted => "task.submitted",
            Humans2AiEvent::Completed => "task.completed",
            Humans2AiEvent::Expired => "task.expired",
            Humans2AiEvent::Disputed => "task.disputed",
            Humans2AiEvent::MessageReceived => "message.received",
        }
    }

    pub fn parse(name: &str) -> Option<Humans2AiEvent> {
        Humans2AiEvent::ALL.into_iter().find(|e| e.name() == name)
    }
}

/// A ledger event Humans2AI tells a task's poster about, with what its
/// body needs that the event itself carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trigger<'e> {
    pub event: Humans2AiEvent,
    pub task: TaskId,
    /// The other party it is about: the human accepted, submitting or
    /// disputed, a message's sender. The poster is never told of what they
    /// did themselves (a message they sent).
    pub counterpart: Option<ActorId>,
    /// A dispute's reason; a message's text.
    pub text: Option<&'e str>,
    pub at: Timestamp,
}

/// Which Humans2AI event `event` (on stream `stream_id`) is, if any. A
/// task's events name their task by their stream (`task-<id>`); a message
/// (on its task's `thread-<id>`) names it in itself.
pub fn trigger<'e>(stream_id: &str, event: &'e Event) -> Option<Trigger<'e>> {
    let event = match event {
        Event::Task(event) => event,
        Event::Thread(ThreadEvent::MessagePosted {
            task_id,
            sender,
            body,
            at,
            ..
        }) => {
            return Some(Trigger {
                event: Humans2AiEvent::MessageReceived,
                task: *task_id,
                counterpart: Some(*sender),
                text: Some(body.as_str()),
                at: *at,
            })
        }
        _ => return None,
    };
    let task = TaskId::parse(stream_id.strip_prefix("task-")?)?;
    let on_task = |event, counterpart, text, at: &Timestamp| {
        Some(Trigger {
            event,
            task,
            counterpart,
            text,
            at: *at,
        })
    };
    match event {
        TaskEvent::TaskAssigned { worker, at, .. } => {
            on_task(Humans2AiEvent::HumanAccepted, Some(*worker), None, at)
        }
        TaskEvent::WorkSubmitted { worker, at, .. } => {
            on_task(Humans2AiEvent::Submitted, Some(*worker), None, at)
        }
        TaskEvent::TaskCompleted { at } => on_task(Humans2AiEvent::Completed, None, None, at),
        TaskEvent::TaskExpired { at } => on_task(Humans2AiEvent::Expired, None, None, at),
        TaskEvent::SubmissionDisputed {
            worker, reason, at, ..
        } => on_task(Humans2AiEvent::Disputed, *worker, Some(reason.as_str()), at),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{AssignmentId, SubmissionId};
    use crate::task::Proof;
    use chrono::TimeZone;
    use uuid::Uuid;

    const TASK: TaskId = TaskId(Uuid::from_u128(0x7a5c));
    const WORKER: ActorId = ActorId(Uuid::from_u128(0x3));

    fn at() -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 3, 4, 16, 0, 0).unwrap()
    }

    fn on_task(event: TaskEvent) -> Option<(Humans2AiEvent, Option<ActorId>, Option<String>)> {
        let event = Event::Task(event);
        trigger(&format!("task-{TASK}"), &event).map(|t| {
            assert_eq!(t.task, TASK);
            assert_eq!(t.at, at());
            (t.event, t.counterpart, t.text.map(str::to_owned))
        })
    }

    #[test]
    fn names_and_events_correspond_one_to_one() {
        let names: Vec<&str> = Humans2AiEvent::ALL.iter().map(|e| e.name()).collect();
        assert_eq!(names, EVENT_NAMES);
        for event in Humans2AiEvent::ALL {
            assert_eq!(Humans2AiEvent::parse(event.name()), Some(event));
        }
        assert_eq!(Humans2AiEvent::parse("TaskAssigned"), None);
        assert_eq!(Humans2AiEvent::parse("task.accepted"), None);
    }

    #[test]
    fn each_task_event_humans2ai_sends_names_its_human() {
        let assigned = TaskEvent::TaskAssigned {
            assignment_id: AssignmentId(Uuid::from_u128(1)),
            worker: WORKER,
            application_id: None,
            expires_at: None,
            at: at(),
        };
        assert_eq!(
            on_task(assigned),
            Some((Humans2AiEvent::HumanAccepted, Some(WORKER), None))
        );
        let submitted = TaskEvent::WorkSubmitted {
            submission_id: SubmissionId(Uuid::from_u128(2)),
            assignment_id: AssignmentId(Uuid::from_u128(1)),
            worker: WORKER,
            proof: Proof::text("done"),
            review_due_at: None,
            at: at(),
        };
        assert_eq!(
            on_task(submitted),
            Some((Humans2AiEvent::Submitted, Some(WORKER), None))
        );
        let disputed = TaskEvent::SubmissionDisputed {
            submission_id: SubmissionId(Uuid::from_u128(2)),
            worker: Some(WORKER),
            reason: "blurry".to_owned(),
            at: at(),
        };
        assert_eq!(
            on_task(disputed),
            Some((
                Humans2AiEvent::Disputed,
                Some(WORKER),
                Some("blurry".to_owned())
            ))
        );
        assert_eq!(
            on_task(TaskEvent::TaskCompleted { at: at() }),
            Some((Humans2AiEvent::Completed, None, None))
        );
        assert_eq!(
            on_task(TaskEvent::TaskExpired { at: at() }),
            Some((Humans2AiEvent::Expired, None, None))
        );
    }

    #[test]
    fn other_events_are_not_sent() {
        assert_eq!(on_task(TaskEvent::TaskPaused { at: at() }), None);
        assert_eq!(on_task(TaskEvent::TaskCancelled { at: at() }), None);
        let completed = Event::Task(TaskEvent::TaskCompleted { at: at() });
        assert!(trigger("task-not-a-uuid", &completed).is_none());
        assert!(trigger(&format!("account-{TASK}"), &completed).is_none());
    }

    #[test]
    fn a_message_on_a_tasks_thread_is_received_naming_its_sender_and_text() {
        let posted = Event::Thread(ThreadEvent::MessagePosted {
            task_id: TASK,
            message_id: crate::ids::MessageId(Uuid::from_u128(9)),
            sender: WORKER,
            participation: crate::thread::Participation::Worker,
            recipients: vec![ActorId(Uuid::from_u128(1))],
            body: "On my way".to_owned(),
            at: at(),
        });
        let trigger = trigger(&format!("thread-{TASK}"), &posted).expect("a trigger");
        assert_eq!(trigger.event, Humans2AiEvent::MessageReceived);
        assert_eq!(trigger.task, TASK);
        assert_eq!(trigger.counterpart, Some(WORKER));
        assert_eq!(trigger.text, Some("On my way"));
        assert_eq!(trigger.at, at());
    }
}
