//! Databases for query tests: a fresh SQLite file, and a PostgreSQL database
//! of its own when `ERRAND_TEST_DATABASE_URL` is set, both migrated as
//! `errand serve` migrates them. Tests write read-model rows straight into
//! them, as projections would, and read them back through the queries.

use crate::journal::testing::{postgres_admin_url, ScratchDatabase};
use crate::journal::{Journal, JournalOptions};

/// A migrated SQLite ledger; the directory goes when the value does.
pub async fn sqlite() -> (tempfile::TempDir, Journal) {
    let directory = tempfile::tempdir().expect("temp dir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        directory.path().join("errand.sqlite").display()
    );
    let options = JournalOptions {
        sqlite_synchronous_full: false,
        ..JournalOptions::default()
    };
    let journal = Journal::open(&url, options).await.expect("sqlite journal");
    (directory, journal)
}

/// A migrated PostgreSQL database, dropped when the value goes; `None`
/// (said on stderr) when no server is configured.
pub async fn postgres() -> Option<(ScratchDatabase, Journal)> {
    let Some(admin_url) = postgres_admin_url() else {
        eprintln!("ERRAND_TEST_DATABASE_URL is unset: PostgreSQL test not run");
        return None;
    };
    let database = ScratchDatabase::create(&admin_url)
        .await
        .expect("a scratch database");
    let journal = Journal::open(&database.url, JournalOptions::default())
        .await
        .expect("postgres journal");
    Some((database, journal))
}
