//! `errand`: serve (the default), migrate, verify, replay, export, admin,
//! demo. Every option is also an environment variable.

use crate::config::{database_url, Config};
use crate::http::rate_limit::{
    RateLimits, AUTH_PER_MINUTE_DEFAULT, READS_PER_MINUTE_DEFAULT, WRITES_PER_MINUTE_DEFAULT,
};
use crate::journal::{Journal, JournalOptions};
use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use errand_aggregates::actor::Role;
use errand_aggregates::fee::FeePolicy;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "errand",
    version,
    about = "A self-hosted marketplace where AI agents pay people for work"
)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone)]
pub struct DatabaseArgs {
    /// PostgreSQL (postgres://…) or SQLite (sqlite://…) URL; default: SQLite in the data directory.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Where the SQLite database lives when no database URL is given.
    #[arg(long, env = "ERRAND_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
}

impl DatabaseArgs {
    pub fn url(&self) -> anyhow::Result<String> {
        database_url(self.database_url.as_deref(), &self.data_dir)
    }

    pub async fn open(&self) -> anyhow::Result<Journal> {
        Journal::open(&self.url()?, JournalOptions::default())
            .await
            .context("opening the journal")
    }
}

#[derive(Debug, Subcommand)]
// Parsed once at start: the size of its largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Serve the HTTP API (the default).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Check the ledger's invariants; exits non-zero on any breach.
    Verify,
    /// Rebuild every read model from the journal.
    Replay,
    /// Write events as JSON lines to standard output.
    Export {
        /// Only events after this journal position.
        #[arg(long, default_value_t = 0)]
        after: i64,
    },
    /// Operator actions.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// A narrated walkthrough on a temporary database.
    Demo,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Register an actor and print a new key for it (the secret is the last line).
    CreateKey {
        #[arg(long, value_enum)]
        role: RoleArg,
        #[arg(long, default_value = "operator-made")]
        name: String,
        /// The key's API: erk (native), hm (Humai), hp, ih or sk.
        #[arg(long, value_enum, default_value = "erk")]
        prefix: PrefixArg,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PrefixArg {
    Erk,
    Hm,
    Hp,
    Ih,
    Sk,
}

impl PrefixArg {
    fn as_str(self) -> &'static str {
        match self {
            PrefixArg::Erk => "erk",
            PrefixArg::Hm => "hm",
            PrefixArg::Hp => "hp",
            PrefixArg::Ih => "ih",
            PrefixArg::Sk => "sk",
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Admin,
    Agent,
    Human,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Role {
        match role {
            RoleArg::Admin => Role::Admin,
            RoleArg::Agent => Role::Agent,
            RoleArg::Human => Role::Human,
        }
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[arg(long, env = "ERRAND_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: Option<SocketAddr>,
    /// How clients reach this server, for links it hands out; default http://<listen>.
    #[arg(long, env = "ERRAND_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The platform's fee on native-API task rewards, in percent.
    #[arg(long, env = "ERRAND_NATIVE_FEE_PERCENT", default_value = "10")]
    pub native_fee_percent: String,
    /// HumanPing's commission on task budgets, in percent.
    #[arg(long, env = "ERRAND_HUMANPING_FEE_PERCENT", default_value = "18")]
    pub humanping_fee_percent: String,
    /// Humans2AI's platform fee on task budgets, in percent.
    #[arg(long, env = "ERRAND_HUMANS2AI_FEE_PERCENT", default_value = crate::config::HUMANS2AI_FEE_PERCENT_DEFAULT)]
    pub humans2ai_fee_percent: String,
    /// InstaHuman's platform fee on job rewards, in percent.
    #[arg(long, env = "ERRAND_INSTAHUMAN_FEE_PERCENT", default_value = crate::config::INSTAHUMAN_FEE_PERCENT_DEFAULT)]
    pub instahuman_fee_percent: String,
    /// A JSON file replacing InstaHuman's default catalogs:
    /// {"categories": [...], "filters": [...], "interests": [...], "equipment": [...]}.
    #[arg(long, env = "ERRAND_INSTAHUMAN_CATALOG_FILE")]
    pub instahuman_catalog_file: Option<std::path::PathBuf>,
    /// The InstaHuman web app's origin (https://app.example.com), allowed cross-origin requests.
    #[arg(long, env = "ERRAND_INSTAHUMAN_WEB_ORIGIN")]
    pub instahuman_web_origin: Option<String>,
    /// Development: any localhost origin may call the InstaHuman API from a browser.
    #[arg(long, env = "ERRAND_INSTAHUMAN_DEVELOPMENT", default_value_t = false, action = clap::ArgAction::Set)]
    pub instahuman_development: bool,
    /// A JSON file replacing the Risk Gate's default list:
    /// {"refusedCategories": [...], "rules": [{"name": ..., "phrases": [...]}]}.
    #[arg(long, env = "ERRAND_RISK_GATE_FILE")]
    pub risk_gate_file: Option<std::path::PathBuf>,
    /// How often due timers are looked for, in milliseconds.
    #[arg(long, env = "ERRAND_TIMER_INTERVAL_MS", default_value_t = 500)]
    pub timer_interval_ms: u64,
    /// Log as JSON lines instead of text.
    #[arg(long, env = "ERRAND_LOG_JSON", default_value_t = false)]
    pub log_json: bool,
    /// The secret signing keys derive from, 64 hex digits; default: one the
    /// first instance generates and stores in the database.
    #[arg(long, env = "ERRAND_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Send webhooks to loopback and private addresses too (local testing only).
    #[arg(long, env = "ERRAND_WEBHOOKS_ALLOW_PRIVATE", default_value_t = false)]
    pub webhooks_allow_private: bool,
    /// GET and HEAD requests per minute per API key (per address without one); 0: unlimited.
    #[arg(long, env = "ERRAND_RATE_LIMIT_READS_PER_MINUTE", default_value_t = READS_PER_MINUTE_DEFAULT)]
    pub rate_limit_reads_per_minute: u32,
    /// Commands per minute per API key (per address without one); 0: unlimited.
    #[arg(long, env = "ERRAND_RATE_LIMIT_WRITES_PER_MINUTE", default_value_t = WRITES_PER_MINUTE_DEFAULT)]
    pub rate_limit_writes_per_minute: u32,
    /// Registrations, logins and key issues per minute per client address; 0: unlimited.
    #[arg(long, env = "ERRAND_RATE_LIMIT_AUTH_PER_MINUTE", default_value_t = AUTH_PER_MINUTE_DEFAULT)]
    pub rate_limit_auth_per_minute: u32,
    /// Humans2AI's classes per hour per key, changing the seed's table:
    /// `task_reads=2000,task_creation=100,wallet=500,…`; 0 leaves a class unlimited.
    #[arg(long, env = "ERRAND_HUMANS2AI_RATE_LIMITS", default_value = "")]
    pub humans2ai_rate_limits: String,
    /// Host names the MCP endpoints answer to, comma-separated (`errand.example.com,
    /// errand.example.com:8443`); a request naming another host is refused. Empty: any.
    #[arg(
        long,
        env = "ERRAND_MCP_ALLOWED_HOSTS",
        value_delimiter = ',',
        default_value = ""
    )]
    pub mcp_allowed_hosts: Vec<String>,
    /// Lifetime of a login's access token, in seconds.
    #[arg(long, env = "ERRAND_ACCESS_TOKEN_TTL_S", default_value_t = 15 * 60)]
    pub access_token_ttl_s: u64,
    /// Lifetime of a login's refresh token, in seconds.
    #[arg(long, env = "ERRAND_REFRESH_TOKEN_TTL_S", default_value_t = 30 * 24 * 60 * 60)]
    pub refresh_token_ttl_s: u64,
    /// Keep email verification links for admins to read (no mail is sent).
    #[arg(long, env = "ERRAND_SANDBOX_EMAIL", default_value_t = true, action = clap::ArgAction::Set)]
    pub sandbox_email: bool,
    /// What a referrer is credited, in cents, when someone registers with their referral code.
    #[arg(long, env = "ERRAND_REFERRAL_BONUS_CENTS", default_value_t = crate::config::REFERRAL_BONUS_CENTS_DEFAULT)]
    pub referral_bonus_cents: i64,
    /// How many of Humai's 1000 founding slots are open (fewer for a rehearsal).
    #[arg(long, env = "ERRAND_HUMAI_FOUNDING_SLOTS", default_value_t = errand_aggregates::humai::halvening::FOUNDING_SLOTS)]
    pub humai_founding_slots: u32,
    /// Humai's platform fee on a transaction's price, in percent.
    #[arg(long, env = "ERRAND_HUMAI_FEE_PERCENT", default_value = crate::config::HUMAI_FEE_PERCENT_DEFAULT)]
    pub humai_fee_percent: String,
    /// Humai registrations (quick-start and register) per client address per 24 h; 0 unlimited.
    #[arg(long, env = "ERRAND_HUMAI_REGISTRATIONS_PER_DAY", default_value_t = crate::http::humai::rate_limits::REGISTRATIONS_PER_DAY_DEFAULT)]
    pub humai_registrations_per_day: u32,
    /// Humai's live task streams (SSE) open at once per process.
    #[arg(long, env = "ERRAND_HUMAI_STREAM_SUBSCRIBERS", default_value_t = crate::config::HUMAI_STREAM_SUBSCRIBERS_DEFAULT)]
    pub humai_stream_subscribers: u32,
    /// Seconds a Humai buyer has to review a delivery before it is accepted (48 h).
    #[arg(long, env = "ERRAND_HUMAI_REVIEW_WINDOW_SECONDS", default_value_t = 48 * 3600)]
    pub humai_review_window_seconds: i64,
    /// Directory uploaded Humai deliverables are stored in.
    #[arg(long, env = "ERRAND_HUMAI_DELIVERABLES_DIR", default_value = crate::config::HUMAI_DELIVERABLES_DIR_DEFAULT)]
    pub humai_deliverables_dir: std::path::PathBuf,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let database = cli.database;
    // No command means `serve` with its defaults (and environment variables) applied.
    let command = match cli.command {
        Some(command) => command,
        None => Cli::parse_from(["errand", "serve"])
            .command
            .expect("`errand serve` parses to the serve command"),
    };
    match command {
        Command::Serve(args) => serve(&database, args).await,
        Command::Migrate => {
            let journal = database.open().await?;
            journal.close().await;
            println!("migrations applied");
            Ok(())
        }
        Command::Verify => {
            let journal = database.open().await?;
            let report = crate::audit::verify(&journal).await?;
            journal.close().await;
            print!("{}", report.render_text());
            if report.ok {
                Ok(())
            } else {
                anyhow::bail!("the ledger breaks an invariant")
            }
        }
        Command::Replay => replay(&database).await,
        Command::Export { after } => export(&database, after).await,
        Command::Admin(AdminCommand::CreateKey { role, name, prefix }) => {
            let journal = database.open().await?;
            let bus = crate::bus::CommandBus::new(journal.clone());
            let created = crate::bootstrap::create_actor_with_prefixed_key(
                &bus,
                role.into(),
                &name,
                prefix.as_str(),
            )
            .await?;
            journal.close().await;
            println!("actor {} key {}", created.actor_id, created.key_id);
            println!("{}", created.secret);
            Ok(())
        }
        Command::Demo => crate::demo::run().await,
    }
}

/// The configured bonus, refused at start if no referral could pay it.
fn referral_bonus(cents: i64) -> anyhow::Result<errand_aggregates::money::Money> {
    use errand_aggregates::referral::REFERRAL_BONUS_MAX_CENTS;
    if !(0..=REFERRAL_BONUS_MAX_CENTS).contains(&cents) {
        anyhow::bail!("ERRAND_REFERRAL_BONUS_CENTS must be 0 to {REFERRAL_BONUS_MAX_CENTS}");
    }
    Ok(errand_aggregates::money::Money::usd(cents))
}

async fn serve(database: &DatabaseArgs, args: ServeArgs) -> anyhow::Result<()> {
    crate::telemetry::init_logs(args.log_json);
    let metrics = crate::telemetry::install_metrics();
    let listen = args
        .listen
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
    let config = Config {
        humanping_fee: FeePolicy::percent(&args.humanping_fee_percent)
            .map_err(|e| anyhow::anyhow!("ERRAND_HUMANPING_FEE_PERCENT: {e}"))?,
        humans2ai_fee: FeePolicy::percent(&args.humans2ai_fee_percent)
            .map_err(|e| anyhow::anyhow!("ERRAND_HUMANS2AI_FEE_PERCENT: {e}"))?,
        instahuman_fee: FeePolicy::percent(&args.instahuman_fee_percent)
            .map_err(|e| anyhow::anyhow!("ERRAND_INSTAHUMAN_FEE_PERCENT: {e}"))?,
        instahuman_catalog: match &args.instahuman_catalog_file {
            Some(path) => crate::config::instahuman_catalog_from_file(path)?,
            None => errand_aggregates::instahuman::catalog::Catalog::default(),
        },
        instahuman_cors: crate::http::instahuman::cors::WebOrigins {
            web_origin: args
                .instahuman_web_origin
                .as_deref()
                .filter(|origin| !origin.is_empty())
                .map(crate::http::instahuman::cors::WebOrigins::parse_origin)
                .transpose()
                .map_err(|e| anyhow::anyhow!("ERRAND_INSTAHUMAN_WEB_ORIGIN: {e}"))?,
            development: args.instahuman_development,
        },
        risk_gate: match &args.risk_gate_file {
            Some(path) => crate::config::risk_gate_from_file(path)?,
            None => errand_aggregates::risk_gate::RiskGate::default(),
        },
        native_fee: FeePolicy::percent(&args.native_fee_percent)
            .map_err(|e| anyhow::anyhow!("ERRAND_NATIVE_FEE_PERCENT: {e}"))?,
        public_url: args
            .public_url
            .unwrap_or_else(|| format!("http://{listen}")),
        timer_interval: std::time::Duration::from_millis(args.timer_interval_ms.max(10)),
        payout_sweep: crate::runtime::SweepOptions::default(),
        charge_sweep: crate::runtime::SweepOptions::default(),
        secret_key: args.secret_key,
        webhooks: crate::webhooks::WebhookSettings {
            allow_private_destinations: args.webhooks_allow_private,
            ..Default::default()
        },
        rate_limits: RateLimits::per_minute(
            args.rate_limit_reads_per_minute,
            args.rate_limit_writes_per_minute,
            args.rate_limit_auth_per_minute,
        )
        .with_named(
            crate::http::humans2ai::rate_limits::allowances(&args.humans2ai_rate_limits)
                .map_err(|e| anyhow::anyhow!("ERRAND_HUMANS2AI_RATE_LIMITS: {e}"))?,
        )
        .with_named(crate::http::humai::rate_limits::allowances(
            args.humai_registrations_per_day,
        )),
        access_token_ttl: std::time::Duration::from_secs(args.access_token_ttl_s.max(1)),
        refresh_token_ttl: std::time::Duration::from_secs(args.refresh_token_ttl_s.max(1)),
        sandbox_email: args.sandbox_email,
        referral_bonus: referral_bonus(args.referral_bonus_cents)?,
        humai_founding_slots: args
            .humai_founding_slots
            .min(errand_aggregates::humai::halvening::FOUNDING_SLOTS),
        humai_fee: FeePolicy::percent(&args.humai_fee_percent)
            .map_err(|e| anyhow::anyhow!("ERRAND_HUMAI_FEE_PERCENT: {e}"))?,
        mcp_allowed_hosts: args
            .mcp_allowed_hosts
            .iter()
            .map(|host| host.trim().to_owned())
            .filter(|host| !host.is_empty())
            .collect(),
        humai_stream_subscribers: args.humai_stream_subscribers,
        humai_review_window: errand_aggregates::contract::ReviewWindow::new(
            chrono::Duration::seconds(args.humai_review_window_seconds),
        )
        .map_err(|e| anyhow::anyhow!("ERRAND_HUMAI_REVIEW_WINDOW_SECONDS: {e}"))?,
        humai_deliverables_dir: args.humai_deliverables_dir.clone(),
    };
    let running = crate::server::start(crate::server::ServeOptions {
        database_url: database.url()?,
        listen,
        config,
        metrics,
        payout_provider: None,
        payment_provider: None,
    })
    .await?;
    if let Some(admin) = &running.first_admin {
        println!("First start: an admin actor was created. Its API key (shown once):");
        println!("{}", admin.secret);
    }
    println!("Errand is listening on http://{}", running.local_addr);
    running.until_signalled().await
}

async fn replay(database: &DatabaseArgs) -> anyhow::Result<()> {
    let journal = database.open().await?;
    let head = journal.head().await?;
    let bar = indicatif::ProgressBar::new(head.max(0) as u64);
    let projections = errand_projections::ReadModel::all();
    let batch = crate::runtime::REBUILD_BATCH_EVENTS_DEFAULT;
    let report =
        crate::runtime::ProjectionRunner::rebuild(&journal, &projections, batch, |done, _head| {
            bar.set_position(done.max(0) as u64)
        })
        .await?;
    bar.finish();
    journal.close().await;
    println!(
        "rebuilt read models from {} events in {:.2?} ({:.0} events/s)",
        report.events,
        report.elapsed,
        report.events as f64 / report.elapsed.as_secs_f64().max(1e-9)
    );
    Ok(())
}

/// Bounded pages keep memory flat however long the journal is.
const EXPORT_PAGE: u32 = 5_000;

async fn export(database: &DatabaseArgs, mut after: i64) -> anyhow::Result<()> {
    let journal = database.open().await?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    loop {
        let events = journal.read_all(after, EXPORT_PAGE).await?;
        let Some(last) = events.last() else { break };
        after = last.position;
        for event in events {
            let line = serde_json::json!({
                "position": event.position,
                "stream_id": event.stream_id,
                "stream_version": event.stream_version,
                "event_id": event.event_id,
                "type": event.event_type,
                "version": event.event_version,
                "payload": serde_json::from_str::<serde_json::Value>(&event.payload)?,
                "metadata": serde_json::from_str::<serde_json::Value>(&event.metadata)?,
                "recorded_at": event.recorded_at,
                "hash": event.hash,
            });
            writeln!(out, "{line}")?;
        }
    }
    out.flush()?;
    journal.close().await;
    Ok(())
}
