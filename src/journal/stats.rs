//! How well group commit is grouping: counted by the writer, read by tests and benchmarks.
//! The same numbers go to the metrics facade; these counters exist so a caller in the same
//! process can read them without an exporter.

use std::sync::atomic::{AtomicU64, Ordering};

/// Totals since the journal was opened, over committed group transactions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupCommitStats {
    pub groups_committed: u64,
    /// Requests answered by those groups (including those refused by their checks).
    pub requests_committed: u64,
    pub largest_group_requests: u64,
}

impl GroupCommitStats {
    /// Mean requests per committed group; 0 before the first.
    pub fn requests_per_group(&self) -> f64 {
        if self.groups_committed == 0 {
            return 0.0;
        }
        self.requests_committed as f64 / self.groups_committed as f64
    }
}

#[derive(Debug, Default)]
pub(crate) struct GroupCommitCounters {
    groups_committed: AtomicU64,
    requests_committed: AtomicU64,
    largest_group_requests: AtomicU64,
}

impl GroupCommitCounters {
    pub(crate) fn record_group(&self, requests: usize) {
        let requests = requests as u64;
        // Relaxed: each counter is read on its own; no other memory depends on them.
        self.groups_committed.fetch_add(1, Ordering::Relaxed);
        self.requests_committed
            .fetch_add(requests, Ordering::Relaxed);
        self.largest_group_requests
            .fetch_max(requests, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> GroupCommitStats {
        GroupCommitStats {
            groups_committed: self.groups_committed.load(Ordering::Relaxed),
            requests_committed: self.requests_committed.load(Ordering::Relaxed),
            largest_group_requests: self.largest_group_requests.load(Ordering::Relaxed),
        }
    }
}
