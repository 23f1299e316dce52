//! What the sweeps of work left pending (payouts, charges of saved methods)
//! share: how often they look, how old a request must be before they repeat
//! it, and how many they take a tick, on the leased poller with the timers'
//! back-off.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::leased_poller::{Polling, BACKOFF_FIRST_DEFAULT, BACKOFF_LAST_DEFAULT};

/// How often pending work is looked for. An item the provider did not answer
/// waits at least this long for its next try; a provider that is down is
/// asked at most a batch of items this often.
pub const SWEEP_INTERVAL_DEFAULT: Duration = Duration::from_secs(30);

/// How old a pending item's request must be before the sweep repeats it:
/// long enough that the request's own provider call (usually well under a
/// minute even when slow) has answered or given up, so the sweep does not race
/// it. Racing would still pay or charge once; this keeps it from asking twice.
pub const SWEEP_GRACE_DEFAULT: Duration = Duration::from_secs(2 * 60);

/// Items per tick, one after another: each is a provider call, so this bounds
/// how long a tick may take against a slow provider, and how hard a recovering
/// provider is asked at once. A backlog drains at this many per tick.
pub const SWEEP_BATCH_DEFAULT: i64 = 20;

#[derive(Debug, Clone, Copy)]
pub struct SweepOptions {
    pub interval: Duration,
    /// Only items requested longer ago than this are repeated.
    pub grace: Duration,
    pub batch_max: i64,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions {
            interval: SWEEP_INTERVAL_DEFAULT,
            grace: SWEEP_GRACE_DEFAULT,
            batch_max: SWEEP_BATCH_DEFAULT,
        }
    }
}

impl SweepOptions {
    /// The poller's settings: the timers' back-off, so a provider that keeps
    /// failing is asked about one item at most every ten minutes.
    pub(super) fn polling(&self) -> Polling {
        Polling {
            interval: self.interval,
            batch_max: self.batch_max,
            backoff_first: BACKOFF_FIRST_DEFAULT,
            backoff_last: BACKOFF_LAST_DEFAULT,
        }
    }

    /// Requests before this, as of `now`, are old enough to repeat.
    pub(super) fn requested_before(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        chrono::Duration::from_std(self.grace)
            .ok()
            .and_then(|grace| now.checked_sub_signed(grace))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grace_too_long_for_the_calendar_repeats_nothing_rather_than_overflowing() {
        let now = Utc::now();
        let options = SweepOptions::default();
        assert_eq!(
            options.requested_before(now),
            now - chrono::Duration::minutes(2)
        );
        let forever = SweepOptions {
            grace: Duration::MAX,
            ..options
        };
        assert_eq!(forever.requested_before(now), DateTime::<Utc>::MIN_UTC);
    }
}
