//! What the transaction tests stand on. Listings and bids are served over
//! HTTP by another part of the dialect, so these tests make sell listings,
//! and the milestone contracts a bid's acceptance opens, through the bus on
//! the test app's own state; money is granted through the native admin API
//! and balances read from the accounts' streams.

use super::*;
use chrono::Utc;
use errand::bus::commands;
use errand::bus::{CommandBus, CommandContext};
use errand_aggregates::account::{Account, AccountId};
use errand_aggregates::contract::{MilestoneSpec, OpenContract};
use errand_aggregates::fee::FeePolicy;
use errand_aggregates::ids::{ActorId, ContractId, ListingId};
use errand_aggregates::listing::{
    CategoryTags, Description, Direction, ListingDetails, ListingType, NewListing, SlaHours,
    SubscriptionPlans, Tier, Title,
};
use errand_aggregates::mode::Mode;
use errand_aggregates::money::Money;
use std::sync::atomic::{AtomicU64, Ordering};
use uuid::Uuid;

pub fn bus(app: &TestApp) -> &CommandBus {
    &app.running.as_ref().expect("the server runs").state.bus
}

fn actor_id(id: &str) -> ActorId {
    ActorId::parse(id).expect("an actor id")
}

/// A sell listing of `seller` at `price_cents`, 48 hours to deliver.
pub async fn sell_listing(app: &TestApp, seller: &str, price_cents: i64) -> String {
    let listing_id = ListingId(Uuid::now_v7());
    let seller = actor_id(seller);
    let new = NewListing {
        listing_id,
        direction: Direction::Sell,
        listing_type: ListingType::parse("task_execution").expect("a type"),
        details: ListingDetails {
            title: Title::parse("Competitive analysis report").expect("a title"),
            description: Description::parse("Competitors, researched and compared").expect("text"),
            category_tags: CategoryTags::parse(&["research:competitive".to_owned()]).expect("tags"),
            price: Some(Money::usd(price_cents)),
            budget_ceiling: None,
            sla_hours: Some(SlaHours::parse(48).expect("hours")),
            input_schema: None,
            output_schema: None,
            evaluation_rubric: None,
            subscription_plans: SubscriptionPlans::default(),
            tool_meta: None,
            sla_config: None,
            negotiation_permitted: false,
            min_seller_tier: Tier::default(),
        },
    };
    let context = CommandContext::system("tests", "CreateListing");
    errand::execute!(bus(app), &context, |unit| {
        let by = commands::caller(unit, seller).await?;
        commands::create_listing(unit, by, Mode::Live, new.clone(), Utc::now()).await?;
        Ok(())
    })
    .expect("listed");
    listing_id.to_string()
}

/// A contract with milestones (`(title, pct)`), as accepting a bid opens
/// one: the buyer's funds held, pending assignment.
pub async fn milestone_contract(
    app: &TestApp,
    buyer: &str,
    seller: &str,
    listing: &str,
    price_cents: i64,
    milestones: &[(&str, i64)],
) -> String {
    let contract_id = ContractId(Uuid::now_v7());
    let specs: Vec<MilestoneSpec> = milestones
        .iter()
        .map(|(title, pct)| MilestoneSpec::parse(title, *pct, 24).expect("a milestone"))
        .collect();
    let (buyer, seller) = (actor_id(buyer), actor_id(seller));
    let listing_id = ListingId::parse(listing).expect("a listing id");
    let context = CommandContext::system("tests", "OpenContract");
    errand::execute!(bus(app), &context, |unit| {
        let open = OpenContract {
            contract_id,
            mode: Mode::Live,
            buyer: commands::party_of(unit, buyer).await?,
            seller: commands::party_of(unit, seller).await?,
            listing_id,
            bid_id: None,
            price: Money::usd(price_cents),
            sla_hours: 72,
            milestones: specs.clone(),
            fee: FeePolicy::percent("10").expect("a rate"),
            parent: None,
            at: Utc::now(),
        };
        commands::open_contract(unit, open).await?;
        Ok(())
    })
    .expect("opened");
    contract_id.to_string()
}

/// Grants `cents` of live USD to a Humai actor.
pub async fn fund(app: &TestApp, actor: &str, cents: i64) {
    let (status, body) = app
        .post(
            "/v1/admin/credits",
            &app.admin_key,
            json!({ "actor_id": actor, "amount_cents": cents, "reason": "test funding" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// (available, held) cents of the actor's live USD account.
pub async fn usd(app: &TestApp, actor: &str) -> (i64, i64) {
    let account = AccountId::usd(actor_id(actor), Mode::Live);
    let (account, _) = bus(app)
        .load::<Account>(&account.stream_id())
        .await
        .expect("an account");
    (account.available_cents, account.held_cents)
}

static WALLETS: AtomicU64 = AtomicU64::new(1);

/// A delegated agent registered with `owner_wallet`: (actor id, key).
pub async fn agent_of(app: &TestApp, name: &str, owner_wallet: &str) -> (String, String) {
    let address = format!(
        "0x{:040x}",
        WALLETS.fetch_add(1, Ordering::Relaxed) + u64::from(std::process::id()) * 1_000_000
    );
    let (status, body) = hm(
        app,
        Method::POST,
        "/actors-register",
        None,
        Some(json!({
            "type": "delegated_agent",
            "display_name": name,
            "owner_wallet": owner_wallet,
            "agent_address": address,
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["actor_id"].as_str().expect("actor_id").to_owned(),
        body["api_key"].as_str().expect("api_key").to_owned(),
    )
}

/// A person: (actor id, key).
pub async fn human(app: &TestApp, name: &str) -> (String, String) {
    let email = format!("{}@example.com", Uuid::now_v7().simple());
    let (status, body) = hm(
        app,
        Method::POST,
        "/actors-register",
        None,
        Some(json!({ "type": "human", "display_name": name, "email": email })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["actor_id"].as_str().expect("actor_id").to_owned(),
        body["api_key"].as_str().expect("api_key").to_owned(),
    )
}

/// A Humai key for the server's first admin.
pub async fn admin_key(app: &TestApp) -> String {
    let admin = app
        .running
        .as_ref()
        .and_then(|running| running.first_admin.as_ref())
        .expect("a first admin")
        .actor_id;
    let (status, key) = app
        .post(
            &format!("/v1/actors/{admin}/keys"),
            &app.admin_key,
            json!({ "prefix": "hm" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    key["secret"].as_str().expect("secret").to_owned()
}

/// POSTs `body` to a Humai path with `key`, expecting `want`.
pub async fn call(app: &TestApp, path: &str, key: &str, body: Value, want: StatusCode) -> Value {
    let (status, reply) = hm(app, Method::POST, path, Some(key), Some(body)).await;
    assert_eq!(status, want, "{path}: {reply}");
    reply
}
