//! The HumanPing dialect end to end: the seed's curl examples, the flow
//! register → deposit → consensus task → approve (and a dispute), the
//! worker side (register → verify → log in → feed → accept → proof → paid),
//! and bad input on every endpoint, each on both backends.

mod bad_input;
mod flow;
mod journey;
mod seed;
mod webhooks;
pub(crate) mod worker;
mod worker_bad_input;

use crate::helpers::{read, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const API: &str = "/humanping/api/v1";

/// An agent registered through HumanPing, with its `hp_live_` key.
pub struct Agent {
    pub id: String,
    pub key: String,
}

pub async fn hp(
    app: &TestApp,
    method: Method,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let response = app
        .request(method, &format!("{API}{path}"), key, body)
        .await;
    read(response).await
}

pub async fn register(app: &TestApp, name: &str) -> Agent {
    let email = format!("{}@agents.example.com", name.to_lowercase());
    let (status, body) = hp(
        app,
        Method::POST,
        "/agents/register",
        None,
        Some(json!({ "name": name, "email": email })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    Agent {
        id: body["agent"]["id"].as_str().expect("agent id").to_owned(),
        key: body["api_key"].as_str().expect("api key").to_owned(),
    }
}

/// Deposits through the wallet and pays at the sandbox checkout.
pub async fn deposit(app: &TestApp, agent: &Agent, cents: i64) {
    let (status, body) = hp(
        app,
        Method::POST,
        "/wallet/deposit",
        Some(&agent.key),
        Some(json!({ "amount_cents": cents })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let checkout = body["checkout_url"].as_str().expect("checkout url");
    app.pay_checkout(checkout).await;
}

pub async fn wallet(app: &TestApp, agent: &Agent) -> Value {
    let (status, body) = hp(app, Method::GET, "/wallet", Some(&agent.key), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Posts a task through HumanPing; returns its `task_…` id.
pub async fn post_task(app: &TestApp, agent: &Agent, body: Value) -> String {
    let (status, body) = hp(app, Method::POST, "/tasks", Some(&agent.key), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["task"]["id"].as_str().expect("task id").to_owned()
}

/// The ledger's UUID behind a `task_<hex>` id, for the native API.
pub fn uuid_of(task_id: &str) -> String {
    let hex = task_id.strip_prefix("task_").expect("task_ prefix");
    uuid::Uuid::parse_str(hex).expect("hex uuid").to_string()
}

/// The total of one kind in a wallet's summary.
pub fn summary_total(wallet: &Value, kind: &str) -> i64 {
    wallet["summary"]
        .as_array()
        .expect("summary")
        .iter()
        .find(|entry| entry["type"] == json!(kind))
        .map_or(0, |entry| entry["total_cents"].as_i64().expect("total"))
}
