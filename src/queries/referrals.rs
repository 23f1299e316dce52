//! Whom an actor referred, from `referrals_view`, newest first, with totals.

use super::{decode_cursor, encode_cursor, micros_to_time, QueryError, PAGE_LIMIT_MAX};
use chrono::{DateTime, Utc};
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use errand_aggregates::referral::referral_code;
use errand_projections::referrals::ReferralRow;
use errand_projections::{Record, ViewRow};
use serde::Serialize;
use sqlx::{AnyPool, Row};
use utoipa::ToSchema;
use uuid::Uuid;

const DEFAULT_LIMIT: u32 = 20;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralView {
    /// The actor who registered with the code.
    pub referee_id: Uuid,
    pub referee_name: String,
    /// agent | human
    pub referee_role: String,
    /// What the referrer was credited for them.
    pub bonus_cents: i64,
    pub currency: String,
    pub referred_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralStats {
    /// Everyone referred, in this mode.
    pub count: i64,
    pub bonus_total_cents: i64,
}

/// An actor's referral code, their referrals (a page) and their totals.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralsPage {
    /// Give this to others: registering with it credits you a bonus.
    pub referral_code: String,
    pub stats: ReferralStats,
    pub data: Vec<ReferralView>,
    /// The cursor of the next (older) page; null on the last.
    pub next: Option<String>,
}

pub async fn stats(
    pool: &AnyPool,
    referrer: ActorId,
    mode: Mode,
) -> Result<ReferralStats, QueryError> {
    let row = sqlx::query(
        "SELECT COUNT(*), CAST(COALESCE(SUM(bonus_cents), 0) AS BIGINT) FROM referrals_view \
         WHERE referrer = $1 AND mode = $2",
    )
    .bind(referrer.to_string())
    .bind(mode.as_str())
    .fetch_one(pool)
    .await?;
    Ok(ReferralStats {
        count: row.try_get(0)?,
        bonus_total_cents: row.try_get(1)?,
    })
}

/// Whom `referrer` referred in `mode`, newest first. The cursor is the position of the last seen.
pub async fn of_referrer(
    pool: &AnyPool,
    referrer: ActorId,
    mode: Mode,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<ReferralsPage, QueryError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=PAGE_LIMIT_MAX).contains(&limit) {
        return Err(QueryError::Invalid(format!(
            "limit must be 1 to {PAGE_LIMIT_MAX}"
        )));
    }
    let before = match cursor {
        None => i64::MAX,
        Some(cursor) => decode_cursor(cursor)
            .and_then(|text| text.parse::<i64>().ok())
            .ok_or_else(|| QueryError::Invalid("cursor is not one this API gave".into()))?,
    };
    let sql = format!(
        "SELECT {} FROM referrals_view WHERE referrer = $1 AND mode = $2 AND position < $3 \
         ORDER BY position DESC LIMIT $4",
        ReferralRow::COLUMNS.join(", ")
    );
    let rows = sqlx::query(&sql)
        .bind(referrer.to_string())
        .bind(mode.as_str())
        .bind(before)
        .bind(i64::from(limit) + 1)
        .fetch_all(pool)
        .await?;
    let more = rows.len() > limit as usize;
    let mut data = Vec::with_capacity(limit as usize);
    let mut last_position = None;
    for row in rows.iter().take(limit as usize) {
        let row = ReferralRow::decode(row)?;
        last_position = Some(row.position);
        data.push(ReferralView {
            referee_id: Uuid::parse_str(&row.referee).unwrap_or_default(),
            referee_name: row.referee_name,
            referee_role: row.referee_role,
            bonus_cents: row.bonus_cents,
            currency: row.currency,
            referred_at: micros_to_time(Some(row.referred_at_us)),
        });
    }
    let next = more
        .then(|| last_position.map(|p| encode_cursor(&p.to_string())))
        .flatten();
    Ok(ReferralsPage {
        referral_code: referral_code(referrer),
        stats: stats(pool, referrer, mode).await?,
        data,
        next,
    })
}
