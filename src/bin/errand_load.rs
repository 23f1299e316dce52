//! `errand-load`: drives the HTTP API with concurrent clients and prints
//! throughput and latency percentiles.
//!
//!   errand-load --clients 64 --seconds 10                      # in-process server on a temp SQLite
//!   errand-load --database-url postgres://… --clients 64        # in-process server on PostgreSQL
//!   errand-load --url http://host:8080 --admin-key erk_…       # a running server
//!   errand-load --scenario lifecycle --rate 2000                # post, accept, submit, approve at a fixed rate
//!   errand-load --scenario humanping                            # post through HumanPing's POST /tasks
//!
//! The in-process server has no rate limits; a server given with --url has
//! its own, which one client's key or the setup's key issues may meet.

/// mimalloc rather than glibc's malloc: as `errand` itself (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::{bail, Context};
use clap::{Parser, ValueEnum};
use errand::config::Config;
use hdrhistogram::Histogram;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(Debug, Parser)]
struct Args {
    /// A running server; without it one is started in this process.
    #[arg(long)]
    url: Option<String>,
    /// An admin key of the running server given with --url.
    #[arg(long, env = "ERRAND_ADMIN_KEY")]
    admin_key: Option<String>,
    /// The database of the in-process server; default a temporary SQLite file.
    #[arg(long)]
    database_url: Option<String>,
    #[arg(long, default_value_t = 64)]
    clients: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Total commands per second across all clients; default as fast as possible.
    #[arg(long)]
    rate: Option<u64>,
    #[arg(long, value_enum, default_value_t = Scenario::Post)]
    scenario: Scenario,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Scenario {
    /// Post tasks with escrow.
    Post,
    /// Post, accept, submit and approve: four commands per task.
    Lifecycle,
    /// Post tasks through HumanPing's `POST /humanping/api/v1/tasks`, as
    /// agents registered through HumanPing (funded by an admin credit):
    /// the dialect's translation on top of `post`.
    #[value(name = "humanping")]
    HumanPing,
}

struct Target {
    base: String,
    admin_key: String,
    _server: Option<errand::server::Running>,
    _dir: Option<tempfile_dir::Dir>,
}

mod tempfile_dir {
    /// A directory removed on drop (the load generator must not need dev-dependencies).
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let target = target(&args).await?;
    let client = Client::builder()
        .pool_max_idle_per_host(args.clients)
        .build()?;
    let per_op = Arc::new(Mutex::new(std::collections::BTreeMap::<
        &'static str,
        Histogram<u64>,
    >::new()));
    let mut workers = Vec::new();
    println!("preparing {} clients ({:?})…", args.clients, args.scenario);
    for n in 0..args.clients {
        let agent = match args.scenario {
            Scenario::HumanPing => humanping_agent(&client, &target, n).await?,
            Scenario::Post | Scenario::Lifecycle => {
                actor(&client, &target, "agent", &format!("load-agent-{n}")).await?
            }
        };
        grant(&client, &target, &agent.0, 1_000_000_000).await?;
        let human = actor(&client, &target, "human", &format!("load-human-{n}")).await?;
        workers.push((agent, human));
    }
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let interval = args
        .rate
        .map(|rate| Duration::from_secs_f64(args.clients as f64 / rate.max(1) as f64));
    let started = Instant::now();
    let clients = workers.len().max(1) as u32;
    let mut handles = Vec::new();
    for (n, (agent, human)) in workers.into_iter().enumerate() {
        let client = client.clone();
        let base = target.base.clone();
        let per_op = per_op.clone();
        let scenario = args.scenario;
        handles.push(tokio::spawn(async move {
            let mut local = std::collections::BTreeMap::<&'static str, Histogram<u64>>::new();
            // Each client's ticks are offset by its share of the interval, so the
            // offered load arrives evenly instead of in bursts of every client at once.
            let mut ticker = interval.map(|interval| {
                let phase = interval * n as u32 / clients;
                tokio::time::interval_at(tokio::time::Instant::now() + phase, interval)
            });
            let mut commands = 0_u64;
            while Instant::now() < deadline {
                if let Some(ticker) = ticker.as_mut() {
                    ticker.tick().await;
                }
                let run = one_round(&client, &base, &agent.1, &human.1, scenario, &mut local).await;
                match run {
                    Ok(n) => commands += n,
                    Err(error) => eprintln!("client error: {error:#}"),
                }
            }
            let mut merged = per_op.lock().await;
            for (op, histogram) in local {
                let entry = merged.entry(op).or_insert_with(new_histogram);
                let _ = entry.add(&histogram);
            }
            commands
        }));
    }
    let mut commands = 0;
    for handle in handles {
        commands += handle.await?;
    }
    let elapsed = started.elapsed();
    println!(
        "\n{} commands in {:.2?}: {:.0} commands/s ({} clients, {:?}{})",
        commands,
        elapsed,
        commands as f64 / elapsed.as_secs_f64(),
        args.clients,
        args.scenario,
        args.rate
            .map(|r| format!(", offered {r}/s"))
            .unwrap_or_default()
    );
    for (op, histogram) in per_op.lock().await.iter() {
        println!(
            "  {op:<8} n={:<8} p50={:>7.2} ms  p99={:>7.2} ms  max={:>7.2} ms",
            histogram.len(),
            histogram.value_at_quantile(0.50) as f64 / 1_000.0,
            histogram.value_at_quantile(0.99) as f64 / 1_000.0,
            histogram.max() as f64 / 1_000.0
        );
    }
    if let Some(server) = target._server {
        server.shutdown().await?;
    }
    Ok(())
}

fn new_histogram() -> Histogram<u64> {
    // Microseconds, up to a minute, three significant figures.
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds")
}

async fn timed(
    local: &mut std::collections::BTreeMap<&'static str, Histogram<u64>>,
    op: &'static str,
    request: reqwest::RequestBuilder,
    expect: StatusCode,
) -> anyhow::Result<Value> {
    let start = Instant::now();
    let response = request.send().await?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let micros = start.elapsed().as_micros() as u64;
    local
        .entry(op)
        .or_insert_with(new_histogram)
        .record(micros.max(1))?;
    if status != expect {
        bail!("{op}: {status} {body}");
    }
    Ok(body)
}

async fn one_round(
    client: &Client,
    base: &str,
    agent_key: &str,
    human_key: &str,
    scenario: Scenario,
    local: &mut std::collections::BTreeMap<&'static str, Histogram<u64>>,
) -> anyhow::Result<u64> {
    if let Scenario::HumanPing = scenario {
        timed(
            local,
            "hp_post",
            client
                .post(format!("{base}{HUMANPING_API}/tasks"))
                .bearer_auth(agent_key)
                .json(&json!({ "description": "load", "budget_cents": 100 })),
            StatusCode::CREATED,
        )
        .await?;
        return Ok(1);
    }
    let posted = timed(
        local,
        "post",
        client
            .post(format!("{base}/v1/tasks"))
            .bearer_auth(agent_key)
            .json(&json!({ "title": "load", "reward_cents": 100 })),
        StatusCode::CREATED,
    )
    .await?;
    if let Scenario::Post = scenario {
        return Ok(1);
    }
    let task_id = posted["id"].as_str().context("task id")?;
    timed(
        local,
        "accept",
        client
            .post(format!("{base}/v1/tasks/{task_id}/accept"))
            .bearer_auth(human_key),
        StatusCode::CREATED,
    )
    .await?;
    let submitted = timed(
        local,
        "submit",
        client
            .post(format!("{base}/v1/tasks/{task_id}/submissions"))
            .bearer_auth(human_key)
            .json(&json!({ "proof": { "text": "done" } })),
        StatusCode::CREATED,
    )
    .await?;
    let submission = submitted["submission_id"]
        .as_str()
        .context("submission id")?;
    timed(
        local,
        "approve",
        client
            .post(format!("{base}/v1/submissions/{submission}/approve"))
            .bearer_auth(agent_key),
        StatusCode::OK,
    )
    .await?;
    Ok(4)
}

async fn target(args: &Args) -> anyhow::Result<Target> {
    if let Some(url) = &args.url {
        let admin_key = args
            .admin_key
            .clone()
            .context("--admin-key is needed with --url")?;
        return Ok(Target {
            base: url.trim_end_matches('/').to_owned(),
            admin_key,
            _server: None,
            _dir: None,
        });
    }
    let (database_url, dir) = match &args.database_url {
        Some(url) => (url.clone(), None),
        None => {
            let dir = std::env::temp_dir().join(format!("errand-load-{}", uuid::Uuid::now_v7()));
            std::fs::create_dir_all(&dir)?;
            (
                format!("sqlite://{}?mode=rwc", dir.join("load.db").display()),
                Some(tempfile_dir::Dir(dir)),
            )
        }
    };
    let running = errand::server::start(errand::server::ServeOptions {
        database_url,
        listen: "127.0.0.1:0".parse()?,
        config: Config {
            public_url: String::new(),
            // Load is measured as fast as the ledger goes; a server given
            // with --url keeps its own limits (ERRAND_RATE_LIMIT_*=0 lifts them).
            rate_limits: errand::http::rate_limit::RateLimits::unlimited(),
            ..Config::default()
        },
        metrics: None,
        payout_provider: None,
        payment_provider: None,
    })
    .await?;
    let admin_key = match &running.first_admin {
        Some(admin) => admin.secret.clone(),
        None => bail!("the database is not empty; give an empty one or use --url with --admin-key"),
    };
    Ok(Target {
        base: format!("http://{}", running.local_addr),
        admin_key,
        _server: Some(running),
        _dir: dir,
    })
}

async fn actor(
    client: &Client,
    target: &Target,
    kind: &str,
    name: &str,
) -> anyhow::Result<(String, String)> {
    let actor: Value = client
        .post(format!("{}/v1/actors", target.base))
        .bearer_auth(&target.admin_key)
        .json(&json!({ "kind": kind, "name": name }))
        .send()
        .await?
        .json()
        .await?;
    let id = actor["id"].as_str().context("actor id")?.to_owned();
    let key: Value = client
        .post(format!("{}/v1/actors/{id}/keys", target.base))
        .bearer_auth(&target.admin_key)
        .json(&json!({}))
        .send()
        .await?
        .json()
        .await?;
    Ok((id, key["secret"].as_str().context("secret")?.to_owned()))
}

/// Where HumanPing's agent API is served.
const HUMANPING_API: &str = "/humanping/api/v1";

/// An agent registered through HumanPing (public, by email): its ledger id
/// (the UUID behind `agent_<hex>`, for the admin credit) and `hp_live_` key.
async fn humanping_agent(
    client: &Client,
    target: &Target,
    n: usize,
) -> anyhow::Result<(String, String)> {
    let unique = uuid::Uuid::now_v7().simple();
    let response = client
        .post(format!("{}{HUMANPING_API}/agents/register", target.base))
        .json(&json!({ "name": format!("load-agent-{n}"), "email": format!("load-{unique}@load.example.com") }))
        .send()
        .await?;
    if response.status() != StatusCode::CREATED {
        bail!("humanping register: {}", response.text().await?);
    }
    let registered: Value = response.json().await?;
    let hex = registered["agent"]["id"]
        .as_str()
        .and_then(|id| id.strip_prefix("agent_"))
        .context("agent id")?;
    let id = uuid::Uuid::parse_str(hex)
        .context("agent id is hex")?
        .to_string();
    let key = registered["api_key"]
        .as_str()
        .context("api key")?
        .to_owned();
    Ok((id, key))
}

async fn grant(client: &Client, target: &Target, actor_id: &str, cents: i64) -> anyhow::Result<()> {
    let response = client
        .post(format!("{}/v1/admin/credits", target.base))
        .bearer_auth(&target.admin_key)
        .json(&json!({ "actor_id": actor_id, "amount_cents": cents, "reason": "load test" }))
        .send()
        .await?;
    if response.status() != StatusCode::CREATED {
        bail!("grant: {}", response.text().await?);
    }
    Ok(())
}
