//! An owner's deposits from `deposits_view`, the latest first: what their
//! billing page shows as recent credit additions.

use super::QueryError;
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use errand_projections::deposits::DepositRow;
use errand_projections::{Record, ViewRow};
use sqlx::AnyPool;

/// `owner`'s latest `limit` deposits in `mode`, whatever became of them.
pub async fn recent(
    pool: &AnyPool,
    owner: ActorId,
    mode: Mode,
    limit: u32,
) -> Result<Vec<DepositRow>, QueryError> {
    let sql = format!(
        "SELECT {} FROM deposits_view WHERE owner = $1 AND mode = $2 \
         ORDER BY position DESC LIMIT $3",
        DepositRow::COLUMNS.join(", ")
    );
    let rows = sqlx::query(&sql)
        .bind(owner.to_string())
        .bind(mode.as_str())
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    Ok(rows
        .iter()
        .map(DepositRow::decode)
        .collect::<Result<Vec<_>, _>>()?)
}

/// Charges of saved methods (at the owner's request or by auto-reload) still
/// `pending` whose request was recorded before `requested_before`, oldest
/// first, at most `limit`: what the runtime's charge sweep asks the provider
/// about again. Checkout deposits are left out: the provider cannot be asked
/// about a checkout; its payer completes it. Served by `deposits_view_status`.
pub async fn pending_charges_requested_before(
    pool: &AnyPool,
    requested_before: chrono::DateTime<chrono::Utc>,
    limit: i64,
) -> Result<Vec<DepositRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {} FROM deposits_view WHERE status = 'pending' AND requested_at_us < $1 \
         AND source IN ('saved_method', 'auto_reload') \
         ORDER BY requested_at_us, position LIMIT $2",
        DepositRow::COLUMNS.join(", ")
    );
    let rows = sqlx::query(&sql)
        .bind(requested_before.timestamp_micros())
        .bind(limit)
        .fetch_all(pool)
        .await?;
    rows.iter().map(DepositRow::decode).collect()
}

#[cfg(test)]
mod tests {
    //! The charge sweep's query on both backends, over rows written straight
    //! into `deposits_view` (the projection's own tests cover how rows get there).

    use super::*;
    use crate::journal::tests::{on_both_backends, TestDatabase};
    use chrono::{DateTime, Duration, Utc};

    fn row(
        funding_id: &str,
        source: &str,
        status: &str,
        requested_at: DateTime<Utc>,
    ) -> DepositRow {
        DepositRow {
            funding_id: funding_id.to_owned(),
            owner: "owner".to_owned(),
            mode: "live".to_owned(),
            currency: "USD".to_owned(),
            amount_cents: 2_000,
            provider: "sandbox".to_owned(),
            source: source.to_owned(),
            payment_method: (source != "checkout").then(|| "pm_sandbox_visa_4242_x".to_owned()),
            status: status.to_owned(),
            failure_reason: None,
            position: requested_at.timestamp_micros(),
            requested_at_us: requested_at.timestamp_micros(),
            settled_at_us: None,
        }
    }

    async fn insert(pool: &AnyPool, row: &DepositRow) {
        let placeholders = (1..=DepositRow::COLUMNS.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO deposits_view ({}) VALUES ({placeholders})",
            DepositRow::COLUMNS.join(", ")
        );
        row.bind(sqlx::query(&sql))
            .execute(pool)
            .await
            .expect("row inserted");
    }

    async fn only_old_pending_charges_are_found_oldest_first(database: &TestDatabase) {
        let journal = database.open().await;
        let pool = journal.pool();
        let now = Utc::now();
        let old = |minutes| now - Duration::minutes(minutes);
        let rows = [
            row("charge-old", "saved_method", "pending", old(10)),
            row("reload-older", "auto_reload", "pending", old(30)),
            row(
                "charge-fresh",
                "saved_method",
                "pending",
                now - Duration::seconds(30),
            ),
            row("checkout-old", "checkout", "pending", old(40)),
            row("charge-completed", "saved_method", "completed", old(40)),
            row("reload-failed", "auto_reload", "failed", old(40)),
        ];
        for row in &rows {
            insert(pool, row).await;
        }
        let found = pending_charges_requested_before(pool, now - Duration::minutes(2), 10)
            .await
            .expect("queried");
        let ids: Vec<&str> = found.iter().map(|row| row.funding_id.as_str()).collect();
        assert_eq!(ids, ["reload-older", "charge-old"]);
        let first = pending_charges_requested_before(pool, now - Duration::minutes(2), 1)
            .await
            .expect("queried");
        assert_eq!(first.len(), 1, "bounded by the limit");
        journal.close().await;
    }

    on_both_backends!(only_old_pending_charges_are_found_oldest_first);
}
