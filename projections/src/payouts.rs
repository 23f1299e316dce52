//! `payouts_view`: every payout, for its owner's list (newest first) and for
//! finding the ones still pending. The money itself moves in the account's
//! stream (`PayoutSent`, `PayoutReturned`); this folds the `Payout` streams.

use errand_aggregates::payout::PayoutEvent;
use errand_aggregates::Event;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::rows::{AnyQuery, Record, Rows, ViewRow};
use crate::{micros, stream_suffix, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Payouts;

/// One row of `payouts_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutRow {
    pub payout_id: String,
    pub owner: String,
    pub mode: String,
    pub currency: String,
    pub amount_cents: i64,
    pub destination: String,
    pub provider: String,
    /// `withdrawal` or `task_earnings`.
    pub purpose: String,
    pub task_id: Option<String>,
    /// `pending`, `paid` or `failed`.
    pub status: String,
    pub provider_reference: Option<String>,
    pub failure_reason: Option<String>,
    /// Of its `PayoutRequested`.
    pub position: i64,
    pub requested_at_us: i64,
    pub settled_at_us: Option<i64>,
}

impl Record for PayoutRow {
    const TABLE: &'static str = "payouts_view";
    const COLUMNS: &'static [&'static str] = &[
        "payout_id",
        "owner",
        "mode",
        "currency",
        "amount_cents",
        "destination",
        "provider",
        "purpose",
        "task_id",
        "status",
        "provider_reference",
        "failure_reason",
        "position",
        "requested_at_us",
        "settled_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.payout_id.as_str())
            .bind(self.owner.as_str())
            .bind(self.mode.as_str())
            .bind(self.currency.as_str())
            .bind(self.amount_cents)
            .bind(self.destination.as_str())
            .bind(self.provider.as_str())
            .bind(self.purpose.as_str())
            .bind(self.task_id.as_deref())
            .bind(self.status.as_str())
            .bind(self.provider_reference.as_deref())
            .bind(self.failure_reason.as_deref())
            .bind(self.position)
            .bind(self.requested_at_us)
            .bind(self.settled_at_us)
    }
}

impl ViewRow for PayoutRow {
    fn key(&self) -> &str {
        &self.payout_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(PayoutRow {
            payout_id: row.try_get(0)?,
            owner: row.try_get(1)?,
            mode: row.try_get(2)?,
            currency: row.try_get(3)?,
            amount_cents: row.try_get(4)?,
            destination: row.try_get(5)?,
            provider: row.try_get(6)?,
            purpose: row.try_get(7)?,
            task_id: row.try_get(8)?,
            status: row.try_get(9)?,
            provider_reference: row.try_get(10)?,
            failure_reason: row.try_get(11)?,
            position: row.try_get(12)?,
            requested_at_us: row.try_get(13)?,
            settled_at_us: row.try_get(14)?,
        })
    }
}

impl Projection for Payouts {
    fn name(&self) -> &'static str {
        "payouts"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["payouts_view"]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut payouts = Rows::<PayoutRow>::default();
        let settled = events
            .iter()
            .filter(|e| {
                matches!(
                    e.event,
                    Event::Payout(
                        PayoutEvent::PayoutPaid { .. } | PayoutEvent::PayoutFailed { .. }
                    )
                )
            })
            .map(|e| stream_suffix(&e.stream_id).to_owned());
        payouts.prefetch(conn, settled).await?;
        for projected in events {
            let Event::Payout(event) = &projected.event else {
                continue;
            };
            let payout_id = stream_suffix(&projected.stream_id);
            match event {
                PayoutEvent::PayoutRequested {
                    account,
                    amount,
                    destination,
                    purpose,
                    provider,
                    at,
                    ..
                } => payouts.put(PayoutRow {
                    payout_id: payout_id.to_owned(),
                    owner: account.owner.to_string(),
                    mode: account.mode.as_str().to_owned(),
                    currency: amount.currency.code().to_owned(),
                    amount_cents: amount.cents,
                    destination: destination.clone(),
                    provider: provider.clone(),
                    purpose: match purpose.task_id() {
                        Some(_) => "task_earnings",
                        None => "withdrawal",
                    }
                    .to_owned(),
                    task_id: purpose.task_id().map(|task| task.to_string()),
                    status: "pending".to_owned(),
                    provider_reference: None,
                    failure_reason: None,
                    position: projected.position,
                    requested_at_us: micros(*at),
                    settled_at_us: None,
                }),
                PayoutEvent::PayoutPaid {
                    provider_reference,
                    at,
                } => {
                    let row = payouts.get_mut(conn, payout_id).await?.ok_or_else(|| {
                        ProjectionError::inconsistent(projected, "unknown payout")
                    })?;
                    row.status = "paid".to_owned();
                    row.provider_reference = Some(provider_reference.clone());
                    row.settled_at_us = Some(micros(*at));
                }
                PayoutEvent::PayoutFailed { reason, at } => {
                    let row = payouts.get_mut(conn, payout_id).await?.ok_or_else(|| {
                        ProjectionError::inconsistent(projected, "unknown payout")
                    })?;
                    row.status = "failed".to_owned();
                    row.failure_reason = Some(reason.clone());
                    row.settled_at_us = Some(micros(*at));
                }
            }
        }
        payouts.flush(conn).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use errand_aggregates::account::AccountId;
    use errand_aggregates::ids::{ActorId, PayoutId, TaskId};
    use errand_aggregates::mode::Mode;
    use errand_aggregates::money::Money;
    use errand_aggregates::payout::{PayoutCommand, PayoutPurpose};

    fn request(payout: PayoutId, owner: ActorId, purpose: PayoutPurpose) -> PayoutCommand {
        PayoutCommand::Request {
            payout_id: payout,
            account: AccountId::usd(owner, Mode::Test),
            amount: Money::usd(450),
            destination: "acct_sandbox_1".into(),
            purpose,
            provider: "sandbox".into(),
            at: at(1),
        }
    }

    #[tokio::test]
    async fn a_payout_is_listed_pending_then_paid_or_failed() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let owner = ActorId(new_id());
        let (paid, failed) = (PayoutId(new_id()), PayoutId(new_id()));
        let task = TaskId(new_id());
        journal.payout(paid, request(paid, owner, PayoutPurpose::Withdrawal));
        journal.payout(
            failed,
            request(failed, owner, PayoutPurpose::TaskEarnings { task_id: task }),
        );
        db.apply(&Payouts, &journal.take()).await;
        let row = PayoutRow::find(&mut db.conn, &paid.to_string())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (row.status.as_str(), row.mode.as_str(), row.amount_cents),
            ("pending", "test", 450)
        );
        journal.payout(
            paid,
            PayoutCommand::Confirm {
                provider_reference: "po_1".into(),
                at: at(2),
            },
        );
        journal.payout(
            failed,
            PayoutCommand::Fail {
                reason: "bank declined".into(),
                at: at(2),
            },
        );
        db.apply(&Payouts, &journal.take()).await;
        let rows: Vec<PayoutRow> = all_rows(&mut db.conn).await;
        let paid_row = rows
            .iter()
            .find(|r| r.payout_id == paid.to_string())
            .unwrap();
        assert_eq!(paid_row.status, "paid");
        assert_eq!(paid_row.provider_reference.as_deref(), Some("po_1"));
        assert_eq!(paid_row.purpose, "withdrawal");
        let failed_row = rows
            .iter()
            .find(|r| r.payout_id == failed.to_string())
            .unwrap();
        assert_eq!(failed_row.status, "failed");
        assert_eq!(failed_row.failure_reason.as_deref(), Some("bank declined"));
        assert_eq!(failed_row.task_id, Some(task.to_string()));
        assert_eq!(failed_row.purpose, "task_earnings");
    }

    #[tokio::test]
    async fn a_settlement_for_a_payout_never_requested_is_inconsistent() {
        let mut db = TestDb::new().await;
        let event = ProjectedEvent::decode(
            1,
            &format!("payout-{}", new_id()),
            "PayoutPaid",
            r#"{"type":"PayoutPaid","provider_reference":"po_1","at":"2026-01-01T12:00:00Z"}"#,
            at(1),
        )
        .unwrap();
        let result = Payouts.apply_batch(&mut db.conn, &[event]).await;
        assert!(matches!(result, Err(ProjectionError::Inconsistent { .. })));
    }
}
