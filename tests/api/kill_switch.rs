//! The native kill switch, `POST /v1/admin/kill-switch`: Humai's actions
//! with problem+json refusals.

use crate::both_backends;
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    the_native_kill_switch_freezes_and_lifts_with_an_admin_key,
    |app: TestApp| async move {
        let agent = app.funded_agent("Suspect", 5_000).await;
        let (status, frozen) = app
            .post(
                "/v1/admin/kill-switch",
                &app.admin_key,
                json!({ "action": "freeze_agent", "actor_id": agent.id, "reason": "Chargebacks" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{frozen}");
        assert_eq!(frozen["status"], "frozen");
        assert!(frozen["position"].is_i64(), "{frozen}");
        let (status, problem) = app
            .post(
                "/v1/tasks",
                &agent.key,
                json!({ "title": "t", "reward_cents": 100 }),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
        let (status, lifted) = app
            .post(
                "/v1/admin/kill-switch",
                &app.admin_key,
                json!({ "action": "unfreeze_agent", "actor_id": agent.id, "reason": "Resolved" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{lifted}");
        assert_eq!(lifted["status"], "active");
        app.post_task(&agent, json!({ "title": "t", "reward_cents": 100 }))
            .await;
    }
);

both_backends!(
    the_native_kill_switch_refuses_in_problem_json,
    |app: TestApp| async move {
        let agent = app.actor("agent", "Nobody").await;
        let head = app.journal_head().await;
        let cases = [
            (
                &agent.key,
                json!({ "action": "freeze_agent", "actor_id": agent.id, "reason": "x" }),
                StatusCode::FORBIDDEN,
            ),
            (
                &app.admin_key,
                json!({ "action": "nuke", "actor_id": agent.id, "reason": "x" }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                &app.admin_key,
                json!({ "action": "freeze_agent", "actor_id": agent.id }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                &app.admin_key,
                json!({ "action": "freeze_agent", "actor_id": agent.id, "reason": "x", "extra": 1 }),
                StatusCode::BAD_REQUEST,
            ),
            (
                &app.admin_key,
                json!({ "action": "revoke_subscription", "subscription_id": uuid::Uuid::now_v7(), "reason": "x" }),
                StatusCode::NOT_FOUND,
            ),
        ];
        for (key, body, want) in cases {
            let response = app
                .request(
                    reqwest::Method::POST,
                    "/v1/admin/kill-switch",
                    Some(key),
                    Some(body.clone()),
                )
                .await;
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let (status, problem) = crate::helpers::read(response).await;
            assert_eq!(status, want, "{body} → {problem}");
            assert!(
                content_type.starts_with("application/problem+json"),
                "{content_type}"
            );
        }
        assert_eq!(app.journal_head().await, head);
    }
);
