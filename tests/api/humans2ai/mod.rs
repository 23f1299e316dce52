//! The Humans2AI dialect end to end: the seed's create-task example, the
//! flow register → key → fund → post → apply → select → submit → reject →
//! resubmit → approve, expiry, keys and their limit, scopes, who may see
//! and do what, the Risk Gate, test mode, and bad input, each on both
//! backends; and the same work through its MCP tools.

mod bad_input;
mod conversation;
mod flow;
mod keys;
mod marketplace;
mod mcp;
mod seed;
mod wallet;
mod webhooks;

use crate::helpers::{read, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const API: &str = "/humans2ai/api/v1";

pub async fn h2a(
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

/// Asserts a refusal in the seed's envelope and returns its message.
pub fn refused(status: StatusCode, body: &Value, want: StatusCode, code: &str) -> String {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["success"], Value::Bool(false), "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    body["error"]["message"]
        .as_str()
        .expect("a message")
        .to_owned()
}

/// Someone registered through `/public/auth/register`, with their ID token.
pub struct User {
    pub id: String,
    pub token: String,
}

pub async fn register(app: &TestApp, role: &str, name: &str) -> User {
    let email = format!("{}@h2a.example.com", name.to_lowercase());
    let (status, body) = h2a(
        app,
        Method::POST,
        "/public/auth/register",
        None,
        Some(json!({ "email": email, "password": "correct horse battery", "role": role, "displayName": name })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["success"], json!(true));
    User {
        id: body["data"]["userId"].as_str().expect("userId").to_owned(),
        token: body["data"]["idToken"]
            .as_str()
            .expect("idToken")
            .to_owned(),
    }
}

/// Creates a key with `body` (scopes, mode) using `token`; returns the secret.
pub async fn create_key(app: &TestApp, token: &str, body: Value) -> String {
    let (status, created) = h2a(app, Method::POST, "/api-keys", Some(token), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["data"]["key"].as_str().expect("key").to_owned()
}

/// Funds `token`'s account through the native deposit and the sandbox
/// checkout: how a Humans2AI agent funds its wallet.
pub async fn fund(app: &TestApp, token: &str, cents: i64) {
    let (status, deposit) = app
        .post("/v1/deposits", token, json!({ "amount_cents": cents }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{deposit}");
    let checkout = deposit["checkout_url"].as_str().expect("checkout url");
    app.pay_checkout(checkout).await;
}

pub async fn wallet(app: &TestApp, key: &str) -> Value {
    let (status, body) = h2a(app, Method::GET, "/wallet", Some(key), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"].clone()
}

/// A task body with `budget` (dollars) and a deadline a day ahead.
pub fn task_body(title: &str, budget: Value) -> Value {
    let deadline = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    json!({
        "title": title,
        "description": "Take three photos of the storefront in daylight.",
        "category": "photography",
        "budget": budget,
        "deadline": deadline,
        "location": "San Francisco, CA",
        "remote": false,
        "urgency": "medium",
    })
}

/// Posts a task; returns its `task_…` id.
pub async fn post_task(app: &TestApp, key: &str, body: Value) -> String {
    let (status, created) = h2a(app, Method::POST, "/tasks", Some(key), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["data"]["id"].as_str().expect("task id").to_owned()
}

/// The ledger's UUID behind a `task_<hex>` id, for the native API.
pub fn uuid_of(prefixed: &str) -> String {
    let hex = prefixed.split_once('_').expect("a prefix").1;
    uuid::Uuid::parse_str(hex).expect("hex uuid").to_string()
}
