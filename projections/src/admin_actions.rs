//! `admin_actions_view`: the audit trail of admin actions, one row per event
//! that records one — an actor frozen, unfrozen, banned or unbanned, a
//! listing suspended or reinstated (by an admin, or by its provider's ban) —
//! with who, what, when and why. Rows are written once and never changed:
//! the events are the record, this is their index for `GET /audit-log`.

use errand_aggregates::actor::ActorEvent;
use errand_aggregates::listing::ListingEvent;
use errand_aggregates::{Event, Timestamp};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::rows::{AnyQuery, Record, Rows, ViewRow};
use crate::{micros, stream_suffix, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AdminActions;

/// One row of `admin_actions_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminActionRow {
    /// The event's position, as text.
    pub entry_id: String,
    /// In Humai's words: `freeze_agent`, `unfreeze_agent`, `ban_provider`,
    /// `unban_provider`, `suspend_tool`, `reinstate_tool`.
    pub action: String,
    /// `actor` or `listing`.
    pub resource_type: String,
    pub resource_id: String,
    pub admin_id: String,
    pub reason: Option<String>,
    /// A listing's suspension cause (`admin`, `provider_banned`).
    pub cause: Option<String>,
    pub position: i64,
    pub at_us: i64,
}

impl Record for AdminActionRow {
    const TABLE: &'static str = "admin_actions_view";
    const COLUMNS: &'static [&'static str] = &[
        "entry_id",
        "action",
        "resource_type",
        "resource_id",
        "admin_id",
        "reason",
        "cause",
        "position",
        "at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.entry_id.as_str())
            .bind(self.action.as_str())
            .bind(self.resource_type.as_str())
            .bind(self.resource_id.as_str())
            .bind(self.admin_id.as_str())
            .bind(self.reason.as_deref())
            .bind(self.cause.as_deref())
            .bind(self.position)
            .bind(self.at_us)
    }
}

impl ViewRow for AdminActionRow {
    fn key(&self) -> &str {
        &self.entry_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(AdminActionRow {
            entry_id: row.try_get(0)?,
            action: row.try_get(1)?,
            resource_type: row.try_get(2)?,
            resource_id: row.try_get(3)?,
            admin_id: row.try_get(4)?,
            reason: row.try_get(5)?,
            cause: row.try_get(6)?,
            position: row.try_get(7)?,
            at_us: row.try_get(8)?,
        })
    }
}

/// What an event says an admin did, if it records an admin's action:
/// (action, resource type, admin, reason, cause, when).
type Recorded<'e> = (
    &'static str,
    &'static str,
    String,
    Option<&'e str>,
    Option<&'static str>,
    Timestamp,
);

fn recorded(event: &Event) -> Option<Recorded<'_>> {
    let actor = |action, by: &errand_aggregates::ids::ActorId, reason, at: &Timestamp| {
        Some((action, "actor", by.to_string(), reason, None, *at))
    };
    match event {
        Event::Actor(ActorEvent::ActorFrozen { by, reason, at }) => {
            actor("freeze_agent", by, Some(reason.as_str()), at)
        }
        Event::Actor(ActorEvent::ActorUnfrozen { by, reason, at }) => {
            actor("unfreeze_agent", by, reason.as_deref(), at)
        }
        Event::Actor(ActorEvent::ActorBanned { by, reason, at }) => {
            actor("ban_provider", by, Some(reason.as_str()), at)
        }
        Event::Actor(ActorEvent::ActorUnbanned { by, reason, at }) => {
            actor("unban_provider", by, reason.as_deref(), at)
        }
        Event::Listing(ListingEvent::ListingSuspended {
            cause,
            reason,
            by,
            at,
        }) => Some((
            "suspend_tool",
            "listing",
            by.to_string(),
            Some(reason.as_str()),
            Some(cause.as_str()),
            *at,
        )),
        Event::Listing(ListingEvent::ListingReinstated {
            cause,
            reason,
            by,
            at,
        }) => Some((
            "reinstate_tool",
            "listing",
            by.to_string(),
            Some(reason.as_str()),
            Some(cause.as_str()),
            *at,
        )),
        _ => None,
    }
}

impl Projection for AdminActions {
    fn name(&self) -> &'static str {
        "admin_actions"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["admin_actions_view"]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut actions = Rows::<AdminActionRow>::default();
        for projected in events {
            let Some((action, resource_type, admin_id, reason, cause, at)) =
                recorded(&projected.event)
            else {
                continue;
            };
            actions.put(AdminActionRow {
                entry_id: projected.position.to_string(),
                action: action.to_owned(),
                resource_type: resource_type.to_owned(),
                resource_id: stream_suffix(&projected.stream_id).to_owned(),
                admin_id,
                reason: reason.map(str::to_owned),
                cause: cause.map(str::to_owned),
                position: projected.position,
                at_us: micros(at),
            });
        }
        actions.flush(conn).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use errand_aggregates::ids::ActorId;
    use errand_aggregates::listing::{Reason, SuspensionCause};

    #[tokio::test]
    async fn every_admin_action_is_one_row_with_who_what_when_and_why() {
        let mut db = TestDb::new().await;
        let admin = ActorId(new_id());
        let agent = new_id();
        let listing = new_id();
        let reason = Reason::parse("Terms of service violation").expect("a reason");
        let events = vec![
            projected(
                1,
                &format!("actor-{agent}"),
                Event::Actor(ActorEvent::ActorFrozen {
                    by: admin,
                    reason: "odd usage".into(),
                    at: at(1),
                }),
            ),
            projected(
                2,
                &format!("actor-{agent}"),
                Event::Actor(ActorEvent::ActorUnfrozen {
                    by: admin,
                    reason: None,
                    at: at(2),
                }),
            ),
            projected(
                3,
                &format!("actor-{agent}"),
                Event::Actor(ActorEvent::ActorRenamed {
                    name: "not an admin action".into(),
                    at: at(3),
                }),
            ),
            projected(
                4,
                &format!("listing-{listing}"),
                Event::Listing(ListingEvent::ListingSuspended {
                    cause: SuspensionCause::ProviderBanned,
                    reason: reason.clone(),
                    by: admin,
                    at: at(4),
                }),
            ),
        ];
        db.apply(&AdminActions, &events).await;
        let mut rows: Vec<AdminActionRow> = all_rows(&mut db.conn).await;
        rows.sort_by_key(|row| row.position);
        let seen: Vec<String> = rows
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {:?} {:?}",
                    r.action, r.resource_type, r.resource_id, r.reason, r.cause
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                format!("freeze_agent actor {agent} Some(\"odd usage\") None"),
                format!("unfreeze_agent actor {agent} None None"),
                format!(
                    "suspend_tool listing {listing} Some(\"Terms of service violation\") \
                     Some(\"provider_banned\")"
                ),
            ]
        );
        assert!(rows.iter().all(|r| r.admin_id == admin.to_string()));
        assert_eq!(rows[0].at_us, micros(at(1)));
    }
}
