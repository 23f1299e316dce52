//! Where a run's CPU went: this process (the framework or Errand's bus,
//! journal and projector) and the PostgreSQL backends serving the run's
//! database. Read from `/proc`, so only for a server on this machine; where
//! `/proc` says nothing, both read as zero.

use anyhow::Context;
use sqlx::{Connection, PgConnection};
use std::collections::HashMap;
use std::time::Duration;

/// `/proc` reports CPU time in USER_HZ ticks, which Linux fixes at 100.
const TICKS_PER_SECOND: u64 = 100;

/// CPU used so far by the process `pid` ("self" for this one).
fn process_cpu(pid: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after it do not. utime and
    // stime are fields 14 and 15, the 12th and 13th after the name.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 1000 / TICKS_PER_SECOND))
}

/// CPU used so far by this process and by each backend of one database.
pub struct CpuSnapshot {
    this_process: Duration,
    backends: HashMap<i32, Duration>,
}

/// CPU used between two snapshots.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuUsed {
    pub this_process: Duration,
    pub database: Duration,
}

/// Where to look: `admin_url` names any database on the server but the
/// run's, so that the query's own backend is not counted.
pub struct CpuProbe {
    pub admin_url: String,
    pub database: String,
}

impl CpuProbe {
    pub async fn take(&self) -> anyhow::Result<CpuSnapshot> {
        CpuSnapshot::take(&self.admin_url, &self.database).await
    }
}

impl CpuSnapshot {
    async fn take(admin_url: &str, database: &str) -> anyhow::Result<CpuSnapshot> {
        let mut connection = PgConnection::connect(admin_url)
            .await
            .context("connecting to read pg_stat_activity")?;
        let pids: Vec<i32> =
            sqlx::query_scalar("SELECT pid FROM pg_stat_activity WHERE datname = $1")
                .bind(database)
                .fetch_all(&mut connection)
                .await
                .context("listing the run's backends")?;
        connection.close().await.ok();
        let backends = pids
            .into_iter()
            .filter_map(|pid| Some((pid, process_cpu(&pid.to_string())?)))
            .collect();
        Ok(CpuSnapshot {
            this_process: process_cpu("self").unwrap_or_default(),
            backends,
        })
    }

    /// What was used since `before`. A backend that started in between
    /// counts from zero; one that ended in between is missed (the pools keep
    /// their connections for the whole run, so that is rare).
    pub fn since(&self, before: &CpuSnapshot) -> CpuUsed {
        let database = self
            .backends
            .iter()
            .map(|(pid, now)| {
                now.saturating_sub(before.backends.get(pid).copied().unwrap_or_default())
            })
            .sum();
        CpuUsed {
            this_process: self.this_process.saturating_sub(before.this_process),
            database,
        }
    }
}
