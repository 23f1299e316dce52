use crate::both_backends;
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    a_three_slot_task_pays_one_rejects_one_refunds_one,
    |app: TestApp| async move {
        let agent = app.funded_agent("poster", 10_000).await;
        let workers = [
            app.actor("human", "w1").await,
            app.actor("human", "w2").await,
            app.actor("human", "w3").await,
        ];
        let (status, task) = app
            .post(
                "/v1/tasks",
                &agent.key,
                json!({ "title": "Check the bakery", "reward_cents": 1_000, "slots": 3 }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{task}");
        assert_eq!(task["escrow_cents"], 3_000);
        assert!(task["position"].as_i64().unwrap() > 0);
        let task_id = task["id"].as_str().unwrap().to_owned();
        let balance = app.balance(&agent).await;
        assert_eq!(
            (
                balance["available_cents"].as_i64(),
                balance["held_cents"].as_i64()
            ),
            (Some(7_000), Some(3_000))
        );

        let mut submissions = Vec::new();
        for worker in &workers {
            submissions.push(app.take_and_submit(worker, &task_id).await);
        }
        let (status, _) = app
            .post(
                &format!("/v1/submissions/{}/approve", submissions[0]),
                &agent.key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = app
            .post(
                &format!("/v1/submissions/{}/reject", submissions[1]),
                &agent.key,
                json!({ "reason": "blurry photo" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, task) = app
            .post(
                &format!("/v1/submissions/{}/dispute", submissions[2]),
                &agent.key,
                json!({ "reason": "no photo" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{task}");
        // One paid (1000), one refunded (1000), one slot open again (1000 still held).
        assert_eq!(task["escrow_cents"], 1_000);
        assert_eq!(task["open_slots"], 1);
        assert_eq!(task["status"], "open");

        // 10 % native fee: the worker gets 900, the platform 100.
        assert_eq!(app.balance(&workers[0]).await["available_cents"], 900);
        assert_eq!(app.balance(&workers[1]).await["available_cents"], 0);
        let balance = app.balance(&agent).await;
        assert_eq!(
            (
                balance["available_cents"].as_i64(),
                balance["held_cents"].as_i64()
            ),
            (Some(8_000), Some(1_000))
        );

        // Cancelling releases what is left.
        let (status, task) = app
            .post(
                &format!("/v1/tasks/{task_id}/cancel"),
                &agent.key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(task["status"], "cancelled");
        let balance = app.balance(&agent).await;
        assert_eq!(
            (
                balance["available_cents"].as_i64(),
                balance["held_cents"].as_i64()
            ),
            (Some(9_000), Some(0))
        );
        app.verify().await;
    }
);

both_backends!(
    apply_select_assigns_the_chosen_applicant,
    |app: TestApp| async move {
        let agent = app.funded_agent("poster", 5_000).await;
        let applicant = app.actor("human", "applicant").await;
        let task_id = app
        .post_task(&agent, json!({ "title": "Photograph a mural", "reward_cents": 2_500, "assignment": "apply_select" }))
        .await;
        let (status, _) = app
            .post(
                &format!("/v1/tasks/{task_id}/accept"),
                &applicant.key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, applied) = app
            .post(
                &format!("/v1/tasks/{task_id}/apply"),
                &applicant.key,
                json!({ "note": "I live nearby" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{applied}");
        let application_id = applied["application_id"].as_str().unwrap();
        let (status, _) = app
            .post(
                &format!("/v1/tasks/{task_id}/applications/{application_id}/select"),
                &applicant.key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "only the poster selects");
        let (status, selected) = app
            .post(
                &format!("/v1/tasks/{task_id}/applications/{application_id}/select"),
                &agent.key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{selected}");
        assert_eq!(selected["task"]["working"], 1);
        let (status, submitted) = app
        .post(&format!("/v1/tasks/{task_id}/submissions"), &applicant.key, json!({ "proof": { "attachments": [{ "url": "https://example.com/mural.jpg", "media_type": "image/jpeg" }] } }))
        .await;
        assert_eq!(status, StatusCode::CREATED, "{submitted}");
        let submission = submitted["submission_id"].as_str().unwrap();
        let (status, task) = app
            .post(
                &format!("/v1/submissions/{submission}/approve"),
                &agent.key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(task["status"], "completed");
        assert_eq!(app.balance(&applicant).await["available_cents"], 2_250);
        app.verify().await;
    }
);

both_backends!(
    pause_stop_and_resize_move_the_hold,
    |app: TestApp| async move {
        let agent = app.funded_agent("poster", 10_000).await;
        let worker = app.actor("human", "worker").await;
        let task_id = app
            .post_task(
                &agent,
                json!({ "title": "Survey", "reward_cents": 1_000, "slots": 2 }),
            )
            .await;
        let (status, task) = app
            .post(
                &format!("/v1/tasks/{task_id}/resize"),
                &agent.key,
                json!({ "slots": 5 }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{task}");
        assert_eq!(task["escrow_cents"], 5_000);
        let (status, task) = app
            .post(
                &format!("/v1/tasks/{task_id}/resize"),
                &agent.key,
                json!({ "slots": 20 }),
            )
            .await;
        assert_eq!(status, StatusCode::PAYMENT_REQUIRED, "{task}");
        let (status, _) = app
            .post(&format!("/v1/tasks/{task_id}/pause"), &agent.key, json!({}))
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = app
            .post(
                &format!("/v1/tasks/{task_id}/accept"),
                &worker.key,
                json!({}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "a paused task takes no workers"
        );
        let (status, _) = app
            .post(
                &format!("/v1/tasks/{task_id}/resume"),
                &agent.key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let submission = app.take_and_submit(&worker, &task_id).await;
        let (status, task) = app
            .post(&format!("/v1/tasks/{task_id}/stop"), &agent.key, json!({}))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            task["escrow_cents"], 1_000,
            "only the submitted slot stays held"
        );
        let (status, task) = app
            .post(
                &format!("/v1/submissions/{submission}/approve"),
                &agent.key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(task["escrow_cents"], 0);
        assert_eq!(app.balance(&agent).await["available_cents"], 9_000);
        app.verify().await;
    }
);

both_backends!(
    tasks_list_with_filters_and_cursor,
    |app: TestApp| async move {
        let agent = app.funded_agent("poster", 10_000).await;
        let other = app.funded_agent("other", 10_000).await;
        for i in 0..5 {
            app.post_task(
                &agent,
                json!({ "title": format!("task {i}"), "reward_cents": 100 }),
            )
            .await;
        }
        app.post_task(&other, json!({ "title": "other's", "reward_cents": 100 }))
            .await;
        let (status, page) = app
            .get(
                &format!("/v1/tasks?poster={}&limit=3", agent.id),
                &agent.key,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["data"].as_array().unwrap().len(), 3);
        assert_eq!(page["data"][0]["title"], "task 4", "newest first");
        let next = page["next"].as_str().expect("a next page");
        let (_, page) = app
            .get(
                &format!("/v1/tasks?poster={}&limit=3&cursor={next}", agent.id),
                &agent.key,
            )
            .await;
        assert_eq!(page["data"].as_array().unwrap().len(), 2);
        assert_eq!(page["next"], serde_json::Value::Null);
        let (_, page) = app.get("/v1/tasks?status=open&limit=100", &agent.key).await;
        assert_eq!(page["data"].as_array().unwrap().len(), 6);
    }
);
