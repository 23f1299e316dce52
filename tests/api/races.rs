use crate::both_backends;
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    two_concurrent_approvals_pay_once,
    |app: TestApp| async move {
        let agent = app.funded_agent("poster", 10_000).await;
        let worker = app.actor("human", "worker").await;
        for _ in 0..10 {
            let task_id = app
                .post_task(&agent, json!({ "title": "race", "reward_cents": 100 }))
                .await;
            let submission = app.take_and_submit(&worker, &task_id).await;
            let path = format!("/v1/submissions/{submission}/approve");
            let (a, b) = tokio::join!(
                app.post(&path, &agent.key, json!({})),
                app.post(&path, &agent.key, json!({}))
            );
            let mut statuses = [a.0, b.0];
            statuses.sort();
            assert_eq!(
                statuses,
                [StatusCode::OK, StatusCode::CONFLICT],
                "{a:?} {b:?}"
            );
        }
        assert_eq!(app.balance(&worker).await["available_cents"], 10 * 90);
        app.verify().await;
    }
);

both_backends!(
    concurrent_accepts_for_the_last_slot_assign_one,
    |app: TestApp| async move {
        let agent = app.funded_agent("poster", 10_000).await;
        let names: Vec<String> = (0..6).map(|i| format!("w{i}")).collect();
        let workers =
            futures::future::join_all(names.iter().map(|name| app.actor("human", name))).await;
        let task_id = app
            .post_task(&agent, json!({ "title": "one slot", "reward_cents": 100 }))
            .await;
        let path = format!("/v1/tasks/{task_id}/accept");
        let results =
            futures::future::join_all(workers.iter().map(|w| app.post(&path, &w.key, json!({}))))
                .await;
        let created = results
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .count();
        let conflicts = results
            .iter()
            .filter(|(s, _)| *s == StatusCode::CONFLICT)
            .count();
        assert_eq!((created, conflicts), (1, 5), "{results:?}");
    }
);

both_backends!(
    concurrent_posts_beyond_the_balance_succeed_exactly_as_far_as_it_goes,
    |app: TestApp| async move {
        let agent = app.funded_agent("poster", 7 * 1_000).await;
        let posts = (0..20).map(|i| {
            app.post(
                "/v1/tasks",
                &agent.key,
                json!({ "title": format!("t{i}"), "reward_cents": 1_000 }),
            )
        });
        let results = futures::future::join_all(posts).await;
        let created = results
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .count();
        let refused = results
            .iter()
            .filter(|(s, _)| *s == StatusCode::PAYMENT_REQUIRED)
            .count();
        assert_eq!((created, refused), (7, 13), "{results:?}");
        let balance = app.balance(&agent).await;
        assert_eq!(
            (
                balance["available_cents"].as_i64(),
                balance["held_cents"].as_i64()
            ),
            (Some(0), Some(7_000))
        );
        app.verify().await;
    }
);

both_backends!(
    concurrent_requests_with_one_idempotency_key_have_one_effect,
    |app: TestApp| async move {
        let agent = app.funded_agent("poster", 10_000).await;
        let send = || {
            app.client
                .post(app.url("/v1/tasks"))
                .bearer_auth(&agent.key)
                .header("Idempotency-Key", "same-key")
                .json(&json!({ "title": "once", "reward_cents": 1_000 }))
                .send()
        };
        let results = futures::future::join_all((0..8).map(|_| send())).await;
        for result in &results {
            let status = result.as_ref().unwrap().status();
            assert!(
                status == StatusCode::CREATED || status == StatusCode::CONFLICT,
                "{status}"
            );
        }
        assert_eq!(
            app.balance(&agent).await["held_cents"],
            1_000,
            "one task, one hold"
        );
    }
);
