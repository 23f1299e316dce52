use crate::both_backends;
use crate::helpers::TestApp;
use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

both_backends!(
    the_journal_pages_and_streams_fold_as_of_a_position,
    |app: TestApp| async move {
        let agent = app.funded_agent("poster", 5_000).await;
        let (_, posted) = app
            .post(
                "/v1/tasks",
                &agent.key,
                json!({ "title": "history", "reward_cents": 1_000 }),
            )
            .await;
        let task_id = posted["id"].as_str().unwrap().to_owned();
        let posted_at = posted["position"].as_i64().unwrap();
        app.post(&format!("/v1/tasks/{task_id}/pause"), &agent.key, json!({}))
            .await;

        let (status, page) = app.get("/v1/events?after=0&limit=2", &app.admin_key).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page["data"][0]["position"], 1);
        assert_eq!(page["next"], 2);
        let event = &page["data"][0];
        assert!(event["hash"].as_str().unwrap().len() == 64);
        assert!(event["metadata"]["request_id"].is_string());

        let (status, now) = app
            .get(&format!("/v1/streams/task-{task_id}"), &app.admin_key)
            .await;
        assert_eq!(status, StatusCode::OK, "{now}");
        assert_eq!(now["state"]["status"], "paused");
        let (_, then) = app
            .get(
                &format!("/v1/streams/task-{task_id}?until={posted_at}"),
                &app.admin_key,
            )
            .await;
        assert_eq!(then["state"]["status"], "open", "the past, as it was");
        assert_eq!(then["events"].as_array().unwrap().len(), 1);
    }
);

both_backends!(
    the_live_stream_follows_new_events,
    |app: TestApp| async move {
        let agent = app.funded_agent("poster", 5_000).await;
        let (_, head) = app
            .get("/v1/events?after=0&limit=1000", &app.admin_key)
            .await;
        let after = head["data"].as_array().unwrap().last().unwrap()["position"]
            .as_i64()
            .unwrap();
        let response = app
            .client
            .get(app.url(&format!("/v1/events/stream?after={after}")))
            .bearer_auth(&app.admin_key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let mut body = response.bytes_stream();
        app.post_task(&agent, json!({ "title": "live", "reward_cents": 100 }))
            .await;
        let mut seen = String::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !seen.contains("HoldPlaced") {
            let chunk = tokio::time::timeout_at(deadline, body.next())
                .await
                .expect("events arrive")
                .unwrap()
                .unwrap();
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        assert!(seen.contains("TaskPosted"), "{seen}");
    }
);

both_backends!(
    docs_health_and_metrics_are_served,
    |app: TestApp| async move {
        let openapi: serde_json::Value = app
            .client
            .get(app.url("/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(openapi["paths"]["/v1/tasks"].is_object());
        let health = app.client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), StatusCode::OK);
        assert!(health.headers().contains_key("x-request-id"));
        let ready: serde_json::Value = app
            .client
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(ready["status"], "ready");
        let docs = app.client.get(app.url("/docs/")).send().await.unwrap();
        assert_eq!(docs.status(), StatusCode::OK);
    }
);
