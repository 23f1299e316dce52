//! `GET /wallet`: balance, frozen balance and lifetime totals in dollars.

use super::{create_key, fund, h2a, post_task, refused, register, task_body, API};
use crate::both_backends;
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    the_wallet_shows_the_balance_and_what_escrow_holds_in_dollars,
    |app: TestApp| async move {
        let agent = app.funded_agent("Wally", 25_050).await;
        app.post_task(
            &agent,
            json!({ "title": "Photograph a door", "kind": "photo", "reward_cents": 1_025 }),
        )
        .await;

        let (status, body) = h2a(&app, Method::GET, "/wallet", Some(&agent.key), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["success"], json!(true));
        let wallet = &body["data"];
        assert_eq!(wallet["balance"].to_string(), "240.25");
        assert_eq!(wallet["frozenBalance"].to_string(), "10.25");
        assert_eq!(wallet["currency"], "USD");
        assert_eq!(wallet["mode"], "live");
        assert_eq!(wallet["lifetime"]["credited"].to_string(), "250.5");
    }
);

both_backends!(
    the_wallet_needs_a_key_with_wallet_read,
    |app: TestApp| async move {
        let agent = app.funded_agent("Scoped", 1_000).await;
        let (_, tasks_only) = app
            .key_for(&agent, json!({ "scopes": ["tasks:read"] }))
            .await;
        let (_, wallet_reader) = app
            .key_for(&agent, json!({ "scopes": ["wallet:read"] }))
            .await;

        let (status, body) = h2a(&app, Method::GET, "/wallet", Some(&tasks_only), None).await;
        let message = refused(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");
        assert!(message.contains("wallet:read"), "{message}");

        let (status, body) = h2a(&app, Method::GET, "/wallet", Some(&wallet_reader), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["balance"], json!(10));

        let (status, body) = h2a(&app, Method::GET, "/wallet", None, None).await;
        refused(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
        let (status, body) = h2a(&app, Method::GET, "/wallet", Some("sk_live_nope"), None).await;
        refused(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    }
);

both_backends!(
    unknown_paths_and_methods_are_refused_in_the_envelope,
    |app: TestApp| async move {
        let agent = app.actor("agent", "Lost").await;
        let (status, body) = h2a(&app, Method::GET, "/nowhere", Some(&agent.key), None).await;
        refused(status, &body, StatusCode::NOT_FOUND, "NOT_FOUND");
        let (status, body) = h2a(&app, Method::DELETE, "/wallet", Some(&agent.key), None).await;
        refused(
            status,
            &body,
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
        );
    }
);

both_backends!(
    every_answer_carries_the_rate_limit_headers,
    |app: TestApp| async move {
        let agent = app.actor("agent", "Counted").await;
        let response = app
            .request(
                Method::GET,
                &format!("{}/wallet", API),
                Some(&agent.key),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers();
        assert_eq!(
            headers["x-ratelimit-limit"], "500",
            "the seed's wallet class"
        );
        assert_eq!(headers["x-ratelimit-remaining"], "499");
        let reset = headers["x-ratelimit-reset"].to_str().expect("text");
        assert!(
            chrono::DateTime::parse_from_rfc3339(reset).is_ok() && reset.ends_with('Z'),
            "an ISO timestamp: {reset}"
        );
    }
);

both_backends!(
    a_class_over_its_allowance_is_refused_before_anything_happens,
    rate_limits = errand::http::rate_limit::RateLimits::unlimited().with_named([(
        errand::http::humans2ai::rate_limits::TASK_CREATION,
        errand::http::rate_limit::Allowance::new(1, std::time::Duration::from_secs(3600))
            .expect("an allowance"),
    )]),
    |app: TestApp| async move {
        let agent = register(&app, "agent", "Eager").await;
        let key = create_key(&app, &agent.token, json!({})).await;
        fund(&app, &agent.token, 1_000).await;
        post_task(&app, &key, task_body("First", json!(1))).await;
        let head = app.journal_head().await;
        let response = app
            .request(
                Method::POST,
                &format!("{}/tasks", API),
                Some(&key),
                Some(task_body("Second", json!(1))),
            )
            .await;
        assert!(response.headers().contains_key("retry-after"));
        assert_eq!(response.headers()["x-ratelimit-remaining"], "0");
        let (status, body) = crate::helpers::read(response).await;
        refused(status, &body, StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED");
        assert_eq!(app.journal_head().await, head, "nothing appended");
        // Other classes are not spent by it.
        let (status, body) = h2a(&app, Method::GET, "/tasks", Some(&key), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
);
