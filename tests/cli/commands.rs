use crate::process::Ledger;

#[tokio::test]
async fn the_demo_narrates_a_whole_task_and_the_audit_holds() {
    let ledger = Ledger::sqlite().await;
    let (ok, stdout, stderr) = ledger.run(&["demo"]).await;
    assert!(ok, "{stdout}\n{stderr}");
    for expected in [
        "TaskPosted",
        "HoldCaptured",
        "PaymentReceived",
        "EscrowReleased",
        "every invariant holds",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}

async fn operator_commands_work(ledger: Ledger) {
    let (ok, stdout, stderr) = ledger
        .run(&[
            "admin",
            "create-key",
            "--role",
            "agent",
            "--name",
            "cli-agent",
        ])
        .await;
    assert!(ok, "{stderr}");
    let secret = stdout.lines().last().expect("a last line");
    assert!(
        secret.starts_with("erk_live_") && secret.len() > 40,
        "{stdout}"
    );

    let (ok, stdout, stderr) = ledger.run(&["verify"]).await;
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stdout.contains("hash_chain"), "{stdout}");

    let (ok, stdout, _) = ledger.run(&["export"]).await;
    assert!(ok);
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(events.len(), 2, "an actor registered and a key issued");
    assert_eq!(events[0]["type"], "ActorRegistered");
    let (_, after_first, _) = ledger.run(&["export", "--after", "1"]).await;
    assert_eq!(after_first.lines().count(), 1);

    let (ok, stdout, stderr) = ledger.run(&["replay"]).await;
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("rebuilt read models from 2 events"),
        "{stdout}"
    );
    let (ok, _, _) = ledger.run(&["verify"]).await;
    assert!(ok, "still clean after a rebuild");

    let (ok, stdout, _) = ledger.run(&["migrate"]).await;
    assert!(ok);
    assert!(stdout.contains("migrations applied"));
}

#[tokio::test]
async fn operator_commands_work_on_sqlite() {
    operator_commands_work(Ledger::sqlite().await).await;
}

#[tokio::test]
async fn operator_commands_work_on_postgres() {
    if let Some(ledger) = Ledger::postgres().await {
        operator_commands_work(ledger).await;
    }
}

#[tokio::test]
async fn an_operator_makes_a_humai_admin_key() {
    let ledger = Ledger::sqlite().await;
    let (ok, stdout, stderr) = ledger
        .run(&["admin", "create-key", "--role", "admin", "--prefix", "hm"])
        .await;
    assert!(ok, "{stderr}");
    let secret = stdout.lines().last().expect("a last line");
    assert!(secret.starts_with("hm_live_"), "{stdout}");
    let (ok, _, stderr) = ledger
        .run(&["admin", "create-key", "--role", "admin", "--prefix", "xx"])
        .await;
    assert!(!ok, "an unknown prefix is refused: {stderr}");
}

#[tokio::test]
async fn a_bad_database_url_is_a_clear_error() {
    let ledger = Ledger::sqlite().await;
    let output = ledger
        .command(&["verify"])
        .env("DATABASE_URL", "mysql://nowhere/db")
        .output()
        .await
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("opening the journal"), "{stderr}");
}

#[tokio::test]
async fn with_no_command_errand_serves_with_its_defaults() {
    let ledger = Ledger::sqlite().await;
    let mut command = ledger.command(&[]);
    command.env("ERRAND_LISTEN", "127.0.0.1:0");
    let (mut child, base, admin) = ledger.serve_with(command).await;
    assert!(admin
        .expect("the first start prints a key")
        .starts_with("erk_live_"));
    let health = reqwest::get(format!("{base}/healthz"))
        .await
        .expect("serves");
    assert!(health.status().is_success());
    child.kill().await.expect("stops");
}

#[tokio::test]
async fn serve_takes_its_rate_limits_from_the_environment() {
    let ledger = Ledger::sqlite().await;
    let mut command = ledger.command(&["serve", "--listen", "127.0.0.1:0"]);
    command
        .env("ERRAND_RATE_LIMIT_READS_PER_MINUTE", "2")
        .env("ERRAND_RATE_LIMIT_WRITES_PER_MINUTE", "0");
    let (mut child, base, admin) = ledger.serve_with(command).await;
    let admin = admin.expect("the first start prints a key");
    let client = reqwest::Client::new();
    let read = || {
        client
            .get(format!("{base}/v1/tasks"))
            .bearer_auth(&admin)
            .send()
    };
    let first = read().await.expect("answers");
    assert_eq!(first.headers()["x-ratelimit-limit"], "2");
    read().await.expect("answers");
    let refused = read().await.expect("answers");
    assert_eq!(refused.status(), reqwest::StatusCode::TOO_MANY_REQUESTS);
    // 0 leaves writes unlimited: no headers, however many.
    for _ in 0..3 {
        let write = client
            .post(format!("{base}/v1/admin/credits"))
            .bearer_auth(&admin)
            .json(&serde_json::json!({}))
            .send()
            .await
            .expect("answers");
        assert_ne!(write.status(), reqwest::StatusCode::TOO_MANY_REQUESTS);
        assert!(write.headers().get("x-ratelimit-limit").is_none());
    }
    child.kill().await.expect("stops");
}
