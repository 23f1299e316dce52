//! Starting Errand: open the journal (migrating it), start the projections
//! and timers, make the first admin on an empty ledger, and serve HTTP.

use crate::bootstrap::{create_actor_with_key, CreatedKey};
use crate::bus::{commands, CommandBus, CommandContext};
use crate::config::Config;
use crate::http::state::{AppState, Services};
use crate::journal::{Backend, Journal, JournalOptions};
use crate::payments::{dispatch, AutoReloader, PaymentProvider, PayoutProvider, Sandbox};
use crate::runtime::{AutoBidOptions, AutoBidRunner, ChargeSweeper, PayoutSweeper, PollerHandle};
use crate::runtime::{
    DispatcherHandle, DispatcherOptions, Lease, ProjectionRunner, ProjectorOptions, TimerOptions,
    TimerRunner, WebhookDispatcher, LEASE_INTERVAL_DEFAULT,
};
use crate::server_secret::ServerSecret;
use anyhow::Context;
use chrono::Utc;
use errand_aggregates::actor::Role;
use errand_aggregates::contract::ContractCommand;
use errand_aggregates::deposit::DepositStatus;
use errand_aggregates::ids::{AssignmentId, ContractId, FundingId, PayoutId, SubmissionId, TaskId};
use errand_aggregates::payout::PayoutStatus;
use errand_aggregates::task::TaskCommand;
use errand_projections::deposits::DepositRow;
use errand_projections::payouts::PayoutRow;
use errand_projections::{ReadModel, Timer, TimerKind};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct ServeOptions {
    pub database_url: String,
    pub listen: SocketAddr,
    pub config: Config,
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    /// Where payouts go; `None`: the sandbox (tests bring one that fails).
    pub payout_provider: Option<Arc<dyn PayoutProvider>>,
    /// Where deposits are paid; `None`: the sandbox.
    pub payment_provider: Option<Arc<dyn PaymentProvider>>,
}

pub struct Running {
    pub local_addr: SocketAddr,
    /// The admin key made on the first start of an empty ledger.
    pub first_admin: Option<CreatedKey>,
    pub state: AppState,
    timers: PollerHandle,
    webhooks: DispatcherHandle,
    autobids: PollerHandle,
    payout_sweep: PollerHandle,
    charge_sweep: PollerHandle,
    shutdown: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting requests, finishes those in flight, stops the runners.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(());
        self.server
            .await
            .context("server task")?
            .context("serving")?;
        self.timers.stop().await;
        self.webhooks.stop().await;
        self.autobids.stop().await;
        self.payout_sweep.stop().await;
        self.charge_sweep.stop().await;
        self.state.projections.stop().await;
        // Only now may another instance take the duties over.
        self.state.lease.release().await;
        self.state.bus.journal().close().await;
        Ok(())
    }

    /// Serves until the process is told to stop (Ctrl-C or SIGTERM).
    pub async fn until_signalled(self) -> anyhow::Result<()> {
        shutdown_signal().await;
        tracing::info!("shutting down");
        self.shutdown().await
    }
}

pub async fn start(options: ServeOptions) -> anyhow::Result<Running> {
    let journal = Journal::open(&options.database_url, JournalOptions::default())
        .await
        .context("opening the journal")?;
    let lease = match journal.backend() {
        Backend::Sqlite => Lease::sole(),
        Backend::Postgres => Lease::contend(&options.database_url, LEASE_INTERVAL_DEFAULT).await,
    };
    let projections = ProjectionRunner::start_leased(
        journal.clone(),
        ReadModel::all(),
        ProjectorOptions::default(),
        lease.clone(),
    );
    let bus = CommandBus::new(journal.clone());
    // Of instances starting together on an empty ledger, only the one that
    // leads makes the first admin.
    let first_admin = if lease.is_held() && journal.head().await? == 0 {
        Some(create_actor_with_key(&bus, Role::Admin, "admin").await?)
    } else {
        None
    };
    let listener = TcpListener::bind(options.listen)
        .await
        .with_context(|| format!("binding {}", options.listen))?;
    let local_addr = listener.local_addr()?;
    let mut config = options.config;
    if config.public_url.is_empty() {
        config.public_url = format!("http://{local_addr}");
    }
    let secret = ServerSecret::load(journal.pool(), config.secret_key.as_deref())
        .await
        .context("loading the server secret")?;
    let identity = crate::identity::Identity::new(&config, &secret);
    let payments: Arc<dyn PaymentProvider> = options.payment_provider.unwrap_or_else(|| {
        Arc::new(Sandbox {
            base_url: config.public_url.clone(),
        })
    });
    bus.install_top_ups(Arc::new(AutoReloader {
        provider: payments.clone(),
    }));
    let humai_streams = Arc::new(tokio::sync::Semaphore::new(
        config.humai_stream_subscribers as usize,
    ));
    let state = AppState(Arc::new(Services {
        identity,
        secret,
        bus,
        projections,
        lease,
        payments,
        payouts: options.payout_provider.unwrap_or_else(|| {
            Arc::new(Sandbox {
                base_url: config.public_url.clone(),
            })
        }),
        config,
        metrics: options.metrics,
        humai_streams,
    }));
    let timers = start_timers(&state);
    let webhooks = start_webhooks(&state)?;
    let autobids = start_autobids(&state);
    let payout_sweep = start_payout_sweep(&state);
    let charge_sweep = start_charge_sweep(&state);
    let (shutdown, signal) = oneshot::channel::<()>();
    let app = crate::http::app(state.clone());
    let server = tokio::spawn(async move {
        // The peer's address keys unauthenticated callers' rate limits.
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = signal.await;
        })
        .await
    });
    tracing::info!(%local_addr, "errand is serving");
    Ok(Running {
        local_addr,
        first_admin,
        state,
        timers,
        webhooks,
        autobids,
        payout_sweep,
        charge_sweep,
        shutdown,
        server,
    })
}

/// Due timers become commands through the bus, like any request.
fn start_timers(state: &AppState) -> PollerHandle {
    let fire_state = state.clone();
    let options = TimerOptions {
        interval: state.config.timer_interval,
        ..TimerOptions::default()
    };
    TimerRunner::start_leased(
        state.bus.journal().pool().clone(),
        state.lease.clone(),
        options,
        move |timer: Timer| {
            let state = fire_state.clone();
            async move { fire(&state, timer).await }
        },
    )
}

/// Due webhook deliveries are sent by the courier, which records each
/// attempt through the bus.
fn start_webhooks(state: &AppState) -> anyhow::Result<DispatcherHandle> {
    let courier = Arc::new(
        crate::webhooks::Courier::new(state.clone()).context("building the webhook client")?,
    );
    let options = DispatcherOptions {
        interval: state.config.webhooks.dispatch_interval,
        ..DispatcherOptions::default()
    };
    Ok(WebhookDispatcher::start_leased(
        state.bus.journal().pool().clone(),
        state.lease.clone(),
        state.projections.clone(),
        options,
        move |delivery| {
            let courier = Arc::clone(&courier);
            async move { courier.deliver(delivery).await }
        },
    ))
}

async fn fire(state: &AppState, timer: Timer) -> Result<(), String> {
    if timer.kind == TimerKind::ExpireBid {
        return expire_bid(state, &timer.target_id).await;
    }
    if timer.kind == TimerKind::AutoAcceptContract {
        return fire_contract(state, timer).await;
    }
    let task_id = TaskId::parse(&timer.task_id).ok_or("timer names no task")?;
    let target = uuid::Uuid::parse_str(&timer.target_id).ok();
    let context = CommandContext::system("timers", command_name(timer.kind));
    let kind = timer.kind;
    crate::execute!(state.bus, &context, |unit| {
        let at = Utc::now();
        let command = match (kind, target) {
            (TimerKind::ExpireTask, _) => TaskCommand::Expire { at },
            (TimerKind::AbandonAssignment, Some(id)) => TaskCommand::AbandonAssignment {
                assignment_id: AssignmentId(id),
                at,
            },
            (TimerKind::AutoApprove, Some(id)) => TaskCommand::AutoApprove {
                submission_id: SubmissionId(id),
                at,
            },
            _ => return Err(errand_aggregates::DomainError::NotFound("timer target").into()),
        };
        commands::on_task(unit, task_id, &command).await?;
        Ok(())
    })
    .map(|_| ())
    .map_err(|error| error.to_string())
}

/// A bid's seven days ran out: `BidAction::Expire`, with what it implies
/// for the listing, acted in the bid's mode on its listing owner's behalf
/// (expiry asks nothing of who acts).
async fn expire_bid(state: &AppState, bid_id: &str) -> Result<(), String> {
    let bid_id = uuid::Uuid::parse_str(bid_id)
        .map(errand_aggregates::ids::BidId)
        .map_err(|_| "timer names no bid")?;
    let context = CommandContext::system("timers", command_name(TimerKind::ExpireBid));
    let fee = state.config.humai_fee;
    crate::execute!(state.bus, &context, |unit| {
        let bid = unit
            .load::<errand_aggregates::bid::Bid>(&commands::bid_stream(bid_id))
            .await?;
        let owner = bid
            .listing_owner
            .ok_or(errand_aggregates::DomainError::NotFound("bid"))?;
        let by = commands::caller(unit, owner).await?;
        let expire = commands::BidAnswer::Expire;
        commands::on_bid(unit, by, bid.mode, bid_id, expire, fee, Utc::now()).await?;
        Ok(())
    })
    .map(|_| ())
    .map_err(|error| error.to_string())
}

/// A Humai contract's review window ran out: whatever awaits review is
/// accepted, and the seller paid, unless the contract says otherwise.
async fn fire_contract(state: &AppState, timer: Timer) -> Result<(), String> {
    let contract_id = ContractId::parse(&timer.target_id).ok_or("timer names no contract")?;
    let context = CommandContext::system("timers", command_name(timer.kind));
    crate::execute!(state.bus, &context, |unit| {
        let command = ContractCommand::AutoAccept { at: Utc::now() };
        commands::on_contract(unit, contract_id, &command).await?;
        Ok(())
    })
    .map(|_| ())
    .map_err(|error| error.to_string())
}

fn command_name(kind: TimerKind) -> &'static str {
    match kind {
        TimerKind::ExpireTask => "ExpireTask",
        TimerKind::AbandonAssignment => "AbandonAssignment",
        TimerKind::AutoApprove => "AutoApprove",
        TimerKind::AutoAcceptContract => "AutoAcceptContract",
        TimerKind::ExpireBid => "ExpireBid",
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

/// Payouts left pending (a crash between the request and the provider's
/// answer, a provider that did not answer) are sent again, under the same
/// idempotency key, without waiting for their client to repeat the request.
fn start_payout_sweep(state: &AppState) -> PollerHandle {
    let send_state = state.clone();
    PayoutSweeper::start_leased(
        state.bus.journal().pool().clone(),
        state.lease.clone(),
        state.config.payout_sweep,
        move |payout| {
            let state = send_state.clone();
            async move { send_pending_payout(&state, payout).await }
        },
    )
}

/// Sends one pending payout; `Err` while it stays pending, so it backs off.
async fn send_pending_payout(state: &AppState, payout: PayoutRow) -> Result<(), String> {
    let payout_id = PayoutId::parse(&payout.payout_id).ok_or("the row names no payout")?;
    let dispatched = dispatch::send(&state.bus, state.payouts.as_ref(), payout_id)
        .await
        .map_err(|error| error.to_string())?;
    match dispatched.payout.status {
        PayoutStatus::Pending => Err("the payout provider did not answer".to_owned()),
        PayoutStatus::Paid | PayoutStatus::Failed => Ok(()),
    }
}

/// Charges of saved methods left pending are asked about again, under the
/// deposit's id, so a charge the provider made is credited without the owner.
fn start_charge_sweep(state: &AppState) -> PollerHandle {
    let charge_state = state.clone();
    ChargeSweeper::start_leased(
        state.bus.journal().pool().clone(),
        state.lease.clone(),
        state.config.charge_sweep,
        move |deposit| {
            let state = charge_state.clone();
            async move { charge_pending_deposit(&state, deposit).await }
        },
    )
}

/// Asks about one pending charge; `Err` while it stays pending, so it backs off.
async fn charge_pending_deposit(state: &AppState, deposit: DepositRow) -> Result<(), String> {
    let funding_id = FundingId::parse(&deposit.funding_id).ok_or("the row names no deposit")?;
    let deposit =
        crate::payments::charges::charge_pending(&state.bus, state.payments.as_ref(), funding_id)
            .await
            .map_err(|error| error.to_string())?;
    match deposit.status {
        DepositStatus::Pending => Err("the payment provider did not answer".to_owned()),
        DepositStatus::Completed | DepositStatus::Failed => Ok(()),
    }
}

/// Each new buy listing an enabled auto-bidding rule matches becomes the
/// rule's bid, placed through the bus like any request.
fn start_autobids(state: &AppState) -> PollerHandle {
    let place_state = state.clone();
    let options = AutoBidOptions {
        interval: state.config.timer_interval,
        ..AutoBidOptions::default()
    };
    AutoBidRunner::start_leased(
        state.bus.journal().pool().clone(),
        state.lease.clone(),
        options,
        move |attempt| {
            let state = place_state.clone();
            async move { crate::auto_bidder::place_attempt(&state, attempt).await }
        },
    )
}
