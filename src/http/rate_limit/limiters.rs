//! One keyed GCRA limiter (governor) per class, with bounded memory, and
//! what a check answers: the standing to put in headers, or a refusal.

use super::allowance::{Allowance, Class, RateLimits};
use super::subject::Subject;
use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::RateLimiter;
use std::collections::hash_map::RandomState;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// Subjects remembered per class. A subject's entry is a few dozen bytes, so
/// this caps each class near 10 MB; more distinct callers than this within
/// one window is a flood of invented keys, not clients. Over the cap, every
/// request is counted by its address instead (see `subject_of`).
pub const SUBJECTS_MAX_PER_CLASS: usize = 100_000;
/// How often subjects whose buckets have refilled are forgotten: a full
/// bucket is the same as none, so this bounds memory to the subjects seen
/// within about one window plus this.
pub const PRUNE_INTERVAL: Duration = Duration::from_secs(10);
/// How many checks pass between looks at a class's size: `len` visits every
/// shard of the map, too dear for every request.
const SIZE_SAMPLE_EVERY_CHECKS: u64 = 1_024;

type Keyed =
    RateLimiter<Subject, DefaultKeyedStateStore<Subject>, DefaultClock, StateInformationMiddleware>;

/// The limiters every router shares, so a key has one budget per class
/// whichever dialect it calls. Cheap to clone.
#[derive(Clone)]
pub struct RateLimiters(Arc<Classes>);

struct Classes {
    read: Option<ClassLimiter>,
    write: Option<ClassLimiter>,
    auth: Option<ClassLimiter>,
    /// The dialects' named classes; a handful, so a list is searched.
    named: Vec<ClassLimiter>,
    /// Keys the credential hash per process, so no one can aim a made-up
    /// credential at another's bucket.
    hasher: RandomState,
}

struct ClassLimiter {
    class: Class,
    allowance: Allowance,
    limiter: Keyed,
    checks: AtomicU64,
    over_cap: AtomicBool,
}

/// What a check decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The class has no limit configured: no headers.
    Unlimited,
    Allowed(Standing),
    Refused(Refusal),
}

/// The `X-RateLimit-*` headers of an allowed request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub limit: u32,
    /// Requests left after this one.
    pub remaining: u32,
    /// Seconds until the bucket is full again, rounded up.
    pub reset_seconds: u64,
}

/// A refused request: what its envelope and headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub class: Class,
    pub limit: u32,
    /// Seconds until one request is allowed again, rounded up (at least 1).
    pub retry_after_seconds: u64,
    /// Seconds until the bucket is full again, rounded up.
    pub reset_seconds: u64,
}

impl RateLimiters {
    /// Starts forgetting refilled subjects every `PRUNE_INTERVAL` when a
    /// tokio runtime is running (the task ends with the last clone).
    pub fn new(limits: &RateLimits) -> RateLimiters {
        let limiter = |class| {
            let allowance = limits.of(class)?;
            Some(ClassLimiter {
                class,
                allowance,
                limiter: RateLimiter::keyed(allowance.quota()?)
                    .with_middleware::<StateInformationMiddleware>(),
                checks: AtomicU64::new(0),
                over_cap: AtomicBool::new(false),
            })
        };
        let classes = Arc::new(Classes {
            read: limiter(Class::Read),
            write: limiter(Class::Write),
            auth: limiter(Class::Auth),
            named: limits
                .named
                .iter()
                .filter_map(|&(name, _)| limiter(Class::Named(name)))
                .collect(),
            hasher: RandomState::new(),
        });
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(prune_every_interval(Arc::downgrade(&classes)));
        }
        RateLimiters(classes)
    }

    /// Spends one request of `class` from the request's subject.
    pub fn check(
        &self,
        class: Class,
        headers: &HeaderMap,
        peer: Option<&ConnectInfo<SocketAddr>>,
    ) -> Verdict {
        let Some(limiter) = self.0.of(class) else {
            return Verdict::Unlimited;
        };
        let subject = if limiter.over_cap() {
            Subject::address_of(peer)
        } else {
            Subject::of(class, headers, peer, &self.0.hasher)
        };
        limiter.check(&subject)
    }

    /// Subjects remembered now, all classes together (for tests and metrics).
    pub fn subjects(&self) -> usize {
        self.0.each().map(|limiter| limiter.limiter.len()).sum()
    }

    /// Forgets every subject whose bucket has refilled.
    pub fn prune(&self) {
        self.0.prune();
    }
}

impl Classes {
    fn of(&self, class: Class) -> Option<&ClassLimiter> {
        match class {
            Class::Read => self.read.as_ref(),
            Class::Write => self.write.as_ref(),
            Class::Auth => self.auth.as_ref(),
            Class::Named(name) | Class::NamedPerAddress(name) => {
                self.named.iter().find(|l| l.class.as_str() == name)
            }
        }
    }

    fn each(&self) -> impl Iterator<Item = &ClassLimiter> {
        [&self.read, &self.write, &self.auth]
            .into_iter()
            .flatten()
            .chain(self.named.iter())
    }

    fn prune(&self) {
        for limiter in self.each() {
            limiter.prune();
        }
    }
}

async fn prune_every_interval(classes: Weak<Classes>) {
    let mut ticks = tokio::time::interval(PRUNE_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(classes) = classes.upgrade() else {
            return;
        };
        classes.prune();
    }
}

impl ClassLimiter {
    fn over_cap(&self) -> bool {
        let checks = self.checks.fetch_add(1, Ordering::Relaxed);
        if checks % SIZE_SAMPLE_EVERY_CHECKS == SIZE_SAMPLE_EVERY_CHECKS - 1
            && self.limiter.len() > SUBJECTS_MAX_PER_CLASS
        {
            self.prune();
        }
        self.over_cap.load(Ordering::Relaxed)
    }

    fn prune(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
        let over = self.limiter.len() > SUBJECTS_MAX_PER_CLASS;
        if over != self.over_cap.swap(over, Ordering::Relaxed) {
            tracing::warn!(
                class = self.class.as_str(),
                over,
                cap = SUBJECTS_MAX_PER_CLASS,
                "rate-limit subjects {} their cap; counting by address meanwhile",
                if over { "exceed" } else { "are back within" }
            );
        }
    }

    fn check(&self, subject: &Subject) -> Verdict {
        let limit = self.allowance.requests();
        let refill = self.allowance.refill_interval();
        match self.limiter.check_key(subject) {
            Ok(snapshot) => {
                Verdict::Allowed(standing(limit, snapshot.remaining_burst_capacity(), refill))
            }
            Err(not_until) => {
                metrics::counter!("errand_rate_limited_total", "class" => self.class.as_str())
                    .increment(1);
                let wait = not_until.wait_time_from(self.limiter.clock().now());
                Verdict::Refused(refusal(self.class, limit, wait, refill))
            }
        }
    }
}

/// The bucket refills one request per `refill`, so it is full again after
/// one `refill` per request spent (at most that: the current request's
/// refill may have begun already).
fn standing(limit: u32, remaining: u32, refill: Duration) -> Standing {
    let remaining = remaining.min(limit);
    Standing {
        limit,
        remaining,
        reset_seconds: seconds_rounded_up(refill * (limit - remaining)),
    }
}

/// Refused, the bucket is empty: one request returns after `wait`, the
/// other `limit - 1` one `refill` apart after it.
fn refusal(class: Class, limit: u32, wait: Duration, refill: Duration) -> Refusal {
    Refusal {
        class,
        limit,
        retry_after_seconds: seconds_rounded_up(wait).max(1),
        reset_seconds: seconds_rounded_up(wait + refill * (limit - 1)),
    }
}

/// Whole seconds, rounded up: a client that waits this long is never early.
fn seconds_rounded_up(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    #[test]
    fn seconds_are_rounded_up_never_down() {
        assert_eq!(seconds_rounded_up(Duration::ZERO), 0);
        assert_eq!(seconds_rounded_up(Duration::from_nanos(1)), 1);
        assert_eq!(seconds_rounded_up(ms(1_000)), 1);
        assert_eq!(seconds_rounded_up(ms(1_001)), 2);
    }

    #[test]
    fn a_full_bucket_resets_now_and_each_spent_request_adds_its_refill() {
        // 60 a minute: one back each second.
        assert_eq!(standing(60, 60, ms(1_000)).reset_seconds, 0);
        assert_eq!(standing(60, 59, ms(1_000)).reset_seconds, 1);
        assert_eq!(standing(60, 0, ms(1_000)).reset_seconds, 60);
        // 6,000 a minute: one back each 10 ms; 150 spent is 1.5 s, said as 2.
        assert_eq!(standing(6_000, 5_850, ms(10)).reset_seconds, 2);
    }

    #[test]
    fn a_refusal_waits_at_least_a_second_and_resets_after_the_whole_bucket() {
        let refused = refusal(Class::Write, 3, ms(200), ms(333));
        assert_eq!(refused.retry_after_seconds, 1);
        // 200 ms for the first request back, then two more 333 ms apart.
        assert_eq!(refused.reset_seconds, 1);
        let refused = refusal(Class::Auth, 60, ms(400), ms(1_000));
        assert_eq!(refused.retry_after_seconds, 1);
        assert_eq!(refused.reset_seconds, 60);
        assert_eq!(
            refusal(Class::Read, 1, Duration::ZERO, ms(50)).retry_after_seconds,
            1
        );
    }

    fn bearer(key: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static(key));
        headers
    }

    #[tokio::test]
    async fn each_subject_spends_its_own_budget_and_the_last_one_is_refused() {
        let limits = RateLimits {
            write: Allowance::new(2, Duration::from_secs(60)),
            ..RateLimits::unlimited()
        };
        let limiters = RateLimiters::new(&limits);
        let (alice, bob) = (bearer("Bearer alice"), bearer("Bearer bob"));
        let standing = |remaining, reset_seconds| {
            Verdict::Allowed(Standing {
                limit: 2,
                remaining,
                reset_seconds,
            })
        };
        assert_eq!(limiters.check(Class::Write, &alice, None), standing(1, 30));
        assert_eq!(limiters.check(Class::Write, &alice, None), standing(0, 60));
        let Verdict::Refused(refused) = limiters.check(Class::Write, &alice, None) else {
            panic!("the third write in a minute is refused");
        };
        assert_eq!(refused.class, Class::Write);
        assert!(
            (29..=30).contains(&refused.retry_after_seconds),
            "{refused:?}"
        );
        assert_eq!(limiters.check(Class::Write, &bob, None), standing(1, 30));
        assert_eq!(
            limiters.check(Class::Read, &alice, None),
            Verdict::Unlimited
        );
    }

    #[tokio::test]
    async fn refilled_subjects_are_forgotten() {
        let limits = RateLimits {
            read: Allowance::new(1_000, ms(10)),
            ..RateLimits::unlimited()
        };
        let limiters = RateLimiters::new(&limits);
        for n in 0..100 {
            let mut headers = HeaderMap::new();
            headers.insert("x-api-key", HeaderValue::from(n));
            limiters.check(Class::Read, &headers, None);
        }
        assert_eq!(limiters.subjects(), 100);
        tokio::time::sleep(ms(30)).await;
        limiters.prune();
        assert_eq!(limiters.subjects(), 0);
    }
}
