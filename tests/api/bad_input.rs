use crate::both_backends;
use crate::helpers::{read, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn event_count(app: &TestApp) -> i64 {
    let (_, page) = app.get("/v1/events?limit=1000", &app.admin_key).await;
    page["data"]
        .as_array()
        .map(|events| events.len() as i64)
        .unwrap_or(0)
}

fn is_problem(body: &Value, code: &str) -> bool {
    body["code"] == code && body["status"].is_number() && body["request_id"].is_string()
}

both_backends!(
    bad_input_is_refused_clearly_and_changes_nothing,
    |app: TestApp| async move {
        let agent = app.funded_agent("poster", 1_000).await;
        let before = event_count(&app).await;

        let response = app
            .client
            .post(app.url("/v1/tasks"))
            .bearer_auth(&agent.key)
            .header("content-type", "application/json")
            .body("{\"title\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let (status, body) = read(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(is_problem(&body, "malformed_json"), "{body}");

        for (body, why) in [
            (json!({ "title": "t", "reward_cents": "ten" }), "wrong type"),
            (json!({ "title": "t" }), "missing field"),
            (
                json!({ "title": "t", "reward_cents": 100, "colour": "red" }),
                "extra field",
            ),
            (
                json!({ "title": "t", "reward_cents": -100 }),
                "negative money",
            ),
            (
                json!({ "title": "t", "reward_cents": 1.5 }),
                "sub-cent money",
            ),
            (
                json!({ "title": "t", "reward_cents": 100_000_000_000_000_000_i64 }),
                "huge money",
            ),
            (
                json!({ "title": "t", "reward_cents": 99999999999999999999999_f64 }),
                "number past i64",
            ),
            (json!({ "title": "", "reward_cents": 100 }), "empty title"),
            (
                json!({ "title": "t", "reward_cents": 100, "slots": 501 }),
                "too many slots",
            ),
        ] {
            let (status, problem) = app.post("/v1/tasks", &agent.key, body).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {problem}");
            assert!(
                is_problem(&problem, "validation_failed"),
                "{why}: {problem}"
            );
        }
        let (status, problem) = app
            .post(
                "/v1/tasks",
                &agent.key,
                json!({ "title": "t", "reward_cents": 5_000 }),
            )
            .await;
        assert_eq!(status, StatusCode::PAYMENT_REQUIRED, "{problem}");
        assert_eq!(problem["available_cents"], 1_000);

        // Just past the 1 MiB bound: small enough that the loopback socket takes
        // the whole body before the server answers 413 and closes.
        let huge = "x".repeat(1024 * 1024 + 64 * 1024);
        let (status, problem) = app
            .post(
                "/v1/tasks",
                &agent.key,
                json!({ "title": huge, "reward_cents": 100 }),
            )
            .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
        assert_eq!(problem["code"], "body_too_large");

        let unknown = uuid::Uuid::now_v7();
        let (status, problem) = app
            .post(
                &format!("/v1/tasks/{unknown}/accept"),
                &agent.key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
        let (status, _) = app.get("/v1/tasks/not-a-uuid", &agent.key).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        assert_eq!(
            event_count(&app).await,
            before,
            "refused requests appended nothing"
        );
    }
);

both_backends!(
    someone_elses_task_is_not_yours_to_run,
    |app: TestApp| async move {
        let owner = app.funded_agent("owner", 5_000).await;
        let intruder = app.funded_agent("intruder", 5_000).await;
        let task_id = app
            .post_task(&owner, json!({ "title": "mine", "reward_cents": 1_000 }))
            .await;
        for action in ["pause", "stop", "cancel"] {
            let (status, problem) = app
                .post(
                    &format!("/v1/tasks/{task_id}/{action}"),
                    &intruder.key,
                    json!({}),
                )
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{action}: {problem}");
        }
        let worker = app.actor("human", "worker").await;
        let submission = app.take_and_submit(&worker, &task_id).await;
        let (status, _) = app
            .post(
                &format!("/v1/submissions/{submission}/approve"),
                &intruder.key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app
            .post(
                &format!("/v1/submissions/{submission}/approve"),
                &worker.key,
                json!({}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "workers do not approve their own work"
        );
        assert_eq!(app.balance(&worker).await["available_cents"], 0);
    }
);

both_backends!(
    missing_or_bad_keys_are_401_and_wrong_rights_403,
    |app: TestApp| async move {
        let response = app.request(Method::GET, "/v1/tasks", None, None).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let response = app
            .request(Method::GET, "/v1/tasks", Some("erk_live_nope"), None)
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let agent = app.actor("agent", "plain").await;
        let (status, _) = app.get("/v1/events", &agent.key).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app
            .post(
                "/v1/admin/credits",
                &agent.key,
                json!({ "actor_id": agent.id, "amount_cents": 100, "reason": "me" }),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
);
