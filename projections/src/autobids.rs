//! Humai's auto-bidding: `autobid_rules_view`, each agent's rules, and
//! `autobid_attempts_view`, one row per (rule, new buy listing it matches).
//!
//! This is the process's projection half: it decides, in journal order and
//! so the same on every replay, which rules a new listing matches (enabled,
//! same mode, not the rule owner's own listing, `AutoBidRule::matches`),
//! and writes a `pending` attempt for each. The runtime's auto-bidder
//! (`src/runtime/autobids.rs`) places pending attempts through the bus; the
//! `AutoBidPlaced` or `AutoBidSkipped` that results marks the row, so an
//! attempt is pending until the journal says how it ended.

use errand_aggregates::autobid::{AutoBidEvent, AutoBidRule};
use errand_aggregates::listing::ListingEvent;
use errand_aggregates::Event;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row};

use crate::rows::{AnyQuery, Record, Rows, ViewRow};
use crate::{micros, stream_suffix, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AutoBids;

pub const PENDING: &str = "pending";
pub const PLACED: &str = "placed";
pub const SKIPPED: &str = "skipped";

/// One row of `autobid_rules_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoBidRuleRow {
    pub rule_id: String,
    pub actor_id: String,
    pub mode: String,
    pub enabled: i64,
    /// `AutoBidRule` as JSON.
    pub rule: String,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

impl Record for AutoBidRuleRow {
    const TABLE: &'static str = "autobid_rules_view";
    const COLUMNS: &'static [&'static str] = &[
        "rule_id",
        "actor_id",
        "mode",
        "enabled",
        "rule",
        "created_at_us",
        "updated_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.rule_id.as_str())
            .bind(self.actor_id.as_str())
            .bind(self.mode.as_str())
            .bind(self.enabled)
            .bind(self.rule.as_str())
            .bind(self.created_at_us)
            .bind(self.updated_at_us)
    }
}

impl ViewRow for AutoBidRuleRow {
    fn key(&self) -> &str {
        &self.rule_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(AutoBidRuleRow {
            rule_id: row.try_get(0)?,
            actor_id: row.try_get(1)?,
            mode: row.try_get(2)?,
            enabled: row.try_get(3)?,
            rule: row.try_get(4)?,
            created_at_us: row.try_get(5)?,
            updated_at_us: row.try_get(6)?,
        })
    }
}

/// One row of `autobid_attempts_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoBidAttemptRow {
    pub bid_id: String,
    pub rule_id: String,
    pub actor_id: String,
    pub listing_id: String,
    pub mode: String,
    /// pending | placed | skipped
    pub status: String,
    pub reason: Option<String>,
    pub position: i64,
    pub updated_at_us: i64,
}

impl Record for AutoBidAttemptRow {
    const TABLE: &'static str = "autobid_attempts_view";
    const COLUMNS: &'static [&'static str] = &[
        "bid_id",
        "rule_id",
        "actor_id",
        "listing_id",
        "mode",
        "status",
        "reason",
        "position",
        "updated_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.bid_id.as_str())
            .bind(self.rule_id.as_str())
            .bind(self.actor_id.as_str())
            .bind(self.listing_id.as_str())
            .bind(self.mode.as_str())
            .bind(self.status.as_str())
            .bind(self.reason.as_deref())
            .bind(self.position)
            .bind(self.updated_at_us)
    }
}

impl ViewRow for AutoBidAttemptRow {
    fn key(&self) -> &str {
        &self.bid_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(AutoBidAttemptRow {
            bid_id: row.try_get(0)?,
            rule_id: row.try_get(1)?,
            actor_id: row.try_get(2)?,
            listing_id: row.try_get(3)?,
            mode: row.try_get(4)?,
            status: row.try_get(5)?,
            reason: row.try_get(6)?,
            position: row.try_get(7)?,
            updated_at_us: row.try_get(8)?,
        })
    }
}

/// Up to `limit` pending attempts, oldest listing first.
pub async fn pending<'c, E>(executor: E, limit: i64) -> Result<Vec<AutoBidAttemptRow>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = Any>,
{
    let sql = format!(
        "SELECT {} FROM autobid_attempts_view WHERE status = 'pending' \
         ORDER BY position, bid_id LIMIT $1",
        AutoBidAttemptRow::COLUMNS.join(", ")
    );
    let rows = sqlx::query(&sql).bind(limit).fetch_all(executor).await?;
    rows.iter().map(AutoBidAttemptRow::decode).collect()
}

fn is_new_buy_listing(event: &Event) -> bool {
    matches!(
        event,
        Event::Listing(ListingEvent::ListingCreated {
            direction: errand_aggregates::listing::Direction::Buy,
            ..
        })
    )
}

impl Projection for AutoBids {
    fn name(&self) -> &'static str {
        "autobids"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["autobid_rules_view", "autobid_attempts_view"]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut rules = Rows::<AutoBidRuleRow>::default();
        let mut attempts = Rows::<AutoBidAttemptRow>::default();
        // Every enabled rule, before any event changes one, so the cache
        // holds each rule as of the event being applied.
        if events.iter().any(|e| is_new_buy_listing(&e.event)) {
            rules.prefetch_matching(conn, "enabled = 1").await?;
        }
        for projected in events {
            match &projected.event {
                Event::AutoBid(event) => {
                    apply_rules_event(conn, &mut rules, &mut attempts, projected, event).await?;
                }
                Event::Listing(ListingEvent::ListingCreated {
                    listing_id,
                    owner,
                    mode,
                    direction,
                    listing_type,
                    details,
                    ..
                }) => {
                    let owner = owner.to_string();
                    let matching: Vec<(String, String)> = rules
                        .cached_where(|row| {
                            row.enabled == 1 && row.mode == mode.as_str() && row.actor_id != owner
                        })
                        .into_iter()
                        .filter(|row| {
                            serde_json::from_str::<AutoBidRule>(&row.rule)
                                .is_ok_and(|rule| rule.matches(*direction, *listing_type, details))
                        })
                        .map(|row| (row.rule_id.clone(), row.actor_id.clone()))
                        .collect();
                    for (rule_id, actor_id) in matching {
                        let rule = errand_aggregates::autobid::RuleId::parse(&rule_id).ok_or_else(
                            || ProjectionError::inconsistent(projected, "a rule id is not a UUID"),
                        )?;
                        let bid_id = errand_aggregates::autobid::auto_bid_id(rule, *listing_id);
                        attempts.put(AutoBidAttemptRow {
                            bid_id: bid_id.to_string(),
                            rule_id,
                            actor_id,
                            listing_id: listing_id.to_string(),
                            mode: mode.as_str().to_owned(),
                            status: PENDING.to_owned(),
                            reason: None,
                            position: projected.position,
                            updated_at_us: micros(projected.recorded_at),
                        });
                    }
                }
                _ => {}
            }
        }
        rules.flush(conn).await?;
        attempts.flush(conn).await?;
        Ok(())
    }
}

async fn apply_rules_event(
    conn: &mut AnyConnection,
    rules: &mut Rows<AutoBidRuleRow>,
    attempts: &mut Rows<AutoBidAttemptRow>,
    projected: &ProjectedEvent,
    event: &AutoBidEvent,
) -> Result<(), ProjectionError> {
    let actor_id = stream_suffix(&projected.stream_id).to_owned();
    match event {
        AutoBidEvent::AutoBidRuleSet {
            rule_id,
            rule,
            enabled,
            mode,
            at,
        } => {
            let key = rule_id.to_string();
            let created_at_us = rules
                .get_mut(conn, &key)
                .await?
                .map_or(micros(*at), |row| row.created_at_us);
            let rule = serde_json::to_string(rule)
                .map_err(|error| ProjectionError::inconsistent(projected, error.to_string()))?;
            rules.put(AutoBidRuleRow {
                rule_id: key,
                actor_id,
                mode: mode.as_str().to_owned(),
                enabled: i64::from(*enabled),
                rule,
                created_at_us,
                updated_at_us: micros(*at),
            });
        }
        AutoBidEvent::AutoBidRuleDeleted { rule_id, .. } => {
            rules.remove(&rule_id.to_string());
        }
        AutoBidEvent::AutoBidPlaced { bid_id, at, .. } => {
            if let Some(row) = attempts.get_mut(conn, &bid_id.to_string()).await? {
                row.status = PLACED.to_owned();
                row.updated_at_us = micros(*at);
            }
        }
        AutoBidEvent::AutoBidSkipped {
            bid_id, reason, at, ..
        } => {
            if let Some(row) = attempts.get_mut(conn, &bid_id.to_string()).await? {
                row.status = SKIPPED.to_owned();
                row.reason = Some(reason.as_str().to_owned());
                row.updated_at_us = micros(*at);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listings::tests::details;
    use crate::testing::*;
    use errand_aggregates::autobid::{auto_bid_id, RuleId, RuleInput, SkipReason};
    use errand_aggregates::ids::{ActorId, ListingId};
    use errand_aggregates::listing::{Direction, ListingType};
    use errand_aggregates::mode::Mode;
    use errand_aggregates::money::Money;

    fn rule_set(rule_id: RuleId, tags: &[&str], enabled: bool, mode: Mode) -> Event {
        let input = RuleInput {
            max_price: Some(Money::usd(5_000)),
            category_tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            ..RuleInput::default()
        };
        Event::AutoBid(AutoBidEvent::AutoBidRuleSet {
            rule_id,
            rule: AutoBidRule::parse(&input).unwrap(),
            enabled,
            mode,
            at: at(1),
        })
    }

    /// A buy request tagged research:competitive and data:analysis.
    fn created(listing_id: ListingId, owner: ActorId, mode: Mode, buy: bool) -> Event {
        Event::Listing(ListingEvent::ListingCreated {
            listing_id,
            owner,
            mode,
            direction: if buy { Direction::Buy } else { Direction::Sell },
            listing_type: ListingType::TaskExecution,
            details: Box::new(details("Competitor report", buy)),
            at: at(2),
        })
    }

    #[tokio::test]
    async fn a_new_buy_listing_is_one_pending_attempt_per_enabled_matching_rule_of_another_actor_in_its_mode(
    ) {
        let mut db = TestDb::new().await;
        let (agent, buyer) = (ActorId(new_id()), ActorId(new_id()));
        let agent_stream = format!("autobid-{agent}");
        let [data, design, off, test_mode] = [(); 4].map(|_| RuleId(new_id()));
        let [request, own, offer, test_request, later] = [(); 5].map(|_| ListingId(new_id()));
        let listing_stream = |id: ListingId| format!("listing-{id}");
        let events = vec![
            projected(
                1,
                &agent_stream,
                rule_set(data, &["data:*"], true, Mode::Live),
            ),
            projected(
                2,
                &agent_stream,
                rule_set(design, &["design:*"], true, Mode::Live),
            ),
            projected(3, &agent_stream, rule_set(off, &["*"], false, Mode::Live)),
            projected(
                4,
                &agent_stream,
                rule_set(test_mode, &["*"], true, Mode::Test),
            ),
            projected(
                5,
                &listing_stream(request),
                created(request, buyer, Mode::Live, true),
            ),
            projected(
                6,
                &listing_stream(own),
                created(own, agent, Mode::Live, true),
            ),
            projected(
                7,
                &listing_stream(offer),
                created(offer, buyer, Mode::Live, false),
            ),
            projected(
                8,
                &listing_stream(test_request),
                created(test_request, buyer, Mode::Test, true),
            ),
        ];
        // In batches of every size, the same rows.
        for batch_size in [1, 3, events.len()] {
            let mut db = TestDb::new().await;
            for batch in events.chunks(batch_size) {
                db.apply(&AutoBids, batch).await;
            }
            let attempts: Vec<AutoBidAttemptRow> = all_rows(&mut db.conn).await;
            let mut seen: Vec<(String, String)> = attempts
                .iter()
                .map(|a| (a.rule_id.clone(), a.listing_id.clone()))
                .collect();
            seen.sort();
            let mut want = vec![
                (data.to_string(), request.to_string()),
                (test_mode.to_string(), test_request.to_string()),
            ];
            want.sort();
            assert_eq!(seen, want, "batches of {batch_size}");
            assert!(attempts.iter().all(|a| a.status == PENDING));
        }
        db.apply(&AutoBids, &events).await;
        let bid = auto_bid_id(data, request);
        let pending_now = pending(&mut db.conn, 10).await.unwrap();
        assert_eq!(pending_now.len(), 2);
        assert_eq!(pending_now[0].bid_id, bid.to_string(), "oldest first");

        // Placed and skipped mark their rows; a deleted rule matches nothing more.
        let test_bid = auto_bid_id(test_mode, test_request);
        let outcomes = vec![
            projected(
                9,
                &agent_stream,
                Event::AutoBid(AutoBidEvent::AutoBidPlaced {
                    rule_id: data,
                    listing_id: request,
                    bid_id: bid,
                    released: vec![],
                    at: at(3),
                }),
            ),
            projected(
                10,
                &agent_stream,
                Event::AutoBid(AutoBidEvent::AutoBidSkipped {
                    rule_id: test_mode,
                    listing_id: test_request,
                    bid_id: test_bid,
                    reason: SkipReason::new("already_bid"),
                    at: at(3),
                }),
            ),
            projected(
                11,
                &agent_stream,
                Event::AutoBid(AutoBidEvent::AutoBidRuleDeleted {
                    rule_id: data,
                    at: at(4),
                }),
            ),
            projected(
                12,
                &listing_stream(later),
                created(later, buyer, Mode::Live, true),
            ),
        ];
        db.apply(&AutoBids, &outcomes).await;
        let mut attempts: Vec<AutoBidAttemptRow> = all_rows(&mut db.conn).await;
        attempts.sort_by_key(|a| a.position);
        let states: Vec<(&str, Option<&str>)> = attempts
            .iter()
            .map(|a| (a.status.as_str(), a.reason.as_deref()))
            .collect();
        assert_eq!(states, vec![(PLACED, None), (SKIPPED, Some("already_bid"))]);
        assert!(pending(&mut db.conn, 10).await.unwrap().is_empty());
        let rules: Vec<AutoBidRuleRow> = all_rows(&mut db.conn).await;
        assert_eq!(rules.len(), 3, "the deleted rule's row is gone");
    }
}
