//! The whole HumanPing journey through HumanPing's own endpoints only: an
//! agent registers with a webhook URL and deposits at the checkout; three
//! workers register, verify, log in, accept a consensus task and hand in
//! proofs; every webhook arrives signed; the agent approves (each worker paid
//! the budget less 18 %, the platform keeping the rest) — and on a second
//! task disputes (refunded, the worker's trust score down).

use super::webhooks::{heard, register_hooked};
use super::worker::verified_worker;
use super::*;
use crate::helpers::{spawn_app_with, Backend};
use crate::webhooks::{quick_webhooks, Receiver};

async fn accept_and_prove(app: &TestApp, token: &str, task_id: &str, result: &str) {
    let (status, body) = hp(
        app,
        Method::POST,
        &format!("/worker/tasks/{task_id}/accept"),
        Some(token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = hp(
        app,
        Method::POST,
        &format!("/worker/tasks/{task_id}/proof"),
        Some(token),
        Some(json!({ "text": format!("I went and looked: {result}"), "result": result })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn profile(app: &TestApp, token: &str) -> Value {
    let (status, body) = hp(app, Method::GET, "/worker/profile", Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["worker"].clone()
}

async fn review(app: &TestApp, agent: &Agent, task_id: &str, verb: &str, body: Value) {
    let (status, answer) = hp(
        app,
        Method::POST,
        &format!("/tasks/{task_id}/{verb}"),
        Some(&agent.key),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

async fn journey(app: TestApp) {
    let hooks = Receiver::start(&[200]).await;
    let hooked = register_hooked(&app, "Journey", Some(&hooks.url)).await;
    let agent = &hooked.agent;
    deposit(&app, agent, 10_000).await;

    let consensus = post_task(
        &app,
        agent,
        json!({ "description": "Is the bakery at 12 Rue Cler open? Answer open or closed.",
                "budget_cents": 1_000, "type": "gut_check", "consensus_count": 3 }),
    )
    .await;
    let mut workers = Vec::new();
    for name in ["Ana", "Ben", "Cy"] {
        let (_, token) = verified_worker(&app, name).await;
        accept_and_prove(&app, &token, &consensus, "Open").await;
        workers.push(token);
    }
    let proofs = heard(&hooks, 3, &hooked.secret).await;
    assert!(proofs
        .iter()
        .all(|body| body["event"] == json!("task.consensus_proof")));

    review(&app, agent, &consensus, "approve", json!({})).await;
    let bodies = heard(&hooks, 4, &hooked.secret).await;
    assert_eq!(bodies[3]["event"], json!("task.completed"));
    assert_eq!(bodies[3]["task"]["status"], json!("completed"));
    // $10.00 each, less 18 %: $8.20 to every worker, $1.80 to the platform's fees.
    for token in &workers {
        let worker = profile(&app, token).await;
        assert_eq!(worker["earned_cents"], json!(820), "{worker}");
        assert_eq!(worker["trust_score"], json!(52), "{worker}");
    }
    let account = format!(
        "account-{}-live-USD",
        uuid_of(&agent.id.replacen("agent_", "task_", 1))
    );
    let (status, stream) = app
        .get(&format!("/v1/streams/{account}"), &app.admin_key)
        .await;
    assert_eq!(status, StatusCode::OK, "{stream}");
    let fees: Vec<i64> = stream["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|event| event["type"] == json!("HoldCaptured"))
        .map(|event| event["payload"]["fee"]["cents"].as_i64().expect("fee"))
        .collect();
    assert_eq!(fees, [180, 180, 180]);

    // Ana connects a payout account (Stripe Connect in HumanPing's words, the sandbox here),
    // completes onboarding, and the agent pays the task out: to Ana now, to the others once
    // they have onboarded.
    let ana = &workers[0];
    let (status, connected) = hp(
        &app,
        Method::POST,
        "/worker/stripe/connect",
        Some(ana),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{connected}");
    let onboarding = connected["onboarding_url"]
        .as_str()
        .expect("onboarding url");
    let completed = app
        .client
        .post(format!("{onboarding}/complete"))
        .send()
        .await
        .expect("the onboarding page answers");
    assert_eq!(completed.status(), StatusCode::OK);
    let (status, stripe) = hp(&app, Method::GET, "/worker/stripe/status", Some(ana), None).await;
    assert_eq!(status, StatusCode::OK, "{stripe}");
    assert_eq!(stripe["stripe"]["payouts_enabled"], json!(true), "{stripe}");
    let (status, link) = hp(
        &app,
        Method::POST,
        "/worker/stripe/dashboard",
        Some(ana),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{link}");
    assert!(link["url"].is_string(), "{link}");
    let (status, paid) = hp(
        &app,
        Method::POST,
        &format!("/tasks/{consensus}/payout"),
        Some(&agent.key),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(paid["paid_now_cents"], json!(820), "{paid}");

    // A second task, disputed: the agent gets the escrow back, the worker's trust drops.
    let balance_before = wallet(&app, agent).await["balance_cents"].clone();
    let disputed = post_task(
        &app,
        agent,
        json!({ "description": "Photograph the menu at 12 Rue Cler", "budget_cents": 2_000,
                "type": "verification" }),
    )
    .await;
    accept_and_prove(&app, &workers[0], &disputed, "menu.jpg").await;
    heard(&hooks, 5, &hooked.secret).await;
    review(
        &app,
        agent,
        &disputed,
        "dispute",
        json!({ "reason": "The photo shows another shop." }),
    )
    .await;
    let bodies = heard(&hooks, 6, &hooked.secret).await;
    assert_eq!(bodies[5]["event"], json!("task.disputed"));
    // Everything held comes back to the wallet, the free task's $5.00 with it
    // (README: refunded free-task money stays in the wallet).
    let balance_before = balance_before.as_i64().expect("cents");
    assert_eq!(
        wallet(&app, agent).await["balance_cents"],
        json!(balance_before + 500)
    );
    assert_eq!(profile(&app, &workers[0]).await["trust_score"], json!(42));
    app.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_journey_on_sqlite() {
    if let Some(app) = spawn_app_with(Backend::Sqlite, quick_webhooks).await {
        journey(app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_journey_on_postgres() {
    if let Some(app) = spawn_app_with(Backend::Postgres, quick_webhooks).await {
        journey(app).await;
    }
}
