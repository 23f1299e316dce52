//! # Outgoing webhooks
//!
//! The shared machinery every API dialect sends webhooks with (DESIGN.md §5,
//! §6). The domain half is `errand_aggregates::webhook` (endpoints, and each
//! delivery's attempts); the `outbox` projection turns the journal into due
//! deliveries; `runtime::webhooks` picks them up while this instance holds the
//! lease and hands each to the [`Courier`] here, which:
//!
//! - renders the body in the endpoint's format ([`format`]),
//! - signs it ([`signature`]: Standard Webhooks for the native API,
//!   HumanPing's and Humans2AI's body HMACs),
//! - sends it only where the SSRF guard allows ([`destination`]),
//! - and records the attempt as a command through the bus.
//!
//! **Invariant.** No secret is in the journal or a read model in the clear:
//! each is derived from the server's secret when needed, and a client's own
//! ([`sealed_secret`]) is kept only sealed under a key so derived.

pub mod courier;
pub mod destination;
pub mod format;
pub mod humai;
pub mod humanping;
pub mod humans2ai;
pub mod sealed_secret;
pub mod signature;

use std::time::Duration;

use errand_aggregates::webhook::{RetryPolicy, WebhookFormat};

pub use courier::Courier;

/// Each wait between attempts is this many times the one before.
pub const BACKOFF_FACTOR_DEFAULT: u32 = 4;
/// Attempts per delivery: the first and four retries, over about an hour
/// and a half (1, 4, 16 and 64 minutes apart), long enough to ride out a
/// receiver's restart or deploy, short enough that a dead one is given up
/// the same day.
pub const ATTEMPTS_MAX_DEFAULT: u32 = 5;
pub const RETRY_FIRST_DELAY_DEFAULT: Duration = Duration::from_secs(60);
/// No wait between attempts is longer than this.
pub const RETRY_LAST_DELAY_DEFAULT: Duration = Duration::from_secs(6 * 60 * 60);
/// How long one attempt may take, connecting included: a receiver should
/// answer at once and do its work afterwards.
pub const TIMEOUT_DEFAULT: Duration = Duration::from_secs(10);
/// How long Humans2AI's receivers have to answer 2xx, as it documents
/// ("respond with 2xx within 30 seconds or the delivery is retried").
pub const HUMANS2AI_TIMEOUT_DEFAULT: Duration = Duration::from_secs(30);
/// How often due deliveries are looked for.
pub const DISPATCH_INTERVAL_DEFAULT: Duration = Duration::from_secs(1);

#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// `ERRAND_WEBHOOKS_ALLOW_PRIVATE`: send to loopback and private
    /// addresses too. For local testing only.
    pub allow_private_destinations: bool,
    /// Native and HumanPing deliveries' retries.
    pub retry: RetryPolicy,
    /// How long one native or HumanPing attempt may take.
    pub timeout: Duration,
    /// Humans2AI deliveries: its documented policy by default (tests
    /// shorten the waits).
    pub humans2ai: DeliveryTerms,
    pub dispatch_interval: Duration,
}

/// How a format's deliveries are tried: how often, how far apart, how long
/// each attempt may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryTerms {
    pub retry: RetryPolicy,
    pub timeout: Duration,
}

impl WebhookSettings {
    /// The terms deliveries in `format` are sent on.
    pub fn terms(&self, format: WebhookFormat) -> DeliveryTerms {
        match format {
            WebhookFormat::Native | WebhookFormat::HumanPing | WebhookFormat::Humai => {
                DeliveryTerms {
                    retry: self.retry,
                    timeout: self.timeout,
                }
            }
            WebhookFormat::Humans2Ai => self.humans2ai,
        }
    }
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            allow_private_destinations: false,
            retry: RetryPolicy {
                attempts_max: ATTEMPTS_MAX_DEFAULT,
                first_delay_ms: millis(RETRY_FIRST_DELAY_DEFAULT),
                backoff_factor: BACKOFF_FACTOR_DEFAULT,
                last_delay_ms: millis(RETRY_LAST_DELAY_DEFAULT),
            },
            timeout: TIMEOUT_DEFAULT,
            humans2ai: DeliveryTerms {
                retry: RetryPolicy::HUMANS2AI,
                timeout: HUMANS2AI_TIMEOUT_DEFAULT,
            },
            dispatch_interval: DISPATCH_INTERVAL_DEFAULT,
        }
    }
}

pub fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
