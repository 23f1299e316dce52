//! The web console in a real browser: `errand serve` on a throwaway ledger,
//! an agent and a person made over the API, then `tests/console/journey.mjs`
//! (Playwright driving headless Chromium) signs each in and walks the
//! journey: the person takes a task and uploads proof, the poster approves,
//! balance and ledger show the payout, the live journal shows the events as
//! they happen, the poster rejects other work with a reason, an admin
//! resolves a Humai dispute (set up here over the Humai API) with a split and
//! suspends and reinstates a Humai listing, and an admin's freeze refuses the
//! agent's next post in the page and in the API. With `ERRAND_CONSOLE_SCREENSHOTS=docs/screenshots`
//! the SQLite run writes the README's screenshots there; otherwise to a
//! temporary directory, so a test run leaves the checkout as it was.
//!
//! Needs `node`, `npm ci` in `tests/console` and Chromium (`CHROMIUM`, default
//! `/usr/bin/chromium`). Without them the test says why and passes, unless
//! `ERRAND_CONSOLE_BROWSER` is set (`.ci/run` sets it after installing them):
//! then it fails.

use crate::client::{actor_with_key, grant, json_answer};
use crate::process::Ledger;
use reqwest::RequestBuilder;
use reqwest::{Client, StatusCode};
use serde_json::json;
use serde_json::Value;
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
    let humai = humai_dispute(&client, &base, &admin).await;
    let run = tokio::process::Command::new("node")
        .arg("journey.mjs")
        .current_dir(scripts())
        .env("ERRAND_BASE_URL", &base)
        .env("ERRAND_ADMIN_KEY", &admin)
        .env("ERRAND_AGENT_KEY", &agent_key)
        .env("ERRAND_AGENT_ID", &agent_id)
        .env("ERRAND_HUMAN_EMAIL", email)
        .env("ERRAND_HUMAN_PASSWORD", password)
        .env("ERRAND_DISPUTE_ID", &humai.dispute_id)
        .env("ERRAND_LISTING_TITLE", HUMAI_SPARE_LISTING_TITLE)
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

/// What the journey finds set up on Humai's side.
struct HumaiDispute {
    dispute_id: String,
}

/// A listing of the seller's the admin suspends and reinstates in the journey.
const HUMAI_SPARE_LISTING_TITLE: &str = "Translate a bakery menu into French";

/// A Humai call with `key` (`x-api-key`, as Humai reads it) that must answer `expected`.
async fn humai(
    client: &Client,
    base: &str,
    path: &str,
    key: Option<&str>,
    body: Value,
    expected: StatusCode,
) -> Value {
    let mut request: RequestBuilder = client.post(format!("{base}/humai{path}")).json(&body);
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    json_answer(request, expected).await
}

/// A Humai transaction of $75.01 delivered and disputed by its buyer, with
/// the seller's evidence, for an admin to resolve in the console (as
/// `tests/api/humai/disputes.rs` sets one up, over HTTP here); and a second
/// listing of the seller's to suspend and reinstate.
async fn humai_dispute(client: &Client, base: &str, admin: &str) -> HumaiDispute {
    let seller = humai(
        client,
        base,
        "/agents-quick-start",
        None,
        json!({ "display_name": "MenuBot", "capability_tags": [], "framework": "custom" }),
        StatusCode::CREATED,
    )
    .await;
    let seller_key = seller["api_key"].as_str().expect("api_key").to_owned();
    let buyer = humai(
        client,
        base,
        "/actors-register",
        None,
        json!({ "type": "human", "display_name": "Cleo", "email": "cleo@example.com" }),
        StatusCode::CREATED,
    )
    .await;
    let buyer_key = buyer["api_key"].as_str().expect("api_key").to_owned();
    let buyer_id = buyer["actor_id"].as_str().expect("actor_id");
    grant(client, base, admin, buyer_id, 10_000).await;
    let listing = |title: &str| {
        json!({
            "direction": "sell",
            "listing_type": "task_execution",
            "title": title,
            "description": "Competitors researched and compared in a structured report",
            "category_tags": ["research:competitive"],
            "price_usd": 75.01,
            "sla_hours": 48,
        })
    };
    let sold = humai(
        client,
        base,
        "/listings-create",
        Some(&seller_key),
        listing("Competitive analysis report"),
        StatusCode::CREATED,
    )
    .await;
    humai(
        client,
        base,
        "/listings-create",
        Some(&seller_key),
        listing(HUMAI_SPARE_LISTING_TITLE),
        StatusCode::CREATED,
    )
    .await;
    let created = humai(
        client,
        base,
        "/transactions-create",
        Some(&buyer_key),
        json!({ "listing_id": sold["id"] }),
        StatusCode::CREATED,
    )
    .await;
    let transaction = &created["transaction_id"];
    humai(
        client,
        base,
        "/transactions-assign",
        Some(&seller_key),
        json!({ "transaction_id": transaction }),
        StatusCode::OK,
    )
    .await;
    humai(
        client,
        base,
        "/transactions-deliver",
        Some(&seller_key),
        json!({ "transaction_id": transaction, "output_data": { "summary": "partial" } }),
        StatusCode::OK,
    )
    .await;
    let dispute = humai(
        client,
        base,
        "/disputes-create",
        Some(&buyer_key),
        json!({ "transaction_id": transaction, "reason": "Output does not match schema" }),
        StatusCode::CREATED,
    )
    .await;
    let dispute_id = dispute["dispute_id"]
        .as_str()
        .expect("dispute_id")
        .to_owned();
    humai(
        client,
        base,
        "/disputes-submit-evidence",
        Some(&seller_key),
        json!({ "dispute_id": dispute_id, "evidence_type": "screenshot", "content": "https://example.com/e.png" }),
        StatusCode::CREATED,
    )
    .await;
    HumaiDispute { dispute_id }
}
