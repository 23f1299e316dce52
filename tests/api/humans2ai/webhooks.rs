//! Humans2AI's webhooks end to end: endpoints registered at
//! `/humans2ai/api/v1/webhooks`, a receiver on 127.0.0.1 checking every
//! delivery's `X-Humans2AI-Signature` exactly as the seed's verification
//! recipe does, the seed's envelope for a task's lifecycle, retries on
//! Humans2AI's terms (scaled down), bad registrations, and who may delete
//! what. Tasks go through the native API: one ledger.

use super::{h2a, refused};
use crate::both_backends;
use crate::helpers::{spawn_app_with, Actor, Backend, TestApp};
use crate::webhooks::{quick_webhooks, Received, Receiver};
use errand::config::Config;
use errand::webhooks::DeliveryTerms;
use errand_aggregates::webhook::RetryPolicy;
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::Sha256;
use std::time::Duration;

/// Humans2AI's policy (3 attempts, waits doubling) in tenths of its seconds
/// and less: 100 ms, then 200 ms.
const ATTEMPTS_MAX: u32 = 3;
const FIRST_DELAY_MS: i64 = 100;

pub(super) fn quick_humans2ai(config: &mut Config) {
    quick_webhooks(config);
    config.webhooks.humans2ai = DeliveryTerms {
        retry: RetryPolicy {
            attempts_max: ATTEMPTS_MAX,
            first_delay_ms: FIRST_DELAY_MS as u64,
            backoff_factor: 2,
            last_delay_ms: 400,
        },
        timeout: Duration::from_secs(2),
    };
}

macro_rules! with_receivers {
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

/// Registers a Humans2AI webhook for `key`; returns (id, secret).
pub(super) async fn register(app: &TestApp, key: &str, body: Value) -> (String, String) {
    let (status, created) = h2a(app, Method::POST, "/webhooks", Some(key), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["success"], true, "{created}");
    let data = &created["data"];
    (
        data["id"].as_str().expect("an id").to_owned(),
        data["secret"].as_str().expect("a secret").to_owned(),
    )
}

/// The seed's verification, step by step: the hex digest after `v1=`, the
/// HMAC-SHA256 of the raw body under the secret, compared in constant time
/// (`verify_slice`, as `crypto.timingSafeEqual`).
pub(super) fn verified(received: &Received, secret: &str) -> bool {
    let signature = received
        .headers
        .get("x-humans2ai-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some((_, digest)) = signature.split_once("v1=") else {
        return false;
    };
    let Ok(digest) = hex::decode(digest) else {
        return false;
    };
    let mut expected = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("any key");
    expected.update(received.body.as_bytes());
    expected.verify_slice(&digest).is_ok()
}

fn delivery_id(received: &Received) -> String {
    received.headers["x-humans2ai-delivery"]
        .to_str()
        .expect("text")
        .to_owned()
}

/// Waits until `receiver` has had `count` requests.
pub(super) async fn heard(receiver: &Receiver, count: usize) -> Vec<Received> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let got = receiver.received();
        if got.len() >= count {
            return got;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "heard {} of {count}: {got:#?}",
            got.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The caller's deliveries (the native listing shows every format's),
/// oldest event first, once none is pending.
pub(super) async fn settled(app: &TestApp, key: &str, count: usize) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (status, page) = app.get("/v1/webhooks/deliveries?limit=100", key).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let mut listed = page["data"].as_array().cloned().unwrap_or_default();
        if listed.len() == count && listed.iter().all(|d| d["status"] != "pending") {
            listed.sort_by_key(|d| d["event_position"].as_i64());
            return listed;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "deliveries did not settle: {listed:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn hex_of(uuid: &str) -> String {
    uuid.replace('-', "")
}

async fn approve(app: &TestApp, poster: &Actor, submission: &str) {
    let (status, body) = app
        .post(
            &format!("/v1/submissions/{submission}/approve"),
            &poster.key,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

with_receivers!(
    a_tasks_lifecycle_reaches_its_posters_receiver_in_order_in_the_seeds_envelope,
    |app: TestApp| async move {
        let receiver = Receiver::start(&[200]).await;
        let poster = app.funded_agent("PhotoBot", 10_000).await;
        let worker = app.actor("human", "worker").await;
        let (_, secret) = register(&app, &poster.key, json!({ "url": receiver.url })).await;

        // Posted, accepted, submitted, approved: paid 500 less the native 10 %.
        let title = "Photograph 3 coffee shops";
        let paid = app
            .post_task(&poster, json!({ "title": title, "reward_cents": 500 }))
            .await;
        let submission = app.take_and_submit(&worker, &paid).await;
        approve(&app, &poster, &submission).await;
        // Taken, submitted, disputed: task.disputed, and no task.completed
        // although every slot is settled (nothing was paid).
        let disputed = app
            .post_task(&poster, json!({ "title": "t", "reward_cents": 300 }))
            .await;
        let submission = app.take_and_submit(&worker, &disputed).await;
        let (status, body) = app
            .post(
                &format!("/v1/submissions/{submission}/dispute"),
                &poster.key,
                json!({ "reason": "these are not coffee shops" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // Past its deadline untaken: task.expired.
        let deadline = chrono::Utc::now() + chrono::Duration::seconds(1);
        let expired = app
            .post_task(
                &poster,
                json!({ "title": "t", "reward_cents": 100, "deadline": deadline }),
            )
            .await;

        let expected = [
            (&paid, "task.human_accepted"),
            (&paid, "task.submitted"),
            (&paid, "task.completed"),
            (&disputed, "task.human_accepted"),
            (&disputed, "task.submitted"),
            (&disputed, "task.disputed"),
            (&expired, "task.expired"),
        ];
        let listed = settled(&app, &poster.key, expected.len()).await;
        assert!(listed
            .iter()
            .all(|d| d["status"] == "delivered" && d["attempt_count"] == 1));
        let got = heard(&receiver, expected.len()).await;
        assert_eq!(got.len(), expected.len());
        // In the order the ledger made them.
        let bodies: Vec<Value> = listed
            .iter()
            .map(|delivery| {
                let received = got
                    .iter()
                    .find(|r| delivery_id(r) == delivery["id"].as_str().unwrap_or_default())
                    .expect("each delivery was received");
                assert!(verified(received, &secret), "bad signature: {received:?}");
                assert!(!verified(received, "another secret"));
                serde_json::from_str(&received.body).expect("JSON")
            })
            .collect();
        for (body, (task, event)) in bodies.iter().zip(expected) {
            assert_eq!(body["event"], event, "{body}");
            assert_eq!(body["taskId"], format!("task_{}", hex_of(task)), "{body}");
            let timestamp = body["timestamp"].as_str().expect("a timestamp");
            assert!(chrono::DateTime::parse_from_rfc3339(timestamp).is_ok());
            assert!(body["data"].is_object(), "{body}");
            let keys: Vec<&str> = body
                .as_object()
                .expect("an object")
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(keys, ["data", "event", "taskId", "timestamp"]);
        }
        let human = format!("user_{}", hex_of(&worker.id));
        let completed = &bodies[2]["data"];
        assert_eq!(
            completed,
            &json!({
                "taskTitle": title,
                "humanDisplayId": human,
                "completedAt": bodies[2]["timestamp"],
                "payout": 4.5,
                "platformFee": 0.5,
            })
        );
        assert_eq!(bodies[0]["data"]["humanDisplayId"], human);
        assert_eq!(bodies[1]["data"]["humanDisplayId"], human);
        assert_eq!(
            bodies[5]["data"]["reason"], "these are not coffee shops",
            "{}",
            bodies[5]
        );
        assert_eq!(bodies[6]["data"]["taskTitle"], "t");
        // The worker, who posted nothing, is sent nothing.
        let (_, page) = app.get("/v1/webhooks/deliveries", &worker.key).await;
        assert_eq!(page["data"], json!([]));
        app.verify().await;
    }
);

with_receivers!(
    a_failing_receiver_is_tried_3_times_waits_doubling_then_the_delivery_fails,
    |app: TestApp| async move {
        let receiver = Receiver::start(&[500]).await;
        let poster = app.funded_agent("poster", 10_000).await;
        let worker = app.actor("human", "worker").await;
        let (_, secret) = register(
            &app,
            &poster.key,
            json!({ "url": receiver.url, "events": ["task.human_accepted"] }),
        )
        .await;
        let task = app
            .post_task(&poster, json!({ "title": "t", "reward_cents": 100 }))
            .await;
        app.take_and_submit(&worker, &task).await;

        let listed = settled(&app, &poster.key, 1).await;
        let delivery = &listed[0];
        assert_eq!(delivery["status"], "failed", "{delivery}");
        assert_eq!(delivery["event_type"], "TaskAssigned");
        assert_eq!(delivery["attempt_count"], ATTEMPTS_MAX);
        let attempts = delivery["attempts"].as_array().expect("attempts");
        let outcomes: Vec<&str> = attempts
            .iter()
            .map(|a| a["outcome"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(outcomes, ["retrying", "retrying", "failed"]);
        let wait_ms = |attempt: &Value| {
            let at = |field: &str| {
                chrono::DateTime::parse_from_rfc3339(attempt[field].as_str().expect(field))
                    .expect("a time")
            };
            (at("next_attempt_at") - at("at")).num_milliseconds()
        };
        assert_eq!(wait_ms(&attempts[0]), FIRST_DELAY_MS);
        assert_eq!(wait_ms(&attempts[1]), 2 * FIRST_DELAY_MS);
        assert!(attempts[2]["next_attempt_at"].is_null());
        // Each attempt the same message, signed; nothing after the last.
        tokio::time::sleep(Duration::from_millis(600)).await;
        let got = receiver.received();
        assert_eq!(got.len(), ATTEMPTS_MAX as usize);
        assert!(got.iter().all(|r| r.body == got[0].body
            && delivery_id(r) == delivery_id(&got[0])
            && verified(r, &secret)));
    }
);

with_receivers!(
    a_receiver_answering_2xx_on_the_second_attempt_is_delivered,
    |app: TestApp| async move {
        let receiver = Receiver::start(&[503, 204]).await;
        let poster = app.funded_agent("poster", 10_000).await;
        let worker = app.actor("human", "worker").await;
        register(
            &app,
            &poster.key,
            json!({ "url": receiver.url, "events": ["task.submitted"] }),
        )
        .await;
        let task = app
            .post_task(&poster, json!({ "title": "t", "reward_cents": 100 }))
            .await;
        app.take_and_submit(&worker, &task).await;
        let listed = settled(&app, &poster.key, 1).await;
        assert_eq!(listed[0]["status"], "delivered", "{}", listed[0]);
        assert_eq!(listed[0]["attempt_count"], 2);
        assert_eq!(heard(&receiver, 2).await.len(), 2);
    }
);

both_backends!(
    bad_registrations_are_refused_in_the_envelope_and_change_nothing,
    |app: TestApp| async move {
        let poster = app.funded_agent("poster", 10_000).await;
        let (_, reader) = app
            .key_for(&poster, json!({ "scopes": ["tasks:read"] }))
            .await;
        let head = app.journal_head().await;
        let url = "https://hooks.example.com/in";
        for body in [
            // The SSRF guard: loopback, private, link-local (cloud metadata).
            json!({ "url": "http://127.0.0.1:9/hook" }),
            json!({ "url": "http://10.0.0.7/hook" }),
            json!({ "url": "http://169.254.169.254/latest/meta-data/" }),
            json!({ "url": "http://localhost:8080/hook" }),
            json!({ "url": "ftp://hooks.example.com/in" }),
            json!({ "url": "https://user:pass@hooks.example.com/in" }),
            json!({ "url": "" }),
            json!({ "url": url, "events": ["task.exploded"] }),
            json!({ "url": url, "events": ["TaskCompleted"] }),
            json!({ "url": url, "events": [] }),
            json!({ "url": url, "events": "task.completed" }),
            json!({ "url": url, "events": [7] }),
            json!({ "url": url, "secret": "mine" }),
            json!({ "events": ["task.completed"] }),
            json!({ "url": 7 }),
        ] {
            let (status, refusal) = h2a(
                &app,
                Method::POST,
                "/webhooks",
                Some(&poster.key),
                Some(body.clone()),
            )
            .await;
            refused(
                status,
                &refusal,
                StatusCode::BAD_REQUEST,
                "VALIDATION_ERROR",
            );
        }
        let (status, refusal) = h2a(
            &app,
            Method::POST,
            "/webhooks",
            None,
            Some(json!({ "url": url })),
        )
        .await;
        refused(status, &refusal, StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
        let (status, refusal) = h2a(
            &app,
            Method::POST,
            "/webhooks",
            Some(&reader),
            Some(json!({ "url": url })),
        )
        .await;
        refused(status, &refusal, StatusCode::FORBIDDEN, "FORBIDDEN");
        assert_eq!(app.journal_head().await, head, "a refusal appends nothing");

        // At most 10 endpoints: the 11th is refused until one is deleted.
        let mut ids = Vec::new();
        for n in 0..10 {
            let (id, _) = register(&app, &poster.key, json!({ "url": format!("{url}/{n}") })).await;
            ids.push(id);
        }
        let head = app.journal_head().await;
        let (status, refusal) = h2a(
            &app,
            Method::POST,
            "/webhooks",
            Some(&poster.key),
            Some(json!({ "url": url })),
        )
        .await;
        refused(status, &refusal, StatusCode::BAD_REQUEST, "LIMIT_EXCEEDED");
        assert_eq!(app.journal_head().await, head);
        let (status, _) = h2a(
            &app,
            Method::DELETE,
            &format!("/webhooks/{}", ids[0]),
            Some(&poster.key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        register(&app, &poster.key, json!({ "url": url })).await;
    }
);

both_backends!(
    an_endpoint_is_its_owners_to_list_and_delete,
    |app: TestApp| async move {
        let poster = app.funded_agent("poster", 10_000).await;
        let intruder = app.funded_agent("intruder", 10_000).await;
        let events = json!(["task.completed", "task.human_accepted"]);
        let (id, secret) = register(
            &app,
            &poster.key,
            json!({ "url": "https://hooks.example.com/in", "events": events }),
        )
        .await;
        assert!(id.starts_with("whk_"), "{id}");
        assert_eq!(secret.len(), 64);

        let (status, listed) = h2a(&app, Method::GET, "/webhooks", Some(&poster.key), None).await;
        assert_eq!(status, StatusCode::OK, "{listed}");
        let webhooks = listed["data"]["webhooks"].as_array().expect("webhooks");
        assert_eq!(webhooks.len(), 1);
        assert_eq!(webhooks[0]["id"], id.as_str());
        assert_eq!(webhooks[0]["url"], "https://hooks.example.com/in");
        assert_eq!(
            webhooks[0]["events"],
            json!(["task.completed", "task.human_accepted"])
        );
        assert!(
            webhooks[0].get("secret").is_none(),
            "shown only at registration"
        );
        // Not a native endpoint: the native listing does not show it.
        let (_, native) = app.get("/v1/webhooks", &poster.key).await;
        assert_eq!(native["data"], json!([]));
        let uuid = uuid::Uuid::parse_str(id.trim_start_matches("whk_")).expect("hex");
        let (status, _) = app
            .get(&format!("/v1/webhooks/{uuid}/secret"), &poster.key)
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "its secret is Humans2AI's, not whsec_"
        );

        let (_, theirs) = h2a(&app, Method::GET, "/webhooks", Some(&intruder.key), None).await;
        assert_eq!(theirs["data"]["webhooks"], json!([]));
        let path = format!("/webhooks/{id}");
        let head = app.journal_head().await;
        let (status, refusal) = h2a(&app, Method::DELETE, &path, Some(&intruder.key), None).await;
        refused(status, &refusal, StatusCode::NOT_FOUND, "NOT_FOUND");
        for unknown in [
            "/webhooks/whk_nope",
            "/webhooks/whk_00000000000000000000000000000007",
        ] {
            let (status, refusal) =
                h2a(&app, Method::DELETE, unknown, Some(&poster.key), None).await;
            refused(status, &refusal, StatusCode::NOT_FOUND, "NOT_FOUND");
        }
        assert_eq!(app.journal_head().await, head);

        let (status, deleted) = h2a(&app, Method::DELETE, &path, Some(&poster.key), None).await;
        assert_eq!(status, StatusCode::OK, "{deleted}");
        assert_eq!(deleted["data"], json!({ "id": id, "deleted": true }));
        let (status, refusal) = h2a(&app, Method::DELETE, &path, Some(&poster.key), None).await;
        refused(status, &refusal, StatusCode::NOT_FOUND, "NOT_FOUND");
        let (_, listed) = h2a(&app, Method::GET, "/webhooks", Some(&poster.key), None).await;
        assert_eq!(listed["data"]["webhooks"], json!([]));
    }
);

/// A receiver that answers 200, the first request only after `delay`.
async fn slow_receiver(
    delay: Duration,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let calls = Arc::clone(&counted);
            async move {
                if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                    tokio::time::sleep(delay).await;
                }
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let address = listener.local_addr().expect("an address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{address}/hook"), calls)
}

/// Humans2AI's 30 s to answer, scaled to 300 ms: a slower answer is a failed attempt.
fn impatient_humans2ai(config: &mut Config) {
    quick_humans2ai(config);
    config.webhooks.humans2ai.timeout = Duration::from_millis(300);
}

mod an_answer_later_than_the_timeout_is_a_failed_attempt {
    use super::*;

    async fn check(app: TestApp) {
        let (url, calls) = slow_receiver(Duration::from_secs(1)).await;
        let poster = app.funded_agent("poster", 10_000).await;
        let worker = app.actor("human", "worker").await;
        register(
            &app,
            &poster.key,
            json!({ "url": url, "events": ["task.human_accepted"] }),
        )
        .await;
        let task = app
            .post_task(&poster, json!({ "title": "t", "reward_cents": 100 }))
            .await;
        app.take_and_submit(&worker, &task).await;
        let listed = settled(&app, &poster.key, 1).await;
        let attempts = listed[0]["attempts"].as_array().expect("attempts");
        assert_eq!(listed[0]["status"], "delivered", "{}", listed[0]);
        assert_eq!(attempts[0]["outcome"], "retrying");
        assert!(attempts[0]["status_code"].is_null(), "{}", attempts[0]);
        assert!(
            attempts[0]["duration_ms"].as_i64().unwrap_or_default() < 1_000,
            "gave up at the timeout: {}",
            attempts[0]
        );
        assert_eq!(attempts[1]["outcome"], "delivered");
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_sqlite() {
        if let Some(app) = spawn_app_with(Backend::Sqlite, impatient_humans2ai).await {
            check(app).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_postgres() {
        if let Some(app) = spawn_app_with(Backend::Postgres, impatient_humans2ai).await {
            check(app).await;
        }
    }
}

with_receivers!(
    the_seeds_own_flow_sends_acceptance_submission_and_completion_with_its_pay,
    |app: TestApp| async move {
        use crate::humans2ai::{create_key, fund, post_task, register as sign_up, task_body};
        let receiver = Receiver::start(&[200]).await;
        let agent = sign_up(&app, "agent", "PhotoBot").await;
        let key = create_key(&app, &agent.token, json!({})).await;
        fund(&app, &agent.token, 20_000).await;
        let (_, secret) = register(
            &app,
            &key,
            json!({ "url": receiver.url, "events": ["task.human_accepted", "task.submitted", "task.completed"] }),
        )
        .await;
        let title = "Photograph 3 coffee shops";
        let task = post_task(&app, &key, task_body(title, json!(150))).await;
        let bob = sign_up(&app, "human", "Bob").await;
        let (status, applied) = h2a(
            &app,
            Method::POST,
            &format!("/tasks/{task}/apply"),
            Some(&bob.token),
            Some(json!({ "message": "I live two blocks away." })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{applied}");
        let application = applied["data"]["application"]["id"].clone();
        for (path, body, token) in [
            ("select", json!({ "applicationId": application }), &key),
            (
                "submit",
                json!({ "proof": "Three shops photographed." }),
                &bob.token,
            ),
            ("approve", json!({}), &key),
        ] {
            let (status, answer) = h2a(
                &app,
                Method::POST,
                &format!("/tasks/{task}/{path}"),
                Some(token),
                Some(body),
            )
            .await;
            assert!(status.is_success(), "{path}: {answer}");
        }

        // The native listing, with the agent's ID token (its key's scopes are Humans2AI's).
        let listed = settled(&app, &agent.token, 3).await;
        let got = heard(&receiver, 3).await;
        let bodies: Vec<Value> = listed
            .iter()
            .map(|delivery| {
                let received = got
                    .iter()
                    .find(|r| delivery_id(r) == delivery["id"].as_str().unwrap_or_default())
                    .expect("each delivery was received");
                assert!(verified(received, &secret), "bad signature: {received:?}");
                serde_json::from_str(&received.body).expect("JSON")
            })
            .collect();
        let events: Vec<&str> = bodies.iter().filter_map(|b| b["event"].as_str()).collect();
        assert_eq!(
            events,
            ["task.human_accepted", "task.submitted", "task.completed"]
        );
        assert!(bodies.iter().all(|b| b["taskId"] == task.as_str()));
        assert!(bodies
            .iter()
            .all(|b| b["data"]["humanDisplayId"] == bob.id.as_str()
                && b["data"]["taskTitle"] == title));
        // 0.01 % of $150, half-up to the cent: $0.02 to the platform.
        let completed = &bodies[2]["data"];
        assert_eq!(completed["payout"].to_string(), "149.98", "{completed}");
        assert_eq!(completed["platformFee"].to_string(), "0.02", "{completed}");
        assert_eq!(completed["completedAt"], bodies[2]["timestamp"]);
    }
);
