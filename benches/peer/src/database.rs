//! Scratch databases beside the one `--database-url` names: each run starts
//! on an empty one, and every one is dropped at the end.

use anyhow::{bail, Context};
use sqlx::{Connection, PgConnection};

/// The URL of database `name` on the server `url` points at.
pub fn url_of(url: &str, name: &str) -> anyhow::Result<String> {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let Some((scheme, rest)) = base.split_once("://") else {
        bail!("not a postgres:// URL: {url}");
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    let mut renamed = format!("{scheme}://{authority}/{name}");
    if let Some(query) = query {
        renamed.push('?');
        renamed.push_str(query);
    }
    Ok(renamed)
}

/// The name of the database `url` names (`postgres` if it names none).
pub fn name_of(url: &str) -> String {
    let base = url.split('?').next().unwrap_or(url);
    let rest = base.split_once("://").map_or(base, |(_, rest)| rest);
    match rest.split_once('/') {
        Some((_, name)) if !name.is_empty() => name.to_owned(),
        _ => "postgres".to_owned(),
    }
}

/// Drops `name` if it exists (a run that was interrupted left it) and
/// creates it empty; returns its URL.
pub async fn recreate(admin_url: &str, name: &str) -> anyhow::Result<String> {
    ensure_plain(name)?;
    let mut connection = connect(admin_url).await?;
    sqlx::raw_sql(&format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#))
        .execute(&mut connection)
        .await
        .with_context(|| format!("dropping database {name}"))?;
    sqlx::raw_sql(&format!(r#"CREATE DATABASE "{name}""#))
        .execute(&mut connection)
        .await
        .with_context(|| format!("creating database {name}"))?;
    connection.close().await.ok();
    url_of(admin_url, name)
}

pub async fn drop(admin_url: &str, name: &str) -> anyhow::Result<()> {
    ensure_plain(name)?;
    let mut connection = connect(admin_url).await?;
    sqlx::raw_sql(&format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#))
        .execute(&mut connection)
        .await
        .with_context(|| format!("dropping database {name}"))?;
    connection.close().await.ok();
    Ok(())
}

/// Names go into SQL quoted, not bound (DDL takes no parameters), so only
/// letters, digits and underscores are let through.
fn ensure_plain(name: &str) -> anyhow::Result<()> {
    let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !plain {
        bail!("database name {name:?} is not letters, digits and underscores");
    }
    Ok(())
}

async fn connect(url: &str) -> anyhow::Result<PgConnection> {
    PgConnection::connect(url)
        .await
        .with_context(|| format!("connecting to {url}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renaming_keeps_the_server_and_the_options() {
        assert_eq!(
            url_of("postgres://u:p@host:5432/postgres?sslmode=disable", "x").unwrap(),
            "postgres://u:p@host:5432/x?sslmode=disable"
        );
        assert_eq!(url_of("postgres://host", "x").unwrap(), "postgres://host/x");
        assert!(url_of("host/db", "x").is_err());
    }

    #[test]
    fn names_that_would_need_escaping_are_refused() {
        assert!(ensure_plain("postgres_peerbench_peer").is_ok());
        assert!(ensure_plain("x\"; DROP DATABASE postgres; --").is_err());
        assert!(ensure_plain("").is_err());
    }

    #[test]
    fn a_url_without_a_database_names_postgres() {
        assert_eq!(name_of("postgres://host:5432"), "postgres");
        assert_eq!(name_of("postgres://host/"), "postgres");
        assert_eq!(name_of("postgres://host/errand?sslmode=disable"), "errand");
    }
}
