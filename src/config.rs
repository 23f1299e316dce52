//! Settings of a running server, resolved from the command line and the
//! environment (every option is also an environment variable, see `cli.rs`).

use crate::http::instahuman::cors::WebOrigins;
use crate::http::rate_limit::RateLimits;
use errand_aggregates::fee::FeePolicy;
use errand_aggregates::instahuman::catalog::Catalog;
use errand_aggregates::money::Money;
use errand_aggregates::risk_gate::RiskGate;

/// $5.00, the issue's example: enough to post a small task.
pub const REFERRAL_BONUS_CENTS_DEFAULT: i64 = 500;
/// Humai's live task streams per process: as many as the native API's live followers.
pub const HUMAI_STREAM_SUBSCRIBERS_DEFAULT: u32 = 256;
use errand_aggregates::contract::ReviewWindow;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The seed: "99.99% to human, 0.01% fee".
pub const HUMANS2AI_FEE_PERCENT_DEFAULT: &str = "0.01";
/// InstaHuman's seed names no fee: the native API's.
pub const INSTAHUMAN_FEE_PERCENT_DEFAULT: &str = "10";
/// Humai's platform fee on a transaction's price (the seed's 10 %).
pub const HUMAI_FEE_PERCENT_DEFAULT: &str = "10";
/// Beside the default SQLite file under `./data/`.
pub const HUMAI_DELIVERABLES_DIR_DEFAULT: &str = "data/deliverables";

#[derive(Debug, Clone)]
pub struct Config {
    /// The platform's share of native-API task rewards.
    pub native_fee: FeePolicy,
    /// HumanPing's commission: the worker gets the budget less this.
    pub humanping_fee: FeePolicy,
    /// Humans2AI's platform fee: the human gets the budget less this (0.01 %).
    pub humans2ai_fee: FeePolicy,
    /// InstaHuman's platform fee: each tester gets the reward per tester less this.
    pub instahuman_fee: FeePolicy,
    /// What InstaHuman jobs may ask for (`ERRAND_INSTAHUMAN_CATALOG_FILE`
    /// replaces the default catalog).
    pub instahuman_catalog: Catalog,
    /// Which browser origins may call `/instahuman/api`.
    pub instahuman_cors: WebOrigins,
    /// The moderation new Humans2AI work passes (`ERRAND_RISK_GATE_FILE`
    /// replaces the default list).
    pub risk_gate: RiskGate,
    /// How this server is reached from outside, for links it hands out (checkout pages).
    pub public_url: String,
    /// How often due timers (deadlines, time limits, review windows) are looked for.
    pub timer_interval: Duration,
    /// How often payouts left pending are sent again, how old their request
    /// must be, and how many per look (see `runtime::payouts`).
    pub payout_sweep: crate::runtime::SweepOptions,
    /// The same for charges of saved methods left pending (see `runtime::charges`).
    pub charge_sweep: crate::runtime::SweepOptions,
    /// `ERRAND_SECRET_KEY`; when absent the database's (see `server_secret`).
    pub secret_key: Option<String>,
    /// Outgoing webhooks: retries, timeout, the SSRF guard's local-testing switch.
    pub webhooks: crate::webhooks::WebhookSettings,
    /// Requests per subject and endpoint class (see `http::rate_limit`).
    pub rate_limits: RateLimits,
    /// How long a login's access token works (see `identity::tokens`).
    pub access_token_ttl: Duration,
    /// How long a login's refresh token works.
    pub refresh_token_ttl: Duration,
    /// Keep the latest email verification per address in memory for admins to
    /// read (`GET /v1/admin/email-verifications`), since no mail is sent. On by default.
    pub sandbox_email: bool,
    /// What a referrer is credited when someone registers with their referral
    /// code (`ERRAND_REFERRAL_BONUS_CENTS`); zero pays nothing but still records it.
    pub referral_bonus: Money,
    /// Host names MCP requests may name in `Host` (rmcp's guard against DNS rebinding).
    /// Empty: any, since every MCP request needs a key a rebinding page does not have;
    /// a deployment behind known names lists them.
    pub mcp_allowed_hosts: Vec<String>,
    /// How many of Humai's founding slots are open (`ERRAND_HUMAI_FOUNDING_SLOTS`,
    /// at most the schedule's 1000; fewer for rehearsals and tests).
    pub humai_founding_slots: u32,
    /// Humai's live task streams open at once per process
    /// (`ERRAND_HUMAI_STREAM_SUBSCRIBERS`): each holds a connection and reads the journal.
    pub humai_stream_subscribers: u32,
    /// Humai's platform fee: a contract's seller gets the price less this.
    pub humai_fee: FeePolicy,
    /// How long a Humai buyer has to review a delivery before it is accepted
    /// for them (`ERRAND_HUMAI_REVIEW_WINDOW_SECONDS`, the seed's 48 hours).
    pub humai_review_window: ReviewWindow,
    /// Where uploaded Humai deliverables are stored (`ERRAND_HUMAI_DELIVERABLES_DIR`).
    pub humai_deliverables_dir: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            native_fee: FeePolicy::percent("10").unwrap_or(FeePolicy::free()),
            humanping_fee: FeePolicy::percent("18").unwrap_or(FeePolicy::free()),
            humans2ai_fee: FeePolicy::percent(HUMANS2AI_FEE_PERCENT_DEFAULT)
                .unwrap_or(FeePolicy::free()),
            instahuman_fee: FeePolicy::percent(INSTAHUMAN_FEE_PERCENT_DEFAULT)
                .unwrap_or(FeePolicy::free()),
            instahuman_catalog: Catalog::default(),
            instahuman_cors: WebOrigins::default(),
            risk_gate: RiskGate::default(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            timer_interval: Duration::from_millis(500),
            payout_sweep: crate::runtime::SweepOptions::default(),
            charge_sweep: crate::runtime::SweepOptions::default(),
            secret_key: None,
            webhooks: crate::webhooks::WebhookSettings::default(),
            rate_limits: RateLimits::default()
                .with_named(crate::http::humans2ai::rate_limits::allowances("").unwrap_or_default())
                .with_named(crate::http::humai::rate_limits::allowances(
                    crate::http::humai::rate_limits::REGISTRATIONS_PER_DAY_DEFAULT,
                )),
            access_token_ttl: crate::identity::tokens::ACCESS_TOKEN_TTL_DEFAULT,
            refresh_token_ttl: crate::identity::tokens::REFRESH_TOKEN_TTL_DEFAULT,
            sandbox_email: true,
            referral_bonus: Money::usd(REFERRAL_BONUS_CENTS_DEFAULT),
            mcp_allowed_hosts: Vec::new(),
            humai_founding_slots: errand_aggregates::humai::halvening::FOUNDING_SLOTS,
            humai_stream_subscribers: HUMAI_STREAM_SUBSCRIBERS_DEFAULT,
            humai_fee: FeePolicy::percent(HUMAI_FEE_PERCENT_DEFAULT).unwrap_or(FeePolicy::free()),
            humai_review_window: ReviewWindow::default(),
            humai_deliverables_dir: PathBuf::from(HUMAI_DELIVERABLES_DIR_DEFAULT),
        }
    }
}

/// The database a command works on: `DATABASE_URL` if given, otherwise a
/// SQLite file in the data directory (created if missing).
pub fn database_url(database_url: Option<&str>, data_dir: &Path) -> anyhow::Result<String> {
    if let Some(url) = database_url.filter(|u| !u.is_empty()) {
        return Ok(url.to_owned());
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| anyhow::anyhow!("creating data directory {}: {e}", data_dir.display()))?;
    Ok(format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("errand.db").display()
    ))
}

/// The InstaHuman catalog an operator's file describes (see
/// `errand_aggregates::instahuman::catalog`).
pub fn instahuman_catalog_from_file(path: &Path) -> anyhow::Result<Catalog> {
    let document = std::fs::read_to_string(path).map_err(|e| {
        anyhow::anyhow!(
            "reading the InstaHuman catalog file {}: {e}",
            path.display()
        )
    })?;
    Catalog::parse(&document).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// The Risk Gate an operator's file describes (see `errand_aggregates::risk_gate`).
pub fn risk_gate_from_file(path: &Path) -> anyhow::Result<RiskGate> {
    let document = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("reading the Risk Gate file {}: {e}", path.display()))?;
    RiskGate::parse(&document).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use errand_aggregates::risk_gate::Content;

    #[test]
    fn an_operators_risk_gate_file_replaces_the_default_list() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("gate.json");
        std::fs::write(
            &path,
            r#"{"rules": [{"name": "pets", "phrases": ["walk my cat"]}]}"#,
        )
        .expect("written");
        let gate = risk_gate_from_file(&path).expect("a valid gate");
        let task = |title| Content {
            title,
            description: "",
            category: "errands",
        };
        assert!(gate.screen(task("Walk my cat")).is_err());
        assert!(gate.screen(task("Send me your password")).is_ok());
        std::fs::write(&path, "{").expect("written");
        assert!(risk_gate_from_file(&path).is_err());
        assert!(risk_gate_from_file(&dir.path().join("missing.json")).is_err());
    }

    #[test]
    fn an_operators_instahuman_catalog_file_replaces_the_default() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("catalog.json");
        std::fs::write(
            &path,
            r#"{"categories": [{"id": "tasting", "name": "Taste test"}], "filters": [],
                "interests": [], "equipment": []}"#,
        )
        .expect("written");
        let catalog = instahuman_catalog_from_file(&path).expect("a valid catalog");
        assert_eq!(catalog.categories.len(), 1);
        assert_eq!(catalog.categories[0].id, "tasting");
        std::fs::write(&path, r#"{"categories": []}"#).expect("written");
        assert!(instahuman_catalog_from_file(&path).is_err());
        assert!(instahuman_catalog_from_file(&dir.path().join("missing.json")).is_err());
    }
}
