//! A wallet's transactions in Humans2AI's words, from the `postings` ledger
//! (one per account event, read on the side of the account it moved: escrow
//! on `:held`, everything else on `:available`), with a type filter and
//! pages. The kinds are HumanPing's ledger reading, renamed.

use super::super::micros_to_time;
use chrono::{DateTime, Utc};
use errand_aggregates::account::AccountId;
use sqlx::{AnyPool, Row};

/// Humans2AI's transaction types, each with the events and source it reads.
pub const TYPES: [&str; 8] = [
    "deposit",
    "credit",
    "escrow_hold",
    "escrow_release",
    "payment",
    "earning",
    "withdrawal",
    "withdrawal_returned",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// The journal position of the event: unique per movement.
    pub position: i64,
    pub kind: &'static str,
    /// Always positive: the kind says which way the money went.
    pub amount_cents: i64,
    pub recorded_at: Option<DateTime<Utc>>,
}

/// What a posting is, from its event and (for money coming in) its source.
fn kind_of(event_type: &str, source: Option<&str>) -> &'static str {
    match event_type {
        "FundsDeposited" => match source {
            Some(source)
                if source.starts_with("platform:grants")
                    || source.starts_with("platform:promotions") =>
            {
                "credit"
            }
            _ => "deposit",
        },
        "HoldPlaced" | "HoldIncreased" => "escrow_hold",
        "HoldReleased" => "escrow_release",
        "HoldCaptured" => "payment",
        "PaymentReceived" => "earning",
        "PayoutSent" => "withdrawal",
        "PayoutReturned" => "withdrawal_returned",
        _ => "other",
    }
}

/// The SQL condition selecting one type's postings (`$1` held, `$2` available).
fn type_condition(kind: &str) -> &'static str {
    match kind {
        "deposit" => "p.event_type = 'FundsDeposited' AND (src.ledger_account IS NULL OR (src.ledger_account NOT LIKE 'platform:grants%' AND src.ledger_account NOT LIKE 'platform:promotions%'))",
        "credit" => "p.event_type = 'FundsDeposited' AND (src.ledger_account LIKE 'platform:grants%' OR src.ledger_account LIKE 'platform:promotions%')",
        "escrow_hold" => "p.event_type IN ('HoldPlaced', 'HoldIncreased')",
        "escrow_release" => "p.event_type = 'HoldReleased'",
        "payment" => "p.event_type = 'HoldCaptured'",
        "earning" => "p.event_type = 'PaymentReceived'",
        "withdrawal" => "p.event_type = 'PayoutSent'",
        "withdrawal_returned" => "p.event_type = 'PayoutReturned'",
        _ => "1 = 0",
    }
}

/// The account's postings, one per event, with the source of money coming in.
const MOVEMENTS: &str = "FROM postings p \
    LEFT JOIN postings src ON src.position = p.position AND src.amount_cents < 0 \
        AND p.event_type = 'FundsDeposited' AND src.ledger_account <> p.ledger_account \
    WHERE ((p.ledger_account = $1 AND p.event_type IN ('HoldPlaced', 'HoldIncreased', 'HoldCaptured')) \
       OR (p.ledger_account = $2 AND p.event_type IN ('FundsDeposited', 'HoldReleased', 'PaymentReceived', 'PayoutSent', 'PayoutReturned')))";

/// A page of the account's transactions, newest first, and how many match.
/// `kind` must be one of `TYPES` (the caller checks).
pub async fn list(
    pool: &AnyPool,
    account: &AccountId,
    kind: Option<&str>,
    limit: u32,
    offset: u32,
) -> Result<(Vec<Transaction>, i64), sqlx::Error> {
    let filter = kind
        .map(|kind| format!(" AND {}", type_condition(kind)))
        .unwrap_or_default();
    let held = format!("{account}:held");
    let available = format!("{account}:available");
    let total: i64 = sqlx::query(&format!("SELECT COUNT(*) {MOVEMENTS}{filter}"))
        .bind(held.as_str())
        .bind(available.as_str())
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    let sql = format!(
        "SELECT p.position, p.event_type, src.ledger_account, p.amount_cents, p.recorded_at_us \
         {MOVEMENTS}{filter} ORDER BY p.position DESC LIMIT $3 OFFSET $4"
    );
    let rows = sqlx::query(&sql)
        .bind(held.as_str())
        .bind(available.as_str())
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(pool)
        .await?;
    let transactions = rows
        .iter()
        .map(|row| {
            let event_type: String = row.try_get(1)?;
            let source: Option<String> = row.try_get(2)?;
            let amount_cents: i64 = row.try_get(3)?;
            Ok(Transaction {
                position: row.try_get(0)?,
                kind: kind_of(&event_type, source.as_deref()),
                amount_cents: amount_cents.abs(),
                recorded_at: micros_to_time(row.try_get(4)?),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((transactions, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_its_condition_and_reads_back_as_itself() {
        for kind in TYPES {
            assert_ne!(type_condition(kind), "1 = 0", "{kind}");
        }
        assert_eq!(
            kind_of("FundsDeposited", Some("external:deposits:live:USD")),
            "deposit"
        );
        assert_eq!(
            kind_of("FundsDeposited", Some("platform:grants:live:USD")),
            "credit"
        );
        assert_eq!(kind_of("HoldPlaced", None), "escrow_hold");
        assert_eq!(kind_of("HoldCaptured", None), "payment");
        assert_eq!(kind_of("PaymentReceived", None), "earning");
        assert_eq!(kind_of("PayoutSent", None), "withdrawal");
    }
}
