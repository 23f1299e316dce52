//! The outbox's tables, as structs: endpoints, deliveries, their attempts,
//! and the parties to tasks and deposits that decide who may see what.

use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::rows::{AnyQuery, Record, ViewRow};

/// One row of `webhook_endpoints_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointRow {
    pub webhook_id: String,
    pub owner: String,
    /// `agent`, `human` or `admin`: an admin's endpoint may be sent everything.
    pub owner_role: String,
    /// `live` or `test`: which mode's events it is sent.
    pub mode: String,
    pub url: String,
    /// `native`, `humanping`.
    pub format: String,
    /// The event filter as stored in the event (`{"kind":"all"}` or
    /// `{"kind":"only","types":[…]}`).
    pub events: String,
    /// `active` or `deleted`.
    pub status: String,
    pub registered_at_us: i64,
}

impl Record for EndpointRow {
    const TABLE: &'static str = "webhook_endpoints_view";
    const COLUMNS: &'static [&'static str] = &[
        "webhook_id",
        "owner",
        "owner_role",
        "mode",
        "url",
        "format",
        "events",
        "status",
        "registered_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.webhook_id.as_str())
            .bind(self.owner.as_str())
            .bind(self.owner_role.as_str())
            .bind(self.mode.as_str())
            .bind(self.url.as_str())
            .bind(self.format.as_str())
            .bind(self.events.as_str())
            .bind(self.status.as_str())
            .bind(self.registered_at_us)
    }
}

impl ViewRow for EndpointRow {
    fn key(&self) -> &str {
        &self.webhook_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(EndpointRow {
            webhook_id: row.try_get(0)?,
            owner: row.try_get(1)?,
            owner_role: row.try_get(2)?,
            mode: row.try_get(3)?,
            url: row.try_get(4)?,
            format: row.try_get(5)?,
            events: row.try_get(6)?,
            status: row.try_get(7)?,
            registered_at_us: row.try_get(8)?,
        })
    }
}

/// One row of `webhook_deliveries`: one event for one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    /// `webhook::delivery_id(webhook, position)`: the same after a rebuild.
    pub delivery_id: String,
    pub webhook_id: String,
    /// The endpoint's owner, who lists it.
    pub owner: String,
    /// The journal position of the event sent.
    pub position: i64,
    pub event_type: String,
    /// `pending`, `delivered`, `failed`, or `cancelled` (its endpoint was
    /// deleted before it was delivered).
    pub status: String,
    pub attempts: i64,
    /// When a pending delivery is next tried: the event's time, then each
    /// failed attempt's `retry_at`.
    pub due_at_us: i64,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

impl Record for DeliveryRow {
    const TABLE: &'static str = "webhook_deliveries";
    const COLUMNS: &'static [&'static str] = &[
        "delivery_id",
        "webhook_id",
        "owner",
        "position",
        "event_type",
        "status",
        "attempts",
        "due_at_us",
        "created_at_us",
        "updated_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.delivery_id.as_str())
            .bind(self.webhook_id.as_str())
            .bind(self.owner.as_str())
            .bind(self.position)
            .bind(self.event_type.as_str())
            .bind(self.status.as_str())
            .bind(self.attempts)
            .bind(self.due_at_us)
            .bind(self.created_at_us)
            .bind(self.updated_at_us)
    }
}

impl ViewRow for DeliveryRow {
    fn key(&self) -> &str {
        &self.delivery_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(DeliveryRow {
            delivery_id: row.try_get(0)?,
            webhook_id: row.try_get(1)?,
            owner: row.try_get(2)?,
            position: row.try_get(3)?,
            event_type: row.try_get(4)?,
            status: row.try_get(5)?,
            attempts: row.try_get(6)?,
            due_at_us: row.try_get(7)?,
            created_at_us: row.try_get(8)?,
            updated_at_us: row.try_get(9)?,
        })
    }
}

/// One row of `webhook_delivery_attempts`; only ever inserted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRow {
    pub delivery_id: String,
    /// 1, 2, … within the delivery.
    pub attempt: i64,
    /// `delivered`, `retrying` or `failed`.
    pub outcome: String,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub at_us: i64,
    /// When the next attempt is due, after a `retrying` one.
    pub retry_at_us: Option<i64>,
}

impl AttemptRow {
    pub fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(AttemptRow {
            delivery_id: row.try_get(0)?,
            attempt: row.try_get(1)?,
            outcome: row.try_get(2)?,
            status_code: row.try_get(3)?,
            error: row.try_get(4)?,
            duration_ms: row.try_get(5)?,
            at_us: row.try_get(6)?,
            retry_at_us: row.try_get(7)?,
        })
    }
}

impl Record for AttemptRow {
    const TABLE: &'static str = "webhook_delivery_attempts";
    const COLUMNS: &'static [&'static str] = &[
        "delivery_id",
        "attempt",
        "outcome",
        "status_code",
        "error",
        "duration_ms",
        "at_us",
        "retry_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.delivery_id.as_str())
            .bind(self.attempt)
            .bind(self.outcome.as_str())
            .bind(self.status_code)
            .bind(self.error.as_deref())
            .bind(self.duration_ms)
            .bind(self.at_us)
            .bind(self.retry_at_us)
    }
}

/// One row of `webhook_parties`: someone who takes part in a task or owns a
/// deposit, remembered so that later events about it reach them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyRow {
    /// `<role>:<id>`: `poster:<task>`, `assignment:<id>`, `submission:<id>`,
    /// `deposit:<id>`, `paid:<task>` (the human an approval paid last, for
    /// Humans2AI's `task.completed`).
    pub party_id: String,
    /// The task or deposit it is about.
    pub subject_id: String,
    pub actor_id: String,
    /// The subject's mode.
    pub mode: String,
}

impl Record for PartyRow {
    const TABLE: &'static str = "webhook_parties";
    const COLUMNS: &'static [&'static str] = &["party_id", "subject_id", "actor_id", "mode"];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.party_id.as_str())
            .bind(self.subject_id.as_str())
            .bind(self.actor_id.as_str())
            .bind(self.mode.as_str())
    }
}

impl ViewRow for PartyRow {
    fn key(&self) -> &str {
        &self.party_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(PartyRow {
            party_id: row.try_get(0)?,
            subject_id: row.try_get(1)?,
            actor_id: row.try_get(2)?,
            mode: row.try_get(3)?,
        })
    }
}

/// A pending delivery that is due, with what sending it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    pub delivery_id: String,
    pub webhook_id: String,
    /// The endpoint's owner (a HumanPing agent's secret is theirs).
    pub owner: String,
    pub position: i64,
    pub event_type: String,
    /// Attempts made so far; the next is this plus one.
    pub attempts: i64,
    pub due_at_us: i64,
    pub url: String,
    pub format: String,
}

/// Up to `limit` pending deliveries due at `now_us` or before, at active
/// endpoints, earliest first.
pub async fn due<'c, E>(
    executor: E,
    now_us: i64,
    limit: i64,
) -> Result<Vec<DueDelivery>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = Any>,
{
    let rows = sqlx::query(
        "SELECT d.delivery_id, d.webhook_id, d.owner, d.position, d.event_type, d.attempts, d.due_at_us, \
                e.url, e.format \
         FROM webhook_deliveries d JOIN webhook_endpoints_view e ON e.webhook_id = d.webhook_id \
         WHERE d.status = 'pending' AND d.due_at_us <= $1 AND e.status = 'active' \
         ORDER BY d.due_at_us, d.delivery_id LIMIT $2",
    )
    .bind(now_us)
    .bind(limit)
    .fetch_all(executor)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(DueDelivery {
                delivery_id: row.try_get(0)?,
                webhook_id: row.try_get(1)?,
                owner: row.try_get(2)?,
                position: row.try_get(3)?,
                event_type: row.try_get(4)?,
                attempts: row.try_get(5)?,
                due_at_us: row.try_get(6)?,
                url: row.try_get(7)?,
                format: row.try_get(8)?,
            })
        })
        .collect()
}
