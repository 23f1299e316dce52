//! Humai's bids: `bids_view`, one row per bid with its state, its counter
//! round and both expiries. Folds the `bid-<id>` streams.
//!
//! `status` is the last one recorded. Time moves on without events: a
//! reader treats a `pending` or `countered` bid whose `expires_at` has
//! passed as expired, and a `countered` one whose `counter_expires_at` has
//! passed as pending (the domain's `Bid::status_at`).

use errand_aggregates::bid::BidEvent;
use errand_aggregates::Event;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::rows::{AnyQuery, Record, Rows, ViewRow};
use crate::{micros, stream_suffix, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bids;

/// One row of `bids_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BidRow {
    pub bid_id: String,
    pub listing_id: String,
    pub listing_owner: String,
    pub bidder: String,
    pub mode: String,
    /// pending | countered | accepted | rejected | expired
    pub status: String,
    /// The bidder's terms.
    pub price_cents: i64,
    pub sla_hours: i64,
    /// JSON array of `{title, pct_of_total, sla_hours}`; none without milestones.
    pub milestones: Option<String>,
    pub scope_note: Option<String>,
    /// Counter rounds made so far (0 to 2).
    pub counter_round: i64,
    /// The last counter's terms, while there is one.
    pub counter_price_cents: Option<i64>,
    pub counter_sla_hours: Option<i64>,
    pub counter_note: Option<String>,
    pub counter_expires_at_us: Option<i64>,
    pub expires_at_us: i64,
    /// What was agreed, once accepted.
    pub agreed_price_cents: Option<i64>,
    pub agreed_sla_hours: Option<i64>,
    /// Of `BidPlaced`: orders a listing's bids.
    pub position: i64,
    pub placed_at_us: i64,
    pub updated_at_us: i64,
}

impl Record for BidRow {
    const TABLE: &'static str = "bids_view";
    const COLUMNS: &'static [&'static str] = &[
        "bid_id",
        "listing_id",
        "listing_owner",
        "bidder",
        "mode",
        "status",
        "price_cents",
        "sla_hours",
        "milestones",
        "scope_note",
        "counter_round",
        "counter_price_cents",
        "counter_sla_hours",
        "counter_note",
        "counter_expires_at_us",
        "expires_at_us",
        "agreed_price_cents",
        "agreed_sla_hours",
        "position",
        "placed_at_us",
        "updated_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.bid_id.as_str())
            .bind(self.listing_id.as_str())
            .bind(self.listing_owner.as_str())
            .bind(self.bidder.as_str())
            .bind(self.mode.as_str())
            .bind(self.status.as_str())
            .bind(self.price_cents)
            .bind(self.sla_hours)
            .bind(self.milestones.as_deref())
            .bind(self.scope_note.as_deref())
            .bind(self.counter_round)
            .bind(self.counter_price_cents)
            .bind(self.counter_sla_hours)
            .bind(self.counter_note.as_deref())
            .bind(self.counter_expires_at_us)
            .bind(self.expires_at_us)
            .bind(self.agreed_price_cents)
            .bind(self.agreed_sla_hours)
            .bind(self.position)
            .bind(self.placed_at_us)
            .bind(self.updated_at_us)
    }
}

impl ViewRow for BidRow {
    fn key(&self) -> &str {
        &self.bid_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(BidRow {
            bid_id: row.try_get(0)?,
            listing_id: row.try_get(1)?,
            listing_owner: row.try_get(2)?,
            bidder: row.try_get(3)?,
            mode: row.try_get(4)?,
            status: row.try_get(5)?,
            price_cents: row.try_get(6)?,
            sla_hours: row.try_get(7)?,
            milestones: row.try_get(8)?,
            scope_note: row.try_get(9)?,
            counter_round: row.try_get(10)?,
            counter_price_cents: row.try_get(11)?,
            counter_sla_hours: row.try_get(12)?,
            counter_note: row.try_get(13)?,
            counter_expires_at_us: row.try_get(14)?,
            expires_at_us: row.try_get(15)?,
            agreed_price_cents: row.try_get(16)?,
            agreed_sla_hours: row.try_get(17)?,
            position: row.try_get(18)?,
            placed_at_us: row.try_get(19)?,
            updated_at_us: row.try_get(20)?,
        })
    }
}

impl Projection for Bids {
    fn name(&self) -> &'static str {
        "bids"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["bids_view"]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut rows = Rows::<BidRow>::default();
        let touched = events.iter().filter_map(|e| match &e.event {
            Event::Bid(_) => Some(stream_suffix(&e.stream_id).to_owned()),
            _ => None,
        });
        rows.prefetch(conn, touched).await?;
        for projected in events {
            let Event::Bid(event) = &projected.event else {
                continue;
            };
            apply(&mut rows, conn, projected, event).await?;
        }
        rows.flush(conn).await?;
        Ok(())
    }
}

async fn apply(
    rows: &mut Rows<BidRow>,
    conn: &mut AnyConnection,
    projected: &ProjectedEvent,
    event: &BidEvent,
) -> Result<(), ProjectionError> {
    let bid_id = stream_suffix(&projected.stream_id);
    if let BidEvent::BidPlaced {
        listing,
        listing_owner,
        bidder,
        mode,
        terms,
        scope_note,
        expires_at,
        at,
        ..
    } = event
    {
        rows.put(BidRow {
            bid_id: bid_id.to_owned(),
            listing_id: listing.to_string(),
            listing_owner: listing_owner.to_string(),
            bidder: bidder.to_string(),
            mode: mode.as_str().to_owned(),
            status: "pending".to_owned(),
            price_cents: terms.price.cents,
            sla_hours: i64::from(terms.sla_hours.hours()),
            milestones: terms
                .milestones
                .as_ref()
                .and_then(|m| serde_json::to_string(m).ok()),
            scope_note: scope_note.as_ref().map(|n| n.as_str().to_owned()),
            counter_round: 0,
            counter_price_cents: None,
            counter_sla_hours: None,
            counter_note: None,
            counter_expires_at_us: None,
            expires_at_us: micros(*expires_at),
            agreed_price_cents: None,
            agreed_sla_hours: None,
            position: projected.position,
            placed_at_us: micros(*at),
            updated_at_us: micros(*at),
        });
        return Ok(());
    }
    let row = rows
        .get_mut(conn, bid_id)
        .await?
        .ok_or_else(|| ProjectionError::inconsistent(projected, "unknown bid"))?;
    match event {
        BidEvent::BidPlaced { .. } => {}
        BidEvent::BidCountered {
            round,
            price,
            sla_hours,
            note,
            expires_at,
            bid_expires_at,
            at,
            ..
        } => {
            row.status = "countered".to_owned();
            row.counter_round = i64::from(*round);
            row.counter_price_cents = Some(price.cents);
            row.counter_sla_hours = Some(i64::from(sla_hours.hours()));
            row.counter_note = note.as_ref().map(|n| n.as_str().to_owned());
            row.counter_expires_at_us = Some(micros(*expires_at));
            row.expires_at_us = micros(*bid_expires_at);
            row.updated_at_us = micros(*at);
        }
        BidEvent::CounterRejected { at, .. } => {
            row.status = "pending".to_owned();
            row.updated_at_us = micros(*at);
        }
        BidEvent::BidAccepted { terms, at, .. } => {
            row.status = "accepted".to_owned();
            row.agreed_price_cents = Some(terms.price.cents);
            row.agreed_sla_hours = Some(i64::from(terms.sla_hours.hours()));
            row.updated_at_us = micros(*at);
        }
        BidEvent::BidRejected { at, .. } => {
            row.status = "rejected".to_owned();
            row.updated_at_us = micros(*at);
        }
        BidEvent::BidExpired { at, .. } => {
            row.status = "expired".to_owned();
            row.updated_at_us = micros(*at);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listings::tests::{create, details, place, when};
    use crate::testing::*;
    use errand_aggregates::bid::BidAction;
    use errand_aggregates::ids::{ActorId, BidId, ListingId};
    use errand_aggregates::listing::{Direction, SlaHours};
    use errand_aggregates::money::Money;

    #[tokio::test]
    async fn bids_show_their_rounds_expiries_and_what_was_agreed() {
        let mut journal = TestJournal::default();
        let (owner, seller, other) = (ActorId(new_id()), ActorId(new_id()), ActorId(new_id()));
        let listing = ListingId(new_id());
        create(
            &mut journal,
            listing,
            owner,
            Direction::Buy,
            details("Need a web scraping agent", true),
        );
        let (countered, rejected) = (BidId(new_id()), BidId(new_id()));
        journal.bid(
            countered,
            listing,
            when(seller, 2),
            place(countered, 25_000),
        );
        journal.bid(rejected, listing, when(other, 3), place(rejected, 20_000));
        let counter = |price| {
            move |listing| BidAction::Counter {
                listing,
                price: Money::usd(price),
                sla_hours: SlaHours::parse(36).unwrap(),
                note: None,
            }
        };
        journal.bid(countered, listing, when(owner, 4), counter(21_000));
        journal.bid(countered, listing, when(seller, 5), |_| {
            BidAction::RejectCounter
        });
        journal.bid(countered, listing, when(owner, 6), counter(22_000));
        journal.bid(countered, listing, when(seller, 7), |listing| {
            BidAction::AcceptCounter { listing }
        });
        journal.bid(rejected, listing, when(owner, 8), |_| BidAction::Reject);
        let events = journal.take();
        for size in [1, 4, events.len()] {
            let mut db = TestDb::new().await;
            for batch in events.chunks(size) {
                db.apply(&Bids, batch).await;
            }
            let rows: Vec<BidRow> = all_rows(&mut db.conn).await;
            let find = |bid: BidId| rows.iter().find(|r| r.bid_id == bid.to_string()).unwrap();
            let won = find(countered);
            assert_eq!(won.status, "accepted");
            assert_eq!(won.counter_round, 2);
            assert_eq!((won.price_cents, won.sla_hours), (25_000, 24));
            assert_eq!(
                (won.agreed_price_cents, won.agreed_sla_hours),
                (Some(22_000), Some(36))
            );
            assert_eq!(
                won.counter_expires_at_us,
                Some(micros(at(6)) + 48 * 3_600_000_000)
            );
            assert_eq!(won.expires_at_us, micros(at(2)) + 7 * 24 * 3_600_000_000);
            assert_eq!(won.listing_owner, owner.to_string());
            let lost = find(rejected);
            assert_eq!((lost.status.as_str(), lost.counter_round), ("rejected", 0));
            assert_eq!(lost.bidder, other.to_string());
        }
    }
}
