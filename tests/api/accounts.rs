use crate::both_backends;
use crate::helpers::{read, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    a_deposit_is_credited_when_the_checkout_is_paid_once,
    |app: TestApp| async move {
        let agent = app.actor("agent", "depositor").await;
        let (status, deposit) = app
            .post("/v1/deposits", &agent.key, json!({ "amount_cents": 2_000 }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{deposit}");
        assert_eq!(deposit["status"], "pending");
        let checkout = deposit["checkout_url"].as_str().unwrap().to_owned();
        assert!(checkout.starts_with(&app.base_url), "{checkout}");
        let page = app
            .client
            .get(&checkout)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Pay $20.00"), "{page}");
        assert_eq!(app.balance(&agent).await["available_cents"], 0);
        for _ in 0..2 {
            app.pay_checkout(&checkout).await;
        }
        let balance = app.balance(&agent).await;
        assert_eq!(
            balance["available_cents"], 2_000,
            "paying twice credits once"
        );
        assert_eq!(balance["deposited_cents"], 2_000);
        let (_, deposit) = app
            .get(
                &format!("/v1/deposits/{}", deposit["id"].as_str().unwrap()),
                &agent.key,
            )
            .await;
        assert_eq!(deposit["status"], "completed");
        app.verify().await;
    }
);

both_backends!(
    deposits_below_the_minimum_are_refused,
    |app: TestApp| async move {
        let agent = app.actor("agent", "small").await;
        let (status, problem) = app
            .post("/v1/deposits", &agent.key, json!({ "amount_cents": 499 }))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    }
);

both_backends!(
    postings_show_every_movement_and_balance,
    |app: TestApp| async move {
        let agent = app.funded_agent("poster", 5_000).await;
        let worker = app.actor("human", "worker").await;
        let task_id = app
            .post_task(&agent, json!({ "title": "t", "reward_cents": 1_000 }))
            .await;
        let submission = app.take_and_submit(&worker, &task_id).await;
        app.post(
            &format!("/v1/submissions/{submission}/approve"),
            &agent.key,
            json!({}),
        )
        .await;
        let (status, page) = app.get("/v1/account/postings?limit=2", &agent.key).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let mut postings = page["data"].as_array().unwrap().clone();
        let mut next = page["next"].as_str().map(str::to_owned);
        while let Some(cursor) = next {
            let (_, page) = app
                .get(
                    &format!("/v1/account/postings?limit=2&cursor={cursor}"),
                    &agent.key,
                )
                .await;
            postings.extend(page["data"].as_array().unwrap().iter().cloned());
            next = page["next"].as_str().map(str::to_owned);
        }
        let available: i64 = postings
            .iter()
            .filter(|p| {
                p["ledger_account"]
                    .as_str()
                    .unwrap()
                    .ends_with(":available")
            })
            .map(|p| p["amount_cents"].as_i64().unwrap())
            .sum();
        assert_eq!(available, 4_000, "{postings:#?}");
        // Someone else's account is an admin's business.
        let (status, _) = app
            .get(&format!("/v1/account?actor_id={}", worker.id), &agent.key)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, balance) = app
            .get(
                &format!("/v1/account?actor_id={}", worker.id),
                &app.admin_key,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(balance["available_cents"], 900);
        let response = app.request(Method::GET, "/metrics", None, None).await;
        let _ = read(response).await;
    }
);
