//! Append throughput of the journal: one event per request, sent one after another, against
//! 64 and 256 requests in flight at once, where group commit shares one transaction (and one
//! fsync) among them. On SQLite (a temporary file) and, when `ERRAND_TEST_DATABASE_URL` is set,
//! on a fresh PostgreSQL database. Criterion reports events per second; the mean number of
//! requests per group transaction is printed after each benchmark.
//!
//! `cargo bench --bench journal_append`

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use errand::journal::testing::{
    create_postgres_database, drop_postgres_database, postgres_admin_url,
};
use errand::journal::{
    AppendBatch, GroupCommitStats, Journal, JournalOptions, NewEvent, StreamAppend,
};
use tokio::runtime::Runtime;
use tokio::task::JoinSet;
use uuid::Uuid;

/// Requests in flight at once in the concurrent cases.
const IN_FLIGHT: [u64; 2] = [64, 256];

fn append_throughput(criterion: &mut Criterion) {
    let runtime = Runtime::new().expect("a tokio runtime");
    let directory = tempfile::tempdir().expect("a temporary directory");
    let sqlite_url = format!(
        "sqlite://{}?mode=rwc",
        directory.path().join("bench.sqlite").display()
    );
    bench_backend(criterion, &runtime, "sqlite", &sqlite_url);

    if let Some(admin_url) = postgres_admin_url() {
        let postgres_url = runtime
            .block_on(create_postgres_database(&admin_url))
            .expect("a fresh PostgreSQL database");
        bench_backend(criterion, &runtime, "postgres", &postgres_url);
        runtime
            .block_on(drop_postgres_database(&admin_url, &postgres_url))
            .expect("the benchmark database is dropped");
    }
}

fn bench_backend(criterion: &mut Criterion, runtime: &Runtime, backend: &str, url: &str) {
    let journal = runtime
        .block_on(Journal::open(url, JournalOptions::default()))
        .expect("the journal opens");
    let mut group = criterion.benchmark_group(format!("journal_append/{backend}"));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));

    let before = journal.group_commit_stats();
    group.throughput(Throughput::Elements(1));
    group.bench_function("sequential", |bencher| {
        bencher
            .to_async(runtime)
            .iter(|| append_one_event(&journal));
    });
    report_grouping(backend, "sequential", before, journal.group_commit_stats());

    for in_flight in IN_FLIGHT {
        let before = journal.group_commit_stats();
        group.throughput(Throughput::Elements(in_flight));
        group.bench_with_input(
            BenchmarkId::new("concurrent", in_flight),
            &in_flight,
            |bencher, &in_flight| {
                bencher
                    .to_async(runtime)
                    .iter(|| append_concurrently(&journal, in_flight));
            },
        );
        let name = format!("concurrent/{in_flight}");
        report_grouping(backend, &name, before, journal.group_commit_stats());
    }
    group.finish();
    runtime.block_on(journal.close());
}

/// One event to a stream of its own, so no request conflicts with another.
fn one_event() -> AppendBatch {
    AppendBatch {
        streams: vec![StreamAppend {
            stream_id: format!("bench-{}", Uuid::now_v7()),
            expected_version: 0,
            events: vec![NewEvent {
                event_id: Uuid::now_v7(),
                event_type: "FundsDeposited".to_owned(),
                event_version: 1,
                payload: r#"{"amount_cents":1250,"currency":"USD"}"#.to_owned(),
                metadata: r#"{"actor":"actor-bench","request_id":"bench"}"#.to_owned(),
            }],
        }],
        idempotency: None,
    }
}

async fn append_one_event(journal: &Journal) {
    journal
        .append(one_event())
        .await
        .expect("the append succeeds");
}

async fn append_concurrently(journal: &Journal, in_flight: u64) {
    let mut appends = JoinSet::new();
    for _ in 0..in_flight {
        let journal = journal.clone();
        appends.spawn(async move { journal.append(one_event()).await });
    }
    while let Some(appended) = appends.join_next().await {
        appended
            .expect("the task finishes")
            .expect("the append succeeds");
    }
}

fn report_grouping(backend: &str, name: &str, before: GroupCommitStats, after: GroupCommitStats) {
    let groups = after.groups_committed - before.groups_committed;
    let requests = after.requests_committed - before.requests_committed;
    let per_group = if groups == 0 {
        0.0
    } else {
        requests as f64 / groups as f64
    };
    println!(
        "journal_append/{backend}/{name}: {requests} requests in {groups} transactions, \
         {per_group:.1} requests per transaction"
    );
}

criterion_group!(benches, append_throughput);
criterion_main!(benches);
