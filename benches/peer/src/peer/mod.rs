//! The peer: the same work written the way a cqrs-es + postgres-es user
//! writes it. Two aggregates, each behind its own `postgres_cqrs` framework;
//! every `execute` loads the aggregate's events, commits its new events in a
//! transaction of its own, then runs the registered queries: a
//! `GenericQuery` per view, and the escrow process manager, whose account
//! command is one more load, commit and view update.

mod account;
mod task;
mod views;

use crate::cpu::{CpuProbe, CpuUsed};
use crate::measure::{self, Measured, UnitTimings};
use account::{PeerAccount, PeerAccountCommand};
use anyhow::Context;
use async_trait::async_trait;
use chrono::Utc;
use cqrs_es::persist::{GenericQuery, PersistenceError};
use cqrs_es::{EventEnvelope, Query};
use errand_aggregates::fee::FeePolicy;
use errand_aggregates::money::Money;
use postgres_es::{postgres_cqrs, postgres_snapshot_cqrs, PostgresCqrs, PostgresViewRepository};
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use task::{NewPeerTask, PeerTask, PeerTaskCommand, PeerTaskEvent};
use uuid::Uuid;
use views::{AccountView, TaskView};

/// postgres-es's `db/init.sql`: its events and snapshots tables, and one
/// table per `PostgresViewRepository`, named as the repository is.
const SCHEMA_SQL: &str = "
CREATE TABLE events
(
    aggregate_type text                         NOT NULL,
    aggregate_id   text                         NOT NULL,
    sequence       bigint CHECK (sequence >= 0) NOT NULL,
    event_type     text                         NOT NULL,
    event_version  text                         NOT NULL,
    payload        json                         NOT NULL,
    metadata       json                         NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);
CREATE TABLE snapshots
(
    aggregate_type   text                                 NOT NULL,
    aggregate_id     text                                 NOT NULL,
    last_sequence    bigint CHECK (last_sequence >= 0)    NOT NULL,
    current_snapshot bigint CHECK (current_snapshot >= 0) NOT NULL,
    payload          json                                 NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, last_sequence)
);
CREATE TABLE task_view
(
    view_id text                        NOT NULL,
    version bigint CHECK (version >= 0) NOT NULL,
    payload json                        NOT NULL,
    PRIMARY KEY (view_id)
);
CREATE TABLE account_view
(
    view_id text                        NOT NULL,
    version bigint CHECK (version >= 0) NOT NULL,
    payload json                        NOT NULL,
    PRIMARY KEY (view_id)
);
";

/// Each poster starts with ten million dollars: no unit is refused for funds.
const FUNDING_CENTS: i64 = 1_000_000_000;
/// What a task pays its one worker.
const REWARD_CENTS: i64 = 500;

pub struct PeerOptions {
    pub pool_size: u32,
    /// Snapshot accounts every this many events (postgres-es's snapshot
    /// store); `None`: the plain event store `postgres_cqrs` builds.
    pub account_snapshot_every: Option<usize>,
    /// Do all the work Errand's unit does: a worker accepts and hands in
    /// work before the approval, and the approval also pays the worker.
    pub full_lifecycle: bool,
}

/// Failures the framework hands to no caller: a query's or the process
/// manager's error happens after the commit `execute` reports.
#[derive(Default)]
struct Swallowed {
    count: AtomicU64,
    /// A std mutex: set once, never held across an await.
    first: Mutex<Option<String>>,
}

impl Swallowed {
    fn record(&self, error: String) {
        self.count.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut first) = self.first.lock() {
            first.get_or_insert(error);
        }
    }
}

/// Escrow as a process manager: cqrs-es commits one aggregate per call, so
/// the hold a posted task needs, and the capture its approval needs, are
/// commands on the poster's account, sent after the task's commit.
struct EscrowProcessManager {
    accounts: Arc<PostgresCqrs<PeerAccount>>,
    /// Credit the worker's account on approval, a commit of its own.
    pays_workers: bool,
    swallowed: Arc<Swallowed>,
}

impl EscrowProcessManager {
    /// The account commands a task event calls for, and on which account.
    fn commands_for(&self, event: &PeerTaskEvent) -> Vec<(String, PeerAccountCommand)> {
        match event {
            PeerTaskEvent::TaskPosted {
                task_id,
                poster_account,
                hold_id,
                escrow,
                at,
                ..
            } => vec![(
                poster_account.clone(),
                PeerAccountCommand::PlaceHold {
                    hold_id: *hold_id,
                    task_id: *task_id,
                    amount: *escrow,
                    at: *at,
                },
            )],
            PeerTaskEvent::TaskAccepted { .. } | PeerTaskEvent::WorkSubmitted { .. } => Vec::new(),
            PeerTaskEvent::SubmissionApproved {
                worker,
                poster_account,
                hold_id,
                gross,
                fee,
                at,
                ..
            } => {
                let mut commands = vec![(
                    poster_account.clone(),
                    PeerAccountCommand::CaptureHold {
                        hold_id: *hold_id,
                        gross: *gross,
                        fee: *fee,
                        payee: *worker,
                        at: *at,
                    },
                )];
                if self.pays_workers {
                    commands.push((
                        worker_account(*worker),
                        PeerAccountCommand::ReceivePayment {
                            hold_id: *hold_id,
                            payer: poster_account.clone(),
                            // The split summed to gross, so this cannot go below zero.
                            amount: Money::usd(gross.cents - fee.cents),
                            at: *at,
                        },
                    ));
                }
                commands
            }
        }
    }
}

#[async_trait]
impl Query<PeerTask> for EscrowProcessManager {
    async fn dispatch(&self, task_id: &str, events: &[EventEnvelope<PeerTask>]) {
        for envelope in events {
            for (account, command) in self.commands_for(&envelope.payload) {
                let metadata = HashMap::from([
                    ("causation_task".to_owned(), task_id.to_owned()),
                    (
                        "causation_sequence".to_owned(),
                        envelope.sequence.to_string(),
                    ),
                ]);
                if let Err(error) = self
                    .accounts
                    .execute_with_metadata(&account, command, metadata)
                    .await
                {
                    self.swallowed
                        .record(format!("escrow on {account} for task {task_id}: {error}"));
                }
            }
        }
    }
}

fn worker_account(worker: Uuid) -> String {
    format!("account-{worker}")
}

struct Peer {
    tasks: PostgresCqrs<PeerTask>,
    accounts: Arc<PostgresCqrs<PeerAccount>>,
}

fn wire(pool: &PgPool, options: &PeerOptions, swallowed: &Arc<Swallowed>) -> Peer {
    let on_error = |swallowed: &Arc<Swallowed>, view: &'static str| {
        let swallowed = swallowed.clone();
        Box::new(move |error: PersistenceError| swallowed.record(format!("{view}: {error}")))
    };
    let mut account_view = GenericQuery::new(Arc::new(PostgresViewRepository::<
        AccountView,
        PeerAccount,
    >::new("account_view", pool.clone())));
    account_view.use_error_handler(on_error(swallowed, "account_view"));
    let account_queries: Vec<Box<dyn Query<PeerAccount>>> = vec![Box::new(account_view)];
    let accounts = Arc::new(match options.account_snapshot_every {
        Some(every) => postgres_snapshot_cqrs(pool.clone(), account_queries, every, ()),
        None => postgres_cqrs(pool.clone(), account_queries, ()),
    });

    let mut task_view = GenericQuery::new(Arc::new(
        PostgresViewRepository::<TaskView, PeerTask>::new("task_view", pool.clone()),
    ));
    task_view.use_error_handler(on_error(swallowed, "task_view"));
    let escrow = EscrowProcessManager {
        accounts: accounts.clone(),
        pays_workers: options.full_lifecycle,
        swallowed: swallowed.clone(),
    };
    let tasks = postgres_cqrs(
        pool.clone(),
        vec![Box::new(task_view), Box::new(escrow)],
        (),
    );
    Peer { tasks, accounts }
}

struct PeerClient {
    peer: Arc<Peer>,
    account: String,
    worker: Uuid,
    fee: FeePolicy,
    full_lifecycle: bool,
}

/// Post (the task's commit, then the hold's), then approve (the task's
/// commit, then the capture's). With the full lifecycle, the worker accepts
/// and hands in work in between (untimed, as on Errand's side), and the
/// approval also pays the worker.
async fn unit(client: Arc<PeerClient>) -> anyhow::Result<UnitTimings> {
    let task_id = Uuid::now_v7();
    let aggregate_id = task_id.to_string();
    let metadata = |command: &str| {
        HashMap::from([
            ("request_id".to_owned(), Uuid::now_v7().to_string()),
            ("command".to_owned(), command.to_owned()),
            ("account".to_owned(), client.account.clone()),
        ])
    };
    let started = Instant::now();
    let post = PeerTaskCommand::PostTask(Box::new(NewPeerTask {
        task_id,
        poster_account: client.account.clone(),
        title: "Is the bakery open?".to_owned(),
        description: String::new(),
        kind: "general".to_owned(),
        reward: Money::usd(REWARD_CENTS),
        slots: 1,
        fee: client.fee,
        hold_id: Uuid::now_v7(),
        requires_submission: client.full_lifecycle,
        at: Utc::now(),
    }));
    client
        .peer
        .tasks
        .execute_with_metadata(&aggregate_id, post, metadata("PostTask"))
        .await
        .context("PostTask")?;
    let post = started.elapsed();

    let submission_id = Uuid::now_v7();
    if client.full_lifecycle {
        let accept = PeerTaskCommand::AcceptTask {
            assignment_id: Uuid::now_v7(),
            worker: client.worker,
            at: Utc::now(),
        };
        let tasks = &client.peer.tasks;
        tasks
            .execute_with_metadata(&aggregate_id, accept, metadata("AcceptTask"))
            .await
            .context("AcceptTask")?;
        let submit = PeerTaskCommand::SubmitWork {
            submission_id,
            worker: client.worker,
            proof: "Open 7 to 6".to_owned(),
            at: Utc::now(),
        };
        tasks
            .execute_with_metadata(&aggregate_id, submit, metadata("SubmitWork"))
            .await
            .context("SubmitWork")?;
    }

    let started = Instant::now();
    let approve = PeerTaskCommand::ApproveSubmission {
        submission_id,
        worker: client.worker,
        by_account: client.account.clone(),
        at: Utc::now(),
    };
    client
        .peer
        .tasks
        .execute_with_metadata(&aggregate_id, approve, metadata("ApproveSubmission"))
        .await
        .context("ApproveSubmission")?;
    Ok(UnitTimings {
        post,
        approve: started.elapsed(),
    })
}

pub struct PeerRun {
    pub measured: Measured,
    /// Events appended while the clients ran, from the events table.
    pub events: i64,
    pub cpu: CpuUsed,
    /// What the views disagree with the work on, if anything.
    pub check: Option<String>,
}

/// Runs `clients` clients for `duration` against a fresh, empty database at `url`.
pub async fn run(
    url: &str,
    clients: usize,
    duration: Duration,
    options: &PeerOptions,
    probe: &CpuProbe,
) -> anyhow::Result<PeerRun> {
    let pool = PgPoolOptions::new()
        .max_connections(options.pool_size)
        .connect(url)
        .await
        .context("connecting the peer's pool")?;
    sqlx::raw_sql(SCHEMA_SQL)
        .execute(&pool)
        .await
        .context("creating postgres-es's tables")?;
    let swallowed = Arc::new(Swallowed::default());
    let peer = Arc::new(wire(&pool, options, &swallowed));
    let fee = FeePolicy::percent("10").context("fee policy")?;
    let mut peer_clients = Vec::with_capacity(clients);
    for _ in 0..clients {
        let account = format!("account-{}", Uuid::now_v7());
        let fund = PeerAccountCommand::Fund {
            amount: Money::usd(FUNDING_CENTS),
            at: Utc::now(),
        };
        peer.accounts
            .execute(&account, fund)
            .await
            .context("funding a poster")?;
        peer_clients.push(PeerClient {
            peer: peer.clone(),
            account,
            worker: Uuid::now_v7(),
            fee,
            full_lifecycle: options.full_lifecycle,
        });
    }
    let events_before = count_events(&pool).await?;
    let cpu_before = probe.take().await?;
    let mut measured = measure::drive(peer_clients, duration, unit).await?;
    let cpu = probe.take().await?.since(&cpu_before);
    let events = count_events(&pool).await? - events_before;
    let check = check_views(&pool, measured.units).await?;
    let failures = swallowed.count.load(Ordering::Relaxed);
    measured.errors += failures;
    if measured.first_error.is_none() {
        measured.first_error = swallowed.first.lock().ok().and_then(|first| first.clone());
    }
    pool.close().await;
    Ok(PeerRun {
        measured,
        events,
        cpu,
        check,
    })
}

async fn count_events(pool: &PgPool) -> anyhow::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(pool)
        .await
        .context("counting the peer's events")
}

/// Every unit's task is completed in its view, and no account view still
/// holds money: the queries ran after every commit.
async fn check_views(pool: &PgPool, units: u64) -> anyhow::Result<Option<String>> {
    let (completed, held_cents): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM task_view WHERE payload->>'status' = 'completed'), \
                (SELECT coalesce(sum((payload->>'held_cents')::bigint), 0)::bigint FROM account_view)",
    )
    .fetch_one(pool)
    .await
    .context("reading the peer's views")?;
    Ok(crate::measure::disagreement(units, completed, held_cents))
}
