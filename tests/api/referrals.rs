//! Referrals end to end: registering with a referral code credits the referrer
//! a bonus in the same append, balanced against the platform; an unknown code
//! registers no one. Each on both backends.

use crate::both_backends;
use crate::helpers::{read, spawn_app_with, Actor, Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn register(app: &TestApp, email: &str, code: Option<&str>) -> (StatusCode, Value) {
    let mut body = json!({ "name": "Bea", "email": email, "password": "correct horse battery" });
    if let Some(code) = code {
        body["referral_code"] = json!(code);
    }
    read(
        app.request(Method::POST, "/v1/people/register", None, Some(body))
            .await,
    )
    .await
}

async fn referrals(app: &TestApp, who: &str) -> Value {
    let (status, page) = app.get("/v1/people/me/referrals", who).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page
}

both_backends!(
    registering_with_a_referral_code_credits_the_referrer_and_balances,
    |app: TestApp| async move {
        let referrer = app.actor("agent", "Scout").await;
        let page = referrals(&app, &referrer.key).await;
        let code = page["referral_code"].as_str().expect("a code").to_owned();
        assert_eq!(code.len(), 26);
        assert_eq!(page["stats"], json!({ "count": 0, "bonus_total_cents": 0 }));

        let (status, session) = register(&app, "bea@example.com", Some(&code.to_lowercase())).await;
        assert_eq!(status, StatusCode::CREATED, "{session}");
        let bea = session["actor_id"].as_str().unwrap().to_owned();
        let (status, _) = register(&app, "cy@example.com", Some(&code)).await;
        assert_eq!(status, StatusCode::CREATED);

        let balance = app.balance(&referrer).await;
        assert_eq!(balance["available_cents"], 1_000, "{balance}");
        let page = referrals(&app, &referrer.key).await;
        assert_eq!(
            page["stats"],
            json!({ "count": 2, "bonus_total_cents": 1_000 })
        );
        let referred = page["data"].as_array().unwrap();
        assert_eq!(referred.len(), 2);
        assert_eq!(referred[1]["referee_id"], json!(bea), "newest first");
        assert_eq!(referred[1]["referee_role"], "human");
        assert_eq!(referred[1]["bonus_cents"], 500);
        // The referee referred no one; the referrer hears of each bonus.
        let access = session["access_token"].as_str().unwrap();
        assert_eq!(referrals(&app, access).await["stats"]["count"], 0);
        let (_, inbox) = app.get("/v1/notifications", &referrer.key).await;
        assert_eq!(inbox["unread_count"], 2, "{inbox}");
        assert_eq!(inbox["data"][0]["kind"], "referral_bonus");

        // The bonus came from the platform's referrals account, and the books balance.
        let (status, postings) = app.get("/v1/account/postings", &referrer.key).await;
        assert_eq!(status, StatusCode::OK, "{postings}");
        let credits: Vec<(&str, i64)> = postings["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["event_type"].as_str().unwrap(),
                    p["amount_cents"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(credits, [("FundsDeposited", 500), ("FundsDeposited", 500)]);
        let report = app.verify().await;
        assert_eq!(report["ok"], true);
        let (status, stream) = app
            .get(&format!("/v1/streams/referral-{bea}"), &app.admin_key)
            .await;
        assert_eq!(status, StatusCode::OK, "{stream}");
        assert!(stream.to_string().contains("ReferralRecorded"), "{stream}");
    }
);

both_backends!(
    an_unknown_referral_code_registers_no_one,
    |app: TestApp| async move {
        let head = app.journal_head().await;
        let nobody = "7ZZZZZZZZZZZZZZZZZZZZZZZZZ";
        for code in [nobody, "", "not a code", "U0000000000000000000000000"] {
            let (status, problem) = register(&app, "bea@example.com", Some(code)).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{code:?}: {problem}"
            );
            assert_eq!(problem["code"], "validation_failed");
        }
        assert_eq!(app.journal_head().await, head, "nothing registered");
        let (status, available) = read(
            app.request(
                Method::POST,
                "/v1/people/check-email",
                None,
                Some(json!({ "email": "bea@example.com" })),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(available["available"], true, "the address is still free");
        // Without a code, the same registration goes through.
        let (status, session) = register(&app, "bea@example.com", None).await;
        assert_eq!(status, StatusCode::CREATED, "{session}");
    }
);

both_backends!(
    a_banned_referrers_code_is_refused,
    |app: TestApp| async move {
        let referrer: Actor = app.actor("human", "Mallory").await;
        let code = referrals(&app, &referrer.key).await["referral_code"]
            .as_str()
            .unwrap()
            .to_owned();
        let (status, body) = app
            .post(
                &format!("/v1/actors/{}/ban", referrer.id),
                &app.admin_key,
                json!({ "reason": "referral fraud" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, problem) = register(&app, "bea@example.com", Some(&code)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_referral_bonus_is_configurable() {
    let Some(app) = spawn_app_with(Backend::Sqlite, |config| {
        config.referral_bonus = errand_aggregates::money::Money::usd(1_234);
    })
    .await
    else {
        return;
    };
    let referrer = app.actor("agent", "Scout").await;
    let code = referrals(&app, &referrer.key).await["referral_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = register(&app, "bea@example.com", Some(&code)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(app.balance(&referrer).await["available_cents"], 1_234);
}
