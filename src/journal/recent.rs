//! The events this process committed last, kept in memory so the projector
//! tails its own instance's appends without reading them back from the
//! database. A read that finds a position here serves the contiguous run that
//! starts at it; anything else (events another instance committed, events
//! older than the window) is read from the `events` table as before.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

/// Events kept: at 64 busy clients a few seconds' worth, so a projector that
/// falls behind by less than that still reads from memory, in a few MiB.
pub(crate) const RECENT_EVENTS_CAPACITY: usize = 32_768;

/// What a projection needs of a committed event: no metadata, no hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommittedEvent {
    pub position: i64,
    pub stream_id: String,
    pub event_type: String,
    pub payload: String,
    pub recorded_at: DateTime<Utc>,
}

/// A window of the last committed events, in position order.
#[derive(Debug)]
pub(crate) struct RecentEvents {
    window: Mutex<VecDeque<Arc<CommittedEvent>>>,
    capacity: usize,
}

impl RecentEvents {
    pub(crate) fn new(capacity: usize) -> RecentEvents {
        RecentEvents {
            window: Mutex::new(VecDeque::with_capacity(capacity)),
            capacity,
        }
    }

    /// Adds a committed group's events, which follow every event added before
    /// (the writer commits and publishes groups one at a time, in order).
    pub(crate) fn extend(&self, events: Vec<Arc<CommittedEvent>>) {
        let mut window = self.window.lock().unwrap_or_else(|e| e.into_inner());
        for event in events {
            if window.len() == self.capacity {
                window.pop_front();
            }
            window.push_back(event);
        }
    }

    /// Up to `limit` events from `after + 1` on, with no gap, if the window
    /// holds position `after + 1`; `None` otherwise.
    pub(crate) fn after(&self, after: i64, limit: usize) -> Option<Vec<Arc<CommittedEvent>>> {
        let window = self.window.lock().unwrap_or_else(|e| e.into_inner());
        let start = window.partition_point(|event| event.position <= after);
        if window.get(start)?.position != after + 1 {
            return None;
        }
        let mut expected = after + 1;
        let run = window
            .range(start..)
            .take(limit)
            .take_while(|event| {
                let contiguous = event.position == expected;
                expected += 1;
                contiguous
            })
            .cloned()
            .collect();
        Some(run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(position: i64) -> Arc<CommittedEvent> {
        Arc::new(CommittedEvent {
            position,
            stream_id: format!("task-{position}"),
            event_type: "TaskPosted".to_owned(),
            payload: "{}".to_owned(),
            recorded_at: DateTime::UNIX_EPOCH,
        })
    }

    fn positions(events: Option<Vec<Arc<CommittedEvent>>>) -> Option<Vec<i64>> {
        events.map(|events| events.iter().map(|e| e.position).collect())
    }

    #[test]
    fn serves_the_contiguous_run_after_a_position_up_to_the_limit() {
        let recent = RecentEvents::new(10);
        recent.extend((1..=5).map(event).collect());
        assert_eq!(positions(recent.after(1, 10)), Some(vec![2, 3, 4, 5]));
        assert_eq!(positions(recent.after(0, 2)), Some(vec![1, 2]));
        assert_eq!(positions(recent.after(5, 10)), None, "nothing newer");
    }

    #[test]
    fn stops_at_a_gap_another_instance_left() {
        let recent = RecentEvents::new(10);
        recent.extend(vec![event(1), event(2), event(5), event(6)]);
        assert_eq!(positions(recent.after(0, 10)), Some(vec![1, 2]));
        assert_eq!(positions(recent.after(2, 10)), None, "3 is not here");
        assert_eq!(positions(recent.after(4, 10)), Some(vec![5, 6]));
    }

    #[test]
    fn forgets_the_oldest_beyond_its_capacity() {
        let recent = RecentEvents::new(3);
        recent.extend((1..=5).map(event).collect());
        assert_eq!(positions(recent.after(1, 10)), None, "2 was dropped");
        assert_eq!(positions(recent.after(2, 10)), Some(vec![3, 4, 5]));
    }
}
