use crate::both_backends;
use crate::helpers::{read, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    a_frozen_agent_cannot_post_until_unfrozen,
    |app: TestApp| async move {
        let agent = app.funded_agent("suspicious", 5_000).await;
        let (status, frozen) = app
            .post(
                &format!("/v1/actors/{}/freeze", agent.id),
                &app.admin_key,
                json!({ "reason": "odd usage" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{frozen}");
        assert_eq!(frozen["status"], "frozen");
        let (status, problem) = app
            .post(
                "/v1/tasks",
                &agent.key,
                json!({ "title": "t", "reward_cents": 100 }),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
        assert_eq!(problem["code"], "forbidden");
        let (status, _) = app
            .post(
                &format!("/v1/actors/{}/freeze", agent.id),
                &agent.key,
                json!({ "reason": "x" }),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "only admins freeze");
        let (status, _) = app
            .post(
                &format!("/v1/actors/{}/unfreeze", agent.id),
                &app.admin_key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = app
            .post(
                "/v1/tasks",
                &agent.key,
                json!({ "title": "t", "reward_cents": 100 }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
);

both_backends!(
    a_banned_actors_keys_stop_working,
    |app: TestApp| async move {
        let agent = app.actor("agent", "spammer").await;
        let (status, _) = app
            .post(
                &format!("/v1/actors/{}/ban", agent.id),
                &app.admin_key,
                json!({ "reason": "spam" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, problem) = app.get("/v1/account", &agent.key).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    }
);

both_backends!(keys_are_scoped_and_revocable, |app: TestApp| async move {
    let agent = app.funded_agent("scoped", 5_000).await;
    let (status, key) = app
        .post(
            &format!("/v1/actors/{}/keys", agent.id),
            &agent.key,
            json!({ "scopes": ["tasks:read"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let read_only = key["secret"].as_str().unwrap();
    assert!(read_only.starts_with("erk_live_"));
    let (status, _) = app.get("/v1/tasks", read_only).await;
    assert_eq!(status, StatusCode::OK);
    let (status, problem) = app
        .post(
            "/v1/tasks",
            read_only,
            json!({ "title": "t", "reward_cents": 100 }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let (status, _) = app
        .post(
            &format!("/v1/actors/{}/keys", agent.id),
            &agent.key,
            json!({ "scopes": ["root"] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let other = app.actor("agent", "other").await;
    let (status, _) = app
        .post(
            &format!("/v1/actors/{}/keys", other.id),
            &agent.key,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no keys for someone else");
    let key_id = key["id"].as_str().unwrap();
    let response = app
        .request(
            Method::DELETE,
            &format!("/v1/keys/{key_id}"),
            Some(&agent.key),
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let (status, problem) = app.get("/v1/tasks", read_only).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{problem}");
    let response = app
        .request(
            Method::DELETE,
            &format!("/v1/keys/{key_id}"),
            Some(&agent.key),
            None,
        )
        .await;
    assert_eq!(read(response).await.0, StatusCode::CONFLICT);
});

both_backends!(
    actors_are_read_back_without_others_contact_details,
    |app: TestApp| async move {
        let (status, actor) = app
            .post(
                "/v1/actors",
                &app.admin_key,
                json!({ "kind": "human", "name": "Bea", "email": "bea@example.com" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let id = actor["id"].as_str().unwrap();
        let stranger = app.actor("agent", "stranger").await;
        let (status, seen) = app.get(&format!("/v1/actors/{id}"), &stranger.key).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(seen["name"], "Bea");
        assert_eq!(seen["email"], serde_json::Value::Null);
        let (_, seen) = app.get(&format!("/v1/actors/{id}"), &app.admin_key).await;
        assert_eq!(seen["email"], "bea@example.com");
        let (status, _) = app
            .post(
                "/v1/actors",
                &stranger.key,
                json!({ "kind": "human", "name": "x" }),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
);
