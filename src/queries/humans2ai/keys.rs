//! An actor's keys of one dialect prefix, from `api_keys_view`, newest
//! first. The hash of the secret is never read here.

use super::super::micros_to_time;
use chrono::{DateTime, Utc};
use errand_aggregates::ids::ActorId;
use sqlx::{AnyPool, Row};

/// At most 10 are active; revoked ones accumulate, and the newest are the
/// ones worth showing.
pub const KEYS_LISTED_MAX: i64 = 100;

#[derive(Debug, Clone)]
pub struct KeyRow {
    pub key_id: String,
    pub prefix: String,
    pub scopes: Vec<String>,
    pub mode: String,
    pub revoked: bool,
    pub issued_at: Option<DateTime<Utc>>,
}

pub async fn of_actor(
    pool: &AnyPool,
    actor: ActorId,
    dialect_prefix: &str,
) -> Result<Vec<KeyRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT key_id, prefix, scopes, mode, revoked, issued_at_us FROM api_keys_view \
         WHERE actor_id = $1 AND prefix LIKE $2 ESCAPE '\\' ORDER BY issued_at_us DESC, key_id DESC LIMIT $3",
    )
    .bind(actor.to_string())
    .bind(format!("{dialect_prefix}\\_%"))
    .bind(KEYS_LISTED_MAX)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let scopes: String = row.try_get(2)?;
            let revoked: i32 = row.try_get(4)?;
            Ok(KeyRow {
                key_id: row.try_get(0)?,
                prefix: row.try_get(1)?,
                scopes: serde_json::from_str(&scopes).unwrap_or_default(),
                mode: row.try_get(3)?,
                revoked: revoked != 0,
                issued_at: micros_to_time(row.try_get(5)?),
            })
        })
        .collect()
}
