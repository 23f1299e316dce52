//! `milestones-deliver`, `-accept`, `-dispute`: a contract paid in parts.

use super::market::*;
use super::*;
use crate::both_backends;

both_backends!(
    a_milestone_contract_is_paid_in_two_parts_to_the_cent,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (seller, seller_key, _) = quick_start(&app, "Seller", json!([])).await;
        let (buyer, buyer_key) = human(&app, "Buyer").await;
        fund(&app, &buyer, 20_000).await;
        let listing = sell_listing(&app, &seller, 10_001).await;
        // $100.01 at 40/60: 40 % rounds down to $40.00, the last part takes $60.01.
        let id = milestone_contract(
            &app,
            &buyer,
            &seller,
            &listing,
            10_001,
            &[("Data collection", 40), ("Analysis report", 60)],
        )
        .await;
        assert_eq!(usd(&app, &buyer).await, (9_999, 10_001));
        call(
            &app,
            "/transactions-assign",
            &seller_key,
            json!({ "transaction_id": id }),
            StatusCode::OK,
        )
        .await;
        let part = |sequence: i64| json!({ "transaction_id": id, "sequence": sequence });
        let delivery = |sequence: i64| json!({ "transaction_id": id, "sequence": sequence, "output_data": { "dataset_url": "https://example.com/d" } });

        let head = app.journal_head().await;
        let (status, body) = hm(
            &app,
            Method::POST,
            "/milestones-deliver",
            Some(&seller_key),
            Some(delivery(2)),
        )
        .await;
        refused(status, &body, StatusCode::CONFLICT, "conflict");
        let (status, body) = hm(
            &app,
            Method::POST,
            "/milestones-deliver",
            Some(&seller_key),
            Some(delivery(3)),
        )
        .await;
        refused(status, &body, StatusCode::NOT_FOUND, "not_found");
        let (status, body) = hm(
            &app,
            Method::POST,
            "/milestones-deliver",
            Some(&seller_key),
            Some(delivery(0)),
        )
        .await;
        refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        let (status, body) = hm(
            &app,
            Method::POST,
            "/transactions-deliver",
            Some(&seller_key),
            Some(json!({ "transaction_id": id, "output_data": {} })),
        )
        .await;
        refused(
            status,
            &body,
            StatusCode::CONFLICT,
            "milestone_delivery_required",
        );
        assert_eq!(app.journal_head().await, head);

        let delivered = call(
            &app,
            "/milestones-deliver",
            &seller_key,
            delivery(1),
            StatusCode::OK,
        )
        .await;
        assert_eq!(delivered["milestones"][0]["status"], "delivered");
        let (status, body) = hm(
            &app,
            Method::POST,
            "/milestones-accept",
            Some(&seller_key),
            Some(part(1)),
        )
        .await;
        refused(status, &body, StatusCode::FORBIDDEN, "forbidden");
        let accepted = call(
            &app,
            "/milestones-accept",
            &buyer_key,
            part(1),
            StatusCode::OK,
        )
        .await;
        assert_eq!(accepted["milestones"][0]["status"], "accepted");
        assert_eq!(accepted["milestones"][1]["status"], "in_progress");
        assert_eq!(accepted["status"], "assigned");
        // $40.00 less its 10 % fee.
        assert_eq!(usd(&app, &seller).await, (3_600, 0));
        assert_eq!(usd(&app, &buyer).await, (9_999, 6_001));

        call(
            &app,
            "/milestones-deliver",
            &seller_key,
            delivery(2),
            StatusCode::OK,
        )
        .await;
        let done = call(
            &app,
            "/milestones-accept",
            &buyer_key,
            part(2),
            StatusCode::OK,
        )
        .await;
        assert_eq!(done["status"], "completed");
        // $60.01 less $6.00 (10 % half-up): $54.01 more.
        assert_eq!(usd(&app, &seller).await, (9_001, 0));
        assert_eq!(usd(&app, &buyer).await, (9_999, 0));
        app.verify().await;
    }
);

both_backends!(
    a_disputed_milestone_holds_its_part_until_resolved_and_the_work_goes_on,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (seller, seller_key, _) = quick_start(&app, "Seller", json!([])).await;
        let (buyer, buyer_key) = human(&app, "Buyer").await;
        fund(&app, &buyer, 10_000).await;
        let listing = sell_listing(&app, &seller, 10_000).await;
        let id = milestone_contract(
            &app,
            &buyer,
            &seller,
            &listing,
            10_000,
            &[("One", 50), ("Two", 50)],
        )
        .await;
        call(
            &app,
            "/transactions-assign",
            &seller_key,
            json!({ "transaction_id": id }),
            StatusCode::OK,
        )
        .await;
        call(
            &app,
            "/milestones-deliver",
            &seller_key,
            json!({ "transaction_id": id, "sequence": 1, "output_data": { "rows": 30 } }),
            StatusCode::OK,
        )
        .await;
        let dispute = call(&app, "/milestones-dispute", &buyer_key,
            json!({ "transaction_id": id, "sequence": 1, "dispute_reason": "Only 30 of 100 expected records" }),
            StatusCode::CREATED).await;
        assert_eq!(dispute["sequence"], 1);
        assert_eq!(dispute["transaction_status"], "disputed");
        let admin = admin_key(&app).await;
        let resolved = call(
            &app,
            "/disputes-resolve",
            &admin,
            json!({ "dispute_id": dispute["dispute_id"], "resolution": "refund_buyer" }),
            StatusCode::OK,
        )
        .await;
        assert_eq!(resolved["transaction_status"], "assigned");
        assert_eq!(usd(&app, &buyer).await, (5_000, 5_000));
        call(
            &app,
            "/milestones-deliver",
            &seller_key,
            json!({ "transaction_id": id, "sequence": 2, "output_data": { "rows": 100 } }),
            StatusCode::OK,
        )
        .await;
        call(
            &app,
            "/milestones-accept",
            &buyer_key,
            json!({ "transaction_id": id, "sequence": 2 }),
            StatusCode::OK,
        )
        .await;
        assert_eq!(usd(&app, &seller).await, (4_500, 0));
        assert_eq!(usd(&app, &buyer).await, (5_000, 0));
        app.verify().await;
    }
);
