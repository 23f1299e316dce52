//! A thin HTTP client for the child servers these tests start.

use reqwest::{Client, RequestBuilder, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Sends a request that must answer `expected`, and returns its JSON body.
pub async fn json_answer(request: RequestBuilder, expected: StatusCode) -> Value {
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    let body: Value = response.json().await.expect("a JSON body");
    assert_eq!(status, expected, "{body}");
    body
}

/// A new actor of `kind` and a key of its own: (actor id, secret).
pub async fn actor_with_key(
    client: &Client,
    base: &str,
    admin: &str,
    kind: &str,
    name: &str,
) -> (String, String) {
    let actor = json_answer(
        client
            .post(format!("{base}/v1/actors"))
            .bearer_auth(admin)
            .json(&json!({ "kind": kind, "name": name })),
        StatusCode::CREATED,
    )
    .await;
    let id = actor["id"].as_str().expect("actor id").to_owned();
    let key = json_answer(
        client
            .post(format!("{base}/v1/actors/{id}/keys"))
            .bearer_auth(admin),
        StatusCode::CREATED,
    )
    .await;
    (id, key["secret"].as_str().expect("secret").to_owned())
}

/// An audited grant of `cents` to the actor.
pub async fn grant(client: &Client, base: &str, admin: &str, actor_id: &str, cents: i64) {
    json_answer(
        client
            .post(format!("{base}/v1/admin/credits"))
            .bearer_auth(admin)
            .json(&json!({ "actor_id": actor_id, "amount_cents": cents, "reason": "test funds" })),
        StatusCode::CREATED,
    )
    .await;
}

/// The server's `/readyz` report.
pub async fn readiness(client: &Client, base: &str) -> Value {
    json_answer(client.get(format!("{base}/readyz")), StatusCode::OK).await
}

/// Every event in the journal, in order.
pub async fn all_events(client: &Client, base: &str, admin: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut after = 0;
    loop {
        let page = json_answer(
            client
                .get(format!("{base}/v1/events?after={after}&limit=1000"))
                .bearer_auth(admin),
            StatusCode::OK,
        )
        .await;
        let data = page["data"].as_array().expect("a page of events");
        let Some(last) = data.last() else {
            return events;
        };
        after = last["position"].as_i64().expect("a position");
        events.extend(data.iter().cloned());
    }
}

/// Polls `condition` until it holds; panics with `what` after `limit`.
pub async fn eventually<F, Fut>(limit: Duration, what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !condition().await {
        assert!(started.elapsed() < limit, "{what} within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
