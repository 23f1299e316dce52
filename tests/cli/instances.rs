//! Two `errand serve` processes on one PostgreSQL database: both take
//! commands, one at a time projects and fires timers (it holds the lease), and
//! when it is killed the other takes those duties over within seconds.

use crate::client::{actor_with_key, all_events, eventually, grant, json_answer, readiness};
use crate::process::Ledger;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::process::Child;

const TASKS_PER_ROUND: usize = 6;

async fn serve(ledger: &Ledger) -> (Child, String, Option<String>) {
    let mut command = ledger.command(&["serve", "--listen", "127.0.0.1:0"]);
    command.env("ERRAND_TIMER_INTERVAL_MS", "100");
    ledger.serve_with(command).await
}

async fn leads(client: &Client, base: &str) -> bool {
    readiness(client, base).await["leads"] == json!(true)
}

/// Posts tasks through `post_to` whose one submission, made through
/// `work_at`, is approved by its review-window timer. Returns the submission ids.
async fn work_through(
    client: &Client,
    (post_to, agent): (&str, &str),
    (work_at, worker): (&str, &str),
    round: usize,
) -> Vec<String> {
    let mut submissions = Vec::new();
    for n in 0..TASKS_PER_ROUND {
        let task = json_answer(
            client
                .post(format!("{post_to}/v1/tasks"))
                .bearer_auth(agent)
                .header("Idempotency-Key", format!("instances-{round}-{n}"))
                .json(&json!({ "title": "t", "reward_cents": 1_000, "review_window_s": 1 })),
            StatusCode::CREATED,
        )
        .await;
        let task_id = task["id"].as_str().expect("task id");
        // Read-your-writes across instances: the other one lists it at once.
        let listed = json_answer(
            client
                .get(format!("{work_at}/v1/tasks?status=open&limit=100"))
                .bearer_auth(agent),
            StatusCode::OK,
        )
        .await;
        assert!(
            listed["data"]
                .as_array()
                .expect("a page")
                .iter()
                .any(|t| t["id"] == task["id"]),
            "{task_id} is listed by the other instance"
        );
        json_answer(
            client
                .post(format!("{work_at}/v1/tasks/{task_id}/accept"))
                .bearer_auth(worker)
                .json(&json!({})),
            StatusCode::CREATED,
        )
        .await;
        let submitted = json_answer(
            client
                .post(format!("{work_at}/v1/tasks/{task_id}/submissions"))
                .bearer_auth(worker)
                .json(&json!({ "proof": { "text": "done" } })),
            StatusCode::CREATED,
        )
        .await;
        submissions.push(submitted["submission_id"].as_str().expect("id").to_owned());
    }
    submissions
}

/// Each submission was approved exactly once, by its timer.
fn approved_once_each(events: &[Value], submissions: &[String]) {
    for submission in submissions {
        let approvals: Vec<&Value> = events
            .iter()
            .filter(|e| e["type"] == "SubmissionApproved")
            .filter(|e| e["payload"].to_string().contains(submission.as_str()))
            .collect();
        assert_eq!(approvals.len(), 1, "submission {submission}: {approvals:?}");
        assert!(approvals[0]["payload"]
            .to_string()
            .contains("\"auto\":true"));
    }
}

async fn available_cents(client: &Client, base: &str, key: &str) -> i64 {
    json_answer(
        client.get(format!("{base}/v1/account")).bearer_auth(key),
        StatusCode::OK,
    )
    .await["available_cents"]
        .as_i64()
        .expect("cents")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_ledger_and_hand_over_projections_and_timers() {
    let Some(ledger) = Ledger::postgres().await else {
        return;
    };
    let client = Client::new();
    let (mut first, first_base, admin) = serve(&ledger).await;
    let admin = admin.expect("the first instance makes the first admin");
    let (mut second, second_base, second_admin) = serve(&ledger).await;
    assert_eq!(
        second_admin, None,
        "only the leading instance makes an admin"
    );
    assert!(leads(&client, &first_base).await);
    assert!(!leads(&client, &second_base).await);

    let (agent_id, agent) = actor_with_key(&client, &first_base, &admin, "agent", "a").await;
    grant(&client, &second_base, &admin, &agent_id, 100_000).await;
    let (_, worker) = actor_with_key(&client, &second_base, &admin, "human", "w").await;

    // Commands to both; the first instance projects and fires the timers.
    let mut submissions =
        work_through(&client, (&first_base, &agent), (&second_base, &worker), 0).await;
    eventually(
        Duration::from_secs(20),
        "timers approve round 0",
        || async {
            available_cents(&client, &second_base, &worker).await == 900 * TASKS_PER_ROUND as i64
        },
    )
    .await;

    // The leader dies mid-work; the other instance takes over its duties.
    let pending = work_through(&client, (&second_base, &agent), (&first_base, &worker), 1).await;
    first.kill().await.expect("SIGKILL");
    submissions.extend(pending);
    eventually(
        Duration::from_secs(10),
        "the survivor takes the lease",
        || async { leads(&client, &second_base).await },
    )
    .await;
    submissions
        .extend(work_through(&client, (&second_base, &agent), (&second_base, &worker), 2).await);
    eventually(
        Duration::from_secs(20),
        "timers approve every round",
        || async {
            available_cents(&client, &second_base, &worker).await == 900 * submissions.len() as i64
        },
    )
    .await;

    let events = all_events(&client, &second_base, &admin).await;
    approved_once_each(&events, &submissions);
    second.kill().await.expect("SIGKILL");
    let (ok, stdout, stderr) = ledger.run(&["verify"]).await;
    assert!(ok, "{stdout}\n{stderr}");
}
