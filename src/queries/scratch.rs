//! Databases for query tests: a fresh SQLite file, and a PostgreSQL database
//! of its own when `ERRAND_TEST_DATABASE_URL` is set, both migrated as
//! `errand serve` migrates them. Tests write read-model rows straight into
//! them, as projections would, and read them back through the queries.

use crate::journal::testing::{postgres_admin_url, ScratchDatabase};
use crate::journal::{Journal, JournalOptions};
use uuid::Uuid;

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

/// A `tasks_view` row as the tasks projection writes one; the fields tests vary.
#[derive(Debug, Clone)]
pub struct TaskRow {
    pub id: String,
    pub poster: String,
    pub mode: &'static str,
    pub title: String,
    pub kind: &'static str,
    pub details: &'static str,
    pub status: &'static str,
    pub assignment_mode: &'static str,
    pub reward_cents: i64,
    pub slots: i64,
    pub working: i64,
    pub deadline_us: Option<i64>,
    pub posted_at_us: i64,
}

impl TaskRow {
    /// Live, open, first-accept, one free slot of one, no deadline, a new id.
    pub fn open(kind: &'static str, details: &'static str, reward_cents: i64) -> TaskRow {
        TaskRow {
            id: Uuid::now_v7().to_string(),
            poster: Uuid::now_v7().to_string(),
            mode: "live",
            title: format!("{kind} task"),
            kind,
            details,
            status: "open",
            assignment_mode: "first_accept",
            reward_cents,
            slots: 1,
            working: 0,
            deadline_us: None,
            posted_at_us: 0,
        }
    }
}

pub async fn insert_task(journal: &Journal, row: &TaskRow) {
    sqlx::query(
        "INSERT INTO tasks_view (task_id, poster, mode, title, description, kind, details, status, \
         assignment_mode, reward_cents, currency, fee_rate, slots, working, awaiting_review, \
         approved, disputed, escrow_cents, paid_cents, released_cents, deadline_us, \
         assignment_time_limit_s, review_window_s, posted_at_us, updated_at_us, last_position) \
         VALUES ($1, $2, $3, $4, '', $5, $6, $7, $8, $9, 'USD', '0.1', $10, $11, 0, 0, 0, $12, 0, \
         0, $13, NULL, NULL, $14, $14, 1)",
    )
    .bind(row.id.clone())
    .bind(row.poster.clone())
    .bind(row.mode)
    .bind(row.title.clone())
    .bind(row.kind)
    .bind(row.details)
    .bind(row.status)
    .bind(row.assignment_mode)
    .bind(row.reward_cents)
    .bind(row.slots)
    .bind(row.working)
    .bind(row.reward_cents * row.slots)
    .bind(row.deadline_us)
    .bind(row.posted_at_us)
    .execute(journal.pool())
    .await
    .expect("a tasks_view row");
}
