//! Webhooks end to end: a receiver on 127.0.0.1 (so these servers allow
//! private destinations), deliveries signed the Standard Webhooks way and
//! verified here independently, retries, giving up, and who may see what.
//! The receiver and the quick settings serve HumanPing's tests too.

use crate::both_backends;
use crate::helpers::{read, spawn_app_with, Backend, TestApp};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use errand::config::Config;
use errand_aggregates::webhook::RetryPolicy;
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Attempts per delivery in these tests, and waits short enough to watch.
const ATTEMPTS_MAX: u32 = 3;

pub(crate) fn quick_webhooks(config: &mut Config) {
    config.webhooks.allow_private_destinations = true;
    config.webhooks.retry = RetryPolicy {
        attempts_max: ATTEMPTS_MAX,
        first_delay_ms: 100,
        backoff_factor: 4,
        last_delay_ms: 400,
    };
    config.webhooks.timeout = Duration::from_secs(2);
    config.webhooks.dispatch_interval = Duration::from_millis(50);
}

/// `quick_webhooks` servers on both backends.
macro_rules! with_receivers {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                if let Some(app) = spawn_app_with(Backend::Sqlite, quick_webhooks).await {
                    ($body)(app).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                if let Some(app) = spawn_app_with(Backend::Postgres, quick_webhooks).await {
                    ($body)(app).await;
                }
            }
        }
    };
}

/// One request the receiver got.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

/// A receiver answering with `statuses` in turn, then the last one forever.
#[derive(Clone)]
pub(crate) struct Receiver {
    pub(crate) url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

struct Script {
    statuses: Vec<u16>,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub(crate) async fn start(statuses: &[u16]) -> Receiver {
        let got = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Script {
            statuses: statuses.to_vec(),
            got: Arc::clone(&got),
        });
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(script);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let address = listener.local_addr().expect("an address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver {
            url: format!("http://{address}/hook"),
            got,
        }
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.got.lock().expect("not poisoned").clone()
    }
}

async fn receive(
    State(script): State<Arc<Script>>,
    headers: HeaderMap,
    body: String,
) -> AxumStatus {
    let mut got = script.got.lock().expect("not poisoned");
    got.push(Received { headers, body });
    let status = script
        .statuses
        .get(got.len() - 1)
        .or(script.statuses.last())
        .copied()
        .unwrap_or(200);
    AxumStatus::from_u16(status).unwrap_or(AxumStatus::OK)
}

/// Checks a delivery's Standard Webhooks signature from first principles:
/// HMAC-SHA256 of `{id}.{timestamp}.{body}` under the base64 key after
/// `whsec_`, base64, after `v1,`.
fn signed_by(received: &Received, secret: &str) -> bool {
    let header = |name: &str| {
        received
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("a whsec_ secret"))
        .expect("base64");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("any key");
    mac.update(
        format!(
            "{}.{}.{}",
            header("webhook-id"),
            header("webhook-timestamp"),
            received.body
        )
        .as_bytes(),
    );
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    let timestamp: i64 = header("webhook-timestamp").parse().unwrap_or(0);
    let fresh = (chrono::Utc::now().timestamp() - timestamp).abs() < 300;
    fresh
        && header("webhook-signature")
            .split(' ')
            .any(|s| s == expected)
}

/// Registers a webhook for `key`; returns (id, secret).
async fn register(app: &TestApp, key: &str, url: &str, event_types: Value) -> (String, String) {
    let (status, body) = app
        .post(
            "/v1/webhooks",
            key,
            json!({ "url": url, "event_types": event_types }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["id"].as_str().expect("an id").to_owned(),
        body["secret"].as_str().expect("a secret").to_owned(),
    )
}

async fn deliveries(app: &TestApp, key: &str) -> Vec<Value> {
    let (status, page) = app.get("/v1/webhooks/deliveries?limit=100", key).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["data"].as_array().cloned().unwrap_or_default()
}

/// Waits until every delivery of `key`'s webhooks has left `pending`, and
/// there are `count` of them.
async fn settled(app: &TestApp, key: &str, count: usize) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let listed = deliveries(app, key).await;
        if listed.len() == count && listed.iter().all(|d| d["status"] != "pending") {
            return listed;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "deliveries did not settle: {listed:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

with_receivers!(
    a_posted_and_approved_task_reaches_the_posters_receiver_signed,
    |app: TestApp| async move {
        let receiver = Receiver::start(&[204]).await;
        let poster = app.funded_agent("poster", 10_000).await;
        let worker = app.actor("human", "worker").await;
        let (webhook, secret) = register(&app, &poster.key, &receiver.url, Value::Null).await;
        let (status, shown) = app
            .get(&format!("/v1/webhooks/{webhook}/secret"), &poster.key)
            .await;
        assert_eq!(status, StatusCode::OK, "{shown}");
        assert_eq!(shown["secret"], secret.as_str());

        let task = app
            .post_task(
                &poster,
                json!({ "title": "Is it open?", "reward_cents": 500 }),
            )
            .await;
        let submission = app.take_and_submit(&worker, &task).await;
        let (status, body) = app
            .post(
                &format!("/v1/submissions/{submission}/approve"),
                &poster.key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let expected = [
            "TaskPosted",
            "HoldPlaced",
            "TaskAssigned",
            "WorkSubmitted",
            "SubmissionApproved",
            "TaskCompleted",
            "HoldCaptured",
        ];
        let listed = settled(&app, &poster.key, expected.len()).await;
        assert!(listed
            .iter()
            .all(|d| d["status"] == "delivered" && d["attempt_count"] == 1));
        assert!(listed.iter().all(|d| d["webhook_id"] == webhook.as_str()));
        let got = receiver.received();
        assert_eq!(got.len(), expected.len());
        let mut types = Vec::new();
        for received in &got {
            assert!(signed_by(received, &secret), "bad signature: {received:?}");
            let envelope: Value = serde_json::from_str(&received.body).expect("JSON");
            let data = &envelope["data"];
            assert_eq!(envelope["type"], data["type"]);
            assert!(envelope["timestamp"].is_string());
            assert_eq!(data["payload"]["type"], data["type"]);
            let id = received.headers["webhook-id"].to_str().expect("text");
            let listed = listed.iter().find(|d| d["id"] == id).expect("listed");
            assert_eq!(listed["event_position"], data["position"]);
            types.push((
                data["position"].as_i64().expect("a position"),
                envelope["type"].as_str().expect("a type").to_owned(),
            ));
        }
        types.sort();
        let types: Vec<&str> = types.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(types, expected);
        // The same as GET /v1/events shows it.
        let (_, events) = app
            .get("/v1/events?after=0&limit=1000", &app.admin_key)
            .await;
        let body: Value = serde_json::from_str(&got[0].body).expect("JSON");
        let position = body["data"]["position"].as_i64().expect("a position");
        let shown = events["data"]
            .as_array()
            .expect("events")
            .iter()
            .find(|e| e["position"] == position)
            .expect("the event");
        assert_eq!(&body["data"], shown);
        // The worker, with no webhook, and the outcomes in the journal, add no deliveries.
        assert_eq!(deliveries(&app, &worker.key).await, Vec::<Value>::new());
        app.verify().await;
    }
);

with_receivers!(
    a_receiver_failing_then_answering_is_retried_until_delivered,
    |app: TestApp| async move {
        let receiver = Receiver::start(&[500, 200]).await;
        let poster = app.funded_agent("poster", 10_000).await;
        let (_, secret) = register(&app, &poster.key, &receiver.url, json!(["TaskPosted"])).await;
        app.post_task(&poster, json!({ "title": "t", "reward_cents": 100 }))
            .await;
        let listed = settled(&app, &poster.key, 1).await;
        let delivery = &listed[0];
        assert_eq!(delivery["status"], "delivered", "{delivery}");
        assert_eq!(delivery["attempt_count"], 2);
        let attempts = delivery["attempts"].as_array().expect("attempts");
        assert_eq!(attempts[0]["outcome"], "retrying");
        assert_eq!(attempts[0]["status_code"], 500);
        assert!(attempts[0]["next_attempt_at"].is_string());
        assert_eq!(attempts[1]["outcome"], "delivered");
        assert_eq!(attempts[1]["status_code"], 200);
        let got = receiver.received();
        assert_eq!(got.len(), 2);
        // A retry is the same message: same id, same body, signed anew.
        assert_eq!(got[0].headers["webhook-id"], got[1].headers["webhook-id"]);
        assert_eq!(got[0].body, got[1].body);
        assert!(got.iter().all(|r| signed_by(r, &secret)));
    }
);

with_receivers!(
    a_receiver_that_never_answers_2xx_fails_after_the_last_attempt,
    |app: TestApp| async move {
        let receiver = Receiver::start(&[503]).await;
        let poster = app.funded_agent("poster", 10_000).await;
        register(&app, &poster.key, &receiver.url, json!(["TaskPosted"])).await;
        app.post_task(&poster, json!({ "title": "t", "reward_cents": 100 }))
            .await;
        let listed = settled(&app, &poster.key, 1).await;
        let delivery = &listed[0];
        assert_eq!(delivery["status"], "failed", "{delivery}");
        assert_eq!(delivery["attempt_count"], ATTEMPTS_MAX);
        let outcomes: Vec<&str> = delivery["attempts"]
            .as_array()
            .expect("attempts")
            .iter()
            .map(|a| a["outcome"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(outcomes, ["retrying", "retrying", "failed"]);
        assert!(delivery["next_attempt_at"].is_null());
        // Nothing more is sent once it has failed.
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(receiver.received().len(), ATTEMPTS_MAX as usize);
        let (status, page) = app
            .get("/v1/webhooks/deliveries?status=failed", &poster.key)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page["data"].as_array().map(Vec::len), Some(1));
    }
);

with_receivers!(
    a_webhook_is_its_owners_alone_and_an_admin_may_delete_it,
    |app: TestApp| async move {
        let receiver = Receiver::start(&[200]).await;
        let poster = app.funded_agent("poster", 10_000).await;
        let intruder = app.funded_agent("intruder", 10_000).await;
        let (webhook, _) = register(&app, &poster.key, &receiver.url, json!(["TaskPosted"])).await;
        let (theirs, _) = register(&app, &intruder.key, &receiver.url, json!(["TaskPosted"])).await;
        app.post_task(&poster, json!({ "title": "t", "reward_cents": 100 }))
            .await;
        settled(&app, &poster.key, 1).await;
        // The intruder's webhook hears nothing of the poster's task.
        assert_eq!(deliveries(&app, &intruder.key).await, Vec::<Value>::new());
        let (status, listed) = app.get("/v1/webhooks", &poster.key).await;
        assert_eq!(status, StatusCode::OK, "{listed}");
        let ids: Vec<&str> = listed["data"]
            .as_array()
            .expect("data")
            .iter()
            .filter_map(|w| w["id"].as_str())
            .collect();
        assert_eq!(ids, [webhook.as_str()]);
        assert_eq!(listed["data"][0]["event_types"], json!(["TaskPosted"]));
        assert_eq!(listed["data"][0]["format"], "native");

        let path = format!("/v1/webhooks/{webhook}");
        for (method, path) in [
            (Method::DELETE, path.clone()),
            (Method::GET, format!("{path}/secret")),
        ] {
            let response = app.request(method, &path, Some(&intruder.key), None).await;
            let (status, problem) = read(response).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {problem}");
        }
        // Admins see every delivery, and may delete any webhook.
        assert!(!deliveries(&app, &app.admin_key).await.is_empty());
        let response = app
            .request(Method::DELETE, &path, Some(&app.admin_key), None)
            .await;
        let (status, body) = read(response).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["deleted"], true);
        let response = app
            .request(Method::DELETE, &path, Some(&poster.key), None)
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let (_, listed) = app.get("/v1/webhooks", &poster.key).await;
        assert_eq!(listed["data"], json!([]));
        // Its owner deletes their own.
        let response = app
            .request(
                Method::DELETE,
                &format!("/v1/webhooks/{theirs}"),
                Some(&intruder.key),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        app.verify().await;
    }
);

both_backends!(
    without_the_local_testing_flag_private_destinations_are_refused_at_registration,
    |app: TestApp| async move {
        let poster = app.funded_agent("poster", 10_000).await;
        let head = app.journal_head().await;
        for url in [
            "http://127.0.0.1:9/hook",
            "http://[::1]/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.7/hook",
            "http://localhost:8080/hook",
        ] {
            let (status, problem) = app
                .post("/v1/webhooks", &poster.key, json!({ "url": url }))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {problem}");
            assert_eq!(problem["code"], "validation_failed");
        }
        assert_eq!(app.journal_head().await, head);
        // A public name is accepted; whether it resolves to a public address
        // is checked when sending.
        register(
            &app,
            &poster.key,
            "https://hooks.example.com/in",
            Value::Null,
        )
        .await;
    }
);
