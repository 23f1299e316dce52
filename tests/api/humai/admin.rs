//! Humai's admin group: `POST /admin-kill-switch` with every action, its
//! cascade over a banned provider's listings, a frozen agent refused
//! spending in every dialect until unfrozen, and `GET /audit-log`; admins
//! only, bad input refused with nothing appended.

use super::{hm, quick_start, refused};
use crate::helpers::{Actor, TestApp};
use crate::{both_backends, humans2ai, instahuman};
use chrono::Utc;
use errand::bus::commands::{self, CASCADE_LISTINGS_PER_APPEND};
use errand::bus::{BusError, CommandContext};
use errand::http::humai::HumaiError;
use errand_aggregates::contract::OpenContract;
use errand_aggregates::fee::FeePolicy;
use errand_aggregates::ids::{ActorId, ContractId, ListingId};
use errand_aggregates::listing::{
    CategoryTags, Description, Direction, Listing, ListingDetails, ListingType, NewListing,
    SlaHours, SubscriptionPlans, SuspensionCause, Tier, Title,
};
use errand_aggregates::mode::Mode;
use errand_aggregates::money::Money;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

/// An admin with a Humai key, issued as any key is (`prefix: "hm"`).
async fn humai_admin(app: &TestApp) -> Actor {
    let admin = app.actor("admin", "Trust and Safety").await;
    let (_, key) = app.key_for(&admin, json!({ "prefix": "hm" })).await;
    assert!(key.starts_with("hm_"), "{key}");
    Actor { id: admin.id, key }
}

async fn kill(app: &TestApp, key: &str, body: Value) -> (StatusCode, Value) {
    hm(
        app,
        Method::POST,
        "/admin-kill-switch",
        Some(key),
        Some(body),
    )
    .await
}

async fn audit(app: &TestApp, key: &str, query: &str) -> Vec<Value> {
    let (status, body) = hm(
        app,
        Method::GET,
        &format!("/audit-log{query}"),
        Some(key),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["count"],
        json!(body["entries"].as_array().expect("entries").len())
    );
    body["entries"].as_array().expect("entries").clone()
}

fn actor_id(id: &str) -> ActorId {
    ActorId(Uuid::parse_str(id).expect("a UUID"))
}

fn sell_listing(listing_id: ListingId, title: &str) -> NewListing {
    NewListing {
        listing_id,
        direction: Direction::Sell,
        listing_type: ListingType::parse("task_execution").expect("a type"),
        details: ListingDetails {
            title: Title::parse(title).expect("a title"),
            description: Description::parse("Three competitors, compared").expect("text"),
            category_tags: CategoryTags::parse(&["research".to_owned()]).expect("tags"),
            price: Some(Money::usd(2_000)),
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
    }
}

/// A listing of `owner`'s, created on the bus (listings are served over
/// HTTP elsewhere).
async fn listing_of(app: &TestApp, owner: &str, title: &str) -> ListingId {
    let state = &app.running.as_ref().expect("running").state;
    let owner = actor_id(owner);
    let listing_id = ListingId(Uuid::now_v7());
    let context = CommandContext::system("tests", "CreateListing");
    errand::execute!(state.bus, &context, |unit| {
        let by = commands::caller(unit, owner).await?;
        let new = sell_listing(listing_id, title);
        commands::create_listing(unit, by, Mode::Live, new, Utc::now()).await?;
        Ok(())
    })
    .expect("listed");
    listing_id
}

async fn listing(app: &TestApp, listing_id: ListingId) -> Listing {
    let state = &app.running.as_ref().expect("running").state;
    let stream = commands::listing_stream(listing_id);
    state.bus.load::<Listing>(&stream).await.expect("loaded").0
}

fn causes(listing: &Listing) -> Vec<SuspensionCause> {
    listing.suspensions.iter().map(|s| s.cause).collect()
}

/// Humai's spending: `buyer` buys `listing_id` (of `seller`), a contract
/// whose price is held on the buyer's account. Humai's refusal as its API
/// answers it, if refused.
async fn buy(
    app: &TestApp,
    buyer: &str,
    seller: &str,
    listing_id: ListingId,
) -> Result<(), HumaiError> {
    let state = &app.running.as_ref().expect("running").state;
    let (buyer, seller) = (actor_id(buyer), actor_id(seller));
    let context = CommandContext::system("tests", "OpenContract");
    let opened: Result<_, BusError> = errand::execute!(state.bus, &context, |unit| {
        let open = OpenContract {
            contract_id: ContractId(Uuid::now_v7()),
            mode: Mode::Live,
            buyer: commands::party_of(unit, buyer).await?,
            seller: commands::party_of(unit, seller).await?,
            listing_id,
            bid_id: None,
            price: Money::usd(2_000),
            sla_hours: 48,
            milestones: vec![],
            fee: FeePolicy::percent("10").expect("a rate"),
            parent: None,
            at: Utc::now(),
        };
        commands::open_contract(unit, open).await?;
        Ok(())
    });
    opened.map(|_| ()).map_err(HumaiError::from)
}

/// Paid work posted in HumanPing, Humans2AI and InstaHuman with `agent`'s
/// key of each: the statuses answered.
async fn post_everywhere(app: &TestApp, keys: &[String; 3]) -> [StatusCode; 3] {
    let [humanping, humans2ai, instahuman] = keys;
    let (hp_status, _) = app
        .post(
            "/humanping/api/v1/tasks",
            humanping,
            json!({ "description": "Is the bakery at 12 Rue Cler open now? Answer open or closed.",
                    "budget_cents": 1_000, "type": "gut_check", "deadline": "2h" }),
        )
        .await;
    let (h2a_status, _) = app
        .post(
            "/humans2ai/api/v1/tasks",
            humans2ai,
            humans2ai::task_body("Photograph the storefront", json!(15)),
        )
        .await;
    let (ih_status, _) = app
        .post(
            "/instahuman/api/jobs",
            instahuman,
            instahuman::job_body("Try our sign-up", 1, json!(2)),
        )
        .await;
    [hp_status, h2a_status, ih_status]
}

both_backends!(
    a_frozen_agent_spends_in_no_dialect_until_unfrozen,
    |app: TestApp| async move {
        let admin = humai_admin(&app).await;
        let agent = app.funded_agent("Spender", 100_000).await;
        let keys = [
            app.key_for(&agent, json!({ "prefix": "hp" })).await.1,
            app.key_for(&agent, json!({ "prefix": "sk" })).await.1,
            app.key_for(&agent, json!({ "prefix": "ih" })).await.1,
        ];
        let seller = app.actor("human", "Seller").await;
        let for_sale = listing_of(&app, &seller.id, "Competitive analysis report").await;

        let (status, frozen) = kill(
            &app,
            &admin.key,
            json!({ "action": "freeze_agent", "actor_id": agent.id, "reason": "Suspicious usage pattern" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{frozen}");
        assert_eq!(frozen["action"], "freeze_agent");
        assert_eq!(frozen["actor_id"], json!(agent.id));
        assert_eq!(frozen["status"], "frozen");
        assert_eq!(frozen["reason"], "Suspicious usage pattern");

        let head = app.journal_head().await;
        let refusal = buy(&app, &agent.id, &seller.id, for_sale)
            .await
            .expect_err("a frozen agent buys nothing");
        assert_eq!(
            (refusal.status(), refusal.code()),
            (StatusCode::FORBIDDEN, "agent_frozen")
        );
        assert_eq!(
            post_everywhere(&app, &keys).await,
            [StatusCode::FORBIDDEN; 3]
        );
        assert_eq!(
            app.journal_head().await,
            head,
            "nothing appended while frozen"
        );
        let balance = app.balance(&agent).await;
        assert_eq!(balance["held_cents"], json!(0), "{balance}");

        let (status, unfrozen) = kill(
            &app,
            &admin.key,
            json!({ "action": "unfreeze_agent", "actor_id": agent.id, "reason": "Cleared by review" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{unfrozen}");
        assert_eq!(unfrozen["status"], "active");
        buy(&app, &agent.id, &seller.id, for_sale)
            .await
            .expect("an unfrozen agent buys");
        assert_eq!(post_everywhere(&app, &keys).await, [StatusCode::CREATED; 3]);

        let (status, again) = kill(
            &app,
            &admin.key,
            json!({ "action": "unfreeze_agent", "actor_id": agent.id, "reason": "twice" }),
        )
        .await;
        refused(status, &again, StatusCode::CONFLICT, "conflict");
    }
);

both_backends!(
    banning_a_provider_suspends_all_their_listings_and_unbanning_reinstates_them,
    |app: TestApp| async move {
        let admin = humai_admin(&app).await;
        let provider = app.actor("agent", "Provider").await;
        let bystander = app.actor("agent", "Bystander").await;
        let mut listings = Vec::new();
        for title in ["Scraping", "Summaries", "Translations"] {
            listings.push(listing_of(&app, &provider.id, title).await);
        }
        let other = listing_of(&app, &bystander.id, "Unrelated").await;
        // One of them is also suspended on its own: the ban's lifting keeps that.
        let (status, body) = kill(
            &app,
            &admin.key,
            json!({ "action": "suspend_tool", "listing_id": listings[0].to_string(), "reason": "Repeated SLA violations" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let (status, banned) = kill(
            &app,
            &admin.key,
            json!({ "action": "ban_provider", "actor_id": provider.id, "reason": "Terms of service violation" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{banned}");
        assert_eq!(banned["action"], "ban_provider");
        assert_eq!(banned["status"], "banned");
        assert_eq!(banned["suspended_listings"], json!(3));
        assert_eq!(banned["cascade_complete"], json!(true));
        assert_eq!(banned["paused_subscriptions"], json!(0));
        assert_eq!(banned["revoked_keys"], json!(0));
        for id in &listings {
            let listing = listing(&app, *id).await;
            assert!(
                causes(&listing).contains(&SuspensionCause::ProviderBanned),
                "{id}"
            );
        }
        assert!(
            !listing(&app, other).await.is_suspended(),
            "another's listing untouched"
        );
        let (status, _) = app.get("/v1/account", &provider.key).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "a banned provider's keys stop working"
        );

        let (status, again) = kill(
            &app,
            &admin.key,
            json!({ "action": "ban_provider", "actor_id": provider.id, "reason": "again" }),
        )
        .await;
        refused(status, &again, StatusCode::CONFLICT, "conflict");

        let (status, unbanned) = kill(
            &app,
            &admin.key,
            json!({ "action": "unban_provider", "actor_id": provider.id, "reason": "Appeal upheld" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{unbanned}");
        assert_eq!(unbanned["status"], "active");
        assert_eq!(unbanned["reinstated_listings"], json!(3));
        assert_eq!(unbanned["cascade_complete"], json!(true));
        assert_eq!(
            causes(&listing(&app, listings[0]).await),
            vec![SuspensionCause::Admin]
        );
        for id in &listings[1..] {
            assert!(!listing(&app, *id).await.is_suspended(), "{id}");
        }
        app.verify().await;
    }
);

both_backends!(
    a_ban_longer_than_one_append_is_finished_by_asking_again,
    |app: TestApp| async move {
        let admin = humai_admin(&app).await;
        let provider = app.actor("agent", "Prolific").await;
        let count = CASCADE_LISTINGS_PER_APPEND + 2;
        for n in 0..count {
            listing_of(&app, &provider.id, &format!("Listing {n}")).await;
        }
        let ban =
            json!({ "action": "ban_provider", "actor_id": provider.id, "reason": "Spam listings" });
        let (status, first) = kill(&app, &admin.key, ban.clone()).await;
        assert_eq!(status, StatusCode::OK, "{first}");
        assert_eq!(
            first["suspended_listings"],
            json!(CASCADE_LISTINGS_PER_APPEND)
        );
        assert_eq!(first["cascade_complete"], json!(false));
        let (status, second) = kill(&app, &admin.key, ban.clone()).await;
        assert_eq!(status, StatusCode::OK, "{second}");
        assert_eq!(second["suspended_listings"], json!(2));
        assert_eq!(second["cascade_complete"], json!(true));
        let (status, third) = kill(&app, &admin.key, ban).await;
        refused(status, &third, StatusCode::CONFLICT, "conflict");
        let banned = audit(&app, &admin.key, "?action=ban_provider").await;
        assert_eq!(banned.len(), 1, "one ban, however long its cascade");
        let suspended = audit(&app, &admin.key, "?action=suspend_tool&limit=100").await;
        assert_eq!(suspended.len(), count);
    }
);

both_backends!(
    an_admin_suspends_and_reinstates_a_tool,
    |app: TestApp| async move {
        let admin = humai_admin(&app).await;
        let provider = app.actor("agent", "Toolsmith").await;
        let tool = listing_of(&app, &provider.id, "Web scraper")
            .await
            .to_string();
        let suspend = json!({ "action": "suspend_tool", "listing_id": tool, "reason": "Repeated SLA violations" });
        let (status, body) = kill(&app, &admin.key, suspend.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["action"], "suspend_tool");
        assert_eq!(body["listing_id"], json!(tool));
        assert_eq!(body["suspended"], json!(true));
        assert_eq!(body["paused_subscriptions"], json!(0));
        assert_eq!(body["revoked_keys"], json!(0));
        let (status, body) = kill(&app, &admin.key, suspend).await;
        refused(status, &body, StatusCode::CONFLICT, "conflict");

        let reinstate = json!({ "action": "reinstate_tool", "listing_id": tool, "reason": "SLA met for a week" });
        let (status, body) = kill(&app, &admin.key, reinstate.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["suspended"], json!(false));
        let (status, body) = kill(&app, &admin.key, reinstate).await;
        refused(status, &body, StatusCode::CONFLICT, "conflict");

        let head = app.journal_head().await;
        let unknown = Uuid::now_v7().to_string();
        let (status, body) = kill(
            &app,
            &admin.key,
            json!({ "action": "suspend_tool", "listing_id": unknown, "reason": "x" }),
        )
        .await;
        refused(status, &body, StatusCode::NOT_FOUND, "not_found");
        let (status, body) = kill(
            &app,
            &admin.key,
            json!({ "action": "freeze_agent", "actor_id": unknown, "reason": "x" }),
        )
        .await;
        refused(status, &body, StatusCode::NOT_FOUND, "not_found");
        // No tool subscriptions exist yet: any subscription is unknown.
        let (status, body) = kill(
            &app,
            &admin.key,
            json!({ "action": "revoke_subscription", "subscription_id": unknown, "reason": "Chargeback" }),
        )
        .await;
        refused(status, &body, StatusCode::NOT_FOUND, "not_found");
        assert_eq!(app.journal_head().await, head);
    }
);

both_backends!(
    only_admins_pull_the_kill_switch_or_read_the_audit_log,
    |app: TestApp| async move {
        let (agent_id, agent_key, _) = quick_start(&app, "Mallory", json!(["nlp"])).await;
        let head = app.journal_head().await;
        let (status, body) = kill(
            &app,
            &agent_key,
            json!({ "action": "freeze_agent", "actor_id": agent_id, "reason": "self" }),
        )
        .await;
        refused(status, &body, StatusCode::FORBIDDEN, "forbidden");
        let (status, body) = hm(&app, Method::GET, "/audit-log", Some(&agent_key), None).await;
        refused(status, &body, StatusCode::FORBIDDEN, "forbidden");
        let (status, body) = hm(
            &app,
            Method::POST,
            "/admin-kill-switch",
            None,
            Some(json!({ "action": "freeze_agent", "actor_id": agent_id, "reason": "x" })),
        )
        .await;
        refused(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
        // The native admin key is not a Humai key.
        let (status, body) = kill(&app, &app.admin_key, json!({})).await;
        refused(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
        assert_eq!(app.journal_head().await, head);
    }
);

both_backends!(
    bad_kill_switch_input_is_a_validation_error_and_appends_nothing,
    |app: TestApp| async move {
        let admin = humai_admin(&app).await;
        let agent = app.actor("agent", "Target").await;
        let listing = Uuid::now_v7().to_string();
        let long = "x".repeat(501);
        let head = app.journal_head().await;
        let cases = [
            json!({}),
            json!({ "actor_id": agent.id, "reason": "no action" }),
            json!({ "action": "delete_everything", "actor_id": agent.id, "reason": "x" }),
            json!({ "action": "freeze_agent", "actor_id": agent.id }),
            json!({ "action": "freeze_agent", "actor_id": agent.id, "reason": "   " }),
            json!({ "action": "freeze_agent", "actor_id": agent.id, "reason": long }),
            json!({ "action": "freeze_agent", "actor_id": "not-a-uuid", "reason": "x" }),
            json!({ "action": "freeze_agent", "reason": "no actor" }),
            json!({ "action": "freeze_agent", "actor_id": agent.id, "listing_id": listing, "reason": "x" }),
            json!({ "action": "suspend_tool", "actor_id": agent.id, "reason": "wrong id" }),
            json!({ "action": "revoke_subscription", "reason": "no subscription" }),
            json!({ "action": "freeze_agent", "actor_id": agent.id, "reason": "x", "force": true }),
            json!({ "action": 7, "actor_id": agent.id, "reason": "x" }),
            json!(["freeze_agent"]),
        ];
        for body in cases {
            let (status, answer) = kill(&app, &admin.key, body.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {answer}");
            assert_eq!(answer["code"], "validation_error", "{body} → {answer}");
        }
        for query in [
            "?limit=0",
            "?limit=101",
            "?limit=ten",
            "?resource_type=planet",
            "?action=nuke",
            "?order=asc",
        ] {
            let (status, answer) = hm(
                &app,
                Method::GET,
                &format!("/audit-log{query}"),
                Some(&admin.key),
                None,
            )
            .await;
            refused(status, &answer, StatusCode::BAD_REQUEST, "validation_error");
        }
        assert_eq!(app.journal_head().await, head);
        assert!(audit(&app, &admin.key, "").await.is_empty());
    }
);

both_backends!(
    every_admin_action_appears_in_the_audit_log,
    |app: TestApp| async move {
        let admin = humai_admin(&app).await;
        let agent = app.actor("agent", "Watched").await;
        let provider = app.actor("agent", "Seller").await;
        let listing_id = listing_of(&app, &provider.id, "Data cleaning")
            .await
            .to_string();
        let actions = [
            json!({ "action": "freeze_agent", "actor_id": agent.id, "reason": "r1" }),
            json!({ "action": "unfreeze_agent", "actor_id": agent.id, "reason": "r2" }),
            json!({ "action": "suspend_tool", "listing_id": listing_id, "reason": "r3" }),
            json!({ "action": "reinstate_tool", "listing_id": listing_id, "reason": "r4" }),
            json!({ "action": "ban_provider", "actor_id": provider.id, "reason": "r5" }),
            json!({ "action": "unban_provider", "actor_id": provider.id, "reason": "r6" }),
        ];
        for body in &actions {
            let (status, answer) = kill(&app, &admin.key, body.clone()).await;
            assert_eq!(status, StatusCode::OK, "{body} → {answer}");
        }
        // The native routes are admin actions too.
        for (path, body) in [
            ("freeze", json!({ "reason": "native freeze" })),
            ("unfreeze", json!({})),
            ("ban", json!({ "reason": "native ban" })),
        ] {
            let (status, answer) = app
                .post(
                    &format!("/v1/actors/{}/{path}", agent.id),
                    &app.admin_key,
                    body,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{path}: {answer}");
        }

        let entries = audit(&app, &admin.key, "").await;
        let seen: Vec<(String, String, String, Value)> = entries
            .iter()
            .map(|e| {
                (
                    e["action"].as_str().expect("action").to_owned(),
                    e["resource_type"].as_str().expect("type").to_owned(),
                    e["resource_id"].as_str().expect("id").to_owned(),
                    e["reason"].clone(),
                )
            })
            .collect();
        let row = |action: &str, kind: &str, id: &str, reason: Value| {
            (action.to_owned(), kind.to_owned(), id.to_owned(), reason)
        };
        let (a, p, l) = (agent.id.as_str(), provider.id.as_str(), listing_id.as_str());
        // Newest first; the ban's cascade and its lifting are the listing's own entries.
        assert_eq!(
            seen,
            vec![
                row("ban_provider", "actor", a, json!("native ban")),
                row("unfreeze_agent", "actor", a, Value::Null),
                row("freeze_agent", "actor", a, json!("native freeze")),
                row("reinstate_tool", "listing", l, json!("r6")),
                row("unban_provider", "actor", p, json!("r6")),
                row("suspend_tool", "listing", l, json!("r5")),
                row("ban_provider", "actor", p, json!("r5")),
                row("reinstate_tool", "listing", l, json!("r4")),
                row("suspend_tool", "listing", l, json!("r3")),
                row("unfreeze_agent", "actor", a, json!("r2")),
                row("freeze_agent", "actor", a, json!("r1")),
            ]
        );
        let cascaded = &entries[3];
        assert_eq!(cascaded["cause"], "provider_banned");
        assert_eq!(entries[8]["cause"], "admin");
        let first_admin = app
            .running
            .as_ref()
            .expect("running")
            .first_admin
            .as_ref()
            .expect("admin")
            .actor_id
            .to_string();
        for (entry, who) in entries
            .iter()
            .zip([&first_admin, &first_admin, &first_admin])
        {
            assert_eq!(&entry["admin_id"], &json!(who));
        }
        assert!(entries[3..]
            .iter()
            .all(|e| e["admin_id"] == json!(admin.id)));
        assert!(entries
            .iter()
            .all(|e| e["created_at"].is_string() && e["id"].is_i64()));

        let listings = audit(&app, &admin.key, "?resource_type=listing").await;
        assert_eq!(listings.len(), 4);
        assert!(listings.iter().all(|e| e["resource_type"] == "listing"));
        let freezes = audit(&app, &admin.key, "?action=freeze_agent&resource_type=actor").await;
        assert_eq!(freezes.len(), 2);
        assert_eq!(
            audit(&app, &admin.key, "?limit=2").await,
            entries[..2].to_vec()
        );
        assert!(audit(&app, &admin.key, "?resource_type=subscription")
            .await
            .is_empty());
        app.verify().await;
    }
);
