//! `transactions-create`, `-assign`, `-deliver`, `-accept`, `-chain`,
//! `subcontracts-create`, and the review window's auto-acceptance.

use super::market::*;
use super::*;
use crate::both_backends;
use crate::helpers::spawn_app_with;
use errand_aggregates::contract::ReviewWindow;
use std::time::Duration;
use uuid::Uuid;

const OK: StatusCode = StatusCode::OK;
const CREATED: StatusCode = StatusCode::CREATED;

both_backends!(
    a_bought_listing_is_held_assigned_delivered_and_paid_less_the_fee_on_acceptance,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (seller, seller_key, _) = quick_start(&app, "AnalystBot", json!([])).await;
        let (buyer, buyer_key) = human(&app, "Alice").await;
        fund(&app, &buyer, 10_000).await;
        let listing = sell_listing(&app, &seller, 7_500).await;

        let created = call(
            &app,
            "/transactions-create",
            &buyer_key,
            json!({ "listing_id": listing }),
            CREATED,
        )
        .await;
        assert_eq!(created["status"], "pending_payment");
        assert_eq!(created["price_usd"], json!(75));
        assert_eq!(created["platform_fee_usd"], json!(7.5));
        assert_eq!(created["seller_payout_usd"], json!(67.5));
        assert_eq!(created["chain_depth"], 0);
        assert_eq!(usd(&app, &buyer).await, (2_500, 7_500));
        let id = created["transaction_id"].as_str().unwrap().to_owned();
        let transaction = json!({ "transaction_id": id });

        let assigned = call(
            &app,
            "/transactions-assign",
            &seller_key,
            transaction.clone(),
            OK,
        )
        .await;
        assert_eq!(assigned["status"], "assigned");
        assert!(assigned["sla_deadline"].is_string(), "{assigned}");
        let head = app.journal_head().await;
        let (status, body) = hm(
            &app,
            Method::POST,
            "/transactions-accept",
            Some(&buyer_key),
            Some(transaction.clone()),
        )
        .await;
        refused(status, &body, StatusCode::CONFLICT, "conflict");
        let (status, body) = hm(
            &app,
            Method::POST,
            "/transactions-deliver",
            Some(&buyer_key),
            Some(json!({ "transaction_id": id, "output_data": { "summary": "mine" } })),
        )
        .await;
        refused(status, &body, StatusCode::FORBIDDEN, "forbidden");
        let (status, body) = hm(
            &app,
            Method::POST,
            "/transactions-deliver",
            Some(&seller_key),
            Some(json!({ "transaction_id": id, "output_data": "not an object" })),
        )
        .await;
        refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        assert_eq!(app.journal_head().await, head);

        let delivered = call(
            &app,
            "/transactions-deliver",
            &seller_key,
            json!({
                "transaction_id": id,
                "output_data": { "summary": "Analysis of 5 competitors", "data_points": 47 }
            }),
            OK,
        )
        .await;
        assert_eq!(delivered["status"], "delivered");
        assert!(delivered["review_deadline"].is_string(), "{delivered}");
        let (status, body) = hm(
            &app,
            Method::POST,
            "/transactions-accept",
            Some(&seller_key),
            Some(transaction.clone()),
        )
        .await;
        refused(status, &body, StatusCode::FORBIDDEN, "forbidden");

        let accepted = call(
            &app,
            "/transactions-accept",
            &buyer_key,
            transaction.clone(),
            OK,
        )
        .await;
        assert_eq!(accepted["status"], "completed");
        assert_eq!(usd(&app, &seller).await, (6_750, 0));
        assert_eq!(usd(&app, &buyer).await, (2_500, 0));
        let (status, body) = hm(
            &app,
            Method::POST,
            "/transactions-accept",
            Some(&buyer_key),
            Some(transaction),
        )
        .await;
        refused(status, &body, StatusCode::CONFLICT, "conflict");
        assert_eq!(usd(&app, &seller).await, (6_750, 0));
        app.verify().await;
    }
);

both_backends!(
    a_purchase_refused_holds_nothing_and_says_why,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (seller, _, _) = quick_start(&app, "Seller", json!([])).await;
        let (agent, agent_key, _) = quick_start(&app, "Buyer agent", json!([])).await;
        let (buyer, buyer_key) = human(&app, "Bob").await;
        fund(&app, &agent, 10_000).await;
        fund(&app, &buyer, 1_000).await;
        let listing = sell_listing(&app, &seller, 7_500).await;
        let head = app.journal_head().await;
        let cases = [
            (
                &agent_key,
                json!({ "listing_id": listing }),
                StatusCode::BAD_REQUEST,
                "missing_parent_transaction",
            ),
            (
                &buyer_key,
                json!({ "listing_id": listing }),
                StatusCode::BAD_REQUEST,
                "insufficient_balance",
            ),
            (
                &buyer_key,
                json!({ "listing_id": "lst-1" }),
                StatusCode::BAD_REQUEST,
                "validation_error",
            ),
            (
                &buyer_key,
                json!({}),
                StatusCode::BAD_REQUEST,
                "validation_error",
            ),
            (
                &buyer_key,
                json!({ "listing_id": listing, "price_usd": 1 }),
                StatusCode::BAD_REQUEST,
                "validation_error",
            ),
            (
                &buyer_key,
                json!({ "listing_id": Uuid::now_v7() }),
                StatusCode::NOT_FOUND,
                "not_found",
            ),
            (
                &agent_key,
                json!({ "listing_id": listing, "parent_transaction_id": Uuid::now_v7() }),
                StatusCode::NOT_FOUND,
                "not_found",
            ),
        ];
        for (key, body, want, code) in cases {
            let (status, reply) = hm(
                &app,
                Method::POST,
                "/transactions-create",
                Some(key),
                Some(body.clone()),
            )
            .await;
            assert_eq!(status, want, "{body}: {reply}");
            assert_eq!(reply["code"], code, "{body}: {reply}");
        }
        let (status, reply) = hm(
            &app,
            Method::POST,
            "/transactions-create",
            None,
            Some(json!({ "listing_id": listing })),
        )
        .await;
        refused(status, &reply, StatusCode::UNAUTHORIZED, "unauthorized");
        assert_eq!(app.journal_head().await, head);
        assert_eq!(usd(&app, &buyer).await, (1_000, 0));
    }
);

/// Buys `listing` for `parent` as `key`; the new transaction's id.
async fn subcontract(app: &TestApp, key: &str, parent: &str, listing: &str) -> String {
    let created = call(
        app,
        "/subcontracts-create",
        key,
        json!({ "parent_transaction_id": parent, "listing_id": listing }),
        CREATED,
    )
    .await;
    created["transaction_id"].as_str().unwrap().to_owned()
}

both_backends!(
    a_subcontract_chain_stops_at_depth_three_and_refuses_cycles_and_self_dealing,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (alice, alice_key) = human(&app, "Alice").await;
        fund(&app, &alice, 100_000).await;
        let mut agents = Vec::new();
        for (n, name) in ["AgentA", "AgentB", "AgentC", "AgentD", "AgentE"]
            .into_iter()
            .enumerate()
        {
            let wallet = format!("0x{:040x}", 0xa0 + n);
            let (id, key) = agent_of(&app, name, &wallet).await;
            fund(&app, &id, 100_000).await;
            agents.push((id, key));
        }
        let prices = [10_000, 5_000, 2_500, 1_200, 600];
        let mut listings = Vec::new();
        for ((id, _), price) in agents.iter().zip(prices) {
            listings.push(sell_listing(&app, id, price).await);
        }
        let root = call(
            &app,
            "/transactions-create",
            &alice_key,
            json!({ "listing_id": listings[0] }),
            CREATED,
        )
        .await;
        let root = root["transaction_id"].as_str().unwrap().to_owned();
        call(
            &app,
            "/transactions-assign",
            &agents[0].1,
            json!({ "transaction_id": root }),
            OK,
        )
        .await;

        // A → B → C → D: depths 1, 2, 3, each assigned by its seller.
        let mut chain = vec![root.clone()];
        for level in 1..=3 {
            let child = subcontract(
                &app,
                &agents[level - 1].1,
                &chain[level - 1],
                &listings[level],
            )
            .await;
            call(
                &app,
                "/transactions-assign",
                &agents[level].1,
                json!({ "transaction_id": child }),
                OK,
            )
            .await;
            chain.push(child);
        }
        let head = app.journal_head().await;
        // D buying from E would be depth 4.
        let (status, body) = hm(
            &app,
            Method::POST,
            "/subcontracts-create",
            Some(&agents[3].1),
            Some(json!({ "parent_transaction_id": chain[3], "listing_id": listings[4] })),
        )
        .await;
        refused(
            status,
            &body,
            StatusCode::TOO_MANY_REQUESTS,
            "max_chain_depth_exceeded",
        );
        // C buying from A again: A is already in the chain.
        let (status, body) = hm(
            &app,
            Method::POST,
            "/subcontracts-create",
            Some(&agents[2].1),
            Some(json!({ "parent_transaction_id": chain[2], "listing_id": listings[0] })),
        )
        .await;
        refused(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            "circular_chain_detected",
        );
        // Only the parent's seller subcontracts it.
        let (status, body) = hm(
            &app,
            Method::POST,
            "/subcontracts-create",
            Some(&agents[4].1),
            Some(json!({ "parent_transaction_id": chain[2], "listing_id": listings[3] })),
        )
        .await;
        refused(status, &body, StatusCode::FORBIDDEN, "forbidden");
        // A budget below the listing's price.
        let (status, body) = hm(&app, Method::POST, "/subcontracts-create", Some(&agents[2].1),
            Some(json!({ "parent_transaction_id": chain[2], "listing_id": listings[4], "price_usd": 5 }))).await;
        refused(status, &body, StatusCode::BAD_REQUEST, "budget_exceeded");
        assert_eq!(app.journal_head().await, head);

        let (status, body) = hm(
            &app,
            Method::GET,
            &format!("/transactions-chain?transaction_id={}", chain[2]),
            Some(&agents[1].1),
            None,
        )
        .await;
        assert_eq!(status, OK, "{body}");
        let rows = body["chain"].as_array().expect("a chain");
        assert_eq!(rows.len(), 4, "{body}");
        for (depth, row) in rows.iter().enumerate() {
            assert_eq!(row["depth"], depth, "{body}");
            assert_eq!(row["transaction_id"], chain[depth].as_str(), "{body}");
            assert_eq!(row["status"], "assigned", "{body}");
        }
        assert_eq!(rows[0]["buyer"], "Alice");
        assert_eq!(rows[1]["buyer"], "AgentA");
        assert_eq!(rows[1]["seller"], "AgentB");
        assert_eq!(rows[3]["price_usd"], json!(12));
        let (outsider, outsider_key) = human(&app, "Outsider").await;
        let _ = outsider;
        let (status, body) = hm(
            &app,
            Method::GET,
            &format!("/transactions-chain?transaction_id={root}"),
            Some(&outsider_key),
            None,
        )
        .await;
        refused(status, &body, StatusCode::NOT_FOUND, "not_found");
        app.verify().await;
    }
);

both_backends!(
    an_agent_may_not_buy_from_an_agent_of_its_own_owner,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (alice, alice_key) = human(&app, "Alice").await;
        fund(&app, &alice, 100_000).await;
        let wallet = "0x00000000000000000000000000000000000000aa";
        let (one, one_key) = agent_of(&app, "One", wallet).await;
        let (two, _) = agent_of(&app, "Two", wallet).await;
        fund(&app, &one, 10_000).await;
        let root_listing = sell_listing(&app, &one, 5_000).await;
        let sibling_listing = sell_listing(&app, &two, 1_000).await;
        let root = call(
            &app,
            "/transactions-create",
            &alice_key,
            json!({ "listing_id": root_listing }),
            CREATED,
        )
        .await;
        let root = root["transaction_id"].as_str().unwrap().to_owned();
        call(
            &app,
            "/transactions-assign",
            &one_key,
            json!({ "transaction_id": root }),
            OK,
        )
        .await;
        let head = app.journal_head().await;
        let (status, body) = hm(
            &app,
            Method::POST,
            "/transactions-create",
            Some(&one_key),
            Some(json!({ "listing_id": sibling_listing, "parent_transaction_id": root })),
        )
        .await;
        refused(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            "self_dealing_not_permitted",
        );
        assert_eq!(app.journal_head().await, head);
        assert_eq!(usd(&app, &one).await, (10_000, 0));
    }
);

async fn auto_accepted_after_a_shortened_review_window(backend: crate::helpers::Backend) {
    let Some(app) = spawn_app_with(backend, |config| {
        config.rate_limits = roomy_limits();
        config.humai_review_window =
            ReviewWindow::new(chrono::Duration::seconds(1)).expect("a window");
    })
    .await
    else {
        return;
    };
    let (seller, seller_key, _) = quick_start(&app, "Seller", json!([])).await;
    let (buyer, buyer_key) = human(&app, "Silent buyer").await;
    fund(&app, &buyer, 7_500).await;
    let listing = sell_listing(&app, &seller, 7_500).await;
    let created = call(
        &app,
        "/transactions-create",
        &buyer_key,
        json!({ "listing_id": listing }),
        CREATED,
    )
    .await;
    let transaction = json!({ "transaction_id": created["transaction_id"] });
    call(
        &app,
        "/transactions-assign",
        &seller_key,
        transaction.clone(),
        OK,
    )
    .await;
    call(&app, "/transactions-deliver", &seller_key,
        json!({ "transaction_id": created["transaction_id"], "output_data": { "summary": "done" } }), OK).await;
    assert_eq!(usd(&app, &seller).await, (0, 0));
    app.eventually(Duration::from_secs(20), || async {
        usd(&app, &seller).await == (6_750, 0)
    })
    .await;
    assert_eq!(usd(&app, &buyer).await, (0, 0));
    let (status, body) = hm(
        &app,
        Method::POST,
        "/transactions-accept",
        Some(&buyer_key),
        Some(transaction),
    )
    .await;
    refused(status, &body, StatusCode::CONFLICT, "conflict");
    app.verify().await;
}

mod a_delivery_nobody_answers_is_accepted_and_paid_after_the_review_window {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_sqlite() {
        auto_accepted_after_a_shortened_review_window(crate::helpers::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_postgres() {
        auto_accepted_after_a_shortened_review_window(crate::helpers::Backend::Postgres).await;
    }
}
