//! Humai's listings: `listings_view` (everything listings-search returns
//! and filters on) and `listing_tags_view` (one row per listing and tag, so
//! a tag filter is an exact match on both backends). Folds the
//! `listing-<id>` streams.
//!
//! Full-text search is not written here: the migration derives it from the
//! plain columns (PostgreSQL: a generated `tsvector` with a GIN index;
//! SQLite: the FTS5 table `listings_fts`, kept by triggers on this table).

use errand_aggregates::listing::{ListingDetails, ListingEvent};
use errand_aggregates::Event;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::rows::{AnyQuery, Record, Rows, ViewRow};
use crate::{micros, stream_suffix, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Listings;

/// One row of `listings_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingRow {
    pub listing_id: String,
    pub owner: String,
    pub mode: String,
    /// `sell` or `buy`.
    pub direction: String,
    pub listing_type: String,
    pub title: String,
    pub description: String,
    /// JSON array of the tags, lowercased.
    pub category_tags: String,
    pub price_cents: Option<i64>,
    pub budget_ceiling_cents: Option<i64>,
    pub sla_hours: Option<i64>,
    pub min_seller_tier: i64,
    pub negotiation_permitted: bool,
    /// Every field the owner set, as the events store them (JSON): the
    /// schemas, rubric, tool meta and SLA config a reader shows, and what
    /// an update is applied to.
    pub details: String,
    /// JSON array of the subscription plans, as stored in the event.
    pub subscription_plans: String,
    pub has_free_tier: bool,
    /// The cheapest plan's amount, for tool search; none without plans.
    pub min_plan_cents: Option<i64>,
    pub is_active: bool,
    /// The causes in force, comma-separated (`admin`, `provider_banned`);
    /// none when not suspended.
    pub suspension: Option<String>,
    pub awarded_bid: Option<String>,
    pub bid_count: i64,
    pub total_sales: i64,
    /// Average review rating in hundredths (4.8 → 480), filled when
    /// reviews arrive; until then none.
    pub avg_rating_hundredths: Option<i64>,
    /// Of `ListingCreated`: a stable order among equal sort keys.
    pub position: i64,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

impl Record for ListingRow {
    const TABLE: &'static str = "listings_view";
    const COLUMNS: &'static [&'static str] = &[
        "listing_id",
        "owner",
        "mode",
        "direction",
        "listing_type",
        "title",
        "description",
        "category_tags",
        "price_cents",
        "budget_ceiling_cents",
        "sla_hours",
        "min_seller_tier",
        "negotiation_permitted",
        "details",
        "subscription_plans",
        "has_free_tier",
        "min_plan_cents",
        "is_active",
        "suspension",
        "awarded_bid",
        "bid_count",
        "total_sales",
        "avg_rating_hundredths",
        "position",
        "created_at_us",
        "updated_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.listing_id.as_str())
            .bind(self.owner.as_str())
            .bind(self.mode.as_str())
            .bind(self.direction.as_str())
            .bind(self.listing_type.as_str())
            .bind(self.title.as_str())
            .bind(self.description.as_str())
            .bind(self.category_tags.as_str())
            .bind(self.price_cents)
            .bind(self.budget_ceiling_cents)
            .bind(self.sla_hours)
            .bind(self.min_seller_tier)
            .bind(i64::from(self.negotiation_permitted))
            .bind(self.details.as_str())
            .bind(self.subscription_plans.as_str())
            .bind(i64::from(self.has_free_tier))
            .bind(self.min_plan_cents)
            .bind(i64::from(self.is_active))
            .bind(self.suspension.as_deref())
            .bind(self.awarded_bid.as_deref())
            .bind(self.bid_count)
            .bind(self.total_sales)
            .bind(self.avg_rating_hundredths)
            .bind(self.position)
            .bind(self.created_at_us)
            .bind(self.updated_at_us)
    }
}

impl ViewRow for ListingRow {
    fn key(&self) -> &str {
        &self.listing_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(ListingRow {
            listing_id: row.try_get(0)?,
            owner: row.try_get(1)?,
            mode: row.try_get(2)?,
            direction: row.try_get(3)?,
            listing_type: row.try_get(4)?,
            title: row.try_get(5)?,
            description: row.try_get(6)?,
            category_tags: row.try_get(7)?,
            price_cents: row.try_get(8)?,
            budget_ceiling_cents: row.try_get(9)?,
            sla_hours: row.try_get(10)?,
            min_seller_tier: row.try_get(11)?,
            negotiation_permitted: row.try_get::<i64, _>(12)? != 0,
            details: row.try_get(13)?,
            subscription_plans: row.try_get(14)?,
            has_free_tier: row.try_get::<i64, _>(15)? != 0,
            min_plan_cents: row.try_get(16)?,
            is_active: row.try_get::<i64, _>(17)? != 0,
            suspension: row.try_get(18)?,
            awarded_bid: row.try_get(19)?,
            bid_count: row.try_get(20)?,
            total_sales: row.try_get(21)?,
            avg_rating_hundredths: row.try_get(22)?,
            position: row.try_get(23)?,
            created_at_us: row.try_get(24)?,
            updated_at_us: row.try_get(25)?,
        })
    }
}

impl ListingRow {
    /// Writes what `details` say into the row's columns.
    fn set_details(&mut self, details: &ListingDetails) {
        let plans = details.subscription_plans.as_slice();
        self.title = details.title.as_str().to_owned();
        self.description = details.description.as_str().to_owned();
        self.category_tags = json(&details.category_tags);
        self.price_cents = details.price.map(|m| m.cents);
        self.budget_ceiling_cents = details.budget_ceiling.map(|m| m.cents);
        self.sla_hours = details.sla_hours.map(|h| i64::from(h.hours()));
        self.min_seller_tier = i64::from(details.min_seller_tier.value());
        self.negotiation_permitted = details.negotiation_permitted;
        self.details = json(details);
        self.subscription_plans = json(&details.subscription_plans);
        self.has_free_tier = plans.iter().any(|p| p.is_free());
        self.min_plan_cents = plans.iter().map(|p| p.amount_cents).min();
    }

    /// The tags as stored in `category_tags`.
    pub fn tags(&self) -> Vec<String> {
        serde_json::from_str(&self.category_tags).unwrap_or_default()
    }
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// One row of `listing_tags_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingTagRow {
    /// `<listing id>:<tag>`.
    pub tag_key: String,
    pub listing_id: String,
    pub tag: String,
}

impl Record for ListingTagRow {
    const TABLE: &'static str = "listing_tags_view";
    const COLUMNS: &'static [&'static str] = &["tag_key", "listing_id", "tag"];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.tag_key.as_str())
            .bind(self.listing_id.as_str())
            .bind(self.tag.as_str())
    }
}

impl ViewRow for ListingTagRow {
    fn key(&self) -> &str {
        &self.tag_key
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(ListingTagRow {
            tag_key: row.try_get(0)?,
            listing_id: row.try_get(1)?,
            tag: row.try_get(2)?,
        })
    }
}

fn tag_row(listing_id: &str, tag: &str) -> ListingTagRow {
    ListingTagRow {
        tag_key: format!("{listing_id}:{tag}"),
        listing_id: listing_id.to_owned(),
        tag: tag.to_owned(),
    }
}

/// The rows one batch touches.
#[derive(Default)]
struct Batch {
    listings: Rows<ListingRow>,
    tags: Rows<ListingTagRow>,
}

impl Projection for Listings {
    fn name(&self) -> &'static str {
        "listings"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["listings_view", "listing_tags_view"]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut batch = Batch::default();
        let touched = events.iter().filter_map(|e| match &e.event {
            Event::Listing(_) => Some(stream_suffix(&e.stream_id).to_owned()),
            _ => None,
        });
        batch.listings.prefetch(conn, touched).await?;
        for projected in events {
            let Event::Listing(event) = &projected.event else {
                continue;
            };
            apply(&mut batch, conn, projected, event).await?;
        }
        batch.listings.flush(conn).await?;
        batch.tags.flush(conn).await?;
        Ok(())
    }
}

async fn apply(
    batch: &mut Batch,
    conn: &mut AnyConnection,
    projected: &ProjectedEvent,
    event: &ListingEvent,
) -> Result<(), ProjectionError> {
    let listing_id = stream_suffix(&projected.stream_id);
    if let ListingEvent::ListingCreated {
        owner,
        mode,
        direction,
        listing_type,
        details,
        at,
        ..
    } = event
    {
        let mut row = ListingRow {
            listing_id: listing_id.to_owned(),
            owner: owner.to_string(),
            mode: mode.as_str().to_owned(),
            direction: direction.as_str().to_owned(),
            listing_type: listing_type.as_str().to_owned(),
            title: String::new(),
            description: String::new(),
            category_tags: String::new(),
            price_cents: None,
            budget_ceiling_cents: None,
            sla_hours: None,
            min_seller_tier: 0,
            negotiation_permitted: true,
            details: String::new(),
            subscription_plans: String::new(),
            has_free_tier: false,
            min_plan_cents: None,
            is_active: true,
            suspension: None,
            awarded_bid: None,
            bid_count: 0,
            total_sales: 0,
            avg_rating_hundredths: None,
            position: projected.position,
            created_at_us: micros(*at),
            updated_at_us: micros(*at),
        };
        row.set_details(details);
        for tag in details.category_tags.as_slice() {
            batch.tags.put(tag_row(listing_id, tag));
        }
        batch.listings.put(row);
        return Ok(());
    }
    let row = batch
        .listings
        .get_mut(conn, listing_id)
        .await?
        .ok_or_else(|| ProjectionError::inconsistent(projected, "unknown listing"))?;
    match event {
        ListingEvent::ListingCreated { .. } => {}
        ListingEvent::ListingUpdated { changes, at } => {
            if let Some(tags) = &changes.category_tags {
                for old in row.tags() {
                    batch.tags.remove(&tag_row(listing_id, &old).tag_key);
                }
                for tag in tags.as_slice() {
                    batch.tags.put(tag_row(listing_id, tag));
                }
            }
            let details: ListingDetails = serde_json::from_str(&row.details).map_err(|e| {
                ProjectionError::inconsistent(projected, format!("stored details: {e}"))
            })?;
            row.set_details(&details.changed(changes));
            row.updated_at_us = micros(*at);
        }
        ListingEvent::ListingDeactivated { at } => {
            row.is_active = false;
            row.updated_at_us = micros(*at);
        }
        ListingEvent::ListingSuspended { cause, at, .. } => {
            let mut causes = causes(row.suspension.as_deref());
            causes.push(cause.as_str().to_owned());
            row.suspension = Some(causes.join(","));
            row.updated_at_us = micros(*at);
        }
        ListingEvent::ListingReinstated { cause, at, .. } => {
            let causes: Vec<String> = causes(row.suspension.as_deref())
                .into_iter()
                .filter(|c| c != cause.as_str())
                .collect();
            row.suspension = (!causes.is_empty()).then(|| causes.join(","));
            row.updated_at_us = micros(*at);
        }
        ListingEvent::BidReceived { .. } => row.bid_count += 1,
        ListingEvent::BidAwarded { bid, at } => {
            row.awarded_bid = Some(bid.to_string());
            row.updated_at_us = micros(*at);
        }
        ListingEvent::SaleRecorded { .. } => row.total_sales += 1,
        ListingEvent::BidExtended { .. } | ListingEvent::BidReleased { .. } => {}
    }
    Ok(())
}

fn causes(suspension: Option<&str>) -> Vec<String> {
    suspension
        .map(|s| s.split(',').map(str::to_owned).collect())
        .unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testing::*;
    use chrono::{DateTime, Utc};
    use errand_aggregates::actor::{Caller, Role, Standing};
    use errand_aggregates::bid::{BidAction, Terms};
    use errand_aggregates::ids::{ActorId, BidId, ListingId};
    use errand_aggregates::listing::{
        CategoryTags, Description, Direction, Listing, ListingAction, ListingChanges,
        ListingCommand, ListingType, NewListing, Reason, SlaHours, SubscriptionPlans,
        SuspensionCause, Tier, Title,
    };
    use errand_aggregates::mode::Mode;
    use errand_aggregates::money::Money;

    pub(crate) struct Market {
        pub(crate) owner: ActorId,
        pub(crate) seller: ActorId,
        /// A buy request: re-tagged, bid on, awarded, one sale.
        pub(crate) request: ListingId,
        /// A sell offer: suspended by an admin and by a ban, the admin's lifted; deactivated.
        pub(crate) offer: ListingId,
        pub(crate) bid: BidId,
    }

    pub(crate) fn agent(actor: ActorId) -> Caller {
        Caller {
            actor,
            role: Role::Agent,
            standing: Standing::Active,
        }
    }

    fn tags(tags: &[&str]) -> CategoryTags {
        CategoryTags::parse(&tags.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>()).unwrap()
    }

    pub(crate) fn details(title: &str, buy: bool) -> ListingDetails {
        ListingDetails {
            title: Title::parse(title).unwrap(),
            description: Description::parse("Structured competitor reports with sources").unwrap(),
            category_tags: tags(&["research:competitive", "data:analysis"]),
            price: (!buy).then_some(Money::usd(7_500)),
            budget_ceiling: buy.then_some(Money::usd(20_000)),
            sla_hours: Some(SlaHours::parse(48).unwrap()),
            input_schema: None,
            output_schema: None,
            evaluation_rubric: None,
            subscription_plans: SubscriptionPlans::default(),
            tool_meta: None,
            sla_config: None,
            negotiation_permitted: true,
            min_seller_tier: Tier::default(),
        }
    }

    pub(crate) fn create(
        journal: &mut TestJournal,
        listing: ListingId,
        owner: ActorId,
        direction: Direction,
        details: ListingDetails,
    ) {
        let new = NewListing {
            listing_id: listing,
            direction,
            listing_type: ListingType::TaskExecution,
            details,
        };
        let command = ListingCommand {
            by: agent(owner),
            mode: Mode::Live,
            at: at(1),
            action: ListingAction::Create(Box::new(new)),
        };
        journal.listing(listing, command);
    }

    pub(crate) fn place(bid_id: BidId, price_cents: i64) -> impl FnOnce(Box<Listing>) -> BidAction {
        move |listing| BidAction::Place {
            bid_id,
            listing,
            seller_tier: Tier::default(),
            terms: Terms {
                price: Money::usd(price_cents),
                sla_hours: SlaHours::parse(24).unwrap(),
                milestones: None,
            },
            scope_note: None,
        }
    }

    pub(crate) fn when(actor: ActorId, seconds: i64) -> (Caller, DateTime<Utc>) {
        (agent(actor), at(seconds))
    }

    pub(crate) fn market(journal: &mut TestJournal) -> Market {
        let market = Market {
            owner: ActorId(new_id()),
            seller: ActorId(new_id()),
            request: ListingId(new_id()),
            offer: ListingId(new_id()),
            bid: BidId(new_id()),
        };
        let owner_does = |seconds, action| ListingCommand {
            by: agent(market.owner),
            mode: Mode::Live,
            at: at(seconds),
            action,
        };
        let admin_does = |seconds, action| ListingCommand {
            by: Caller {
                actor: ActorId(new_id()),
                role: Role::Admin,
                standing: Standing::Active,
            },
            mode: Mode::Live,
            at: at(seconds),
            action,
        };
        create(
            journal,
            market.request,
            market.owner,
            Direction::Buy,
            details("Need a web scraping agent", true),
        );
        create(
            journal,
            market.offer,
            market.owner,
            Direction::Sell,
            details("Competitive analysis report", false),
        );
        let retag = ListingChanges {
            category_tags: Some(tags(&["data:extraction", "research:competitive"])),
            budget_ceiling: Some(Money::usd(30_000)),
            ..ListingChanges::default()
        };
        journal.listing(
            market.request,
            owner_does(2, ListingAction::Update(Box::new(retag))),
        );
        journal.bid(
            market.bid,
            market.request,
            when(market.seller, 3),
            place(market.bid, 25_000),
        );
        journal.bid(
            market.bid,
            market.request,
            when(market.owner, 4),
            |listing| BidAction::Accept { listing },
        );
        let contract = new_id();
        journal.listing(
            market.request,
            owner_does(5, ListingAction::RecordSale { contract }),
        );
        for cause in [SuspensionCause::Admin, SuspensionCause::ProviderBanned] {
            let suspend = ListingAction::Suspend {
                cause,
                reason: Reason::parse("Repeated SLA violations").unwrap(),
            };
            journal.listing(market.offer, admin_does(6, suspend));
        }
        let reinstate = ListingAction::Reinstate {
            cause: SuspensionCause::Admin,
            reason: Reason::parse("Reviewed").unwrap(),
        };
        journal.listing(market.offer, admin_does(7, reinstate));
        journal.listing(market.offer, owner_does(8, ListingAction::Deactivate));
        market
    }

    async fn apply_in_batches(events: &[ProjectedEvent], size: usize) -> TestDb {
        let mut db = TestDb::new().await;
        for batch in events.chunks(size) {
            db.apply(&Listings, batch).await;
        }
        db
    }

    fn row(rows: &[ListingRow], listing: ListingId) -> &ListingRow {
        let id = listing.to_string();
        rows.iter().find(|r| r.listing_id == id).unwrap()
    }

    #[tokio::test]
    async fn listings_show_their_terms_tags_bids_awards_sales_and_suspensions() {
        let mut journal = TestJournal::default();
        let market = market(&mut journal);
        let events = journal.take();
        for size in [1, 3, events.len()] {
            let mut db = apply_in_batches(&events, size).await;
            let rows: Vec<ListingRow> = all_rows(&mut db.conn).await;
            let request = row(&rows, market.request);
            assert_eq!(
                (request.direction.as_str(), request.budget_ceiling_cents),
                ("buy", Some(30_000))
            );
            assert_eq!(request.tags(), ["data:extraction", "research:competitive"]);
            assert_eq!((request.bid_count, request.total_sales), (1, 1));
            assert_eq!(request.awarded_bid, Some(market.bid.to_string()));
            assert!(request.is_active && request.suspension.is_none());
            let offer = row(&rows, market.offer);
            assert_eq!(offer.price_cents, Some(7_500));
            assert_eq!(offer.suspension.as_deref(), Some("provider_banned"));
            assert!(!offer.is_active, "batch {size}");
            let details: ListingDetails = serde_json::from_str(&offer.details).unwrap();
            assert_eq!(details.title.as_str(), "Competitive analysis report");
            let tags: Vec<ListingTagRow> = all_rows(&mut db.conn).await;
            let request_tags: Vec<&str> = tags
                .iter()
                .filter(|t| t.listing_id == market.request.to_string())
                .map(|t| t.tag.as_str())
                .collect();
            assert_eq!(request_tags.len(), 2);
            assert!(request_tags.contains(&"data:extraction"));
            assert!(!request_tags.contains(&"data:analysis"), "re-tagged away");
        }
    }

    /// The listings whose text matches `words`, by the backend's own index.
    async fn search(db: &mut TestDb, words: &str) -> Vec<String> {
        let sql = if db.conn.backend_name() == "PostgreSQL" {
            "SELECT listing_id FROM listings_view \
             WHERE search_vector @@ websearch_to_tsquery('english', $1) ORDER BY listing_id"
        } else {
            "SELECT listing_id FROM listings_fts WHERE listings_fts MATCH $1 ORDER BY listing_id"
        };
        sqlx::query_scalar(sql)
            .bind(words)
            .fetch_all(&mut db.conn)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn full_text_search_follows_titles_descriptions_and_tags_as_they_change() {
        let mut journal = TestJournal::default();
        let market = market(&mut journal);
        let events = journal.take();
        let mut db = apply_in_batches(&events, 2).await;
        let request = market.request.to_string();
        let offer = market.offer.to_string();
        assert_eq!(search(&mut db, "scraping").await, [request.as_str()]);
        assert_eq!(search(&mut db, "extraction").await, [request.as_str()]);
        let mut both = vec![request.clone(), offer.clone()];
        both.sort();
        assert_eq!(search(&mut db, "competitor").await, both, "stemmed");
        let retitle = ListingChanges {
            title: Some(Title::parse("Need a price monitoring agent").unwrap()),
            ..ListingChanges::default()
        };
        let command = ListingCommand {
            by: agent(market.owner),
            mode: Mode::Live,
            at: at(9),
            action: ListingAction::Update(Box::new(retitle)),
        };
        journal.listing(market.request, command);
        db.apply(&Listings, &journal.take()).await;
        assert!(search(&mut db, "scraping").await.is_empty());
        assert_eq!(search(&mut db, "monitoring").await, [request]);
        // A rebuild empties the view; the search index goes with it.
        sqlx::query("DELETE FROM listings_view")
            .execute(&mut db.conn)
            .await
            .unwrap();
        assert!(search(&mut db, "competitor").await.is_empty());
    }
}
