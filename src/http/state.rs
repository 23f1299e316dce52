//! What every handler can reach: the bus for writes, the read models for
//! queries, and configuration.

use super::errors::ApiError;
use crate::bus::CommandBus;
use crate::config::Config;
use crate::journal::Backend;
use crate::payments::PaymentProvider;
use crate::runtime::{Lease, ProjectionHandle};
use crate::server_secret::ServerSecret;
use sqlx::AnyPool;
use std::sync::Arc;
use std::time::Duration;

/// How long a query waits for the read models to reach the journal's head
/// as of its arrival before it answers 503 with Retry-After.
pub const READ_YOUR_WRITES_WAIT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct AppState(pub Arc<Services>);

pub struct Services {
    pub bus: CommandBus,
    pub projections: ProjectionHandle,
    /// Whether this instance runs the projector and timers (see `runtime::lease`).
    pub lease: Lease,
    pub payments: Arc<dyn PaymentProvider>,
    /// Where payouts go (connected accounts, onboarding, sending).
    pub payouts: Arc<dyn crate::payments::PayoutProvider>,
    pub config: Config,
    /// What signing keys (JWTs, webhook signatures) derive from.
    pub secret: ServerSecret,
    /// Password hashing, login tokens and the sandbox mailbox.
    pub identity: crate::identity::Identity,
    /// Renders `/metrics`; absent when another recorder was installed first (tests).
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    /// Humai's live task streams (`Config::humai_stream_subscribers` permits).
    pub humai_streams: Arc<tokio::sync::Semaphore>,
}

impl std::ops::Deref for AppState {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.0
    }
}

impl Services {
    /// The read models, once they have caught up with every write committed
    /// when the query arrived (read-your-writes). On SQLite this process made
    /// every write, so its own head is the journal's; on PostgreSQL another
    /// instance may have taken the write, so the head is read.
    pub async fn read_models(&self) -> Result<&AnyPool, ApiError> {
        let journal = self.bus.journal();
        let head = match journal.backend() {
            Backend::Sqlite => *journal.watch_head().borrow(),
            Backend::Postgres => journal.head().await.map_err(ApiError::internal)?,
        };
        self.projections
            .wait_for(head, READ_YOUR_WRITES_WAIT)
            .await
            .map_err(|_| ApiError::Lagging)?;
        Ok(self.bus.journal().pool())
    }
}
