//! `outbox`: webhook endpoints, and a delivery row for every event each
//! endpoint asked for and its owner may see (DESIGN.md §5: derived work is a
//! projection too). The runtime's dispatcher sends due pending rows and
//! records each attempt's outcome as an event on the delivery's own stream;
//! this projection folds those outcomes back in, so a rebuild from the
//! journal knows what was delivered and sends nothing twice.
//!
//! Who may see an event is [`audience`]'s rule; an admin's endpoint may be
//! sent every event of its mode. An endpoint is sent only events after its
//! registration and before its deletion; deleting it cancels what was still
//! pending for it. Delivery ids are derived from the endpoint and the event's
//! position, so a rebuild names every delivery as before.
//!
//! The row names the event by its position; the body is rendered from the
//! journal when it is sent (in the endpoint's format), so the outbox does
//! not copy the journal and every attempt sends the same bytes.

mod audience;
mod humai;
mod humanping;
mod humans2ai;
mod tables;

use std::collections::HashSet;

use errand_aggregates::ids::WebhookId;
use errand_aggregates::task::TaskEvent;
use errand_aggregates::webhook::{
    delivery_id, DeliveryEvent, EventFilter, WebhookEvent, WebhookFormat,
};
use errand_aggregates::Event;
use sqlx::AnyConnection;

use crate::rows::{insert_with, Rows, ViewRow as _};
use crate::{micros, stream_suffix, ProjectedEvent, Projection, ProjectionError};
use audience::{audience, party_id, remember};

pub use humanping::HumanPingTaskRow;
pub use tables::{due, AttemptRow, DeliveryRow, DueDelivery, EndpointRow, PartyRow};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outbox;

/// An active endpoint, as fan-out needs it.
struct Subscriber {
    webhook_id: String,
    owner: String,
    sees_everything: bool,
    mode: String,
    /// `Native` endpoints are sent what their owner may see
    /// ([`audience`]); `Humans2Ai` ones their owner's tasks' Humans2AI
    /// events (`humans2ai.rs`).
    format: WebhookFormat,
    filter: EventFilter,
}

impl Subscriber {
    fn of(row: &EndpointRow) -> Result<Subscriber, String> {
        let filter = serde_json::from_str(&row.events)
            .map_err(|error| format!("webhook {} has an unreadable filter: {error}", row.key()))?;
        let format = WebhookFormat::parse(&row.format)
            .ok_or_else(|| format!("webhook {} has an unknown format", row.key()))?;
        Ok(Subscriber {
            webhook_id: row.webhook_id.clone(),
            owner: row.owner.clone(),
            sees_everything: row.owner_role == "admin",
            mode: row.mode.clone(),
            format,
            filter,
        })
    }
}

/// What one batch changes.
#[derive(Default)]
struct Batch {
    endpoints: Rows<EndpointRow>,
    subscribers: Vec<Subscriber>,
    parties: Rows<PartyRow>,
    deliveries: Rows<DeliveryRow>,
    attempts: Vec<AttemptRow>,
    /// Endpoints deleted in this batch: what is pending for them is cancelled.
    deleted: Vec<(String, i64)>,
    /// HumanPing's tasks this batch routes events of (see `humanping.rs`).
    humanping_tasks: Rows<HumanPingTaskRow>,
}

impl Projection for Outbox {
    fn name(&self) -> &'static str {
        "outbox"
    }

    fn tables(&self) -> &'static [&'static str] {
        &[
            "webhook_endpoints_view",
            "webhook_deliveries",
            "webhook_delivery_attempts",
            "webhook_parties",
            "humanping_tasks",
        ]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut batch = Batch::default();
        // The fan-out's subscribers: endpoints registered through an API.
        // HumanPing's implicit endpoints are routed by `humanping.rs` alone.
        batch
            .endpoints
            .prefetch_matching(
                conn,
                "status = 'active' AND format IN ('native', 'humans2ai', 'humai')",
            )
            .await?;
        for row in batch.endpoints.cached_where(|_| true) {
            let subscriber =
                Subscriber::of(row).map_err(|reason| ProjectionError::Inconsistent {
                    position: events.first().map_or(0, |e| e.position),
                    event_type: "WebhookRegistered".to_owned(),
                    reason,
                })?;
            batch.subscribers.push(subscriber);
        }
        let registers = events.iter().any(|e| {
            matches!(
                e.event,
                Event::Webhook(WebhookEvent::WebhookRegistered { .. })
            )
        });
        // Without endpoints nothing is sent, and who sees what need not be read.
        if !batch.subscribers.is_empty() || registers {
            let subjects = events
                .iter()
                .filter(|e| {
                    matches!(
                        e.event,
                        Event::Task(_) | Event::Deposit(_) | Event::Payout(_)
                    )
                })
                .map(|e| stream_suffix(&e.stream_id).to_owned());
            batch
                .parties
                .prefetch_where(conn, "subject_id", subjects)
                .await?;
        }
        // `remember` gives an assignment or submission its task's mode from the poster's row,
        // whether or not anyone is subscribed: without it, what is remembered would depend
        // on where batches begin and end (the audit's rebuild found that).
        let posters = events
            .iter()
            .filter(|e| {
                matches!(
                    e.event,
                    Event::Task(TaskEvent::TaskAssigned { .. } | TaskEvent::WorkSubmitted { .. })
                )
            })
            .map(|e| party_id("poster", stream_suffix(&e.stream_id)));
        batch.parties.prefetch(conn, posters).await?;
        let attempted = events
            .iter()
            .filter(|e| matches!(e.event, Event::Delivery(_)))
            .map(|e| stream_suffix(&e.stream_id).to_owned());
        batch.deliveries.prefetch(conn, attempted).await?;
        humanping::prefetch(&mut batch, conn, events).await?;
        humans2ai::prefetch(&mut batch, conn, events, registers).await?;
        humai::prefetch(&mut batch, conn, events).await?;
        for projected in events {
            batch.fold(conn, projected).await?;
        }
        batch.flush(conn).await
    }
}

impl Batch {
    async fn fold(
        &mut self,
        conn: &mut AnyConnection,
        projected: &ProjectedEvent,
    ) -> Result<(), ProjectionError> {
        match &projected.event {
            Event::Webhook(event) => self.endpoint(conn, projected, event).await?,
            Event::Delivery(event) => self.attempt(conn, projected, event).await?,
            Event::Actor(_) | Event::Task(_) => self.humanping(conn, projected).await?,
            _ => {}
        }
        remember(&mut self.parties, projected);
        self.remember_paid(projected);
        self.remember_humai_parties(projected);
        if self.subscribers.is_empty() {
            return Ok(());
        }
        self.humans2ai(projected)?;
        self.humai(projected)?;
        let Some(audience) = audience(&self.parties, projected)
            .map_err(|reason| ProjectionError::inconsistent(projected, reason))?
        else {
            return Ok(());
        };
        let event_type = projected.event.event_type();
        let mut deliveries = Vec::new();
        for subscriber in &self.subscribers {
            let may_see =
                subscriber.sees_everything || audience.parties.contains(&subscriber.owner);
            if subscriber.format != WebhookFormat::Native
                || !may_see
                || subscriber.mode != audience.mode
                || !subscriber.filter.matches(event_type)
            {
                continue;
            }
            let webhook_id = WebhookId::parse(&subscriber.webhook_id).ok_or_else(|| {
                ProjectionError::inconsistent(projected, "a webhook id is not a UUID")
            })?;
            deliveries.push((webhook_id, subscriber.owner.clone()));
        }
        for (webhook_id, owner) in deliveries {
            self.put_delivery(webhook_id, &owner, projected);
        }
        Ok(())
    }

    /// A pending delivery of this event to this endpoint, due at once.
    fn put_delivery(&mut self, webhook_id: WebhookId, owner: &str, projected: &ProjectedEvent) {
        let at_us = micros(projected.recorded_at);
        self.deliveries.put(DeliveryRow {
            delivery_id: delivery_id(webhook_id, projected.position).to_string(),
            webhook_id: webhook_id.to_string(),
            owner: owner.to_owned(),
            position: projected.position,
            event_type: projected.event.event_type().to_owned(),
            status: "pending".to_owned(),
            attempts: 0,
            due_at_us: at_us,
            created_at_us: at_us,
            updated_at_us: at_us,
        });
    }

    async fn endpoint(
        &mut self,
        conn: &mut AnyConnection,
        projected: &ProjectedEvent,
        event: &WebhookEvent,
    ) -> Result<(), ProjectionError> {
        let webhook_id = stream_suffix(&projected.stream_id);
        match event {
            WebhookEvent::WebhookRegistered {
                owner,
                owner_role,
                mode,
                url,
                events,
                format,
                registered_at,
                ..
            } => {
                let row = EndpointRow {
                    webhook_id: webhook_id.to_owned(),
                    owner: owner.to_string(),
                    owner_role: owner_role.as_str().to_owned(),
                    mode: mode.as_str().to_owned(),
                    url: url.as_str().to_owned(),
                    format: format.as_str().to_owned(),
                    events: serde_json::to_string(events).expect("a filter serializes"),
                    status: "active".to_owned(),
                    registered_at_us: micros(*registered_at),
                };
                let subscriber = Subscriber::of(&row)
                    .map_err(|reason| ProjectionError::inconsistent(projected, reason))?;
                self.subscribers.push(subscriber);
                self.endpoints.put(row);
            }
            WebhookEvent::WebhookDeleted { .. } => {
                let row = self
                    .endpoints
                    .get_mut(conn, webhook_id)
                    .await?
                    .ok_or_else(|| {
                        ProjectionError::inconsistent(projected, "webhook was never registered")
                    })?;
                row.status = "deleted".to_owned();
                self.subscribers.retain(|s| s.webhook_id != webhook_id);
                self.deleted
                    .push((webhook_id.to_owned(), micros(projected.recorded_at)));
            }
            WebhookEvent::WebhookUpdated { url, events, .. } => {
                let row = self
                    .endpoints
                    .get_mut(conn, webhook_id)
                    .await?
                    .ok_or_else(|| {
                        ProjectionError::inconsistent(projected, "webhook was never registered")
                    })?;
                if let Some(url) = url {
                    row.url = url.as_str().to_owned();
                }
                if let Some(events) = events {
                    row.events = serde_json::to_string(events).expect("a filter serializes");
                }
                let changed = Subscriber::of(row)
                    .map_err(|reason| ProjectionError::inconsistent(projected, reason))?;
                for subscriber in &mut self.subscribers {
                    if subscriber.webhook_id == webhook_id {
                        subscriber.filter = changed.filter.clone();
                    }
                }
            }
            // The sample is the fan-out's (`humai.rs`); the endpoint is unchanged.
            // The secret is read from the endpoint's stream at send time.
            WebhookEvent::WebhookTestRequested { .. }
            | WebhookEvent::WebhookSigningSecretSet { .. } => {}
        }
        Ok(())
    }

    async fn attempt(
        &mut self,
        conn: &mut AnyConnection,
        projected: &ProjectedEvent,
        event: &DeliveryEvent,
    ) -> Result<(), ProjectionError> {
        let delivery_id = stream_suffix(&projected.stream_id);
        let delivery = self
            .deliveries
            .get_mut(conn, delivery_id)
            .await?
            .ok_or_else(|| {
                ProjectionError::inconsistent(projected, "no such delivery in the outbox")
            })?;
        let (attempt, outcome, status_code, error, duration_ms, at, retry_at) = match event {
            DeliveryEvent::DeliverySucceeded {
                attempt,
                status_code,
                duration_ms,
                at,
                ..
            } => {
                delivery.status = "delivered".to_owned();
                (
                    *attempt,
                    "delivered",
                    Some(*status_code),
                    None,
                    *duration_ms,
                    *at,
                    None,
                )
            }
            DeliveryEvent::DeliveryAttemptFailed {
                attempt,
                status_code,
                error,
                duration_ms,
                at,
                retry_at,
                ..
            } => {
                // A cancelled delivery stays cancelled: its endpoint is gone.
                if delivery.status == "pending" {
                    delivery.due_at_us = micros(*retry_at);
                }
                let retry_at = Some(micros(*retry_at));
                (
                    *attempt,
                    "retrying",
                    *status_code,
                    error.clone(),
                    *duration_ms,
                    *at,
                    retry_at,
                )
            }
            DeliveryEvent::DeliveryFailed {
                attempt,
                status_code,
                error,
                duration_ms,
                at,
                ..
            } => {
                delivery.status = "failed".to_owned();
                (
                    *attempt,
                    "failed",
                    *status_code,
                    error.clone(),
                    *duration_ms,
                    *at,
                    None,
                )
            }
        };
        delivery.attempts = i64::from(attempt);
        delivery.updated_at_us = micros(at);
        self.attempts.push(AttemptRow {
            delivery_id: delivery_id.to_owned(),
            attempt: i64::from(attempt),
            outcome: outcome.to_owned(),
            status_code: status_code.map(i64::from),
            error,
            duration_ms: i64::try_from(duration_ms).unwrap_or(i64::MAX),
            at_us: micros(at),
            retry_at_us: retry_at,
        });
        Ok(())
    }

    async fn flush(self, conn: &mut AnyConnection) -> Result<(), ProjectionError> {
        self.endpoints.flush(conn).await?;
        self.parties.flush(conn).await?;
        self.deliveries.flush(conn).await?;
        self.humanping_tasks.flush(conn).await?;
        insert_with(conn, &self.attempts, "").await?;
        let mut cancelled = HashSet::new();
        for (webhook_id, at_us) in &self.deleted {
            if !cancelled.insert(webhook_id) {
                continue;
            }
            sqlx::query(
                "UPDATE webhook_deliveries SET status = 'cancelled', updated_at_us = $1 \
                 WHERE webhook_id = $2 AND status = 'pending'",
            )
            .bind(*at_us)
            .bind(webhook_id.as_str())
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
