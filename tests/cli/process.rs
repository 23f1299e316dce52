//! Running `errand` as a child process against a throwaway database.

use errand::journal::testing::{postgres_admin_url, ScratchDatabase};
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const ERRAND: &str = env!("CARGO_BIN_EXE_errand");

/// Where a test's ledger lives: a data directory (SQLite) or a PostgreSQL URL.
pub struct Ledger {
    pub data_dir: tempfile::TempDir,
    pub database_url: Option<String>,
    /// Dropped with the ledger.
    _database: Option<ScratchDatabase>,
}

impl Ledger {
    pub async fn sqlite() -> Ledger {
        Ledger {
            data_dir: tempfile::tempdir().expect("temp dir"),
            database_url: None,
            _database: None,
        }
    }

    /// `None` (and a note) when no PostgreSQL test server is configured.
    pub async fn postgres() -> Option<Ledger> {
        let Some(admin) = postgres_admin_url() else {
            eprintln!("skipped on PostgreSQL: ERRAND_TEST_DATABASE_URL is not set");
            return None;
        };
        let database = ScratchDatabase::create(&admin)
            .await
            .expect("fresh database");
        Some(Ledger {
            data_dir: tempfile::tempdir().expect("temp dir"),
            database_url: Some(database.url.clone()),
            _database: Some(database),
        })
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(ERRAND);
        command
            .args(args)
            .env("ERRAND_DATA_DIR", self.data_dir.path())
            .env_remove("DATABASE_URL")
            .env("ERRAND_LOG", "warn")
            .kill_on_drop(true);
        if let Some(url) = &self.database_url {
            command.env("DATABASE_URL", url);
        }
        command
    }

    /// Runs a command to its end: (success, stdout, stderr).
    pub async fn run(&self, args: &[&str]) -> (bool, String, String) {
        let output = self.command(args).output().await.expect("errand runs");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    /// Starts `errand serve` on a free port; returns the child, its base URL
    /// and the admin key it printed on a first start. Without rate limits:
    /// the harnesses that serve this way (crash, schema) send as fast as the
    /// server answers, and replay all of it; they test the ledger, not the limits.
    pub async fn serve(&self) -> (Child, String, Option<String>) {
        let mut command = self.command(&["serve", "--listen", "127.0.0.1:0"]);
        for class in ["READS", "WRITES", "AUTH"] {
            command.env(format!("ERRAND_RATE_LIMIT_{class}_PER_MINUTE"), "0");
        }
        self.serve_with(command).await
    }

    /// Starts a server with `command`, however it is told to serve.
    pub async fn serve_with(&self, mut command: Command) -> (Child, String, Option<String>) {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("errand serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut admin_key = None;
        loop {
            let line = tokio::time::timeout(std::time::Duration::from_secs(30), lines.next_line())
                .await
                .expect("the server starts within 30 s")
                .expect("stdout readable")
                .expect("the server prints where it listens");
            if line.starts_with("erk_") {
                admin_key = Some(line.trim().to_owned());
            }
            if let Some(address) = line.strip_prefix("Errand is listening on ") {
                let base = address.trim().to_owned();
                // Keep draining stdout so the child never blocks on a full pipe.
                tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
                return (child, base, admin_key);
            }
        }
    }
}
