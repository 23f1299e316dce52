//! Humans2AI's deliveries. A Humans2AI endpoint (format `humans2ai`) is
//! sent the Humans2AI events (`errand_aggregates::webhook::humans2ai`) of
//! every task its owner posted, in the endpoint's mode, that its filter
//! names; never what the poster did themselves. The body is rendered at
//! send time (`src/webhooks/humans2ai.rs`); the row names the ledger event.
//!
//! `task.completed` is "task completed and payment released": a task whose
//! every slot was disputed also ends with `TaskCompleted`, but paid no one,
//! and its poster heard `task.disputed`. So the outbox remembers which tasks
//! paid someone (`paid:<task>` in `webhook_parties`, the human paid last),
//! on every approval whatever the batch, so a rebuild remembers the same.

use errand_aggregates::ids::WebhookId;
use errand_aggregates::task::TaskEvent;
use errand_aggregates::webhook::humans2ai::{trigger, Humans2AiEvent};
use errand_aggregates::webhook::WebhookFormat;
use errand_aggregates::Event;
use sqlx::AnyConnection;

use super::audience::party_id;
use super::tables::PartyRow;
use super::Batch;
use crate::{stream_suffix, ProjectedEvent, ProjectionError};

fn is_subscriber(batch: &Batch) -> bool {
    batch
        .subscribers
        .iter()
        .any(|s| s.format == WebhookFormat::Humans2Ai)
}

/// Loads the posters of the tasks this batch's Humans2AI events are about,
/// when a Humans2AI endpoint may be sent them.
pub(super) async fn prefetch(
    batch: &mut Batch,
    conn: &mut AnyConnection,
    events: &[ProjectedEvent],
    registers: bool,
) -> Result<(), ProjectionError> {
    // An approval's `paid:` row takes its task's mode from the poster's.
    let mut parties: Vec<String> = events
        .iter()
        .filter(|e| matches!(e.event, Event::Task(TaskEvent::SubmissionApproved { .. })))
        .map(|e| party_id("poster", stream_suffix(&e.stream_id)))
        .collect();
    if registers || is_subscriber(batch) {
        for trigger in events
            .iter()
            .filter_map(|e| trigger(&e.stream_id, &e.event))
        {
            let task = trigger.task.to_string();
            parties.push(party_id("poster", &task));
            if trigger.event == Humans2AiEvent::Completed {
                parties.push(party_id("paid", &task));
            }
        }
    }
    batch.parties.prefetch(conn, parties).await?;
    Ok(())
}

impl Batch {
    /// Remembers that an approval paid someone on its task.
    pub(super) fn remember_paid(&mut self, projected: &ProjectedEvent) {
        let Event::Task(TaskEvent::SubmissionApproved { worker, .. }) = &projected.event else {
            return;
        };
        let task = stream_suffix(&projected.stream_id);
        let Some(mode) = self
            .parties
            .cached(&party_id("poster", task))
            .map(|poster| poster.mode.clone())
        else {
            return;
        };
        self.parties.put(PartyRow {
            party_id: party_id("paid", task),
            subject_id: task.to_owned(),
            actor_id: worker.to_string(),
            mode,
        });
    }

    /// A pending delivery of this event to each of its task's poster's
    /// Humans2AI endpoints that asked for it.
    pub(super) fn humans2ai(&mut self, projected: &ProjectedEvent) -> Result<(), ProjectionError> {
        if !is_subscriber(self) {
            return Ok(());
        }
        let Some(trigger) = trigger(&projected.stream_id, &projected.event) else {
            return Ok(());
        };
        let poster = self
            .parties
            .cached(&party_id("poster", &trigger.task.to_string()))
            .ok_or_else(|| {
                ProjectionError::inconsistent(projected, "the task's poster is not known")
            })?;
        if trigger
            .counterpart
            .is_some_and(|actor| actor.to_string() == poster.actor_id)
        {
            return Ok(());
        }
        let paid = party_id("paid", &trigger.task.to_string());
        if trigger.event == Humans2AiEvent::Completed && self.parties.cached(&paid).is_none() {
            return Ok(());
        }
        let name = trigger.event.name();
        let mut endpoints = Vec::new();
        for subscriber in &self.subscribers {
            if subscriber.format == WebhookFormat::Humans2Ai
                && subscriber.owner == poster.actor_id
                && subscriber.mode == poster.mode
                && subscriber.filter.admits(WebhookFormat::Humans2Ai, name)
            {
                let webhook_id = WebhookId::parse(&subscriber.webhook_id).ok_or_else(|| {
                    ProjectionError::inconsistent(projected, "a webhook id is not a UUID")
                })?;
                endpoints.push(webhook_id);
            }
        }
        let owner = poster.actor_id.clone();
        for webhook_id in endpoints {
            self.put_delivery(webhook_id, &owner, projected);
        }
        Ok(())
    }
}
