//! The runtime's tests. Each runs as `sqlite::<name>` on a temporary file and as
//! `postgres::<name>` on a fresh database of the server named by
//! `ERRAND_TEST_DATABASE_URL` (and passes without running when that is unset).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use errand_aggregates::account::{Account, AccountCommand, AccountId, Funding};
use errand_aggregates::actor::{Actor, ActorCommand, Caller, Role, Standing};
use errand_aggregates::fee::FeePolicy;
use errand_aggregates::ids::*;
use errand_aggregates::mode::Mode;
use errand_aggregates::money::Money;
use errand_aggregates::task::{AssignmentMode, NewTask, Proof, Task, TaskCommand};
use errand_aggregates::{Aggregate, DomainEvent};
use errand_projections::accounts::AccountView;
use errand_projections::tasks::{AssignmentView, SubmissionView, TaskView};
use errand_projections::{Projection, ReadModel, Timer, TimerKind, ViewRow};
use sqlx::AnyConnection;
use uuid::Uuid;

use super::*;
use crate::journal::testing::{
    create_postgres_database, drop_postgres_database, postgres_admin_url,
};
use crate::journal::{AppendBatch, Appended, Journal, JournalOptions, NewEvent, StreamAppend};

/// Declares each listed `async fn(Journal)` as a test on each backend.
macro_rules! on_both_backends {
    ($($test:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let database = super::TestDatabase::sqlite();
                    super::$test(database.open().await).await;
                    database.destroy().await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let Some(database) = super::TestDatabase::postgres().await else {
                        eprintln!("ERRAND_TEST_DATABASE_URL is unset: PostgreSQL test not run");
                        return;
                    };
                    super::$test(database.open().await).await;
                    database.destroy().await;
                }
            )+
        }
    };
}

on_both_backends!(
    the_read_models_catch_up_with_the_journal_and_match_the_aggregates,
    waiting_for_a_position_returns_once_it_is_projected_and_lags_past_the_head,
    a_restarted_projector_applies_each_event_exactly_once,
    an_undecodable_event_stops_the_projector_and_earlier_events_stay_projected,
    a_rebuild_replays_the_journal_into_the_same_read_models,
    a_projection_added_later_catches_up_from_the_start,
    a_due_timer_fires_then_waits_and_leaves_once_its_event_is_projected,
    a_refused_timer_backs_off_instead_of_firing_every_tick,
);

/// Long enough for any projection step here, short enough that a hang fails fast.
const WAIT: Duration = Duration::from_secs(10);

struct TestDatabase {
    url: String,
    /// PostgreSQL's admin URL, or the SQLite file's directory (removed on drop).
    admin_url: Option<String>,
    _directory: Option<tempfile::TempDir>,
}

impl TestDatabase {
    fn sqlite() -> TestDatabase {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let path = directory.path().join("errand.sqlite");
        TestDatabase {
            url: format!("sqlite://{}?mode=rwc", path.display()),
            admin_url: None,
            _directory: Some(directory),
        }
    }

    async fn postgres() -> Option<TestDatabase> {
        let admin_url = postgres_admin_url()?;
        let url = create_postgres_database(&admin_url).await.unwrap();
        Some(TestDatabase {
            url,
            admin_url: Some(admin_url),
            _directory: None,
        })
    }

    async fn open(&self) -> Journal {
        let options = JournalOptions {
            sqlite_synchronous_full: false,
            ..JournalOptions::default()
        };
        Journal::open(&self.url, options).await.unwrap()
    }

    async fn destroy(self) {
        if let Some(admin_url) = &self.admin_url {
            drop_postgres_database(admin_url, &self.url).await.unwrap();
        }
    }
}

fn options() -> ProjectorOptions {
    ProjectorOptions {
        poll_interval: Duration::from_millis(20),
        ..ProjectorOptions::default()
    }
}

pub(super) fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::seconds(seconds)
}

fn caller(actor: ActorId) -> Caller {
    Caller {
        actor,
        role: Role::Human,
        standing: Standing::Active,
    }
}

fn new_event<E: DomainEvent>(event: &E) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: event.event_type().to_owned(),
        event_version: event.event_version(),
        payload: serde_json::to_string(event).unwrap(),
        metadata: "{}".to_owned(),
    }
}

/// A poster and workers whose aggregates live here, appending through the
/// journal as the bus does: a task's events and its accounts' in one append.
pub(super) struct Lane {
    journal: Journal,
    versions: HashMap<String, i64>,
    pub(super) tasks: HashMap<TaskId, Task>,
    pub(super) accounts: HashMap<AccountId, Account>,
    pub(super) poster: ActorId,
    pub(super) workers: Vec<ActorId>,
}

impl Lane {
    /// Registers a poster with `deposit_cents` and `workers` workers.
    pub(super) async fn new(journal: Journal, workers: usize, deposit_cents: i64) -> Lane {
        let mut lane = Lane {
            journal,
            versions: HashMap::new(),
            tasks: HashMap::new(),
            accounts: HashMap::new(),
            poster: ActorId(Uuid::now_v7()),
            workers: (0..workers).map(|_| ActorId(Uuid::now_v7())).collect(),
        };
        for (actor, role) in std::iter::once((lane.poster, Role::Agent))
            .chain(lane.workers.clone().into_iter().map(|w| (w, Role::Human)))
        {
            let command = ActorCommand::Register {
                actor_id: actor,
                role,
                name: "Someone".into(),
                email: None,
                at: at(0),
            };
            let events = Actor::default().decide(&command).unwrap();
            lane.append(vec![(
                format!("actor-{actor}"),
                events.iter().map(new_event).collect(),
            )])
            .await;
        }
        let account = AccountId::usd(lane.poster, Mode::Live);
        let fund = AccountCommand::Fund {
            account,
            funding_id: FundingId(Uuid::now_v7()),
            amount: Money::usd(deposit_cents),
            funding: Funding::Deposit {
                provider: "sandbox".into(),
            },
            at: at(0),
        };
        let mut state = Account::default();
        let events = state.decide(&fund).unwrap();
        events.iter().for_each(|e| state.apply(e));
        lane.append(vec![(
            account.stream_id(),
            events.iter().map(new_event).collect(),
        )])
        .await;
        lane.accounts.insert(account, state);
        lane
    }

    pub(super) async fn append(&mut self, streams: Vec<(String, Vec<NewEvent>)>) -> Appended {
        let batch = AppendBatch {
            streams: streams
                .iter()
                .map(|(stream_id, events)| StreamAppend {
                    stream_id: stream_id.clone(),
                    expected_version: self.versions.get(stream_id).copied().unwrap_or(0),
                    events: events.clone(),
                })
                .collect(),
            idempotency: None,
        };
        let appended = self.journal.append(batch).await.unwrap();
        for (stream_id, events) in streams {
            *self.versions.entry(stream_id).or_default() += events.len() as i64;
        }
        appended
    }

    /// Decides a task command and what it implies for the accounts, and
    /// appends it all at once.
    pub(super) async fn task(&mut self, task_id: TaskId, command: TaskCommand) -> Appended {
        let before = self.tasks.get(&task_id).cloned().unwrap_or_default();
        let events = before
            .decide(&command)
            .unwrap_or_else(|error| panic!("{command:?} was refused: {error}"));
        let mut after = before.clone();
        events.iter().for_each(|e| after.apply(e));
        let mut streams: Vec<(String, Vec<NewEvent>)> = vec![(
            format!("task-{task_id}"),
            events.iter().map(new_event).collect(),
        )];
        let mut accounts: HashMap<AccountId, Account> = HashMap::new();
        for (account, command) in errand_aggregates::task::account_commands(&before, &events) {
            let state = accounts
                .entry(account)
                .or_insert_with(|| self.accounts.get(&account).cloned().unwrap_or_default());
            let decided = state.decide(&command).unwrap();
            decided.iter().for_each(|e| state.apply(e));
            let stream_id = account.stream_id();
            let new = decided.iter().map(new_event);
            match streams.iter_mut().find(|(id, _)| *id == stream_id) {
                Some((_, events)) => events.extend(new),
                None => streams.push((stream_id, new.collect())),
            }
        }
        let appended = self.append(streams).await;
        self.tasks.insert(task_id, after);
        self.accounts.extend(accounts);
        appended
    }

    fn new_task(&self, task_id: TaskId, deadline: Option<DateTime<Utc>>) -> NewTask {
        NewTask {
            task_id,
            hold_id: HoldId(Uuid::now_v7()),
            mode: Mode::Live,
            title: "Count the pigeons".into(),
            description: "On the square, at noon.".into(),
            kind: "counting".into(),
            details: serde_json::json!({ "urgency": "low" }),
            reward: Money::usd(250),
            slots: self.workers.len() as u32,
            assignment: AssignmentMode::FirstAccept,
            fee: FeePolicy::percent("18").unwrap(),
            deadline,
            assignment_time_limit_s: Some(3_600),
            review_window_s: Some(3_600),
        }
    }

    /// Posts a task at time 0 that every worker accepts and nobody finishes.
    pub(super) async fn post_and_accept(&mut self, deadline: Option<DateTime<Utc>>) -> TaskId {
        let task_id = TaskId(Uuid::now_v7());
        let new = self.new_task(task_id, deadline);
        let poster = caller(self.poster);
        self.task(
            task_id,
            TaskCommand::Post {
                task: Box::new(new),
                by: poster,
                at: at(0),
            },
        )
        .await;
        for worker in self.workers.clone() {
            let assignment_id = AssignmentId(Uuid::now_v7());
            self.task(
                task_id,
                TaskCommand::Accept {
                    assignment_id,
                    by: caller(worker),
                    at: at(0),
                },
            )
            .await;
        }
        task_id
    }

    /// Posts a task of one slot per worker; every worker accepts, submits and
    /// is approved, which completes it. Thirteen events for two workers.
    pub(super) async fn complete_a_task(
        &mut self,
        at_s: i64,
        deadline: Option<DateTime<Utc>>,
    ) -> TaskId {
        let task_id = TaskId(Uuid::now_v7());
        let new = self.new_task(task_id, deadline);
        let poster = caller(self.poster);
        self.task(
            task_id,
            TaskCommand::Post {
                task: Box::new(new),
                by: poster,
                at: at(at_s),
            },
        )
        .await;
        for worker in self.workers.clone() {
            let assignment_id = AssignmentId(Uuid::now_v7());
            self.task(
                task_id,
                TaskCommand::Accept {
                    assignment_id,
                    by: caller(worker),
                    at: at(at_s),
                },
            )
            .await;
            let submission_id = SubmissionId(Uuid::now_v7());
            let proof = Proof::text("41 pigeons");
            self.task(
                task_id,
                TaskCommand::Submit {
                    submission_id,
                    proof,
                    by: caller(worker),
                    at: at(at_s),
                },
            )
            .await;
            self.task(
                task_id,
                TaskCommand::Approve {
                    submission_id,
                    by: poster,
                    at: at(at_s),
                },
            )
            .await;
        }
        task_id
    }
}

async fn all_rows<R: ViewRow>(conn: &mut AnyConnection) -> Vec<R> {
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {}",
        R::COLUMNS.join(", "),
        R::TABLE,
        R::COLUMNS[0]
    );
    sqlx::query(&sql)
        .fetch_all(conn)
        .await
        .unwrap()
        .iter()
        .map(|row| R::decode(row).unwrap())
        .collect()
}

/// The read models' rows, for comparing a database with itself over time.
#[derive(Debug, PartialEq)]
struct Snapshot {
    tasks: Vec<TaskView>,
    assignments: Vec<AssignmentView>,
    submissions: Vec<SubmissionView>,
    accounts: Vec<AccountView>,
    timers: Vec<Timer>,
    postings: Vec<(i64, i64, String, i64)>,
}

async fn snapshot(journal: &Journal) -> Snapshot {
    let mut conn = journal.pool().acquire().await.unwrap();
    Snapshot {
        tasks: all_rows(&mut conn).await,
        assignments: all_rows(&mut conn).await,
        submissions: all_rows(&mut conn).await,
        accounts: all_rows(&mut conn).await,
        timers: all_rows(&mut conn).await,
        postings: sqlx::query_as(
            "SELECT position, seq, ledger_account, amount_cents FROM postings ORDER BY position, seq",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap(),
    }
}

async fn scalar(journal: &Journal, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(journal.pool())
        .await
        .unwrap()
}

async fn the_read_models_catch_up_with_the_journal_and_match_the_aggregates(journal: Journal) {
    let mut lane = Lane::new(journal.clone(), 2, 100_000).await;
    let first = lane.complete_a_task(1, None).await;
    let projector = ProjectionRunner::start_with(journal.clone(), ReadModel::all(), options());
    let second = lane.complete_a_task(2, None).await;
    projector.wait_for_head(WAIT).await.unwrap();
    assert_eq!(
        projector.projected_position(),
        journal.head().await.unwrap()
    );

    let mut conn = journal.pool().acquire().await.unwrap();
    for task_id in [first, second] {
        let row = TaskView::find(&mut conn, &task_id.to_string())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (row.status.as_str(), row.approved, row.paid_cents),
            ("completed", 2, 500)
        );
    }
    for (account, state) in &lane.accounts {
        let row = AccountView::find(&mut conn, &account.stream_id())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (row.available_cents, row.held_cents, row.earned_cents),
            (state.available_cents, state.held_cents, state.earned_cents)
        );
    }
    drop(conn);
    let sum = "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM postings";
    assert_eq!(scalar(&journal, sum).await, 0);
    let checkpoints = "SELECT COUNT(*) FROM projection_checkpoints WHERE position = ";
    let head = journal.head().await.unwrap();
    let every = ReadModel::all().len() as i64;
    assert_eq!(
        scalar(&journal, &format!("{checkpoints}{head}")).await,
        every
    );
    projector.stop().await;
}

async fn waiting_for_a_position_returns_once_it_is_projected_and_lags_past_the_head(
    journal: Journal,
) {
    let projector = ProjectionRunner::start_with(journal.clone(), ReadModel::all(), options());
    let mut lane = Lane::new(journal.clone(), 1, 10_000).await;
    lane.complete_a_task(1, None).await;
    let head = journal.head().await.unwrap();
    projector.wait_for(head, WAIT).await.unwrap();

    let lagging = projector
        .wait_for(head + 1, Duration::from_millis(50))
        .await
        .unwrap_err();
    assert_eq!(
        lagging,
        Lagging {
            wanted: head + 1,
            projected: head,
            stopped: false
        }
    );
    projector.stop().await;
    let stopped = projector.wait_for(head + 1, WAIT).await.unwrap_err();
    assert!(stopped.stopped, "a stopped projector is reported at once");
}

async fn a_restarted_projector_applies_each_event_exactly_once(journal: Journal) {
    let mut lane = Lane::new(journal.clone(), 2, 100_000).await;
    lane.complete_a_task(1, None).await;
    let projector = ProjectionRunner::start_with(journal.clone(), ReadModel::all(), options());
    projector.wait_for_head(WAIT).await.unwrap();
    projector.stop().await;

    lane.complete_a_task(2, None).await;
    let small_batches = ProjectorOptions {
        batch_events: 3,
        ..options()
    };
    let projector = ProjectionRunner::start_with(journal.clone(), ReadModel::all(), small_batches);
    projector.wait_for_head(WAIT).await.unwrap();
    projector.stop().await;

    // Each approval posts 5 rows (capture 3, payment 2); one deposit (2) and
    // two holds (2 each) besides.
    assert_eq!(
        scalar(&journal, "SELECT COUNT(*) FROM postings").await,
        4 * 5 + 2 + 2 * 2
    );
    let poster = AccountId::usd(lane.poster, Mode::Live);
    let mut conn = journal.pool().acquire().await.unwrap();
    let row = AccountView::find(&mut conn, &poster.stream_id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.available_cents, lane.accounts[&poster].available_cents);
    assert_eq!(row.available_cents, 100_000 - 4 * 250);
}

async fn an_undecodable_event_stops_the_projector_and_earlier_events_stay_projected(
    journal: Journal,
) {
    let mut lane = Lane::new(journal.clone(), 1, 10_000).await;
    let task_id = lane.complete_a_task(1, None).await;
    let good_head = journal.head().await.unwrap();
    let garbage = NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "TaskExploded".into(),
        event_version: 1,
        payload: r#"{"type":"TaskExploded"}"#.into(),
        metadata: "{}".into(),
    };
    lane.append(vec![(format!("task-{task_id}"), vec![garbage])])
        .await;

    let projector = ProjectionRunner::start_with(journal.clone(), ReadModel::all(), options());
    let lagging = projector.wait_for(good_head + 1, WAIT).await.unwrap_err();
    assert!(lagging.stopped);
    // The batch with the bad event was never applied: everything is at the
    // position the last good batch committed.
    assert!(lagging.projected < good_head + 1);
    let checkpoints = "SELECT CAST(MAX(position) AS BIGINT) FROM projection_checkpoints";
    assert!(scalar(&journal, checkpoints).await <= good_head);
}

async fn a_rebuild_replays_the_journal_into_the_same_read_models(journal: Journal) {
    let mut lane = Lane::new(journal.clone(), 2, 100_000).await;
    for i in 0..3 {
        lane.complete_a_task(i, Some(at(86_400))).await;
    }
    let projector = ProjectionRunner::start_with(journal.clone(), ReadModel::all(), options());
    projector.wait_for_head(WAIT).await.unwrap();
    let before = snapshot(&journal).await;

    let mut calls = Vec::new();
    let report = projector
        .rebuild(|done, head| calls.push((done, head)))
        .await
        .unwrap();
    let head = journal.head().await.unwrap();
    assert_eq!(report.events, head);
    assert_eq!(calls.first(), Some(&(0, head)));
    assert_eq!(calls.last(), Some(&(head, head)));
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0));
    assert_eq!(snapshot(&journal).await, before);

    // The live projector goes on after the rebuild.
    lane.complete_a_task(9, None).await;
    projector.wait_for_head(WAIT).await.unwrap();
    assert_eq!(snapshot(&journal).await.tasks.len(), 4);
    projector.stop().await;

    // And without a running projector, as `errand replay` does it.
    let report = ProjectionRunner::rebuild(&journal, &ReadModel::all(), 7, |_, _| {})
        .await
        .unwrap();
    assert_eq!(report.events, journal.head().await.unwrap());
    assert_eq!(snapshot(&journal).await.tasks.len(), 4);
}

async fn a_projection_added_later_catches_up_from_the_start(journal: Journal) {
    let mut lane = Lane::new(journal.clone(), 1, 10_000).await;
    lane.complete_a_task(1, None).await;
    let tasks_only = vec![ReadModel::Tasks(errand_projections::Tasks)];
    let projector = ProjectionRunner::start_with(journal.clone(), tasks_only, options());
    projector.wait_for_head(WAIT).await.unwrap();
    projector.stop().await;
    assert_eq!(scalar(&journal, "SELECT COUNT(*) FROM postings").await, 0);

    let projector = ProjectionRunner::start_with(journal.clone(), ReadModel::all(), options());
    projector.wait_for_head(WAIT).await.unwrap();
    projector.stop().await;
    assert_eq!(scalar(&journal, "SELECT COUNT(*) FROM tasks_view").await, 1);
    assert_eq!(
        scalar(&journal, "SELECT COUNT(*) FROM postings").await,
        2 + 2 + 5
    );
}

fn timer_options() -> TimerOptions {
    TimerOptions {
        interval: Duration::from_millis(20),
        batch_max: 10,
        backoff_first: Duration::from_millis(300),
        backoff_last: Duration::from_secs(60),
    }
}

async fn a_due_timer_fires_then_waits_and_leaves_once_its_event_is_projected(journal: Journal) {
    let projector = ProjectionRunner::start_with(journal.clone(), ReadModel::all(), options());
    let mut lane = Lane::new(journal.clone(), 1, 10_000).await;
    // Posted in 2026 with a deadline an hour later: long past by the wall clock.
    let task_id = lane.post_and_accept(Some(at(3_600))).await;
    projector.wait_for_head(WAIT).await.unwrap();

    let fired: Arc<Mutex<Vec<Timer>>> = Arc::default();
    let record = Arc::clone(&fired);
    let timers = TimerRunner::start(journal.pool().clone(), timer_options(), move |timer| {
        record.lock().unwrap().push(timer);
        async { Ok(()) }
    });
    let started = Instant::now();
    while fired.lock().unwrap().is_empty() && started.elapsed() < WAIT {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Several ticks pass: a fired timer waits for the projection instead of firing again.
    tokio::time::sleep(Duration::from_millis(150)).await;
    {
        // The deadline, and the worker's time limit (also an hour).
        let mut fired: Vec<_> = fired
            .lock()
            .unwrap()
            .iter()
            .map(|t| (t.kind.as_str(), t.due_at_us))
            .collect();
        fired.sort();
        let hour = at(3_600).timestamp_micros();
        assert_eq!(fired, [("abandon_assignment", hour), ("expire_task", hour)]);
    }

    // What the bus would do with it; the projection then deletes the row.
    lane.task(task_id, TaskCommand::Expire { at: at(3_600) })
        .await;
    projector.wait_for_head(WAIT).await.unwrap();
    assert_eq!(scalar(&journal, "SELECT COUNT(*) FROM timers").await, 0);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        fired.lock().unwrap().len(),
        2,
        "resolved timers never fire again"
    );
    assert!(fired
        .lock()
        .unwrap()
        .iter()
        .any(|t| t.kind == TimerKind::ExpireTask && t.target_id == task_id.to_string()));
    timers.stop().await;
    projector.stop().await;
}

async fn a_refused_timer_backs_off_instead_of_firing_every_tick(journal: Journal) {
    let projector = ProjectionRunner::start_with(journal.clone(), ReadModel::all(), options());
    let mut lane = Lane::new(journal.clone(), 1, 10_000).await;
    // Posted, taken, never finished: its deadline (long past by the wall
    // clock) is due, and the callback below refuses it every time.
    lane.post_and_accept(Some(at(3_600))).await;
    projector.wait_for_head(WAIT).await.unwrap();
    assert_eq!(scalar(&journal, "SELECT COUNT(*) FROM timers").await, 2);

    let attempts = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&attempts);
    let timers = TimerRunner::start(
        journal.pool().clone(),
        timer_options(),
        move |timer: Timer| {
            record
                .lock()
                .unwrap()
                .push((Instant::now(), timer.timer_id));
            async { Err("the task is not open".to_owned()) }
        },
    );
    // 20 ms ticks for 700 ms: without backoff that would be 35 firings.
    // With 300 ms, then 600 ms: the first attempt, and one more at ~300 ms.
    tokio::time::sleep(Duration::from_millis(700)).await;
    timers.stop().await;
    projector.stop().await;
    // Two timers are due: the deadline and the worker's time limit.
    let attempts = attempts.lock().unwrap();
    let mut by_timer: HashMap<&str, Vec<Instant>> = HashMap::new();
    for (when, timer_id) in attempts.iter() {
        by_timer.entry(timer_id).or_default().push(*when);
    }
    assert_eq!(by_timer.len(), 2, "{attempts:?}");
    for (timer_id, when) in by_timer {
        assert_eq!(when.len(), 2, "{timer_id}: {attempts:?}");
        assert!(
            when[1] - when[0] >= Duration::from_millis(300),
            "{timer_id}: {attempts:?}"
        );
    }
}

/// Replay speed on SQLite, over a journal of about 100,000 events made by the
/// aggregates' own `decide`: two-slot tasks taken, submitted and approved.
/// Run with `cargo test --release -- --ignored rebuild_speed --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: slow in debug builds"]
async fn rebuild_speed_on_a_hundred_thousand_events() {
    const LANES: usize = 32;
    /// 13 events per task, plus each lane's registrations and deposit.
    const TASKS_PER_LANE: i64 = 240;
    // ERRAND_BENCH_JOURNAL=<file> keeps the generated journal there and
    // reuses it on the next run, to profile the rebuild alone.
    let kept = std::env::var("ERRAND_BENCH_JOURNAL").ok();
    let database = match &kept {
        Some(path) => TestDatabase {
            url: format!("sqlite://{path}?mode=rwc"),
            admin_url: None,
            _directory: None,
        },
        None => TestDatabase::sqlite(),
    };
    let journal = database.open().await;
    if journal.head().await.unwrap() == 0 {
        generate(&journal, LANES, TASKS_PER_LANE).await;
    }
    let head = journal.head().await.unwrap();

    // Where the time goes: reading, decoding, then each projection alone.
    let started = Instant::now();
    let mut after = 0;
    let mut bytes = 0;
    let mut decode_time = Duration::ZERO;
    loop {
        let page = journal
            .read_all(after, REBUILD_BATCH_EVENTS_DEFAULT)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = last.position;
        bytes += page.iter().map(|e| e.payload.len()).sum::<usize>();
        let decoding = Instant::now();
        for e in &page {
            errand_projections::ProjectedEvent::decode(
                e.position,
                &e.stream_id,
                &e.event_type,
                &e.payload,
                e.recorded_at,
            )
            .unwrap();
        }
        decode_time += decoding.elapsed();
    }
    let read_time = started.elapsed() - decode_time;
    eprintln!(
        "reading: {read_time:.2?} ({:.0} events/s, {} MiB of payload); decoding: {decode_time:.2?} ({:.0} events/s)",
        head as f64 / read_time.as_secs_f64(),
        bytes / (1 << 20),
        head as f64 / decode_time.as_secs_f64(),
    );
    lean_reads(&journal, head).await;
    // ERRAND_BENCH_ONLY=<projection> rebuilds that one alone, to profile it.
    let only = std::env::var("ERRAND_BENCH_ONLY").ok();
    for projection in ReadModel::all() {
        if only
            .as_deref()
            .is_some_and(|name| name != projection.name())
        {
            continue;
        }
        let report = ProjectionRunner::rebuild(
            &journal,
            &[projection],
            REBUILD_BATCH_EVENTS_DEFAULT,
            |_, _| {},
        )
        .await
        .unwrap();
        eprintln!(
            "rebuild of {:>8} alone: {:.2?} ({:.0} events/s)",
            projection.name(),
            report.elapsed,
            report.events_per_second()
        );
    }
    let batch_sizes = if only.is_some() {
        vec![]
    } else {
        vec![1_000, REBUILD_BATCH_EVENTS_DEFAULT]
    };
    for batch_events in batch_sizes {
        let report =
            ProjectionRunner::rebuild(&journal, &ReadModel::all(), batch_events, |_, _| {})
                .await
                .unwrap();
        assert_eq!(report.events, head);
        eprintln!(
            "rebuild of all read models, {batch_events} events per batch: {} events in {:.2?}: {:.0} events/s",
            report.events,
            report.elapsed,
            report.events_per_second()
        );
    }
    let sum = "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM postings";
    assert_eq!(scalar(&journal, sum).await, 0);
    journal.close().await;
    database.destroy().await;
}

/// Appends `lanes × tasks_per_lane` completed two-slot tasks, the lanes concurrently.
async fn generate(journal: &Journal, lanes: usize, tasks_per_lane: i64) {
    let started = Instant::now();
    let lanes = (0..lanes).map(|_| {
        let journal = journal.clone();
        tokio::spawn(async move {
            let mut lane = Lane::new(journal, 2, 10_000_000).await;
            for i in 0..tasks_per_lane {
                let deadline = (i % 2 == 0).then(|| at(86_400));
                lane.complete_a_task(i, deadline).await;
            }
        })
    });
    for lane in lanes.collect::<Vec<_>>() {
        lane.await.unwrap();
    }
    let head = journal.head().await.unwrap();
    eprintln!("appended {head} events in {:.1?}", started.elapsed());
}

/// Experiments: how fast could a page of events be read, bypassing `read_all`?
async fn lean_reads(journal: &Journal, head: i64) {
    let started = Instant::now();
    let mut after = 0i64;
    loop {
        let page: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
            "SELECT position, stream_id, event_type, payload, recorded_at_us FROM events \
             WHERE position > $1 ORDER BY position LIMIT $2",
        )
        .bind(after)
        .bind(10_000i64)
        .fetch_all(journal.pool())
        .await
        .unwrap();
        let Some(last) = page.last() else { break };
        after = last.0;
    }
    let elapsed = started.elapsed();
    eprintln!(
        "lean read of 5 columns: {elapsed:.2?} ({:.0} events/s)",
        head as f64 / elapsed.as_secs_f64()
    );

    let started = Instant::now();
    let mut after = 0i64;
    let mut count = 0usize;
    loop {
        let page: Option<String> = sqlx::query_scalar(
            "SELECT json_group_array(json_array(position, stream_id, event_type, payload, recorded_at_us)) \
             FROM (SELECT * FROM events WHERE position > $1 ORDER BY position LIMIT $2)",
        )
        .bind(after)
        .bind(10_000i64)
        .fetch_one(journal.pool())
        .await
        .unwrap();
        let rows: Vec<(i64, String, String, String, i64)> =
            serde_json::from_str(page.as_deref().unwrap_or("[]")).unwrap();
        let Some(last) = rows.last() else { break };
        count += rows.len();
        after = last.0;
    }
    let elapsed = started.elapsed();
    eprintln!(
        "page as one JSON row: {elapsed:.2?} ({:.0} events/s, {count})",
        head as f64 / elapsed.as_secs_f64()
    );
}
