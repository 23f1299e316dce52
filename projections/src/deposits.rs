//! `deposits_view`: every deposit, how it is paid (a checkout, a charge of
//! the owner's saved method, an auto-reload) and how it ended, for an
//! owner's billing page. Folds the `deposit-<id>` streams; the money itself
//! moves in the owner's account stream when a deposit completes.

use errand_aggregates::deposit::{DepositEvent, DepositSource};
use errand_aggregates::Event;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::rows::{AnyQuery, Record, Rows, ViewRow};
use crate::{micros, stream_suffix, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deposits;

/// One row of `deposits_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepositRow {
    pub funding_id: String,
    pub owner: String,
    pub mode: String,
    pub currency: String,
    pub amount_cents: i64,
    pub provider: String,
    /// `checkout`, `saved_method` or `auto_reload`.
    pub source: String,
    pub payment_method: Option<String>,
    /// `pending`, `completed` or `failed`.
    pub status: String,
    pub failure_reason: Option<String>,
    /// Of its `DepositRequested`: orders an owner's deposits.
    pub position: i64,
    pub requested_at_us: i64,
    pub settled_at_us: Option<i64>,
}

impl Record for DepositRow {
    const TABLE: &'static str = "deposits_view";
    const COLUMNS: &'static [&'static str] = &[
        "funding_id",
        "owner",
        "mode",
        "currency",
        "amount_cents",
        "provider",
        "source",
        "payment_method",
        "status",
        "failure_reason",
        "position",
        "requested_at_us",
        "settled_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.funding_id.as_str())
            .bind(self.owner.as_str())
            .bind(self.mode.as_str())
            .bind(self.currency.as_str())
            .bind(self.amount_cents)
            .bind(self.provider.as_str())
            .bind(self.source.as_str())
            .bind(self.payment_method.as_deref())
            .bind(self.status.as_str())
            .bind(self.failure_reason.as_deref())
            .bind(self.position)
            .bind(self.requested_at_us)
            .bind(self.settled_at_us)
    }
}

impl ViewRow for DepositRow {
    fn key(&self) -> &str {
        &self.funding_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(DepositRow {
            funding_id: row.try_get(0)?,
            owner: row.try_get(1)?,
            mode: row.try_get(2)?,
            currency: row.try_get(3)?,
            amount_cents: row.try_get(4)?,
            provider: row.try_get(5)?,
            source: row.try_get(6)?,
            payment_method: row.try_get(7)?,
            status: row.try_get(8)?,
            failure_reason: row.try_get(9)?,
            position: row.try_get(10)?,
            requested_at_us: row.try_get(11)?,
            settled_at_us: row.try_get(12)?,
        })
    }
}

impl Projection for Deposits {
    fn name(&self) -> &'static str {
        "deposits"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["deposits_view"]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut deposits = Rows::<DepositRow>::default();
        for projected in events {
            let Event::Deposit(event) = &projected.event else {
                continue;
            };
            let funding_id = stream_suffix(&projected.stream_id);
            match event {
                DepositEvent::DepositRequested {
                    account,
                    amount,
                    provider,
                    source,
                    at,
                    ..
                } => deposits.put(DepositRow {
                    funding_id: funding_id.to_owned(),
                    owner: account.owner.to_string(),
                    mode: account.mode.as_str().to_owned(),
                    currency: amount.currency.code().to_owned(),
                    amount_cents: amount.cents,
                    provider: provider.clone(),
                    source: source.as_str().to_owned(),
                    payment_method: match source {
                        DepositSource::Checkout => None,
                        DepositSource::SavedMethod { payment_method }
                        | DepositSource::AutoReload { payment_method } => {
                            Some(payment_method.clone())
                        }
                    },
                    status: "pending".to_owned(),
                    failure_reason: None,
                    position: projected.position,
                    requested_at_us: micros(*at),
                    settled_at_us: None,
                }),
                DepositEvent::DepositCompleted { at } | DepositEvent::DepositFailed { at, .. } => {
                    let row = deposits.get_mut(conn, funding_id).await?.ok_or_else(|| {
                        ProjectionError::inconsistent(projected, "unknown deposit")
                    })?;
                    row.settled_at_us = Some(micros(*at));
                    if let DepositEvent::DepositFailed { reason, .. } = event {
                        row.status = "failed".to_owned();
                        row.failure_reason = Some(reason.clone());
                    } else {
                        row.status = "completed".to_owned();
                    }
                }
            }
        }
        deposits.flush(conn).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use errand_aggregates::account::AccountId;
    use errand_aggregates::deposit::DepositCommand;
    use errand_aggregates::ids::{ActorId, FundingId};
    use errand_aggregates::mode::Mode;
    use errand_aggregates::money::Money;

    fn request(owner: ActorId, funding_id: FundingId, source: DepositSource) -> DepositCommand {
        DepositCommand::Request {
            funding_id,
            account: AccountId::usd(owner, Mode::Live),
            amount: Money::usd(2_000),
            provider: "sandbox".to_owned(),
            source,
            at: at(1),
        }
    }

    #[tokio::test]
    async fn deposits_say_how_they_were_paid_and_how_they_ended() {
        let owner = ActorId(new_id());
        let (checkout, reload, declined) = (
            FundingId(new_id()),
            FundingId(new_id()),
            FundingId(new_id()),
        );
        let method = "pm_sandbox_visa_4242_1".to_owned();
        let mut journal = TestJournal::default();
        journal.deposit_command(checkout, request(owner, checkout, DepositSource::Checkout));
        let auto = DepositSource::AutoReload {
            payment_method: method.clone(),
        };
        journal.deposit_command(reload, request(owner, reload, auto));
        journal.deposit_command(reload, DepositCommand::Complete { at: at(2) });
        let saved = DepositSource::SavedMethod {
            payment_method: method.clone(),
        };
        journal.deposit_command(declined, request(owner, declined, saved));
        let fail = DepositCommand::Fail {
            reason: "declined".to_owned(),
            at: at(3),
        };
        journal.deposit_command(declined, fail);
        let events = journal.take();
        let mut db = TestDb::new().await;
        db.apply(&Deposits, &events[..2]).await;
        db.apply(&Deposits, &events[2..]).await;
        let rows: Vec<DepositRow> = all_rows(&mut db.conn).await;
        let row = |id: FundingId| {
            rows.iter()
                .find(|r| r.funding_id == id.to_string())
                .unwrap()
        };
        assert_eq!(
            (row(checkout).source.as_str(), row(checkout).status.as_str()),
            ("checkout", "pending")
        );
        assert_eq!(row(checkout).payment_method, None);
        assert_eq!(
            (row(reload).source.as_str(), row(reload).status.as_str()),
            ("auto_reload", "completed")
        );
        assert_eq!(row(reload).payment_method.as_deref(), Some(method.as_str()));
        assert!(row(reload).settled_at_us.is_some());
        assert_eq!(row(declined).status, "failed");
        assert_eq!(row(declined).failure_reason.as_deref(), Some("declined"));
        assert!(rows
            .iter()
            .all(|r| r.owner == owner.to_string() && r.amount_cents == 2_000));
        // The reload credited the account, and said where the money came from.
        let account = journal.account_state(AccountId::usd(owner, Mode::Live));
        assert_eq!(account.available_cents, 2_000);
        assert_eq!(account.deposited_cents, 2_000);
    }
}
