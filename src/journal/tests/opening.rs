use super::*;
use crate::journal::{Backend, JournalError};

#[tokio::test]
async fn opening_sqlite_turns_on_the_write_ahead_log_and_full_sync() {
    let database = TestDatabase::sqlite();
    let journal = database.open().await;
    assert_eq!(journal.backend(), Backend::Sqlite);
    let mut connection = journal.pool().acquire().await.expect("a connection");
    let journal_mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut *connection)
        .await
        .expect("the pragma reads");
    assert_eq!(journal_mode, "wal");
    for (pragma, expected) in [
        ("synchronous", 2 /* FULL */),
        ("foreign_keys", 1),
        ("busy_timeout", 5_000),
    ] {
        let value: i64 = sqlx::query_scalar(&format!("PRAGMA {pragma}"))
            .fetch_one(&mut *connection)
            .await
            .expect("the pragma reads");
        assert_eq!(value, expected, "PRAGMA {pragma}");
    }
    drop(connection);
    journal.close().await;
}

#[tokio::test]
async fn opening_refuses_urls_it_cannot_serve() {
    let unsupported = Journal::open("mysql://localhost/errand", JournalOptions::default()).await;
    assert!(
        matches!(unsupported, Err(JournalError::UnsupportedUrl { scheme }) if scheme == "mysql")
    );
    let in_memory = Journal::open("sqlite::memory:", JournalOptions::default()).await;
    assert!(matches!(in_memory, Err(JournalError::UnusableSqlite(_))));
}
