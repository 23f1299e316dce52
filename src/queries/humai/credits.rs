//! `GET /credits-history`: a wallet's credit entries, newest first, from
//! `humai_credit_history_view`; and `GET /revenue-share-status`'s fees
//! collected in a month, from the ledger's `postings`.

use crate::queries::QueryError;
use chrono::{DateTime, Utc};
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use sqlx::{AnyPool, Row};

pub const LIMIT_MAX: u32 = 100;
pub const LIMIT_DEFAULT: u32 = 20;
/// Deep offsets scan; past this a client has read more history than a page flow needs.
pub const OFFSET_MAX: u32 = 10_000;
/// The longest reason filter: the longest reason is far shorter.
pub const REASON_MAX_CHARS: usize = 64;

/// Which page of whose history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryQuery {
    pub reason: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

impl HistoryQuery {
    pub fn parse(
        reason: Option<String>,
        limit: Option<u32>,
        offset: Option<u32>,
    ) -> Result<Self, QueryError> {
        let limit = limit.unwrap_or(LIMIT_DEFAULT);
        if !(1..=LIMIT_MAX).contains(&limit) {
            return Err(QueryError::Invalid(format!("limit is 1 to {LIMIT_MAX}")));
        }
        let offset = offset.unwrap_or(0);
        if offset > OFFSET_MAX {
            return Err(QueryError::Invalid(format!("offset is 0 to {OFFSET_MAX}")));
        }
        let reason = reason
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        if reason
            .as_ref()
            .is_some_and(|r| r.chars().count() > REASON_MAX_CHARS)
        {
            return Err(QueryError::Invalid(format!(
                "reason is at most {REASON_MAX_CHARS} characters"
            )));
        }
        Ok(HistoryQuery {
            reason,
            limit,
            offset,
        })
    }
}

/// One entry of the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditEntry {
    pub entry_id: String,
    pub amount: i64,
    pub reason: String,
    pub credit_type: String,
    pub withdrawal_eligible: bool,
    pub remaining_amount: i64,
    pub created_at_us: i64,
}

impl CreditEntry {
    pub fn is_credit(&self) -> bool {
        self.amount > 0
    }
}

/// A page of `actor_id`'s history in `mode`, and how many entries match in all.
pub async fn history(
    pool: &AnyPool,
    actor_id: ActorId,
    mode: Mode,
    query: &HistoryQuery,
) -> Result<(Vec<CreditEntry>, i64), QueryError> {
    let reason_filter = if query.reason.is_some() {
        " AND reason = $3"
    } else {
        ""
    };
    let from =
        format!("FROM humai_credit_history_view WHERE actor_id = $1 AND mode = $2{reason_filter}");
    // Limit and offset are bounded integers, written into the statement.
    let page_sql = format!(
        "SELECT entry_id, amount, reason, credit_type, withdrawal_eligible, remaining_amount, \
         created_at_us {from} ORDER BY position DESC LIMIT {} OFFSET {}",
        query.limit, query.offset
    );
    let count_sql = format!("SELECT COUNT(*) {from}");
    let (actor, mode) = (actor_id.to_string(), mode.as_str());
    let mut page = sqlx::query(&page_sql).bind(actor.as_str()).bind(mode);
    let mut count = sqlx::query(&count_sql).bind(actor.as_str()).bind(mode);
    if let Some(reason) = &query.reason {
        page = page.bind(reason.as_str());
        count = count.bind(reason.as_str());
    }
    let rows = page.fetch_all(pool).await?;
    let total: i64 = count.fetch_one(pool).await?.try_get(0)?;
    let entries = rows
        .iter()
        .map(|row| {
            Ok(CreditEntry {
                entry_id: row.try_get(0)?,
                amount: row.try_get(1)?,
                reason: row.try_get(2)?,
                credit_type: row.try_get(3)?,
                withdrawal_eligible: row.try_get::<i64, _>(4)? != 0,
                remaining_amount: row.try_get(5)?,
                created_at_us: row.try_get(6)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((entries, total))
}

/// The platform's fees collected in `mode` and USD between `from` (inclusive)
/// and `until` (exclusive), by when the journal recorded them, in cents.
pub async fn fees_collected_cents(
    pool: &AnyPool,
    mode: Mode,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<i64, QueryError> {
    let account = format!("platform:fees:{}:USD", mode.as_str());
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM postings \
         WHERE ledger_account = $1 AND recorded_at_us >= $2 AND recorded_at_us < $3",
    )
    .bind(account)
    .bind(from.timestamp_micros())
    .bind(until.timestamp_micros())
    .fetch_one(pool)
    .await?;
    Ok(row.try_get(0)?)
}
