//! The web console in a real browser: `errand serve` on a throwaway ledger,
//! an agent and a person made over the API, then `tests/console/journey.mjs`
//! (Playwright driving headless Chromium) signs each in and walks the
//! journey: the person takes a task and uploads proof, the poster approves,
//! balance and ledger show the payout, the live journal shows the events as
//! they happen, and an admin's freeze refuses the agent's next post in the
//! page and in the API. With `ERRAND_CONSOLE_SCREENSHOTS=docs/screenshots`
//! the SQLite run writes the README's screenshots there; otherwise to a
//! temporary directory, so a test run leaves the checkout as it was.
//!
//! Needs `node`, `npm ci` in `tests/console` and Chromium (`CHROMIUM`, default
//! `/usr/bin/chromium`). Without them the test says why and passes, unless
//! `ERRAND_CONSOLE_BROWSER` is set (`.ci/run` sets it after installing them):
//! then it fails.

use crate::client::{actor_with_key, grant, json_answer};
use crate::process::Ledger;
use reqwest::{Client, StatusCode};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Short, so the person's access token ends mid-journey and the console must
/// renew it with the refresh token (the journey waits this long once).
const ACCESS_TOKEN_TTL_S: Duration = Duration::from_secs(3);
/// The whole journey, Chromium's start included, on two busy cores.
const JOURNEY_TIME_MAX: Duration = Duration::from_secs(240);

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/console")
}

/// Whether the browser test can run here; when it cannot, why (a failure
/// when `ERRAND_CONSOLE_BROWSER` says it must run).
fn browser_ready() -> bool {
    let required = std::env::var_os("ERRAND_CONSOLE_BROWSER").is_some();
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    let missing = if !node {
        Some("node is not installed".to_owned())
    } else if !chromium().exists() {
        Some(format!("{} is missing", chromium().display()))
    } else if !scripts().join("node_modules/playwright-core").exists() {
        Some("tests/console/node_modules is missing (run npm ci there)".to_owned())
    } else {
        None
    };
    match missing {
        None => true,
        Some(reason) if required => panic!("ERRAND_CONSOLE_BROWSER is set but {reason}"),
        Some(reason) => {
            eprintln!("skipped the console's browser test: {reason}");
            false
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_journey_in_chromium_on_sqlite() {
    if browser_ready() {
        let scratch = tempfile::tempdir().expect("temp dir");
        let screenshots = match std::env::var_os("ERRAND_CONSOLE_SCREENSHOTS") {
            Some(dir) => Path::new(env!("CARGO_MANIFEST_DIR")).join(dir),
            None => scratch.path().to_owned(),
        };
        journey(Ledger::sqlite().await, &screenshots).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_journey_in_chromium_on_postgres() {
    if !browser_ready() {
        return;
    }
    if let Some(ledger) = Ledger::postgres().await {
        // Screenshots are the SQLite run's; these are looked at only on failure.
        let screenshots = tempfile::tempdir().expect("temp dir");
        journey(ledger, screenshots.path()).await;
    }
}

async fn journey(ledger: Ledger, screenshots: &Path) {
    // The checkout page a deposit sends the browser to is named with the public
    // URL, so the server is told its port rather than picking one.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let address = format!("127.0.0.1:{port}");
    let mut command = ledger.command(&["serve", "--listen", &address]);
    command.env("ERRAND_PUBLIC_URL", format!("http://{address}"));
    // Access tokens end within the journey, so the person's session must renew.
    command.env(
        "ERRAND_ACCESS_TOKEN_TTL_S",
        ACCESS_TOKEN_TTL_S.as_secs().to_string(),
    );
    for class in ["READS", "WRITES", "AUTH"] {
        command.env(format!("ERRAND_RATE_LIMIT_{class}_PER_MINUTE"), "0");
    }
    let (mut server, base, admin) = ledger.serve_with(command).await;
    let admin = admin.expect("a first start prints the admin key");
    let client = Client::new();
    let (agent_id, agent_key) = actor_with_key(&client, &base, &admin, "agent", "BakeryBot").await;
    grant(&client, &base, &admin, &agent_id, 5_000).await;
    let email = "bea@example.com";
    let password = "correct horse battery";
    json_answer(
        client
            .post(format!("{base}/v1/people/register"))
            .json(&json!({ "name": "Bea", "email": email, "password": password })),
        StatusCode::CREATED,
    )
    .await;
    let run = tokio::process::Command::new("node")
        .arg("journey.mjs")
        .current_dir(scripts())
        .env("ERRAND_BASE_URL", &base)
        .env("ERRAND_ADMIN_KEY", &admin)
        .env("ERRAND_AGENT_KEY", &agent_key)
        .env("ERRAND_AGENT_ID", &agent_id)
        .env("ERRAND_HUMAN_EMAIL", email)
        .env("ERRAND_HUMAN_PASSWORD", password)
        .env("ERRAND_SCREENSHOTS", screenshots)
        .env("CHROMIUM", chromium())
        .env(
            "ERRAND_ACCESS_TOKEN_TTL_MS",
            ACCESS_TOKEN_TTL_S.as_millis().to_string(),
        )
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(JOURNEY_TIME_MAX, run)
        .await
        .expect("the journey ends in time")
        .expect("node runs");
    let _ = server.kill().await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the console journey failed:\n{stdout}\n{stderr}"
    );
}
