//! The InstaHuman dialect end to end: keys and the error envelope, the
//! catalogs and health, CORS, and jobs — created with their escrow, listed,
//! read, steered through their lifecycle, settled, and taken by testers
//! through the other APIs — each on both backends.

mod catalogs;

use crate::helpers::{read, Actor, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const API: &str = "/instahuman/api";

pub async fn ih(
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

/// Asserts a refusal in the seed's envelope, `{"error": "…"}`, and returns its message.
pub fn refused(status: StatusCode, body: &Value, want: StatusCode) -> String {
    assert_eq!(status, want, "{body}");
    let message = body["error"].as_str().expect("an error message");
    assert!(!message.is_empty(), "{body}");
    message.to_owned()
}

/// An InstaHuman key (`ih_live_…`) for `actor`, issued through the native API.
pub async fn ih_key(app: &TestApp, actor: &Actor) -> String {
    app.key_for(actor, json!({ "prefix": "ih" })).await.1
}

/// An agent with `cents` of credit (if any) and an InstaHuman key.
pub async fn owner(app: &TestApp, name: &str, cents: i64) -> (Actor, String) {
    let agent = app.actor("agent", name).await;
    if cents > 0 {
        app.grant(&agent, cents).await;
    }
    let key = ih_key(app, &agent).await;
    (agent, key)
}
