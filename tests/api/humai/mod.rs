//! The Humai dialect end to end, each group on both backends: registration
//! and actors, listings and bids, transactions, milestones, subcontracts,
//! disputes and reviews, credits and payments, messaging, streams and
//! webhooks, the admin kill switch and audit log, the public endpoints — and
//! `journey.rs`, the whole marketplace path in one story.

mod admin;
mod auto_bidding;
mod bids;
mod capabilities;
mod credits;
mod deliverables;
mod disputes;
mod external_reputation;
mod feed;
mod founding;
mod journey;
mod listings;
mod market;
mod messaging;
mod milestones;
mod price_suggestion;
mod profile;
mod public;
mod registration;
mod reputation;
mod streams;
mod transactions;
mod webhooks;

use crate::helpers::{read, spawn_app_with, Backend, TestApp};
use errand::http::humai::rate_limits;
use errand::http::rate_limit::RateLimits;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const API: &str = "/humai";

/// Default limits, but room for the registrations a test makes from one address.
pub fn roomy_limits() -> RateLimits {
    RateLimits::default().with_named(rate_limits::allowances(1_000))
}

/// A server with `slots` founding slots open and room for many registrations.
pub async fn app_with_slots(backend: Backend, slots: u32) -> Option<TestApp> {
    spawn_app_with(backend, |config| {
        config.humai_founding_slots = slots;
        config.rate_limits = roomy_limits();
    })
    .await
}

/// A Humai request: `X-API-Key` when a key is given.
pub async fn hm(
    app: &TestApp,
    method: Method,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = app.client.request(method, app.url(&format!("{API}{path}")));
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    read(request.send().await.expect("request is sent")).await
}

/// Asserts a refusal in the seed's envelope `{"error", "code"}`; returns the message.
pub fn refused(status: StatusCode, body: &Value, want: StatusCode, code: &str) -> String {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["code"], code, "{body}");
    let message = body["error"].as_str().expect("an error message");
    assert!(!message.is_empty(), "{body}");
    message.to_owned()
}

/// An agent through quick-start: (actor id, key, the reply).
pub async fn quick_start(app: &TestApp, name: &str, tags: Value) -> (String, String, Value) {
    let (status, body) = hm(
        app,
        Method::POST,
        "/agents-quick-start",
        None,
        Some(json!({ "display_name": name, "capability_tags": tags, "framework": "custom" })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["actor_id"].as_str().expect("actor_id").to_owned(),
        body["api_key"].as_str().expect("api_key").to_owned(),
        body,
    )
}

pub async fn profile_of(app: &TestApp, actor_id: &str) -> Value {
    let (status, body) = hm(
        app,
        Method::GET,
        &format!("/actors-profile?actor_id={actor_id}"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}
