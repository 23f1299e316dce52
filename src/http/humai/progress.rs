//! What Humai's task streams call each ledger event of a piece of work: the
//! seed's SSE event names (`status_change`, `delivery_submitted`,
//! `milestone_completed`, `progress`) and, for a status change, the status
//! it reached. A transaction is a `Contract`; a task any API posted is a
//! `Task` (one ledger), so both streams carry either.

use chrono::SecondsFormat;
use errand_aggregates::contract::ContractEvent;
use errand_aggregates::task::TaskEvent;
use errand_aggregates::Event;
use serde_json::{json, Value};

use crate::journal::CommittedEvent;

/// One SSE event of a task stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// The SSE `event:` name.
    pub name: &'static str,
    /// The SSE `data:`.
    pub data: Value,
}

/// The seed's name for `event`, and the status a status change reached.
fn named(event: &Event) -> Option<(&'static str, Option<&'static str>)> {
    let status = |status| Some(("status_change", Some(status)));
    match event {
        Event::Contract(event) => match event {
            ContractEvent::ContractOpened { .. } => status("pending_payment"),
            ContractEvent::ContractAssigned { .. } => status("assigned"),
            ContractEvent::DeliverySubmitted { .. } => Some(("delivery_submitted", None)),
            ContractEvent::MilestoneDelivered { .. } => Some(("delivery_submitted", None)),
            ContractEvent::MilestoneAccepted { .. } => Some(("milestone_completed", None)),
            ContractEvent::ContractAccepted { .. } => status("accepted"),
            ContractEvent::ContractCompleted { .. } => status("completed"),
            ContractEvent::ContractDisputed { .. } => status("disputed"),
            ContractEvent::DisputeSettled { .. } => status("resolved"),
            ContractEvent::SubcontractOpened { .. } => Some(("progress", None)),
        },
        Event::Task(event) => match event {
            TaskEvent::TaskPosted { .. } => status("open"),
            TaskEvent::TaskAssigned { .. } => status("assigned"),
            TaskEvent::WorkSubmitted { .. } => Some(("delivery_submitted", None)),
            TaskEvent::SubmissionApproved { .. } => Some(("milestone_completed", None)),
            TaskEvent::TaskCompleted { .. } => status("completed"),
            TaskEvent::TaskCancelled { .. } => status("cancelled"),
            TaskEvent::TaskExpired { .. } => status("expired"),
            TaskEvent::TaskPaused { .. } => status("paused"),
            TaskEvent::TaskResumed { .. } => status("open"),
            TaskEvent::TaskStopped { .. } => status("stopped"),
            TaskEvent::SubmissionDisputed { .. } => status("disputed"),
            // Money moved within the escrow, applications, rejections: progress all the same.
            _ => Some(("progress", None)),
        },
        _ => None,
    }
}

/// The id of the work a `task-<id>` or `contract-<id>` stream is about.
pub fn work_id(stream_id: &str) -> Option<&str> {
    stream_id
        .strip_prefix("task-")
        .or_else(|| stream_id.strip_prefix("contract-"))
}

/// The stream event for a committed event of a task or transaction; none for other events.
pub fn progress(committed: &CommittedEvent) -> Option<Progress> {
    let id = work_id(&committed.stream_id)?;
    let event = Event::decode(&committed.stream_id, &committed.payload).ok()?;
    let (name, status) = named(&event)?;
    Some(Progress {
        name,
        data: json!({
            "transaction_id": id,
            "type": committed.event_type,
            "status": status,
            "at": committed.recorded_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn committed(stream_id: &str, event_type: &str, payload: &str) -> CommittedEvent {
        CommittedEvent {
            position: 7,
            stream_id: stream_id.to_owned(),
            event_type: event_type.to_owned(),
            payload: payload.to_owned(),
            recorded_at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_tasks_status_changes_and_deliveries_have_the_seeds_names() {
        let task = "task-00000000-0000-0000-0000-0000000000a1";
        let expired = committed(
            task,
            "TaskExpired",
            r#"{"type":"TaskExpired","at":"2026-01-01T12:00:00Z"}"#,
        );
        let progress = progress(&expired).expect("a stream event");
        assert_eq!(progress.name, "status_change");
        assert_eq!(progress.data["status"], "expired");
        assert_eq!(
            progress.data["transaction_id"],
            "00000000-0000-0000-0000-0000000000a1"
        );
        let paused = committed(
            task,
            "TaskPaused",
            r#"{"type":"TaskPaused","at":"2026-01-01T12:00:00Z"}"#,
        );
        assert_eq!(
            super::progress(&paused).map(|p| p.name),
            Some("status_change")
        );
    }

    #[test]
    fn events_of_other_streams_are_not_task_progress() {
        let read = committed(
            "notifications-00000000-0000-0000-0000-000000000001-live",
            "AllNotificationsRead",
            r#"{"type":"AllNotificationsRead","reader":"00000000-0000-0000-0000-000000000001","mode":"live","up_to_position":3,"at":"2026-01-01T12:00:00Z"}"#,
        );
        assert_eq!(progress(&read), None);
        assert_eq!(work_id("thread-1"), None);
        assert_eq!(work_id("contract-abc"), Some("abc"));
    }
}
