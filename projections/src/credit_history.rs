//! Humai's credit history: `humai_credit_history_view`, one row per entry of
//! a wallet's `CreditLots` — each lot (a credit, with what remains of it) and
//! each debit (negative, with the lots it drew on applied to their rows).
//! What `/humai/credits-history` pages through, newest first. Folds the
//! `creditlots-<actor>-<mode>` streams.

use errand_aggregates::humai::CreditLotsEvent;
use errand_aggregates::Event;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::rows::{AnyQuery, Record, Rows, ViewRow};
use crate::{micros, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CreditHistory;

/// One row of `humai_credit_history_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditEntryRow {
    pub entry_id: String,
    pub actor_id: String,
    pub mode: String,
    /// The journal position that recorded it: the history's order.
    pub position: i64,
    /// Signed: a credit is positive, a debit negative.
    pub amount: i64,
    /// `halvening_grant`, `deposit`, …, `withdrawal`, `tool_subscription`.
    pub reason: String,
    pub credit_type: String,
    pub withdrawal_eligible: bool,
    /// What is left of a credit lot; 0 for a debit.
    pub remaining_amount: i64,
    pub created_at_us: i64,
}

impl CreditEntryRow {
    pub fn is_credit(&self) -> bool {
        self.amount > 0
    }
}

impl Record for CreditEntryRow {
    const TABLE: &'static str = "humai_credit_history_view";
    const COLUMNS: &'static [&'static str] = &[
        "entry_id",
        "actor_id",
        "mode",
        "position",
        "amount",
        "reason",
        "credit_type",
        "withdrawal_eligible",
        "remaining_amount",
        "created_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.entry_id.as_str())
            .bind(self.actor_id.as_str())
            .bind(self.mode.as_str())
            .bind(self.position)
            .bind(self.amount)
            .bind(self.reason.as_str())
            .bind(self.credit_type.as_str())
            .bind(i64::from(self.withdrawal_eligible))
            .bind(self.remaining_amount)
            .bind(self.created_at_us)
    }
}

impl ViewRow for CreditEntryRow {
    fn key(&self) -> &str {
        &self.entry_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(CreditEntryRow {
            entry_id: row.try_get(0)?,
            actor_id: row.try_get(1)?,
            mode: row.try_get(2)?,
            position: row.try_get(3)?,
            amount: row.try_get(4)?,
            reason: row.try_get(5)?,
            credit_type: row.try_get(6)?,
            withdrawal_eligible: row.try_get::<i64, _>(7)? != 0,
            remaining_amount: row.try_get(8)?,
            created_at_us: row.try_get(9)?,
        })
    }
}

impl Projection for CreditHistory {
    fn name(&self) -> &'static str {
        "credit_history"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["humai_credit_history_view"]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut entries = Rows::<CreditEntryRow>::default();
        let drawn_lots = events.iter().flat_map(|projected| match &projected.event {
            Event::CreditLots(CreditLotsEvent::CreditsDebited { drawn, .. }) => {
                drawn.iter().map(|draw| draw.lot_id.to_string()).collect()
            }
            _ => Vec::new(),
        });
        entries.prefetch(conn, drawn_lots).await?;
        for projected in events {
            let Event::CreditLots(event) = &projected.event else {
                continue;
            };
            match event {
                CreditLotsEvent::CreditLotOpened {
                    wallet,
                    lot_id,
                    amount,
                    source,
                    at,
                } => {
                    let pool = source.pool();
                    entries.put(CreditEntryRow {
                        entry_id: lot_id.to_string(),
                        actor_id: wallet.owner.to_string(),
                        mode: wallet.mode.as_str().to_owned(),
                        position: projected.position,
                        amount: amount.cents,
                        reason: source.as_str().to_owned(),
                        credit_type: pool.credit_type().to_owned(),
                        withdrawal_eligible: pool.withdrawal_eligible(),
                        remaining_amount: amount.cents,
                        created_at_us: micros(*at),
                    });
                }
                CreditLotsEvent::CreditsDebited {
                    wallet,
                    debit_id,
                    amount,
                    purpose,
                    drawn,
                    at,
                } => {
                    for draw in drawn {
                        let lot = entries
                            .get_mut(conn, &draw.lot_id.to_string())
                            .await?
                            .ok_or_else(|| {
                                ProjectionError::inconsistent(projected, "a debit drew on no lot")
                            })?;
                        lot.remaining_amount -= draw.credits;
                    }
                    entries.put(CreditEntryRow {
                        entry_id: debit_id.to_string(),
                        actor_id: wallet.owner.to_string(),
                        mode: wallet.mode.as_str().to_owned(),
                        position: projected.position,
                        amount: -amount.cents,
                        reason: purpose.as_str().to_owned(),
                        credit_type: purpose.credit_type().to_owned(),
                        withdrawal_eligible: false,
                        remaining_amount: 0,
                        created_at_us: micros(*at),
                    });
                }
            }
        }
        entries.flush(conn).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use errand_aggregates::account::AccountId;
    use errand_aggregates::humai::credit_lots::{CreditSource, DebitPurpose, LotDraw};
    use errand_aggregates::ids::{ActorId, CreditEntryId};
    use errand_aggregates::mode::Mode;
    use errand_aggregates::money::{Currency, Money};

    fn rc(credits: i64) -> Money {
        Money::from_cents(credits, Currency::RC).unwrap()
    }

    #[tokio::test]
    async fn lots_are_listed_with_what_debits_left_of_them() {
        let mut db = TestDb::new().await;
        let wallet = AccountId {
            owner: ActorId(new_id()),
            mode: Mode::Live,
            currency: Currency::RC,
        };
        let stream = format!("creditlots-{}-live", wallet.owner);
        let (grant, deposit, spend) = (
            CreditEntryId(new_id()),
            CreditEntryId(new_id()),
            CreditEntryId(new_id()),
        );
        let opened = |lot_id, credits, source| {
            Event::CreditLots(CreditLotsEvent::CreditLotOpened {
                wallet,
                lot_id,
                amount: rc(credits),
                source,
                at: at(1),
            })
        };
        let events = [
            projected(1, &stream, opened(grant, 128, CreditSource::HalveningGrant)),
            projected(2, &stream, opened(deposit, 200, CreditSource::Deposit)),
            projected(
                3,
                &stream,
                Event::CreditLots(CreditLotsEvent::CreditsDebited {
                    wallet,
                    debit_id: spend,
                    amount: rc(150),
                    purpose: DebitPurpose::ToolSubscription,
                    drawn: vec![
                        LotDraw {
                            lot_id: grant,
                            credits: 128,
                        },
                        LotDraw {
                            lot_id: deposit,
                            credits: 22,
                        },
                    ],
                    at: at(2),
                }),
            ),
        ];
        // One batch, and the same events one by one, agree.
        db.apply(&CreditHistory, &events).await;
        let mut one_by_one = TestDb::new().await;
        for event in &events {
            one_by_one
                .apply(&CreditHistory, std::slice::from_ref(event))
                .await;
        }
        let mut rows: Vec<CreditEntryRow> = all_rows(&mut db.conn).await;
        let mut again: Vec<CreditEntryRow> = all_rows(&mut one_by_one.conn).await;
        rows.sort_by_key(|row| row.position);
        again.sort_by_key(|row| row.position);
        assert_eq!(rows, again);
        let summary: Vec<(i64, &str, &str, bool, i64)> = rows
            .iter()
            .map(|row| {
                (
                    row.amount,
                    row.reason.as_str(),
                    row.credit_type.as_str(),
                    row.withdrawal_eligible,
                    row.remaining_amount,
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (128, "halvening_grant", "liquid", false, 0),
                (200, "deposit", "cash_backed", true, 178),
                (-150, "tool_subscription", "task_posting", false, 0),
            ]
        );
    }
}
