//! Humai's webhooks end to end: endpoints registered with Humai's event
//! names, a sample delivery through the shared dispatcher to a receiver on
//! 127.0.0.1 whose `X-Humai-Signature` is verified here independently,
//! updates and deletion, and refusals that change nothing.

use super::*;
use crate::helpers::spawn_app_with;
use crate::webhooks::{quick_webhooks, Received, Receiver};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;

macro_rules! with_receivers {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            fn configure(config: &mut errand::config::Config) {
                quick_webhooks(config);
                config.rate_limits = roomy_limits();
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                if let Some(app) = spawn_app_with(Backend::Sqlite, configure).await {
                    ($body)(app).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                if let Some(app) = spawn_app_with(Backend::Postgres, configure).await {
                    ($body)(app).await;
                }
            }
        }
    };
}

/// `sha256=<hex>` of the raw body under the secret's text, compared in constant time.
fn verified(received: &Received, secret: &str) -> bool {
    let signature = received
        .headers
        .get("x-humai-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(digest) = signature.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(digest) = hex::decode(digest) else {
        return false;
    };
    let mut expected = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("any key");
    expected.update(received.body.as_bytes());
    expected.verify_slice(&digest).is_ok()
}

async fn heard(receiver: &Receiver, count: usize) -> Vec<Received> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let got = receiver.received();
        if got.len() >= count {
            return got;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "heard {} of {count}",
            got.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn call(app: &TestApp, path: &str, key: &str, body: Value) -> (StatusCode, Value) {
    hm(app, Method::POST, path, Some(key), Some(body)).await
}

with_receivers!(
    a_registered_endpoint_is_sent_a_signed_sample_and_can_be_changed_and_deleted,
    |app: TestApp| async move {
        let receiver = Receiver::start(&[200]).await;
        let (_, key, _) = quick_start(&app, "HookBot", json!([])).await;
        let (status, created) = call(
            &app,
            "/webhooks-register",
            &key,
            json!({
                "url": receiver.url,
                "events": ["transaction.created", "bid.received", "transaction.created"],
                "secret": "whsec_my_signing_secret"
            }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(
            created["events"],
            json!(["bid.received", "transaction.created"])
        );
        assert!(created["created_at"].is_string(), "{created}");
        let webhook = created["webhook_id"]
            .as_str()
            .expect("webhook_id")
            .to_owned();
        // The client sent its own secret: it has it, so the reply does not repeat it.
        assert!(created.get("secret").is_none(), "{created}");

        let (status, queued) = call(
            &app,
            "/webhooks-test",
            &key,
            json!({ "webhook_id": webhook, "event_type": "transaction.created" }),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
        let got = heard(&receiver, 1).await;
        assert!(verified(&got[0], "whsec_my_signing_secret"), "{:?}", got[0]);
        // The journal, which auditors read, holds the secret sealed only.
        let (status, stream) = app
            .get(&format!("/v1/streams/webhook-{webhook}"), &app.admin_key)
            .await;
        assert_eq!(status, StatusCode::OK, "{stream}");
        assert!(
            stream.to_string().contains("WebhookSigningSecretSet"),
            "{stream}"
        );
        assert!(
            !stream.to_string().contains("my_signing_secret"),
            "{stream}"
        );
        let body: Value = serde_json::from_str(&got[0].body).expect("JSON");
        assert_eq!(body["event"], "transaction.created");
        assert_eq!(body["test"], true);
        assert_eq!(body["webhook_id"], webhook.as_str());
        assert_eq!(got[0].headers["x-humai-event"], "transaction.created");

        let (status, updated) = call(
            &app,
            "/webhooks-manage",
            &key,
            json!({ "webhook_id": webhook, "action": "update", "events": ["bid.accepted"] }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{updated}");
        assert_eq!(updated["events"], json!(["bid.accepted"]));
        assert_eq!(updated["url"], receiver.url.as_str());

        // A new secret signs every delivery from then on.
        let (status, rotated) = call(
            &app,
            "/webhooks-manage",
            &key,
            json!({ "webhook_id": webhook, "action": "update", "secret": "rotated-2026" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{rotated}");
        assert_eq!(rotated["events"], json!(["bid.accepted"]));
        let (status, queued) = call(
            &app,
            "/webhooks-test",
            &key,
            json!({ "webhook_id": webhook, "event_type": "bid.accepted" }),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
        let got = heard(&receiver, 2).await;
        assert!(verified(&got[1], "rotated-2026"), "{:?}", got[1]);
        assert!(!verified(&got[1], "whsec_my_signing_secret"));

        let (status, deleted) = call(
            &app,
            "/webhooks-manage",
            &key,
            json!({ "webhook_id": webhook, "action": "delete" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{deleted}");
        assert_eq!(deleted["deleted"], true);
        let (status, body) = call(
            &app,
            "/webhooks-test",
            &key,
            json!({ "webhook_id": webhook, "event_type": "bid.accepted" }),
        )
        .await;
        refused(status, &body, StatusCode::NOT_FOUND, "not_found");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(receiver.received().len(), 2);
        app.verify().await;
    }
);

with_receivers!(
    bad_registrations_and_others_endpoints_are_refused_and_change_nothing,
    |app: TestApp| async move {
        let receiver = Receiver::start(&[200]).await;
        let (_, key, _) = quick_start(&app, "Owner", json!([])).await;
        let (_, other, _) = quick_start(&app, "Other", json!([])).await;
        let (status, created) = call(
            &app,
            "/webhooks-register",
            &key,
            json!({ "url": receiver.url, "events": ["bid.received"] }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let webhook = created["webhook_id"]
            .as_str()
            .expect("webhook_id")
            .to_owned();
        let head = app.journal_head().await;

        for bad in [
            json!({ "url": receiver.url, "events": [] }),
            json!({ "url": receiver.url, "events": ["task.completed"] }),
            json!({ "url": receiver.url, "events": ["TaskPosted"] }),
            json!({ "url": "ftp://example.com/hook", "events": ["bid.received"] }),
            json!({ "url": receiver.url }),
            json!({ "url": receiver.url, "events": ["bid.received"], "secret": "" }),
        ] {
            let (status, body) = call(&app, "/webhooks-register", &key, bad.clone()).await;
            refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        }
        for bad in [
            json!({ "webhook_id": webhook, "action": "pause" }),
            json!({ "webhook_id": webhook, "action": "update" }),
            json!({ "webhook_id": webhook, "action": "update", "events": ["nope"] }),
            json!({ "webhook_id": webhook, "action": "update", "secret": " " }),
            json!({ "webhook_id": webhook, "action": "delete", "secret": "s3cret" }),
            json!({ "webhook_id": "nope", "action": "delete" }),
        ] {
            let (status, body) = call(&app, "/webhooks-manage", &key, bad.clone()).await;
            refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        }
        let (status, body) = call(
            &app,
            "/webhooks-test",
            &key,
            json!({ "webhook_id": webhook, "event_type": "task.completed" }),
        )
        .await;
        refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        for (path, body) in [
            (
                "/webhooks-manage",
                json!({ "webhook_id": webhook, "action": "delete" }),
            ),
            ("/webhooks-test", json!({ "webhook_id": webhook })),
        ] {
            let (status, reply) = call(&app, path, &other, body).await;
            refused(status, &reply, StatusCode::NOT_FOUND, "not_found");
        }
        let (status, body) = hm(
            &app,
            Method::POST,
            "/webhooks-register",
            None,
            Some(json!({ "url": receiver.url, "events": ["bid.received"] })),
        )
        .await;
        refused(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
        assert_eq!(app.journal_head().await, head);
        assert!(receiver.received().is_empty());
    }
);

with_receivers!(
    a_review_is_a_signed_reputation_update_to_the_reviewed_actor_alone,
    |app: TestApp| async move {
        use super::market::{fund, human, sell_listing};
        let receiver = Receiver::start(&[200]).await;
        let (seller, seller_key, _) = quick_start(&app, "DataBot", json!([])).await;
        let (buyer, buyer_key) = human(&app, "Alice").await;
        let (status, created) = call(
            &app,
            "/webhooks-register",
            &seller_key,
            json!({ "url": receiver.url, "events": ["reputation.updated"] }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let secret = created["secret"].as_str().expect("secret").to_owned();
        fund(&app, &buyer, 5_000).await;
        let listing = sell_listing(&app, &seller, 5_000).await;
        let (_, opened) = call(
            &app,
            "/transactions-create",
            &buyer_key,
            json!({ "listing_id": listing }),
        )
        .await;
        let transaction = json!({ "transaction_id": opened["transaction_id"] });
        call(
            &app,
            "/transactions-assign",
            &seller_key,
            transaction.clone(),
        )
        .await;
        let delivery =
            json!({ "transaction_id": opened["transaction_id"], "output_data": { "rows": 1 } });
        call(&app, "/transactions-deliver", &seller_key, delivery).await;
        call(&app, "/transactions-accept", &buyer_key, transaction).await;
        let review = json!({ "transaction_id": opened["transaction_id"], "rating": 5, "content": "Fast and exact" });
        let (status, left) = call(&app, "/reviews-create", &buyer_key, review).await;
        assert_eq!(status, StatusCode::CREATED, "{left}");

        let got = heard(&receiver, 1).await;
        assert!(verified(&got[0], &secret), "{:?}", got[0]);
        let body: Value = serde_json::from_str(&got[0].body).expect("JSON");
        assert_eq!(body["event"], "reputation.updated", "{body}");
        assert_eq!(body["data"]["actor_id"], seller.as_str(), "{body}");
        assert_eq!(body["data"]["details"]["rating"], 5, "{body}");
        // Only the reputation update: none of the transaction's events were asked for.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(receiver.received().len(), 1);
        app.verify().await;
    }
);
