//! The webhook dispatcher: while this instance holds the lease, every
//! interval it reads due pending deliveries from the outbox (a bounded
//! batch) and hands them to a callback (the server's courier: send, then
//! record the attempt through the bus), a bounded number at a time. After a
//! batch it waits for the projection to fold the recorded attempts back into
//! the outbox, so the next look does not find them due again.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use errand_projections::outbox::{due, DueDelivery};
use futures::StreamExt;
use sqlx::AnyPool;
use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior};

use super::background::Background;
use super::lease::Lease;
use super::projector::{error_chain, ProjectionHandle};

/// Deliveries read per look: bounds one tick's work; a backlog drains at
/// this many per interval.
pub const DISPATCH_BATCH_DEFAULT: i64 = 64;

/// Deliveries sent at once: enough that one slow receiver (up to its
/// timeout) does not hold the others up, few enough to be gentle on the
/// receivers and on this server.
pub const DISPATCH_CONCURRENCY_DEFAULT: usize = 8;

/// How long to wait for the projection to take in a batch's records.
const PROJECTION_WAIT: Duration = Duration::from_secs(5);

/// A delivery whose attempt could not be recorded (the database was away,
/// or another instance recorded it first) rests this long before it is
/// looked at again.
const UNRECORDED_REST: Duration = Duration::from_secs(30);

/// Resting deliveries remembered; past this the soonest to wake is forgotten.
const RESTING_MAX: usize = 10_000;

#[derive(Debug, Clone)]
pub struct DispatcherOptions {
    pub interval: Duration,
    pub batch_max: i64,
    pub concurrency_max: usize,
}

impl Default for DispatcherOptions {
    fn default() -> Self {
        DispatcherOptions {
            interval: crate::webhooks::DISPATCH_INTERVAL_DEFAULT,
            batch_max: DISPATCH_BATCH_DEFAULT,
            concurrency_max: DISPATCH_CONCURRENCY_DEFAULT,
        }
    }
}

pub struct WebhookDispatcher;

/// A running dispatcher; it runs until `stop`.
pub struct DispatcherHandle {
    background: Background,
}

impl WebhookDispatcher {
    /// Sends due deliveries through `deliver` while `lease` is held. `Ok` is
    /// the journal position the attempt's record reached.
    pub fn start_leased<F, Fut>(
        pool: AnyPool,
        lease: Lease,
        projections: ProjectionHandle,
        options: DispatcherOptions,
        deliver: F,
    ) -> DispatcherHandle
    where
        F: Fn(DueDelivery) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<i64, String>> + Send + 'static,
    {
        let background = Background::new("webhooks");
        let dispatcher = Dispatcher {
            pool,
            lease,
            projections,
            options,
            deliver,
            resting: HashMap::new(),
        };
        background.start(dispatcher.run(background.stop_signal()));
        DispatcherHandle { background }
    }
}

impl DispatcherHandle {
    /// Stops after the batch in flight, and waits for it.
    pub async fn stop(&self) {
        self.background.stop().await;
    }
}

struct Dispatcher<F> {
    pool: AnyPool,
    lease: Lease,
    projections: ProjectionHandle,
    options: DispatcherOptions,
    deliver: F,
    /// Deliveries not to look at until then.
    resting: HashMap<String, Instant>,
}

impl<F, Fut> Dispatcher<F>
where
    F: Fn(DueDelivery) -> Fut,
    Fut: Future<Output = Result<i64, String>>,
{
    async fn run(mut self, mut stop: watch::Receiver<bool>) {
        let mut ticks = tokio::time::interval(self.options.interval);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.changed() => return,
                _ = ticks.tick() => {}
            }
            if !self.lease.is_held() || *stop.borrow() {
                continue;
            }
            if let Err(error) = self.tick().await {
                if matches!(error, sqlx::Error::PoolClosed) {
                    return;
                }
                tracing::warn!(error = %error_chain(&error), "reading due deliveries failed; trying again next tick");
            }
        }
    }

    async fn tick(&mut self) -> Result<(), sqlx::Error> {
        let now = Instant::now();
        self.resting.retain(|_, until| now < *until);
        let now_us = chrono::Utc::now().timestamp_micros();
        let limit = self.options.batch_max + self.resting.len() as i64;
        let ready: Vec<DueDelivery> = due(&self.pool, now_us, limit)
            .await?
            .into_iter()
            .filter(|delivery| !self.resting.contains_key(&delivery.delivery_id))
            .take(self.options.batch_max.max(0) as usize)
            .collect();
        if ready.is_empty() {
            return Ok(());
        }
        let deliver = &self.deliver;
        let outcomes: Vec<(String, Result<i64, String>)> = futures::stream::iter(ready)
            .map(|delivery| async move {
                let id = delivery.delivery_id.clone();
                (id, deliver(delivery).await)
            })
            .buffer_unordered(self.options.concurrency_max.max(1))
            .collect()
            .await;
        let mut recorded_up_to = 0;
        for (delivery_id, outcome) in outcomes {
            match outcome {
                Ok(position) => recorded_up_to = recorded_up_to.max(position),
                Err(reason) => {
                    tracing::info!(delivery = %delivery_id, %reason, "a delivery attempt was not recorded");
                    self.rest(delivery_id, now + UNRECORDED_REST);
                }
            }
        }
        if recorded_up_to > 0 {
            if let Err(lagging) = self
                .projections
                .wait_for(recorded_up_to, PROJECTION_WAIT)
                .await
            {
                tracing::warn!(%lagging, "the outbox has not taken in the attempts yet");
            }
        }
        Ok(())
    }

    fn rest(&mut self, delivery_id: String, until: Instant) {
        if self.resting.len() >= RESTING_MAX {
            let soonest = self
                .resting
                .iter()
                .min_by_key(|(_, until)| **until)
                .map(|(id, _)| id.clone());
            if let Some(soonest) = soonest {
                self.resting.remove(&soonest);
            }
        }
        self.resting.insert(delivery_id, until);
    }
}
