//! `/owner/billing`: the balance, the saved payment method (sandbox card
//! tokens), credits added by charging it or at a checkout, auto-reload
//! topping the balance up when a post would otherwise fail (and the ledger
//! saying so), declines, and bad input refused with nothing appended.

use super::*;
use crate::both_backends;

async fn billing(app: &TestApp, key: &str) -> Value {
    let (status, body) = ih(app, Method::GET, "/owner/billing", Some(key), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn setup(app: &TestApp, key: &str, token: &str) -> Value {
    let (status, body) = ih(
        app,
        Method::POST,
        "/owner/billing/setup",
        Some(key),
        Some(json!({ "token": token })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn auto_reload(app: &TestApp, key: &str, body: Value) -> (StatusCode, Value) {
    ih(
        app,
        Method::POST,
        "/owner/billing/auto-reload",
        Some(key),
        Some(body),
    )
    .await
}

/// Posts work worth `reward_cents` × `slots` through the native API.
async fn post_work(
    app: &TestApp,
    poster: &crate::helpers::Actor,
    reward_cents: i64,
    slots: u32,
) -> (StatusCode, Value) {
    app.post(
        "/v1/tasks",
        &poster.key,
        json!({ "title": "Try the checkout", "reward_cents": reward_cents, "slots": slots }),
    )
    .await
}

/// Every credit of `actor`'s account the journal holds: (cents, funding kind).
async fn credits_in_the_journal(app: &TestApp, actor: &str) -> Vec<(i64, String)> {
    let (status, page) = app
        .get("/v1/events?after=0&limit=1000", &app.admin_key)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["data"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["type"] == "FundsDeposited" && e["payload"]["account"]["owner"] == actor)
        .map(|e| {
            (
                e["payload"]["amount"]["cents"].as_i64().expect("cents"),
                e["payload"]["funding"]["kind"]
                    .as_str()
                    .expect("kind")
                    .to_owned(),
            )
        })
        .collect()
}

both_backends!(
    billing_starts_empty_with_auto_reload_off,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "Fresh", 0).await;
        let body = billing(&app, &key).await;
        assert_eq!(
            body["balance"],
            json!({ "available": 0, "held": 0, "currency": "USD" })
        );
        assert_eq!(body["paymentMethod"], Value::Null);
        assert_eq!(
            body["autoReload"],
            json!({ "enabled": false, "threshold": 5, "amount": 10 })
        );
        assert_eq!(body["recentCredits"], json!([]));
        assert_eq!(body["mode"], "live");
    }
);

both_backends!(
    credits_without_a_saved_method_are_paid_at_the_sandbox_checkout,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "Checkout", 0).await;
        let (status, body) = ih(
            &app,
            Method::POST,
            "/owner/billing/add-credits",
            Some(&key),
            Some(json!({ "amount": "12.50" })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let deposit = &body["deposit"];
        assert_eq!(deposit["status"], "pending");
        assert_eq!(deposit["source"], "checkout");
        assert_eq!(deposit["amount"].to_string(), "12.5");
        let checkout = deposit["checkoutUrl"]
            .as_str()
            .expect("a checkout")
            .to_owned();
        assert!(checkout.starts_with(&app.base_url), "{checkout}");
        assert_eq!(
            billing(&app, &key).await["balance"]["available"],
            0,
            "not paid yet"
        );

        app.pay_checkout(&checkout).await;
        let body = billing(&app, &key).await;
        assert_eq!(body["balance"]["available"].to_string(), "12.5");
        let credit = &body["recentCredits"][0];
        assert_eq!(
            (credit["source"].clone(), credit["status"].clone()),
            (json!("checkout"), json!("completed"))
        );
        app.verify().await;
    }
);

both_backends!(
    a_saved_card_is_charged_at_once_and_detached,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "Carded", 0).await;
        let saved = setup(&app, &key, "tok_visa").await;
        let method = &saved["paymentMethod"];
        assert_eq!(
            (method["brand"].clone(), method["last4"].clone()),
            (json!("visa"), json!("4242"))
        );
        assert!(method["id"]
            .as_str()
            .expect("id")
            .starts_with("pm_sandbox_"));

        let (status, body) = ih(
            &app,
            Method::POST,
            "/owner/billing/add-credits",
            Some(&key),
            Some(json!({ "amount": 25 })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["deposit"]["status"], "completed");
        assert_eq!(body["deposit"]["source"], "saved_method");
        assert_eq!(body["deposit"]["checkoutUrl"], Value::Null);
        assert_eq!(body["balance"]["available"], 25);

        let body = billing(&app, &key).await;
        assert_eq!(body["paymentMethod"]["last4"], "4242");
        assert_eq!(body["recentCredits"][0]["source"], "saved_method");
        assert_eq!(body["recentCredits"][0]["status"], "completed");

        // Another card replaces it; detaching forgets it, once.
        let saved = setup(&app, &key, "tok_mastercard").await;
        assert_eq!(saved["paymentMethod"]["brand"], "mastercard");
        let (status, body) = ih(
            &app,
            Method::POST,
            "/owner/billing/detach-method",
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["paymentMethod"], Value::Null);
        let (status, body) = ih(
            &app,
            Method::POST,
            "/owner/billing/detach-method",
            Some(&key),
            None,
        )
        .await;
        refused(status, &body, StatusCode::CONFLICT);
        app.verify().await;
    }
);

both_backends!(a_declined_card_credits_nothing, |app: TestApp| async move {
    let (_, key) = owner(&app, "Declined", 0).await;
    setup(&app, &key, "tok_chargeDeclined").await;
    let (status, body) = ih(
        &app,
        Method::POST,
        "/owner/billing/add-credits",
        Some(&key),
        Some(json!({ "amount": 20 })),
    )
    .await;
    let message = refused(status, &body, StatusCode::BAD_REQUEST);
    assert!(message.contains("declined"), "{message}");
    let body = billing(&app, &key).await;
    assert_eq!(body["balance"]["available"], 0);
    assert_eq!(body["recentCredits"][0]["status"], "failed");
    app.verify().await;
});

both_backends!(
    auto_reload_tops_up_a_post_the_balance_cannot_cover_and_the_ledger_says_so,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "Reloading", 300).await;
        setup(&app, &key, "tok_visa").await;
        let (status, body) = auto_reload(
            &app,
            &key,
            json!({ "enabled": true, "threshold": 0, "amount": 20 }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["autoReload"],
            json!({ "enabled": true, "threshold": 0, "amount": 20 })
        );

        // $15.00 of escrow on $3.00: topped up by the reload amount, $20.00.
        let (status, task) = post_work(&app, &agent, 500, 3).await;
        assert_eq!(status, StatusCode::CREATED, "{task}");
        let body = billing(&app, &key).await;
        assert_eq!(body["balance"]["held"], 15);
        assert_eq!(body["balance"]["available"], 8);
        // $40.00 on $8.00: what the hold lacks, $32.00, is more than the reload amount.
        let (status, task) = post_work(&app, &agent, 2_000, 2).await;
        assert_eq!(status, StatusCode::CREATED, "{task}");
        let body = billing(&app, &key).await;
        assert_eq!(
            body["balance"],
            json!({ "available": 0, "held": 55, "currency": "USD" })
        );
        let sources: Vec<&Value> = body["recentCredits"]
            .as_array()
            .expect("credits")
            .iter()
            .map(|c| &c["source"])
            .collect();
        assert_eq!(sources, vec!["auto_reload", "auto_reload"], "{body}");
        assert_eq!(
            credits_in_the_journal(&app, &agent.id).await,
            vec![
                (300, "grant".to_owned()),
                (2_000, "auto_reload".to_owned()),
                (3_200, "auto_reload".to_owned())
            ]
        );
        app.verify().await;
    }
);

both_backends!(
    without_a_method_or_auto_reload_a_post_is_refused_for_funds,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "Unreloaded", 300).await;
        // Auto-reload cannot be turned on without a saved method.
        let head = app.journal_head().await;
        let (status, body) = auto_reload(&app, &key, json!({ "enabled": true })).await;
        let message = refused(status, &body, StatusCode::CONFLICT);
        assert!(message.contains("payment method"), "{message}");
        assert_eq!(app.journal_head().await, head);
        let (status, body) = post_work(&app, &agent, 500, 1).await;
        assert_eq!(status, StatusCode::PAYMENT_REQUIRED, "{body}");

        // Saved but off: still refused, nothing charged.
        setup(&app, &key, "tok_visa").await;
        let (status, body) = post_work(&app, &agent, 500, 1).await;
        assert_eq!(status, StatusCode::PAYMENT_REQUIRED, "{body}");

        // On, then detached: off again with it.
        auto_reload(
            &app,
            &key,
            json!({ "enabled": true, "threshold": 0, "amount": 10 }),
        )
        .await;
        ih(
            &app,
            Method::POST,
            "/owner/billing/detach-method",
            Some(&key),
            None,
        )
        .await;
        assert_eq!(billing(&app, &key).await["autoReload"]["enabled"], false);
        let (status, body) = post_work(&app, &agent, 500, 1).await;
        assert_eq!(status, StatusCode::PAYMENT_REQUIRED, "{body}");

        // A declining card is charged, declines, and the post is refused.
        setup(&app, &key, "tok_chargeDeclined").await;
        auto_reload(
            &app,
            &key,
            json!({ "enabled": true, "threshold": 0, "amount": 10 }),
        )
        .await;
        let (status, body) = post_work(&app, &agent, 500, 1).await;
        assert_eq!(status, StatusCode::PAYMENT_REQUIRED, "{body}");
        let body = billing(&app, &key).await;
        assert_eq!(
            body["balance"],
            json!({ "available": 3, "held": 0, "currency": "USD" })
        );
        assert_eq!(body["recentCredits"][0]["source"], "auto_reload");
        assert_eq!(body["recentCredits"][0]["status"], "failed");
        assert_eq!(
            credits_in_the_journal(&app, &agent.id).await,
            vec![(300, "grant".to_owned())]
        );
        app.verify().await;
    }
);

both_backends!(
    bad_billing_input_is_400_and_appends_nothing,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "Sloppy", 0).await;
        let head = app.journal_head().await;
        let cases = [
            ("/owner/billing/add-credits", json!({ "amount": 4.99 })),
            ("/owner/billing/add-credits", json!({ "amount": "10.001" })),
            ("/owner/billing/add-credits", json!({ "amount": -5 })),
            ("/owner/billing/add-credits", json!({ "amount": 0 })),
            ("/owner/billing/add-credits", json!({})),
            (
                "/owner/billing/add-credits",
                json!({ "amount": 10, "currency": "EUR" }),
            ),
            ("/owner/billing/setup", json!({ "token": "tok_bogus" })),
            ("/owner/billing/setup", json!({ "token": "" })),
            ("/owner/billing/setup", json!({ "token": "x".repeat(101) })),
            ("/owner/billing/auto-reload", json!({ "enabled": "yes" })),
            (
                "/owner/billing/auto-reload",
                json!({ "enabled": false, "amount": 4 }),
            ),
            (
                "/owner/billing/auto-reload",
                json!({ "enabled": false, "amount": 1_000.01 }),
            ),
            (
                "/owner/billing/auto-reload",
                json!({ "enabled": false, "threshold": -1 }),
            ),
            ("/owner/billing/detach-method", json!({ "force": true })),
        ];
        for (path, body) in cases {
            let (status, reply) =
                ih(&app, Method::POST, path, Some(&key), Some(body.clone())).await;
            let message = refused(status, &reply, StatusCode::BAD_REQUEST);
            assert!(!message.is_empty(), "{path} {body}");
        }
        assert_eq!(app.journal_head().await, head, "nothing appended");
    }
);

both_backends!(
    billing_needs_a_key_with_the_wallet_scopes,
    |app: TestApp| async move {
        let (agent, _) = owner(&app, "Narrow", 0).await;
        let (_, tasks_only) = app
            .key_for(
                &agent,
                json!({ "prefix": "ih", "scopes": ["tasks:read", "tasks:write"] }),
            )
            .await;
        let (status, body) = ih(&app, Method::GET, "/owner/billing", Some(&tasks_only), None).await;
        let message = refused(status, &body, StatusCode::FORBIDDEN);
        assert!(message.contains("wallet:read"), "{message}");
        let (status, body) = ih(
            &app,
            Method::POST,
            "/owner/billing/setup",
            Some(&tasks_only),
            Some(json!({ "token": "tok_visa" })),
        )
        .await;
        refused(status, &body, StatusCode::FORBIDDEN);
        let (status, body) = ih(&app, Method::GET, "/owner/billing", None, None).await;
        refused(status, &body, StatusCode::UNAUTHORIZED);
    }
);

both_backends!(
    auto_reload_tops_up_an_instahuman_job_post_and_its_resize,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "JobReloader", 0).await;
        // Without a saved method the post is refused for its balance, 400.
        let (status, body) = ih(
            &app,
            Method::POST,
            "/jobs",
            Some(&key),
            Some(job_body("Sign-up test", 2, json!(10))),
        )
        .await;
        let message = refused(status, &body, StatusCode::BAD_REQUEST);
        assert!(message.contains("Insufficient balance"), "{message}");

        setup(&app, &key, "tok_visa").await;
        auto_reload(
            &app,
            &key,
            json!({ "enabled": true, "threshold": 5, "amount": 30 }),
        )
        .await;
        let job = create_job(&app, &key, job_body("Sign-up test", 2, json!(10))).await;
        assert_eq!(job["escrow"]["held"], 20);
        // $30.00 in, $20.00 held: $10.00 left, above the $5.00 threshold.
        assert_eq!(money(&app, &agent).await, (1_000, 2_000));
        // Growing to 3 testers holds $10.00 more, leaving $0 < $5.00: reloaded again.
        let id = job["id"].as_str().expect("id");
        let (status, body) = act(&app, &key, id, "resize", json!({ "testerCount": 3 })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(money(&app, &agent).await, (3_000, 3_000));
        assert_eq!(
            credits_in_the_journal(&app, &agent.id).await,
            vec![
                (3_000, "auto_reload".to_owned()),
                (3_000, "auto_reload".to_owned())
            ]
        );
        app.verify().await;
    }
);

/// The charge sweep against a provider that does not answer at first: the
/// sandbox behind a switch that leaves the first `unanswered` charges
/// unanswered, and a count of every charge asked of it.
mod charge_sweep {
    use super::*;
    use crate::helpers::{spawn_app_paying_with, Backend, Providers, Unanswering};
    use errand::payments::{
        ChargeOrder, ChargeOutcome, PaymentProvider, ProviderUnavailable, Sandbox,
    };
    use errand::runtime::SweepOptions;
    use errand_aggregates::billing::PaymentMethod;
    use errand_aggregates::ids::{ActorId, FundingId};
    use errand_aggregates::mode::Mode;
    use futures::future::BoxFuture;
    use std::sync::Arc;
    use std::time::Duration;

    /// Short, so a test waits seconds, not the production two minutes.
    const GRACE: Duration = Duration::from_secs(1);
    /// Long enough for the sweep's retry after the poller's first back-off (5 s).
    const CREDITED_WITHIN: Duration = Duration::from_secs(30);

    /// The sandbox, behind the switch.
    struct FlakyPayments(Unanswering);

    impl FlakyPayments {
        fn sandbox(&self) -> Sandbox {
            self.0.sandbox()
        }

        fn charged(&self) -> usize {
            self.0.calls()
        }
    }

    impl PaymentProvider for FlakyPayments {
        fn name(&self) -> &'static str {
            "sandbox"
        }

        fn checkout_url(&self, funding_id: &FundingId) -> String {
            self.sandbox().checkout_url(funding_id)
        }

        fn save_method<'a>(
            &'a self,
            owner: ActorId,
            mode: Mode,
            token: &'a str,
        ) -> BoxFuture<'a, Result<Result<PaymentMethod, String>, ProviderUnavailable>> {
            let sandbox = self.sandbox();
            Box::pin(async move { sandbox.save_method(owner, mode, token).await })
        }

        fn charge<'a>(
            &'a self,
            order: &'a ChargeOrder,
        ) -> BoxFuture<'a, Result<ChargeOutcome, ProviderUnavailable>> {
            let unanswered = self.0.call();
            let sandbox = self.sandbox();
            Box::pin(async move {
                if unanswered {
                    return Err(ProviderUnavailable("timed out".to_owned()));
                }
                sandbox.charge(order).await
            })
        }
    }

    async fn a_charge_the_provider_did_not_answer_is_credited_by_the_sweep_once(backend: Backend) {
        // The request's own charge and the sweep's first ask go unanswered.
        let provider = Arc::new(FlakyPayments(Unanswering::first(2)));
        let providers = Providers {
            payouts: None,
            payments: Some(provider.clone()),
        };
        let Some(app) = spawn_app_paying_with(backend, providers, |config| {
            config.charge_sweep = SweepOptions {
                interval: Duration::from_millis(50),
                grace: GRACE,
                ..SweepOptions::default()
            };
        })
        .await
        else {
            return;
        };
        provider.0.serving_at(&app.base_url);
        let (agent, key) = owner(&app, "Patient", 0).await;
        setup(&app, &key, "tok_visa").await;
        let (status, body) = ih(
            &app,
            Method::POST,
            "/owner/billing/add-credits",
            Some(&key),
            Some(json!({ "amount": 25 })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(
            body["deposit"]["status"], "pending",
            "the provider did not answer"
        );
        assert_eq!(body["balance"]["available"], 0);
        tokio::time::sleep(GRACE / 2).await;
        assert_eq!(provider.charged(), 1, "within the grace the sweep waits");

        // Nobody adds the credits again: the sweep asks, is not answered,
        // backs off, asks again and the charge is credited.
        let deadline = tokio::time::Instant::now() + CREDITED_WITHIN;
        while billing(&app, &key).await["balance"]["available"] != 25 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "not credited in time"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(provider.charged(), 3);
        tokio::time::sleep(GRACE * 2).await;
        assert_eq!(
            provider.charged(),
            3,
            "a completed charge is not asked about again"
        );
        assert_eq!(
            credits_in_the_journal(&app, &agent.id).await,
            vec![(2_500, "deposit".to_owned())],
            "credited once"
        );
        let body = billing(&app, &key).await;
        assert_eq!(body["recentCredits"][0]["status"], "completed");
        app.verify().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_charge_the_provider_did_not_answer_is_credited_by_the_sweep_once_on_sqlite() {
        a_charge_the_provider_did_not_answer_is_credited_by_the_sweep_once(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_charge_the_provider_did_not_answer_is_credited_by_the_sweep_once_on_postgres() {
        a_charge_the_provider_did_not_answer_is_credited_by_the_sweep_once(Backend::Postgres).await;
    }
}
