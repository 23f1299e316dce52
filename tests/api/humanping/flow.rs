//! The agent's whole flow: register, deposit at the checkout, post a
//! consensus task that three people do (through the native API), approve it
//! (settling a conflict with an override), and dispute another task.

use super::*;
use crate::both_backends;
use crate::helpers::Actor;

async fn accept_and_answer(app: &TestApp, worker: &Actor, task_id: &str, answer: &str) {
    let native_id = uuid_of(task_id);
    let (status, body) = app
        .post(
            &format!("/v1/tasks/{native_id}/accept"),
            &worker.key,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .post(
            &format!("/v1/tasks/{native_id}/submissions"),
            &worker.key,
            json!({ "proof": { "text": answer } }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn task(app: &TestApp, agent: &Agent, task_id: &str) -> Value {
    let (status, body) = hp(
        app,
        Method::GET,
        &format!("/tasks/{task_id}"),
        Some(&agent.key),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["task"].clone()
}

both_backends!(
    a_consensus_task_pays_every_worker_less_eighteen_percent,
    |app: TestApp| async move {
        let agent = register(&app, "Consensus").await;
        deposit(&app, &agent, 10_000).await;
        assert_eq!(wallet(&app, &agent).await["balance_cents"], json!(10_000));

        let task_id = post_task(&app, &agent, json!({
        "description": "Is the bakery at 12 Rue Cler open right now? Answer open or closed.",
        "budget_cents": 1_000, "type": "gut_check", "consensus_count": 3,
        "deadline": "2h", "callback_url": "https://agent.example.com/cb"
    }))
    .await;
        // A free task paid $5.00 of the $30.00 escrow; the wallet the rest.
        let wallet_after_posting = wallet(&app, &agent).await;
        assert_eq!(wallet_after_posting["balance_cents"], json!(10_000 - 2_500));
        assert_eq!(wallet_after_posting["held_cents"], json!(3_000));

        let workers = [
            app.actor("human", "Ana").await,
            app.actor("human", "Ben").await,
            app.actor("human", "Cy").await,
        ];
        for (worker, answer) in workers.iter().zip(["Open", " open", "Closed"]) {
            accept_and_answer(&app, worker, &task_id, answer).await;
        }
        let detail = task(&app, &agent, &task_id).await;
        assert_eq!(detail["status"], json!("proof_submitted"));
        assert_eq!(detail["proofs"].as_array().unwrap().len(), 3);
        assert_eq!(detail["consensus"]["required"], json!(3));
        assert_eq!(detail["consensus"]["agreed"], json!(false));
        assert_eq!(
            detail["callback_url"],
            json!("https://agent.example.com/cb")
        );
        assert!(detail["deadline"].is_string());

        let (status, proof) = hp(
            &app,
            Method::GET,
            &format!("/tasks/{task_id}/proof"),
            Some(&agent.key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{proof}");
        assert_eq!(proof["proofs"][2]["text"], json!("Closed"));

        // The results conflict: approval waits for the agent's word.
        let head = app.journal_head().await;
        let (status, refusal) = hp(
            &app,
            Method::POST,
            &format!("/tasks/{task_id}/approve"),
            Some(&agent.key),
            Some(json!({})),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{refusal}");
        assert!(refusal["error"]
            .as_str()
            .unwrap()
            .contains("override_result"));
        assert_eq!(app.journal_head().await, head);

        let (status, approved) = hp(
            &app,
            Method::POST,
            &format!("/tasks/{task_id}/approve"),
            Some(&agent.key),
            Some(json!({ "override_result": "open" })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{approved}");
        assert_eq!(approved["task"]["status"], json!("completed"));
        assert_eq!(approved["task"]["consensus"]["result"], json!("open"));
        assert_eq!(approved["task"]["consensus"]["overridden"], json!(true));

        // Each worker: $10.00 less 18 % = $8.20, exactly.
        for worker in &workers {
            assert_eq!(app.balance(worker).await["available_cents"], json!(820));
        }
        let detail = task(&app, &agent, &task_id).await;
        let transactions = detail["transactions"].as_array().unwrap();
        let total = |kind: &str| -> i64 {
            transactions
                .iter()
                .filter(|t| t["type"] == json!(kind))
                .map(|t| t["amount_cents"].as_i64().unwrap())
                .sum()
        };
        assert_eq!(total("escrow_lock"), 3_000);
        assert_eq!(total("payment"), 3 * 820);
        assert_eq!(total("commission"), 3 * 180);
        assert_eq!(total("escrow_release"), 0);

        let wallet = wallet(&app, &agent).await;
        assert_eq!(wallet["balance_cents"], json!(7_500));
        assert_eq!(wallet["held_cents"], json!(0));
        assert_eq!(summary_total(&wallet, "payment"), 3_000);

        // Each capture kept 18 % for the platform's fee account (`ledger::postings`).
        let account = format!(
            "account-{}-live-USD",
            uuid_of(&agent.id.replacen("agent_", "task_", 1))
        );
        let (status, stream) = app
            .get(&format!("/v1/streams/{account}"), &app.admin_key)
            .await;
        assert_eq!(status, StatusCode::OK, "{stream}");
        let fees: Vec<i64> = stream["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == json!("HoldCaptured"))
            .map(|e| e["payload"]["fee"]["cents"].as_i64().unwrap())
            .collect();
        assert_eq!(fees, [180, 180, 180]);
        app.verify().await;

        let (_, stats) = hp(&app, Method::GET, "/stats", Some(&agent.key), None).await;
        assert_eq!(stats["tasks"]["by_status"]["completed"], json!(1));
        assert_eq!(stats["partner_count"], json!(3));
        assert_eq!(stats["top_workers"].as_array().unwrap().len(), 3);
        assert_eq!(stats["top_workers"][0]["paid_cents"], json!(820));
        assert_eq!(
            stats["spend_by_type"][0],
            json!({ "type": "gut_check", "total_cents": 3_000, "tasks": 1 })
        );
    }
);

both_backends!(
    a_disputed_task_is_refunded_and_names_the_worker,
    |app: TestApp| async move {
        let agent = register(&app, "Disputer").await;
        deposit(&app, &agent, 5_000).await;
        let task_id = post_task(
            &app,
            &agent,
            json!({
                "description": "Photograph the menu at Café Olimpico", "budget_cents": 1_200,
                "type": "field_mission", "proof_required": "photo"
            }),
        )
        .await;
        let worker = app.actor("human", "Dee").await;
        accept_and_answer(&app, &worker, &task_id, "here it is").await;
        assert_eq!(
            wallet(&app, &agent).await["balance_cents"],
            json!(5_000 + 500 - 1_200)
        );

        let (status, disputed) = hp(
            &app,
            Method::POST,
            &format!("/tasks/{task_id}/dispute"),
            Some(&agent.key),
            Some(json!({ "reason": "That is a stock photo." })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{disputed}");
        assert_eq!(disputed["task"]["status"], json!("disputed"));
        assert_eq!(disputed["task"]["proofs"][0]["status"], json!("disputed"));

        // The whole escrow is back (the free task's share stays the agent's).
        let wallet = wallet(&app, &agent).await;
        assert_eq!(wallet["balance_cents"], json!(5_500));
        assert_eq!(wallet["held_cents"], json!(0));
        assert_eq!(summary_total(&wallet, "escrow_release"), 1_200);
        assert_eq!(app.balance(&worker).await["available_cents"], json!(0));

        let (_, list) = hp(
            &app,
            Method::GET,
            "/tasks?status=disputed",
            Some(&agent.key),
            None,
        )
        .await;
        assert_eq!(list["total"], json!(1));
        let (_, list) = hp(
            &app,
            Method::GET,
            "/tasks?status=pending",
            Some(&agent.key),
            None,
        )
        .await;
        assert_eq!(list["total"], json!(0));

        // The dispute event names the worker, for their reputation.
        let (_, stream) = app
            .get(
                &format!("/v1/streams/task-{}", uuid_of(&task_id)),
                &app.admin_key,
            )
            .await;
        let text = stream.to_string();
        assert!(text.contains("SubmissionDisputed"), "{stream:#}");
        assert!(
            text.contains(&format!("\"worker\":\"{}\"", worker.id)),
            "{stream:#}"
        );

        // Nothing more to dispute or approve.
        let (status, body) = hp(
            &app,
            Method::POST,
            &format!("/tasks/{task_id}/approve"),
            Some(&agent.key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        app.verify().await;
    }
);
