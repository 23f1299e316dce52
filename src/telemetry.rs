//! Logs and metrics. Logs are `tracing` events, as JSON lines when asked,
//! each carrying the request id of its span. Metrics go to a Prometheus
//! recorder rendered at `/metrics`.

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

pub fn init_logs(json: bool) {
    let filter =
        EnvFilter::try_from_env("ERRAND_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let result = if json {
        builder.json().with_current_span(true).try_init()
    } else {
        builder.try_init()
    };
    // Already initialised (a test harness, or a second server in one process).
    let _ = result;
}

/// Installs the Prometheus recorder; `None` if one is already installed.
pub fn install_metrics() -> Option<PrometheusHandle> {
    PrometheusBuilder::new().install_recorder().ok()
}
