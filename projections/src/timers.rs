//! `timers`: what must happen at a moment unless something else happens
//! first — a task's deadline, an assignment's time limit, a submission's
//! review window. The runtime reads due rows and fires their commands
//! through the bus; a row leaves the table only when the projection sees the
//! event that resolves it, so a refused or lost firing is retried.

use std::fmt;

use errand_aggregates::bid::BidEvent;
use errand_aggregates::contract::ContractEvent;
use errand_aggregates::task::TaskEvent;
use errand_aggregates::{Event, Timestamp};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row};

use crate::rows::{AnyQuery, Record, Rows, ViewRow};
use crate::{micros, stream_suffix, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timers;

/// What a timer does when it is due, and the command the runtime sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimerKind {
    /// `TaskCommand::Expire` on the task; `target_id` is the task id.
    ExpireTask,
    /// `TaskCommand::AbandonAssignment`; `target_id` is the assignment id.
    AbandonAssignment,
    /// `TaskCommand::AutoApprove`; `target_id` is the submission id.
    AutoApprove,
    /// `ContractCommand::AutoAccept` on the contract (Humai's 48-hour review
    /// window): accepts whatever awaits review, the whole delivery or the
    /// milestone. `task_id` and `target_id` are the contract's id; one per
    /// contract, since milestones are reviewed one at a time.
    AutoAcceptContract,
    /// `BidAction::Expire` on the bid (Humai's 7 days, pushed back by a
    /// counter-offer). `task_id` and `target_id` are the bid's id.
    ExpireBid,
}

impl TimerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TimerKind::ExpireTask => "expire_task",
            TimerKind::AbandonAssignment => "abandon_assignment",
            TimerKind::AutoApprove => "auto_approve",
            TimerKind::AutoAcceptContract => "auto_accept_contract",
            TimerKind::ExpireBid => "expire_bid",
        }
    }

    pub fn parse(text: &str) -> Option<TimerKind> {
        match text {
            "expire_task" => Some(TimerKind::ExpireTask),
            "abandon_assignment" => Some(TimerKind::AbandonAssignment),
            "auto_approve" => Some(TimerKind::AutoApprove),
            "auto_accept_contract" => Some(TimerKind::AutoAcceptContract),
            "expire_bid" => Some(TimerKind::ExpireBid),
            _ => None,
        }
    }
}

impl fmt::Display for TimerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of `timers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timer {
    /// `<kind>:<target_id>`: one timer per thing waited for, so the event that
    /// resolves it deletes it by key.
    pub timer_id: String,
    /// The task's id, or the contract's for a contract's timer.
    pub task_id: String,
    pub kind: TimerKind,
    pub target_id: String,
    pub due_at_us: i64,
}

impl Timer {
    fn new(kind: TimerKind, task_id: &str, target_id: String, due_at: Timestamp) -> Timer {
        Timer {
            timer_id: timer_id(kind, &target_id),
            task_id: task_id.to_owned(),
            kind,
            target_id,
            due_at_us: micros(due_at),
        }
    }
}

fn timer_id(kind: TimerKind, target_id: &str) -> String {
    format!("{kind}:{target_id}")
}

impl Record for Timer {
    const TABLE: &'static str = "timers";
    const COLUMNS: &'static [&'static str] =
        &["timer_id", "task_id", "kind", "target_id", "due_at_us"];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.timer_id.as_str())
            .bind(self.task_id.as_str())
            .bind(self.kind.as_str())
            .bind(self.target_id.as_str())
            .bind(self.due_at_us)
    }
}

impl ViewRow for Timer {
    fn key(&self) -> &str {
        &self.timer_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        let kind: String = row.try_get(2)?;
        Ok(Timer {
            timer_id: row.try_get(0)?,
            task_id: row.try_get(1)?,
            kind: TimerKind::parse(&kind).ok_or_else(|| sqlx::Error::ColumnDecode {
                index: "kind".into(),
                source: format!("unknown timer kind {kind:?}").into(),
            })?,
            target_id: row.try_get(3)?,
            due_at_us: row.try_get(4)?,
        })
    }
}

/// Up to `limit` timers due at `now_us` or before, earliest first.
pub async fn due<'c, E>(executor: E, now_us: i64, limit: i64) -> Result<Vec<Timer>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = Any>,
{
    let sql = format!(
        "SELECT {} FROM timers WHERE due_at_us <= $1 ORDER BY due_at_us, timer_id LIMIT $2",
        Timer::COLUMNS.join(", ")
    );
    let rows = sqlx::query(&sql)
        .bind(now_us)
        .bind(limit)
        .fetch_all(executor)
        .await?;
    rows.iter().map(Timer::decode).collect()
}

impl Projection for Timers {
    fn name(&self) -> &'static str {
        "timers"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["timers"]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut timers = Rows::<Timer>::default();
        // A task's end deletes all its timers: load them first.
        let ending = events
            .iter()
            .filter(|projected| {
                matches!(
                    projected.event,
                    Event::Task(
                        TaskEvent::TaskCancelled { .. }
                            | TaskEvent::TaskExpired { .. }
                            | TaskEvent::TaskCompleted { .. }
                            | TaskEvent::SettlementOpened { .. }
                    )
                )
            })
            .map(|projected| stream_suffix(&projected.stream_id).to_owned());
        timers.prefetch_where(conn, "task_id", ending).await?;
        for projected in events {
            match &projected.event {
                Event::Task(event) => fold(&mut timers, stream_suffix(&projected.stream_id), event),
                Event::Contract(event) => {
                    fold_contract(&mut timers, stream_suffix(&projected.stream_id), event)
                }
                Event::Bid(event) => {
                    fold_bid(&mut timers, stream_suffix(&projected.stream_id), event)
                }
                _ => {}
            }
        }
        timers.flush(conn).await?;
        Ok(())
    }
}

fn fold(timers: &mut Rows<Timer>, task_id: &str, event: &TaskEvent) {
    match event {
        TaskEvent::TaskPosted {
            deadline: Some(deadline),
            ..
        } => timers.put(Timer::new(
            TimerKind::ExpireTask,
            task_id,
            task_id.to_owned(),
            *deadline,
        )),
        TaskEvent::TaskAssigned {
            assignment_id,
            expires_at: Some(expires_at),
            ..
        } => timers.put(Timer::new(
            TimerKind::AbandonAssignment,
            task_id,
            assignment_id.to_string(),
            *expires_at,
        )),
        TaskEvent::AssignmentAbandoned { assignment_id, .. } => timers.remove(&timer_id(
            TimerKind::AbandonAssignment,
            &assignment_id.to_string(),
        )),
        TaskEvent::WorkSubmitted {
            submission_id,
            assignment_id,
            review_due_at,
            ..
        } => {
            timers.remove(&timer_id(
                TimerKind::AbandonAssignment,
                &assignment_id.to_string(),
            ));
            if let Some(review_due_at) = review_due_at {
                timers.put(Timer::new(
                    TimerKind::AutoApprove,
                    task_id,
                    submission_id.to_string(),
                    *review_due_at,
                ));
            }
        }
        TaskEvent::SubmissionApproved { submission_id, .. }
        | TaskEvent::SubmissionRejected { submission_id, .. }
        | TaskEvent::SubmissionDisputed { submission_id, .. } => timers.remove(&timer_id(
            TimerKind::AutoApprove,
            &submission_id.to_string(),
        )),
        // Cancelling needs no submission pending, and completion needs none in
        // flight, so nothing of the task is left to wait for. A settling task
        // takes no work, cannot expire, and its submissions wait for the
        // poster's decision on the settlement, not for a review window.
        TaskEvent::TaskCancelled { .. }
        | TaskEvent::TaskCompleted { .. }
        | TaskEvent::SettlementOpened { .. } => {
            timers.remove_cached(|timer| timer.task_id == task_id)
        }
        // Expiry ends the work under way, but submissions already handed in
        // may still be approved (their escrow stays held): their review
        // windows keep running.
        TaskEvent::TaskExpired { .. } => timers.remove_cached(|timer| {
            timer.task_id == task_id && timer.kind != TimerKind::AutoApprove
        }),
        _ => {}
    }
}

/// A contract waits for its buyer's review while something is delivered;
/// acceptance, a dispute or the contract's end resolves the wait. The
/// timer's key is the contract's, so a milestone delivered after the last
/// one was accepted puts it back with its own deadline.
fn fold_contract(timers: &mut Rows<Timer>, contract_id: &str, event: &ContractEvent) {
    let key = timer_id(TimerKind::AutoAcceptContract, contract_id);
    match event {
        ContractEvent::DeliverySubmitted { review_due_at, .. }
        | ContractEvent::MilestoneDelivered { review_due_at, .. } => timers.put(Timer::new(
            TimerKind::AutoAcceptContract,
            contract_id,
            contract_id.to_owned(),
            *review_due_at,
        )),
        ContractEvent::ContractAccepted { .. }
        | ContractEvent::MilestoneAccepted { .. }
        | ContractEvent::ContractDisputed { .. }
        | ContractEvent::ContractCompleted { .. }
        | ContractEvent::DisputeSettled { .. } => timers.remove(&key),
        ContractEvent::ContractOpened { .. }
        | ContractEvent::SubcontractOpened { .. }
        | ContractEvent::ContractAssigned { .. } => {}
    }
}

/// An open bid waits for its expiry; a counter-offer pushes it back (to the
/// counter's end at the earliest), and the bid's closing resolves it.
fn fold_bid(timers: &mut Rows<Timer>, bid_id: &str, event: &BidEvent) {
    let due = |at: Timestamp| Timer::new(TimerKind::ExpireBid, bid_id, bid_id.to_owned(), at);
    match event {
        BidEvent::BidPlaced { expires_at, .. } => timers.put(due(*expires_at)),
        BidEvent::BidCountered { bid_expires_at, .. } => timers.put(due(*bid_expires_at)),
        BidEvent::BidAccepted { .. }
        | BidEvent::BidRejected { .. }
        | BidEvent::BidExpired { .. } => timers.remove(&timer_id(TimerKind::ExpireBid, bid_id)),
        BidEvent::CounterRejected { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use errand_aggregates::ids::{ActorId, AssignmentId, SubmissionId, TaskId};
    use errand_aggregates::task::{Proof, TaskCommand};

    async fn kinds(db: &mut TestDb, task: TaskId) -> Vec<&'static str> {
        let mut kinds: Vec<&'static str> = all_rows::<Timer>(&mut db.conn)
            .await
            .into_iter()
            .filter(|t| t.task_id == task.to_string())
            .map(|t| t.kind.as_str())
            .collect();
        kinds.sort();
        kinds
    }

    #[tokio::test]
    async fn settling_a_task_leaves_it_nothing_to_wait_for() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let (poster, ann, bob) = (ActorId(new_id()), ActorId(new_id()), ActorId(new_id()));
        journal.deposit(poster, 10_000);
        let task = TaskId(new_id());
        let mut new = new_task(task, 2, 1_000);
        new.deadline = Some(at(1_000));
        new.assignment_time_limit_s = Some(30);
        new.review_window_s = Some(60);
        journal.task(
            task,
            TaskCommand::Post {
                task: Box::new(new),
                by: caller(poster),
                at: at(1),
            },
        );
        for (worker, second) in [(ann, 2), (bob, 3)] {
            journal.task(
                task,
                TaskCommand::Accept {
                    assignment_id: AssignmentId(new_id()),
                    by: caller(worker),
                    at: at(second),
                },
            );
        }
        journal.task(
            task,
            TaskCommand::Submit {
                submission_id: SubmissionId(new_id()),
                proof: Proof::text("done"),
                by: caller(ann),
                at: at(4),
            },
        );
        db.apply(&Timers, &journal.take()).await;
        assert_eq!(
            kinds(&mut db, task).await,
            ["abandon_assignment", "auto_approve", "expire_task"]
        );
        journal.task(
            task,
            TaskCommand::Settle {
                by: caller(poster),
                at: at(5),
            },
        );
        db.apply(&Timers, &journal.take()).await;
        assert!(kinds(&mut db, task).await.is_empty());
    }

    #[tokio::test]
    async fn timers_appear_when_a_wait_starts_and_disappear_when_it_is_resolved() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let (poster, worker) = (ActorId(new_id()), ActorId(new_id()));
        journal.deposit(poster, 10_000);
        let task = TaskId(new_id());
        let mut new = new_task(task, 1, 1_000);
        new.deadline = Some(at(1_000));
        new.assignment_time_limit_s = Some(30);
        new.review_window_s = Some(60);
        journal.task(
            task,
            TaskCommand::Post {
                task: Box::new(new),
                by: caller(poster),
                at: at(1),
            },
        );
        db.apply(&Timers, &journal.take()).await;
        assert_eq!(kinds(&mut db, task).await, ["expire_task"]);

        let assignment = AssignmentId(new_id());
        journal.task(
            task,
            TaskCommand::Accept {
                assignment_id: assignment,
                by: caller(worker),
                at: at(10),
            },
        );
        db.apply(&Timers, &journal.take()).await;
        assert_eq!(
            kinds(&mut db, task).await,
            ["abandon_assignment", "expire_task"]
        );
        let abandon = Timer::find(&mut db.conn, &format!("abandon_assignment:{assignment}"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (abandon.target_id, abandon.due_at_us),
            (assignment.to_string(), micros(at(40)))
        );

        let submission = SubmissionId(new_id());
        journal.task(
            task,
            TaskCommand::Submit {
                submission_id: submission,
                proof: Proof::text("done"),
                by: caller(worker),
                at: at(20),
            },
        );
        db.apply(&Timers, &journal.take()).await;
        assert_eq!(kinds(&mut db, task).await, ["auto_approve", "expire_task"]);

        // Approval settles the only slot: the task completes and its deadline no longer matters.
        journal.task(
            task,
            TaskCommand::Approve {
                submission_id: submission,
                by: caller(poster),
                at: at(30),
            },
        );
        db.apply(&Timers, &journal.take()).await;
        assert_eq!(kinds(&mut db, task).await, Vec::<&str>::new());
    }

    #[tokio::test]
    async fn an_expired_task_keeps_only_the_review_windows_of_submitted_work() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let cast = rich_story(&mut journal);
        let events = journal.take();
        // Stop right after the expiry, before the auto-approval.
        let expiry = events
            .iter()
            .position(|e| e.event_type == "TaskExpired")
            .unwrap();
        db.apply(&Timers, &events[..=expiry]).await;
        assert_eq!(kinds(&mut db, cast.expired).await, ["auto_approve"]);
        assert_eq!(kinds(&mut db, cast.cancelled).await, Vec::<&str>::new());

        db.apply(&Timers, &events[expiry + 1..]).await;
        assert_eq!(all_rows::<Timer>(&mut db.conn).await, []);
    }

    #[tokio::test]
    async fn due_timers_are_listed_earliest_first_up_to_the_limit() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let poster = ActorId(new_id());
        journal.deposit(poster, 10_000);
        let tasks = [TaskId(new_id()), TaskId(new_id()), TaskId(new_id())];
        for (task, deadline) in tasks.iter().zip([300, 100, 200]) {
            let mut new = new_task(*task, 1, 100);
            new.deadline = Some(at(deadline));
            journal.task(
                *task,
                TaskCommand::Post {
                    task: Box::new(new),
                    by: caller(poster),
                    at: at(1),
                },
            );
        }
        db.apply(&Timers, &journal.take()).await;

        let due_ids =
            |timers: Vec<Timer>| timers.into_iter().map(|t| t.target_id).collect::<Vec<_>>();
        assert_eq!(
            due_ids(due(&mut db.conn, micros(at(99)), 10).await.unwrap()),
            Vec::<String>::new()
        );
        assert_eq!(
            due_ids(due(&mut db.conn, micros(at(250)), 10).await.unwrap()),
            [tasks[1].to_string(), tasks[2].to_string()]
        );
        assert_eq!(
            due_ids(due(&mut db.conn, micros(at(1_000)), 1).await.unwrap()),
            [tasks[1].to_string()]
        );
        let expire = due(&mut db.conn, micros(at(1_000)), 1)
            .await
            .unwrap()
            .remove(0);
        assert_eq!(expire.kind, TimerKind::ExpireTask);
    }

    #[tokio::test]
    async fn a_delivered_contract_waits_for_its_review_window_until_accepted_or_disputed() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let cast = crate::contracts::tests::humai_story(&mut journal);
        let events = journal.take();
        let contract_timers = |timers: Vec<Timer>| {
            timers
                .into_iter()
                .filter(|t| t.kind == TimerKind::AutoAcceptContract)
                .map(|t| (t.target_id, t.due_at_us))
                .collect::<Vec<_>>()
        };
        let mut seen = Vec::new();
        for event in &events {
            db.apply(&Timers, std::slice::from_ref(event)).await;
            if matches!(
                event.event_type.as_str(),
                "DeliverySubmitted" | "MilestoneDelivered"
            ) {
                seen.push(contract_timers(all_rows(&mut db.conn).await));
            }
        }
        let hours_48 = 48 * 3_600_000_000;
        assert_eq!(
            seen,
            [
                vec![(cast.whole.to_string(), micros(at(3)) + hours_48)],
                vec![(cast.staged.to_string(), micros(at(6)) + hours_48)],
                vec![(cast.staged.to_string(), micros(at(8)) + hours_48)],
            ]
        );
        // Accepted, accepted, disputed: nothing waits any more.
        assert_eq!(contract_timers(all_rows(&mut db.conn).await), []);
        assert_eq!(
            TimerKind::parse("auto_accept_contract"),
            Some(TimerKind::AutoAcceptContract)
        );
    }

    #[tokio::test]
    async fn an_open_bid_waits_for_its_expiry_and_its_closing_resolves_the_wait() {
        use crate::listings::tests::{create, details, place, when};
        use errand_aggregates::bid::BidAction;
        use errand_aggregates::ids::{BidId, ListingId};
        use errand_aggregates::listing::{Direction, SlaHours};
        use errand_aggregates::money::Money;

        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let (owner, seller, other) = (ActorId(new_id()), ActorId(new_id()), ActorId(new_id()));
        let listing = ListingId(new_id());
        create(
            &mut journal,
            listing,
            owner,
            Direction::Buy,
            details("Need a crawler", true),
        );
        let (countered, rejected) = (BidId(new_id()), BidId(new_id()));
        journal.bid(
            countered,
            listing,
            when(seller, 2),
            place(countered, 20_000),
        );
        journal.bid(rejected, listing, when(other, 3), place(rejected, 20_000));
        db.apply(&Timers, &journal.take()).await;
        let due = |bid: BidId| format!("expire_bid:{bid}");
        let week_us = 7 * 24 * 3_600_000_000;
        let timer = Timer::find(&mut db.conn, &due(countered))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (timer.kind, timer.due_at_us),
            (TimerKind::ExpireBid, micros(at(2)) + week_us)
        );

        // A counter on the bid's last day keeps it open until the counter's end.
        let late = 7 * 24 * 3_600 - 60;
        journal.bid(countered, listing, when(owner, late), |listing| {
            BidAction::Counter {
                listing,
                price: Money::usd(18_000),
                sla_hours: SlaHours::parse(24).unwrap(),
                note: None,
            }
        });
        journal.bid(rejected, listing, when(owner, late), |_| BidAction::Reject);
        db.apply(&Timers, &journal.take()).await;
        let timer = Timer::find(&mut db.conn, &due(countered))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(timer.due_at_us, micros(at(late)) + 48 * 3_600_000_000);
        assert!(Timer::find(&mut db.conn, &due(rejected))
            .await
            .unwrap()
            .is_none());

        let lapsed = late + 48 * 3_600;
        journal.bid(countered, listing, when(owner, lapsed), |_| {
            BidAction::Expire
        });
        db.apply(&Timers, &journal.take()).await;
        assert!(Timer::find(&mut db.conn, &due(countered))
            .await
            .unwrap()
            .is_none());
        assert_eq!(TimerKind::parse("expire_bid"), Some(TimerKind::ExpireBid));
    }
}
