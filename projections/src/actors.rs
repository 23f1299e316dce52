//! `actors_view`: every registered actor with their role and standing.

use errand_aggregates::actor::{ActorEvent, Standing};
use errand_aggregates::Event;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::rows::{AnyQuery, Record, Rows, ViewRow};
use crate::{micros, stream_suffix, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Actors;

/// One row of `actors_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorView {
    pub actor_id: String,
    /// `agent`, `human` or `admin`.
    pub role: String,
    pub name: String,
    pub email: Option<String>,
    /// `active`, `frozen` or `banned`.
    pub standing: String,
    pub registered_at_us: i64,
    pub updated_at_us: i64,
}

impl Record for ActorView {
    const TABLE: &'static str = "actors_view";
    const COLUMNS: &'static [&'static str] = &[
        "actor_id",
        "role",
        "name",
        "email",
        "standing",
        "registered_at_us",
        "updated_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.actor_id.as_str())
            .bind(self.role.as_str())
            .bind(self.name.as_str())
            .bind(self.email.as_deref())
            .bind(self.standing.as_str())
            .bind(self.registered_at_us)
            .bind(self.updated_at_us)
    }
}

impl ViewRow for ActorView {
    fn key(&self) -> &str {
        &self.actor_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(ActorView {
            actor_id: row.try_get(0)?,
            role: row.try_get(1)?,
            name: row.try_get(2)?,
            email: row.try_get(3)?,
            standing: row.try_get(4)?,
            registered_at_us: row.try_get(5)?,
            updated_at_us: row.try_get(6)?,
        })
    }
}

impl Projection for Actors {
    fn name(&self) -> &'static str {
        "actors"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["actors_view"]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut actors = Rows::<ActorView>::default();
        let changed = events
            .iter()
            .filter(|e| {
                matches!(&e.event, Event::Actor(event)
                    if !matches!(event, ActorEvent::ActorRegistered { .. } | ActorEvent::DetailsRecorded { .. }))
            })
            .map(|e| stream_suffix(&e.stream_id).to_owned());
        actors.prefetch(conn, changed).await?;
        for projected in events {
            let Event::Actor(event) = &projected.event else {
                continue;
            };
            let actor_id = stream_suffix(&projected.stream_id);
            let (standing, at) = match event {
                ActorEvent::ActorRenamed { name, at } => {
                    let actor = actors.get_mut(conn, actor_id).await?.ok_or_else(|| {
                        ProjectionError::inconsistent(projected, "actor was never registered")
                    })?;
                    actor.name = name.clone();
                    actor.updated_at_us = micros(*at);
                    continue;
                }
                ActorEvent::ActorRegistered {
                    role,
                    name,
                    email,
                    registered_at,
                    ..
                } => {
                    actors.put(ActorView {
                        actor_id: actor_id.to_owned(),
                        role: role.as_str().to_owned(),
                        name: name.clone(),
                        email: email.as_ref().map(|e| e.as_str().to_owned()),
                        standing: Standing::Active.as_str().to_owned(),
                        registered_at_us: micros(*registered_at),
                        updated_at_us: micros(*registered_at),
                    });
                    continue;
                }
                ActorEvent::ActorFrozen { at, .. } => (Some(Standing::Frozen), at),
                ActorEvent::ActorBanned { at, .. } => (Some(Standing::Banned), at),
                ActorEvent::ActorUnfrozen { at, .. } | ActorEvent::ActorUnbanned { at, .. } => {
                    (Some(Standing::Active), at)
                }
                // Profiles and verification are read from the actor's stream.
                ActorEvent::ProfileUpdated { at, .. }
                | ActorEvent::EmailVerificationIssued { at, .. }
                | ActorEvent::EmailVerified { at, .. } => (None, at),
                // Dialect details are read from the actor's stream, not listed.
                ActorEvent::DetailsRecorded { .. } => continue,
            };
            let actor = actors.get_mut(conn, actor_id).await?.ok_or_else(|| {
                ProjectionError::inconsistent(projected, "actor was never registered")
            })?;
            if let Some(standing) = standing {
                actor.standing = standing.as_str().to_owned();
            }
            actor.updated_at_us = micros(*at);
        }
        actors.flush(conn).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use errand_aggregates::actor::{ActorCommand, Caller, Email, Role};
    use errand_aggregates::ids::ActorId;

    #[tokio::test]
    async fn a_registered_then_frozen_then_banned_actor_reads_banned() {
        let mut db = TestDb::new().await;
        let actor = ActorId(uuid::Uuid::now_v7());
        let admin = Caller {
            actor: ActorId(uuid::Uuid::now_v7()),
            role: Role::Admin,
            standing: Standing::Active,
        };
        let mut journal = TestJournal::default();
        journal.actor(
            actor,
            ActorCommand::Register {
                actor_id: actor,
                role: Role::Human,
                name: "Ada".into(),
                email: Some(Email::parse("Ada@Example.com").unwrap()),
                at: at(0),
            },
        );
        // Applied in its own batch, so the later events find it in the table.
        db.apply(&Actors, &journal.take()).await;
        journal.actor(
            actor,
            ActorCommand::Freeze {
                by: admin,
                reason: "chargeback".into(),
                at: at(10),
            },
        );
        journal.actor(
            actor,
            ActorCommand::Ban {
                by: admin,
                reason: "fraud".into(),
                at: at(20),
            },
        );
        db.apply(&Actors, &journal.take()).await;

        let row = ActorView::find(&mut db.conn, &actor.to_string())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            row,
            ActorView {
                actor_id: actor.to_string(),
                role: "human".into(),
                name: "Ada".into(),
                email: Some("ada@example.com".into()),
                standing: "banned".into(),
                registered_at_us: micros(at(0)),
                updated_at_us: micros(at(20)),
            }
        );
    }

    #[tokio::test]
    async fn a_standing_change_for_an_unknown_actor_is_refused() {
        let mut db = TestDb::new().await;
        let actor = ActorId(uuid::Uuid::now_v7());
        let event = projected(
            1,
            &format!("actor-{actor}"),
            Event::Actor(ActorEvent::ActorFrozen {
                by: actor,
                reason: "x".into(),
                at: at(0),
            }),
        );
        let error = Actors.apply(&mut db.conn, &event).await.unwrap_err();
        assert!(matches!(
            error,
            ProjectionError::Inconsistent { position: 1, .. }
        ));
    }
}
