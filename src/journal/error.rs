//! The journal's errors: one enum for operating failures, one for refused appends.

use std::sync::Arc;

use super::batch::StoredResponse;

/// Why the journal could not do what was asked.
///
/// `Clone` because one failed group transaction is reported to every request in it; the
/// underlying errors are shared behind `Arc` for that reason.
#[derive(Debug, Clone, thiserror::Error)]
pub enum JournalError {
    #[error("unsupported database URL scheme {scheme:?}: expected sqlite:// or postgres://")]
    UnsupportedUrl { scheme: String },

    #[error("unusable SQLite database: {0}")]
    UnusableSqlite(&'static str),

    /// A statement failed; `context` says what the journal was doing. A failed append
    /// transaction wrote nothing.
    #[error("database error while {context}")]
    Database {
        context: &'static str,
        #[source]
        source: Arc<sqlx::Error>,
    },

    /// A migration of the backend's folder failed to apply (or was edited after it was).
    #[error("migrating the journal schema failed")]
    Migrate(#[source] Arc<sqlx::migrate::MigrateError>),

    /// The operating system would not start the writer's thread.
    #[error("starting the journal writer's thread failed: {0}")]
    WriterThread(Arc<std::io::Error>),

    /// The group-commit writer is gone: `close` was called, or the task ended.
    #[error("the journal is closed")]
    Closed,

    /// A stored row that cannot be read back as written.
    #[error("corrupt journal row: {0}")]
    Corrupt(String),

    /// An event id that is already in the journal. Event ids are unique for all time, so a
    /// caller reusing one has a bug, or is retrying an append without an idempotency key.
    #[error("event {event_id} is already in the journal")]
    DuplicateEvent { event_id: uuid::Uuid },

    /// The append breaks a rule of the journal itself; it never reached the database.
    #[error(transparent)]
    InvalidAppend(#[from] InvalidAppend),
}

impl JournalError {
    /// Adapts a sqlx error, naming what the journal was doing when it failed.
    pub(crate) fn database(context: &'static str) -> impl FnOnce(sqlx::Error) -> JournalError {
        move |source| match source {
            sqlx::Error::PoolClosed => JournalError::Closed,
            source => JournalError::Database {
                context,
                source: Arc::new(source),
            },
        }
    }

    /// The sqlx error underneath, if this is one.
    pub(crate) fn sqlx_error(&self) -> Option<&sqlx::Error> {
        match self {
            JournalError::Database { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// An append refused before it reached the database: it breaks a rule of the journal itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidAppend {
    #[error("an append must carry a stream or an idempotency record")]
    Empty,

    #[error("stream {stream_id:?} appears twice in one append")]
    DuplicateStream { stream_id: String },

    #[error("event {event_id} appears twice in one append")]
    DuplicateEvent { event_id: uuid::Uuid },

    #[error("stream {stream_id:?} has a negative expected version {expected}")]
    NegativeExpectedVersion { stream_id: String, expected: i64 },

    #[error("an append touches {count} streams; at most {max} are allowed")]
    TooManyStreams { count: usize, max: usize },

    #[error("an append carries {count} events; at most {max} are allowed")]
    TooManyEvents { count: usize, max: usize },

    #[error("an append carries {count} bytes of payload and metadata; at most {max} are allowed")]
    TooManyBytes { count: usize, max: usize },
}

/// Why an append was not recorded.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppendError {
    /// A stream was not at the version the caller decided against. Nothing was written; the
    /// caller reloads and decides again.
    #[error("stream {stream_id:?} is at version {actual}, not the expected {expected}")]
    VersionConflict {
        stream_id: String,
        expected: i64,
        actual: i64,
    },

    /// The (principal, key) already has a recorded response. Nothing was written; the caller
    /// replays `stored` if its fingerprint matches, and refuses the request otherwise.
    #[error("the idempotency key is already used")]
    IdempotencyKeyTaken { stored: StoredResponse },

    #[error(transparent)]
    Journal(#[from] JournalError),
}

impl From<InvalidAppend> for AppendError {
    fn from(invalid: InvalidAppend) -> Self {
        AppendError::Journal(JournalError::InvalidAppend(invalid))
    }
}
