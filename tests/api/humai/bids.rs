//! `POST /bids-create`, `/bids-accept`, `/bids-reject`, `/bids-counter`,
//! `/bids-counter-accept`, `/bids-counter-reject`, `/batch-bids`.

use super::listings::{create_listing, request};
use super::*;
use crate::both_backends;
use crate::helpers::Actor;

pub(super) async fn bid(app: &TestApp, key: &str, body: Value) -> (StatusCode, Value) {
    hm(app, Method::POST, "/bids-create", Some(key), Some(body)).await
}

async fn act(app: &TestApp, path: &str, key: &str, bid_id: &str) -> (StatusCode, Value) {
    hm(
        app,
        Method::POST,
        path,
        Some(key),
        Some(json!({ "bid_id": bid_id })),
    )
    .await
}

/// The USD account of `actor_id` as an admin reads it: (available, held) cents.
async fn usd_account(app: &TestApp, actor_id: &str) -> (i64, i64) {
    let (status, account) = app
        .get(&format!("/v1/account?actor_id={actor_id}"), &app.admin_key)
        .await;
    assert_eq!(status, StatusCode::OK, "{account}");
    (
        account["available_cents"].as_i64().expect("available"),
        account["held_cents"].as_i64().expect("held"),
    )
}

pub(super) async fn fund(app: &TestApp, actor_id: &str, key: &str, cents: i64) {
    let actor = Actor {
        id: actor_id.to_owned(),
        key: key.to_owned(),
    };
    app.grant(&actor, cents).await;
}

both_backends!(
    accepting_a_bid_opens_the_transaction_and_holds_the_buyers_price,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (buyer, buyer_key, _) = quick_start(&app, "Buyer", json!([])).await;
        let (seller, seller_key, _) = quick_start(&app, "Scraper", json!([])).await;
        fund(&app, &buyer, &buyer_key, 50_000).await;
        let listing = create_listing(
            &app,
            &buyer_key,
            request("Need data scraping agent", json!(200)),
        )
        .await;

        let (status, placed) = bid(
            &app,
            &seller_key,
            json!({
                "listing_id": listing,
                "price_usd": 100,
                "sla_hours": 72,
                "milestone_pricing": true,
                "milestones": [
                    { "title": "Data collection", "pct_of_total": 40, "sla_hours": 24 },
                    { "title": "Analysis report", "pct_of_total": 60, "sla_hours": 48 }
                ],
                "scope_note": "I can deliver this using my NLP pipeline"
            }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{placed}");
        assert_eq!(placed["status"], "pending");
        assert_eq!(placed["bidder_id"], seller.as_str());
        assert_eq!(placed["listing_id"], listing.as_str());
        assert_eq!(placed["price_usd"], 100);
        assert!(placed["expires_at"].is_string(), "{placed}");
        let bid_id = placed["id"].as_str().unwrap().to_owned();

        // The bidder cannot accept their own bid; the owner can.
        let (status, reply) = act(&app, "/bids-accept", &seller_key, &bid_id).await;
        refused(status, &reply, StatusCode::FORBIDDEN, "forbidden");
        let (status, accepted) = act(&app, "/bids-accept", &buyer_key, &bid_id).await;
        assert_eq!(status, StatusCode::OK, "{accepted}");
        assert_eq!(accepted["status"], "pending_payment");
        assert_eq!(accepted["price_usd"], 100);
        assert_eq!(accepted["platform_fee_usd"], 10);
        assert_eq!(accepted["seller_payout_usd"], 90);
        assert!(accepted["transaction_id"].is_string(), "{accepted}");
        assert_eq!(usd_account(&app, &buyer).await, (40_000, 10_000));

        // Awarded: no second acceptance, no new bids, and it leaves the requests.
        let (status, reply) = act(&app, "/bids-accept", &buyer_key, &bid_id).await;
        refused(status, &reply, StatusCode::CONFLICT, "conflict");
        let (_, late_key, _) = quick_start(&app, "Late", json!([])).await;
        let (status, reply) = bid(
            &app,
            &late_key,
            json!({ "listing_id": listing, "price_usd": 50, "sla_hours": 24 }),
        )
        .await;
        refused(status, &reply, StatusCode::CONFLICT, "conflict");
        let (_, requests) = hm(&app, Method::GET, "/listings-requests", None, None).await;
        assert_eq!(requests["total"], 0, "{requests}");
        app.verify().await;
    }
);

both_backends!(
    bids_keep_the_seeds_rules,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (_, buyer_key, _) = quick_start(&app, "Buyer", json!([])).await;
        let (_, seller_key, _) = quick_start(&app, "Seller", json!([])).await;
        let listing = create_listing(&app, &buyer_key, request("Need a crawler", json!(200))).await;
        let head = app.journal_head().await;
        let cases = [
            (
                json!({ "listing_id": listing, "price_usd": 300.01, "sla_hours": 24 }),
                "bid_price_too_high",
            ),
            (
                json!({ "listing_id": listing, "price_usd": 100, "sla_hours": 24, "milestone_pricing": true,
                     "milestones": [{ "title": "a", "pct_of_total": 40, "sla_hours": 24 },
                                    { "title": "b", "pct_of_total": 50, "sla_hours": 24 }] }),
                "milestone_sum_invalid",
            ),
            (
                json!({ "listing_id": listing, "price_usd": 100, "sla_hours": 0 }),
                "validation_error",
            ),
            (
                json!({ "listing_id": listing, "price_usd": 100, "sla_hours": 24, "scope_note": "n".repeat(301) }),
                "validation_error",
            ),
            (
                json!({ "listing_id": listing, "price_usd": 100 }),
                "validation_error",
            ),
            (
                json!({ "listing_id": "nope", "price_usd": 100, "sla_hours": 24 }),
                "validation_error",
            ),
        ];
        for (body, code) in cases {
            let (status, reply) = bid(&app, &seller_key, body).await;
            refused(status, &reply, StatusCode::BAD_REQUEST, code);
        }
        // Exactly 1.5 × the ceiling is allowed; a second active bid is not.
        let (status, placed) = bid(
            &app,
            &seller_key,
            json!({ "listing_id": listing, "price_usd": 300, "sla_hours": 24 }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{placed}");
        let (status, reply) = bid(
            &app,
            &seller_key,
            json!({ "listing_id": listing, "price_usd": 250, "sla_hours": 24 }),
        )
        .await;
        refused(status, &reply, StatusCode::BAD_REQUEST, "already_bid");
        let (status, reply) = bid(
            &app,
            &buyer_key,
            json!({ "listing_id": listing, "price_usd": 100, "sla_hours": 24 }),
        )
        .await;
        refused(status, &reply, StatusCode::FORBIDDEN, "forbidden");
        let head_after_bid = app.journal_head().await;
        assert!(head_after_bid > head);

        // A rejected bid frees the bidder to bid again; a bid on a deactivated listing is refused.
        let bid_id = placed["id"].as_str().unwrap().to_owned();
        let (status, rejected) = act(&app, "/bids-reject", &buyer_key, &bid_id).await;
        assert_eq!(
            (status, &rejected["status"]),
            (StatusCode::OK, &json!("rejected")),
            "{rejected}"
        );
        let (status, again) = bid(
            &app,
            &seller_key,
            json!({ "listing_id": listing, "price_usd": 120, "sla_hours": 24 }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{again}");
        let (status, gone) = hm(
            &app,
            Method::POST,
            "/listings-deactivate",
            Some(&buyer_key),
            Some(json!({ "listing_id": listing })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{gone}");
        let (_, other_key, _) = quick_start(&app, "Other", json!([])).await;
        let head = app.journal_head().await;
        let (status, reply) = bid(
            &app,
            &other_key,
            json!({ "listing_id": listing, "price_usd": 120, "sla_hours": 24 }),
        )
        .await;
        refused(status, &reply, StatusCode::CONFLICT, "conflict");
        let (status, reply) = act(
            &app,
            "/bids-accept",
            &buyer_key,
            again["id"].as_str().unwrap(),
        )
        .await;
        refused(status, &reply, StatusCode::CONFLICT, "conflict");
        // Someone else's bid is not found.
        let (status, reply) = act(&app, "/bids-reject", &other_key, &bid_id).await;
        refused(status, &reply, StatusCode::NOT_FOUND, "not_found");
        assert_eq!(app.journal_head().await, head);
        app.verify().await;
    }
);

both_backends!(
    counters_run_two_rounds_and_an_accepted_counter_opens_the_transaction,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (buyer, buyer_key, _) = quick_start(&app, "Buyer", json!([])).await;
        let (_, seller_key, _) = quick_start(&app, "Seller", json!([])).await;
        fund(&app, &buyer, &buyer_key, 10_000).await;
        let listing = create_listing(&app, &buyer_key, request("Need analysis", json!(80))).await;
        let (_, placed) = bid(
            &app,
            &seller_key,
            json!({ "listing_id": listing, "price_usd": 80, "sla_hours": 24 }),
        )
        .await;
        let bid_id = placed["id"].as_str().unwrap().to_owned();
        let counter = |price: i64| {
            json!({
                "bid_id": bid_id, "counter_price_usd": price, "counter_sla_hours": 36,
                "counter_note": "Need more time for thorough analysis"
            })
        };

        let (status, reply) = hm(
            &app,
            Method::POST,
            "/bids-counter",
            Some(&seller_key),
            Some(counter(65)),
        )
        .await;
        refused(status, &reply, StatusCode::FORBIDDEN, "forbidden");
        let (status, first) = hm(
            &app,
            Method::POST,
            "/bids-counter",
            Some(&buyer_key),
            Some(counter(65)),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{first}");
        assert_eq!(
            (&first["status"], &first["counter_round"]),
            (&json!("countered"), &json!(1))
        );
        assert!(first["counter_expires_at"].is_string(), "{first}");
        let (status, back) = act(&app, "/bids-counter-reject", &seller_key, &bid_id).await;
        assert_eq!(
            (status, &back["status"]),
            (StatusCode::OK, &json!("pending")),
            "{back}"
        );
        let (status, second) = hm(
            &app,
            Method::POST,
            "/bids-counter",
            Some(&buyer_key),
            Some(counter(70)),
        )
        .await;
        assert_eq!(
            (status, &second["counter_round"]),
            (StatusCode::OK, &json!(2)),
            "{second}"
        );
        let (status, reply) = act(&app, "/bids-counter-accept", &buyer_key, &bid_id).await;
        refused(status, &reply, StatusCode::FORBIDDEN, "forbidden");
        let (status, accepted) = act(&app, "/bids-counter-accept", &seller_key, &bid_id).await;
        assert_eq!(status, StatusCode::OK, "{accepted}");
        assert_eq!(accepted["status"], "pending_payment");
        assert_eq!(accepted["price_usd"], 70);
        assert_eq!(accepted["sla_hours"], 36);
        assert_eq!(usd_account(&app, &buyer).await, (3_000, 7_000));
        app.verify().await;
    }
);

both_backends!(
    a_third_counter_and_a_counter_where_negotiation_is_off_are_refused,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (_, buyer_key, _) = quick_start(&app, "Buyer", json!([])).await;
        let (_, seller_key, _) = quick_start(&app, "Seller", json!([])).await;
        let mut firm = request("Firm price", json!(80));
        firm["negotiation_permitted"] = json!(false);
        let firm = create_listing(&app, &buyer_key, firm).await;
        let open = create_listing(&app, &buyer_key, request("Open to offers", json!(80))).await;
        let mut bids = Vec::new();
        for listing in [&firm, &open] {
            let (status, placed) = bid(
                &app,
                &seller_key,
                json!({ "listing_id": listing, "price_usd": 80, "sla_hours": 24 }),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{placed}");
            bids.push(placed["id"].as_str().unwrap().to_owned());
        }
        let counter = |bid_id: &str| json!({ "bid_id": bid_id, "counter_price_usd": 60, "counter_sla_hours": 24 });
        let (status, reply) = hm(
            &app,
            Method::POST,
            "/bids-counter",
            Some(&buyer_key),
            Some(counter(&bids[0])),
        )
        .await;
        refused(
            status,
            &reply,
            StatusCode::BAD_REQUEST,
            "negotiation_not_permitted",
        );
        for _ in 0..2 {
            let (status, reply) = hm(
                &app,
                Method::POST,
                "/bids-counter",
                Some(&buyer_key),
                Some(counter(&bids[1])),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{reply}");
            let (status, reply) = act(&app, "/bids-counter-reject", &seller_key, &bids[1]).await;
            assert_eq!(status, StatusCode::OK, "{reply}");
        }
        let head = app.journal_head().await;
        let (status, reply) = hm(
            &app,
            Method::POST,
            "/bids-counter",
            Some(&buyer_key),
            Some(counter(&bids[1])),
        )
        .await;
        refused(
            status,
            &reply,
            StatusCode::BAD_REQUEST,
            "max_counter_rounds_exceeded",
        );
        assert_eq!(app.journal_head().await, head);
    }
);

both_backends!(
    a_batch_places_each_bid_it_can_and_says_why_not_for_the_others,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (_, buyer_key, _) = quick_start(&app, "Buyer", json!([])).await;
        let (_, seller_key, _) = quick_start(&app, "Seller", json!([])).await;
        let first = create_listing(&app, &buyer_key, request("First", json!(40))).await;
        let second = create_listing(&app, &buyer_key, request("Second", json!(40))).await;
        let (status, done) = hm(
            &app,
            Method::POST,
            "/batch-bids",
            Some(&seller_key),
            Some(json!({
                "bids": [
                    { "listing_id": first, "price_usd": 30, "sla_hours": 24 },
                    { "listing_id": first, "price_usd": 35, "sla_hours": 24 },
                    { "listing_id": second, "price_usd": 61, "sla_hours": 48 },
                    { "listing_id": second, "price_usd": 45, "sla_hours": 48 },
                    { "listing_id": second, "sla_hours": 48 }
                ]
            })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{done}");
        let results = done["results"].as_array().expect("results");
        assert_eq!(results.len(), 5);
        assert_eq!(results[0]["status"], "created", "{done}");
        assert!(results[0]["bid_id"].is_string());
        assert_eq!(results[1]["error"], "already_bid");
        assert_eq!(results[2]["error"], "bid_price_too_high");
        assert_eq!(results[3]["status"], "created");
        assert_eq!(results[3]["listing_id"], second.as_str());
        assert_eq!(results[4]["error"], "validation_error");
        let (status, reply) = hm(
            &app,
            Method::POST,
            "/batch-bids",
            Some(&seller_key),
            Some(json!({ "bids": [] })),
        )
        .await;
        refused(status, &reply, StatusCode::BAD_REQUEST, "validation_error");
        app.verify().await;
    }
);

both_backends!(
    a_bid_past_its_seven_days_is_expired_by_its_timer,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        use errand::bus::commands::{bid_stream, caller, place_bid, NewBid};
        use errand_aggregates::bid::{Bid, BidStatus, Terms};
        use errand_aggregates::ids::{ActorId, BidId, ListingId};
        use errand_aggregates::listing::SlaHours;
        use errand_aggregates::money::Money;
        use uuid::Uuid;

        let (_, buyer_key, _) = quick_start(&app, "Buyer", json!([])).await;
        let (seller, seller_key, _) = quick_start(&app, "Seller", json!([])).await;
        let listing = create_listing(&app, &buyer_key, request("Need a crawler", json!(200))).await;
        // Placed on the bus eight days ago: HTTP bids are placed now.
        let state = &app.running.as_ref().expect("running").state;
        let bid_id = BidId(Uuid::now_v7());
        let new = NewBid {
            bid_id,
            listing_id: ListingId(Uuid::parse_str(&listing).unwrap()),
            terms: Terms {
                price: Money::usd(15_000),
                sla_hours: SlaHours::parse(24).unwrap(),
                milestones: None,
            },
            scope_note: None,
        };
        let seller_id = ActorId(Uuid::parse_str(&seller).unwrap());
        let context = errand::bus::CommandContext::system("tests", "PlaceBid");
        errand::execute!(state.bus, &context, |unit| {
            let by = caller(unit, seller_id).await?;
            let at = chrono::Utc::now() - chrono::Duration::days(8);
            place_bid(
                unit,
                by,
                errand_aggregates::mode::Mode::Live,
                new.clone(),
                at,
            )
            .await?;
            Ok(())
        })
        .expect("placed");

        app.eventually(std::time::Duration::from_secs(10), || async {
            let (bid, _) = state.bus.load::<Bid>(&bid_stream(bid_id)).await.unwrap();
            bid.status == BidStatus::Expired
        })
        .await;
        // Expired, it can no longer be accepted, and its bidder may bid again.
        let (status, reply) = act(&app, "/bids-accept", &buyer_key, &bid_id.to_string()).await;
        refused(status, &reply, StatusCode::CONFLICT, "conflict");
        let (status, again) = bid(
            &app,
            &seller_key,
            json!({ "listing_id": listing, "price_usd": 150, "sla_hours": 24 }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{again}");
        app.verify().await;
    }
);

both_backends!(
    an_acceptance_sent_twice_with_one_idempotency_key_opens_one_transaction,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (buyer, buyer_key, _) = quick_start(&app, "Buyer", json!([])).await;
        let (_, seller_key, _) = quick_start(&app, "Seller", json!([])).await;
        fund(&app, &buyer, &buyer_key, 10_000).await;
        let listing = create_listing(&app, &buyer_key, request("Need a crawler", json!(60))).await;
        let (_, placed) = bid(
            &app,
            &seller_key,
            json!({ "listing_id": listing, "price_usd": 40, "sla_hours": 24 }),
        )
        .await;
        let mut transactions = Vec::new();
        for _ in 0..2 {
            let response = app
                .client
                .post(app.url(&format!("{API}/bids-accept")))
                .header("x-api-key", &buyer_key)
                .header("Idempotency-Key", "accept-once")
                .json(&json!({ "bid_id": placed["id"] }))
                .send()
                .await
                .expect("sent");
            let (status, accepted) = crate::helpers::read(response).await;
            assert_eq!(status, StatusCode::OK, "{accepted}");
            transactions.push(accepted["transaction_id"].clone());
        }
        assert_eq!(transactions[0], transactions[1]);
        assert_eq!(usd_account(&app, &buyer).await, (6_000, 4_000));
    }
);
