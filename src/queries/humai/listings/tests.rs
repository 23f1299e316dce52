//! listings-search on both backends, over listings made by the aggregates
//! and projected as the runner would.

use super::*;
use crate::journal::testing::{
    create_postgres_database, drop_postgres_database, postgres_admin_url,
};
use crate::journal::{Journal, JournalOptions};
use chrono::{DateTime, TimeZone, Utc};
use errand_aggregates::actor::{Caller, Role, Standing};
use errand_aggregates::ids::ActorId;
use errand_aggregates::listing::{
    CategoryTags, Description, Listing, ListingAction, ListingCommand, ListingDetails, NewListing,
    PlanInput, Reason, SubscriptionPlans, SuspensionCause, Title,
};
use errand_aggregates::money::Money;
use errand_aggregates::{Aggregate, DomainEvent};
use errand_projections::{Listings, ProjectedEvent, Projection};
use uuid::Uuid;

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 25, 14, 0, 0).unwrap() + chrono::Duration::seconds(seconds)
}

fn caller(actor: ActorId, role: Role) -> Caller {
    Caller {
        actor,
        role,
        standing: Standing::Active,
    }
}

struct Offer {
    title: &'static str,
    description: &'static str,
    tags: &'static [&'static str],
    direction: Direction,
    listing_type: ListingType,
    cents: Option<i64>,
    plan_cents: Option<i64>,
    min_tier: i64,
    mode: Mode,
}

fn details(offer: &Offer) -> ListingDetails {
    let tags: Vec<String> = offer.tags.iter().map(|t| (*t).to_owned()).collect();
    let plans = offer.plan_cents.map(|amount_cents| PlanInput {
        plan_id: "starter".into(),
        name: "Starter".into(),
        interval: "monthly".into(),
        amount_cents,
        included_calls: 10_000,
        overage_cents_per_call: None,
        features: vec![],
    });
    let buy = offer.direction == Direction::Buy;
    ListingDetails {
        title: Title::parse(offer.title).unwrap(),
        description: Description::parse(offer.description).unwrap(),
        category_tags: CategoryTags::parse(&tags).unwrap(),
        price: offer.cents.filter(|_| !buy).map(Money::usd),
        budget_ceiling: offer.cents.filter(|_| buy).map(Money::usd),
        sla_hours: None,
        input_schema: None,
        output_schema: None,
        evaluation_rubric: None,
        subscription_plans: SubscriptionPlans::parse(plans.as_slice()).unwrap(),
        tool_meta: None,
        sla_config: None,
        negotiation_permitted: true,
        min_seller_tier: Tier::parse(offer.min_tier).unwrap(),
    }
}

/// Decides listing commands and numbers their events as the journal would.
#[derive(Default)]
struct Market {
    events: Vec<ProjectedEvent>,
}

impl Market {
    fn decide(&mut self, listing: &mut Listing, stream: &str, command: ListingCommand) {
        for event in listing.decide(&command).unwrap() {
            listing.apply(&event);
            let payload = serde_json::to_string(&event).unwrap();
            let position = self.events.len() as i64 + 1;
            let projected = ProjectedEvent::decode(
                position,
                stream,
                event.event_type(),
                &payload,
                at(position),
            )
            .unwrap();
            self.events.push(projected);
        }
    }

    /// Lists `offer` at `seconds`; `then` says what else happens to it.
    fn list(&mut self, offer: Offer, seconds: i64, then: Option<ListingAction>) -> String {
        let id = Uuid::now_v7();
        let stream = format!("listing-{id}");
        let owner = caller(ActorId(Uuid::now_v7()), Role::Agent);
        let mut listing = Listing::default();
        let create = ListingCommand {
            by: owner,
            mode: offer.mode,
            at: at(seconds),
            action: ListingAction::Create(Box::new(NewListing {
                listing_id: id.into(),
                direction: offer.direction,
                listing_type: offer.listing_type,
                details: details(&offer),
            })),
        };
        self.decide(&mut listing, &stream, create);
        if let Some(action) = then {
            let by = match action {
                ListingAction::Suspend { .. } => caller(ActorId(Uuid::now_v7()), Role::Admin),
                _ => owner,
            };
            let command = ListingCommand {
                by,
                mode: offer.mode,
                at: at(seconds + 1),
                action,
            };
            self.decide(&mut listing, &stream, command);
        }
        id.to_string()
    }
}

fn offer(title: &'static str, description: &'static str, tags: &'static [&'static str]) -> Offer {
    Offer {
        title,
        description,
        tags,
        direction: Direction::Sell,
        listing_type: ListingType::TaskExecution,
        cents: Some(7_500),
        plan_cents: None,
        min_tier: 0,
        mode: Mode::Live,
    }
}

/// The ids of the three open live listings: a report offered, a scraping
/// request, a scraping tool; and three that are never found.
struct Found {
    report: String,
    request: String,
    tool: String,
}

fn market() -> (Market, Found) {
    let mut market = Market::default();
    let report = market.list(
        offer(
            "Competitive analysis report",
            "I will research your competitors and deliver a structured report",
            &["research:competitive", "data:analysis"],
        ),
        10,
        None,
    );
    let request = market.list(
        Offer {
            direction: Direction::Buy,
            cents: Some(20_000),
            min_tier: 1,
            ..offer(
                "Need data scraping agent",
                "Scrape product listings from 3 e-commerce sites",
                &["data:extraction"],
            )
        },
        20,
        None,
    );
    let tool = market.list(
        Offer {
            listing_type: ListingType::ComputeAccess,
            cents: None,
            plan_cents: Some(2_900),
            ..offer(
                "Web Scraper API",
                "Web scraping with JS rendering, for competitive pricing",
                &["data:scraping", "api:web"],
            )
        },
        30,
        None,
    );
    let suspend = ListingAction::Suspend {
        cause: SuspensionCause::Admin,
        reason: Reason::parse("Repeated SLA violations").unwrap(),
    };
    market.list(
        offer("Competitive scraping", "Suspended", &["data:scraping"]),
        40,
        Some(suspend),
    );
    market.list(
        offer(
            "Competitive intelligence",
            "Gone",
            &["research:competitive"],
        ),
        50,
        Some(ListingAction::Deactivate),
    );
    market.list(
        Offer {
            mode: Mode::Test,
            ..offer("Competitive test listing", "Test mode", &["data:scraping"])
        },
        60,
        None,
    );
    (
        market,
        Found {
            report,
            request,
            tool,
        },
    )
}

async fn found(journal: &Journal, search: &ListingSearch) -> (Vec<String>, i64) {
    let (hits, total) = super::search(journal.pool(), journal.backend(), search)
        .await
        .unwrap();
    (hits.into_iter().map(|h| h.listing_id).collect(), total)
}

async fn searching_listings(journal: Journal) {
    let (market, ids) = market();
    let mut conn = journal.pool().acquire().await.unwrap();
    Listings
        .apply_batch(&mut conn, &market.events)
        .await
        .unwrap();
    drop(conn);
    let Found {
        report,
        request,
        tool,
    } = ids;
    let live = || ListingSearch::new(Mode::Live);

    let (all, total) = found(&journal, &live()).await;
    assert_eq!(
        all,
        [tool.clone(), request.clone(), report.clone()],
        "newest first"
    );
    assert_eq!(
        total, 3,
        "suspended, deactivated and test-mode listings are not found"
    );

    let words = |query: &str| ListingSearch {
        query: Some(query.to_owned()),
        ..live()
    };
    let (by_relevance, total) = found(&journal, &words("competitive")).await;
    assert_eq!(
        by_relevance,
        [report.clone(), tool.clone()],
        "title and tag first"
    );
    assert_eq!(total, 2);
    let worst_first = ListingSearch {
        sort_order: Some(SortOrder::Asc),
        ..words("competitive")
    };
    assert_eq!(
        found(&journal, &worst_first).await.0,
        [tool.clone(), report.clone()]
    );
    assert_eq!(
        found(&journal, &words("scrape products")).await.0,
        [request.as_str()]
    );
    assert_eq!(
        found(&journal, &words("\" * ( - :")).await.1,
        3,
        "no words: no text filter"
    );
    assert!(found(&journal, &words("competitive blockchain"))
        .await
        .0
        .is_empty());

    let tagged = ListingSearch {
        category_tag: Some("Data:Extraction".to_owned()),
        ..live()
    };
    assert_eq!(found(&journal, &tagged).await.0, [request.as_str()]);
    let buying = ListingSearch {
        direction: Some(Direction::Buy),
        ..live()
    };
    assert_eq!(found(&journal, &buying).await.0, [request.as_str()]);
    let tools = ListingSearch {
        listing_type: Some(ListingType::ComputeAccess),
        ..live()
    };
    assert_eq!(found(&journal, &tools).await.0, [tool.as_str()]);
    let demanding = ListingSearch {
        min_tier: Some(Tier::parse(1).unwrap()),
        ..live()
    };
    assert_eq!(found(&journal, &demanding).await.0, [request.as_str()]);

    let affordable = ListingSearch {
        max_price_cents: Some(7_500),
        sort_by: Some(SortBy::Price),
        ..live()
    };
    assert_eq!(
        found(&journal, &affordable).await.0,
        [tool.clone(), report.clone()],
        "the tool by its cheapest plan, cheapest first"
    );
    let second_page = ListingSearch {
        limit: 1,
        offset: 1,
        ..live()
    };
    assert_eq!(found(&journal, &second_page).await, (vec![request], 3));

    for bad in [
        ListingSearch { limit: 0, ..live() },
        ListingSearch {
            limit: 51,
            ..live()
        },
        ListingSearch {
            offset: OFFSET_MAX + 1,
            ..live()
        },
        ListingSearch {
            max_price_cents: Some(-1),
            ..live()
        },
    ] {
        let refused = super::search(journal.pool(), journal.backend(), &bad).await;
        assert!(matches!(refused, Err(QueryError::Invalid(_))), "{bad:?}");
    }
}

#[test]
fn query_words_are_letters_and_digits_only() {
    assert_eq!(
        query_words("Web-Scraper, \"JS\" (2026)"),
        ["web", "scraper", "js", "2026"]
    );
    assert!(query_words("* OR NEAR(")
        .iter()
        .all(|w| w.chars().all(char::is_alphanumeric)));
    assert_eq!(query_words(&"word ".repeat(100)).len(), QUERY_WORDS_MAX);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listings_are_searched_filtered_sorted_and_paged_on_sqlite() {
    let directory = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        directory.path().join("errand.sqlite").display()
    );
    let options = JournalOptions {
        sqlite_synchronous_full: false,
        ..JournalOptions::default()
    };
    searching_listings(Journal::open(&url, options).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listings_are_searched_filtered_sorted_and_paged_on_postgres() {
    let Some(admin_url) = postgres_admin_url() else {
        eprintln!("ERRAND_TEST_DATABASE_URL is unset: PostgreSQL test not run");
        return;
    };
    let url = create_postgres_database(&admin_url).await.unwrap();
    let journal = Journal::open(&url, JournalOptions::default())
        .await
        .unwrap();
    searching_listings(journal.clone()).await;
    drop(journal);
    drop_postgres_database(&admin_url, &url).await.unwrap();
}
