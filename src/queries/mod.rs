//! Read-model queries: what list, search and balance endpoints read. Only
//! read models, never the journal; SQL that runs on SQLite and PostgreSQL.

pub mod accounts;
pub mod actors;
pub mod admin_actions;
mod binds;
pub mod board;
pub mod deposits;
pub mod humai;
pub mod humanping;
pub mod humans2ai;
pub mod instahuman;
pub mod keys;
pub mod matching;
pub mod messages;
pub mod notifications;
pub mod payouts;
pub mod projects;
pub mod provider_listings;
pub mod referrals;
pub mod reputation;
#[cfg(test)]
mod scratch;
pub mod tasks;
pub mod webhooks;
pub mod work_record;

use base64::Engine;
use serde::Serialize;
use utoipa::ToSchema;

/// A list page: `next` is an opaque cursor, null on the last page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub data: Vec<T>,
    pub next: Option<String>,
}

/// Why a query could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// A filter, cursor or limit the caller sent is not acceptable.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Page sizes are bounded so one request cannot read a whole table.
pub const PAGE_LIMIT_MAX: u32 = 100;

pub(crate) fn encode_cursor(text: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

pub(crate) fn decode_cursor(cursor: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    String::from_utf8(bytes).ok()
}

pub(crate) fn micros_to_time(micros: Option<i64>) -> Option<chrono::DateTime<chrono::Utc>> {
    micros.and_then(chrono::DateTime::from_timestamp_micros)
}
