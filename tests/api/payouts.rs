//! Payouts end to end: a worker earns, connects a payout account through the
//! sandbox's onboarding page, withdraws; a HumanPing agent pays a task's
//! workers out once; refusals change nothing. Each on both backends.

use crate::both_backends;
use crate::helpers::{Actor, TestApp};
use crate::humanping::{self, hp, uuid_of};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// $13.13: the sandbox declines a payout of exactly this.
const DECLINED_CENTS: i64 = 1_313;

/// A human who earned `reward` less the native 10 % fee on an approved task.
async fn worker_with_earnings(app: &TestApp, reward: i64) -> (Actor, Actor) {
    let agent = app.funded_agent("Payer", reward * 2).await;
    let worker = app.actor("human", "Bea").await;
    let task = app
        .post_task(
            &agent,
            json!({ "title": "Check the bakery", "reward_cents": reward }),
        )
        .await;
    let submission = app.take_and_submit(&worker, &task).await;
    let (status, body) = app
        .post(
            &format!("/v1/submissions/{submission}/approve"),
            &agent.key,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (agent, worker)
}

/// Connects `worker`'s payout account and completes onboarding at the sandbox page.
async fn onboard(app: &TestApp, worker: &Actor) -> Value {
    let (status, account) = app
        .post("/v1/payouts/account", &worker.key, json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{account}");
    assert_eq!(account["status"], "onboarding");
    let link = account["onboarding_url"]
        .as_str()
        .expect("onboarding url")
        .to_owned();
    assert!(link.starts_with(&app.base_url), "{link}");
    let page = app
        .client
        .get(&link)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Complete onboarding"), "{page}");
    for _ in 0..2 {
        let response = app
            .client
            .post(format!("{link}/complete"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "completing twice is harmless"
        );
    }
    let (status, account) = app.get("/v1/payouts/account", &worker.key).await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert_eq!(account["status"], "active");
    assert_eq!(account["payouts_enabled"], true);
    account
}

both_backends!(
    a_worker_connects_onboards_and_withdraws_their_earnings,
    |app: TestApp| async move {
        let (_, worker) = worker_with_earnings(&app, 1_000).await;
        assert_eq!(app.balance(&worker).await["available_cents"], 900);
        let (status, account) = app.get("/v1/payouts/account", &worker.key).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(account["status"], "not_connected");
        let connected = onboard(&app, &worker).await;
        let (status, again) = app
            .post("/v1/payouts/account", &worker.key, json!({}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "connected once: {again}");
        let (status, dashboard) = app
            .post("/v1/payouts/account/dashboard", &worker.key, json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{dashboard}");
        let url = dashboard["url"].as_str().unwrap();
        assert!(
            url.contains(connected["account_id"].as_str().unwrap()),
            "{url}"
        );

        let (status, payout) = app
            .post("/v1/payouts", &worker.key, json!({ "amount_cents": 600 }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{payout}");
        assert_eq!(payout["status"], "paid");
        assert_eq!(payout["purpose"], "withdrawal");
        assert_eq!(payout["destination"], connected["account_id"]);
        let balance = app.balance(&worker).await;
        assert_eq!(balance["available_cents"], 300);
        assert_eq!(balance["paid_out_cents"], 600);
        let (_, one) = app
            .get(
                &format!("/v1/payouts/{}", payout["id"].as_str().unwrap()),
                &worker.key,
            )
            .await;
        assert_eq!(one["status"], "paid");
        let (status, list) = app.get("/v1/payouts", &worker.key).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["data"].as_array().unwrap().len(), 1);
        assert_eq!(list["data"][0]["id"], payout["id"]);
        let (_, postings) = app.get("/v1/account/postings", &worker.key).await;
        assert_eq!(postings["data"][0]["event_type"], "PayoutSent");
        assert_eq!(postings["data"][0]["amount_cents"], -600);
        app.verify().await;
    }
);

both_backends!(
    a_declined_payout_returns_the_money,
    |app: TestApp| async move {
        let (_, worker) = worker_with_earnings(&app, 2_000).await;
        onboard(&app, &worker).await;
        let (status, payout) = app
            .post(
                "/v1/payouts",
                &worker.key,
                json!({ "amount_cents": DECLINED_CENTS }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{payout}");
        assert_eq!(payout["status"], "failed");
        assert!(payout["failure_reason"]
            .as_str()
            .unwrap()
            .contains("declined"));
        let balance = app.balance(&worker).await;
        assert_eq!(balance["available_cents"], 1_800);
        assert_eq!(balance["paid_out_cents"], 0);
        app.verify().await;
    }
);

both_backends!(
    payouts_beyond_the_balance_or_without_onboarding_are_refused_and_change_nothing,
    |app: TestApp| async move {
        let (_, worker) = worker_with_earnings(&app, 1_000).await;
        let head = app.journal_head().await;
        let (status, problem) = app
            .post("/v1/payouts", &worker.key, json!({ "amount_cents": 100 }))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "not connected: {problem}");
        let (status, _) = app
            .post("/v1/payouts/account/dashboard", &worker.key, json!({}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(app.journal_head().await, head);
        let (status, account) = app
            .post("/v1/payouts/account", &worker.key, json!({}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{account}");
        let head = app.journal_head().await;
        let (status, problem) = app
            .post("/v1/payouts", &worker.key, json!({ "amount_cents": 100 }))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "not onboarded: {problem}");
        assert_eq!(app.journal_head().await, head);
        onboard_existing(&app, &account).await;
        let head = app.journal_head().await;
        let (status, problem) = app
            .post("/v1/payouts", &worker.key, json!({ "amount_cents": 901 }))
            .await;
        assert_eq!(status, StatusCode::PAYMENT_REQUIRED, "{problem}");
        for amount in [json!(0), json!(-5)] {
            let (status, problem) = app
                .post(
                    "/v1/payouts",
                    &worker.key,
                    json!({ "amount_cents": amount }),
                )
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        }
        let (status, _) = app
            .post("/v1/payouts", &worker.key, json!({ "amount_cents": "5" }))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(app.journal_head().await, head);
        assert_eq!(app.balance(&worker).await["available_cents"], 900);
        // Someone else's payout account page is not found with a wrong account id.
        let wrong = account["onboarding_url"]
            .as_str()
            .unwrap()
            .replace("acct_", "acct_x");
        let response = app.client.get(&wrong).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
);

async fn onboard_existing(app: &TestApp, account: &Value) {
    let link = account["onboarding_url"].as_str().unwrap();
    let response = app
        .client
        .post(format!("{link}/complete"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

both_backends!(
    a_humanping_agent_pays_a_tasks_worker_out_once,
    |app: TestApp| async move {
        let agent = humanping::register(&app, "PayoutBot").await;
        humanping::deposit(&app, &agent, 2_000).await;
        let task = humanping::post_task(
            &app,
            &agent,
            json!({ "description": "Is it open?", "budget_cents": 1_000 }),
        )
        .await;
        let path = format!("/tasks/{task}/payout");
        let (status, body) = hp(&app, Method::POST, &path, Some(&agent.key), None).await;
        assert_eq!(status, StatusCode::CONFLICT, "no approved work yet: {body}");
        assert!(body["error"].is_string());
        let worker = app.actor("human", "Ana").await;
        app.take_and_submit(&worker, &uuid_of(&task)).await;
        let (status, body) = hp(
            &app,
            Method::POST,
            &format!("/tasks/{task}/approve"),
            Some(&agent.key),
            Some(json!({})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // 18 % commission: the worker earned 820.
        let head = app.journal_head().await;
        let (status, body) = hp(&app, Method::POST, &path, Some(&agent.key), None).await;
        assert_eq!(status, StatusCode::CONFLICT, "not onboarded: {body}");
        assert_eq!(app.journal_head().await, head);

        onboard(&app, &worker).await;
        let (status, body) = hp(&app, Method::POST, &path, Some(&agent.key), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["paid_now_cents"], 820);
        assert_eq!(body["payouts"][0]["status"], "paid");
        assert_eq!(body["payouts"][0]["paid_now"], true);
        assert_eq!(app.balance(&worker).await["available_cents"], 0);

        let (status, again) = hp(&app, Method::POST, &path, Some(&agent.key), None).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again["paid_now_cents"], 0);
        assert_eq!(again["payouts"][0]["paid_now"], false);
        assert_eq!(
            again["payouts"][0]["payout_id"],
            body["payouts"][0]["payout_id"]
        );
        assert!(again["message"].as_str().unwrap().contains("Nothing more"));
        let (_, list) = app.get("/v1/payouts", &worker.key).await;
        assert_eq!(
            list["data"].as_array().unwrap().len(),
            1,
            "paid once: {list}"
        );
        assert_eq!(list["data"][0]["purpose"], "task_earnings");
        assert_eq!(list["data"][0]["task_id"], json!(uuid_of(&task)));

        // Another agent's call finds no such task.
        let other = humanping::register(&app, "Stranger").await;
        let (status, _) = hp(&app, Method::POST, &path, Some(&other.key), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = hp(
            &app,
            Method::POST,
            &path,
            Some(&agent.key),
            Some(json!({ "workers": 1 })),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        app.verify().await;
    }
);
