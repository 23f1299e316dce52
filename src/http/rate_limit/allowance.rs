//! How many requests of each class a subject may make per window: what
//! `Config` carries and `errand serve` sets (`ERRAND_RATE_LIMIT_*_PER_MINUTE`).

use governor::Quota;
use std::num::NonZeroU32;
use std::time::Duration;

/// What a request is limited as. Each class has its own budget per subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// GET and HEAD: cheap, served from read models or the state cache.
    Read,
    /// Commands: each may append to the journal.
    Write,
    /// Logging in, registering, issuing keys: what credential stuffing and
    /// mass sign-ups go through, so much stricter and counted per address.
    Auth,
    /// A class a dialect declares for its own endpoints (Humans2AI's "task
    /// creation", "wallet queries", …), counted per credential like `Read`
    /// and `Write`, with the allowance `RateLimits::named` gives it.
    Named(&'static str),
    /// A dialect's own class for registrations that need no key (Humai's
    /// "5 registrations per IP per 24 h"): counted per address like `Auth`,
    /// whatever credential is sent, with the allowance `RateLimits::named`
    /// gives its name.
    NamedPerAddress(&'static str),
}

impl Class {
    /// The class a method implies when a route is not special.
    pub fn of_method(method: &axum::http::Method) -> Class {
        if method == axum::http::Method::GET || method == axum::http::Method::HEAD {
            Class::Read
        } else {
            Class::Write
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Class::Read => "read",
            Class::Write => "write",
            Class::Auth => "auth",
            Class::Named(name) | Class::NamedPerAddress(name) => name,
        }
    }
}

/// `requests` per `window`, all of which may come at once (the bucket holds
/// a whole window's worth), refilled evenly over the window. Made only by
/// `new`, so every allowance refills at a rate governor can keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    requests: NonZeroU32,
    window: Duration,
}

impl Allowance {
    /// `None` when `requests` is 0 (the class is not limited) or the window
    /// is too short to refill one request in a nanosecond or more.
    pub fn new(requests: u32, window: Duration) -> Option<Allowance> {
        let requests = NonZeroU32::new(requests)?;
        let allowance = Allowance { requests, window };
        if allowance.refill_interval().is_zero() {
            return None;
        }
        Some(allowance)
    }

    pub fn per_minute(requests: u32) -> Option<Allowance> {
        Allowance::new(requests, Duration::from_secs(60))
    }

    /// The bucket's size: `X-RateLimit-Limit`.
    pub fn requests(&self) -> u32 {
        self.requests.get()
    }

    /// How long one spent request takes to come back.
    pub fn refill_interval(&self) -> Duration {
        self.window / self.requests.get()
    }

    pub(super) fn quota(&self) -> Option<Quota> {
        Some(Quota::with_period(self.refill_interval())?.allow_burst(self.requests))
    }
}

/// Stripe's live-mode rates (100 reads and 100 writes a second per key): a
/// busy agent never meets them; a runaway loop does, within a minute.
pub const READS_PER_MINUTE_DEFAULT: u32 = 6_000;
pub const WRITES_PER_MINUTE_DEFAULT: u32 = 6_000;
/// A person signs up or logs in a few times a day and an operator issues a
/// key now and then; sixty a minute from one address is already a script.
pub const AUTH_PER_MINUTE_DEFAULT: u32 = 60;

/// The allowance of each class; `None` (or a named class not listed)
/// leaves a class unlimited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    pub read: Option<Allowance>,
    pub write: Option<Allowance>,
    pub auth: Option<Allowance>,
    /// The dialects' own classes, by name (see `Class::Named`).
    pub named: Vec<(&'static str, Allowance)>,
}

impl RateLimits {
    /// Per-minute allowances, as `errand serve` takes them; 0 leaves a class unlimited.
    pub fn per_minute(reads: u32, writes: u32, auth: u32) -> RateLimits {
        RateLimits {
            read: Allowance::per_minute(reads),
            write: Allowance::per_minute(writes),
            auth: Allowance::per_minute(auth),
            named: Vec::new(),
        }
    }

    /// These limits with the named classes `named` (replacing any of the same name).
    pub fn with_named(
        mut self,
        named: impl IntoIterator<Item = (&'static str, Allowance)>,
    ) -> Self {
        for (name, allowance) in named {
            self.named.retain(|(known, _)| *known != name);
            self.named.push((name, allowance));
        }
        self
    }

    /// For load generators and harnesses that test the ledger, not the limits.
    pub fn unlimited() -> RateLimits {
        RateLimits {
            read: None,
            write: None,
            auth: None,
            named: Vec::new(),
        }
    }

    pub fn of(&self, class: Class) -> Option<Allowance> {
        match class {
            Class::Read => self.read,
            Class::Write => self.write,
            Class::Auth => self.auth,
            Class::Named(name) | Class::NamedPerAddress(name) => self
                .named
                .iter()
                .find(|(known, _)| *known == name)
                .map(|(_, allowance)| *allowance),
        }
    }
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits::per_minute(
            READS_PER_MINUTE_DEFAULT,
            WRITES_PER_MINUTE_DEFAULT,
            AUTH_PER_MINUTE_DEFAULT,
        )
    }
}
