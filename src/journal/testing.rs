//! Fresh databases for tests: every test that needs PostgreSQL gets a database of its own, so
//! tests run in parallel without seeing each other's events. Public so the end-to-end tests
//! and benchmarks can use it too.

use sqlx::{AnyConnection, Connection};

use super::error::JournalError;

/// The environment variable naming a PostgreSQL server for tests, e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres`. Unset: tests run on SQLite only.
pub const TEST_DATABASE_URL_VARIABLE: &str = "ERRAND_TEST_DATABASE_URL";

/// The admin URL from `ERRAND_TEST_DATABASE_URL`, if set and not empty.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var(TEST_DATABASE_URL_VARIABLE)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// Creates `errand_test_<uuid>` through `admin_url` and returns its URL.
pub async fn create_postgres_database(admin_url: &str) -> Result<String, JournalError> {
    let name = format!("errand_test_{}", uuid::Uuid::now_v7().simple());
    // The name is generated, never user input, so formatting it into SQL is safe.
    run_admin_statement(admin_url, &format!("CREATE DATABASE {name}")).await?;
    Ok(with_database(admin_url, &name))
}

/// A database made by `create_postgres_database` that goes when this value does, so a
/// test suite leaves no databases behind (hundreds of them slow the server for everyone).
pub struct ScratchDatabase {
    admin_url: String,
    pub url: String,
}

impl ScratchDatabase {
    pub async fn create(admin_url: &str) -> Result<ScratchDatabase, JournalError> {
        Ok(ScratchDatabase {
            admin_url: admin_url.to_owned(),
            url: create_postgres_database(admin_url).await?,
        })
    }
}

impl Drop for ScratchDatabase {
    /// Drops it on a thread and runtime of its own: `drop` may run inside a runtime, which
    /// cannot be blocked on, or after it ended.
    fn drop(&mut self) {
        let (admin_url, url) = (self.admin_url.clone(), self.url.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|error| error.to_string())?;
            runtime
                .block_on(drop_postgres_database(&admin_url, &url))
                .map_err(|error| error.to_string())
        })
        .join();
        if let Ok(Err(error)) | Err(error) = dropped.map_err(|_| "panicked".to_owned()) {
            eprintln!("could not drop the test database {}: {error}", self.url);
        }
    }
}

/// Drops a database made by `create_postgres_database`, disconnecting anyone still on it.
pub async fn drop_postgres_database(
    admin_url: &str,
    database_url: &str,
) -> Result<(), JournalError> {
    let Some(name) = database_name(database_url).filter(|name| name.starts_with("errand_test_"))
    else {
        // Refuse to drop anything a test did not create.
        return Ok(());
    };
    run_admin_statement(
        admin_url,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
    .await
}

async fn run_admin_statement(admin_url: &str, statement: &str) -> Result<(), JournalError> {
    sqlx::any::install_default_drivers();
    let mut admin = AnyConnection::connect(admin_url)
        .await
        .map_err(JournalError::database("connecting to the test server"))?;
    // Simple protocol: CREATE/DROP DATABASE refuse to run inside a transaction block.
    sqlx::raw_sql(statement)
        .execute(&mut admin)
        .await
        .map_err(JournalError::database(
            "creating or dropping a test database",
        ))?;
    admin
        .close()
        .await
        .map_err(JournalError::database("closing the admin connection"))
}

/// `admin_url` with its database path replaced by `name` (query string kept).
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (admin_url, None),
    };
    let authority_start = base.find("://").map_or(0, |index| index + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

fn database_name(database_url: &str) -> Option<&str> {
    let base = database_url.split('?').next()?;
    let authority_start = base.find("://")? + 3;
    let path_start = base[authority_start..].find('/')? + authority_start + 1;
    Some(&base[path_start..])
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn the_test_database_replaces_the_admin_database_in_the_url() {
        assert_eq!(
            with_database(
                "postgres://postgres@127.0.0.1:5432/postgres",
                "errand_test_1"
            ),
            "postgres://postgres@127.0.0.1:5432/errand_test_1"
        );
        assert_eq!(
            with_database("postgres://u:p@host/db?sslmode=disable", "x"),
            "postgres://u:p@host/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://host", "x"), "postgres://host/x");
        assert_eq!(database_name("postgres://host/x?a=b"), Some("x"));
    }
}
