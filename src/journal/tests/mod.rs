//! The journal's tests. Each runs twice, as `sqlite::<name>` on a temporary file and as
//! `postgres::<name>` on a fresh database of the server named by `ERRAND_TEST_DATABASE_URL`
//! (and passes without running when that is unset).

mod appending;
mod chain;
mod concurrency;
mod constraints;
mod idempotency;
mod opening;
mod reopening;

use std::time::Duration;

use tokio::sync::oneshot;
use uuid::Uuid;

use super::connect::Backend;
use super::lock::lock_head_sqlite;
use super::testing::{create_postgres_database, drop_postgres_database, postgres_admin_url};
use super::{
    AppendBatch, AppendError, Appended, IdempotencyRecord, Journal, JournalOptions, NewEvent,
    StreamAppend,
};

/// Declares each listed `async fn(&TestDatabase)` as a test on each backend.
macro_rules! on_both_backends {
    ($($test:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let database = $crate::journal::tests::TestDatabase::sqlite();
                    super::$test(&database).await;
                    database.destroy().await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let Some(database) = $crate::journal::tests::TestDatabase::postgres().await else {
                        eprintln!("ERRAND_TEST_DATABASE_URL is unset: PostgreSQL test not run");
                        return;
                    };
                    super::$test(&database).await;
                    database.destroy().await;
                }
            )+
        }
    };
}
pub(crate) use on_both_backends;

/// A database of its own for one test.
pub(crate) struct TestDatabase {
    pub url: String,
    place: Place,
}

enum Place {
    Sqlite {
        /// Held only to be removed, with the database file, when the test ends.
        _directory: tempfile::TempDir,
    },
    Postgres {
        admin_url: String,
    },
}

impl TestDatabase {
    pub(crate) fn sqlite() -> TestDatabase {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let path = directory.path().join("journal.sqlite");
        TestDatabase {
            url: format!("sqlite://{}?mode=rwc", path.display()),
            place: Place::Sqlite {
                _directory: directory,
            },
        }
    }

    pub(crate) async fn postgres() -> Option<TestDatabase> {
        let admin_url = postgres_admin_url()?;
        let url = create_postgres_database(&admin_url)
            .await
            .expect("a fresh PostgreSQL database");
        Some(TestDatabase {
            url,
            place: Place::Postgres { admin_url },
        })
    }

    pub(crate) async fn open(&self) -> Journal {
        Journal::open(&self.url, JournalOptions::default())
            .await
            .expect("the journal opens")
    }

    pub(crate) async fn destroy(self) {
        if let Place::Postgres { admin_url } = &self.place {
            drop_postgres_database(admin_url, &self.url)
                .await
                .expect("the test database is dropped");
        }
    }
}

pub(crate) fn event(event_type: &str) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: event_type.to_owned(),
        event_version: 1,
        payload: format!(r#"{{"type":"{event_type}"}}"#),
        metadata: r#"{"actor":"actor-1"}"#.to_owned(),
    }
}

pub(crate) fn to_stream(
    stream_id: &str,
    expected_version: i64,
    events: Vec<NewEvent>,
) -> StreamAppend {
    StreamAppend {
        stream_id: stream_id.to_owned(),
        expected_version,
        events,
    }
}

pub(crate) fn batch(streams: Vec<StreamAppend>) -> AppendBatch {
    AppendBatch {
        streams,
        idempotency: None,
    }
}

pub(crate) fn idempotency(principal: &str, key: &str, fingerprint: &str) -> IdempotencyRecord {
    IdempotencyRecord {
        principal: principal.to_owned(),
        key: key.to_owned(),
        fingerprint: fingerprint.to_owned(),
        status: 201,
        body: format!(r#"{{"fingerprint":"{fingerprint}"}}"#),
    }
}

/// Appends one event to a new stream.
pub(crate) async fn append_one(
    journal: &Journal,
    stream_id: &str,
    expected_version: i64,
) -> Appended {
    journal
        .append(batch(vec![to_stream(
            stream_id,
            expected_version,
            vec![event("Appended")],
        )]))
        .await
        .expect("the append succeeds")
}

/// The outcome of a submitted append, once the writer has committed its group.
pub(crate) type Pending = oneshot::Receiver<Result<Appended, AppendError>>;

/// Queues an append without waiting for it, so appends queued one after another are
/// committed in that order.
pub(crate) async fn submit(journal: &Journal, batch: AppendBatch) -> Pending {
    journal.submit(batch).await.expect("the append is queued")
}

/// Waits for the outcome of a submitted append.
pub(crate) async fn outcome(pending: Pending) -> Result<Appended, AppendError> {
    pending.await.expect("the writer answers")
}

/// Holds the head lock from outside the writer while `queue_appends` runs, so the appends it
/// queues pile up and the writer's next group takes them all at once.
pub(crate) async fn with_writer_blocked<T>(
    journal: &Journal,
    queue_appends: impl AsyncFnOnce() -> T,
) -> T {
    let gate = journal.write_gate().clone();
    let (held, turn) = match journal.backend() {
        Backend::Sqlite => {
            let (held, _, turn) = lock_head_sqlite(journal.pool(), &gate)
                .await
                .expect("the head lock");
            (held, Some(turn))
        }
        Backend::Postgres => (
            journal
                .pool()
                .begin_with("BEGIN; SELECT 1 FROM journal_head WHERE id = 1 FOR UPDATE")
                .await
                .expect("the head lock"),
            None,
        ),
    };
    // The writer takes this one into a group of its own and waits there for the lock.
    let opener = submit(
        journal,
        batch(vec![to_stream("task-opener", 0, vec![event("Opened")])]),
    )
    .await;
    while journal.queued_appends() > 0 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    // Past taking it, the writer drains the queue without waiting; let it finish that.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let queued = queue_appends().await;
    held.rollback().await.expect("releasing the head lock");
    drop(turn);
    outcome(opener).await.expect("the opener commits");
    queued
}

/// Positions of every event in the journal, in order.
pub(crate) async fn all_positions(journal: &Journal) -> Vec<i64> {
    journal
        .read_all(0, 10_000)
        .await
        .expect("read_all")
        .iter()
        .map(|event| event.position)
        .collect()
}
