//! `postings`: the double-entry ledger, one row per posting that
//! `errand_aggregates::ledger::postings` derives from an account event. Rows
//! are only ever inserted; `(position, seq)` orders them as the journal does.

use errand_aggregates::ledger;
use errand_aggregates::Event;
use sqlx::AnyConnection;

use crate::accounts::parse_account_stream;
use crate::rows::{insert_with, AnyQuery, Record};
use crate::{micros, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Postings;

/// One row of `postings`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostingRow {
    /// The journal position of the account event that made it.
    pub position: i64,
    /// Its place among that event's postings, from 0.
    pub seq: i64,
    /// `<account stream>:available`, `<account stream>:held`, or a platform or
    /// external account such as `platform:fees:live:USD`.
    pub ledger_account: String,
    /// Signed: positive credits the ledger account, negative debits it.
    pub amount_cents: i64,
    pub currency: String,
    pub event_type: String,
    pub stream_id: String,
    pub recorded_at_us: i64,
}

impl Record for PostingRow {
    const TABLE: &'static str = "postings";
    const COLUMNS: &'static [&'static str] = &[
        "position",
        "seq",
        "ledger_account",
        "amount_cents",
        "currency",
        "event_type",
        "stream_id",
        "recorded_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.position)
            .bind(self.seq)
            .bind(self.ledger_account.as_str())
            .bind(self.amount_cents)
            .bind(self.currency.as_str())
            .bind(self.event_type.as_str())
            .bind(self.stream_id.as_str())
            .bind(self.recorded_at_us)
    }
}

/// The rows one event posts; none for events that move no money.
pub fn rows(projected: &ProjectedEvent) -> Result<Vec<PostingRow>, ProjectionError> {
    let Event::Account(event) = &projected.event else {
        return Ok(Vec::new());
    };
    let account = parse_account_stream(&projected.stream_id).ok_or_else(|| {
        ProjectionError::inconsistent(projected, "stream id does not name an account")
    })?;
    Ok(ledger::postings(&account, event)
        .into_iter()
        .zip(0..)
        .map(|(posting, seq)| PostingRow {
            position: projected.position,
            seq,
            ledger_account: posting.ledger_account,
            amount_cents: posting.amount_cents,
            currency: posting.currency.code().to_owned(),
            event_type: projected.event_type.clone(),
            stream_id: projected.stream_id.clone(),
            recorded_at_us: micros(projected.recorded_at),
        })
        .collect())
}

impl Projection for Postings {
    fn name(&self) -> &'static str {
        "postings"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["postings"]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut postings = Vec::new();
        for projected in events {
            postings.extend(rows(projected)?);
        }
        insert_with(conn, &postings, "").await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use errand_aggregates::account::AccountId;
    use errand_aggregates::ids::{ActorId, AssignmentId, SubmissionId, TaskId};
    use errand_aggregates::mode::Mode;
    use errand_aggregates::task::{Proof, TaskCommand};

    #[tokio::test]
    async fn postings_sum_to_zero_and_each_ledger_account_matches_the_balances() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let (poster, worker) = (ActorId(new_id()), ActorId(new_id()));
        let task = TaskId(new_id());
        journal.deposit(poster, 5_000);
        journal.task(
            task,
            TaskCommand::Post {
                task: Box::new(new_task(task, 2, 1_000)),
                by: caller(poster),
                at: at(1),
            },
        );
        let submission = SubmissionId(new_id());
        journal.task(
            task,
            TaskCommand::Accept {
                assignment_id: AssignmentId(new_id()),
                by: caller(worker),
                at: at(2),
            },
        );
        journal.task(
            task,
            TaskCommand::Submit {
                submission_id: submission,
                proof: Proof::text("done"),
                by: caller(worker),
                at: at(3),
            },
        );
        journal.task(
            task,
            TaskCommand::Approve {
                submission_id: submission,
                by: caller(poster),
                at: at(4),
            },
        );
        journal.task(
            task,
            TaskCommand::Stop {
                by: caller(poster),
                at: at(5),
            },
        );
        db.apply(&Postings, &journal.take()).await;

        assert_eq!(
            db.count("SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM postings")
                .await,
            0
        );
        // Deposit 2, hold 2, capture 3, payment 2, release 2.
        assert_eq!(db.count("SELECT COUNT(*) FROM postings").await, 11);
        let balance = |account: &str| {
            format!("SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM postings WHERE ledger_account = '{account}'")
        };
        let poster_account = AccountId::usd(poster, Mode::Live);
        let worker_account = AccountId::usd(worker, Mode::Live);
        let poster_state = journal.account_state(poster_account).clone();
        assert_eq!(
            db.count(&balance(&format!("{poster_account}:available")))
                .await,
            poster_state.available_cents
        );
        assert_eq!(
            db.count(&balance(&format!("{poster_account}:held"))).await,
            0
        );
        assert_eq!(
            db.count(&balance(&format!("{worker_account}:available")))
                .await,
            820
        );
        assert_eq!(db.count(&balance("platform:fees:live:USD")).await, 180);
        assert_eq!(db.count(&balance("platform:settlement:live:USD")).await, 0);
        assert_eq!(
            db.count(&balance("external:deposits:live:USD")).await,
            -5_000
        );
    }
}
