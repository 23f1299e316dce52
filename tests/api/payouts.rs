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

/// The payout sweep against a provider that does not answer at first: the
/// sandbox behind a switch that refuses the first `unanswered` payouts, and
/// a count of every payout sent to it.
mod sweep {
    use super::*;
    use crate::helpers::{spawn_app_paying_with, Backend, Providers, Unanswering};
    use errand::payments::{
        ConnectedAccount, PayoutOrder, PayoutOutcome, PayoutProvider, ProviderUnavailable, Sandbox,
    };
    use errand::runtime::SweepOptions;
    use errand_aggregates::ids::ActorId;
    use errand_aggregates::mode::Mode;
    use futures::future::BoxFuture;
    use std::sync::Arc;
    use std::time::Duration;

    /// Short, so a test waits seconds, not the production two minutes.
    const GRACE: Duration = Duration::from_secs(1);
    /// Long enough for the sweep's retry after the poller's first back-off (5 s).
    const PAID_WITHIN: Duration = Duration::from_secs(30);

    /// The sandbox, behind the switch.
    struct FlakyPayouts(Unanswering);

    impl FlakyPayouts {
        fn sandbox(&self) -> Sandbox {
            self.0.sandbox()
        }

        fn sent(&self) -> usize {
            self.0.calls()
        }
    }

    impl PayoutProvider for FlakyPayouts {
        fn name(&self) -> &'static str {
            "sandbox"
        }

        fn connect_account(
            &self,
            owner: ActorId,
            mode: Mode,
        ) -> BoxFuture<'_, Result<ConnectedAccount, ProviderUnavailable>> {
            let sandbox = self.sandbox();
            Box::pin(async move { sandbox.connect_account(owner, mode).await })
        }

        fn onboarding_url(
            &self,
            owner: ActorId,
            mode: Mode,
            provider_account_id: &str,
        ) -> BoxFuture<'_, Result<String, ProviderUnavailable>> {
            let (sandbox, account) = (self.sandbox(), provider_account_id.to_owned());
            Box::pin(async move { sandbox.onboarding_url(owner, mode, &account).await })
        }

        fn dashboard_url(
            &self,
            owner: ActorId,
            mode: Mode,
            provider_account_id: &str,
        ) -> BoxFuture<'_, Result<String, ProviderUnavailable>> {
            let (sandbox, account) = (self.sandbox(), provider_account_id.to_owned());
            Box::pin(async move { sandbox.dashboard_url(owner, mode, &account).await })
        }

        fn send_payout<'a>(
            &'a self,
            order: &'a PayoutOrder,
        ) -> BoxFuture<'a, Result<PayoutOutcome, ProviderUnavailable>> {
            let unanswered = self.0.call();
            let sandbox = self.sandbox();
            Box::pin(async move {
                if unanswered {
                    return Err(ProviderUnavailable("timed out".to_owned()));
                }
                sandbox.send_payout(order).await
            })
        }
    }

    /// A server sweeping every 50 ms payouts pending for longer than `GRACE`,
    /// paying out through a provider that leaves the first `unanswered` unanswered.
    async fn spawn(backend: Backend, unanswered: usize) -> Option<(TestApp, Arc<FlakyPayouts>)> {
        let provider = Arc::new(FlakyPayouts(Unanswering::first(unanswered)));
        let providers = Providers {
            payouts: Some(provider.clone()),
            payments: None,
        };
        let app = spawn_app_paying_with(backend, providers, |config| {
            config.payout_sweep = SweepOptions {
                interval: Duration::from_millis(50),
                grace: GRACE,
                ..SweepOptions::default()
            };
        })
        .await?;
        provider.0.serving_at(&app.base_url);
        Some((app, provider))
    }

    async fn payout_status(app: &TestApp, worker: &Actor, payout: &str) -> String {
        let (status, body) = app.get(&format!("/v1/payouts/{payout}"), &worker.key).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["status"].as_str().expect("a status").to_owned()
    }

    async fn a_payout_the_provider_did_not_answer_is_paid_by_the_sweep_once(backend: Backend) {
        // The request's own send and the sweep's first try go unanswered.
        let Some((app, provider)) = spawn(backend, 2).await else {
            return;
        };
        let (_, worker) = worker_with_earnings(&app, 1_000).await;
        onboard(&app, &worker).await;
        let (status, payout) = app
            .post("/v1/payouts", &worker.key, json!({ "amount_cents": 600 }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{payout}");
        assert_eq!(payout["status"], "pending", "the provider did not answer");
        let payout = payout["id"].as_str().expect("a payout id").to_owned();
        assert_eq!(app.balance(&worker).await["available_cents"], 300);
        // Within the grace period the sweep leaves it to its request.
        tokio::time::sleep(GRACE / 2).await;
        assert_eq!(provider.sent(), 1);
        assert_eq!(payout_status(&app, &worker, &payout).await, "pending");

        // No client repeats the request: the sweep sends it, is not answered,
        // backs off, sends it again and is paid.
        let deadline = tokio::time::Instant::now() + PAID_WITHIN;
        while payout_status(&app, &worker, &payout).await != "paid" {
            assert!(tokio::time::Instant::now() < deadline, "not paid in time");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(provider.sent(), 3);
        // Many sweeps later, it was not sent again.
        tokio::time::sleep(GRACE * 2).await;
        assert_eq!(provider.sent(), 3, "a paid payout is not sent again");
        let balance = app.balance(&worker).await;
        assert_eq!(balance["available_cents"], 300);
        assert_eq!(balance["paid_out_cents"], 600);
        let (_, postings) = app.get("/v1/account/postings", &worker.key).await;
        let payouts: Vec<&Value> = postings["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|posting| {
                posting["event_type"]
                    .as_str()
                    .unwrap()
                    .starts_with("Payout")
            })
            .collect();
        assert_eq!(payouts.len(), 1, "the money left once: {postings}");
        assert_eq!(payouts[0]["amount_cents"], -600);
        app.verify().await;
    }

    async fn a_payout_paid_at_request_is_never_sent_by_the_sweep(backend: Backend) {
        let Some((app, provider)) = spawn(backend, 0).await else {
            return;
        };
        let (_, worker) = worker_with_earnings(&app, 1_000).await;
        onboard(&app, &worker).await;
        let (status, payout) = app
            .post("/v1/payouts", &worker.key, json!({ "amount_cents": 600 }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{payout}");
        assert_eq!(payout["status"], "paid");
        // Past the grace period, through many sweeps.
        tokio::time::sleep(GRACE * 3).await;
        assert_eq!(provider.sent(), 1, "sent once, by its request");
        assert_eq!(app.balance(&worker).await["paid_out_cents"], 600);
        app.verify().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_payout_the_provider_did_not_answer_is_paid_by_the_sweep_once_on_sqlite() {
        a_payout_the_provider_did_not_answer_is_paid_by_the_sweep_once(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_payout_the_provider_did_not_answer_is_paid_by_the_sweep_once_on_postgres() {
        a_payout_the_provider_did_not_answer_is_paid_by_the_sweep_once(Backend::Postgres).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_payout_paid_at_request_is_never_sent_by_the_sweep_on_sqlite() {
        a_payout_paid_at_request_is_never_sent_by_the_sweep(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_payout_paid_at_request_is_never_sent_by_the_sweep_on_postgres() {
        a_payout_paid_at_request_is_never_sent_by_the_sweep(Backend::Postgres).await;
    }
}
