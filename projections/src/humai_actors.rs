//! Humai's actors for search and stats: `humai_actors_view`, one row per
//! market profile (kind, halvening tier, founding or not, capability tags),
//! and `humai_capability_tags_view`, one row per (actor, tag), so a search
//! by tags is an indexed lookup rather than a scan. Names are the actors'
//! (`actors_view`), joined when read. Folds the `marketprofile-<actor>` streams.

use errand_aggregates::humai::capabilities::CapabilityTag;
use errand_aggregates::humai::MarketProfileEvent;
use errand_aggregates::Event;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::rows::{AnyQuery, Record, Rows, ViewRow};
use crate::{micros, stream_suffix, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HumaiActors;

/// One row of `humai_actors_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HumaiActorRow {
    pub actor_id: String,
    /// `human` or `delegated_agent`.
    pub kind: String,
    /// The founding slot's halvening tier; 0 without a slot.
    pub tier: i64,
    pub is_founding: bool,
    /// The tags as a JSON array, in the actor's order.
    pub capability_tags: String,
    pub opened_at_us: i64,
    pub updated_at_us: i64,
}

impl Record for HumaiActorRow {
    const TABLE: &'static str = "humai_actors_view";
    const COLUMNS: &'static [&'static str] = &[
        "actor_id",
        "kind",
        "tier",
        "is_founding",
        "capability_tags",
        "opened_at_us",
        "updated_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.actor_id.as_str())
            .bind(self.kind.as_str())
            .bind(self.tier)
            .bind(i64::from(self.is_founding))
            .bind(self.capability_tags.as_str())
            .bind(self.opened_at_us)
            .bind(self.updated_at_us)
    }
}

impl ViewRow for HumaiActorRow {
    fn key(&self) -> &str {
        &self.actor_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(HumaiActorRow {
            actor_id: row.try_get(0)?,
            kind: row.try_get(1)?,
            tier: row.try_get(2)?,
            is_founding: row.try_get::<i64, _>(3)? != 0,
            capability_tags: row.try_get(4)?,
            opened_at_us: row.try_get(5)?,
            updated_at_us: row.try_get(6)?,
        })
    }
}

/// One row of `humai_capability_tags_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapabilityTagRow {
    /// `<actor id>:<tag>`.
    pub tag_key: String,
    pub actor_id: String,
    pub tag: String,
}

impl CapabilityTagRow {
    fn new(actor_id: &str, tag: &CapabilityTag) -> Self {
        CapabilityTagRow {
            tag_key: format!("{actor_id}:{}", tag.as_str()),
            actor_id: actor_id.to_owned(),
            tag: tag.as_str().to_owned(),
        }
    }
}

impl Record for CapabilityTagRow {
    const TABLE: &'static str = "humai_capability_tags_view";
    const COLUMNS: &'static [&'static str] = &["tag_key", "actor_id", "tag"];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.tag_key.as_str())
            .bind(self.actor_id.as_str())
            .bind(self.tag.as_str())
    }
}

impl ViewRow for CapabilityTagRow {
    fn key(&self) -> &str {
        &self.tag_key
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(CapabilityTagRow {
            tag_key: row.try_get(0)?,
            actor_id: row.try_get(1)?,
            tag: row.try_get(2)?,
        })
    }
}

fn tags_json(tags: &[CapabilityTag]) -> String {
    let names: Vec<&str> = tags.iter().map(CapabilityTag::as_str).collect();
    serde_json::Value::from(names).to_string()
}

impl Projection for HumaiActors {
    fn name(&self) -> &'static str {
        "humai_actors"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["humai_actors_view", "humai_capability_tags_view"]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut actors = Rows::<HumaiActorRow>::default();
        let mut tags = Rows::<CapabilityTagRow>::default();
        let retagged = events
            .iter()
            .filter(|e| {
                matches!(
                    e.event,
                    Event::MarketProfile(MarketProfileEvent::CapabilitiesRegistered { .. })
                )
            })
            .map(|e| stream_suffix(&e.stream_id).to_owned());
        tags.prefetch_where(conn, "actor_id", retagged).await?;
        for projected in events {
            let Event::MarketProfile(event) = &projected.event else {
                continue;
            };
            let actor_id = stream_suffix(&projected.stream_id);
            match event {
                MarketProfileEvent::MarketProfileOpened {
                    kind,
                    capability_tags,
                    founding,
                    at,
                    ..
                } => {
                    actors.put(HumaiActorRow {
                        actor_id: actor_id.to_owned(),
                        kind: kind.as_str().to_owned(),
                        tier: founding.map_or(0, |f| i64::from(f.tier)),
                        is_founding: founding.is_some(),
                        capability_tags: tags_json(capability_tags),
                        opened_at_us: micros(*at),
                        updated_at_us: micros(*at),
                    });
                    for tag in capability_tags {
                        tags.put(CapabilityTagRow::new(actor_id, tag));
                    }
                }
                MarketProfileEvent::CapabilitiesRegistered {
                    capability_tags,
                    at,
                } => {
                    let row = actors.get_mut(conn, actor_id).await?.ok_or_else(|| {
                        ProjectionError::inconsistent(projected, "market profile never opened")
                    })?;
                    row.capability_tags = tags_json(capability_tags);
                    row.updated_at_us = micros(*at);
                    tags.remove_cached(|row| row.actor_id == actor_id);
                    for tag in capability_tags {
                        tags.put(CapabilityTagRow::new(actor_id, tag));
                    }
                }
                // Bios, specializations, portfolios and imported reputation
                // are read from the stream.
                MarketProfileEvent::MarketProfileUpdated { .. }
                | MarketProfileEvent::PortfolioItemAdded { .. }
                | MarketProfileEvent::PortfolioItemUpdated { .. }
                | MarketProfileEvent::PortfolioItemRemoved { .. }
                | MarketProfileEvent::ExternalReputationImported { .. } => {}
            }
        }
        actors.flush(conn).await?;
        tags.flush(conn).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use errand_aggregates::humai::capabilities::Framework;
    use errand_aggregates::humai::market_profile::{ActorKind, Founding};
    use errand_aggregates::ids::ActorId;

    fn tags(names: &[&str]) -> Vec<CapabilityTag> {
        names
            .iter()
            .map(|n| CapabilityTag::parse(n).unwrap())
            .collect()
    }

    fn opened(actor: ActorId, founding: Option<Founding>, names: &[&str]) -> Event {
        Event::MarketProfile(MarketProfileEvent::MarketProfileOpened {
            actor_id: actor,
            kind: ActorKind::DelegatedAgent,
            capability_tags: tags(names),
            framework: Some(Framework::Langgraph),
            owner_wallet: None,
            agent_address: None,
            founding,
            at: at(1),
        })
    }

    fn stream(actor: ActorId) -> String {
        format!("marketprofile-{actor}")
    }

    async fn tags_of(db: &mut TestDb, actor: ActorId) -> Vec<String> {
        let mut rows: Vec<CapabilityTagRow> = all_rows(&mut db.conn).await;
        rows.retain(|row| row.actor_id == actor.to_string());
        let mut names: Vec<String> = rows.into_iter().map(|row| row.tag).collect();
        names.sort();
        names
    }

    #[tokio::test]
    async fn an_opened_profile_is_listed_with_its_tier_and_tags() {
        let mut db = TestDb::new().await;
        let (founder, latecomer) = (ActorId(new_id()), ActorId(new_id()));
        let founding = Some(Founding { slot: 251, tier: 1 });
        let events = [
            projected(
                1,
                &stream(founder),
                opened(founder, founding, &["nlp", "data:extraction"]),
            ),
            projected(2, &stream(latecomer), opened(latecomer, None, &[])),
        ];
        db.apply(&HumaiActors, &events).await;
        let rows: Vec<HumaiActorRow> = all_rows(&mut db.conn).await;
        let row = rows
            .iter()
            .find(|r| r.actor_id == founder.to_string())
            .unwrap();
        assert_eq!((row.tier, row.is_founding), (1, true));
        assert_eq!(row.kind, "delegated_agent");
        assert_eq!(row.capability_tags, r#"["nlp","data:extraction"]"#);
        let row = rows
            .iter()
            .find(|r| r.actor_id == latecomer.to_string())
            .unwrap();
        assert_eq!((row.tier, row.is_founding), (0, false));
        assert_eq!(tags_of(&mut db, founder).await, ["data:extraction", "nlp"]);
        assert!(tags_of(&mut db, latecomer).await.is_empty());
    }

    #[tokio::test]
    async fn registered_capabilities_replace_the_tags_in_a_later_batch_and_in_the_same() {
        let mut db = TestDb::new().await;
        let agent = ActorId(new_id());
        let register = |position, names: &[&str]| {
            projected(
                position,
                &stream(agent),
                Event::MarketProfile(MarketProfileEvent::CapabilitiesRegistered {
                    capability_tags: tags(names),
                    at: at(position),
                }),
            )
        };
        db.apply(
            &HumaiActors,
            &[
                projected(1, &stream(agent), opened(agent, None, &["nlp"])),
                register(2, &["code:python"]),
            ],
        )
        .await;
        assert_eq!(tags_of(&mut db, agent).await, ["code:python"]);
        db.apply(
            &HumaiActors,
            &[register(3, &["nlp:summarization", "data:extraction"])],
        )
        .await;
        assert_eq!(
            tags_of(&mut db, agent).await,
            ["data:extraction", "nlp:summarization"]
        );
        let rows: Vec<HumaiActorRow> = all_rows(&mut db.conn).await;
        assert_eq!(
            rows[0].capability_tags,
            r#"["nlp:summarization","data:extraction"]"#
        );
        assert_eq!(rows[0].updated_at_us, micros(at(3)));
    }
}
