//! HumanPing's webhooks end to end: an agent's `webhook_url` hears its
//! tasks' proofs, completion and disputes, a task's `callback_url` hears that
//! task's instead, each body signed `X-HumanPing-Signature: sha256=<hex
//! HMAC-SHA256 of the raw body>` with the secret the agent was given (checked
//! here from first principles); other agents' tasks send nothing.

use super::*;
use crate::both_backends;
use crate::helpers::{spawn_app_with, Actor, Backend};
use crate::webhooks::{quick_webhooks, Received, Receiver};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;

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

/// A HumanPing agent with the secret its webhooks are signed with.
pub(super) struct Hooked {
    pub(super) agent: Agent,
    pub(super) secret: String,
}

pub(super) async fn register_hooked(
    app: &TestApp,
    name: &str,
    webhook_url: Option<&str>,
) -> Hooked {
    let mut body =
        json!({ "name": name, "email": format!("{}@hooks.example.com", name.to_lowercase()) });
    if let Some(url) = webhook_url {
        body["webhook_url"] = json!(url);
    }
    let (status, registered) = hp(app, Method::POST, "/agents/register", None, Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{registered}");
    let secret = registered["webhook_secret"]
        .as_str()
        .expect("a webhook secret")
        .to_owned();
    assert_eq!(secret.len(), 64, "{registered}");
    let agent = Agent {
        id: registered["agent"]["id"].as_str().expect("id").to_owned(),
        key: registered["api_key"].as_str().expect("key").to_owned(),
    };
    // The secret is there to read again, with the key.
    let (status, shown) = hp(
        app,
        Method::GET,
        "/agents/me/webhook",
        Some(&agent.key),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown["webhook_secret"], json!(secret));
    assert_eq!(shown["webhook_url"], json!(webhook_url));
    assert_eq!(shown["signature_header"], json!("X-HumanPing-Signature"));
    Hooked { agent, secret }
}

fn header(received: &Received, name: &str) -> String {
    received
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The body HMAC-SHA256'd with the secret's text, in hex, after `sha256=`.
fn signed_by(received: &Received, secret: &str) -> bool {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("any key");
    mac.update(received.body.as_bytes());
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    header(received, "x-humanping-signature") == expected
}

/// Waits until `receiver` has `count` requests; returns their bodies, after
/// checking each is signed with `secret` and names its event and delivery.
pub(super) async fn heard(receiver: &Receiver, count: usize, secret: &str) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while receiver.received().len() < count {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} of {count} webhooks arrived: {:#?}",
            receiver.received().len(),
            receiver.received()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    receiver
        .received()
        .iter()
        .map(|received| {
            assert!(signed_by(received, secret), "bad signature: {received:?}");
            let body: Value = serde_json::from_str(&received.body).expect("JSON");
            assert_eq!(header(received, "x-humanping-event"), body["event"]);
            assert_eq!(
                header(received, "x-humanping-delivery"),
                body["delivery_id"]
            );
            body
        })
        .collect()
}

/// Lets the dispatcher run a while, then checks nothing more arrived.
async fn still(receiver: &Receiver, count: usize) {
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        receiver.received().len(),
        count,
        "{:#?}",
        receiver.received()
    );
}

async fn submit(app: &TestApp, worker: &Actor, task_id: &str) {
    app.take_and_submit(worker, &uuid_of(task_id)).await;
}

async fn approve(app: &TestApp, agent: &Agent, task_id: &str) {
    let (status, body) = hp(
        app,
        Method::POST,
        &format!("/tasks/{task_id}/approve"),
        Some(&agent.key),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

with_receivers!(
    an_agents_webhook_url_hears_proof_and_completion_and_a_callback_url_its_own_task,
    |app: TestApp| async move {
        let hooks = Receiver::start(&[200]).await;
        let callbacks = Receiver::start(&[200]).await;
        let pinger = register_hooked(&app, "Pinger", Some(&hooks.url)).await;
        let worker = app.actor("human", "Bea").await;

        // Within a free task's $5.00: no deposit needed.
        let task_id = post_task(
            &app,
            &pinger.agent,
            json!({
                "description": "Is the bakery open?", "budget_cents": 400, "type": "verification"
            }),
        )
        .await;
        submit(&app, &worker, &task_id).await;
        let bodies = heard(&hooks, 1, &pinger.secret).await;
        assert_eq!(bodies[0]["event"], json!("task.proof_submitted"));
        assert_eq!(bodies[0]["task"]["id"], json!(task_id));
        assert_eq!(bodies[0]["task"]["status"], json!("proof_submitted"));
        assert_eq!(bodies[0]["task"]["proofs"][0]["text"], json!("done"));
        assert_eq!(bodies[0]["proof_id"], bodies[0]["task"]["proofs"][0]["id"]);
        assert!(bodies[0]["timestamp"].as_str().unwrap().ends_with('Z'));

        approve(&app, &pinger.agent, &task_id).await;
        let bodies = heard(&hooks, 2, &pinger.secret).await;
        assert_eq!(bodies[1]["event"], json!("task.completed"));
        assert_eq!(bodies[1]["task"]["status"], json!("completed"));
        assert_eq!(bodies[1]["task"]["proofs"][0]["payout_cents"], json!(328));
        let payments: Vec<&Value> = bodies[1]["task"]["transactions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["type"] == json!("payment"))
            .collect();
        assert_eq!(payments.len(), 1);

        // A task with a callback_url: its events go there, not to the agent's URL.
        let called_back = post_task(
            &app,
            &pinger.agent,
            json!({
                "description": "Call the shop", "budget_cents": 300, "callback_url": callbacks.url
            }),
        )
        .await;
        submit(&app, &worker, &called_back).await;
        approve(&app, &pinger.agent, &called_back).await;
        let bodies = heard(&callbacks, 2, &pinger.secret).await;
        // Sent at once, in no promised order.
        let mut events: Vec<&str> = bodies
            .iter()
            .map(|b| b["event"].as_str().unwrap())
            .collect();
        events.sort();
        assert_eq!(events, ["task.completed", "task.proof_submitted"]);
        assert!(bodies.iter().all(|b| b["task"]["id"] == json!(called_back)));

        // Another agent's tasks reach neither receiver: one without a URL
        // sends nothing, one with a callback is signed with its own secret.
        let quiet = register_hooked(&app, "Quiet", None).await;
        let unheard = post_task(
            &app,
            &quiet.agent,
            json!({
                "description": "Count the queue", "budget_cents": 200
            }),
        )
        .await;
        submit(&app, &worker, &unheard).await;
        let others = Receiver::start(&[200]).await;
        let theirs = post_task(
            &app,
            &quiet.agent,
            json!({
                "description": "Read the sign", "budget_cents": 200, "callback_url": others.url
            }),
        )
        .await;
        submit(&app, &worker, &theirs).await;
        let bodies = heard(&others, 1, &quiet.secret).await;
        assert_eq!(bodies[0]["task"]["id"], json!(theirs));
        assert_ne!(quiet.secret, pinger.secret);
        assert!(!signed_by(&others.received()[0], &pinger.secret));
        // A native task of the same agent is not HumanPing's: nothing is sent.
        let native = app
            .post_task(
                &Actor {
                    id: String::new(),
                    key: pinger.agent.key.clone(),
                },
                json!({ "title": "Native work", "reward_cents": 100 }),
            )
            .await;
        app.take_and_submit(&worker, &native).await;
        still(&hooks, 2).await;
        still(&callbacks, 2).await;
        still(&others, 1).await;

        // An admin sees every delivery, delivered; the agent sees its own.
        let (status, page) = app
            .get("/v1/webhooks/deliveries?limit=100", &app.admin_key)
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let listed = page["data"].as_array().unwrap();
        assert_eq!(listed.len(), 5, "{page:#}");
        assert!(
            listed.iter().all(|d| d["status"] == json!("delivered")),
            "{page:#}"
        );
        let mut types: Vec<&str> = listed
            .iter()
            .map(|d| d["event_type"].as_str().unwrap())
            .collect();
        types.sort();
        assert_eq!(
            types,
            [
                "TaskCompleted",
                "TaskCompleted",
                "WorkSubmitted",
                "WorkSubmitted",
                "WorkSubmitted"
            ]
        );
        let (status, own) = app
            .get("/v1/webhooks/deliveries?limit=100", &pinger.agent.key)
            .await;
        assert_eq!(status, StatusCode::OK, "{own}");
        assert_eq!(own["data"].as_array().unwrap().len(), 4, "{own:#}");
        // The implicit endpoints are not the agent's to list or count.
        let (status, endpoints) = app.get("/v1/webhooks", &pinger.agent.key).await;
        assert_eq!(status, StatusCode::OK, "{endpoints}");
        assert_eq!(endpoints["data"], json!([]), "{endpoints}");
        app.verify().await;
    }
);

with_receivers!(
    a_consensus_task_sends_each_proof_and_its_dispute_once,
    |app: TestApp| async move {
        let hooks = Receiver::start(&[200]).await;
        let pinger = register_hooked(&app, "Consensus", Some(&hooks.url)).await;
        let task_id = post_task(
            &app,
            &pinger.agent,
            json!({
                "description": "Is the bakery open? Answer open or closed.",
                "budget_cents": 100, "type": "gut_check", "consensus_count": 3
            }),
        )
        .await;
        for name in ["Ana", "Ben", "Cy"] {
            let worker = app.actor("human", name).await;
            submit(&app, &worker, &task_id).await;
        }
        let bodies = heard(&hooks, 3, &pinger.secret).await;
        assert!(
            bodies
                .iter()
                .all(|b| b["event"] == json!("task.consensus_proof")),
            "{bodies:#?}"
        );
        let mut proofs: Vec<&str> = bodies
            .iter()
            .map(|b| b["proof_id"].as_str().unwrap())
            .collect();
        proofs.sort();
        proofs.dedup();
        assert_eq!(proofs.len(), 3);
        // Each body shows the task as of its proof.
        let mut counts: Vec<usize> = bodies
            .iter()
            .map(|b| b["task"]["proofs"].as_array().unwrap().len())
            .collect();
        counts.sort();
        assert_eq!(counts, [1, 2, 3]);
        assert!(bodies
            .iter()
            .all(|b| b["task"]["consensus"]["required"] == json!(3)));

        let (status, disputed) = hp(
            &app,
            Method::POST,
            &format!("/tasks/{task_id}/dispute"),
            Some(&pinger.agent.key),
            Some(json!({ "reason": "They photographed the wrong shop" })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{disputed}");
        let bodies = heard(&hooks, 4, &pinger.secret).await;
        assert_eq!(bodies[3]["event"], json!("task.disputed"));
        assert_eq!(
            bodies[3]["reason"],
            json!("They photographed the wrong shop")
        );
        assert_eq!(bodies[3]["task"]["status"], json!("disputed"));
        // Three proofs disputed at once: one task.disputed.
        still(&hooks, 4).await;
        app.verify().await;
    }
);

with_receivers!(
    a_receiver_that_fails_is_retried_with_the_same_delivery_and_body,
    |app: TestApp| async move {
        let hooks = Receiver::start(&[500, 200]).await;
        let pinger = register_hooked(&app, "Retry", Some(&hooks.url)).await;
        let worker = app.actor("human", "Dee").await;
        let task_id = post_task(
            &app,
            &pinger.agent,
            json!({
                "description": "Is it raining?", "budget_cents": 100
            }),
        )
        .await;
        submit(&app, &worker, &task_id).await;
        let bodies = heard(&hooks, 2, &pinger.secret).await;
        assert_eq!(bodies[0], bodies[1]);
        let received = hooks.received();
        assert_eq!(received[0].body, received[1].body);
        still(&hooks, 2).await;
    }
);

both_backends!(
    a_private_webhook_url_is_refused_where_private_destinations_are_not_allowed,
    |app: TestApp| async move {
        let head = app.journal_head().await;
        for url in [
            "http://127.0.0.1:9/hook",
            "http://169.254.169.254/latest",
            "http://localhost/x",
        ] {
            let (status, body) = hp(
                &app,
                Method::POST,
                "/agents/register",
                None,
                Some(
                    json!({ "name": "Sneaky", "email": "sneaky@example.com", "webhook_url": url }),
                ),
            )
            .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert!(
                body["error"].as_str().unwrap().contains("public addresses"),
                "{body}"
            );
        }
        assert_eq!(app.journal_head().await, head);
        let agent = register(&app, "Honest").await;
        let head = app.journal_head().await;
        let (status, body) = hp(
            &app,
            Method::POST,
            "/tasks",
            Some(&agent.key),
            Some(json!({ "description": "x", "budget_cents": 100, "callback_url": "http://10.0.0.1/cb" })),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(app.journal_head().await, head);
    }
);
