//! `referrals_view`: who registered with whose referral code, and the bonus
//! the referrer was credited (the money itself moves in the referrer's
//! account stream). Folds the `referral-<referee>` streams.

use errand_aggregates::referral::ReferralEvent;
use errand_aggregates::Event;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::rows::{AnyQuery, Record, Rows, ViewRow};
use crate::{micros, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Referrals;

/// One row of `referrals_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralRow {
    pub referee: String,
    pub referrer: String,
    pub referee_name: String,
    pub referee_role: String,
    pub mode: String,
    pub bonus_cents: i64,
    pub currency: String,
    /// Of its `ReferralRecorded`: orders a referrer's list.
    pub position: i64,
    pub referred_at_us: i64,
}

impl Record for ReferralRow {
    const TABLE: &'static str = "referrals_view";
    const COLUMNS: &'static [&'static str] = &[
        "referee",
        "referrer",
        "referee_name",
        "referee_role",
        "mode",
        "bonus_cents",
        "currency",
        "position",
        "referred_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.referee.as_str())
            .bind(self.referrer.as_str())
            .bind(self.referee_name.as_str())
            .bind(self.referee_role.as_str())
            .bind(self.mode.as_str())
            .bind(self.bonus_cents)
            .bind(self.currency.as_str())
            .bind(self.position)
            .bind(self.referred_at_us)
    }
}

impl ViewRow for ReferralRow {
    fn key(&self) -> &str {
        &self.referee
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(ReferralRow {
            referee: row.try_get(0)?,
            referrer: row.try_get(1)?,
            referee_name: row.try_get(2)?,
            referee_role: row.try_get(3)?,
            mode: row.try_get(4)?,
            bonus_cents: row.try_get(5)?,
            currency: row.try_get(6)?,
            position: row.try_get(7)?,
            referred_at_us: row.try_get(8)?,
        })
    }
}

impl Projection for Referrals {
    fn name(&self) -> &'static str {
        "referrals"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["referrals_view"]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut referrals = Rows::<ReferralRow>::default();
        for projected in events {
            let Event::Referral(ReferralEvent::ReferralRecorded {
                referee,
                referee_role,
                referee_name,
                referrer,
                bonus,
                mode,
                at,
            }) = &projected.event
            else {
                continue;
            };
            referrals.put(ReferralRow {
                referee: referee.to_string(),
                referrer: referrer.to_string(),
                referee_name: referee_name.clone(),
                referee_role: referee_role.as_str().to_owned(),
                mode: mode.as_str().to_owned(),
                bonus_cents: bonus.cents,
                currency: bonus.currency.code().to_owned(),
                position: projected.position,
                referred_at_us: micros(*at),
            });
        }
        referrals.flush(conn).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use errand_aggregates::actor::{Caller, Role, Standing};
    use errand_aggregates::ids::ActorId;
    use errand_aggregates::mode::Mode;
    use errand_aggregates::money::Money;
    use errand_aggregates::referral::ReferralCommand;

    fn record(referee: ActorId, referrer: ActorId, name: &str) -> ReferralCommand {
        ReferralCommand::Record {
            referee,
            referee_role: Role::Human,
            referee_name: name.into(),
            referrer: Some(Caller {
                actor: referrer,
                role: Role::Agent,
                standing: Standing::Active,
            }),
            bonus: Money::usd(500),
            mode: Mode::Live,
            at: at(1),
        }
    }

    #[tokio::test]
    async fn each_referral_is_listed_under_its_referrer_with_its_bonus() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let (ada, bea, cy) = (ActorId(new_id()), ActorId(new_id()), ActorId(new_id()));
        journal.referral(record(bea, ada, "Bea"));
        journal.referral(record(cy, ada, "Cy"));
        db.apply(&Referrals, &journal.take()).await;
        let rows: Vec<ReferralRow> = all_rows(&mut db.conn).await;
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|r| r.referrer == ada.to_string()
            && r.bonus_cents == 500
            && r.currency == "USD"
            && r.mode == "live"));
        let mut names: Vec<&str> = rows.iter().map(|r| r.referee_name.as_str()).collect();
        names.sort();
        assert_eq!(names, ["Bea", "Cy"]);
        // The bonus was credited in the same story, from the platform.
        let account =
            journal.account_state(errand_aggregates::account::AccountId::usd(ada, Mode::Live));
        assert_eq!(account.available_cents, 1_000);
    }
}
