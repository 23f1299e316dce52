//! `spawn_app`: a fresh database and a server on port 0 per test, plus the
//! few requests most tests make.

use errand::config::Config;
use errand::http::rate_limit::RateLimits;
use errand::journal::testing::{postgres_admin_url, ScratchDatabase};
use errand::payments::{PaymentProvider, PayoutProvider};
use errand::server::{start, Running, ServeOptions};
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Declares a test that runs on both backends: `both_backends!(name, |app| async move { … })`,
/// or with other rate limits than the defaults: `both_backends!(name, rate_limits = …, |app| …)`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, rate_limits = $limits:expr, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                if let Some(app) =
                    $crate::helpers::spawn_app_limited($crate::helpers::Backend::Sqlite, $limits)
                        .await
                {
                    ($body)(app).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                if let Some(app) =
                    $crate::helpers::spawn_app_limited($crate::helpers::Backend::Postgres, $limits)
                        .await
                {
                    ($body)(app).await;
                }
            }
        }
    };
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                if let Some(app) =
                    $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite).await
                {
                    ($body)(app).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                if let Some(app) =
                    $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await
                {
                    ($body)(app).await;
                }
            }
        }
    };
}

pub struct TestApp {
    pub base_url: String,
    pub admin_key: String,
    pub client: Client,
    pub running: Option<Running>,
    _data_dir: Option<tempfile::TempDir>,
    /// Dropped last (fields drop in order): the server is stopped by then.
    _database: Option<ScratchDatabase>,
}

/// A server on a fresh database with the default rate limits; `None` (the
/// test is skipped, saying so) for PostgreSQL when no test server is configured.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// [`spawn_app`] with other rate limits than the defaults.
pub async fn spawn_app_limited(backend: Backend, rate_limits: RateLimits) -> Option<TestApp> {
    spawn_app_with(backend, |config| config.rate_limits = rate_limits).await
}

/// [`spawn_app`] with the test configuration changed by `configure`.
pub async fn spawn_app_with(
    backend: Backend,
    configure: impl FnOnce(&mut Config),
) -> Option<TestApp> {
    spawn_app_paying_with(backend, Providers::default(), configure).await
}

/// Payment providers a test brings instead of the sandbox's.
#[derive(Default)]
pub struct Providers {
    pub payouts: Option<Arc<dyn PayoutProvider>>,
    pub payments: Option<Arc<dyn PaymentProvider>>,
}

/// What a provider that does not answer at first shares, payouts' or
/// payments': the sandbox behind a switch that leaves the first calls
/// unanswered, and a count of every call, answered or not.
pub struct Unanswering {
    /// The server's URL, known once it listens: the sandbox's pages are its.
    base_url: std::sync::OnceLock<String>,
    /// Calls still to leave unanswered.
    left: std::sync::atomic::AtomicUsize,
    calls: std::sync::atomic::AtomicUsize,
}

impl Unanswering {
    /// Leaves the first `unanswered` calls unanswered.
    pub fn first(unanswered: usize) -> Unanswering {
        Unanswering {
            base_url: std::sync::OnceLock::new(),
            left: unanswered.into(),
            calls: 0.into(),
        }
    }

    /// Once the server listens at `base_url`.
    pub fn serving_at(&self, base_url: &str) {
        self.base_url
            .set(base_url.to_owned())
            .expect("the server's URL is set once");
    }

    pub fn sandbox(&self) -> errand::payments::Sandbox {
        errand::payments::Sandbox {
            base_url: self.base_url.get().cloned().unwrap_or_default(),
        }
    }

    /// Counts a call; true if it is one to leave unanswered.
    pub fn call(&self) -> bool {
        use std::sync::atomic::Ordering;
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(1)
            })
            .is_ok()
    }

    pub fn calls(&self) -> usize {
        self.calls.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// [`spawn_app_with`], paying through `providers` instead of the sandbox.
pub async fn spawn_app_paying_with(
    backend: Backend,
    providers: Providers,
    configure: impl FnOnce(&mut Config),
) -> Option<TestApp> {
    let (database_url, data_dir, database) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("errand.db").display()
            );
            (url, Some(dir), None)
        }
        Backend::Postgres => {
            let Some(admin_url) = postgres_admin_url() else {
                eprintln!("skipped on PostgreSQL: ERRAND_TEST_DATABASE_URL is not set");
                return None;
            };
            let database = ScratchDatabase::create(&admin_url)
                .await
                .expect("fresh PostgreSQL database");
            (database.url.clone(), None, Some(database))
        }
    };
    let mut config = Config {
        public_url: String::new(),
        timer_interval: Duration::from_millis(50),
        ..Config::default()
    };
    configure(&mut config);
    let running = start(ServeOptions {
        database_url,
        listen: "127.0.0.1:0".parse().expect("address"),
        config,
        metrics: None,
        payout_provider: providers.payouts,
        payment_provider: providers.payments,
    })
    .await
    .expect("server starts");
    let admin_key = running
        .first_admin
        .as_ref()
        .expect("first start makes an admin")
        .secret
        .clone();
    Some(TestApp {
        base_url: format!("http://{}", running.local_addr),
        admin_key,
        client: Client::new(),
        running: Some(running),
        _data_dir: data_dir,
        _database: database,
    })
}

/// An actor made through the API, with its key.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: String,
    pub key: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request is sent")
    }

    pub async fn post(&self, path: &str, key: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .request(Method::POST, path, Some(key), Some(body))
            .await;
        read(response).await
    }

    pub async fn get(&self, path: &str, key: &str) -> (StatusCode, Value) {
        let response = self.request(Method::GET, path, Some(key), None).await;
        read(response).await
    }

    /// Registers an actor of `kind` (agent, human, admin) and issues it a key.
    pub async fn actor(&self, kind: &str, name: &str) -> Actor {
        let (status, actor) = self
            .post(
                "/v1/actors",
                &self.admin_key,
                json!({ "kind": kind, "name": name }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{actor}");
        let id = actor["id"].as_str().expect("actor id").to_owned();
        let (status, key) = self
            .post(&format!("/v1/actors/{id}/keys"), &self.admin_key, json!({}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{key}");
        Actor {
            id,
            key: key["secret"].as_str().expect("secret").to_owned(),
        }
    }

    /// An agent with `cents` of granted credit.
    pub async fn funded_agent(&self, name: &str, cents: i64) -> Actor {
        let agent = self.actor("agent", name).await;
        self.grant(&agent, cents).await;
        agent
    }

    pub async fn grant(&self, actor: &Actor, cents: i64) {
        let (status, body) = self
            .post(
                "/v1/admin/credits",
                &self.admin_key,
                json!({ "actor_id": actor.id, "amount_cents": cents, "reason": "test funding" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    pub async fn balance(&self, actor: &Actor) -> Value {
        let (status, body) = self.get("/v1/account", &actor.key).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Posts a task and returns its id.
    pub async fn post_task(&self, poster: &Actor, body: Value) -> String {
        let (status, task) = self.post("/v1/tasks", &poster.key, body).await;
        assert_eq!(status, StatusCode::CREATED, "{task}");
        task["id"].as_str().expect("task id").to_owned()
    }

    /// Accepts a task and submits text proof; returns the submission id.
    pub async fn take_and_submit(&self, worker: &Actor, task_id: &str) -> String {
        let (status, body) = self
            .post(
                &format!("/v1/tasks/{task_id}/accept"),
                &worker.key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = self
            .post(
                &format!("/v1/tasks/{task_id}/submissions"),
                &worker.key,
                json!({ "proof": { "text": "done" } }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["submission_id"]
            .as_str()
            .expect("submission id")
            .to_owned()
    }

    pub async fn task(&self, key: &str, task_id: &str) -> Value {
        let (status, body) = self.get(&format!("/v1/tasks/{task_id}"), key).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    pub async fn verify(&self) -> Value {
        let (status, report) = self.get("/v1/audit/verify", &self.admin_key).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["ok"], json!(true), "{report:#}");
        report
    }

    /// The journal's last position, from `/readyz`: what a refused request
    /// must leave where it was.
    pub async fn journal_head(&self) -> i64 {
        let response = self.request(Method::GET, "/readyz", None, None).await;
        let (status, ready) = read(response).await;
        assert_eq!(status, StatusCode::OK, "{ready}");
        ready["journal_head"].as_i64().expect("journal_head")
    }

    /// Issues `actor` another key with `body` (scopes, mode); returns (key id, secret).
    pub async fn key_for(&self, actor: &Actor, body: Value) -> (String, String) {
        let (status, key) = self
            .post(
                &format!("/v1/actors/{}/keys", actor.id),
                &self.admin_key,
                body,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{key}");
        (
            key["id"].as_str().expect("key id").to_owned(),
            key["secret"].as_str().expect("secret").to_owned(),
        )
    }

    /// Pays a deposit at the sandbox checkout `checkout_url` names, as its payer would.
    pub async fn pay_checkout(&self, checkout_url: &str) {
        let response = self
            .client
            .post(format!("{checkout_url}/pay"))
            .send()
            .await
            .expect("the checkout answers");
        assert_eq!(response.status(), StatusCode::OK);
    }

    /// Polls until `check` holds, for effects of timers; panics after `timeout`.
    pub async fn eventually<F, Fut>(&self, timeout: Duration, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = tokio::time::Instant::now() + timeout;
        while !check().await {
            assert!(
                tokio::time::Instant::now() < deadline,
                "condition not met within {timeout:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            // Shut down in the background; the runtime may be ending.
            tokio::spawn(async move {
                let _ = running.shutdown().await;
            });
        }
    }
}

pub async fn read(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}
