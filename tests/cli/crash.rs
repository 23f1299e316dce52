//! `kill -9` in the middle of concurrent, idempotent work (posting with
//! escrow, accepting, submitting, approving): after each restart every
//! acknowledged command is in the journal, repeating it replays the stored
//! reply without new events, and `errand verify` is clean.

use crate::client::{actor_with_key, grant, readiness};
use crate::process::Ledger;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// Clients working at once, each with its own worker.
const CLIENTS: usize = 6;

/// An acknowledged request, to be repeated after the crashes.
#[derive(Debug, Clone)]
struct Acknowledged {
    path: String,
    secret: String,
    idempotency_key: String,
    body: Value,
    status: StatusCode,
    reply: Value,
}

/// What a request got: `None` when the server died before answering.
struct Answer {
    status: StatusCode,
    reply: Value,
    replayed: bool,
}

async fn send(
    client: &Client,
    base: &str,
    path: &str,
    secret: &str,
    idempotency_key: &str,
    body: &Value,
) -> Option<Answer> {
    let response = client
        .post(format!("{base}{path}"))
        .bearer_auth(secret)
        .header("Idempotency-Key", idempotency_key)
        .json(body)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .ok()?;
    let status = response.status();
    let replayed = response.headers().get("idempotent-replayed").is_some();
    let reply = response.json().await.ok()?;
    Some(Answer {
        status,
        reply,
        replayed,
    })
}

/// One client's work: tasks taken from posting to approval, each step
/// idempotent, until `stop`. Records every acknowledged step.
struct Workload {
    client: Client,
    base: String,
    agent: String,
    worker: String,
    name: String,
    acknowledged: Arc<Mutex<Vec<Acknowledged>>>,
}

impl Workload {
    /// Sends one step; `Some(reply)` if it was acknowledged.
    async fn step(&self, path: String, secret: &str, key: String, body: Value) -> Option<Value> {
        let answer = send(&self.client, &self.base, &path, secret, &key, &body).await?;
        if !answer.status.is_success() {
            return None;
        }
        self.acknowledged.lock().await.push(Acknowledged {
            path,
            secret: secret.to_owned(),
            idempotency_key: key,
            body,
            status: answer.status,
            reply: answer.reply.clone(),
        });
        Some(answer.reply)
    }

    async fn work(&self, round: usize, stop: &AtomicBool) {
        let mut n = 0;
        while !stop.load(Ordering::Relaxed) {
            n += 1;
            let key = |step: &str| format!("{}-{round}-{n}-{step}", self.name);
            let body = json!({ "title": key("task"), "reward_cents": 100, "slots": 2 });
            let Some(task) = self
                .step("/v1/tasks".into(), &self.agent, key("post"), body)
                .await
            else {
                continue;
            };
            let task_id = task["id"].as_str().expect("task id");
            let accepted = self
                .step(
                    format!("/v1/tasks/{task_id}/accept"),
                    &self.worker,
                    key("accept"),
                    json!({}),
                )
                .await;
            if accepted.is_none() {
                continue;
            }
            let proof = json!({ "proof": { "text": "done" } });
            let Some(submitted) = self
                .step(
                    format!("/v1/tasks/{task_id}/submissions"),
                    &self.worker,
                    key("submit"),
                    proof,
                )
                .await
            else {
                continue;
            };
            let submission = submitted["submission_id"].as_str().expect("submission id");
            self.step(
                format!("/v1/submissions/{submission}/approve"),
                &self.agent,
                key("approve"),
                json!({}),
            )
            .await;
        }
    }
}

async fn killed_mid_work_loses_nothing(ledger: Ledger, kills: usize) {
    let client = Client::new();
    let (mut child, mut base, admin) = ledger.serve().await;
    let admin = admin.expect("first start prints the admin key");
    let (agent_id, agent) = actor_with_key(&client, &base, &admin, "agent", "crash-agent").await;
    grant(&client, &base, &admin, &agent_id, 100_000_000).await;
    let mut workers = Vec::new();
    for n in 0..CLIENTS {
        let name = format!("worker-{n}");
        workers.push(
            actor_with_key(&client, &base, &admin, "human", &name)
                .await
                .1,
        );
    }
    let acknowledged = Arc::new(Mutex::new(Vec::<Acknowledged>::new()));
    for round in 0..kills {
        let stop = Arc::new(AtomicBool::new(false));
        let mut clients = Vec::new();
        for (n, worker) in workers.iter().enumerate() {
            let work = Workload {
                client: client.clone(),
                base: base.clone(),
                agent: agent.clone(),
                worker: worker.clone(),
                name: format!("c{n}"),
                acknowledged: Arc::clone(&acknowledged),
            };
            let stop = Arc::clone(&stop);
            clients.push(tokio::spawn(async move { work.work(round, &stop).await }));
        }
        // A different moment in each round.
        tokio::time::sleep(Duration::from_millis(300 + 170 * round as u64 % 900)).await;
        child.kill().await.expect("SIGKILL");
        stop.store(true, Ordering::Relaxed);
        for work in clients {
            work.await.expect("the client does not panic");
        }
        (child, base, _) = ledger.serve().await;
    }
    let acknowledged = acknowledged.lock().await.clone();
    let approvals = acknowledged
        .iter()
        .filter(|a| a.path.ends_with("/approve"))
        .count();
    assert!(
        approvals > kills,
        "the work made progress: {} acknowledged, {approvals} approvals",
        acknowledged.len()
    );
    let head_before = settled_head(&client, &base).await;
    for ack in &acknowledged {
        let answer = send(
            &client,
            &base,
            &ack.path,
            &ack.secret,
            &ack.idempotency_key,
            &ack.body,
        )
        .await
        .expect("the replay is answered");
        assert_eq!(answer.status, ack.status, "{}", ack.idempotency_key);
        assert!(
            answer.replayed,
            "{} was acknowledged, so it is recorded",
            ack.idempotency_key
        );
        assert_eq!(answer.reply, ack.reply, "the stored reply, verbatim");
    }
    assert_eq!(
        journal_head(&client, &base).await,
        head_before,
        "replays appended nothing"
    );
    child.kill().await.expect("SIGKILL");
    let (ok, stdout, stderr) = ledger.run(&["verify"]).await;
    assert!(ok, "{stdout}\n{stderr}");
    eprintln!(
        "survived {kills} kills: {} commands acknowledged ({approvals} approvals), none lost",
        acknowledged.len()
    );
}

/// The head once the killed server's last commits are in: on PostgreSQL a
/// group whose COMMIT was sent before SIGKILL still commits (unacknowledged,
/// which is allowed), possibly after the restart. It is quiet for 300 ms here.
async fn settled_head(client: &Client, base: &str) -> i64 {
    let mut last = journal_head(client, base).await;
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = journal_head(client, base).await;
        if now == last {
            return now;
        }
        last = now;
    }
}

async fn journal_head(client: &Client, base: &str) -> i64 {
    readiness(client, base).await["journal_head"]
        .as_i64()
        .expect("a head")
}

/// CI runs 5 kills per backend; the full run (20 per backend) is
/// `ERRAND_CRASH_KILLS=20 cargo test --test cli crash`.
fn kills() -> usize {
    std::env::var("ERRAND_CRASH_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(5)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_nothing_it_acknowledged_on_sqlite() {
    killed_mid_work_loses_nothing(Ledger::sqlite().await, kills()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_nothing_it_acknowledged_on_postgres() {
    if let Some(ledger) = Ledger::postgres().await {
        killed_mid_work_loses_nothing(ledger, kills()).await;
    }
}
