//! An account's movements in HumanPing's words, from the `postings` ledger:
//! one entry per account event, read on the side of the account it moved
//! (escrow on `:held`, everything else on `:available`).

use super::super::micros_to_time;
use chrono::{DateTime, Utc};
use errand_aggregates::account::AccountId;
use sqlx::{AnyPool, Row};

/// The most recent movements a wallet shows.
pub const RECENT_MAX: u32 = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletEntry {
    /// The journal position of the event: unique per movement.
    pub position: i64,
    /// deposit, credit, free_task, escrow_lock, escrow_release, payment,
    /// earning, payout or payout_returned.
    pub kind: &'static str,
    /// Always positive: the kind says which way the money went.
    pub amount_cents: i64,
    pub recorded_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindTotal {
    pub kind: &'static str,
    pub total_cents: i64,
    pub count: i64,
}

/// What a posting is, from its event and (for money coming in) its source.
fn kind(event_type: &str, source: Option<&str>) -> &'static str {
    match event_type {
        "FundsDeposited" => match source {
            Some(source) if source.starts_with("platform:promotions") => "free_task",
            Some(source) if source.starts_with("platform:grants") => "credit",
            Some(source) if source.starts_with("platform:referrals") => "referral_bonus",
            _ => "deposit",
        },
        "HoldPlaced" | "HoldIncreased" => "escrow_lock",
        "HoldReleased" => "escrow_release",
        "HoldCaptured" => "payment",
        "PaymentReceived" => "earning",
        "PayoutSent" => "payout",
        "PayoutReturned" => "payout_returned",
        _ => "other",
    }
}

/// The account's postings, one per event, with the source of money coming in.
const MOVEMENTS: &str = "FROM postings p \
    LEFT JOIN postings src ON src.position = p.position AND src.amount_cents < 0 \
        AND p.event_type = 'FundsDeposited' AND src.ledger_account <> p.ledger_account \
    WHERE (p.ledger_account = $1 AND p.event_type IN ('HoldPlaced', 'HoldIncreased', 'HoldCaptured')) \
       OR (p.ledger_account = $2 AND p.event_type IN ('FundsDeposited', 'HoldReleased', 'PaymentReceived', 'PayoutSent', 'PayoutReturned'))";

pub async fn recent(
    pool: &AnyPool,
    account: &AccountId,
    limit: u32,
) -> Result<Vec<WalletEntry>, sqlx::Error> {
    let sql = format!(
        "SELECT p.position, p.event_type, src.ledger_account, p.amount_cents, p.recorded_at_us \
         {MOVEMENTS} ORDER BY p.position DESC LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(format!("{account}:held"))
        .bind(format!("{account}:available"))
        .bind(i64::from(limit.min(RECENT_MAX)))
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| {
            let event_type: String = row.try_get(1)?;
            let source: Option<String> = row.try_get(2)?;
            let amount_cents: i64 = row.try_get(3)?;
            Ok(WalletEntry {
                position: row.try_get(0)?,
                kind: kind(&event_type, source.as_deref()),
                amount_cents: amount_cents.abs(),
                recorded_at: micros_to_time(row.try_get(4)?),
            })
        })
        .collect()
}

/// Totals per kind over the account's whole history, in a stable order.
pub async fn summary(pool: &AnyPool, account: &AccountId) -> Result<Vec<KindTotal>, sqlx::Error> {
    let sql = format!(
        "SELECT p.event_type, src.ledger_account, CAST(SUM(p.amount_cents) AS BIGINT), COUNT(*) \
         {MOVEMENTS} GROUP BY p.event_type, src.ledger_account"
    );
    let rows = sqlx::query(&sql)
        .bind(format!("{account}:held"))
        .bind(format!("{account}:available"))
        .fetch_all(pool)
        .await?;
    let mut totals: Vec<KindTotal> = Vec::new();
    for row in &rows {
        let event_type: String = row.try_get(0)?;
        let source: Option<String> = row.try_get(1)?;
        let sum: i64 = row.try_get(2)?;
        let count: i64 = row.try_get(3)?;
        let kind = kind(&event_type, source.as_deref());
        match totals.iter_mut().find(|t| t.kind == kind) {
            Some(total) => {
                total.total_cents += sum.abs();
                total.count += count;
            }
            None => totals.push(KindTotal {
                kind,
                total_cents: sum.abs(),
                count,
            }),
        }
    }
    totals.sort_by_key(|t| t.kind);
    Ok(totals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_coming_in_is_told_by_its_source() {
        assert_eq!(
            kind("FundsDeposited", Some("external:deposits:live:USD")),
            "deposit"
        );
        assert_eq!(
            kind("FundsDeposited", Some("platform:grants:live:USD")),
            "credit"
        );
        assert_eq!(
            kind("FundsDeposited", Some("platform:promotions:live:USD")),
            "free_task"
        );
        assert_eq!(
            kind("FundsDeposited", Some("platform:referrals:live:USD")),
            "referral_bonus"
        );
        assert_eq!(kind("HoldPlaced", None), "escrow_lock");
        assert_eq!(kind("HoldCaptured", None), "payment");
        assert_eq!(kind("PayoutSent", None), "payout");
        assert_eq!(kind("PayoutReturned", None), "payout_returned");
    }
}
