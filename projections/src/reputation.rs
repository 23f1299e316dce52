//! `reputation_view`: each human's standing as a worker, from their task
//! history. The rule:
//!
//! - the trust score starts at [`TRUST_START`] and moves with each reviewed
//!   submission — [`TRUST_APPROVED`] for an approval, [`TRUST_REJECTED`] for a
//!   rejection, [`TRUST_DISPUTED`] for a dispute — clamped to
//!   [`TRUST_MIN`]..=[`TRUST_MAX`] after every step, so a long record cannot
//!   bank credit that absorbs a dispute unnoticed;
//! - the level follows the approved count ([`LEVELS`]), and so do the badges
//!   ([`BADGES`], plus `trusted` for a high score over enough work);
//! - earnings are the live-mode payments received on approval (test-mode
//!   money is not real).
//!
//! Level and badges are derived when read ([`level`], [`badges`]), so changing
//! a threshold needs no replay.

use errand_aggregates::account::AccountEvent;
use errand_aggregates::actor::{ActorEvent, Role};
use errand_aggregates::mode::Mode;
use errand_aggregates::task::TaskEvent;
use errand_aggregates::Event;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::accounts::parse_account_stream;
use crate::rows::{AnyQuery, Record, Rows, ViewRow};
use crate::{micros, stream_suffix, ProjectedEvent, Projection, ProjectionError};

pub const TRUST_START: i64 = 50;
pub const TRUST_MIN: i64 = 0;
pub const TRUST_MAX: i64 = 100;
pub const TRUST_APPROVED: i64 = 2;
pub const TRUST_REJECTED: i64 = -5;
/// The poster found the work bad enough to take the money back.
pub const TRUST_DISPUTED: i64 = -10;

/// `(approved submissions needed, level)`, highest first.
pub const LEVELS: &[(i64, u8)] = &[(50, 4), (20, 3), (5, 2), (0, 1)];
/// `(approved submissions needed, badge)`.
pub const BADGES: &[(i64, &str)] = &[
    (1, "first_task"),
    (10, "ten_tasks"),
    (50, "fifty_tasks"),
    (100, "hundred_tasks"),
];
/// `trusted`: a score this high…
pub const TRUSTED_SCORE_MIN: i64 = 90;
/// …held over at least this much approved work.
pub const TRUSTED_APPROVED_MIN: i64 = 10;

pub fn level(approved: i64) -> u8 {
    LEVELS
        .iter()
        .find(|(needed, _)| approved >= *needed)
        .map_or(1, |(_, level)| *level)
}

pub fn badges(approved: i64, trust_score: i64) -> Vec<&'static str> {
    let mut earned: Vec<&'static str> = BADGES
        .iter()
        .filter(|(needed, _)| approved >= *needed)
        .map(|(_, badge)| *badge)
        .collect();
    if trust_score >= TRUSTED_SCORE_MIN && approved >= TRUSTED_APPROVED_MIN {
        earned.push("trusted");
    }
    earned
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reputation;

/// One row of `reputation_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReputationView {
    pub actor_id: String,
    pub name: String,
    pub trust_score: i64,
    pub approved: i64,
    pub rejected: i64,
    pub disputed: i64,
    pub earned_cents: i64,
    pub updated_at_us: i64,
}

impl ReputationView {
    fn move_trust(&mut self, by: i64, at_us: i64) {
        self.trust_score = (self.trust_score + by).clamp(TRUST_MIN, TRUST_MAX);
        self.updated_at_us = at_us;
    }
}

impl Record for ReputationView {
    const TABLE: &'static str = "reputation_view";
    const COLUMNS: &'static [&'static str] = &[
        "actor_id",
        "name",
        "trust_score",
        "approved",
        "rejected",
        "disputed",
        "earned_cents",
        "updated_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.actor_id.as_str())
            .bind(self.name.as_str())
            .bind(self.trust_score)
            .bind(self.approved)
            .bind(self.rejected)
            .bind(self.disputed)
            .bind(self.earned_cents)
            .bind(self.updated_at_us)
    }
}

impl ViewRow for ReputationView {
    fn key(&self) -> &str {
        &self.actor_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(ReputationView {
            actor_id: row.try_get(0)?,
            name: row.try_get(1)?,
            trust_score: row.try_get(2)?,
            approved: row.try_get(3)?,
            rejected: row.try_get(4)?,
            disputed: row.try_get(5)?,
            earned_cents: row.try_get(6)?,
            updated_at_us: row.try_get(7)?,
        })
    }
}

/// One row of `reputation_submissions`: whose a submission is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionWorker {
    pub submission_id: String,
    pub worker: String,
}

impl Record for SubmissionWorker {
    const TABLE: &'static str = "reputation_submissions";
    const COLUMNS: &'static [&'static str] = &["submission_id", "worker"];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.submission_id.as_str())
            .bind(self.worker.as_str())
    }
}

impl ViewRow for SubmissionWorker {
    fn key(&self) -> &str {
        &self.submission_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(SubmissionWorker {
            submission_id: row.try_get(0)?,
            worker: row.try_get(1)?,
        })
    }
}

impl Projection for Reputation {
    fn name(&self) -> &'static str {
        "reputation"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["reputation_view", "reputation_submissions"]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut people = Rows::<ReputationView>::default();
        let mut submissions = Rows::<SubmissionWorker>::default();
        submissions
            .prefetch(
                conn,
                events.iter().filter_map(|e| match &e.event {
                    Event::Task(
                        TaskEvent::SubmissionRejected { submission_id, .. }
                        | TaskEvent::SubmissionDisputed { submission_id, .. },
                    ) => Some(submission_id.to_string()),
                    _ => None,
                }),
            )
            .await?;
        let workers: Vec<String> = events
            .iter()
            .filter_map(|e| match &e.event {
                Event::Task(
                    TaskEvent::WorkSubmitted { worker, .. }
                    | TaskEvent::SubmissionApproved { worker, .. },
                ) => Some(worker.to_string()),
                Event::Task(
                    TaskEvent::SubmissionRejected { submission_id, .. }
                    | TaskEvent::SubmissionDisputed { submission_id, .. },
                ) => submissions
                    .cached(&submission_id.to_string())
                    .map(|s| s.worker.clone()),
                Event::Account(AccountEvent::PaymentReceived { .. }) => {
                    parse_account_stream(&e.stream_id).map(|account| account.owner.to_string())
                }
                _ => None,
            })
            .collect();
        people.prefetch(conn, workers).await?;
        for projected in events {
            apply(projected, &mut people, &mut submissions, conn).await?;
        }
        people.flush(conn).await?;
        submissions.flush(conn).await?;
        Ok(())
    }
}

async fn apply(
    projected: &ProjectedEvent,
    people: &mut Rows<ReputationView>,
    submissions: &mut Rows<SubmissionWorker>,
    conn: &mut AnyConnection,
) -> Result<(), ProjectionError> {
    let (worker, change, at) = match &projected.event {
        Event::Actor(ActorEvent::ActorRegistered {
            role: Role::Human,
            name,
            registered_at,
            ..
        }) => {
            people.put(ReputationView {
                actor_id: stream_suffix(&projected.stream_id).to_owned(),
                name: name.clone(),
                trust_score: TRUST_START,
                approved: 0,
                rejected: 0,
                disputed: 0,
                earned_cents: 0,
                updated_at_us: micros(*registered_at),
            });
            return Ok(());
        }
        Event::Task(TaskEvent::WorkSubmitted {
            submission_id,
            worker,
            ..
        }) => {
            submissions.put(SubmissionWorker {
                submission_id: submission_id.to_string(),
                worker: worker.to_string(),
            });
            return Ok(());
        }
        Event::Task(TaskEvent::SubmissionApproved { worker, at, .. }) => {
            (worker.to_string(), Change::Approved, at)
        }
        Event::Task(TaskEvent::SubmissionRejected {
            submission_id, at, ..
        }) => (
            submission_worker(projected, submissions, conn, &submission_id.to_string()).await?,
            Change::Rejected,
            at,
        ),
        Event::Task(TaskEvent::SubmissionDisputed {
            submission_id, at, ..
        }) => (
            submission_worker(projected, submissions, conn, &submission_id.to_string()).await?,
            Change::Disputed,
            at,
        ),
        Event::Account(AccountEvent::PaymentReceived { amount, at, .. }) => {
            match parse_account_stream(&projected.stream_id) {
                Some(account) if account.mode == Mode::Live => {
                    (account.owner.to_string(), Change::Earned(amount.cents), at)
                }
                _ => return Ok(()),
            }
        }
        _ => return Ok(()),
    };
    // Agents take work too; only people have a reputation.
    let Some(person) = people.get_mut(conn, &worker).await? else {
        return Ok(());
    };
    let at_us = micros(*at);
    match change {
        Change::Approved => {
            person.approved += 1;
            person.move_trust(TRUST_APPROVED, at_us);
        }
        Change::Rejected => {
            person.rejected += 1;
            person.move_trust(TRUST_REJECTED, at_us);
        }
        Change::Disputed => {
            person.disputed += 1;
            person.move_trust(TRUST_DISPUTED, at_us);
        }
        Change::Earned(cents) => {
            person.earned_cents = person.earned_cents.saturating_add(cents);
            person.updated_at_us = at_us;
        }
    }
    Ok(())
}

enum Change {
    Approved,
    Rejected,
    Disputed,
    Earned(i64),
}

/// Every reviewed submission was submitted first; a review of an unknown one
/// means the read model is damaged.
async fn submission_worker(
    projected: &ProjectedEvent,
    submissions: &mut Rows<SubmissionWorker>,
    conn: &mut AnyConnection,
    submission_id: &str,
) -> Result<String, ProjectionError> {
    match submissions.get_mut(conn, submission_id).await? {
        Some(submission) => Ok(submission.worker.clone()),
        None => Err(ProjectionError::inconsistent(
            projected,
            "submission was never submitted",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use errand_aggregates::actor::{ActorCommand, Caller, Standing};
    use errand_aggregates::ids::{ActorId, AssignmentId, SubmissionId, TaskId};
    use errand_aggregates::task::{Proof, TaskCommand};

    fn level_and_badges(approved: i64, trust: i64) -> (u8, Vec<&'static str>) {
        (level(approved), badges(approved, trust))
    }

    #[test]
    fn levels_and_badges_follow_the_approved_count() {
        assert_eq!(level_and_badges(0, 50), (1, vec![]));
        assert_eq!(level_and_badges(1, 52), (1, vec!["first_task"]));
        assert_eq!(level_and_badges(5, 60), (2, vec!["first_task"]));
        assert_eq!(
            level_and_badges(20, 89),
            (3, vec!["first_task", "ten_tasks"])
        );
        assert_eq!(
            level_and_badges(50, 100),
            (4, vec!["first_task", "ten_tasks", "fifty_tasks", "trusted"])
        );
        assert_eq!(badges(9, 100), vec!["first_task"]);
    }

    struct Story {
        journal: TestJournal,
        poster: ActorId,
        worker: ActorId,
    }

    fn register(journal: &mut TestJournal, actor: ActorId, role: Role, name: &str) {
        journal.actor(
            actor,
            ActorCommand::Register {
                actor_id: actor,
                role,
                name: name.into(),
                email: None,
                at: at(0),
            },
        );
    }

    impl Story {
        fn new() -> Story {
            let mut journal = TestJournal::default();
            let (poster, worker) = (ActorId(new_id()), ActorId(new_id()));
            register(&mut journal, poster, Role::Agent, "Bot");
            register(&mut journal, worker, Role::Human, "Bea");
            journal.deposit(poster, 1_000_000);
            Story {
                journal,
                poster,
                worker,
            }
        }

        /// A one-slot task `worker` takes and submits; returns the task and submission.
        fn submitted(&mut self, worker: ActorId) -> (TaskId, SubmissionId) {
            let task = TaskId(new_id());
            let poster = caller(self.poster);
            self.journal.task(
                task,
                TaskCommand::Post {
                    by: poster,
                    task: Box::new(new_task(task, 1, 1_000)),
                    at: at(1),
                },
            );
            let assignment = AssignmentId(new_id());
            self.journal.task(
                task,
                TaskCommand::Accept {
                    by: caller(worker),
                    assignment_id: assignment,
                    at: at(2),
                },
            );
            let submission = SubmissionId(new_id());
            self.journal.task(
                task,
                TaskCommand::Submit {
                    by: caller(worker),
                    submission_id: submission,
                    proof: Proof::text("done"),
                    at: at(3),
                },
            );
            (task, submission)
        }

        fn review(&mut self, worker: ActorId, verdict: &str) {
            let (task, submission_id) = self.submitted(worker);
            let by = caller(self.poster);
            let command = match verdict {
                "approve" => TaskCommand::Approve {
                    by,
                    submission_id,
                    at: at(4),
                },
                "reject" => TaskCommand::Reject {
                    by,
                    submission_id,
                    reason: "blurry".into(),
                    at: at(4),
                },
                _ => TaskCommand::Dispute {
                    by,
                    submission_id,
                    reason: "fake".into(),
                    at: at(4),
                },
            };
            self.journal.task(task, command);
        }
    }

    async fn row(db: &mut TestDb, actor: ActorId) -> Option<ReputationView> {
        ReputationView::find(&mut db.conn, &actor.to_string())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn approvals_raise_trust_and_earnings_and_disputes_lower_trust() {
        let mut story = Story::new();
        for _ in 0..3 {
            story.review(story.worker, "approve");
        }
        story.review(story.worker, "reject");
        story.review(story.worker, "dispute");
        let mut db = TestDb::new().await;
        db.apply(&Reputation, &story.journal.take()).await;
        let bea = row(&mut db, story.worker).await.unwrap();
        assert_eq!(
            (bea.trust_score, bea.approved, bea.rejected, bea.disputed),
            (50 + 3 * 2 - 5 - 10, 3, 1, 1)
        );
        // $10.00 less the 18 % fee, three times.
        assert_eq!(bea.earned_cents, 3 * 820);
        assert_eq!(bea.name, "Bea");
        // The poster is an agent: no reputation.
        assert_eq!(row(&mut db, story.poster).await, None);
    }

    #[tokio::test]
    async fn trust_is_clamped_at_every_step() {
        let mut story = Story::new();
        for _ in 0..6 {
            story.review(story.worker, "dispute");
        }
        story.review(story.worker, "approve");
        let mut db = TestDb::new().await;
        db.apply(&Reputation, &story.journal.take()).await;
        // 50 → 0 after five disputes, stays 0 after the sixth, then +2.
        assert_eq!(row(&mut db, story.worker).await.unwrap().trust_score, 2);
        let mut story = Story::new();
        for _ in 0..30 {
            story.review(story.worker, "approve");
        }
        story.review(story.worker, "dispute");
        let mut db = TestDb::new().await;
        db.apply(&Reputation, &story.journal.take()).await;
        // Capped at 100 by the 25th approval: the dispute shows.
        assert_eq!(row(&mut db, story.worker).await.unwrap().trust_score, 90);
    }

    #[tokio::test]
    async fn a_review_in_a_later_batch_finds_its_submission() {
        let mut story = Story::new();
        let (task, submission_id) = story.submitted(story.worker);
        let mut db = TestDb::new().await;
        db.apply(&Reputation, &story.journal.take()).await;
        story.journal.task(
            task,
            TaskCommand::Dispute {
                by: caller(story.poster),
                submission_id,
                reason: "fake".into(),
                at: at(9),
            },
        );
        db.apply(&Reputation, &story.journal.take()).await;
        let bea = row(&mut db, story.worker).await.unwrap();
        assert_eq!((bea.trust_score, bea.disputed), (40, 1));
    }

    #[tokio::test]
    async fn a_frozen_person_keeps_their_reputation_row() {
        let mut story = Story::new();
        let admin = Caller {
            actor: ActorId(new_id()),
            role: Role::Admin,
            standing: Standing::Active,
        };
        story.journal.actor(
            story.worker,
            ActorCommand::Freeze {
                by: admin,
                reason: "check".into(),
                at: at(5),
            },
        );
        let mut db = TestDb::new().await;
        db.apply(&Reputation, &story.journal.take()).await;
        assert_eq!(
            row(&mut db, story.worker).await.unwrap().trust_score,
            TRUST_START
        );
    }
}
