//! Settings of a running server, resolved from the command line and the
//! environment (every option is also an environment variable, see `cli.rs`).

use crate::http::rate_limit::RateLimits;
use errand_aggregates::fee::FeePolicy;
use errand_aggregates::money::Money;

/// $5.00, the example: enough to post a small task.
pub const REFERRAL_BONUS_CENTS_DEFAULT: i64 = 500;
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// The platform's share of native-API task rewards.
    pub native_fee: FeePolicy,
    /// HumanPing's commission: the worker gets the budget less this.
    pub humanping_fee: FeePolicy,
    /// How this server is reached from outside, for links it hands out (checkout pages).
    pub public_url: String,
    /// How often due timers (deadlines, time limits, review windows) are looked for.
    pub timer_interval: Duration,
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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            native_fee: FeePolicy::percent("10").unwrap_or(FeePolicy::free()),
            humanping_fee: FeePolicy::percent("18").unwrap_or(FeePolicy::free()),
            public_url: "http://127.0.0.1:8080".to_owned(),
            timer_interval: Duration::from_millis(500),
            secret_key: None,
            webhooks: crate::webhooks::WebhookSettings::default(),
            rate_limits: RateLimits::default(),
            access_token_ttl: crate::identity::tokens::ACCESS_TOKEN_TTL_DEFAULT,
            refresh_token_ttl: crate::identity::tokens::REFRESH_TOKEN_TTL_DEFAULT,
            sandbox_email: true,
            referral_bonus: Money::usd(REFERRAL_BONUS_CENTS_DEFAULT),
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
