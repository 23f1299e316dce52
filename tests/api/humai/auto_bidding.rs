//! `POST /auto-bidding-config`, `GET /auto-bidding-config`, and the
//! auto-bidder that places rules' bids on new buy listings by itself.

use super::bids::fund;
use super::listings::{create_listing, request};
use super::*;
use crate::both_backends;
use std::time::Duration;

async fn configure(app: &TestApp, key: &str, body: Value) -> (StatusCode, Value) {
    hm(
        app,
        Method::POST,
        "/auto-bidding-config",
        Some(key),
        Some(body),
    )
    .await
}

async fn rules_of(app: &TestApp, key: &str) -> Value {
    let (status, rules) = hm(app, Method::GET, "/auto-bidding-config", Some(key), None).await;
    assert_eq!(status, StatusCode::OK, "{rules}");
    rules
}

/// The seed's example rule.
fn seed_rule() -> Value {
    json!({
        "enabled": true,
        "rules": {
            "max_price_usd": 50,
            "category_tags": ["data:*", "research:*"],
            "min_listing_tier": 0,
            "max_concurrent": 3,
            "preferred_sla_hours": 24
        }
    })
}

/// Waits until the agent's first rule has no pending attempt and `settled`
/// attempts in all; returns that rule.
async fn settled_rule(app: &TestApp, key: &str, settled: i64) -> Value {
    app.eventually(Duration::from_secs(15), || async {
        let rule = rules_of(app, key).await["rules"][0].clone();
        rule["bids_pending"] == 0
            && rule["bids_placed"].as_i64().unwrap_or(0)
                + rule["bids_skipped"].as_i64().unwrap_or(0)
                == settled
    })
    .await;
    rules_of(app, key).await["rules"][0].clone()
}

fn with_tags(title: &str, tags: Value) -> Value {
    let mut body = request(title, json!(200));
    body["category_tags"] = tags;
    body
}

both_backends!(
    a_rule_bids_by_itself_on_a_matching_new_listing_and_on_no_other,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (buyer, buyer_key, _) = quick_start(&app, "Buyer", json!([])).await;
        let (agent, agent_key, _) = quick_start(&app, "DataBot", json!([])).await;
        fund(&app, &buyer, &buyer_key, 50_000).await;
        let (status, rule) = configure(&app, &agent_key, seed_rule()).await;
        assert_eq!(status, StatusCode::CREATED, "{rule}");
        assert!(rule["rule_id"].is_string(), "{rule}");
        assert_eq!(rule["enabled"], true);
        assert_eq!(rule["rules"]["max_price_usd"], 50);
        assert_eq!(
            rule["rules"]["category_tags"],
            json!(["data:*", "research:*"])
        );

        // Matching: data:extraction, a $200 ceiling. Not matching: another
        // family of tags, and the agent's own request.
        let matching =
            create_listing(&app, &buyer_key, request("Need a scraper", json!(200))).await;
        let other = with_tags("Need a logo", json!(["design:logo"]));
        create_listing(&app, &buyer_key, other).await;
        create_listing(&app, &agent_key, request("My own request", json!(200))).await;

        let rule = settled_rule(&app, &agent_key, 1).await;
        assert_eq!(rule["bids_placed"], 1, "{rule}");
        assert_eq!(rule["bids_skipped"], 0, "{rule}");
        let recent = rule["recent"].as_array().expect("recent attempts");
        assert_eq!(recent.len(), 1, "{rule}");
        assert_eq!(recent[0]["listing_id"], matching.as_str());
        assert_eq!(recent[0]["status"], "placed");
        let bid_id = recent[0]["bid_id"].as_str().expect("bid id").to_owned();

        // The bid is the listing owner's to accept, at the rule's price.
        let (status, accepted) = hm(
            &app,
            Method::POST,
            "/bids-accept",
            Some(&buyer_key),
            Some(json!({ "bid_id": bid_id })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{accepted}");
        assert_eq!(accepted["price_usd"], 50);
        assert_eq!(accepted["sla_hours"], 24);
        let _ = agent;
        app.verify().await;
    }
);

both_backends!(
    a_second_run_of_a_placed_auto_bid_bids_nothing_more,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (_, buyer_key, _) = quick_start(&app, "Buyer", json!([])).await;
        let (agent, agent_key, _) = quick_start(&app, "DataBot", json!([])).await;
        let (_, rule) = configure(&app, &agent_key, seed_rule()).await;
        let rule_id = rule["rule_id"].as_str().expect("rule id").to_owned();
        let listing = create_listing(&app, &buyer_key, request("Need a scraper", json!(200))).await;
        let placed = settled_rule(&app, &agent_key, 1).await;
        assert_eq!(placed["bids_placed"], 1, "{placed}");
        let bid_id = placed["recent"][0]["bid_id"]
            .as_str()
            .expect("bid")
            .to_owned();

        // As after a crash before the projection saw the placement, or on a
        // second instance: the same attempt, still pending, is run again.
        let head = app.journal_head().await;
        let attempt = errand_projections::autobids::AutoBidAttemptRow {
            bid_id: bid_id.clone(),
            rule_id,
            actor_id: agent,
            listing_id: listing,
            mode: "live".to_owned(),
            status: "pending".to_owned(),
            reason: None,
            position: 0,
            updated_at_us: 0,
        };
        let state = &app.running.as_ref().expect("running").state;
        errand::auto_bidder::place_attempt(state, attempt.clone())
            .await
            .expect("a second run succeeds");
        assert_eq!(app.journal_head().await, head, "nothing appended");
        // And without an idempotency key at all: the bid's id, derived from
        // (rule, listing), exists, so the command is refused, appending nothing.
        let context = errand::bus::CommandContext::system("test", "PlaceAutoBid");
        let (actor, rule, listing) = (
            errand_aggregates::ids::ActorId::parse(&attempt.actor_id).expect("actor"),
            errand_aggregates::autobid::RuleId::parse(&attempt.rule_id).expect("rule"),
            errand_aggregates::ids::ListingId::parse(&attempt.listing_id).expect("listing"),
        );
        let outcome = errand::execute!(state.bus, &context, |unit| {
            errand::bus::commands::place_auto_bid(unit, actor, rule, listing, chrono::Utc::now())
                .await?;
            Ok(())
        });
        let Err(errand::bus::BusError::Domain(refusal)) = outcome else {
            panic!("placed twice: {outcome:?}");
        };
        assert!(
            matches!(
                refusal,
                errand_aggregates::DomainError::Rule {
                    code: errand_aggregates::autobid::ALREADY_PLACED,
                    ..
                }
            ),
            "{refusal:?}"
        );
        assert_eq!(app.journal_head().await, head, "nothing appended");
        let rule = rules_of(&app, &agent_key).await;
        assert_eq!(rule["rules"][0]["bids_placed"], 1, "{rule}");
        app.verify().await;
    }
);

both_backends!(
    a_refused_auto_bid_is_recorded_as_skipped_and_not_tried_again,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (_, buyer_key, _) = quick_start(&app, "Buyer", json!([])).await;
        let (_, agent_key, _) = quick_start(&app, "DataBot", json!([])).await;
        configure(&app, &agent_key, seed_rule()).await;
        // The rule matches (tier 2 ≥ its 0), but a founder of tier 0 may not bid.
        let mut demanding = request("Need an expert", json!(200));
        demanding["min_seller_tier"] = json!(2);
        let listing = create_listing(&app, &buyer_key, demanding).await;
        let rule = settled_rule(&app, &agent_key, 1).await;
        assert_eq!(rule["bids_skipped"], 1, "{rule}");
        assert_eq!(rule["recent"][0]["listing_id"], listing.as_str());
        assert_eq!(rule["recent"][0]["status"], "skipped");
        let reason = rule["recent"][0]["reason"].as_str().expect("a reason");
        assert!(reason.contains("tier"), "{reason}");
        // Ten ticks later, nothing more was tried.
        let head = app.journal_head().await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(app.journal_head().await, head);
        app.verify().await;
    }
);

both_backends!(
    a_rule_at_max_concurrent_open_bids_skips_the_next_listing,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (_, buyer_key, _) = quick_start(&app, "Buyer", json!([])).await;
        let (_, agent_key, _) = quick_start(&app, "DataBot", json!([])).await;
        let mut rule = seed_rule();
        rule["rules"]["max_concurrent"] = json!(1);
        configure(&app, &agent_key, rule).await;
        create_listing(&app, &buyer_key, request("First scrape", json!(200))).await;
        settled_rule(&app, &agent_key, 1).await;
        create_listing(&app, &buyer_key, request("Second scrape", json!(200))).await;
        let rule = settled_rule(&app, &agent_key, 2).await;
        assert_eq!(rule["bids_placed"], 1, "{rule}");
        assert_eq!(rule["bids_skipped"], 1, "{rule}");
        assert_eq!(rule["recent"][0]["reason"], "max_concurrent_reached");
        app.verify().await;
    }
);

both_backends!(
    a_disabled_rule_bids_on_nothing_and_a_deleted_one_is_gone,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (_, buyer_key, _) = quick_start(&app, "Buyer", json!([])).await;
        let (_, agent_key, _) = quick_start(&app, "DataBot", json!([])).await;
        let (_, rule) = configure(&app, &agent_key, seed_rule()).await;
        let rule_id = rule["rule_id"].as_str().expect("rule id").to_owned();
        let (status, disabled) = configure(
            &app,
            &agent_key,
            json!({ "rule_id": rule_id, "enabled": false }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{disabled}");
        assert_eq!(disabled["enabled"], false);
        assert_eq!(disabled["rules"]["max_concurrent"], 3, "criteria kept");
        create_listing(&app, &buyer_key, request("Need a scraper", json!(200))).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let rules = rules_of(&app, &agent_key).await;
        assert_eq!(rules["rules"][0]["enabled"], false);
        assert_eq!(rules["rules"][0]["recent"], json!([]), "{rules}");

        let (status, deleted) = configure(
            &app,
            &agent_key,
            json!({ "rule_id": rule_id, "action": "delete" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{deleted}");
        assert_eq!(deleted["deleted"], true);
        assert_eq!(rules_of(&app, &agent_key).await["count"], 0);
        app.verify().await;
    }
);

both_backends!(
    bad_auto_bidding_config_is_refused_and_appends_nothing,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (_, agent_key, _) = quick_start(&app, "DataBot", json!([])).await;
        let head = app.journal_head().await;
        let rules = |change: Value| {
            let mut body = seed_rule();
            for (field, value) in change.as_object().expect("fields") {
                body["rules"][field] = value.clone();
            }
            body
        };
        let cases = [
            json!({ "enabled": true }),
            json!({ "rules": { "category_tags": ["data:*"] } }),
            rules(json!({ "max_price_usd": 0 })),
            rules(json!({ "max_price_usd": 10.001 })),
            rules(json!({ "max_price_usd": "fifty" })),
            rules(json!({ "category_tags": [] })),
            rules(json!({ "category_tags": ["da*ta"] })),
            rules(json!({ "min_listing_tier": 3 })),
            rules(json!({ "max_concurrent": 0 })),
            rules(json!({ "preferred_sla_hours": 169 })),
            rules(json!({ "listing_types": ["gadget"] })),
            rules(json!({ "min_budget_usd": 100, "max_budget_usd": 10 })),
            rules(json!({ "bid_everything": true })),
            json!({ "rule_id": "not-a-uuid", "enabled": false }),
            json!({ "action": "pause" }),
            json!({ "action": "delete" }),
        ];
        for body in cases {
            let (status, reply) = configure(&app, &agent_key, body.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {reply}");
            assert_eq!(reply["code"], "validation_error", "{body} → {reply}");
            assert!(reply["error"].is_string(), "{reply}");
        }
        let unknown =
            json!({ "rule_id": "00000000-0000-0000-0000-000000000001", "enabled": false });
        let (status, reply) = configure(&app, &agent_key, unknown).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{reply}");
        assert_eq!(reply["code"], "not_found");
        let (status, reply) = hm(
            &app,
            Method::POST,
            "/auto-bidding-config",
            None,
            Some(seed_rule()),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{reply}");
        assert_eq!(app.journal_head().await, head);
    }
);
