//! A worker's earnings: by period from their account's postings (each
//! `PaymentReceived` credits `<account>:available` with the pay less the
//! fee), and by task type from their approved submissions.

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use errand_aggregates::account::AccountId;
use errand_aggregates::ids::ActorId;
use sqlx::{AnyPool, Row};

/// The kinds a worker has done are few; a bound keeps the answer small anyway.
pub const KINDS_MAX: u32 = 50;

/// Where each period starts, in UTC: today at midnight, this week on
/// Monday (ISO 8601), this month on the 1st.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodStarts {
    pub today: DateTime<Utc>,
    pub week: DateTime<Utc>,
    pub month: DateTime<Utc>,
}

impl PeriodStarts {
    pub fn at(now: DateTime<Utc>) -> PeriodStarts {
        let today =
            Utc.from_utc_datetime(&now.date_naive().and_hms_opt(0, 0, 0).unwrap_or_default());
        let week = today - Duration::days(i64::from(now.weekday().num_days_from_monday()));
        let month = today - Duration::days(i64::from(now.day0()));
        PeriodStarts { today, week, month }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Total {
    pub cents: i64,
    pub count: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Earnings {
    pub today: Total,
    pub week: Total,
    pub month: Total,
    pub all_time: Total,
    /// `(task kind, total)`, highest first.
    pub by_kind: Vec<(String, Total)>,
}

pub async fn earnings(
    pool: &AnyPool,
    worker: ActorId,
    account: &AccountId,
    starts: PeriodStarts,
) -> Result<Earnings, sqlx::Error> {
    let in_period = |placeholder: &str, value: &str| {
        format!("COALESCE(CAST(SUM(CASE WHEN recorded_at_us >= {placeholder} THEN {value} ELSE 0 END) AS BIGINT), 0)")
    };
    let sql = format!(
        "SELECT {}, {}, {}, {}, {}, {}, COALESCE(CAST(SUM(amount_cents) AS BIGINT), 0), COUNT(*) \
         FROM postings WHERE ledger_account = $1 AND event_type = 'PaymentReceived'",
        in_period("$2", "amount_cents"),
        in_period("$2", "1"),
        in_period("$3", "amount_cents"),
        in_period("$3", "1"),
        in_period("$4", "amount_cents"),
        in_period("$4", "1"),
    );
    let row = sqlx::query(&sql)
        .bind(format!("{account}:available"))
        .bind(starts.today.timestamp_micros())
        .bind(starts.week.timestamp_micros())
        .bind(starts.month.timestamp_micros())
        .fetch_one(pool)
        .await?;
    let total = |cents: usize| -> Result<Total, sqlx::Error> {
        Ok(Total {
            cents: row.try_get(cents)?,
            count: row.try_get(cents + 1)?,
        })
    };
    let (today, week, month, all_time) = (total(0)?, total(2)?, total(4)?, total(6)?);
    let rows = sqlx::query(
        "SELECT t.kind, COALESCE(CAST(SUM(s.payout_cents) AS BIGINT), 0) AS earned, COUNT(*) \
         FROM task_submissions_view s JOIN tasks_view t ON t.task_id = s.task_id \
         WHERE s.worker = $1 AND s.status = 'approved' AND t.mode = 'live' \
         GROUP BY t.kind ORDER BY earned DESC, t.kind LIMIT $2",
    )
    .bind(worker.to_string())
    .bind(i64::from(KINDS_MAX))
    .fetch_all(pool)
    .await?;
    let by_kind = rows
        .iter()
        .map(|row| {
            Ok((
                row.try_get(0)?,
                Total {
                    cents: row.try_get(1)?,
                    count: row.try_get(2)?,
                },
            ))
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(Earnings {
        today,
        week,
        month,
        all_time,
        by_kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_start_at_midnight_monday_and_the_first_in_utc() {
        // A Wednesday.
        let now = Utc.with_ymd_and_hms(2026, 1, 14, 15, 30, 0).unwrap();
        let starts = PeriodStarts::at(now);
        assert_eq!(
            starts.today,
            Utc.with_ymd_and_hms(2026, 1, 14, 0, 0, 0).unwrap()
        );
        assert_eq!(
            starts.week,
            Utc.with_ymd_and_hms(2026, 1, 12, 0, 0, 0).unwrap()
        );
        assert_eq!(
            starts.month,
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
        );
        // A week may start in the month before.
        let starts = PeriodStarts::at(Utc.with_ymd_and_hms(2026, 2, 1, 9, 0, 0).unwrap());
        assert_eq!(
            starts.week,
            Utc.with_ymd_and_hms(2026, 1, 26, 0, 0, 0).unwrap()
        );
        assert_eq!(
            starts.month,
            Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap()
        );
    }
}
