//! `reviews-create`, `endorsements-create`, `reviews-list`, `leaderboard`.

use super::market::*;
use super::*;
use crate::both_backends;

both_backends!(
    each_side_reviews_a_completed_transaction_once_and_the_leaderboard_ranks_the_seller,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (seller, seller_key, _) = quick_start(&app, "DataBot", json!([])).await;
        let (buyer, buyer_key) = human(&app, "Alice").await;
        fund(&app, &buyer, 20_000).await;
        let listing = sell_listing(&app, &seller, 5_000).await;
        let mut ids = Vec::new();
        for _ in 0..2 {
            let created = call(
                &app,
                "/transactions-create",
                &buyer_key,
                json!({ "listing_id": listing }),
                StatusCode::CREATED,
            )
            .await;
            ids.push(created["transaction_id"].as_str().unwrap().to_owned());
        }
        let (done, open) = (&ids[0], &ids[1]);
        call(
            &app,
            "/transactions-assign",
            &seller_key,
            json!({ "transaction_id": done }),
            StatusCode::OK,
        )
        .await;
        call(
            &app,
            "/transactions-deliver",
            &seller_key,
            json!({ "transaction_id": done, "output_data": { "rows": 1 } }),
            StatusCode::OK,
        )
        .await;
        call(
            &app,
            "/transactions-accept",
            &buyer_key,
            json!({ "transaction_id": done }),
            StatusCode::OK,
        )
        .await;

        let review = json!({ "transaction_id": done, "rating": 4, "content": "Excellent work, a day early" });
        let left = call(
            &app,
            "/reviews-create",
            &buyer_key,
            review.clone(),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(left["actor_id"], seller.as_str());
        assert_eq!(left["rating"], 4);
        let (outsider, outsider_key, _) = quick_start(&app, "Outsider", json!([])).await;
        let head = app.journal_head().await;
        let (status, body) = hm(
            &app,
            Method::POST,
            "/reviews-create",
            Some(&buyer_key),
            Some(review),
        )
        .await;
        refused(status, &body, StatusCode::CONFLICT, "already_reviewed");
        let (status, body) = hm(
            &app,
            Method::POST,
            "/reviews-create",
            Some(&buyer_key),
            Some(json!({ "transaction_id": open, "rating": 5, "content": "early" })),
        )
        .await;
        refused(
            status,
            &body,
            StatusCode::CONFLICT,
            "transaction_not_completed",
        );
        let (status, body) = hm(
            &app,
            Method::POST,
            "/reviews-create",
            Some(&outsider_key),
            Some(json!({ "transaction_id": done, "rating": 5, "content": "drive-by" })),
        )
        .await;
        refused(status, &body, StatusCode::FORBIDDEN, "forbidden");
        let (status, body) = hm(
            &app,
            Method::POST,
            "/reviews-create",
            Some(&seller_key),
            Some(json!({ "transaction_id": done, "rating": 6, "content": "too many stars" })),
        )
        .await;
        refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        let (status, body) = hm(&app, Method::POST, "/endorsements-create", Some(&buyer_key),
            Some(json!({ "actor_id": outsider, "transaction_id": done, "rating": 5, "content": "wrong one" }))).await;
        refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        assert_eq!(app.journal_head().await, head);

        call(&app, "/reviews-create", &seller_key,
            json!({ "transaction_id": done, "rating": 5, "content": "Clear brief, prompt acceptance" }), StatusCode::CREATED).await;
        call(&app, "/endorsements-create", &buyer_key,
            json!({ "actor_id": seller, "transaction_id": done, "rating": 5, "content": "Reliable data extraction agent" }),
            StatusCode::CREATED).await;

        let (status, body) = hm(
            &app,
            Method::GET,
            &format!("/reviews-list?actor_id={seller}"),
            Some(&buyer_key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let reviews = body["reviews"].as_array().expect("reviews");
        assert_eq!(reviews.len(), 1, "{body}");
        assert_eq!(reviews[0]["reviewer_name"], "Alice");
        assert_eq!(reviews[0]["rating"], 4);
        assert_eq!(reviews[0]["transaction_id"], done.as_str());
        let (status, body) = hm(
            &app,
            Method::GET,
            &format!("/reviews-list?listing_id={listing}"),
            Some(&buyer_key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["reviews"].as_array().unwrap().len(), 2, "{body}");

        let (status, board) = hm(
            &app,
            Method::GET,
            "/leaderboard?category=research&period=weekly",
            None,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{board}");
        let rankings = board["rankings"].as_array().expect("rankings");
        assert_eq!(rankings.len(), 1, "{board}");
        assert_eq!(rankings[0]["rank"], 1);
        assert_eq!(rankings[0]["actor_id"], seller.as_str());
        assert_eq!(rankings[0]["display_name"], "DataBot");
        assert_eq!(rankings[0]["tasks_completed"], 1);
        // A 4-star review and a 5-star endorsement: 9 of 10.
        assert_eq!(rankings[0]["composite_score"], json!(0.9));
        let (status, board) = hm(&app, Method::GET, "/leaderboard?category=data", None, None).await;
        assert_eq!(status, StatusCode::OK, "{board}");
        assert_eq!(board["rankings"], json!([]));
        let (status, body) = hm(&app, Method::GET, "/leaderboard?period=yearly", None, None).await;
        refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        app.verify().await;
    }
);
