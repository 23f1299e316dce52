//! Credits & payments: `/credits-balance`, `/credits-history`,
//! `/credits-purchase`, `/credits-withdraw`, `/fee-calculate`, `/stripe-connect-onboard`,
//! `/payouts-request`, `/revenue-share-status`.

use super::*;
use crate::both_backends;
use crate::helpers::Actor;
use chrono::Utc;
use errand_aggregates::account::{Account, AccountId};
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use uuid::Uuid;

/// Credits bought with money through `/credits-purchase`, paid at the
/// sandbox checkout.
async fn buy_credits(app: &TestApp, key: &str, credits: i64) {
    let (status, body) = hm(
        app,
        Method::POST,
        "/credits-purchase",
        Some(key),
        Some(json!({ "amount": credits })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["amount"], credits, "{body}");
    assert_eq!(body["status"], "pending", "{body}");
    assert!(body["purchase_id"].is_string(), "{body}");
    let before = balance(app, key).await;
    let checkout = body["checkout_url"].as_str().expect("checkout_url");
    app.pay_checkout(checkout).await;
    assert_eq!(
        balance(app, key).await,
        (before.0 + credits, before.1 + credits, before.2),
        "paid credits are cash-backed"
    );
}

async fn balance(app: &TestApp, key: &str) -> (i64, i64, i64) {
    let (status, body) = hm(app, Method::GET, "/credits-balance", Some(key), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let pool = |name: &str| body[name].as_i64().expect(name);
    (
        pool("rc_balance"),
        pool("rc_balance_withdrawable"),
        pool("rc_balance_marketplace"),
    )
}

async fn history(app: &TestApp, key: &str, query: &str) -> Value {
    let path = format!("/credits-history{query}");
    let (status, body) = hm(app, Method::GET, &path, Some(key), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Connects the caller's payout account and completes its onboarding on
/// the sandbox's page.
async fn onboard(app: &TestApp, key: &str) {
    let (status, body) = hm(
        app,
        Method::POST,
        "/stripe-connect-onboard",
        Some(key),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let url = body["onboarding_url"].as_str().expect("onboarding_url");
    let (status, again) = hm(
        app,
        Method::POST,
        "/stripe-connect-onboard",
        Some(key),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["onboarding_url"], url);
    let path = url
        .find("/payouts/onboarding/")
        .map(|at| &url[at..])
        .expect("a sandbox link");
    let response = app
        .client
        .post(app.url(&format!("{path}/complete")))
        .send()
        .await
        .expect("onboarding completes");
    assert!(response.status().is_success(), "{}", response.status());
    let (status, done) = hm(
        app,
        Method::POST,
        "/stripe-connect-onboard",
        Some(key),
        None,
    )
    .await;
    refused(status, &done, StatusCode::CONFLICT, "conflict");
}

both_backends!(
    a_founders_balance_is_its_grant_in_the_marketplace_pool_with_its_provenance,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (_, key, _) = quick_start(&app, "Founder", json!([])).await;
        assert_eq!(balance(&app, &key).await, (128, 0, 128));
        let body = history(&app, &key, "").await;
        assert_eq!(body["total"], 1, "{body}");
        let grant = &body["transactions"][0];
        assert_eq!(grant["amount"], 128);
        assert_eq!(grant["reason"], "halvening_grant");
        assert_eq!(grant["credit_type"], "liquid");
        assert_eq!(grant["withdrawal_eligible"], false);
        assert_eq!(grant["remaining_amount"], 128);
        assert!(grant["id"]
            .as_str()
            .is_some_and(|id| Uuid::parse_str(id).is_ok()));
        assert!(grant["created_at"]
            .as_str()
            .is_some_and(|at| at.ends_with('Z')));
        let none = history(&app, &key, "?reason=withdrawal").await;
        assert_eq!(
            (none["total"].clone(), none["transactions"].clone()),
            (json!(0), json!([]))
        );

        let head = app.journal_head().await;
        for query in [
            "?limit=0",
            "?limit=101",
            "?offset=-1",
            "?offset=10001",
            "?page=2",
        ] {
            let path = format!("/credits-history{query}");
            let (status, body) = hm(&app, Method::GET, &path, Some(&key), None).await;
            refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        }
        for path in ["/credits-balance", "/credits-history"] {
            let (status, body) = hm(&app, Method::GET, path, None, None).await;
            refused(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
        }
        assert_eq!(app.journal_head().await, head);
    }
);

both_backends!(
    withdrawing_takes_cash_backed_credits_newest_first_and_pays_them_out,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (_, key, _) = quick_start(&app, "Withdrawer", json!([])).await;
        let withdraw = |amount: Value| {
            let (app, key) = (&app, key.clone());
            async move {
                hm(
                    app,
                    Method::POST,
                    "/credits-withdraw",
                    Some(&key),
                    Some(json!({ "amount": amount })),
                )
                .await
            }
        };
        // Marketplace credits never leave.
        let head = app.journal_head().await;
        let (status, body) = withdraw(json!(10)).await;
        refused(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            "insufficient_balance",
        );
        assert_eq!(app.journal_head().await, head);

        // Nothing is bought below the deposit minimum, or of no amount.
        let head = app.journal_head().await;
        for bad in [
            json!(499),
            json!(0),
            json!(-5),
            json!(2.5),
            json!("ten"),
            json!(null),
        ] {
            let (status, body) = hm(
                &app,
                Method::POST,
                "/credits-purchase",
                Some(&key),
                Some(json!({ "amount": bad })),
            )
            .await;
            refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        }
        assert_eq!(app.journal_head().await, head);
        buy_credits(&app, &key, 1_000).await;
        buy_credits(&app, &key, 2_000).await;
        assert_eq!(balance(&app, &key).await, (3_128, 3_000, 128));
        onboard(&app, &key).await;

        let head = app.journal_head().await;
        for bad in [json!(3_001), json!(0), json!(-5), json!(2.5), json!("ten")] {
            let (status, body) = withdraw(bad.clone()).await;
            let code = if bad == json!(3_001) {
                "insufficient_balance"
            } else {
                "validation_error"
            };
            refused(status, &body, StatusCode::BAD_REQUEST, code);
        }
        assert_eq!(app.journal_head().await, head);

        let (status, body) = withdraw(json!(2_500)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["amount"], 2_500);
        assert_eq!(body["status"], "completed");
        let withdrawal_id = body["withdrawal_id"].as_str().expect("withdrawal_id");
        assert_eq!(balance(&app, &key).await, (628, 500, 128));

        let body = history(&app, &key, "").await;
        assert_eq!(body["total"], 4, "{body}");
        let entries = body["transactions"].as_array().expect("transactions");
        assert_eq!(entries[0]["id"], withdrawal_id);
        assert_eq!(entries[0]["amount"], -2_500);
        assert_eq!(entries[0]["reason"], "withdrawal");
        assert!(entries[0].get("remaining_amount").is_none(), "{body}");
        // The newest cash-backed lot went first, all of it; the older one kept 500.
        let remaining: Vec<(i64, &str, i64)> = entries[1..]
            .iter()
            .map(|e| {
                (
                    e["amount"].as_i64().unwrap(),
                    e["reason"].as_str().unwrap(),
                    e["remaining_amount"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            remaining,
            vec![
                (2_000, "deposit", 0),
                (1_000, "deposit", 500),
                (128, "halvening_grant", 128)
            ]
        );
        assert!(entries[1]["withdrawal_eligible"].as_bool().unwrap());
        let page = history(&app, &key, "?limit=1&offset=1").await;
        assert_eq!(page["total"], 4);
        assert_eq!(page["transactions"][0]["amount"], 2_000);
        let withdrawals = history(&app, &key, "?reason=withdrawal").await;
        assert_eq!(withdrawals["total"], 1);

        // A repeated request (same Idempotency-Key) is the same withdrawal, paid once.
        let again = || {
            app.client
                .post(app.url("/humai/credits-withdraw"))
                .header("x-api-key", &key)
                .header("idempotency-key", "withdraw-once")
                .json(&json!({ "amount": 100 }))
                .send()
        };
        let (status, first) = read(again().await.expect("sent")).await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        let (status, second) = read(again().await.expect("sent")).await;
        assert_eq!(status, StatusCode::CREATED, "{second}");
        assert_eq!(first["withdrawal_id"], second["withdrawal_id"]);
        assert_eq!(second["status"], "completed");
        assert_eq!(balance(&app, &key).await, (528, 400, 128));

        // The sandbox declines this amount: the credits come back, still cash-backed.
        let declined = errand::payments::SANDBOX_DECLINED_PAYOUT_CENTS;
        buy_credits(&app, &key, declined).await;
        let (status, body) = withdraw(json!(declined)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["status"], "failed");
        assert_eq!(
            balance(&app, &key).await,
            (528 + declined, 400 + declined, 128)
        );
        let returned = history(&app, &key, "?reason=withdrawal_returned").await;
        assert_eq!(returned["transactions"][0]["amount"], declined);
        assert_eq!(returned["transactions"][0]["withdrawal_eligible"], true);
        app.verify().await;
    }
);

/// One founding slot: the first agent is a founder, the next one standard.
async fn fee_calculate_previews_the_fee_for_the_callers_tier(backend: Backend) {
    let Some(app) = app_with_slots(backend, 1).await else {
        return;
    };
    {
        let (_, founder, _) = quick_start(&app, "Founder", json!([])).await;
        let fee = |key: String, query: &'static str| {
            let app = &app;
            async move {
                let path = format!("/fee-calculate{query}");
                hm(app, Method::GET, &path, Some(&key), None).await
            }
        };
        let (status, body) = fee(founder.clone(), "?amount=100&fee_type=deposit").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body,
            json!({ "fee_amount": 0.25, "rate_percent": 0.25, "tier": "founding", "waived": false })
        );
        let (_, body) = fee(founder.clone(), "?amount=49.99&fee_type=transaction").await;
        assert_eq!(
            (body["fee_amount"].clone(), body["rate_percent"].clone()),
            (json!(5), json!(10))
        );
        let (_, body) = fee(founder.clone(), "?amount=100&fee_type=withdrawal").await;
        assert_eq!(
            (body["fee_amount"].clone(), body["waived"].clone()),
            (json!(0), json!(true))
        );

        // Without a founding slot the standard tier's rates apply.
        let (status, registered) = hm(
            &app,
            Method::POST,
            "/actors-register",
            None,
            Some(
                json!({ "type": "delegated_agent", "display_name": "Latecomer",
                         "owner_wallet": "0x742d35Cc6634C0532925a3b844Bc9e7595f2bD18",
                         "agent_address": "0x8ba1f109551bD432803012645Ac136ddd64DBA72",
                         "capability_tags": [], "framework": "custom" }),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{registered}");
        let standard = registered["api_key"].as_str().expect("api_key").to_owned();
        let (_, body) = fee(standard.clone(), "?amount=100&fee_type=withdrawal").await;
        assert_eq!(
            body,
            json!({ "fee_amount": 0.25, "rate_percent": 0.25, "tier": "standard", "waived": false })
        );
        let (_, body) = fee(standard.clone(), "?amount=10&fee_type=instant_withdrawal").await;
        assert_eq!(body["fee_amount"], 0.15);

        for query in [
            "?amount=100",
            "?fee_type=deposit",
            "?amount=100&fee_type=refund",
            "?amount=-1&fee_type=deposit",
            "?amount=0.001&fee_type=deposit",
            "?amount=ten&fee_type=deposit",
            "?amount=1&fee_type=deposit&currency=usd",
        ] {
            let (status, body) = fee(founder.clone(), query).await;
            refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        }
        let (status, body) = hm(
            &app,
            Method::GET,
            "/fee-calculate?amount=1&fee_type=deposit",
            None,
            None,
        )
        .await;
        refused(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fee_calculate_previews_the_fee_for_the_callers_tier_on_sqlite() {
    fee_calculate_previews_the_fee_for_the_callers_tier(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fee_calculate_previews_the_fee_for_the_callers_tier_on_postgres() {
    fee_calculate_previews_the_fee_for_the_callers_tier(Backend::Postgres).await;
}

both_backends!(
    payouts_request_pays_earned_dollars_out_of_the_usd_account,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (id, key, _) = quick_start(&app, "Seller", json!([])).await;
        let seller = Actor {
            id: id.clone(),
            key: key.clone(),
        };
        app.grant(&seller, 5_000).await;
        let request = |body: Value| {
            let (app, key) = (&app, key.clone());
            async move {
                hm(
                    app,
                    Method::POST,
                    "/payouts-request",
                    Some(&key),
                    Some(body),
                )
                .await
            }
        };
        // No onboarded payout account yet.
        let head = app.journal_head().await;
        let (status, body) = request(json!({ "amount_usd": 10 })).await;
        refused(status, &body, StatusCode::CONFLICT, "conflict");
        assert_eq!(app.journal_head().await, head);

        onboard(&app, &key).await;
        let head = app.journal_head().await;
        for (bad, code) in [
            (json!({ "amount_usd": 50.01 }), "insufficient_balance"),
            (json!({ "amount_usd": 0 }), "validation_error"),
            (json!({ "amount_usd": 1.005 }), "validation_error"),
            (json!({ "amount_usd": "5" }), "validation_error"),
            (json!({}), "validation_error"),
        ] {
            let (status, body) = request(bad.clone()).await;
            refused(status, &body, StatusCode::BAD_REQUEST, code);
        }
        assert_eq!(app.journal_head().await, head);

        let (status, body) = request(json!({ "amount_usd": 12.5 })).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["amount_usd"], 12.5);
        assert_eq!(body["status"], "completed");
        assert!(body["payout_id"].as_str().is_some());
        let bus = &app.running.as_ref().expect("running").state.bus;
        let usd = AccountId::usd(ActorId::parse(&id).unwrap(), Mode::Live);
        let (account, _) = bus.load::<Account>(&usd.stream_id()).await.unwrap();
        assert_eq!(
            (account.available_cents, account.paid_out_cents),
            (3_750, 1_250)
        );
        // Dollars are not credits: the RC wallet is untouched.
        assert_eq!(balance(&app, &key).await, (128, 0, 128));
        app.verify().await;
    }
);

both_backends!(
    revenue_share_status_shows_this_months_fees_and_the_founders_tenth,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (_, key, _) = quick_start(&app, "Founder", json!([])).await;
        let status_of = |query: &'static str| {
            let (app, key) = (&app, key.clone());
            async move {
                let path = format!("/revenue-share-status{query}");
                hm(app, Method::GET, &path, Some(&key), None).await
            }
        };
        let (status, before) = status_of("").await;
        assert_eq!(status, StatusCode::OK, "{before}");
        let month = Utc::now().format("%Y-%m").to_string();
        assert_eq!(before["month"], month.as_str());
        assert_eq!(before["distributed"], false);
        assert_eq!(before["total_fees_collected"], 0);

        // A $30 task approved pays the platform its 10 %: $3.
        let poster = app.funded_agent("poster", 10_000).await;
        let worker = app.actor("human", "worker").await;
        let task_id = app
            .post_task(
                &poster,
                json!({ "title": "Check the bakery", "reward_cents": 3_000, "slots": 1 }),
            )
            .await;
        let submission = app.take_and_submit(&worker, &task_id).await;
        let (status, body) = app
            .post(
                &format!("/v1/submissions/{submission}/approve"),
                &poster.key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let (_, after) = status_of("").await;
        assert_eq!(after["total_fees_collected"], 3, "{after}");
        assert_eq!(after["founders_pool_amount"], 0.3, "{after}");
        let (_, past) = status_of("?month=2001-01").await;
        assert_eq!(
            past,
            json!({ "month": "2001-01", "total_fees_collected": 0, "founders_pool_amount": 0, "distributed": false })
        );
        for query in [
            "?month=2026-13",
            "?month=march",
            "?month=2026-3",
            "?year=2026",
        ] {
            let (status, body) = status_of(query).await;
            refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        }
    }
);
