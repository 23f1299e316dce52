//! `disputes-create`, `-submit-evidence`, `-resolve` and `transactions-dispute`.

use super::market::*;
use super::*;
use crate::both_backends;

/// A delivered transaction of `price_cents`: (id, buyer, buyer key, seller, seller key).
async fn delivered(app: &TestApp, price_cents: i64) -> (String, String, String, String, String) {
    let (seller, seller_key, _) = quick_start(app, "Seller", json!([])).await;
    let (buyer, buyer_key) = human(app, "Buyer").await;
    fund(app, &buyer, 10_000).await;
    let listing = sell_listing(app, &seller, price_cents).await;
    let created = call(
        app,
        "/transactions-create",
        &buyer_key,
        json!({ "listing_id": listing }),
        StatusCode::CREATED,
    )
    .await;
    let id = created["transaction_id"].as_str().unwrap().to_owned();
    call(
        app,
        "/transactions-assign",
        &seller_key,
        json!({ "transaction_id": id }),
        StatusCode::OK,
    )
    .await;
    call(
        app,
        "/transactions-deliver",
        &seller_key,
        json!({ "transaction_id": id, "output_data": { "summary": "partial" } }),
        StatusCode::OK,
    )
    .await;
    (id, buyer, buyer_key, seller, seller_key)
}

both_backends!(
    a_split_divides_the_escrow_to_the_cent,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (id, buyer, buyer_key, seller, seller_key) = delivered(&app, 7_501).await;
        let dispute = call(
            &app,
            "/disputes-create",
            &buyer_key,
            json!({ "transaction_id": id, "reason": "Output does not match schema" }),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(dispute["status"], "open");
        assert_eq!(dispute["transaction_status"], "disputed");
        let dispute_id = dispute["dispute_id"].as_str().unwrap().to_owned();
        let (status, body) = hm(
            &app,
            Method::POST,
            "/disputes-create",
            Some(&seller_key),
            Some(json!({ "transaction_id": id, "reason": "again" })),
        )
        .await;
        refused(status, &body, StatusCode::CONFLICT, "dispute_already_open");

        let evidence = call(&app, "/disputes-submit-evidence", &seller_key,
            json!({ "dispute_id": dispute_id, "evidence_type": "screenshot", "content": "https://example.com/e.png" }),
            StatusCode::CREATED).await;
        assert_eq!(evidence["evidence"][0]["evidence_type"], "screenshot");
        let (outsider, outsider_key, _) = quick_start(&app, "Outsider", json!([])).await;
        let _ = outsider;
        let admin = admin_key(&app).await;
        let head = app.journal_head().await;
        let (status, body) = hm(
            &app,
            Method::POST,
            "/disputes-submit-evidence",
            Some(&outsider_key),
            Some(json!({ "dispute_id": dispute_id, "evidence_type": "log", "content": "me too" })),
        )
        .await;
        refused(status, &body, StatusCode::FORBIDDEN, "forbidden");
        let (status, body) = hm(
            &app,
            Method::POST,
            "/disputes-resolve",
            Some(&buyer_key),
            Some(json!({ "dispute_id": dispute_id, "resolution": "refund_buyer" })),
        )
        .await;
        refused(status, &body, StatusCode::FORBIDDEN, "forbidden");
        for body in [
            json!({ "dispute_id": dispute_id, "resolution": "split" }),
            json!({ "dispute_id": dispute_id, "resolution": "split", "seller_pct": 100 }),
            json!({ "dispute_id": dispute_id, "resolution": "halve" }),
        ] {
            let (status, reply) = hm(
                &app,
                Method::POST,
                "/disputes-resolve",
                Some(&admin),
                Some(body),
            )
            .await;
            refused(status, &reply, StatusCode::BAD_REQUEST, "validation_error");
        }
        assert_eq!(app.journal_head().await, head);

        let resolved = call(&app, "/disputes-resolve", &admin,
            json!({ "dispute_id": dispute_id, "resolution": "split", "seller_pct": 33, "note": "A third was usable" }),
            StatusCode::OK).await;
        assert_eq!(resolved["status"], "resolved");
        assert_eq!(resolved["resolution"], "split");
        assert_eq!(resolved["transaction_status"], "resolved");
        // 33 % of $75.01 is $24.7533: $24.75 to the seller's side, less its
        // fee ($2.475, half-up $2.48); the buyer gets the exact rest, $50.26.
        assert_eq!(usd(&app, &seller).await, (2_227, 0));
        assert_eq!(usd(&app, &buyer).await, (10_000 - 7_501 + 5_026, 0));
        let (status, body) = hm(
            &app,
            Method::POST,
            "/disputes-resolve",
            Some(&admin),
            Some(json!({ "dispute_id": dispute_id, "resolution": "refund_buyer" })),
        )
        .await;
        refused(status, &body, StatusCode::CONFLICT, "conflict");
        app.verify().await;
    }
);

both_backends!(
    a_transaction_disputed_and_refunded_returns_the_whole_escrow,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (id, buyer, buyer_key, seller, _) = delivered(&app, 7_500).await;
        let dispute = call(&app, "/transactions-dispute", &buyer_key,
            json!({ "transaction_id": id, "dispute_reason": "Output does not match the agreed schema" }),
            StatusCode::CREATED).await;
        let (status, body) = hm(
            &app,
            Method::POST,
            "/transactions-accept",
            Some(&buyer_key),
            Some(json!({ "transaction_id": id })),
        )
        .await;
        refused(status, &body, StatusCode::CONFLICT, "conflict");
        let admin = admin_key(&app).await;
        call(&app, "/disputes-resolve", &admin,
            json!({ "dispute_id": dispute["dispute_id"], "resolution": "refund_buyer", "note": "Output clearly incomplete" }),
            StatusCode::OK).await;
        assert_eq!(usd(&app, &buyer).await, (10_000, 0));
        assert_eq!(usd(&app, &seller).await, (0, 0));
        app.verify().await;
    }
);
