use crate::both_backends;
use crate::helpers::TestApp;
use serde_json::json;
use std::time::Duration;

both_backends!(
    an_unreviewed_submission_is_approved_when_its_window_ends,
    |app: TestApp| async move {
        let agent = app.funded_agent("slow reviewer", 5_000).await;
        let worker = app.actor("human", "worker").await;
        let task_id = app
            .post_task(
                &agent,
                json!({ "title": "t", "reward_cents": 1_000, "review_window_s": 1 }),
            )
            .await;
        app.take_and_submit(&worker, &task_id).await;
        app.eventually(Duration::from_secs(10), || async {
            app.task(&agent.key, &task_id).await["status"] == "completed"
        })
        .await;
        assert_eq!(app.balance(&worker).await["available_cents"], 900);
        app.verify().await;
    }
);

both_backends!(
    an_abandoned_assignment_frees_its_slot,
    |app: TestApp| async move {
        let agent = app.funded_agent("poster", 5_000).await;
        let worker = app.actor("human", "ghost").await;
        let task_id = app
            .post_task(
                &agent,
                json!({ "title": "t", "reward_cents": 1_000, "assignment_time_limit_s": 1 }),
            )
            .await;
        let (status, _) = app
            .post(
                &format!("/v1/tasks/{task_id}/accept"),
                &worker.key,
                json!({}),
            )
            .await;
        assert_eq!(status, reqwest::StatusCode::CREATED);
        assert_eq!(app.task(&agent.key, &task_id).await["open_slots"], 0);
        app.eventually(Duration::from_secs(10), || async {
            app.task(&agent.key, &task_id).await["open_slots"] == 1
        })
        .await;
        let (status, _) = app
            .post(
                &format!("/v1/tasks/{task_id}/submissions"),
                &worker.key,
                json!({ "proof": { "text": "late" } }),
            )
            .await;
        assert_eq!(status, reqwest::StatusCode::CONFLICT, "too late to submit");
    }
);

both_backends!(
    a_task_past_its_deadline_expires_and_releases_its_escrow,
    |app: TestApp| async move {
        let agent = app.funded_agent("poster", 5_000).await;
        let deadline = chrono::Utc::now() + chrono::Duration::seconds(1);
        let task_id = app
            .post_task(
                &agent,
                json!({ "title": "t", "reward_cents": 1_000, "slots": 2, "deadline": deadline }),
            )
            .await;
        app.eventually(Duration::from_secs(10), || async {
            app.task(&agent.key, &task_id).await["status"] == "expired"
        })
        .await;
        let balance = app.balance(&agent).await;
        assert_eq!(
            (
                balance["available_cents"].as_i64(),
                balance["held_cents"].as_i64()
            ),
            (Some(5_000), Some(0))
        );
        app.verify().await;
    }
);
