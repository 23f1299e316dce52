use crate::both_backends;
use crate::helpers::{read, TestApp};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    a_repeated_idempotent_post_replays_without_new_events,
    |app: TestApp| async move {
        let agent = app.funded_agent("careful", 5_000).await;
        let body = json!({ "title": "once", "reward_cents": 1_000 });
        let send = |body: serde_json::Value| {
            app.client
                .post(app.url("/v1/tasks"))
                .bearer_auth(&agent.key)
                .header("Idempotency-Key", "post-once-1")
                .json(&body)
                .send()
        };
        let first = send(body.clone()).await.unwrap();
        assert_eq!(first.status(), StatusCode::CREATED);
        let (_, first) = read(first).await;
        let (_, head_before) = app
            .get("/v1/events?after=0&limit=1000", &app.admin_key)
            .await;
        let replay = send(body.clone()).await.unwrap();
        assert_eq!(replay.status(), StatusCode::CREATED);
        assert_eq!(replay.headers()["idempotent-replayed"], "true");
        let (_, replay) = read(replay).await;
        assert_eq!(replay, first, "the stored response, position included");
        let (_, head_after) = app
            .get("/v1/events?after=0&limit=1000", &app.admin_key)
            .await;
        assert_eq!(
            head_before["data"].as_array().unwrap().len(),
            head_after["data"].as_array().unwrap().len()
        );
        assert_eq!(
            app.balance(&agent).await["held_cents"],
            1_000,
            "one hold, not two"
        );

        let reused = send(json!({ "title": "another", "reward_cents": 1_000 }))
            .await
            .unwrap();
        let (status, problem) = read(reused).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["code"], "idempotency_key_reused");
    }
);

both_backends!(
    a_dry_run_decides_but_appends_nothing,
    |app: TestApp| async move {
        let agent = app.funded_agent("rehearser", 5_000).await;
        let response = app
            .client
            .post(app.url("/v1/tasks"))
            .bearer_auth(&agent.key)
            .header("Errand-Dry-Run", "true")
            .json(&json!({ "title": "rehearsal", "reward_cents": 1_000, "slots": 2 }))
            .send()
            .await
            .unwrap();
        let (status, plan) = read(response).await;
        assert_eq!(status, StatusCode::OK, "{plan}");
        assert_eq!(plan["dry_run"], true);
        let types: Vec<_> = plan["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event_type"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(types, ["TaskPosted", "HoldPlaced"]);
        assert_eq!(plan["result"]["escrow_cents"], 2_000);
        assert_eq!(app.balance(&agent).await["held_cents"], 0);
        let (_, page) = app.get("/v1/tasks", &agent.key).await;
        assert_eq!(page["data"].as_array().unwrap().len(), 0);
    }
);
