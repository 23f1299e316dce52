//! `kill -9` in the middle of concurrent, idempotent work: after a restart
//! every acknowledged command is in the journal, repeating it replays the
//! stored reply without new events, and `errand verify` is clean.

use crate::client::{actor_with_key, grant, json_answer};
use crate::process::Ledger;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// An acknowledged request, to be repeated after the crash.
#[derive(Debug, Clone)]
struct Acknowledged {
    key: String,
    body: Value,
    reply: Value,
}

async fn setup(client: &Client, base: &str, admin: &str) -> String {
    let (id, key) = actor_with_key(client, base, admin, "agent", "crash-agent").await;
    grant(client, base, admin, &id, 100_000_000).await;
    key
}

async fn post(
    client: &Client,
    base: &str,
    key: &str,
    idempotency_key: &str,
    body: &Value,
) -> Option<(StatusCode, Value, bool)> {
    let response = client
        .post(format!("{base}/v1/tasks"))
        .bearer_auth(key)
        .header("Idempotency-Key", idempotency_key)
        .json(body)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .ok()?;
    let status = response.status();
    let replayed = response.headers().get("idempotent-replayed").is_some();
    let body = response.json().await.ok()?;
    Some((status, body, replayed))
}

async fn killed_mid_load_loses_nothing(ledger: Ledger, kills: usize) {
    let client = Client::new();
    let (mut child, mut base, admin) = ledger.serve().await;
    let admin = admin.expect("first start prints the admin key");
    let agent_key = setup(&client, &base, &admin).await;
    let acknowledged = Arc::new(Mutex::new(Vec::<Acknowledged>::new()));
    for round in 0..kills {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut writers = Vec::new();
        for writer in 0..8 {
            let (client, base, key, acknowledged, stop) = (
                client.clone(),
                base.clone(),
                agent_key.clone(),
                acknowledged.clone(),
                stop.clone(),
            );
            writers.push(tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    n += 1;
                    let idempotency_key = format!("crash-{round}-{writer}-{n}");
                    let body = json!({ "title": idempotency_key, "reward_cents": 100, "slots": 2 });
                    if let Some((StatusCode::CREATED, reply, _)) =
                        post(&client, &base, &key, &idempotency_key, &body).await
                    {
                        acknowledged.lock().await.push(Acknowledged {
                            key: idempotency_key,
                            body,
                            reply,
                        });
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(300 + 150 * round as u64)).await;
        child.kill().await.expect("SIGKILL");
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for writer in writers {
            let _ = writer.await;
        }
        let (next_child, next_base, _) = ledger.serve().await;
        child = next_child;
        base = next_base;
    }
    let acknowledged = acknowledged.lock().await.clone();
    assert!(
        acknowledged.len() > 10,
        "the load made progress: {}",
        acknowledged.len()
    );
    let head_before = settled_head(&client, &base, &admin).await;
    for ack in &acknowledged {
        let (status, reply, replayed) = post(&client, &base, &agent_key, &ack.key, &ack.body)
            .await
            .expect("replay answers");
        assert_eq!(status, StatusCode::CREATED);
        assert!(replayed, "{} was acknowledged, so it is recorded", ack.key);
        assert_eq!(reply, ack.reply, "the stored reply, verbatim");
        let task_path = format!("{base}/v1/tasks/{}", ack.reply["id"].as_str().unwrap());
        let task = json_answer(
            client.get(task_path).bearer_auth(&agent_key),
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            task["escrow_cents"], 200,
            "the acknowledged task and its hold exist"
        );
    }
    assert_eq!(
        head(&client, &base, &admin).await,
        head_before,
        "replays appended nothing"
    );
    child.kill().await.expect("SIGKILL");
    let (ok, stdout, stderr) = ledger.run(&["verify"]).await;
    assert!(ok, "{stdout}\n{stderr}");
}

/// The head once the killed server's last commits are in: on PostgreSQL a
/// group whose COMMIT was sent before SIGKILL still commits (unacknowledged,
/// which is allowed), possibly after the restart. It is quiet for 300 ms here.
async fn settled_head(client: &Client, base: &str, admin: &str) -> i64 {
    let mut last = head(client, base, admin).await;
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = head(client, base, admin).await;
        if now == last {
            return now;
        }
        last = now;
    }
}

async fn head(client: &Client, base: &str, admin: &str) -> i64 {
    let ready = json_answer(
        client.get(format!("{base}/readyz")).bearer_auth(admin),
        StatusCode::OK,
    )
    .await;
    ready["journal_head"].as_i64().unwrap()
}

/// The full run (20 kills per backend) is `ERRAND_CRASH_KILLS=20 cargo test --test cli crash`.
fn kills() -> usize {
    std::env::var("ERRAND_CRASH_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(3)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_nothing_it_acknowledged_on_sqlite() {
    killed_mid_load_loses_nothing(Ledger::sqlite().await, kills()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_nothing_it_acknowledged_on_postgres() {
    if let Some(ledger) = Ledger::postgres().await {
        killed_mid_load_loses_nothing(ledger, kills()).await;
    }
}
