//! The breaches one check found: all of them counted, the first few described.

use std::fmt::Write as _;

/// Breaches described per invariant. A damaged journal can breach an invariant millions of
/// times; the first twenty locate the damage, and the rest would bury them (and the memory).
pub const BREACHES_LISTED_MAX: usize = 20;

#[derive(Debug, Default)]
pub(crate) struct Findings {
    total: u64,
    listed: Vec<String>,
}

impl Findings {
    /// Records a breach. The description is built only while the list has room.
    pub(crate) fn breach(&mut self, describe: impl FnOnce() -> String) {
        self.total += 1;
        if self.listed.len() < BREACHES_LISTED_MAX {
            self.listed.push(describe());
        }
    }

    /// Every breach recorded, listed or not.
    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// `summary`, then one line per listed breach, then how many were left out.
    pub(crate) fn detail(&self, summary: &str) -> String {
        let mut detail = summary.to_owned();
        if self.total > 0 {
            let _ = write!(detail, "\n{} breach(es):", self.total);
        }
        for breach in &self.listed {
            let _ = write!(detail, "\n- {breach}");
        }
        let unlisted = self.total - self.listed.len() as u64;
        if unlisted > 0 {
            let _ = write!(detail, "\n- … and {unlisted} more");
        }
        detail
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn only_the_first_breaches_are_described_but_all_are_counted() {
        let mut findings = Findings::default();
        for n in 0..(BREACHES_LISTED_MAX + 5) {
            findings.breach(|| format!("breach {n}"));
        }
        let detail = findings.detail("checked");
        assert!(detail.starts_with(&format!("checked\n{} breach(es):", BREACHES_LISTED_MAX + 5)));
        assert!(detail.contains("- breach 0\n"));
        assert!(!detail.contains(&format!("breach {BREACHES_LISTED_MAX}\n")));
        assert!(detail.ends_with("- … and 5 more"));
    }

    #[test]
    fn no_breach_leaves_the_summary_alone() {
        assert_eq!(Findings::default().detail("3 events"), "3 events");
        assert!(Findings::default().is_empty());
    }
}
