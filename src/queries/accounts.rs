//! Balances from `accounts_view` and an account's postings from `postings`.

use super::binds::{Bind, Binds};
use super::{decode_cursor, encode_cursor, micros_to_time, PAGE_LIMIT_MAX};
use super::{Page, QueryError};
use chrono::{DateTime, Utc};
use errand_aggregates::account::{Account, AccountId};
use serde::Serialize;
use sqlx::{AnyPool, Row};
use utoipa::ToSchema;

const DEFAULT_LIMIT: u32 = 50;

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountBalance {
    pub account_id: String,
    pub actor_id: String,
    pub mode: String,
    pub currency: String,
    pub available_cents: i64,
    /// In escrow for open work.
    pub held_cents: i64,
    pub deposited_cents: i64,
    pub granted_cents: i64,
    pub earned_cents: i64,
    pub spent_cents: i64,
    pub fees_paid_cents: i64,
    pub paid_out_cents: i64,
}

impl AccountBalance {
    pub fn from_state(id: &AccountId, account: &Account) -> Self {
        AccountBalance {
            account_id: id.stream_id(),
            actor_id: id.owner.to_string(),
            mode: id.mode.as_str().to_owned(),
            currency: id.currency.code().to_owned(),
            available_cents: account.available_cents,
            held_cents: account.held_cents,
            deposited_cents: account.deposited_cents,
            granted_cents: account.granted_cents,
            earned_cents: account.earned_cents,
            spent_cents: account.spent_cents,
            fees_paid_cents: account.fees_paid_cents,
            paid_out_cents: account.paid_out_cents,
        }
    }
}

pub async fn balance(pool: &AnyPool, id: &AccountId) -> Result<AccountBalance, sqlx::Error> {
    let row = sqlx::query("SELECT * FROM accounts_view WHERE account_id = $1")
        .bind(id.stream_id())
        .fetch_optional(pool)
        .await?;
    let Some(row) = row else {
        return Ok(AccountBalance::from_state(id, &Account::default()));
    };
    Ok(AccountBalance {
        available_cents: row.try_get("available_cents")?,
        held_cents: row.try_get("held_cents")?,
        deposited_cents: row.try_get("deposited_cents")?,
        granted_cents: row.try_get("granted_cents")?,
        earned_cents: row.try_get("earned_cents")?,
        spent_cents: row.try_get("spent_cents")?,
        fees_paid_cents: row.try_get("fees_paid_cents")?,
        paid_out_cents: row.try_get("paid_out_cents")?,
        ..AccountBalance::from_state(id, &Account::default())
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PostingRow {
    /// The journal position of the event that made this posting.
    pub position: i64,
    pub ledger_account: String,
    /// Signed: positive credits the ledger account.
    pub amount_cents: i64,
    pub currency: String,
    pub event_type: String,
    pub recorded_at: Option<DateTime<Utc>>,
}

/// Newest first. The cursor is `position:seq` of the last row seen.
pub async fn postings(
    pool: &AnyPool,
    id: &AccountId,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<Page<PostingRow>, QueryError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=PAGE_LIMIT_MAX).contains(&limit) {
        return Err(QueryError::Invalid(format!(
            "limit must be 1 to {PAGE_LIMIT_MAX}"
        )));
    }
    let mut binds = Binds::default();
    let available = binds.push(Bind::Text(format!("{id}:available")));
    let held = binds.push(Bind::Text(format!("{id}:held")));
    let mut sql = format!("SELECT * FROM postings WHERE ledger_account IN ({available}, {held})");
    if let Some(cursor) = cursor {
        let (position, seq) = decode_cursor(cursor)
            .and_then(|text| {
                let (p, s) = text.split_once(':')?;
                Some((p.parse::<i64>().ok()?, s.parse::<i64>().ok()?))
            })
            .ok_or_else(|| QueryError::Invalid("cursor is not one this API gave".into()))?;
        let p1 = binds.push(Bind::Int(position));
        let p2 = binds.push(Bind::Int(position));
        let s = binds.push(Bind::Int(seq));
        sql.push_str(&format!(
            " AND (position < {p1} OR (position = {p2} AND seq < {s}))"
        ));
    }
    let limit_placeholder = binds.push(Bind::Int(i64::from(limit) + 1));
    sql.push_str(&format!(
        " ORDER BY position DESC, seq DESC LIMIT {limit_placeholder}"
    ));
    let rows = binds.apply(sqlx::query(&sql)).fetch_all(pool).await?;
    let mut data = Vec::with_capacity(rows.len());
    let mut last_key = None;
    for row in rows.iter().take(limit as usize) {
        let position: i64 = row.try_get("position")?;
        let seq: i64 = row.try_get("seq")?;
        last_key = Some(format!("{position}:{seq}"));
        data.push(PostingRow {
            position,
            ledger_account: row.try_get("ledger_account")?,
            amount_cents: row.try_get("amount_cents")?,
            currency: row.try_get("currency")?,
            event_type: row.try_get("event_type")?,
            recorded_at: micros_to_time(row.try_get("recorded_at_us")?),
        });
    }
    let next = (rows.len() > limit as usize)
        .then(|| last_key.map(|k| encode_cursor(&k)))
        .flatten();
    Ok(Page { data, next })
}

/// One ledger account's total in a trial balance.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerTotal {
    pub ledger_account: String,
    pub currency: String,
    pub balance_cents: i64,
    pub postings: i64,
}

/// Ledger accounts in a trial balance at most: an operator reads it on a page.
pub const TRIAL_BALANCE_ACCOUNTS_MAX: i64 = 1_000;

/// Every ledger account's sum of postings, per currency; over all accounts
/// each currency sums to zero when the books balance (`errand verify` proves it
/// from the journal; this reads the `postings` read model). At most
/// `TRIAL_BALANCE_ACCOUNTS_MAX` accounts, largest balances first, plus the
/// totals over all of them from [`trial_balance_totals`].
pub async fn trial_balance(pool: &AnyPool) -> Result<Vec<LedgerTotal>, sqlx::Error> {
    // SUM of a BIGINT is NUMERIC on PostgreSQL; the cast keeps it an integer on both backends.
    let rows = sqlx::query(
        "SELECT ledger_account, currency, CAST(SUM(amount_cents) AS BIGINT) AS balance_cents, \
         CAST(COUNT(*) AS BIGINT) AS postings FROM postings GROUP BY ledger_account, currency \
         ORDER BY ABS(CAST(SUM(amount_cents) AS BIGINT)) DESC, ledger_account LIMIT $1",
    )
    .bind(TRIAL_BALANCE_ACCOUNTS_MAX)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(LedgerTotal {
                ledger_account: row.try_get("ledger_account")?,
                currency: row.try_get("currency")?,
                balance_cents: row.try_get("balance_cents")?,
                postings: row.try_get("postings")?,
            })
        })
        .collect()
}

/// Each currency's sum over every posting: zero when the books balance.
pub async fn trial_balance_totals(pool: &AnyPool) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT currency, CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) AS total_cents \
         FROM postings GROUP BY currency ORDER BY currency",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("currency")?, row.try_get("total_cents")?)))
        .collect()
}

/// One UTC day of money through the ledger, for charts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyMoney {
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    /// Work approved: what captures took from posters' holds.
    pub volume_cents: i64,
    /// What workers were paid (captures less fees).
    pub paid_cents: i64,
    pub fees_cents: i64,
}

const MICROS_PER_DAY: i64 = 86_400_000_000;
/// A chart shows at most this many days.
pub const DAILY_DAYS_MAX: i64 = 90;

/// The last `days` UTC days (today included) of one mode's money, from the
/// `postings` read model; days without postings are absent.
pub async fn daily_money(
    pool: &AnyPool,
    mode: errand_aggregates::mode::Mode,
    days: i64,
    now: DateTime<Utc>,
) -> Result<Vec<DailyMoney>, sqlx::Error> {
    let days = days.clamp(1, DAILY_DAYS_MAX);
    let today = now.timestamp_micros().div_euclid(MICROS_PER_DAY);
    let since_us = (today - days + 1) * MICROS_PER_DAY;
    // Actor accounts are `account-<actor>-<mode>-<ccy>:…`, platform ones `platform:fees:<mode>:<ccy>`.
    let actor_accounts = format!("%-{}-%", mode.as_str());
    let platform_accounts = format!("%:{}:%", mode.as_str());
    let rows = sqlx::query(
        "SELECT recorded_at_us / 86400000000 AS day, \
         CAST(SUM(CASE WHEN event_type = 'HoldCaptured' AND amount_cents < 0 THEN -amount_cents ELSE 0 END) AS BIGINT) AS volume_cents, \
         CAST(SUM(CASE WHEN event_type = 'PaymentReceived' AND amount_cents > 0 AND ledger_account NOT LIKE 'platform:%' THEN amount_cents ELSE 0 END) AS BIGINT) AS paid_cents, \
         CAST(SUM(CASE WHEN ledger_account LIKE 'platform:fees:%' THEN amount_cents ELSE 0 END) AS BIGINT) AS fees_cents \
         FROM postings WHERE recorded_at_us >= $1 AND (ledger_account LIKE $2 OR ledger_account LIKE $3) \
         GROUP BY recorded_at_us / 86400000000 ORDER BY day",
    )
    .bind(since_us)
    .bind(actor_accounts)
    .bind(platform_accounts)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(DailyMoney {
                day: row.try_get("day")?,
                volume_cents: row.try_get("volume_cents")?,
                paid_cents: row.try_get("paid_cents")?,
                fees_cents: row.try_get("fees_cents")?,
            })
        })
        .collect()
}

/// One UTC day of what an account was paid for work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyEarnings {
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    /// What the `PaymentReceived` postings credited: pay after the fee.
    pub earned_cents: i64,
    pub payments: i64,
}

/// The last `days` UTC days (today included) of one account's earnings, from
/// the `postings` read model (each `PaymentReceived` credits
/// `<account>:available`, as `daily_money` counts them for everyone); days
/// without any are absent.
pub async fn daily_earnings(
    pool: &AnyPool,
    account: &AccountId,
    days: i64,
    now: DateTime<Utc>,
) -> Result<Vec<DailyEarnings>, sqlx::Error> {
    let days = days.clamp(1, DAILY_DAYS_MAX);
    let today = now.timestamp_micros().div_euclid(MICROS_PER_DAY);
    let since_us = (today - days + 1) * MICROS_PER_DAY;
    let rows = sqlx::query(
        "SELECT recorded_at_us / 86400000000 AS day, \
         CAST(SUM(amount_cents) AS BIGINT) AS earned_cents, CAST(COUNT(*) AS BIGINT) AS payments \
         FROM postings WHERE ledger_account = $1 AND event_type = 'PaymentReceived' \
         AND recorded_at_us >= $2 \
         GROUP BY recorded_at_us / 86400000000 ORDER BY day",
    )
    .bind(format!("{account}:available"))
    .bind(since_us)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(DailyEarnings {
                day: row.try_get("day")?,
                earned_cents: row.try_get("earned_cents")?,
                payments: row.try_get("payments")?,
            })
        })
        .collect()
}
