//! Actors for an admin's search, from `actors_view`: by name, email or id.

use super::micros_to_time;
use chrono::{DateTime, Utc};
use errand_projections::actors::ActorView;
use errand_projections::{Record, ViewRow};
use sqlx::AnyPool;

/// Rows a search returns at most: a page an admin reads.
pub const SEARCH_LIMIT_MAX: i64 = 100;

#[derive(Debug, Clone, PartialEq)]
pub struct ActorRow {
    pub actor_id: String,
    pub role: String,
    pub name: String,
    pub email: Option<String>,
    pub standing: String,
    pub registered_at: Option<DateTime<Utc>>,
}

/// Actors whose name or email contains `text` (any case), or whose id is it,
/// newest first; every actor when `text` is empty.
pub async fn search(pool: &AnyPool, text: &str) -> Result<Vec<ActorRow>, sqlx::Error> {
    // LIKE's own wildcards in the search text are matched literally.
    let escaped = text
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    let sql = format!(
        "SELECT {} FROM {} WHERE LOWER(name) LIKE $1 ESCAPE '\\' \
         OR LOWER(COALESCE(email, '')) LIKE $2 ESCAPE '\\' OR actor_id = $3 \
         ORDER BY registered_at_us DESC LIMIT $4",
        ActorView::COLUMNS.join(", "),
        ActorView::TABLE
    );
    let rows = sqlx::query(&sql)
        .bind(pattern.clone())
        .bind(pattern)
        .bind(text.trim().to_owned())
        .bind(SEARCH_LIMIT_MAX)
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| {
            let actor = ActorView::decode(row)?;
            Ok(ActorRow {
                actor_id: actor.actor_id,
                role: actor.role,
                name: actor.name,
                email: actor.email,
                standing: actor.standing,
                registered_at: micros_to_time(Some(actor.registered_at_us)),
            })
        })
        .collect()
}
