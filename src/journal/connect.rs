//! Opening the database: pick the backend from the URL, set SQLite's pragmas, build the pool
//! and bring the schema up to date.

use std::fmt;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::postgres::PgPoolOptions;
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor, PgPool};

use super::error::JournalError;
use super::limits::SQLITE_BUSY_TIMEOUT_MS;

/// The database behind the journal. One code path serves both; the few statements that
/// differ (the head lock, SQLite's pragmas) match on this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        })
    }
}

impl Backend {
    /// The backend a URL names: `sqlite:` or `postgres:` / `postgresql:`.
    pub fn from_url(url: &str) -> Result<Backend, JournalError> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            _ => Err(JournalError::UnsupportedUrl {
                scheme: scheme.to_owned(),
            }),
        }
    }
}

/// How to open a journal.
#[derive(Debug, Clone)]
pub struct JournalOptions {
    /// Pool size, shared by the writer (one connection while it commits), readers, and the
    /// read models and projectors that borrow the pool.
    pub max_connections: u32,
    /// SQLite only: `synchronous = FULL` syncs the WAL on every commit, so an acknowledged
    /// append survives power loss. `NORMAL` is faster but may lose the last commits on power
    /// loss (never on a process crash). Default true: nothing acknowledged is lost.
    pub sqlite_synchronous_full: bool,
}

impl Default for JournalOptions {
    fn default() -> Self {
        JournalOptions {
            max_connections: 8,
            sqlite_synchronous_full: true,
        }
    }
}

/// The migrations of each backend, embedded at compile time. They include the read models'
/// migrations, which live in the same folders.
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Connects a pool to `url` and applies every pending migration.
pub(crate) async fn connect(
    url: &str,
    options: &JournalOptions,
) -> Result<(AnyPool, Backend), JournalError> {
    sqlx::any::install_default_drivers();
    let backend = Backend::from_url(url)?;
    let connect_options: AnyConnectOptions = url
        .parse()
        .map_err(JournalError::database("parsing the database URL"))?;
    let pool_options = AnyPoolOptions::new().max_connections(options.max_connections);
    let pool = match backend {
        Backend::Sqlite => {
            if url.contains(":memory:") || url.contains("mode=memory") {
                return Err(JournalError::UnusableSqlite(
                    "in memory, every pooled connection would see its own empty database",
                ));
            }
            enable_write_ahead_log(&connect_options).await?;
            let synchronous = if options.sqlite_synchronous_full {
                "FULL"
            } else {
                "NORMAL"
            };
            pool_options
                .after_connect(move |connection, _| {
                    Box::pin(async move {
                        let pragmas = format!(
                            "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; \
                             PRAGMA foreign_keys = ON; \
                             PRAGMA synchronous = {synchronous};"
                        );
                        // Executor::execute directly: its boxed future satisfies the hook's
                        // lifetime bound, which the generic `raw_sql(..).execute(..)` does not.
                        connection.execute(pragmas.as_str()).await?;
                        Ok(())
                    })
                })
                .connect_with(connect_options)
                .await
        }
        Backend::Postgres => pool_options.connect_with(connect_options).await,
    }
    .map_err(JournalError::database("connecting to the database"))?;

    let migrator = match backend {
        Backend::Sqlite => &SQLITE_MIGRATIONS,
        Backend::Postgres => &POSTGRES_MIGRATIONS,
    };
    migrator
        .run(&pool)
        .await
        .map_err(|error| JournalError::Migrate(error.into()))?;
    Ok((pool, backend))
}

/// The writer's own pool on PostgreSQL: one connection, since it commits one group at a
/// time, on the native driver so a group's rows bind as arrays (see `commit_postgres`).
pub(crate) async fn connect_postgres_writer(url: &str) -> Result<PgPool, JournalError> {
    PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .map_err(JournalError::database("connecting the journal's writer"))
}

/// Puts the SQLite file in WAL mode, so readers never block the writer nor it them. Done once
/// on a connection of its own: the mode is stored in the file, and switching it takes a lock
/// that busy_timeout cannot wait for, so pooled connections opening at once must not race on it.
async fn enable_write_ahead_log(options: &AnyConnectOptions) -> Result<(), JournalError> {
    let mut connection: AnyConnection = options
        .connect()
        .await
        .map_err(JournalError::database("opening the SQLite file"))?;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode = WAL")
        .fetch_one(&mut connection)
        .await
        .map_err(JournalError::database("enabling SQLite's write-ahead log"))?;
    connection
        .close()
        .await
        .map_err(JournalError::database("closing the setup connection"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(JournalError::UnusableSqlite(
            "it refused write-ahead logging, which concurrent reads need",
        ));
    }
    Ok(())
}
