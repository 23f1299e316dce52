//! HumanPing's deliveries. HumanPing registers no endpoints: an agent's
//! `webhook_url` (recorded on the actor) and a task's `callback_url` (in its
//! details) are where its task events go, the task's own first. Each becomes
//! an implicit endpoint row (format `humanping`, id named from the agent or
//! the task by `errand_aggregates::webhook::humanping`), so the dispatcher,
//! retries and delivery listings treat them like any endpoint; the general
//! fan-out in `mod.rs` leaves them alone.
//!
//! Which tasks are HumanPing's is remembered in `humanping_tasks` (from
//! `TaskPosted`'s details), with the last dispute sent: a dispute disputes
//! every proof awaiting review at once, and HumanPing sends one
//! `task.disputed` for it, not one per proof.

use errand_aggregates::actor::ActorEvent;
use errand_aggregates::ids::{ActorId, TaskId};
use errand_aggregates::task::TaskEvent;
use errand_aggregates::webhook::humanping::{
    agent_endpoint_id, is_humanping_task, task_endpoint_id, CALLBACK_URL_KEY, TRIGGERS,
    WEBHOOK_URL_KEY,
};
use errand_aggregates::webhook::{EventFilter, WebhookFormat};
use errand_aggregates::{DomainEvent as _, Event};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::tables::EndpointRow;
use super::Batch;
use crate::rows::{AnyQuery, Record, ViewRow};
use crate::{micros, stream_suffix, ProjectedEvent, ProjectionError};

/// One row of `humanping_tasks`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HumanPingTaskRow {
    pub task_id: String,
    /// The posting agent: owner of the deliveries, its secret signs them.
    pub poster: String,
    /// The `at` of the last dispute a `task.disputed` was made for.
    pub last_disputed_at_us: Option<i64>,
}

impl Record for HumanPingTaskRow {
    const TABLE: &'static str = "humanping_tasks";
    const COLUMNS: &'static [&'static str] = &["task_id", "poster", "last_disputed_at_us"];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.task_id.as_str())
            .bind(self.poster.as_str())
            .bind(self.last_disputed_at_us)
    }
}

impl ViewRow for HumanPingTaskRow {
    fn key(&self) -> &str {
        &self.task_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(HumanPingTaskRow {
            task_id: row.try_get(0)?,
            poster: row.try_get(1)?,
            last_disputed_at_us: row.try_get(2)?,
        })
    }
}

fn is_trigger(event: &TaskEvent) -> bool {
    TRIGGERS.contains(&event.event_type())
}

/// Loads what routing this batch's HumanPing events needs: the HumanPing
/// tasks they are about, and the implicit endpoints they may go to.
pub(super) async fn prefetch(
    batch: &mut Batch,
    conn: &mut AnyConnection,
    events: &[ProjectedEvent],
) -> Result<(), ProjectionError> {
    let triggered: Vec<String> = events
        .iter()
        .filter(|e| matches!(&e.event, Event::Task(event) if is_trigger(event)))
        .map(|e| stream_suffix(&e.stream_id).to_owned())
        .collect();
    if triggered.is_empty()
        && !events.iter().any(|e| {
            matches!(
                e.event,
                Event::Actor(ActorEvent::DetailsRecorded { .. })
                    | Event::Task(TaskEvent::TaskPosted { .. })
            )
        })
    {
        return Ok(());
    }
    batch
        .humanping_tasks
        .prefetch(conn, triggered.iter().cloned())
        .await?;
    let mut endpoints = Vec::new();
    for task_id in &triggered {
        if let Some(task) = TaskId::parse(task_id) {
            endpoints.push(task_endpoint_id(task).to_string());
        }
        if let Some(row) = batch.humanping_tasks.cached(task_id) {
            if let Some(poster) = ActorId::parse(&row.poster) {
                endpoints.push(agent_endpoint_id(poster).to_string());
            }
        }
    }
    for projected in events {
        let agent = match &projected.event {
            Event::Task(TaskEvent::TaskPosted {
                poster, details, ..
            }) if is_humanping_task(details) => Some(*poster),
            Event::Actor(ActorEvent::DetailsRecorded { details, .. })
                if details.contains_key(WEBHOOK_URL_KEY) =>
            {
                ActorId::parse(stream_suffix(&projected.stream_id))
            }
            _ => None,
        };
        if let Some(agent) = agent {
            endpoints.push(agent_endpoint_id(agent).to_string());
        }
    }
    batch.endpoints.prefetch(conn, endpoints).await?;
    Ok(())
}

impl Batch {
    /// Folds one event into HumanPing's routes and deliveries.
    pub(super) async fn humanping(
        &mut self,
        conn: &mut AnyConnection,
        projected: &ProjectedEvent,
    ) -> Result<(), ProjectionError> {
        match &projected.event {
            Event::Actor(ActorEvent::DetailsRecorded { details, .. }) => {
                let Some(url) = details.get(WEBHOOK_URL_KEY) else {
                    return Ok(());
                };
                let agent = ActorId::parse(stream_suffix(&projected.stream_id))
                    .ok_or_else(|| ProjectionError::inconsistent(projected, "not an actor id"))?;
                self.agent_endpoint(conn, projected, agent, url.as_str())
                    .await
            }
            Event::Task(TaskEvent::TaskPosted {
                task_id,
                poster,
                mode,
                details,
                ..
            }) if is_humanping_task(details) => {
                self.humanping_tasks.put(HumanPingTaskRow {
                    task_id: task_id.to_string(),
                    poster: poster.to_string(),
                    last_disputed_at_us: None,
                });
                if let Some(url) = details.get(CALLBACK_URL_KEY).and_then(|v| v.as_str()) {
                    self.endpoints.put(implicit_endpoint(
                        task_endpoint_id(*task_id).to_string(),
                        poster.to_string(),
                        mode.as_str(),
                        url,
                        micros(projected.recorded_at),
                    ));
                }
                Ok(())
            }
            Event::Task(event) if is_trigger(event) => self.humanping_delivery(projected, event),
            _ => Ok(()),
        }
    }

    /// The agent's `webhook_url` recorded (a string) or removed (anything else).
    async fn agent_endpoint(
        &mut self,
        conn: &mut AnyConnection,
        projected: &ProjectedEvent,
        agent: ActorId,
        url: Option<&str>,
    ) -> Result<(), ProjectionError> {
        let webhook_id = agent_endpoint_id(agent).to_string();
        let at_us = micros(projected.recorded_at);
        match (self.endpoints.get_mut(conn, &webhook_id).await?, url) {
            (Some(row), Some(url)) => {
                row.url = url.to_owned();
                row.status = "active".to_owned();
            }
            (None, Some(url)) => self.endpoints.put(implicit_endpoint(
                webhook_id,
                agent.to_string(),
                // HumanPing's keys are live; the route serves the agent's tasks of any mode.
                "live",
                url,
                at_us,
            )),
            (Some(row), None) => {
                row.status = "deleted".to_owned();
                self.deleted.push((webhook_id, at_us));
            }
            (None, None) => {}
        }
        Ok(())
    }

    fn humanping_delivery(
        &mut self,
        projected: &ProjectedEvent,
        event: &TaskEvent,
    ) -> Result<(), ProjectionError> {
        let task_id = stream_suffix(&projected.stream_id);
        let Some(task) = self.humanping_tasks.cached(task_id) else {
            // Not a HumanPing task.
            return Ok(());
        };
        let poster = task.poster.clone();
        if let TaskEvent::SubmissionDisputed { at, .. } = event {
            let at_us = micros(*at);
            if task.last_disputed_at_us == Some(at_us) {
                // The same dispute's other proofs: already sent once.
                return Ok(());
            }
            let mut changed = task.clone();
            changed.last_disputed_at_us = Some(at_us);
            self.humanping_tasks.put(changed);
        }
        let task = TaskId::parse(task_id)
            .ok_or_else(|| ProjectionError::inconsistent(projected, "not a task id"))?;
        let agent = ActorId::parse(&poster)
            .ok_or_else(|| ProjectionError::inconsistent(projected, "the poster is not an id"))?;
        let destination = [task_endpoint_id(task), agent_endpoint_id(agent)]
            .into_iter()
            .find(|id| {
                self.endpoints
                    .cached(&id.to_string())
                    .is_some_and(|row| row.status == "active")
            });
        if let Some(webhook_id) = destination {
            self.put_delivery(webhook_id, &poster, projected);
        }
        Ok(())
    }
}

fn implicit_endpoint(
    webhook_id: String,
    owner: String,
    mode: &str,
    url: &str,
    at_us: i64,
) -> EndpointRow {
    let events = EventFilter::Only(TRIGGERS.iter().map(|t| (*t).to_owned()).collect());
    EndpointRow {
        webhook_id,
        owner,
        owner_role: "agent".to_owned(),
        mode: mode.to_owned(),
        url: url.to_owned(),
        format: WebhookFormat::HumanPing.as_str().to_owned(),
        events: serde_json::to_string(&events).expect("a filter serializes"),
        status: "active".to_owned(),
        registered_at_us: at_us,
    }
}
