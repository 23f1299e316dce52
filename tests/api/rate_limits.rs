//! Rate limits over real HTTP, with allowances small enough to reach: the
//! headers count down, the request past the allowance is a 429 that changes
//! nothing, each key (and each anonymous address) has its own budget, the
//! operations endpoints have none, and a bucket refills after its window.

use crate::both_backends;
use crate::helpers::{read, TestApp};
use errand::http::rate_limit::{Allowance, RateLimits};
use reqwest::{Method, Response, StatusCode};
use serde_json::json;
use std::time::Duration;

/// A window long enough that nothing refills while a test runs.
const MINUTE: Duration = Duration::from_secs(60);

fn reads(requests: u32, window: Duration) -> RateLimits {
    RateLimits {
        read: Allowance::new(requests, window),
        ..RateLimits::unlimited()
    }
}

fn header(response: &Response, name: &str) -> Option<u64> {
    let value = response.headers().get(name)?.to_str().ok()?;
    Some(
        value
            .parse()
            .expect("a whole number of seconds or requests"),
    )
}

/// (limit, remaining, reset) of a limited response.
fn standing(response: &Response) -> (u64, u64, u64) {
    let of = |name| header(response, name).unwrap_or_else(|| panic!("{name} is sent"));
    (
        of("x-ratelimit-limit"),
        of("x-ratelimit-remaining"),
        of("x-ratelimit-reset"),
    )
}

async fn get(app: &TestApp, path: &str, key: Option<&str>) -> Response {
    app.request(Method::GET, path, key, None).await
}

both_backends!(
    reads_count_down_and_the_one_past_the_allowance_is_refused_as_a_problem,
    rate_limits = reads(3, MINUTE),
    |app: TestApp| async move {
        // Three a minute: each spent read takes 20 s to come back.
        for (remaining, reset) in [(2, 20), (1, 40), (0, 60)] {
            let response = get(&app, "/v1/tasks", Some(&app.admin_key)).await;
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(standing(&response), (3, remaining, reset));
        }
        let refused = get(&app, "/v1/tasks", Some(&app.admin_key)).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        let (limit, remaining, reset) = standing(&refused);
        assert_eq!((limit, remaining), (3, 0));
        assert!(
            (59..=60).contains(&reset),
            "full again in a minute: {reset}"
        );
        let retry_after = header(&refused, "retry-after").expect("Retry-After");
        assert!((1..=20).contains(&retry_after), "{retry_after}");
        assert_eq!(
            refused.headers()["content-type"],
            "application/problem+json"
        );
        let (_, problem) = read(refused).await;
        assert_eq!(problem["type"], "/problems/rate_limited");
        assert_eq!(problem["title"], "Too Many Requests");
        assert_eq!(problem["status"], 429);
        assert_eq!(problem["code"], "rate_limited");
        assert_eq!(
            problem["detail"],
            format!("too many read requests; retry in {retry_after} s")
        );
        assert!(problem["request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()));
    }
);

both_backends!(
    a_refused_write_changes_nothing_and_other_keys_keep_their_budget,
    rate_limits = RateLimits {
        write: Allowance::new(2, MINUTE),
        ..RateLimits::unlimited()
    },
    |app: TestApp| async move {
        let alice = app.actor("agent", "alice").await;
        let bob = app.actor("agent", "bob").await;
        // The admin's two writes.
        app.grant(&alice, 10_000).await;
        app.grant(&bob, 10_000).await;
        let task = json!({ "title": "Count the pigeons", "reward_cents": 500 });
        app.post_task(&alice, task.clone()).await;
        app.post_task(&alice, task.clone()).await;

        let head = app.journal_head().await;
        let balance = app.balance(&alice).await;
        let response = app
            .client
            .post(app.url("/v1/tasks"))
            .bearer_auth(&alice.key)
            .header("Idempotency-Key", "third-task")
            .json(&task)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(standing(&response).1, 0);
        assert_eq!(app.journal_head().await, head, "nothing was appended");
        assert_eq!(app.balance(&alice).await, balance, "no escrow was held");
        let (status, problem) = app
            .post("/v1/admin/credits", &app.admin_key, json!({}))
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
        assert_eq!(problem["code"], "rate_limited", "not refused for its body");

        // Bob's key has a budget of its own; the idempotency key was never recorded.
        let (status, body) = app.post("/v1/tasks", &bob.key, task).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(
            app.journal_head().await,
            head + 2,
            "bob's task and its hold"
        );
    }
);

both_backends!(
    an_anonymous_caller_is_counted_by_address_apart_from_keys,
    rate_limits = reads(2, MINUTE),
    |app: TestApp| async move {
        let anonymous = get(&app, "/v1/tasks", None).await;
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(standing(&anonymous).1, 1, "a 401 spends a read too");
        let keyed = get(&app, "/v1/tasks", Some(&app.admin_key)).await;
        assert_eq!(keyed.status(), StatusCode::OK);
        assert_eq!(standing(&keyed).1, 1, "the key's own bucket");
        let invented = get(&app, "/v1/tasks", Some("erk_live_invented")).await;
        assert_eq!(invented.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(standing(&invented).1, 1, "a wrong key spends its own");
        get(&app, "/v1/tasks", None).await;
        let refused = get(&app, "/v1/tasks", None).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            get(&app, "/v1/tasks", Some(&app.admin_key)).await.status(),
            StatusCode::OK
        );
    }
);

both_backends!(
    issuing_credentials_is_limited_per_address_whichever_key_asks,
    rate_limits = RateLimits {
        auth: Allowance::new(2, MINUTE),
        ..RateLimits::unlimited()
    },
    |app: TestApp| async move {
        let agent = app.actor("agent", "first").await;
        let (status, problem) = app
            .post(
                "/v1/actors",
                &app.admin_key,
                json!({ "kind": "agent", "name": "second" }),
            )
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
        assert_eq!(
            problem["detail"].as_str().map(|d| d.contains("auth")),
            Some(true)
        );
        // Another key from the same address: refused before the handler
        // could say that an agent may not register actors (403).
        let (status, _) = app
            .post(
                &format!("/v1/actors/{}/keys", agent.id),
                &agent.key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        // Other commands are another class.
        let (status, body) = app
            .post(
                &format!("/v1/actors/{}/freeze", agent.id),
                &app.admin_key,
                json!({ "reason": "test" }),
            )
            .await;
        assert_ne!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    }
);

both_backends!(
    operations_endpoints_are_never_limited,
    rate_limits = RateLimits::per_minute(1, 1, 1),
    |app: TestApp| async move {
        get(&app, "/v1/tasks", Some(&app.admin_key)).await;
        let refused = get(&app, "/v1/tasks", Some(&app.admin_key)).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        for path in ["/healthz", "/readyz", "/metrics"] {
            for _ in 0..5 {
                let response = get(&app, path, Some(&app.admin_key)).await;
                assert_eq!(response.status(), StatusCode::OK, "{path}");
                assert!(
                    response.headers().get("x-ratelimit-limit").is_none(),
                    "{path} carries no limit"
                );
            }
        }
    }
);

both_backends!(
    a_bucket_refills_after_its_window,
    rate_limits = reads(2, Duration::from_secs(1)),
    |app: TestApp| async move {
        let key = Some(app.admin_key.as_str());
        get(&app, "/v1/tasks", key).await;
        get(&app, "/v1/tasks", key).await;
        let refused = get(&app, "/v1/tasks", key).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(header(&refused, "retry-after"), Some(1));
        // A read comes back within half a second (the bound is generous for
        // a slow machine); then waiting out its Reset makes the bucket full.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        let allowed = loop {
            let response = get(&app, "/v1/tasks", key).await;
            if response.status() == StatusCode::OK {
                break response;
            }
            assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
            assert!(tokio::time::Instant::now() < deadline, "never refilled");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let (_, _, reset) = standing(&allowed);
        assert_eq!(reset, 1, "two requests a second: back to full within one");
        tokio::time::sleep(Duration::from_secs(reset)).await;
        let full = get(&app, "/v1/tasks", key).await;
        assert_eq!(full.status(), StatusCode::OK);
        assert_eq!(standing(&full), (2, 1, 1), "the whole window's worth again");
    }
);

// HumanPing's registration counts against `auth`, per address; its refusal is
// HumanPing's envelope with `retry_after_seconds`, and registers no one.
both_backends!(
    humanping_refuses_in_its_own_envelope,
    rate_limits = RateLimits {
        auth: Allowance::new(1, MINUTE),
        ..RateLimits::unlimited()
    },
    |app: TestApp| async move {
        let register = |email: &'static str| {
            app.request(
                Method::POST,
                "/humanping/api/v1/agents/register",
                None,
                Some(json!({ "name": "Bot", "email": email })),
            )
        };
        let first = register("one@agents.example.com").await;
        assert_eq!(first.status(), StatusCode::CREATED);
        let head = app.journal_head().await;
        let refused = register("two@agents.example.com").await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry_after = header(&refused, "retry-after").expect("Retry-After is sent");
        let (_, body) = read(refused).await;
        assert_eq!(body["error"], "Rate limited — slow down.");
        assert_eq!(body["retry_after_seconds"], json!(retry_after));
        assert_eq!(app.journal_head().await, head);
    }
);
