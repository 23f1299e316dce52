//! A task's conversation through Humans2AI: applicants and the chosen human
//! talk with the poster, strangers neither read nor post, the poster's
//! endpoint hears `message.received` signed as the seed verifies, each side
//! is notified and marks notifications read, and a referral code brings a
//! bonus into the referrer's wallet.

use super::webhooks::{heard, quick_humans2ai, register as register_webhook, settled, verified};
use super::{create_key, fund, h2a, post_task, refused, register, task_body, wallet};
use crate::helpers::{spawn_app_with, Backend, TestApp};
use crate::webhooks::Receiver;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

macro_rules! on_both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                if let Some(app) = spawn_app_with(Backend::Sqlite, quick_humans2ai).await {
                    ($body)(app).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                if let Some(app) = spawn_app_with(Backend::Postgres, quick_humans2ai).await {
                    ($body)(app).await;
                }
            }
        }
    };
}

async fn send(app: &TestApp, task: &str, token: &str, text: &str) -> (StatusCode, Value) {
    h2a(
        app,
        Method::POST,
        &format!("/tasks/{task}/messages"),
        Some(token),
        Some(json!({ "text": text })),
    )
    .await
}

async fn thread(app: &TestApp, task: &str, token: &str) -> (StatusCode, Value) {
    h2a(
        app,
        Method::GET,
        &format!("/tasks/{task}/messages"),
        Some(token),
        None,
    )
    .await
}

async fn notifications(app: &TestApp, token: &str) -> Value {
    let (status, body) = h2a(app, Method::GET, "/notifications", Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"].clone()
}

on_both_backends!(
    the_poster_and_applicants_talk_strangers_cannot_and_the_poster_hears_each_message,
    |app: TestApp| async move {
        let receiver = Receiver::start(&[200]).await;
        let agent = register(&app, "agent", "PhotoBot").await;
        let key = create_key(&app, &agent.token, json!({})).await;
        fund(&app, &agent.token, 20_000).await;
        let (_, secret) = register_webhook(
            &app,
            &key,
            json!({ "url": receiver.url, "events": ["message.received"] }),
        )
        .await;
        let task = post_task(&app, &key, task_body("Photograph a bakery", json!(40))).await;
        let (bob, eve) = (
            register(&app, "human", "Bob").await,
            register(&app, "human", "Eve").await,
        );
        let (status, applied) = h2a(
            &app,
            Method::POST,
            &format!("/tasks/{task}/apply"),
            Some(&bob.token),
            Some(json!({ "message": "I can go at noon." })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{applied}");

        let (status, sent) = send(&app, &task, &bob.token, "Is the back entrance OK?").await;
        assert_eq!(status, StatusCode::CREATED, "{sent}");
        assert_eq!(sent["data"]["senderId"], bob.id.as_str());
        assert_eq!(sent["data"]["taskId"], task.as_str());
        let (status, sent) = send(&app, &task, &key, "Yes, either entrance.").await;
        assert_eq!(status, StatusCode::CREATED, "{sent}");

        let (status, read) = thread(&app, &task, &bob.token).await;
        assert_eq!(status, StatusCode::OK, "{read}");
        let texts: Vec<&str> = read["data"]["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .filter_map(|m| m["text"].as_str())
            .collect();
        assert_eq!(texts, ["Is the back entrance OK?", "Yes, either entrance."]);

        // The poster's endpoint hears Bob's message, not its own.
        let got = heard(&receiver, 1).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let got_all = receiver.received();
        assert_eq!(got_all.len(), 1, "only Bob's message: {got_all:#?}");
        assert!(verified(&got[0], &secret), "bad signature: {:?}", got[0]);
        let body: Value = serde_json::from_str(&got[0].body).expect("JSON");
        assert_eq!(body["event"], "message.received");
        assert_eq!(body["taskId"], task.as_str());
        assert_eq!(body["data"]["message"], "Is the back entrance OK?");
        // Its attempt is recorded in the journal: let that land before counting appends.
        settled(&app, &agent.token, 1).await;

        // Eve never applied: she sees the open task but not its conversation.
        let head = app.journal_head().await;
        let (status, body) = thread(&app, &task, &eve.token).await;
        refused(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");
        let (status, body) = send(&app, &task, &eve.token, "Let me in").await;
        refused(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");
        let (status, body) = send(&app, &task, &bob.token, &"x".repeat(2_001)).await;
        refused(status, &body, StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        let (status, body) = send(&app, &task, &bob.token, "   ").await;
        refused(status, &body, StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        assert_eq!(app.journal_head().await, head, "refusals append nothing");
        // A key without messages:write may read but not post.
        let reader = create_key(&app, &agent.token, json!({ "scopes": ["messages:read"] })).await;
        let (status, _) = thread(&app, &task, &reader).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = send(&app, &task, &reader, "Hello").await;
        refused(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");

        // Notifications: the poster heard of the application and the message;
        // Bob of the poster's answer. Each marks them read.
        let poster_inbox = notifications(&app, &agent.token).await;
        let kinds: Vec<&str> = poster_inbox["notifications"]
            .as_array()
            .expect("notifications")
            .iter()
            .filter_map(|n| n["type"].as_str())
            .collect();
        assert!(kinds.contains(&"application_received"), "{poster_inbox}");
        assert!(kinds.contains(&"message_received"), "{poster_inbox}");
        assert_eq!(poster_inbox["unreadCount"], json!(kinds.len()));
        let first = poster_inbox["notifications"][0]["id"].clone();
        let (status, marked) = h2a(
            &app,
            Method::PATCH,
            "/notifications",
            Some(&agent.token),
            Some(json!({ "ids": [first] })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{marked}");
        let after = notifications(&app, &agent.token).await;
        assert_eq!(after["unreadCount"], json!(kinds.len() - 1), "{after}");

        let bobs = notifications(&app, &bob.token).await;
        assert!(bobs["notifications"]
            .as_array()
            .expect("notifications")
            .iter()
            .any(|n| n["type"] == "message_received"));
        let (status, marked) = h2a(
            &app,
            Method::PATCH,
            "/notifications",
            Some(&bob.token),
            Some(json!({ "all": true })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{marked}");
        assert_eq!(notifications(&app, &bob.token).await["unreadCount"], 0);
        let (status, body) = h2a(
            &app,
            Method::PATCH,
            "/notifications",
            Some(&bob.token),
            Some(json!({})),
        )
        .await;
        refused(status, &body, StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
    }
);

on_both_backends!(
    registering_with_a_referral_code_credits_the_referrer,
    |app: TestApp| async move {
        let agent = register(&app, "agent", "Referrer").await;
        let key = create_key(&app, &agent.token, json!({})).await;
        let (status, mine) = h2a(&app, Method::GET, "/my/referrals", Some(&key), None).await;
        assert_eq!(status, StatusCode::OK, "{mine}");
        let code = mine["data"]["referralCode"]
            .as_str()
            .expect("a code")
            .to_owned();
        assert_eq!(mine["data"]["stats"]["totalReferrals"], 0);

        let (status, body) = h2a(
            &app,
            Method::POST,
            "/public/auth/register",
            None,
            Some(
                json!({ "email": "friend@h2a.example.com", "password": "correct horse battery",
                          "role": "human", "referralCode": code }),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let head = app.journal_head().await;
        let (status, body) = h2a(
            &app,
            Method::POST,
            "/public/auth/register",
            None,
            Some(
                json!({ "email": "nobody@h2a.example.com", "password": "correct horse battery",
                          "referralCode": "NOTACODE" }),
            ),
        )
        .await;
        assert!(status.is_client_error(), "{status} {body}");
        assert_eq!(body["success"], false, "{body}");
        assert_eq!(app.journal_head().await, head, "nothing registered");

        let (status, mine) = h2a(&app, Method::GET, "/my/referrals", Some(&key), None).await;
        assert_eq!(status, StatusCode::OK, "{mine}");
        assert_eq!(mine["data"]["stats"]["totalReferrals"], 1, "{mine}");
        assert_eq!(
            mine["data"]["stats"]["totalBonus"].to_string(),
            "5",
            "{mine}"
        );
        assert_eq!(mine["data"]["referrals"][0]["role"], "human");
        assert_eq!(wallet(&app, &key).await["balance"].to_string(), "5");
    }
);
