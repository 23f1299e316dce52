//! Driving clients for a fixed time and recording what they did: units
//! finished, and the latency of each business command (post, approve).

use anyhow::Context;
use hdrhistogram::Histogram;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A client that keeps failing is broken, not slow: it stops after this many
/// errors rather than spin against a database that refuses it.
pub const CLIENT_ERRORS_MAX: u64 = 100;

/// Microseconds up to a minute, three significant figures.
const LATENCY_US_MAX: u64 = 60_000_000;

/// How long the two business commands of one unit took.
pub struct UnitTimings {
    pub post: Duration,
    pub approve: Duration,
}

/// What all clients of one run did.
pub struct Measured {
    pub units: u64,
    /// From the start until the last client's last unit finished.
    pub elapsed: Duration,
    pub post_us: Histogram<u64>,
    pub approve_us: Histogram<u64>,
    pub errors: u64,
    pub first_error: Option<String>,
}

impl Measured {
    /// Post and approve together: the business commands.
    pub fn commands_us(&self) -> Histogram<u64> {
        let mut all = self.post_us.clone();
        // Same bounds, so adding cannot fail.
        let _ = all.add(&self.approve_us);
        all
    }
}

pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, LATENCY_US_MAX, 3).expect("valid histogram bounds")
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros())
        .unwrap_or(u64::MAX)
        .clamp(1, LATENCY_US_MAX)
}

/// Runs `unit` for every client in a loop until `duration` has passed (a unit
/// under way then finishes), all clients at once.
pub async fn drive<C, F, Fut>(
    clients: Vec<C>,
    duration: Duration,
    unit: F,
) -> anyhow::Result<Measured>
where
    C: Send + Sync + 'static,
    F: Fn(Arc<C>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<UnitTimings>> + Send + 'static,
{
    let started = Instant::now();
    let deadline = started + duration;
    let mut handles = Vec::with_capacity(clients.len());
    for client in clients {
        let client = Arc::new(client);
        let unit = unit.clone();
        handles.push(tokio::spawn(async move {
            let mut measured = Measured {
                units: 0,
                elapsed: Duration::ZERO,
                post_us: new_histogram(),
                approve_us: new_histogram(),
                errors: 0,
                first_error: None,
            };
            while Instant::now() < deadline && measured.errors < CLIENT_ERRORS_MAX {
                match unit(client.clone()).await {
                    Ok(timings) => {
                        measured.units += 1;
                        measured.post_us.saturating_record(micros(timings.post));
                        measured
                            .approve_us
                            .saturating_record(micros(timings.approve));
                    }
                    Err(error) => {
                        measured.errors += 1;
                        measured.first_error.get_or_insert(format!("{error:#}"));
                    }
                }
            }
            measured
        }));
    }
    let mut total = Measured {
        units: 0,
        elapsed: Duration::ZERO,
        post_us: new_histogram(),
        approve_us: new_histogram(),
        errors: 0,
        first_error: None,
    };
    for handle in handles {
        let client = handle.await.context("a client panicked")?;
        total.units += client.units;
        total.errors += client.errors;
        total
            .post_us
            .add(&client.post_us)
            .context("merging latencies")?;
        total
            .approve_us
            .add(&client.approve_us)
            .context("merging latencies")?;
        if total.first_error.is_none() {
            total.first_error = client.first_error;
        }
    }
    total.elapsed = started.elapsed();
    Ok(total)
}

/// What read models that show `completed` tasks and `held_cents` still in
/// escrow disagree with `units` finished units on, if anything.
pub fn disagreement(units: u64, completed: i64, held_cents: i64) -> Option<String> {
    let units = i64::try_from(units).unwrap_or(i64::MAX);
    if completed == units && held_cents == 0 {
        return None;
    }
    Some(format!(
        "read models show {completed} completed tasks for {units} units and {held_cents} cents still held"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_models_agree_when_every_unit_completed_and_nothing_is_held() {
        assert_eq!(disagreement(3, 3, 0), None);
    }

    #[test]
    fn a_missing_task_or_money_left_in_escrow_is_a_disagreement() {
        assert!(disagreement(3, 2, 0).is_some());
        assert!(disagreement(3, 3, 500).is_some());
    }
}
