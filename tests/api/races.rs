//! Races: the same decision asked for at once, many times over. Trials run
//! several at a time, so races also meet each other in the journal's groups.
//! `ERRAND_RACE_TRIALS` sets the approval trials (default 1,000); the other
//! races run a tenth as many, at least ten.

use crate::both_backends;
use crate::helpers::{Actor, TestApp};
use errand::http::rate_limit::RateLimits;
use futures::stream::{self, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Races fire from one key as fast as the ledger answers, thousands of
/// times with `ERRAND_RACE_TRIALS`: they test the bus, not the rate limits.
fn unlimited() -> RateLimits {
    RateLimits::unlimited()
}

/// Trials raced at the same time.
const TRIALS_AT_ONCE: usize = 8;

fn approval_trials() -> usize {
    std::env::var("ERRAND_RACE_TRIALS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000)
}

fn other_trials() -> usize {
    (approval_trials() / 10).max(10)
}

/// Runs `trial(n)` for n in 0..trials, `TRIALS_AT_ONCE` at a time.
async fn run_trials<F, Fut>(trials: usize, trial: F)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    stream::iter(0..trials)
        .for_each_concurrent(TRIALS_AT_ONCE, trial)
        .await;
}

fn count(results: &[(StatusCode, Value)], status: StatusCode) -> usize {
    results.iter().filter(|(s, _)| *s == status).count()
}

both_backends!(
    two_concurrent_approvals_pay_once,
    rate_limits = unlimited(),
    |app: TestApp| async move {
        let trials = approval_trials();
        let agent = app.funded_agent("poster", 100 * trials as i64).await;
        let workers: Vec<Actor> = stream::iter(0..TRIALS_AT_ONCE)
            .then(|i| {
                let app = &app;
                async move { app.actor("human", &format!("worker {i}")).await }
            })
            .collect()
            .await;
        run_trials(trials, |n| {
            let (app, agent, worker) = (&app, &agent, &workers[n % TRIALS_AT_ONCE]);
            async move {
                let task_id = app
                    .post_task(agent, json!({ "title": "race", "reward_cents": 100 }))
                    .await;
                let submission = app.take_and_submit(worker, &task_id).await;
                let path = format!("/v1/submissions/{submission}/approve");
                let (a, b) = tokio::join!(
                    app.post(&path, &agent.key, json!({})),
                    app.post(&path, &agent.key, json!({}))
                );
                let mut statuses = [a.0, b.0];
                statuses.sort();
                assert_eq!(
                    statuses,
                    [StatusCode::OK, StatusCode::CONFLICT],
                    "trial {n}: {a:?} {b:?}"
                );
            }
        })
        .await;
        let mut earned = 0;
        for worker in &workers {
            earned += app.balance(worker).await["available_cents"]
                .as_i64()
                .unwrap();
        }
        assert_eq!(earned, 90 * trials as i64, "one capture per submission");
        app.verify().await;
    }
);

both_backends!(
    concurrent_accepts_for_the_last_slot_assign_one,
    rate_limits = unlimited(),
    |app: TestApp| async move {
        let trials = other_trials();
        let agent = app.funded_agent("poster", 100 * trials as i64).await;
        let workers: Vec<Actor> = stream::iter(0..6)
            .then(|i| {
                let app = &app;
                async move { app.actor("human", &format!("w{i}")).await }
            })
            .collect()
            .await;
        run_trials(trials, |n| {
            let (app, agent, workers) = (&app, &agent, &workers);
            async move {
                // Two slots, one taken: five more workers race for the last.
                let task_id = app
                    .post_task(
                        agent,
                        json!({ "title": "last slot", "reward_cents": 50, "slots": 2 }),
                    )
                    .await;
                let path = format!("/v1/tasks/{task_id}/accept");
                let (first, _) = app.post(&path, &workers[0].key, json!({})).await;
                assert_eq!(first, StatusCode::CREATED);
                let results = futures::future::join_all(
                    workers[1..]
                        .iter()
                        .map(|w| app.post(&path, &w.key, json!({}))),
                )
                .await;
                let outcome = (
                    count(&results, StatusCode::CREATED),
                    count(&results, StatusCode::CONFLICT),
                );
                assert_eq!(outcome, (1, 4), "trial {n}: {results:?}");
                let task = app.task(&agent.key, &task_id).await;
                assert_eq!(task["open_slots"], 0, "trial {n}: {task}");
            }
        })
        .await;
        app.verify().await;
    }
);

both_backends!(
    concurrent_posts_beyond_the_balance_succeed_exactly_as_far_as_it_goes,
    rate_limits = unlimited(),
    |app: TestApp| async move {
        let trials = other_trials() / 5;
        run_trials(trials, |n| {
            let app = &app;
            async move {
                // Enough for K of N posts, K and N varying by trial.
                let (k, n_posts) = (1 + n % 7, 10 + n % 11);
                let agent = app
                    .funded_agent(&format!("poster {n}"), k as i64 * 1_000)
                    .await;
                let posts = (0..n_posts).map(|i| {
                    app.post(
                        "/v1/tasks",
                        &agent.key,
                        json!({ "title": format!("t{i}"), "reward_cents": 1_000 }),
                    )
                });
                let results = futures::future::join_all(posts).await;
                let outcome = (
                    count(&results, StatusCode::CREATED),
                    count(&results, StatusCode::PAYMENT_REQUIRED),
                );
                assert_eq!(outcome, (k, n_posts - k), "trial {n}: {results:?}");
                let balance = app.balance(&agent).await;
                assert_eq!(
                    (
                        balance["available_cents"].as_i64(),
                        balance["held_cents"].as_i64()
                    ),
                    (Some(0), Some(k as i64 * 1_000)),
                    "trial {n}"
                );
            }
        })
        .await;
        app.verify().await;
    }
);

both_backends!(
    concurrent_requests_with_one_idempotency_key_have_one_effect,
    rate_limits = unlimited(),
    |app: TestApp| async move {
        let trials = other_trials();
        let agent = app.funded_agent("poster", 1_000 * trials as i64).await;
        run_trials(trials, |n| {
            let (app, agent) = (&app, &agent);
            async move {
                let send = || async {
                    let response = app
                        .client
                        .post(app.url("/v1/tasks"))
                        .bearer_auth(&agent.key)
                        .header("Idempotency-Key", format!("same-key-{n}"))
                        .json(&json!({ "title": "once", "reward_cents": 1_000 }))
                        .send()
                        .await
                        .expect("sent");
                    crate::helpers::read(response).await
                };
                let results = futures::future::join_all((0..6).map(|_| send())).await;
                let created: Vec<&Value> = results
                    .iter()
                    .filter(|(s, _)| *s == StatusCode::CREATED)
                    .map(|(_, body)| body)
                    .collect();
                assert_eq!(
                    created.len() + count(&results, StatusCode::CONFLICT),
                    results.len(),
                    "trial {n}: created, or in flight: {results:?}"
                );
                assert!(!created.is_empty(), "trial {n}: someone created it");
                assert!(
                    created.iter().all(|body| body["id"] == created[0]["id"]),
                    "trial {n}: one task, replayed: {created:?}"
                );
            }
        })
        .await;
        assert_eq!(
            app.balance(&agent).await["held_cents"],
            1_000 * trials as i64,
            "one task and one hold per key"
        );
        app.verify().await;
    }
);

both_backends!(
    two_registrations_of_one_email_make_one_person,
    |app: TestApp| async move {
        // Each registration hashes a password (deliberately slow): fewer trials.
        let trials = (other_trials() / 4).max(10);
        run_trials(trials, |n| {
            let app = &app;
            async move {
                let body = json!({
                    "name": "Twin",
                    "email": format!("twin{n}@example.com"),
                    "password": "same password",
                });
                let register = || async {
                    let response = app
                        .request(
                            reqwest::Method::POST,
                            "/v1/people/register",
                            None,
                            Some(body.clone()),
                        )
                        .await;
                    crate::helpers::read(response).await
                };
                let (a, b) = tokio::join!(register(), register());
                let results = [a, b];
                assert_eq!(
                    (
                        count(&results, StatusCode::CREATED),
                        count(&results, StatusCode::CONFLICT)
                    ),
                    (1, 1),
                    "trial {n}: {results:?}"
                );
                let loser = results
                    .iter()
                    .find(|(status, _)| *status == StatusCode::CONFLICT)
                    .expect("one lost");
                assert_eq!(loser.1["code"], "email_taken", "trial {n}");
            }
        })
        .await;
        // One actor per address: registered people are the humans in the read model.
        let (status, board) = app
            .get("/v1/people/leaderboard?limit=100", &app.admin_key)
            .await;
        assert_eq!(status, StatusCode::OK, "{board}");
        assert_eq!(
            board["data"].as_array().map(Vec::len),
            Some(trials.min(100))
        );
        app.verify().await;
    }
);
