//! # Errand's read models
//!
//! Each projection turns the journal's events, in position order, into rows
//! that list, search and authentication queries read. None of them is a source
//! of truth: every table here can be dropped and rebuilt by replaying the
//! journal (DESIGN.md §5).
//!
//! - [`actors`]: `actors_view`, who is registered and in what standing.
//! - [`api_keys`]: `api_keys_view`, keys by the hash of their secret.
//! - [`tasks`]: `tasks_view` with its slot counters and escrow, and the
//!   assignments and submissions workers list as their own work.
//! - [`accounts`]: `accounts_view`, balances and lifetime totals.
//! - [`applications`]: `task_applications_view`, who applied to which apply-select task.
//! - [`postings`]: the double-entry ledger, one row per posting.
//! - [`reputation`]: `reputation_view`, each human's trust score, level and earnings.
//! - [`timers`]: deadlines and review windows that the runtime fires as commands.
//! - [`outbox`]: webhook endpoints and the deliveries the runtime sends.
//! - [`payouts`]: `payouts_view`, every payout with its status.
//! - [`messages`]: `messages_view`, every task's conversation.
//! - [`notifications`]: `notifications_view`, what concerns each actor, read or not.
//! - [`referrals`]: `referrals_view`, who referred whom and the bonus credited.
//! - [`projects`]: InstaHuman's projects, their testers and which project each job is in.
//! - [`deposits`]: `deposits_view`, every deposit, how it is paid and how it ended.
//! - [`humai_actors`]: Humai's actors (kind, tier, founding) and their capability tags.
//! - [`listings`], [`bids`]: Humai's listings (with their tags and, by the
//!   migrations, full-text search) and the bids on them.
//! - [`contracts`]: Humai's transactions and their milestones.
//! - [`disputes`]: Humai's disputes, their evidence and settlements.
//! - [`admin_actions`]: `admin_actions_view`, the audit trail of admin actions.
//! - [`credit_history`]: Humai's credit history, each lot with what is left of it and each debit.
//! - [`autobids`]: Humai's auto-bidding rules and the attempts they make on new listings.
//!
//! How a projection writes: a batch of events is folded in memory over the
//! rows it touches (loaded once, by key), and each touched row is written
//! once. That keeps a projection's rules plain Rust over structs and makes a
//! replay cost a few statements per batch instead of several per event.
//!
//! **Invariants.** A projection only reads events and writes its own tables;
//! it never issues commands (the runtime fires timers). It commits nothing:
//! the caller's transaction carries the rows and the checkpoint together, so
//! each event affects a read model exactly once. SQL uses `$n` placeholders
//! and only TEXT and BIGINT/INTEGER columns, so one statement runs on SQLite
//! and PostgreSQL through sqlx's `Any` driver. Times are BIGINT microseconds
//! since the Unix epoch; JSON is TEXT.

pub mod accounts;
pub mod actors;
pub mod admin_actions;
pub mod api_keys;
pub mod applications;
pub mod autobids;
pub mod bids;
pub mod contracts;
pub mod credit_history;
pub mod deposits;
pub mod disputes;
pub mod humai_actors;
pub mod listings;
pub mod messages;
pub mod notifications;
pub mod outbox;
pub mod payouts;
pub mod postings;
pub mod projects;
pub mod referrals;
pub mod reputation;
pub mod reviews;
mod rows;
pub mod tasks;
pub mod timers;

#[cfg(test)]
mod testing;

use std::future::Future;

use chrono::{DateTime, Utc};
use errand_aggregates::event::DecodeError;
use errand_aggregates::Event;
use sqlx::AnyConnection;

pub use accounts::Accounts;
pub use actors::Actors;
pub use admin_actions::AdminActions;
pub use api_keys::ApiKeys;
pub use applications::Applications;
pub use autobids::AutoBids;
pub use bids::Bids;
pub use contracts::Contracts;
pub use credit_history::CreditHistory;
pub use deposits::Deposits;
pub use disputes::Disputes;
pub use humai_actors::HumaiActors;
pub use listings::Listings;
pub use messages::Messages;
pub use notifications::Notifications;
pub use outbox::Outbox;
pub use payouts::Payouts;
pub use postings::Postings;
pub use projects::Projects;
pub use referrals::Referrals;
pub use reputation::Reputation;
pub use reviews::Reviews;
pub use rows::{AnyQuery, Record, ViewRow};
pub use tasks::Tasks;
pub use timers::{Timer, TimerKind, Timers};

/// The table every projection's progress is kept in: `(name, position)`.
pub const CHECKPOINTS_TABLE: &str = "projection_checkpoints";

/// One journal event, decoded, as projections see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectedEvent {
    /// The journal's global position: gap-free, in commit order.
    pub position: i64,
    pub stream_id: String,
    pub event_type: String,
    pub event: Event,
    /// When the journal recorded it (not the domain's `at`).
    pub recorded_at: DateTime<Utc>,
}

impl ProjectedEvent {
    /// Decodes a stored payload; an event that does not decode is an error for
    /// the caller to stop on, never one to skip.
    pub fn decode(
        position: i64,
        stream_id: &str,
        event_type: &str,
        payload: &str,
        recorded_at: DateTime<Utc>,
    ) -> Result<ProjectedEvent, DecodeError> {
        Ok(ProjectedEvent {
            position,
            stream_id: stream_id.to_owned(),
            event_type: event_type.to_owned(),
            event: Event::decode(stream_id, payload)?,
            recorded_at,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// The events contradict the rows, e.g. an update for a row never
    /// created. The journal is the truth, so this is a bug or a damaged read
    /// model: stop and rebuild rather than guess.
    #[error("event at position {position} ({event_type}) cannot be applied: {reason}")]
    Inconsistent {
        position: i64,
        event_type: String,
        reason: String,
    },
}

impl ProjectionError {
    pub(crate) fn inconsistent(event: &ProjectedEvent, reason: impl Into<String>) -> Self {
        ProjectionError::Inconsistent {
            position: event.position,
            event_type: event.event_type.clone(),
            reason: reason.into(),
        }
    }
}

/// A read model: the events it handles and the rows it writes.
pub trait Projection: Send + Sync {
    /// Stable name, the key of its checkpoint.
    fn name(&self) -> &'static str;

    /// The tables it owns, emptied by a rebuild.
    fn tables(&self) -> &'static [&'static str];

    /// Applies `events` (ascending positions, none applied before) inside the
    /// caller's transaction. Events the projection does not handle are ignored.
    fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> impl Future<Output = Result<(), ProjectionError>> + Send;

    /// Applies one event: a batch of one.
    fn apply(
        &self,
        conn: &mut AnyConnection,
        event: &ProjectedEvent,
    ) -> impl Future<Output = Result<(), ProjectionError>> + Send {
        self.apply_batch(conn, std::slice::from_ref(event))
    }
}

/// Every projection Errand runs, as one type, so the runner can hold a list of
/// them without boxing futures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadModel {
    Actors(Actors),
    ApiKeys(ApiKeys),
    Tasks(Tasks),
    Accounts(Accounts),
    Postings(Postings),
    Timers(Timers),
    Outbox(Outbox),
    Reputation(Reputation),
    Payouts(Payouts),
    Applications(Applications),
    Messages(Messages),
    Notifications(Notifications),
    Referrals(Referrals),
    Projects(Projects),
    Deposits(Deposits),
    HumaiActors(HumaiActors),
    Listings(Listings),
    Bids(Bids),
    Contracts(Contracts),
    Disputes(Disputes),
    AdminActions(AdminActions),
    Reviews(Reviews),
    CreditHistory(CreditHistory),
    AutoBids(AutoBids),
}

impl ReadModel {
    /// All read models, in the order the runner applies them.
    pub fn all() -> Vec<ReadModel> {
        vec![
            ReadModel::Actors(Actors),
            ReadModel::ApiKeys(ApiKeys),
            ReadModel::Tasks(Tasks),
            ReadModel::Accounts(Accounts),
            ReadModel::Postings(Postings),
            ReadModel::Timers(Timers),
            ReadModel::Outbox(Outbox),
            ReadModel::Reputation(Reputation),
            ReadModel::Payouts(Payouts),
            ReadModel::Applications(Applications),
            ReadModel::Messages(Messages),
            ReadModel::Notifications(Notifications),
            ReadModel::Referrals(Referrals),
            ReadModel::Projects(Projects),
            ReadModel::Deposits(Deposits),
            ReadModel::HumaiActors(HumaiActors),
            ReadModel::Listings(Listings),
            ReadModel::Bids(Bids),
            ReadModel::Contracts(Contracts),
            ReadModel::Disputes(Disputes),
            ReadModel::AdminActions(AdminActions),
            ReadModel::Reviews(Reviews),
            ReadModel::CreditHistory(CreditHistory),
            ReadModel::AutoBids(AutoBids),
        ]
    }
}

impl Projection for ReadModel {
    fn name(&self) -> &'static str {
        match self {
            ReadModel::Actors(p) => p.name(),
            ReadModel::ApiKeys(p) => p.name(),
            ReadModel::Tasks(p) => p.name(),
            ReadModel::Accounts(p) => p.name(),
            ReadModel::Postings(p) => p.name(),
            ReadModel::Timers(p) => p.name(),
            ReadModel::Outbox(p) => p.name(),
            ReadModel::Reputation(p) => p.name(),
            ReadModel::Payouts(p) => p.name(),
            ReadModel::Applications(p) => p.name(),
            ReadModel::Messages(p) => p.name(),
            ReadModel::Notifications(p) => p.name(),
            ReadModel::Referrals(p) => p.name(),
            ReadModel::Projects(p) => p.name(),
            ReadModel::Deposits(p) => p.name(),
            ReadModel::HumaiActors(p) => p.name(),
            ReadModel::Listings(p) => p.name(),
            ReadModel::Bids(p) => p.name(),
            ReadModel::Contracts(p) => p.name(),
            ReadModel::Disputes(p) => p.name(),
            ReadModel::AdminActions(p) => p.name(),
            ReadModel::Reviews(p) => p.name(),
            ReadModel::CreditHistory(p) => p.name(),
            ReadModel::AutoBids(p) => p.name(),
        }
    }

    fn tables(&self) -> &'static [&'static str] {
        match self {
            ReadModel::Actors(p) => p.tables(),
            ReadModel::ApiKeys(p) => p.tables(),
            ReadModel::Tasks(p) => p.tables(),
            ReadModel::Accounts(p) => p.tables(),
            ReadModel::Postings(p) => p.tables(),
            ReadModel::Timers(p) => p.tables(),
            ReadModel::Outbox(p) => p.tables(),
            ReadModel::Reputation(p) => p.tables(),
            ReadModel::Payouts(p) => p.tables(),
            ReadModel::Applications(p) => p.tables(),
            ReadModel::Messages(p) => p.tables(),
            ReadModel::Notifications(p) => p.tables(),
            ReadModel::Referrals(p) => p.tables(),
            ReadModel::Projects(p) => p.tables(),
            ReadModel::Deposits(p) => p.tables(),
            ReadModel::HumaiActors(p) => p.tables(),
            ReadModel::Listings(p) => p.tables(),
            ReadModel::Bids(p) => p.tables(),
            ReadModel::Contracts(p) => p.tables(),
            ReadModel::Disputes(p) => p.tables(),
            ReadModel::AdminActions(p) => p.tables(),
            ReadModel::Reviews(p) => p.tables(),
            ReadModel::CreditHistory(p) => p.tables(),
            ReadModel::AutoBids(p) => p.tables(),
        }
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        match self {
            ReadModel::Actors(p) => p.apply_batch(conn, events).await,
            ReadModel::ApiKeys(p) => p.apply_batch(conn, events).await,
            ReadModel::Tasks(p) => p.apply_batch(conn, events).await,
            ReadModel::Accounts(p) => p.apply_batch(conn, events).await,
            ReadModel::Postings(p) => p.apply_batch(conn, events).await,
            ReadModel::Timers(p) => p.apply_batch(conn, events).await,
            ReadModel::Outbox(p) => p.apply_batch(conn, events).await,
            ReadModel::Reputation(p) => p.apply_batch(conn, events).await,
            ReadModel::Payouts(p) => p.apply_batch(conn, events).await,
            ReadModel::Applications(p) => p.apply_batch(conn, events).await,
            ReadModel::Messages(p) => p.apply_batch(conn, events).await,
            ReadModel::Notifications(p) => p.apply_batch(conn, events).await,
            ReadModel::Referrals(p) => p.apply_batch(conn, events).await,
            ReadModel::Projects(p) => p.apply_batch(conn, events).await,
            ReadModel::Deposits(p) => p.apply_batch(conn, events).await,
            ReadModel::HumaiActors(p) => p.apply_batch(conn, events).await,
            ReadModel::Listings(p) => p.apply_batch(conn, events).await,
            ReadModel::Bids(p) => p.apply_batch(conn, events).await,
            ReadModel::Contracts(p) => p.apply_batch(conn, events).await,
            ReadModel::Disputes(p) => p.apply_batch(conn, events).await,
            ReadModel::AdminActions(p) => p.apply_batch(conn, events).await,
            ReadModel::Reviews(p) => p.apply_batch(conn, events).await,
            ReadModel::CreditHistory(p) => p.apply_batch(conn, events).await,
            ReadModel::AutoBids(p) => p.apply_batch(conn, events).await,
        }
    }
}

/// Microseconds since the Unix epoch: how every time is stored.
pub fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

/// The id after a stream's prefix: `task-<id>` → `<id>`.
pub(crate) fn stream_suffix(stream_id: &str) -> &str {
    stream_id.split_once('-').map_or("", |(_, id)| id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::AccountView;
    use crate::actors::ActorView;
    use crate::api_keys::ApiKeyView;
    use crate::tasks::{AssignmentView, SubmissionView, TaskView};
    use crate::testing::*;

    /// Every table, as comparable values.
    struct Snapshot {
        actors: Vec<ActorView>,
        keys: Vec<ApiKeyView>,
        tasks: Vec<TaskView>,
        assignments: Vec<AssignmentView>,
        submissions: Vec<SubmissionView>,
        accounts: Vec<AccountView>,
        timers: Vec<Timer>,
        postings: Vec<(i64, i64, String, i64)>,
        reputation: Vec<crate::reputation::ReputationView>,
        notifications: Vec<crate::notifications::NotificationRow>,
    }

    async fn snapshot(conn: &mut AnyConnection) -> Snapshot {
        Snapshot {
            actors: all_rows(conn).await,
            keys: all_rows(conn).await,
            tasks: all_rows(conn).await,
            assignments: all_rows(conn).await,
            submissions: all_rows(conn).await,
            accounts: all_rows(conn).await,
            timers: all_rows(conn).await,
            postings: sqlx::query_as(
                "SELECT position, seq, ledger_account, amount_cents FROM postings ORDER BY position, seq",
            )
            .fetch_all(&mut *conn)
            .await
            .unwrap(),
            reputation: all_rows(conn).await,
            notifications: all_rows(conn).await,
        }
    }

    #[tokio::test]
    async fn the_read_models_do_not_depend_on_where_batches_begin_and_end() {
        let mut journal = TestJournal::default();
        rich_story(&mut journal);
        let events = journal.take();
        let mut snapshots = Vec::new();
        for batch_size in [1, 2, 7, events.len()] {
            let mut db = TestDb::new().await;
            for batch in events.chunks(batch_size) {
                for projection in ReadModel::all() {
                    db.apply(&projection, batch).await;
                }
            }
            snapshots.push(snapshot(&mut db.conn).await);
        }
        let first = &snapshots[0];
        assert!(!first.tasks.is_empty() && !first.postings.is_empty());
        assert!(!first.notifications.is_empty());
        for other in &snapshots[1..] {
            assert_eq!(first.actors, other.actors);
            assert_eq!(first.keys, other.keys);
            assert_eq!(first.tasks, other.tasks);
            assert_eq!(first.assignments, other.assignments);
            assert_eq!(first.submissions, other.submissions);
            assert_eq!(first.accounts, other.accounts);
            assert_eq!(first.timers, other.timers);
            assert_eq!(first.postings, other.postings);
            assert_eq!(first.reputation, other.reputation);
            assert_eq!(first.notifications, other.notifications);
        }
    }

    #[tokio::test]
    async fn projections_have_distinct_names_and_own_distinct_tables() {
        let all = ReadModel::all();
        let mut names: Vec<_> = all.iter().map(|p| p.name()).collect();
        let mut tables: Vec<_> = all
            .iter()
            .flat_map(|p| p.tables().iter().copied())
            .collect();
        let (name_count, table_count) = (names.len(), tables.len());
        names.sort();
        names.dedup();
        tables.sort();
        tables.dedup();
        assert_eq!((names.len(), tables.len()), (name_count, table_count));
        // Every table a projection owns exists.
        let mut db = TestDb::new().await;
        for table in tables {
            db.count(&format!("SELECT COUNT(*) FROM {table}")).await;
        }
    }
}
