//! `POST /listings-create`, `PUT /listings-update`, `POST /listings-deactivate`,
//! `GET /listings-search`, `GET /listings-requests`.

use super::*;
use crate::both_backends;

/// A sell offer's body with `title` and `tags`.
pub fn offer(title: &str, tags: Value, price: Value) -> Value {
    json!({
        "direction": "sell",
        "listing_type": "task_execution",
        "title": title,
        "description": "I will research your competitors and deliver a structured report",
        "category_tags": tags,
        "price_usd": price,
        "sla_hours": 48,
    })
}

/// A buy request's body.
pub fn request(title: &str, ceiling: Value) -> Value {
    json!({
        "direction": "buy",
        "listing_type": "task_execution",
        "title": title,
        "description": "Scrape product listings from 3 e-commerce sites",
        "category_tags": ["data:extraction"],
        "budget_ceiling_usd": ceiling,
    })
}

/// Creates a listing; returns its id.
pub async fn create_listing(app: &TestApp, key: &str, body: Value) -> String {
    let (status, listing) = hm(app, Method::POST, "/listings-create", Some(key), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{listing}");
    listing["id"].as_str().expect("listing id").to_owned()
}

async fn search(app: &TestApp, key: &str, query: &str) -> Value {
    let (status, found) = hm(
        app,
        Method::GET,
        &format!("/listings-search?{query}"),
        Some(key),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    found
}

fn ids(found: &Value) -> Vec<String> {
    found["listings"]
        .as_array()
        .expect("listings")
        .iter()
        .map(|l| l["id"].as_str().expect("id").to_owned())
        .collect()
}

both_backends!(
    listings_are_created_found_updated_and_deactivated,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (seller, key, _) = quick_start(&app, "Analyst", json!([])).await;
        let (_, buyer_key, _) = quick_start(&app, "Shopper", json!([])).await;
        let (status, created) = hm(
            &app,
            Method::POST,
            "/listings-create",
            Some(&key),
            Some(offer(
                "Competitive analysis report",
                json!(["research:competitive", "Data:Analysis"]),
                json!(75),
            )),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(created["direction"], "sell");
        assert_eq!(created["listing_type"], "task_execution");
        assert_eq!(created["seller_id"], seller.as_str());
        assert_eq!(created["price_usd"], 75);
        assert_eq!(created["is_active"], true);
        assert_eq!(created["total_sales"], 0);
        assert_eq!(created["negotiation_permitted"], true);
        assert_eq!(
            created["category_tags"],
            json!(["research:competitive", "data:analysis"])
        );
        let offer_id = created["id"].as_str().unwrap().to_owned();
        let scraping = create_listing(
            &app,
            &buyer_key,
            request("Need data scraping agent", json!(200)),
        )
        .await;

        let found = search(&app, &buyer_key, "query=competitor%20analysis").await;
        assert_eq!(ids(&found), [offer_id.as_str()], "{found}");
        assert_eq!(found["total"], 1);
        assert_eq!(found["limit"], 20);
        assert_eq!(found["offset"], 0);
        let hit = &found["listings"][0];
        assert_eq!(hit["seller_id"], seller.as_str());
        assert_eq!(hit["price_usd"], 75);
        assert_eq!(hit["sla_hours"], 48);
        let by_tag = search(&app, &buyer_key, "category_tag=data:extraction").await;
        assert_eq!(ids(&by_tag), [scraping.as_str()]);
        let cheap = search(&app, &buyer_key, "max_price_usd=100&sort_by=price_usd").await;
        assert_eq!(ids(&cheap), [offer_id.as_str()]);
        let newest = search(
            &app,
            &buyer_key,
            "sort_by=created_at&sort_order=desc&limit=1",
        )
        .await;
        assert_eq!(ids(&newest), [scraping.as_str()]);
        assert_eq!(newest["total"], 2);
        let (status, requests) = hm(&app, Method::GET, "/listings-requests", None, None).await;
        assert_eq!(status, StatusCode::OK, "{requests}");
        assert_eq!(ids(&requests), [scraping.as_str()]);
        assert_eq!(requests["listings"][0]["budget_ceiling_usd"], 200);

        // The owner only may update.
        let change = json!({ "listing_id": offer_id, "title": "Updated title", "price_usd": 85 });
        let (status, refused_reply) = hm(
            &app,
            Method::PUT,
            "/listings-update",
            Some(&buyer_key),
            Some(change.clone()),
        )
        .await;
        refused(status, &refused_reply, StatusCode::FORBIDDEN, "forbidden");
        let (status, updated) = hm(
            &app,
            Method::PUT,
            "/listings-update",
            Some(&key),
            Some(change),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{updated}");
        assert_eq!(
            (&updated["title"], &updated["price_usd"]),
            (&json!("Updated title"), &json!(85))
        );
        assert_eq!(updated["description"], created["description"]);

        let deactivate = json!({ "listing_id": offer_id });
        let (status, gone) = hm(
            &app,
            Method::POST,
            "/listings-deactivate",
            Some(&key),
            Some(deactivate.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{gone}");
        assert_eq!(gone["is_active"], false);
        let found = search(&app, &buyer_key, "query=competitive").await;
        assert_eq!(
            found["total"], 0,
            "a deactivated listing is not found: {found}"
        );
        let (status, again) = hm(
            &app,
            Method::POST,
            "/listings-deactivate",
            Some(&key),
            Some(deactivate),
        )
        .await;
        refused(status, &again, StatusCode::CONFLICT, "conflict");
        app.verify().await;
    }
);

both_backends!(
    bad_listings_are_validation_errors_and_append_nothing,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (_, key, _) = quick_start(&app, "Careless", json!([])).await;
        let head = app.journal_head().await;
        let long_title = "t".repeat(201);
        let long_description = "d".repeat(2_001);
        let cases = [
            json!({}),
            offer("", json!(["a"]), json!(10)),
            offer(&long_title, json!(["a"]), json!(10)),
            offer("Fine", json!([]), json!(10)),
            offer("Fine", json!(["a"]), json!(0)),
            offer("Fine", json!(["a"]), json!(10.005)),
            offer("Fine", json!(["a"]), json!("10")),
            json!({ "direction": "sideways", "listing_type": "task_execution", "title": "t",
                    "description": "d", "category_tags": ["a"], "price_usd": 1 }),
            json!({ "direction": "sell", "listing_type": "tool", "title": "t",
                    "description": "d", "category_tags": ["a"], "price_usd": 1 }),
            json!({ "direction": "sell", "listing_type": "task_execution", "title": "t",
                    "description": long_description, "category_tags": ["a"], "price_usd": 1 }),
            // A sell listing without a price, a buy request without a ceiling or with a price.
            json!({ "direction": "sell", "listing_type": "task_execution", "title": "t",
                    "description": "d", "category_tags": ["a"] }),
            request("Fine", Value::Null),
            json!({ "direction": "buy", "listing_type": "task_execution", "title": "t",
                    "description": "d", "category_tags": ["a"], "budget_ceiling_usd": 5, "price_usd": 5 }),
            json!({ "direction": "sell", "listing_type": "task_execution", "title": "t",
                    "description": "d", "category_tags": ["a"], "price_usd": 5, "sla_hours": 169 }),
            json!({ "direction": "sell", "listing_type": "task_execution", "title": "t",
                    "description": "d", "category_tags": ["a"], "price_usd": 5, "min_seller_tier": 3 }),
            json!({ "direction": "sell", "listing_type": "task_execution", "title": "t",
                    "description": "d", "category_tags": ["a"], "price_usd": 5, "input_schema": [1] }),
            json!({ "direction": "sell", "listing_type": "task_execution", "title": "t",
                    "description": "d", "category_tags": ["a"], "price_usd": 5, "colour": "red" }),
        ];
        for body in cases {
            let (status, reply) = hm(
                &app,
                Method::POST,
                "/listings-create",
                Some(&key),
                Some(body.clone()),
            )
            .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {reply}");
            refused(status, &reply, StatusCode::BAD_REQUEST, "validation_error");
        }
        let (status, reply) = hm(
            &app,
            Method::POST,
            "/listings-create",
            None,
            Some(offer("t", json!(["a"]), json!(1))),
        )
        .await;
        refused(status, &reply, StatusCode::UNAUTHORIZED, "unauthorized");
        for (method, path, body) in [
            (
                Method::PUT,
                "/listings-update",
                json!({ "listing_id": "nope", "title": "t" }),
            ),
            (
                Method::POST,
                "/listings-deactivate",
                json!({ "listing_id": "nope" }),
            ),
        ] {
            let (status, reply) = hm(&app, method, path, Some(&key), Some(body)).await;
            refused(status, &reply, StatusCode::BAD_REQUEST, "validation_error");
        }
        let unknown = json!({ "listing_id": "0190a5a4-0000-7000-8000-000000000000" });
        let (status, reply) = hm(
            &app,
            Method::POST,
            "/listings-deactivate",
            Some(&key),
            Some(unknown),
        )
        .await;
        refused(status, &reply, StatusCode::NOT_FOUND, "not_found");
        for query in [
            "limit=0",
            "limit=51",
            "offset=-1",
            "sort_by=name",
            "sort_order=up",
            "direction=up",
            "min_tier=3",
            "max_price_usd=1.001",
            "listing_type=tool",
            "colour=red",
        ] {
            let (status, reply) = hm(
                &app,
                Method::GET,
                &format!("/listings-search?{query}"),
                Some(&key),
                None,
            )
            .await;
            refused(status, &reply, StatusCode::BAD_REQUEST, "validation_error");
        }
        let (status, reply) = hm(&app, Method::GET, "/listings-search", None, None).await;
        refused(status, &reply, StatusCode::UNAUTHORIZED, "unauthorized");
        assert_eq!(app.journal_head().await, head);
    }
);

both_backends!(
    a_tool_is_listed_with_its_plans_and_exact_overage,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (_, key, _) = quick_start(&app, "ToolMaker", json!([])).await;
        let tool = json!({
            "direction": "sell",
            "listing_type": "compute_access",
            "title": "Web Scraper API",
            "description": "High-performance web scraping with JS rendering",
            "category_tags": ["data:scraping", "api:web"],
            "tool_meta": { "upstream_url": "https://api.scraper.io/v2", "auth_type": "header" },
            "subscription_plans": [
                { "plan_id": "starter", "name": "Starter", "interval": "monthly", "amount_cents": 2900,
                  "included_calls": 10000, "overage_cents_per_call": 1, "features": ["basic"] },
                { "plan_id": "pro", "name": "Pro", "interval": "monthly", "amount_cents": 9900,
                  "included_calls": 100000, "overage_cents_per_call": 0.5, "features": ["basic", "priority"] }
            ],
            "sla_config": { "uptime_target_pct": 99.5, "max_latency_p95_ms": 500 }
        });
        let (status, listed) = hm(
            &app,
            Method::POST,
            "/listings-create",
            Some(&key),
            Some(tool.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{listed}");
        assert_eq!(listed["price_usd"], Value::Null);
        assert_eq!(
            listed["subscription_plans"][1]["overage_cents_per_call"],
            0.5
        );
        assert_eq!(listed["subscription_plans"][0]["amount_cents"], 2900);
        assert_eq!(listed["tool_meta"]["auth_type"], "header");
        assert_eq!(listed["sla_config"]["uptime_target_pct"], 99.5);
        // Overage finer than a thousandth of a cent is refused, not rounded.
        let mut finer = tool;
        finer["subscription_plans"][1]["overage_cents_per_call"] = json!(0.0005);
        let head = app.journal_head().await;
        let (status, reply) = hm(
            &app,
            Method::POST,
            "/listings-create",
            Some(&key),
            Some(finer),
        )
        .await;
        refused(status, &reply, StatusCode::BAD_REQUEST, "validation_error");
        assert_eq!(app.journal_head().await, head);
        // A tool's price, for filters, is its cheapest plan.
        let found = search(&app, &key, "listing_type=compute_access&max_price_usd=29").await;
        assert_eq!(found["total"], 1, "{found}");
        assert_eq!(found["listings"][0]["price_usd"], Value::Null);
        let cheaper = search(
            &app,
            &key,
            "listing_type=compute_access&max_price_usd=28.99",
        )
        .await;
        assert_eq!(cheaper["total"], 0, "{cheaper}");
    }
);
