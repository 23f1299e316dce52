//! How far behind the journal the read models were over the last hour, per
//! minute: the most events they trailed by in each minute, as the projector
//! saw it after each step. Kept in memory by the process that projects or
//! follows, for the console's lag chart; `/metrics`' gauge is the same number
//! for scrapers that keep their own history.

use std::collections::VecDeque;
use std::sync::Mutex;

/// Minutes kept: an hour, enough to see a burst and the catch-up after it.
pub const LAG_HISTORY_MINUTES: usize = 60;

/// One minute of the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LagMinute {
    /// Minutes since the Unix epoch, UTC.
    pub minute: i64,
    /// The most events the read models trailed the journal's head by.
    pub max_events_behind: i64,
}

#[derive(Debug, Default)]
pub struct LagHistory {
    /// Oldest first, one entry per minute that had a sample. A std mutex:
    /// held only to push or copy, never across an await.
    minutes: Mutex<VecDeque<LagMinute>>,
}

impl LagHistory {
    /// Notes that at `at_unix_s` the read models were `events_behind` behind.
    pub fn record(&self, at_unix_s: i64, events_behind: i64) {
        let minute = at_unix_s.div_euclid(60);
        let events_behind = events_behind.max(0);
        let mut minutes = self.minutes.lock().unwrap_or_else(|p| p.into_inner());
        match minutes.back_mut() {
            Some(last) if last.minute == minute => {
                last.max_events_behind = last.max_events_behind.max(events_behind);
            }
            // A clock stepped back: the sample belongs to a minute already
            // closed, and the history stays in order without it.
            Some(last) if last.minute > minute => {}
            _ => minutes.push_back(LagMinute {
                minute,
                max_events_behind: events_behind,
            }),
        }
        while minutes
            .front()
            .is_some_and(|first| first.minute <= minute - LAG_HISTORY_MINUTES as i64)
        {
            minutes.pop_front();
        }
    }

    /// The last hour up to `now_unix_s`, one entry per minute, oldest first;
    /// `None` for a minute without a sample (the projector was not stepping:
    /// stopped, retrying a failure, or not yet started).
    pub fn last_hour(&self, now_unix_s: i64) -> Vec<(i64, Option<i64>)> {
        let now = now_unix_s.div_euclid(60);
        let minutes = self.minutes.lock().unwrap_or_else(|p| p.into_inner());
        (now - LAG_HISTORY_MINUTES as i64 + 1..=now)
            .map(|minute| {
                let seen = minutes
                    .iter()
                    .find(|m| m.minute == minute)
                    .map(|m| m.max_events_behind);
                (minute, seen)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOON: i64 = 1_800_000_000 / 60 * 60;

    #[test]
    fn each_minute_keeps_the_most_events_behind_it_saw() {
        let history = LagHistory::default();
        history.record(NOON, 3);
        history.record(NOON + 20, 40);
        history.record(NOON + 59, 0);
        history.record(NOON + 60, 7);
        let hour = history.last_hour(NOON + 60);
        assert_eq!(hour.len(), LAG_HISTORY_MINUTES);
        assert_eq!(hour[LAG_HISTORY_MINUTES - 2], (NOON / 60, Some(40)));
        assert_eq!(hour[LAG_HISTORY_MINUTES - 1], (NOON / 60 + 1, Some(7)));
    }

    #[test]
    fn minutes_without_a_sample_are_gaps_and_an_hour_old_one_is_gone() {
        let history = LagHistory::default();
        history.record(NOON, 5);
        history.record(NOON + 10 * 60, 2);
        let hour = history.last_hour(NOON + 10 * 60);
        assert_eq!(hour[LAG_HISTORY_MINUTES - 11].1, Some(5));
        assert!(hour[LAG_HISTORY_MINUTES - 10..LAG_HISTORY_MINUTES - 1]
            .iter()
            .all(|(_, seen)| seen.is_none()));
        history.record(NOON + 60 * 60, 1);
        assert_eq!(history.minutes.lock().unwrap().len(), 2);
        let later = history.last_hour(NOON + 60 * 60);
        assert!(later.iter().all(|(minute, _)| *minute > NOON / 60));
    }

    #[test]
    fn a_sample_from_a_clock_stepped_back_changes_nothing_and_lag_is_never_negative() {
        let history = LagHistory::default();
        history.record(NOON + 120, 4);
        history.record(NOON, 99);
        history.record(NOON + 121, -3);
        let hour = history.last_hour(NOON + 120);
        assert_eq!(hour[LAG_HISTORY_MINUTES - 3].1, None);
        assert_eq!(hour[LAG_HISTORY_MINUTES - 1].1, Some(4));
    }
}
