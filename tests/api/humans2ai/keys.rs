//! `/api-keys`: sk_live_/sk_test_ keys, their scopes, the limit of ten
//! active keys, revocation; test-mode keys never touch live money.

use super::*;
use crate::both_backends;
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    the_eleventh_active_key_is_refused_until_one_is_revoked,
    |app: TestApp| async move {
        let agent = register(&app, "agent", "Keymaker").await;
        for _ in 0..10 {
            create_key(&app, &agent.token, json!({ "scopes": ["tasks:read"] })).await;
        }
        let head = app.journal_head().await;
        let (status, body) = h2a(
            &app,
            Method::POST,
            "/api-keys",
            Some(&agent.token),
            Some(json!({})),
        )
        .await;
        let message = refused(status, &body, StatusCode::BAD_REQUEST, "LIMIT_EXCEEDED");
        assert!(message.contains("10"), "{message}");
        assert_eq!(app.journal_head().await, head, "nothing appended");

        let (status, listed) = h2a(&app, Method::GET, "/api-keys", Some(&agent.token), None).await;
        assert_eq!(status, StatusCode::OK, "{listed}");
        let keys = listed["data"]["keys"].as_array().expect("keys").clone();
        assert_eq!(keys.len(), 10);
        assert_eq!(listed["data"]["active"], json!(10));
        for key in &keys {
            assert!(
                key.get("key").is_none() && key.get("secret").is_none(),
                "redacted: {key}"
            );
            assert!(key["prefix"]
                .as_str()
                .expect("prefix")
                .starts_with("sk_live_"));
        }
        let victim = keys[0]["id"].as_str().expect("id").to_owned();

        // Another agent cannot revoke it: keys are private.
        let other = register(&app, "agent", "Thief").await;
        let (status, body) = h2a(
            &app,
            Method::DELETE,
            &format!("/api-keys/{victim}"),
            Some(&other.token),
            None,
        )
        .await;
        refused(status, &body, StatusCode::NOT_FOUND, "NOT_FOUND");

        let (status, revoked) = h2a(
            &app,
            Method::DELETE,
            &format!("/api-keys/{victim}"),
            Some(&agent.token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{revoked}");
        assert_eq!(revoked["data"]["status"], "revoked");
        let (status, body) = h2a(
            &app,
            Method::DELETE,
            &format!("/api-keys/{victim}"),
            Some(&agent.token),
            None,
        )
        .await;
        refused(status, &body, StatusCode::CONFLICT, "CONFLICT");

        create_key(&app, &agent.token, json!({})).await;
        let (status, body) = h2a(
            &app,
            Method::POST,
            "/api-keys",
            Some(&agent.token),
            Some(json!({})),
        )
        .await;
        refused(status, &body, StatusCode::BAD_REQUEST, "LIMIT_EXCEEDED");
    }
);

both_backends!(
    a_key_without_the_scope_is_forbidden_and_issues_no_wider_key,
    |app: TestApp| async move {
        let agent = register(&app, "agent", "Narrow").await;
        fund(&app, &agent.token, 1_000).await;
        let reader = create_key(&app, &agent.token, json!({ "scopes": ["tasks:read"] })).await;
        let (status, body) = h2a(
            &app,
            Method::POST,
            "/tasks",
            Some(&reader),
            Some(task_body("Look", json!(5))),
        )
        .await;
        let message = refused(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");
        assert!(message.contains("tasks:write"), "{message}");
        let (status, body) = h2a(&app, Method::GET, "/wallet", Some(&reader), None).await;
        refused(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");
        let (status, body) = h2a(
            &app,
            Method::POST,
            "/api-keys",
            Some(&reader),
            Some(json!({ "scopes": ["tasks:write"] })),
        )
        .await;
        refused(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");
        let (status, body) = h2a(
            &app,
            Method::POST,
            "/api-keys",
            Some(&agent.token),
            Some(json!({ "scopes": ["tasks:fly"] })),
        )
        .await;
        refused(status, &body, StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        let (status, body) = h2a(&app, Method::GET, "/tasks", Some(&reader), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
);

both_backends!(
    test_keys_act_on_the_test_ledger_and_never_touch_live_money,
    |app: TestApp| async move {
        let agent = register(&app, "agent", "Rehearsal").await;
        fund(&app, &agent.token, 10_000).await;
        let live = create_key(&app, &agent.token, json!({})).await;
        let test = create_key(&app, &agent.token, json!({ "mode": "test" })).await;
        assert!(test.starts_with("sk_test_"), "{test}");

        let test_wallet = wallet(&app, &test).await;
        assert_eq!(test_wallet["mode"], "test");
        assert_eq!(test_wallet["balance"], json!(0));
        let (status, body) = h2a(
            &app,
            Method::POST,
            "/tasks",
            Some(&test),
            Some(task_body("Rehearse", json!(20))),
        )
        .await;
        refused(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            "INSUFFICIENT_BALANCE",
        );

        // Test money comes through a test-mode login's deposit.
        let response = app
            .request(Method::POST, "/v1/people/login", None, Some(json!({
                "email": "rehearsal@h2a.example.com", "password": "correct horse battery", "mode": "test",
            })))
            .await;
        let (status, session) = crate::helpers::read(response).await;
        assert_eq!(status, StatusCode::OK, "{session}");
        fund(
            &app,
            session["access_token"].as_str().expect("token"),
            5_000,
        )
        .await;
        let task = post_task(&app, &test, task_body("Rehearse", json!(20))).await;
        assert_eq!(wallet(&app, &test).await["balance"], json!(30));
        assert_eq!(
            wallet(&app, &live).await["balance"],
            json!(100),
            "live money untouched"
        );

        // A live key does not see the test task; the test key's list does.
        let (status, body) = h2a(
            &app,
            Method::GET,
            &format!("/tasks/{task}"),
            Some(&live),
            None,
        )
        .await;
        refused(status, &body, StatusCode::NOT_FOUND, "TASK_NOT_FOUND");
        let (_, listed) = h2a(&app, Method::GET, "/tasks", Some(&test), None).await;
        assert_eq!(listed["data"]["tasks"][0]["id"], json!(task));
        let (_, listed) = h2a(&app, Method::GET, "/tasks", Some(&live), None).await;
        assert_eq!(listed["data"]["pagination"]["total"], json!(0));
    }
);

both_backends!(
    public_auth_registers_logs_in_refreshes_and_checks_emails,
    |app: TestApp| async move {
        let (status, body) = h2a(
            &app,
            Method::POST,
            "/public/check-email",
            None,
            Some(json!({ "email": "new@h2a.example.com" })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["exists"], json!(false));
        let user = register(&app, "agent", "New").await;
        assert!(user.id.starts_with("user_"), "{}", user.id);
        let (_, body) = h2a(
            &app,
            Method::POST,
            "/public/check-email",
            None,
            Some(json!({ "email": "NEW@h2a.example.com" })),
        )
        .await;
        assert_eq!(body["data"]["exists"], json!(true));

        let (status, body) = h2a(
            &app,
            Method::POST,
            "/public/auth/register",
            None,
            Some(json!({ "email": "new@h2a.example.com", "password": "another password" })),
        )
        .await;
        refused(status, &body, StatusCode::CONFLICT, "CONFLICT");

        let (status, body) = h2a(
            &app,
            Method::POST,
            "/public/auth/login",
            None,
            Some(json!({ "email": "new@h2a.example.com", "password": "wrong password" })),
        )
        .await;
        refused(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
        let (status, session) = h2a(
            &app,
            Method::POST,
            "/public/auth/login",
            None,
            Some(json!({ "email": "new@h2a.example.com", "password": "correct horse battery" })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{session}");
        assert_eq!(session["data"]["userId"], json!(user.id));
        let refresh = session["data"]["refreshToken"]
            .as_str()
            .expect("refresh")
            .to_owned();
        let (status, refreshed) = h2a(
            &app,
            Method::POST,
            "/public/auth/refresh",
            None,
            Some(json!({ "refreshToken": refresh })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{refreshed}");
        let token = refreshed["data"]["idToken"].as_str().expect("idToken");
        assert_eq!(wallet(&app, token).await["balance"], json!(0));
        let (status, body) = h2a(
            &app,
            Method::POST,
            "/public/auth/refresh",
            None,
            Some(json!({ "refreshToken": "nope" })),
        )
        .await;
        refused(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    }
);
