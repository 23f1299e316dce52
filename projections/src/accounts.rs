//! `accounts_view`: each account's balances and lifetime totals, as the
//! `Account` aggregate folds them.

use errand_aggregates::account::{AccountEvent, AccountId, Funding};
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use errand_aggregates::money::Currency;
use errand_aggregates::Event;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::rows::{AnyQuery, Record, Rows, ViewRow};
use crate::{micros, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Accounts;

/// One row of `accounts_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountView {
    /// The account's stream id, `account-<owner>-<mode>-<currency>`.
    pub account_id: String,
    pub owner: String,
    pub mode: String,
    pub currency: String,
    pub available_cents: i64,
    pub held_cents: i64,
    pub deposited_cents: i64,
    pub granted_cents: i64,
    pub earned_cents: i64,
    pub spent_cents: i64,
    pub fees_paid_cents: i64,
    pub paid_out_cents: i64,
    pub updated_at_us: i64,
}

impl AccountView {
    fn empty(account: AccountId) -> AccountView {
        AccountView {
            account_id: account.stream_id(),
            owner: account.owner.to_string(),
            mode: account.mode.as_str().to_owned(),
            currency: account.currency.code().to_owned(),
            available_cents: 0,
            held_cents: 0,
            deposited_cents: 0,
            granted_cents: 0,
            earned_cents: 0,
            spent_cents: 0,
            fees_paid_cents: 0,
            paid_out_cents: 0,
            updated_at_us: 0,
        }
    }
}

/// The account an `account-<owner>-<mode>-<currency>` stream belongs to. The
/// owner is a UUID, which has dashes of its own, so the parts are cut from the right.
pub fn parse_account_stream(stream_id: &str) -> Option<AccountId> {
    let rest = stream_id.strip_prefix("account-")?;
    let (rest, currency) = rest.rsplit_once('-')?;
    let (owner, mode) = rest.rsplit_once('-')?;
    let mode = match mode {
        "live" => Mode::Live,
        "test" => Mode::Test,
        _ => return None,
    };
    Some(AccountId {
        owner: ActorId::parse(owner)?,
        mode,
        currency: Currency::parse(currency).ok()?,
    })
}

impl Record for AccountView {
    const TABLE: &'static str = "accounts_view";
    const COLUMNS: &'static [&'static str] = &[
        "account_id",
        "owner",
        "mode",
        "currency",
        "available_cents",
        "held_cents",
        "deposited_cents",
        "granted_cents",
        "earned_cents",
        "spent_cents",
        "fees_paid_cents",
        "paid_out_cents",
        "updated_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.account_id.as_str())
            .bind(self.owner.as_str())
            .bind(self.mode.as_str())
            .bind(self.currency.as_str())
            .bind(self.available_cents)
            .bind(self.held_cents)
            .bind(self.deposited_cents)
            .bind(self.granted_cents)
            .bind(self.earned_cents)
            .bind(self.spent_cents)
            .bind(self.fees_paid_cents)
            .bind(self.paid_out_cents)
            .bind(self.updated_at_us)
    }
}

impl ViewRow for AccountView {
    fn key(&self) -> &str {
        &self.account_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(AccountView {
            account_id: row.try_get(0)?,
            owner: row.try_get(1)?,
            mode: row.try_get(2)?,
            currency: row.try_get(3)?,
            available_cents: row.try_get(4)?,
            held_cents: row.try_get(5)?,
            deposited_cents: row.try_get(6)?,
            granted_cents: row.try_get(7)?,
            earned_cents: row.try_get(8)?,
            spent_cents: row.try_get(9)?,
            fees_paid_cents: row.try_get(10)?,
            paid_out_cents: row.try_get(11)?,
            updated_at_us: row.try_get(12)?,
        })
    }
}

/// The same arithmetic as `Account::apply`, on the row.
fn fold(row: &mut AccountView, event: &AccountEvent) {
    let at = match event {
        AccountEvent::FundsDeposited {
            amount,
            funding,
            at,
            ..
        } => {
            row.available_cents += amount.cents;
            match funding {
                Funding::Deposit { .. } | Funding::AutoReload { .. } => {
                    row.deposited_cents += amount.cents
                }
                Funding::Grant { .. }
                | Funding::FreeTask { .. }
                | Funding::ReferralBonus { .. }
                | Funding::HalveningGrant { .. } => row.granted_cents += amount.cents,
            }
            at
        }
        AccountEvent::HoldPlaced { amount, at, .. }
        | AccountEvent::HoldIncreased { amount, at, .. } => {
            row.available_cents -= amount.cents;
            row.held_cents += amount.cents;
            at
        }
        AccountEvent::HoldCaptured { gross, fee, at, .. } => {
            row.held_cents -= gross.cents;
            row.spent_cents += gross.cents;
            row.fees_paid_cents += fee.cents;
            at
        }
        AccountEvent::HoldReleased { amount, at, .. } => {
            row.held_cents -= amount.cents;
            row.available_cents += amount.cents;
            at
        }
        AccountEvent::PaymentReceived { amount, at, .. } => {
            row.available_cents += amount.cents;
            row.earned_cents += amount.cents;
            at
        }
        AccountEvent::PayoutSent { amount, at, .. } => {
            row.available_cents -= amount.cents;
            row.paid_out_cents += amount.cents;
            at
        }
        AccountEvent::PayoutReturned { amount, at, .. } => {
            row.available_cents += amount.cents;
            row.paid_out_cents -= amount.cents;
            at
        }
        AccountEvent::FreeTasksGranted { at, .. } => at,
    };
    row.updated_at_us = micros(*at);
}

impl Projection for Accounts {
    fn name(&self) -> &'static str {
        "accounts"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["accounts_view"]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut accounts = Rows::<AccountView>::default();
        let touched = events
            .iter()
            .filter(|e| matches!(e.event, Event::Account(_)))
            .map(|e| e.stream_id.clone());
        accounts.prefetch(conn, touched).await?;
        for projected in events {
            let Event::Account(event) = &projected.event else {
                continue;
            };
            // Every account event belongs to its account's stream, so the
            // stream id names the account even for events that do not carry it.
            let account = parse_account_stream(&projected.stream_id).ok_or_else(|| {
                ProjectionError::inconsistent(projected, "stream id does not name an account")
            })?;
            if accounts
                .get_mut(conn, &projected.stream_id)
                .await?
                .is_none()
            {
                accounts.put(AccountView::empty(account));
            }
            let row = accounts
                .get_mut(conn, &projected.stream_id)
                .await?
                .expect("the row exists or was just put");
            fold(row, event);
        }
        accounts.flush(conn).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use crate::ViewRow;
    use errand_aggregates::account::AccountCommand;
    use errand_aggregates::ids::{HoldId, PayoutId, SettlementId, TaskId};
    use errand_aggregates::money::Money;
    use errand_aggregates::task::{Proof, TaskCommand};

    #[test]
    fn an_account_stream_id_parses_back_to_its_account() {
        let account = AccountId {
            owner: ActorId(new_id()),
            mode: Mode::Test,
            currency: Currency::RC,
        };
        assert_eq!(parse_account_stream(&account.stream_id()), Some(account));
        assert_eq!(parse_account_stream("account-nope-live-USD"), None);
        assert_eq!(parse_account_stream("task-123"), None);
    }

    #[tokio::test]
    async fn balances_equal_the_aggregates_own_fold_after_deposits_escrow_and_payouts() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let poster = ActorId(new_id());
        let workers = [ActorId(new_id()), ActorId(new_id())];
        journal.deposit(poster, 10_000);
        let task = TaskId(new_id());
        journal.task(
            task,
            TaskCommand::Post {
                task: Box::new(new_task(task, 3, 1_000)),
                by: caller(poster),
                at: at(1),
            },
        );
        // The first batch ends mid-story, so the second starts from stored rows.
        db.apply(&Accounts, &journal.take()).await;
        for (i, worker) in workers.iter().enumerate() {
            let submission = errand_aggregates::ids::SubmissionId(new_id());
            journal.task(
                task,
                TaskCommand::Accept {
                    assignment_id: errand_aggregates::ids::AssignmentId(new_id()),
                    by: caller(*worker),
                    at: at(2),
                },
            );
            journal.task(
                task,
                TaskCommand::Submit {
                    submission_id: submission,
                    proof: Proof::text("done"),
                    by: caller(*worker),
                    at: at(3),
                },
            );
            let review = if i == 0 {
                TaskCommand::Approve {
                    submission_id: submission,
                    by: caller(poster),
                    at: at(4),
                }
            } else {
                TaskCommand::Dispute {
                    submission_id: submission,
                    reason: "blurry".into(),
                    by: caller(poster),
                    at: at(4),
                }
            };
            journal.task(task, review);
        }
        journal.task(
            task,
            TaskCommand::Cancel {
                by: caller(poster),
                at: at(5),
            },
        );
        let payee = AccountId::usd(workers[0], Mode::Live);
        journal.account(
            payee,
            AccountCommand::SendPayout {
                payout_id: PayoutId(new_id()),
                amount: Money::usd(500),
                destination: "acct_sandbox".to_owned(),
                purpose: Default::default(),
                at: at(6),
            },
        );
        db.apply(&Accounts, &journal.take()).await;

        let accounts: Vec<_> = journal
            .accounts()
            .map(|(id, state)| (*id, state.clone()))
            .collect();
        assert_eq!(accounts.len(), 2);
        for (id, state) in accounts {
            let row = AccountView::find(&mut db.conn, &id.stream_id())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                (
                    row.available_cents,
                    row.held_cents,
                    row.deposited_cents,
                    row.granted_cents,
                    row.earned_cents,
                    row.spent_cents,
                    row.fees_paid_cents,
                    row.paid_out_cents,
                ),
                (
                    state.available_cents,
                    state.held_cents,
                    state.deposited_cents,
                    state.granted_cents,
                    state.earned_cents,
                    state.spent_cents,
                    state.fees_paid_cents,
                    state.paid_out_cents,
                ),
                "{id}"
            );
            assert_eq!(row.owner, id.owner.to_string());
        }
        let poster_row = AccountView::find(
            &mut db.conn,
            &AccountId::usd(poster, Mode::Live).stream_id(),
        )
        .await
        .unwrap()
        .unwrap();
        // One reward paid, everything else back: 10,000 − 1,000.
        assert_eq!(
            (poster_row.available_cents, poster_row.held_cents),
            (9_000, 0)
        );
        let payee_row = AccountView::find(&mut db.conn, &payee.stream_id())
            .await
            .unwrap()
            .unwrap();
        // 1,000 less the 18 % fee, less the 500 paid out.
        assert_eq!(payee_row.available_cents, 820 - 500);
    }

    #[tokio::test]
    async fn an_event_on_a_stream_that_names_no_account_is_refused() {
        let mut db = TestDb::new().await;
        let event = projected(
            7,
            "account-garbage",
            Event::Account(AccountEvent::HoldReleased {
                hold_id: HoldId(new_id()),
                settlement_id: SettlementId(new_id()),
                amount: Money::usd(1),
                at: at(0),
            }),
        );
        let error = Accounts.apply(&mut db.conn, &event).await.unwrap_err();
        assert!(matches!(
            error,
            ProjectionError::Inconsistent { position: 7, .. }
        ));
    }
}
