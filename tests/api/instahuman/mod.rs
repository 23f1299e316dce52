//! The InstaHuman dialect end to end: keys and the error envelope, the
//! catalogs and health, CORS, and jobs — created with their escrow, listed,
//! read, steered through their lifecycle, settled, and taken by testers
//! through the other APIs — each on both backends.

mod bad_input;
mod billing;
mod catalogs;
mod jobs;
mod lifecycle;
mod mcp;
mod projects;
mod settlement;

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

/// A job body: `testers` testers at `reward` dollars each, with filters and
/// equipment from the default catalog.
pub fn job_body(title: &str, testers: u32, reward: Value) -> Value {
    json!({
        "title": title,
        "instructions": "Sign up, create a project, and tell us where you hesitated.",
        "category": "usability",
        "testerCount": testers,
        "rewardPerTester": reward,
        "participantFilters": { "age": { "min": 25, "max": 45 }, "country": ["US", "CA"] },
        "equipment": ["iphone"],
        "interests": ["productivity"],
    })
}

/// Creates a job; returns it.
pub async fn create_job(app: &TestApp, key: &str, body: Value) -> Value {
    let (status, job) = ih(app, Method::POST, "/jobs", Some(key), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{job}");
    job
}

pub async fn get_job(app: &TestApp, key: &str, id: &str) -> Value {
    let (status, job) = ih(app, Method::GET, &format!("/jobs/{id}"), Some(key), None).await;
    assert_eq!(status, StatusCode::OK, "{job}");
    job
}

/// The owner's action `action` on job `id`: its status and body.
pub async fn act(
    app: &TestApp,
    key: &str,
    id: &str,
    action: &str,
    body: Value,
) -> (StatusCode, Value) {
    ih(
        app,
        Method::POST,
        &format!("/owner/jobs/{id}/{action}"),
        Some(key),
        Some(body),
    )
    .await
}

/// (available, held) cents of `actor`'s live USD account.
pub async fn money(app: &TestApp, actor: &Actor) -> (i64, i64) {
    let balance = app.balance(actor).await;
    (
        balance["available_cents"].as_i64().expect("available"),
        balance["held_cents"].as_i64().expect("held"),
    )
}

/// A person who tests: a human with a native key.
pub async fn tester(app: &TestApp, name: &str) -> Actor {
    app.actor("human", name).await
}

/// A tester takes a slot of job `id` through the native API.
pub async fn accept(app: &TestApp, tester: &Actor, id: &str) {
    let (status, body) = app
        .post(&format!("/v1/tasks/{id}/accept"), &tester.key, json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// A tester hands in feedback on job `id` through the native API.
pub async fn submit(app: &TestApp, tester: &Actor, id: &str, feedback: &str) {
    let (status, body) = app
        .post(
            &format!("/v1/tasks/{id}/submissions"),
            &tester.key,
            json!({ "proof": { "text": feedback } }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}
