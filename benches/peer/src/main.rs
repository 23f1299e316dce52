//! Errand against its peer: the same work — post a task with escrow, then
//! approve it — done by Errand's command bus and by the cqrs-es +
//! postgres-es way (one aggregate per commit, queries after each commit), on
//! the same PostgreSQL, at the same concurrency, in one run.
//!
//!   export CARGO_TARGET_DIR=/work/target-peer
//!   cargo run --release --manifest-path benches/peer/Cargo.toml -- \
//!       --clients 1,16,64 --seconds 10 --database-url postgres://postgres@127.0.0.1:5432/postgres
//!
//! A unit is one post and one approve: the two business commands counted on
//! both sides. The peer's unit is four commits (task, hold, task, capture),
//! each followed by its view's write. Errand's unit is four bus commands
//! (post, accept, submit, approve: the domain needs a submission to approve),
//! each one atomic append (the approval also pays the worker); post and
//! approve are the ones timed. So by default Errand does more per unit;
//! `--peer-full-lifecycle` gives the peer the same work (seven commits).
//! Each client posts from its own funded account on both sides, so neither
//! side waits on a hot aggregate. Every run gets a fresh database, dropped
//! at the end.

/// The allocator `errand` ships with (see its Cargo.toml), so Errand runs here as it runs
/// in production. The peer shares the process and so the allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cpu;
mod database;
mod errand_side;
mod measure;
mod peer;

use anyhow::Context;
use clap::{Parser, ValueEnum};
use measure::Measured;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(about = "Errand against cqrs-es + postgres-es doing the same work")]
struct Args {
    /// The PostgreSQL server to use; scratch databases are made beside this one.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    database_url: String,
    /// Concurrent clients, one run per value and side.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 16, 64])]
    clients: Vec<usize>,
    /// Which sides to run (both by default; one alone is for profiling).
    #[arg(long, value_delimiter = ',', value_enum, default_values_t = [Side::Peer, Side::Errand])]
    sides: Vec<Side>,
    /// How long each run drives its clients.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// The peer's pool size; default one connection per client, at least 10
    /// (postgres-es's `default_postgress_pool`) and at most 64.
    #[arg(long)]
    peer_pool_size: Option<u32>,
    /// Snapshot the peer's accounts every N events (`postgres_snapshot_cqrs`);
    /// default none: the plain event store `postgres_cqrs` builds, which
    /// loads an account's whole history on every command.
    #[arg(long)]
    peer_account_snapshot_every: Option<usize>,
    /// Have the peer do all of Errand's unit: a worker accepts and hands in
    /// work before the approval (two more task commits), and the approval
    /// also pays the worker (one more account commit). Default: the work the
    /// benchmark's definition gives the peer, post+hold and approve+capture.
    #[arg(long)]
    peer_full_lifecycle: bool,
}

/// Clients are tasks, cheap; past this a run measures the scheduler.
const CLIENTS_MAX: usize = 256;
/// postgres-es's own `default_postgress_pool` size.
const PEER_POOL_MIN: u32 = 10;
/// PostgreSQL allows 100 connections by default, and other work shares the
/// server; more connections than this did not make the peer faster here.
const PEER_POOL_MAX: u32 = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Side {
    Peer,
    Errand,
}

struct Row {
    side: Side,
    clients: usize,
    measured: Measured,
    /// Wall time the work took: the clients' run, plus for Errand the time
    /// its projector needed afterwards to make the read models current.
    elapsed: Duration,
    events: i64,
    /// Database commits per unit that carried the unit's writes.
    commits_per_unit: f64,
    cpu: cpu::CpuUsed,
    check: Option<String>,
    /// The 1-minute load average when the run ended.
    load: f64,
}

impl Row {
    fn units_per_second(&self) -> f64 {
        self.measured.units as f64 / self.elapsed.as_secs_f64()
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.clients.is_empty() || args.clients.iter().any(|&n| n == 0 || n > CLIENTS_MAX) {
        anyhow::bail!("--clients takes 1 to {CLIENTS_MAX} per run");
    }
    // Errand serves with this recorder installed; it also counts group commits.
    let metrics = errand::telemetry::install_metrics();
    let base = database::name_of(&args.database_url);
    let names = Names {
        peer: format!("{base}_peerbench_peer"),
        errand: format!("{base}_peerbench_errand"),
    };
    print_setup(&args).await?;
    let result = run_all(&args, &names, metrics.as_ref()).await;
    for name in [&names.peer, &names.errand] {
        if let Err(error) = database::drop(&args.database_url, name).await {
            eprintln!("could not drop {name}: {error:#}");
        }
    }
    let rows = result?;
    print_table(&rows);
    // A run whose work failed or whose read models disagree measured nothing worth comparing;
    // CI's short run relies on this exit status.
    let failed = rows
        .iter()
        .filter(|row| row.check.is_some() || row.measured.errors > 0)
        .count();
    if failed > 0 {
        anyhow::bail!("{failed} runs had errors or read models that disagree with the work");
    }
    Ok(())
}

struct Names {
    peer: String,
    errand: String,
}

async fn run_all(
    args: &Args,
    names: &Names,
    metrics: Option<&metrics_exporter_prometheus::PrometheusHandle>,
) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    for &clients in &args.clients {
        for &side in &args.sides {
            let row = match side {
                Side::Peer => run_peer(args, &names.peer, clients).await?,
                Side::Errand => run_errand(args, &names.errand, clients, metrics).await?,
            };
            if let Some(check) = &row.check {
                eprintln!("  {check}");
            }
            if row.measured.errors > 0 {
                eprintln!(
                    "  {} errors; the first: {}",
                    row.measured.errors,
                    row.measured.first_error.as_deref().unwrap_or("?")
                );
            }
            rows.push(row);
        }
    }
    Ok(rows)
}

async fn run_peer(args: &Args, database: &str, clients: usize) -> anyhow::Result<Row> {
    let options = peer::PeerOptions {
        pool_size: args.peer_pool_size.unwrap_or_else(|| {
            u32::try_from(clients)
                .unwrap_or(u32::MAX)
                .clamp(PEER_POOL_MIN, PEER_POOL_MAX)
        }),
        account_snapshot_every: args.peer_account_snapshot_every,
        full_lifecycle: args.peer_full_lifecycle,
    };
    println!(
        "peer, {clients} clients, {} s (pool {})…",
        args.seconds, options.pool_size
    );
    let url = database::recreate(&args.database_url, database).await?;
    let probe = cpu::CpuProbe {
        admin_url: args.database_url.clone(),
        database: database.to_owned(),
    };
    let duration = Duration::from_secs(args.seconds);
    let run = peer::run(&url, clients, duration, &options, &probe)
        .await
        .context("the peer's run")?;
    database::drop(&args.database_url, database).await?;
    let units = run.measured.units.max(1) as f64;
    Ok(Row {
        side: Side::Peer,
        clients,
        elapsed: run.measured.elapsed,
        // One event per commit here, and one view write after each.
        commits_per_unit: 2.0 * run.events as f64 / units,
        cpu: run.cpu,
        check: run.check,
        events: run.events,
        measured: run.measured,
        load: load_average(),
    })
}

async fn run_errand(
    args: &Args,
    database: &str,
    clients: usize,
    metrics: Option<&metrics_exporter_prometheus::PrometheusHandle>,
) -> anyhow::Result<Row> {
    println!("errand, {clients} clients, {} s…", args.seconds);
    let url = database::recreate(&args.database_url, database).await?;
    let probe = cpu::CpuProbe {
        admin_url: args.database_url.clone(),
        database: database.to_owned(),
    };
    let duration = Duration::from_secs(args.seconds);
    let run = errand_side::run(&url, clients, duration, metrics, &probe)
        .await
        .context("Errand's run")?;
    database::drop(&args.database_url, database).await?;
    let units = run.measured.units.max(1) as f64;
    println!(
        "  read models current {:.0} ms after the clients stopped; {:.1} requests per group \
         commit of {:.2} ms on average; the writer committed {:.0} % of the time",
        run.catch_up.as_secs_f64() * 1e3,
        run.grouped_requests as f64 / run.group_commits.max(1) as f64,
        run.committing.as_secs_f64() * 1e3 / run.group_commits.max(1) as f64,
        100.0 * run.committing.as_secs_f64() / run.measured.elapsed.as_secs_f64()
    );
    Ok(Row {
        side: Side::Errand,
        clients,
        elapsed: run.measured.elapsed + run.catch_up,
        commits_per_unit: run.group_commits as f64 / units,
        cpu: run.cpu,
        check: run.check,
        events: run.events,
        measured: run.measured,
        load: load_average(),
    })
}

async fn print_setup(args: &Args) -> anyhow::Result<()> {
    use sqlx::Connection;
    let mut connection = sqlx::PgConnection::connect(&args.database_url)
        .await
        .with_context(|| format!("connecting to {}", args.database_url))?;
    let version: String = sqlx::query_scalar("SHOW server_version")
        .fetch_one(&mut connection)
        .await?;
    let synchronous_commit: String = sqlx::query_scalar("SHOW synchronous_commit")
        .fetch_one(&mut connection)
        .await?;
    connection.close().await.ok();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "PostgreSQL {version} (synchronous_commit {synchronous_commit}), {cores} cores, load {:.2}",
        load_average()
    );
    println!(
        "peer: cqrs-es 0.5 + postgres-es 0.5, accounts {}, {}",
        match args.peer_account_snapshot_every {
            Some(every) => format!("snapshotted every {every} events"),
            None => "on the plain event store".to_owned(),
        },
        if args.peer_full_lifecycle {
            "full lifecycle (post+hold, accept, submit, approve+capture+payment)"
        } else {
            "post+hold, approve+capture"
        }
    );
    Ok(())
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Peer => "peer",
        Side::Errand => "errand",
    }
}

fn print_table(rows: &[Row]) {
    let ms = |us: u64| us as f64 / 1e3;
    println!();
    println!(
        "{:<7} {:>7} {:>9} {:>9} {:>8} {:>8} {:>9} {:>9} {:>6} {:>5}",
        "side",
        "clients",
        "units/s",
        "cmds/s",
        "p50 ms",
        "p99 ms",
        "post p99",
        "appr p99",
        "errors",
        "load"
    );
    for row in rows {
        let commands = row.measured.commands_us();
        println!(
            "{:<7} {:>7} {:>9.1} {:>9.1} {:>8.2} {:>8.2} {:>9.2} {:>9.2} {:>6} {:>5.2}",
            side_name(row.side),
            row.clients,
            row.units_per_second(),
            2.0 * row.units_per_second(),
            ms(commands.value_at_quantile(0.50)),
            ms(commands.value_at_quantile(0.99)),
            ms(row.measured.post_us.value_at_quantile(0.99)),
            ms(row.measured.approve_us.value_at_quantile(0.99)),
            row.measured.errors,
            row.load,
        );
    }

    println!();
    println!(
        "{:<7} {:>7} {:>8} {:>13} {:>14} {:>14}",
        "side", "clients", "ev/unit", "commits/unit", "app CPU ms/u", "pg CPU ms/u"
    );
    for row in rows {
        let units = row.measured.units.max(1) as f64;
        let per_unit_ms = |cpu: Duration| cpu.as_secs_f64() * 1e3 / units;
        println!(
            "{:<7} {:>7} {:>8.2} {:>13.2} {:>14.2} {:>14.2}",
            side_name(row.side),
            row.clients,
            row.events as f64 / units,
            row.commits_per_unit,
            per_unit_ms(row.cpu.this_process),
            per_unit_ms(row.cpu.database),
        );
    }

    let pairs: Vec<(&Row, &Row)> = rows
        .iter()
        .filter(|row| row.side == Side::Peer)
        .filter_map(|peer| {
            let errand = rows
                .iter()
                .find(|row| row.side == Side::Errand && row.clients == peer.clients)?;
            Some((peer, errand))
        })
        .collect();
    if !pairs.is_empty() {
        println!();
        println!("clients  errand/peer units/s  peer/errand p99");
        for (peer, errand) in pairs {
            let p99 = |row: &Row| row.measured.commands_us().value_at_quantile(0.99) as f64;
            println!(
                "{:>7}  {:>18.1}×  {:>14.1}×",
                peer.clients,
                errand.units_per_second() / peer.units_per_second().max(f64::MIN_POSITIVE),
                p99(peer) / p99(errand).max(1.0)
            );
        }
    }
    println!();
    println!(
        "units/s: post+approve pairs; cmds/s: twice that; p50/p99: post and approve together."
    );
    println!("Errand's units/s counts until its projector had made the read models current.");
    println!(
        "commits/unit: database commits carrying the unit's writes (peer: each event's commit"
    );
    println!("and each view's write; Errand: journal group commits, its projector's not counted).");
    println!("CPU per unit: this process (framework, or Errand's bus, journal and projector), and");
    println!("the PostgreSQL backends of the run's database (not the WAL writer or checkpointer).");
}

/// The 1-minute load average (0 where /proc is absent).
fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}
