//! `PUT /profile-update`, `POST /actors-referral`, `POST /portfolio-manage`.

use super::*;
use crate::both_backends;

both_backends!(
    the_seeds_profile_update_renames_and_describes_the_actor,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (id, key, _) = quick_start(&app, "ResearchBot", json!([])).await;
        let (status, body) = hm(
            &app,
            Method::PUT,
            "/profile-update",
            Some(&key),
            Some(json!({
              "display_name": "ResearchBot v4",
              "bio": "Specializing in competitive analysis and market research",
              "specialization": ["market-research", "data-analysis"]
            })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let profile = profile_of(&app, &id).await;
        assert_eq!(profile["display_name"], "ResearchBot v4");
        assert_eq!(
            profile["bio"],
            "Specializing in competitive analysis and market research"
        );
        assert_eq!(
            profile["specialization"],
            json!(["market-research", "data-analysis"])
        );

        let head = app.journal_head().await;
        let many: Vec<String> = (0..21).map(|n| format!("s{n}")).collect();
        for body in [
            json!({}),
            json!({ "bio": "x".repeat(1001) }),
            json!({ "specialization": many }),
            json!({ "display_name": "" }),
            json!({ "settings": { "theme": "dark" } }),
        ] {
            let (status, reply) = hm(
                &app,
                Method::PUT,
                "/profile-update",
                Some(&key),
                Some(body.clone()),
            )
            .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {reply}");
            assert_eq!(reply["code"], "validation_error", "{reply}");
        }
        assert_eq!(app.journal_head().await, head);
        let (status, reply) = hm(
            &app,
            Method::PUT,
            "/profile-update",
            None,
            Some(json!({ "bio": "anonymous" })),
        )
        .await;
        refused(status, &reply, StatusCode::UNAUTHORIZED, "unauthorized");
    }
);

both_backends!(
    a_referral_code_applies_once_and_never_ones_own,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (referrer, _, registered) = quick_start(&app, "Referrer", json!([])).await;
        let (_, key, own) = quick_start(&app, "Newcomer", json!([])).await;
        let code = registered["referral_code"].clone();

        let head = app.journal_head().await;
        let (status, body) = hm(
            &app,
            Method::POST,
            "/actors-referral",
            Some(&key),
            Some(json!({ "referral_code": own["referral_code"] })),
        )
        .await;
        refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        let (status, body) = hm(
            &app,
            Method::POST,
            "/actors-referral",
            Some(&key),
            Some(json!({ "referral_code": "3f8a1b" })),
        )
        .await;
        refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        assert_eq!(app.journal_head().await, head);

        let (status, body) = hm(
            &app,
            Method::POST,
            "/actors-referral",
            Some(&key),
            Some(json!({ "referral_code": code })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["referred_by"], referrer.as_str());
        let (status, body) = hm(
            &app,
            Method::POST,
            "/actors-referral",
            Some(&key),
            Some(json!({ "referral_code": code })),
        )
        .await;
        refused(status, &body, StatusCode::CONFLICT, "conflict");
        app.verify().await;
    }
);

both_backends!(
    portfolio_items_are_added_updated_and_removed,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (id, key, _) = quick_start(&app, "Analyst", json!([])).await;
        let (status, added) = hm(
            &app,
            Method::POST,
            "/portfolio-manage",
            Some(&key),
            Some(json!({
              "action": "add",
              "title": "Market Analysis: Acme Corp",
              "description": "Comprehensive competitive analysis with 50 data points",
              "listing_type": "task_execution",
              "sample_output": { "summary": "..." }
            })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{added}");
        let item_id = added["item_id"].as_str().unwrap().to_owned();
        assert_eq!(added["item"]["title"], "Market Analysis: Acme Corp");
        assert_eq!(added["item"]["sample_output"], json!({ "summary": "..." }));

        let (status, updated) = hm(
            &app,
            Method::POST,
            "/portfolio-manage",
            Some(&key),
            Some(json!({ "action": "update", "item_id": item_id, "title": "Acme, revisited" })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{updated}");
        let profile = profile_of(&app, &id).await;
        assert_eq!(profile["portfolio"][0]["title"], "Acme, revisited");
        assert_eq!(profile["portfolio"][0]["listing_type"], Value::Null);

        let remove = json!({ "action": "remove", "item_id": item_id });
        let (status, removed) = hm(
            &app,
            Method::POST,
            "/portfolio-manage",
            Some(&key),
            Some(remove.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{removed}");
        assert_eq!(removed["portfolio"], json!([]));
        let head = app.journal_head().await;
        let (status, again) = hm(
            &app,
            Method::POST,
            "/portfolio-manage",
            Some(&key),
            Some(remove),
        )
        .await;
        refused(status, &again, StatusCode::NOT_FOUND, "not_found");
        for body in [
            json!({ "action": "archive", "title": "t" }),
            json!({ "action": "add" }),
            json!({ "action": "add", "title": "t", "listing_type": "poetry" }),
            json!({ "action": "update", "title": "t" }),
            json!({ "action": "add", "title": "t", "price": 5 }),
        ] {
            let (status, reply) = hm(
                &app,
                Method::POST,
                "/portfolio-manage",
                Some(&key),
                Some(body.clone()),
            )
            .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {reply}");
            assert_eq!(reply["code"], "validation_error", "{reply}");
        }
        assert_eq!(app.journal_head().await, head);

        // An add repeated under its Idempotency-Key is the same item, answered 201 again.
        let add_once = || {
            app.client
                .post(app.url("/humai/portfolio-manage"))
                .header("x-api-key", &key)
                .header("idempotency-key", "portfolio-add-once")
                .json(&json!({ "action": "add", "title": "Once" }))
                .send()
        };
        let (status, first) = read(add_once().await.expect("sent")).await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        let (status, repeat) = read(add_once().await.expect("sent")).await;
        assert_eq!(status, StatusCode::CREATED, "{repeat}");
        assert_eq!(repeat["item_id"], first["item_id"]);
        assert_eq!(
            profile_of(&app, &id).await["portfolio"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
    }
);
