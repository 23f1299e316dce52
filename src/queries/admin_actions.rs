//! The audit trail of admin actions, from `admin_actions_view`, newest
//! first, filtered by the kind of resource and the action.

use super::{micros_to_time, QueryError};
use chrono::{DateTime, Utc};
use errand_projections::admin_actions::AdminActionRow;
use errand_projections::{Record, ViewRow};
use sqlx::AnyPool;

/// Entries per request at most: an audit trail is read a page at a time.
pub const LIMIT_MAX: u32 = 100;
pub const LIMIT_DEFAULT: u32 = 50;

/// The resources admin actions concern (subscriptions have none yet).
pub const RESOURCE_TYPES: &[&str] = &["actor", "listing", "subscription"];
/// The actions the trail records, in Humai's words.
pub const ACTIONS: &[&str] = &[
    "suspend_tool",
    "reinstate_tool",
    "freeze_agent",
    "unfreeze_agent",
    "ban_provider",
    "unban_provider",
    "revoke_subscription",
];

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub resource_type: Option<String>,
    pub action: Option<String>,
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AdminAction {
    /// The event's journal position.
    pub position: i64,
    pub action: String,
    pub resource_type: String,
    pub resource_id: String,
    pub admin_id: String,
    pub reason: Option<String>,
    pub cause: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

pub async fn audit_log(
    pool: &AnyPool,
    filter: &AuditFilter,
) -> Result<Vec<AdminAction>, QueryError> {
    let limit = filter.limit.unwrap_or(LIMIT_DEFAULT);
    if !(1..=LIMIT_MAX).contains(&limit) {
        return Err(QueryError::Invalid(format!(
            "limit must be 1 to {LIMIT_MAX}"
        )));
    }
    let one_of = |value: &Option<String>, known: &[&str], name: &str| match value {
        Some(value) if !known.contains(&value.as_str()) => Err(QueryError::Invalid(format!(
            "{name} must be one of {}",
            known.join(", ")
        ))),
        _ => Ok(()),
    };
    one_of(&filter.resource_type, RESOURCE_TYPES, "resource_type")?;
    one_of(&filter.action, ACTIONS, "action")?;
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    for (column, value) in [
        ("resource_type", &filter.resource_type),
        ("action", &filter.action),
    ] {
        if let Some(value) = value {
            values.push(value.as_str());
            clauses.push(format!("{column} = ${}", values.len()));
        }
    }
    let filters = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let sql = format!(
        "SELECT {} FROM {} {filters} ORDER BY position DESC LIMIT ${}",
        AdminActionRow::COLUMNS.join(", "),
        AdminActionRow::TABLE,
        values.len() + 1
    );
    let mut query = sqlx::query(&sql);
    for value in values {
        query = query.bind(value);
    }
    let rows = query.bind(i64::from(limit)).fetch_all(pool).await?;
    let mut actions = Vec::with_capacity(rows.len());
    for row in &rows {
        let row = AdminActionRow::decode(row)?;
        actions.push(AdminAction {
            position: row.position,
            action: row.action,
            resource_type: row.resource_type,
            resource_id: row.resource_id,
            admin_id: row.admin_id,
            reason: row.reason,
            cause: row.cause,
            at: micros_to_time(Some(row.at_us)),
        });
    }
    Ok(actions)
}
