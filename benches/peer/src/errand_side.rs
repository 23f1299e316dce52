//! Errand doing the same work through its own command bus, in process, on a
//! server started as `errand serve` starts one (journal, projector, timers,
//! lease), so the read models are built while the clients run.

use crate::cpu::{CpuProbe, CpuUsed};
use crate::measure::{self, Measured, UnitTimings};
use anyhow::Context;
use chrono::Utc;
use errand::bus::{commands, CommandBus, CommandContext};
use errand::config::Config;
use errand::server::{self, ServeOptions};
use errand_aggregates::account::AccountId;
use errand_aggregates::actor::{Caller, Role};
use errand_aggregates::fee::FeePolicy;
use errand_aggregates::ids::{ActorId, AssignmentId, FundingId, HoldId, SubmissionId, TaskId};
use errand_aggregates::mode::Mode;
use errand_aggregates::money::Money;
use errand_aggregates::task::{AssignmentMode, NewTask, Proof, TaskCommand};
use errand_aggregates::Timestamp;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The same as the peer's: no unit is refused for funds.
const FUNDING_CENTS: i64 = 1_000_000_000;
const REWARD_CENTS: i64 = 500;
/// The native API's defaults (`src/http/native/tasks.rs`).
const ASSIGNMENT_TIME_LIMIT_S: u32 = 24 * 3600;
const REVIEW_WINDOW_S: u32 = 72 * 3600;
/// How long the read models may take to catch up once the clients stop.
const CATCH_UP_TIMEOUT: Duration = Duration::from_secs(60);

pub struct ErrandRun {
    pub measured: Measured,
    /// After the clients stopped, until the projector had applied the last append.
    pub catch_up: Duration,
    pub events: i64,
    /// Journal transactions (group commits) and the requests they carried.
    pub group_commits: u64,
    pub grouped_requests: u64,
    /// Time the journal's writer spent in group transactions.
    pub committing: Duration,
    /// Including the projector's catch-up.
    pub cpu: CpuUsed,
    /// What the read models disagree with the work on, if anything.
    pub check: Option<String>,
}

struct ErrandClient {
    state: errand::http::state::AppState,
    poster: ActorId,
    worker: ActorId,
    fee: FeePolicy,
}

/// One task command by `actor`, as a native handler runs it: the caller is
/// loaded in the unit, the task decides, its accounts decide, one append.
async fn on_task(
    bus: &CommandBus,
    name: &'static str,
    actor: ActorId,
    task_id: TaskId,
    make: impl Fn(Caller, Timestamp) -> TaskCommand,
) -> anyhow::Result<()> {
    let mut context = CommandContext::system("peer-bench", name);
    context.actor = Some(actor.to_string());
    errand::execute!(bus, &context, |unit| {
        let by = commands::caller(unit, actor).await?;
        commands::on_task(unit, task_id, &make(by, Utc::now())).await?;
        Ok(())
    })
    .with_context(|| name.to_owned())?;
    Ok(())
}

/// Post (task and hold in one append); the worker accepts and submits; the
/// poster approves (capture and payment in one append). Post and approve are
/// timed: they are the business commands the peer's units also carry.
async fn unit(client: Arc<ErrandClient>) -> anyhow::Result<UnitTimings> {
    let bus = &client.state.bus;
    let task_id = TaskId(Uuid::now_v7());
    let new_task = Box::new(NewTask {
        task_id,
        hold_id: HoldId(Uuid::now_v7()),
        mode: Mode::Live,
        title: "Is the bakery open?".to_owned(),
        description: String::new(),
        kind: "general".to_owned(),
        details: serde_json::json!({}),
        reward: Money::usd(REWARD_CENTS),
        slots: 1,
        assignment: AssignmentMode::FirstAccept,
        fee: client.fee,
        deadline: None,
        assignment_time_limit_s: Some(ASSIGNMENT_TIME_LIMIT_S),
        review_window_s: Some(REVIEW_WINDOW_S),
    });
    let started = Instant::now();
    on_task(bus, "PostTask", client.poster, task_id, |by, at| {
        TaskCommand::Post {
            task: new_task.clone(),
            by,
            at,
        }
    })
    .await?;
    let post = started.elapsed();

    let assignment_id = AssignmentId(Uuid::now_v7());
    on_task(bus, "AcceptTask", client.worker, task_id, |by, at| {
        TaskCommand::Accept {
            assignment_id,
            by,
            at,
        }
    })
    .await?;
    let submission_id = SubmissionId(Uuid::now_v7());
    on_task(bus, "SubmitWork", client.worker, task_id, |by, at| {
        TaskCommand::Submit {
            submission_id,
            proof: Proof::text("Open 7 to 6"),
            by,
            at,
        }
    })
    .await?;

    let started = Instant::now();
    on_task(
        bus,
        "ApproveSubmission",
        client.poster,
        task_id,
        |by, at| TaskCommand::Approve {
            submission_id,
            by,
            at,
        },
    )
    .await?;
    Ok(UnitTimings {
        post,
        approve: started.elapsed(),
    })
}

async fn register(bus: &CommandBus, role: Role, name: String) -> anyhow::Result<ActorId> {
    let actor_id = ActorId(Uuid::now_v7());
    let context = CommandContext::system("peer-bench", "RegisterActor");
    errand::execute!(bus, &context, |unit| {
        commands::register_actor(unit, actor_id, role, name.clone(), None, Utc::now()).await?;
        Ok(())
    })
    .context("registering an actor")?;
    Ok(actor_id)
}

async fn fund(bus: &CommandBus, admin: ActorId, poster: ActorId) -> anyhow::Result<()> {
    let context = CommandContext::system("peer-bench", "GrantCredit");
    errand::execute!(bus, &context, |unit| {
        let by = commands::caller(unit, admin).await?;
        commands::grant_credit(
            unit,
            by,
            AccountId::usd(poster, Mode::Live),
            FundingId(Uuid::now_v7()),
            Money::usd(FUNDING_CENTS),
            "peer benchmark funding".to_owned(),
            Utc::now(),
        )
        .await?;
        Ok(())
    })
    .context("funding a poster")?;
    Ok(())
}

/// Runs `clients` clients for `duration` against a fresh, empty database at `url`.
pub async fn run(
    url: &str,
    clients: usize,
    duration: Duration,
    metrics: Option<&PrometheusHandle>,
    probe: &CpuProbe,
) -> anyhow::Result<ErrandRun> {
    let running = server::start(ServeOptions {
        database_url: url.to_owned(),
        listen: "127.0.0.1:0".parse().context("listen address")?,
        config: Config::default(),
        metrics: None,
        payout_provider: None,
        payment_provider: None,
    })
    .await
    .context("starting Errand")?;
    let admin = running
        .first_admin
        .as_ref()
        .map(|key| key.actor_id)
        .context("a fresh ledger makes its first admin")?;
    let state = running.state.clone();
    let mut errand_clients = Vec::with_capacity(clients);
    for n in 0..clients {
        let poster = register(&state.bus, Role::Agent, format!("poster-{n}")).await?;
        let worker = register(&state.bus, Role::Human, format!("worker-{n}")).await?;
        fund(&state.bus, admin, poster).await?;
        errand_clients.push(ErrandClient {
            state: state.clone(),
            poster,
            worker,
            fee: state.config.native_fee,
        });
    }
    let journal = state.bus.journal();
    let head_before = journal.head().await.context("journal head")?;
    let groups_before = GroupCommits::read(metrics);
    let cpu_before = probe.take().await?;
    let measured = measure::drive(errand_clients, duration, unit).await?;
    let stopped = Instant::now();
    state
        .projections
        .wait_for_head(CATCH_UP_TIMEOUT)
        .await
        .map_err(|lagging| anyhow::anyhow!("the read models did not catch up: {lagging:?}"))?;
    let catch_up = stopped.elapsed();
    let cpu = probe.take().await?.since(&cpu_before);
    let events = journal.head().await.context("journal head")? - head_before;
    let groups = GroupCommits::read(metrics).since(&groups_before);
    let check = check_read_models(url, measured.units).await?;
    drop(state);
    running.shutdown().await.context("stopping Errand")?;
    Ok(ErrandRun {
        measured,
        catch_up,
        events,
        group_commits: groups.count,
        grouped_requests: groups.requests,
        committing: Duration::from_secs_f64(groups.seconds.max(0.0)),
        cpu,
        check,
    })
}

/// Every unit's task is completed in the read models and no account still
/// holds money: the projector applied everything.
async fn check_read_models(url: &str, units: u64) -> anyhow::Result<Option<String>> {
    use sqlx::Connection;
    let mut connection = sqlx::PgConnection::connect(url)
        .await
        .context("connecting to Errand's database")?;
    let (completed, held_cents): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM tasks_view WHERE status = 'completed'), \
                (SELECT coalesce(sum(held_cents), 0)::bigint FROM accounts_view)",
    )
    .fetch_one(&mut connection)
    .await
    .context("reading Errand's read models")?;
    connection.close().await.ok();
    Ok(measure::disagreement(units, completed, held_cents))
}

/// The journal's group commits so far, from the histogram of requests per
/// commit the writer records (`errand_journal_batch_requests`).
#[derive(Default)]
struct GroupCommits {
    count: u64,
    requests: u64,
    /// Time the writer spent committing (`errand_journal_group_commit_seconds`).
    seconds: f64,
}

impl GroupCommits {
    fn read(metrics: Option<&PrometheusHandle>) -> GroupCommits {
        let Some(metrics) = metrics else {
            return GroupCommits::default();
        };
        let rendered = metrics.render();
        let value = |name: &str| -> f64 {
            rendered
                .lines()
                .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
                .and_then(|value| value.trim().parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        GroupCommits {
            count: value("errand_journal_batch_requests_count") as u64,
            requests: value("errand_journal_batch_requests_sum") as u64,
            seconds: value("errand_journal_group_commit_seconds_sum"),
        }
    }

    fn since(&self, before: &GroupCommits) -> GroupCommits {
        GroupCommits {
            count: self.count.saturating_sub(before.count),
            requests: self.requests.saturating_sub(before.requests),
            seconds: self.seconds - before.seconds,
        }
    }
}
