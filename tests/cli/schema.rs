//! The API against its own OpenAPI document: schemathesis generates requests
//! from `/openapi.json` (valid ones and, from every constraint, invalid ones)
//! and sends them to a real `errand serve`, as four callers at once: two
//! funded agents, a person and the admin. No answer may be a 5xx, every
//! status must be documented, every body and header must match the document,
//! invalid input must be refused, and one caller must not read another's
//! private objects. Afterwards the ledger must still pass its audit.
//!
//! schemathesis is a Python tool: `ERRAND_SCHEMATHESIS` names its `st`
//! command (`.ci/schemathesis-install` installs a pinned version and prints
//! the path). Without it the tests say so and pass.

use crate::client::{actor_with_key, grant, json_answer};
use crate::process::Ledger;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

/// Test cases per operation and phase: enough to reach every documented
/// refusal, few enough that a run takes about half a minute on two cores.
const EXAMPLES_PER_OPERATION: u32 = 25;
/// A fixed seed makes a failure reproducible; `ERRAND_SCHEMATHESIS_SEED`
/// explores further.
const DEFAULT_SEED: &str = "20260101";
/// A whole run, including schemathesis's own start (a few seconds).
const RUN_TIME_MAX: Duration = Duration::from_secs(240);
/// Large enough that funding never limits what the agents try.
const FUNDS_CENTS: i64 = 1_000_000_000_000;

/// Every check but `positive_data_acceptance`: the ledger refuses some
/// requests the document cannot call invalid (a deadline in the past, an
/// Idempotency-Key reused with another body, an escrow past the largest
/// amount), so a valid-looking request may rightly get a 422.
const CHECKS: &[&str] = &[
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
    "object_level_authorization",
];

/// Tasks and actors are the marketplace's public objects: anyone with a key
/// reads them (what is private in them, like other workers' submissions, is
/// left out for the caller), so another caller reading them is no bypass.
/// (Checks are chosen here, not with `--checks`, which would override this.)
const PUBLIC_READS: &[&str] = &["GET /v1/tasks/{id}", "GET /v1/actors/{id}"];

/// schemathesis's configuration: who calls (every caller a peer whose
/// private objects the others must not read; the admin sees everything),
/// and which checks apply where.
fn config(auth_path: &std::path::Path) -> String {
    let mut config = format!(
        "[auth.wfc]\npath = {auth_path:?}\npeers = [\"alice\", \"bob\", \"hana\"]\n\n[checks]\nenabled = false\n"
    );
    for check in CHECKS {
        config.push_str(&format!("{check}.enabled = true\n"));
    }
    for operation in PUBLIC_READS {
        config.push_str(&format!(
            "\n[[operations]]\ninclude-name = {operation:?}\nchecks.object_level_authorization.enabled = false\n"
        ));
    }
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_answers_as_its_openapi_document_says_on_sqlite() {
    if let Some(st) = schemathesis() {
        conforms(&st, Ledger::sqlite().await).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_answers_as_its_openapi_document_says_on_postgres() {
    if let Some(st) = schemathesis() {
        if let Some(ledger) = Ledger::postgres().await {
            conforms(&st, ledger).await;
        }
    }
}

fn schemathesis() -> Option<String> {
    let st = std::env::var("ERRAND_SCHEMATHESIS")
        .ok()
        .filter(|s| !s.is_empty());
    if st.is_none() {
        eprintln!(
            "skipped: set ERRAND_SCHEMATHESIS to schemathesis's `st` (`.ci/schemathesis-install` prints it)"
        );
    }
    st
}

async fn conforms(st: &str, ledger: Ledger) {
    let (_server, base, admin) = ledger.serve().await;
    let admin = admin.expect("a first start prints the admin key");
    let client = Client::new();
    let mut callers = Vec::new();
    for (kind, name) in [("agent", "alice"), ("agent", "bob"), ("human", "hana")] {
        let (id, key) = actor_with_key(&client, &base, &admin, kind, name).await;
        grant(&client, &base, &admin, &id, FUNDS_CENTS).await;
        callers.push((name, key));
    }
    callers.push(("admin", admin.clone()));

    let work = tempfile::tempdir().expect("temp dir");
    let auth = json!({
        "auth": callers.iter().map(|(name, key)| json!({
            "name": name,
            "fixedHeaders": [{ "name": "Authorization", "value": format!("Bearer {key}") }],
        })).collect::<Vec<_>>(),
    });
    let auth_path = work.path().join("auth.json");
    std::fs::write(&auth_path, auth.to_string()).expect("auth file");
    let config_path = work.path().join("schemathesis.toml");
    std::fs::write(&config_path, config(&auth_path)).expect("config file");

    let seed = std::env::var("ERRAND_SCHEMATHESIS_SEED").unwrap_or_else(|_| DEFAULT_SEED.into());
    let examples = EXAMPLES_PER_OPERATION.to_string();
    // Its report goes to a file, so a run that overstays can show where it was.
    let log_path = work.path().join("schemathesis.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let mut run = tokio::process::Command::new(st)
        .arg("--config-file")
        .arg(&config_path)
        .args(["run", &format!("{base}/openapi.json")])
        .args(["--max-examples", &examples, "--seed", &seed])
        // One worker: hypothesis describes strategies with `ast.parse`,
        // which CPython 3.11 cannot run on two threads at once.
        .args(["--workers", "1"])
        // A live follow never ends; tests/api/journal.rs covers it.
        .args(["--exclude-path", "/v1/events/stream"])
        .args(["--request-timeout", "10"])
        .args(["--generation-database", "none", "--no-color"])
        // Its caches and reports land here, not in the repository.
        .current_dir(work.path())
        .stdout(log.try_clone().expect("log file"))
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("schemathesis starts");
    let finished = tokio::time::timeout(RUN_TIME_MAX, run.wait()).await;
    let report = std::fs::read_to_string(&log_path).unwrap_or_default();
    let Ok(status) = finished else {
        let _ = run.kill().await;
        panic!("schemathesis did not finish within {RUN_TIME_MAX:?} (seed {seed}):\n{report}");
    };
    let status = status.expect("schemathesis runs");
    assert!(
        status.success(),
        "schemathesis found failures (seed {seed}):\n{report}"
    );
    eprintln!("{}", summary(&report));

    let audit: Value = json_answer(
        client
            .get(format!("{base}/v1/audit/verify"))
            .bearer_auth(&admin),
        StatusCode::OK,
    )
    .await;
    assert_eq!(audit["ok"], true, "the ledger after the run: {audit:#}");
}

/// schemathesis's closing lines: its phases and how many cases passed.
fn summary(report: &str) -> String {
    let lines: Vec<&str> = report.lines().collect();
    let start = lines
        .iter()
        .rposition(|line| line.contains("SUMMARY"))
        .unwrap_or(0);
    lines[start..].join("\n")
}
