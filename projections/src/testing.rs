//! Test support: a migrated database, and a journal in memory whose events come
//! from the aggregates' own `decide`, so tests feed projections realistic events.

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use errand_aggregates::account::{Account, AccountCommand, AccountId, Funding};
use errand_aggregates::actor::{Actor, ActorCommand, Caller, Role, Standing};
use errand_aggregates::api_key::{ApiKey, KeyCommand};
use errand_aggregates::fee::FeePolicy;
use errand_aggregates::ids::*;
use errand_aggregates::mode::Mode;
use errand_aggregates::money::Money;
use errand_aggregates::task::{AssignmentMode, NewTask, Task, TaskCommand};
use errand_aggregates::webhook::{
    DeliveryCommand, WebhookCommand, WebhookDelivery, WebhookEndpoint,
};
use errand_aggregates::{Aggregate, DomainEvent, Event};
use sqlx::{AnyConnection, Connection};
use uuid::Uuid;

use crate::{ProjectedEvent, Projection};

/// A moment `seconds` after a fixed start, so tests read as a timeline.
pub(crate) fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::seconds(seconds)
}

pub(crate) fn projected(position: i64, stream_id: &str, event: Event) -> ProjectedEvent {
    ProjectedEvent {
        position,
        stream_id: stream_id.to_owned(),
        event_type: event.event_type().to_owned(),
        event,
        recorded_at: at(position),
    }
}

pub(crate) fn new_id() -> Uuid {
    Uuid::now_v7()
}

pub(crate) fn caller(actor: ActorId) -> Caller {
    Caller {
        actor,
        role: Role::Human,
        standing: Standing::Active,
    }
}

/// A first-accept task of `slots` slots paying `reward_cents` each, with an 18 % fee.
pub(crate) fn new_task(task_id: TaskId, slots: u32, reward_cents: i64) -> NewTask {
    NewTask {
        task_id,
        hold_id: HoldId(new_id()),
        mode: Mode::Live,
        title: "Photograph the storefront".into(),
        description: "Two photos, daylight.".into(),
        kind: "photography".into(),
        details: serde_json::json!({ "urgency": "high" }),
        reward: Money::usd(reward_cents),
        slots,
        assignment: AssignmentMode::FirstAccept,
        fee: FeePolicy::percent("18").unwrap(),
        deadline: None,
        assignment_time_limit_s: None,
        review_window_s: None,
    }
}

/// `poster` posts a one-slot first-accept task paying $10.00.
pub(crate) fn post_task(task: TaskId, poster: ActorId) -> TaskCommand {
    TaskCommand::Post {
        task: Box::new(new_task(task, 1, 1_000)),
        by: caller(poster),
        at: at(1),
    }
}

/// `worker` takes a slot of a first-accept task.
pub(crate) fn accept(worker: ActorId) -> TaskCommand {
    TaskCommand::Accept {
        assignment_id: AssignmentId(new_id()),
        by: caller(worker),
        at: at(2),
    }
}

/// A database with every migration applied: SQLite in memory, or a fresh
/// PostgreSQL database when `ERRAND_TEST_DATABASE_URL` is set.
pub(crate) struct TestDb {
    pub(crate) conn: AnyConnection,
    /// The PostgreSQL server and database to drop when the test ends.
    postgres: Option<(String, String)>,
}

impl TestDb {
    pub(crate) async fn new() -> TestDb {
        sqlx::any::install_default_drivers();
        match std::env::var("ERRAND_TEST_DATABASE_URL") {
            Ok(url) if url.starts_with("postgres") => {
                let mut admin = AnyConnection::connect(&url).await.unwrap();
                let name = format!("errand_projections_{}", Uuid::now_v7().simple());
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                let (base, _) = url.rsplit_once('/').unwrap();
                let mut conn = AnyConnection::connect(&format!("{base}/{name}"))
                    .await
                    .unwrap();
                sqlx::migrate!("../migrations/postgres")
                    .run(&mut conn)
                    .await
                    .unwrap();
                TestDb {
                    conn,
                    postgres: Some((url, name)),
                }
            }
            _ => {
                let mut conn = AnyConnection::connect("sqlite::memory:").await.unwrap();
                sqlx::migrate!("../migrations/sqlite")
                    .run(&mut conn)
                    .await
                    .unwrap();
                TestDb {
                    conn,
                    postgres: None,
                }
            }
        }
    }

    pub(crate) async fn apply(&mut self, projection: &impl Projection, events: &[ProjectedEvent]) {
        projection
            .apply_batch(&mut self.conn, events)
            .await
            .unwrap();
    }

    pub(crate) async fn count(&mut self, sql: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(&mut self.conn)
            .await
            .unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((url, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot block on a future:
        // a thread with its own runtime does the cleanup.
        // Best effort: a failed cleanup leaves a database behind, not a failed test.
        let cleanup = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                if let Ok(mut admin) = AnyConnection::connect(&url).await {
                    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::query(&drop).execute(&mut admin).await;
                }
            });
        });
        let _ = cleanup.join();
    }
}

/// Aggregates in memory and the events they decided, numbered as a journal would.
#[derive(Default)]
pub(crate) struct TestJournal {
    position: i64,
    actors: HashMap<ActorId, Actor>,
    keys: HashMap<KeyId, ApiKey>,
    accounts: HashMap<AccountId, Account>,
    tasks: HashMap<TaskId, Task>,
    webhooks: HashMap<WebhookId, WebhookEndpoint>,
    deliveries: HashMap<DeliveryId, WebhookDelivery>,
    payouts: HashMap<errand_aggregates::ids::PayoutId, errand_aggregates::payout::Payout>,
    threads: HashMap<TaskId, errand_aggregates::thread::Thread>,
    inboxes: HashMap<(ActorId, Mode), errand_aggregates::inbox::Inbox>,
    referrals: HashMap<ActorId, errand_aggregates::referral::Referral>,
    projects: HashMap<ProjectId, errand_aggregates::project::Project>,
    job_links: HashMap<TaskId, errand_aggregates::project::JobLink>,
    deposits: HashMap<FundingId, errand_aggregates::deposit::Deposit>,
    listings: HashMap<ListingId, errand_aggregates::listing::Listing>,
    bids: HashMap<BidId, errand_aggregates::bid::Bid>,
    contracts: HashMap<ContractId, errand_aggregates::contract::Contract>,
    disputes: HashMap<DisputeId, errand_aggregates::dispute::Dispute>,
    /// Decided since the last `take`.
    pending: Vec<ProjectedEvent>,
}

fn decided<A: Aggregate>(state: &mut A, command: &A::Command) -> Vec<A::Event>
where
    A::Command: std::fmt::Debug,
{
    let events = state
        .decide(command)
        .unwrap_or_else(|error| panic!("{command:?} was refused: {error}"));
    for event in &events {
        state.apply(event);
    }
    events
}

impl TestJournal {
    /// Records events through their stored JSON form, as the journal would.
    fn record<E: DomainEvent>(&mut self, stream_id: &str, events: Vec<E>) {
        for event in events {
            self.position += 1;
            let payload = serde_json::to_string(&event).unwrap();
            let projected = ProjectedEvent::decode(
                self.position,
                stream_id,
                event.event_type(),
                &payload,
                at(self.position),
            )
            .unwrap();
            self.pending.push(projected);
        }
    }

    pub(crate) fn actor(&mut self, actor: ActorId, command: ActorCommand) {
        let events = decided(self.actors.entry(actor).or_default(), &command);
        self.record(&format!("actor-{actor}"), events);
    }

    pub(crate) fn key(&mut self, key: KeyId, command: KeyCommand) {
        let events = decided(self.keys.entry(key).or_default(), &command);
        self.record(&format!("key-{key}"), events);
    }

    pub(crate) fn account(&mut self, account: AccountId, command: AccountCommand) {
        let events = decided(self.accounts.entry(account).or_default(), &command);
        self.record(&account.stream_id(), events);
    }

    pub(crate) fn payout(
        &mut self,
        payout: errand_aggregates::ids::PayoutId,
        command: errand_aggregates::payout::PayoutCommand,
    ) {
        let events = decided(self.payouts.entry(payout).or_default(), &command);
        self.record(&format!("payout-{payout}"), events);
    }

    pub(crate) fn deposit(&mut self, owner: ActorId, cents: i64) {
        let account = AccountId::usd(owner, Mode::Live);
        self.account(
            account,
            AccountCommand::Fund {
                account,
                funding_id: FundingId(new_id()),
                amount: Money::usd(cents),
                funding: Funding::Deposit {
                    provider: "sandbox".into(),
                },
                at: at(0),
            },
        );
    }

    /// Decides a task command and the account commands its events imply, in
    /// the order the bus appends them.
    pub(crate) fn task(&mut self, task: TaskId, command: TaskCommand) {
        let state = self.tasks.entry(task).or_default();
        let before = state.clone();
        let events = decided(state, &command);
        let account_commands = errand_aggregates::task::account_commands(&before, &events);
        self.record(&format!("task-{task}"), events);
        for (account, command) in account_commands {
            self.account(account, command);
        }
    }

    /// Decides a contract command, then what it implies of a parent (a
    /// subcontract's opening) and of the accounts, in the order the bus appends them.
    pub(crate) fn contract(
        &mut self,
        contract: ContractId,
        command: errand_aggregates::contract::ContractCommand,
    ) {
        let state = self.contracts.entry(contract).or_default();
        let before = state.clone();
        let events = decided(state, &command);
        let parent = errand_aggregates::contract::parent_command(&events);
        let account_commands = errand_aggregates::contract::account_commands(&before, &events);
        self.record(&format!("contract-{contract}"), events);
        if let Some((parent, command)) = parent {
            let events = decided(self.contracts.entry(parent).or_default(), &command);
            self.record(&format!("contract-{parent}"), events);
        }
        for (account, command) in account_commands {
            self.account(account, command);
        }
    }

    /// Decides a dispute command, then its contract's side and the accounts'.
    pub(crate) fn dispute(
        &mut self,
        dispute: DisputeId,
        command: errand_aggregates::dispute::DisputeCommand,
        by: Caller,
    ) {
        let state = self.disputes.entry(dispute).or_default();
        let before = state.clone();
        let events = decided(state, &command);
        let contract = errand_aggregates::dispute::contract_command(&before, &events, &by);
        self.record(&format!("dispute-{dispute}"), events);
        if let Some((contract, command)) = contract {
            self.contract(contract, command);
        }
    }

    pub(crate) fn contract_state(
        &self,
        contract: ContractId,
    ) -> &errand_aggregates::contract::Contract {
        &self.contracts[&contract]
    }

    pub(crate) fn webhook(&mut self, webhook: WebhookId, command: WebhookCommand) {
        let events = decided(self.webhooks.entry(webhook).or_default(), &command);
        self.record(&format!("webhook-{webhook}"), events);
    }

    pub(crate) fn delivery(&mut self, delivery: DeliveryId, command: DeliveryCommand) {
        let events = decided(self.deliveries.entry(delivery).or_default(), &command);
        self.record(&format!("delivery-{delivery}"), events);
    }

    /// `sender` posts `text` on `task`'s thread, as a participant or not as
    /// the task's state says (a stranger's post panics: it is refused).
    pub(crate) fn message(&mut self, task: TaskId, sender: ActorId, text: &str) {
        use errand_aggregates::thread::{self, MessageBody, ThreadCommand};
        let state = self.tasks.get(&task).cloned().unwrap_or_default();
        let command = ThreadCommand::Post {
            task_id: task,
            message_id: MessageId(new_id()),
            sender: caller(sender),
            participation: thread::participation(&state, sender),
            recipients: thread::recipients(&state, sender),
            body: MessageBody::parse(text).unwrap(),
            at: at(self.position + 1),
        };
        let events = decided(self.threads.entry(task).or_default(), &command);
        self.record(&format!("thread-{task}"), events);
    }

    pub(crate) fn inbox(&mut self, command: errand_aggregates::inbox::InboxCommand) {
        use errand_aggregates::inbox::InboxCommand;
        let (InboxCommand::MarkRead { reader, mode, .. }
        | InboxCommand::MarkAllRead { reader, mode, .. }) = &command;
        let (reader, mode) = (*reader, *mode);
        let events = decided(self.inboxes.entry((reader, mode)).or_default(), &command);
        self.record(&errand_aggregates::inbox::stream_id(reader, mode), events);
    }

    /// Records a referral and credits its bonus, in the order the bus appends them.
    pub(crate) fn referral(&mut self, command: errand_aggregates::referral::ReferralCommand) {
        use errand_aggregates::referral::{bonus_funding, ReferralCommand};
        let ReferralCommand::Record { referee, .. } = &command;
        let referee = *referee;
        let events = decided(self.referrals.entry(referee).or_default(), &command);
        let funding: Vec<_> = events.iter().filter_map(bonus_funding).collect();
        self.record(&format!("referral-{referee}"), events);
        for (account, command) in funding {
            self.account(account, command);
        }
    }

    pub(crate) fn project(
        &mut self,
        project: ProjectId,
        command: errand_aggregates::project::ProjectCommand,
    ) {
        let events = decided(self.projects.entry(project).or_default(), &command);
        self.record(&format!("project-{project}"), events);
    }

    /// Links a job as the bus does: the link first, then the projects it leaves and joins.
    pub(crate) fn link_job(
        &mut self,
        command: errand_aggregates::project::JobLinkCommand,
        acting: (Caller, Mode),
    ) {
        use errand_aggregates::project::job_link::project_actions;
        use errand_aggregates::project::{JobLinkCommand, ProjectCommand};
        let JobLinkCommand::Link { job, at, .. } = &command;
        let (job, at) = (*job, *at);
        let events = decided(self.job_links.entry(job.job).or_default(), &command);
        let actions = project_actions(job, &events);
        self.record(&format!("joblink-{}", job.job), events);
        for (project, action) in actions {
            let command = ProjectCommand {
                by: acting.0,
                mode: acting.1,
                at,
                action,
            };
            self.project(project, command);
        }
    }

    /// Decides a deposit command, and on completion credits the account as the bus does.
    pub(crate) fn deposit_command(
        &mut self,
        funding_id: FundingId,
        command: errand_aggregates::deposit::DepositCommand,
    ) {
        let state = self.deposits.entry(funding_id).or_default();
        let events = decided(state, &command);
        let completed = events.iter().any(|e| {
            matches!(
                e,
                errand_aggregates::deposit::DepositEvent::DepositCompleted { .. }
            )
        });
        let state = state.clone();
        self.record(&format!("deposit-{funding_id}"), events);
        if let (true, Some(account), Some(amount)) = (completed, state.account, state.amount) {
            let fund = AccountCommand::Fund {
                account,
                funding_id,
                amount,
                funding: state.funding(),
                at: at(self.position),
            };
            self.account(account, fund);
        }
    }

    pub(crate) fn listing(
        &mut self,
        listing: ListingId,
        command: errand_aggregates::listing::ListingCommand,
    ) {
        let events = decided(self.listings.entry(listing).or_default(), &command);
        self.record(&format!("listing-{listing}"), events);
    }

    /// Decides a bid command as the bus does: on the listing as it stands,
    /// the bid first, then what it implies for the listing.
    pub(crate) fn bid(
        &mut self,
        bid: BidId,
        listing: ListingId,
        (by, at): (Caller, DateTime<Utc>),
        action: impl FnOnce(
            Box<errand_aggregates::listing::Listing>,
        ) -> errand_aggregates::bid::BidAction,
    ) {
        use errand_aggregates::bid::{listing_action, BidCommand};
        use errand_aggregates::listing::ListingCommand;
        let snapshot = Box::new(self.listings.get(&listing).cloned().unwrap_or_default());
        let command = BidCommand {
            by,
            mode: Mode::Live,
            at,
            action: action(snapshot),
        };
        let events = decided(self.bids.entry(bid).or_default(), &command);
        let follow = listing_action(&events);
        self.record(&format!("bid-{bid}"), events);
        if let Some(action) = follow {
            let command = ListingCommand {
                by,
                mode: Mode::Live,
                at,
                action,
            };
            self.listing(listing, command);
        }
    }

    pub(crate) fn task_state(&self, task: TaskId) -> &Task {
        &self.tasks[&task]
    }

    pub(crate) fn account_state(&self, account: AccountId) -> &Account {
        &self.accounts[&account]
    }

    pub(crate) fn accounts(&self) -> impl Iterator<Item = (&AccountId, &Account)> {
        self.accounts.iter()
    }

    /// The events decided since the last call.
    pub(crate) fn take(&mut self) -> Vec<ProjectedEvent> {
        std::mem::take(&mut self.pending)
    }
}

/// Every row of a view, by key: for comparing whole tables.
pub(crate) async fn all_rows<R: crate::ViewRow>(conn: &mut AnyConnection) -> Vec<R> {
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

/// The people of [`rich_story`].
pub(crate) struct Cast {
    pub(crate) poster: ActorId,
    pub(crate) workers: [ActorId; 4],
    /// Completed: one approved by hand, one rejected then redone and
    /// auto-approved, one abandoned, one disputed.
    pub(crate) consensus: TaskId,
    /// Apply-and-select; expired with a submission still under review, which
    /// is then auto-approved.
    pub(crate) expired: TaskId,
    /// Paused, resumed, resized up, then cancelled with a worker still on it.
    pub(crate) cancelled: TaskId,
    /// Stopped, then completed by the work already under way.
    pub(crate) stopped: TaskId,
}

/// A marketplace's worth of history touching every event type.
pub(crate) fn rich_story(journal: &mut TestJournal) -> Cast {
    let admin = ActorId(new_id());
    let poster = ActorId(new_id());
    let workers = [(); 4].map(|_| ActorId(new_id()));
    let cast = Cast {
        poster,
        workers,
        consensus: TaskId(new_id()),
        expired: TaskId(new_id()),
        cancelled: TaskId(new_id()),
        stopped: TaskId(new_id()),
    };
    let register = |journal: &mut TestJournal, actor: ActorId, role: Role, name: &str| {
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
    };
    register(journal, admin, Role::Admin, "Root");
    register(journal, poster, Role::Agent, "Scout bot");
    for (i, worker) in workers.iter().enumerate() {
        register(journal, *worker, Role::Human, &format!("Worker {i}"));
    }
    let admin_caller = Caller {
        actor: admin,
        role: Role::Admin,
        standing: Standing::Active,
    };
    let key = KeyId(new_id());
    journal.key(
        key,
        KeyCommand::Issue {
            key_id: key,
            actor_id: poster,
            prefix: "erk_live_0001".into(),
            secret_hash: "0f".repeat(32),
            scopes: vec![],
            mode: Mode::Live,
            at: at(0),
        },
    );
    journal.deposit(poster, 100_000);
    let [w0, w1, w2, w3] = workers;
    let by = caller;
    let submit = |journal: &mut TestJournal, task: TaskId, worker: ActorId, s: i64| {
        let submission = SubmissionId(new_id());
        journal.task(
            task,
            TaskCommand::Submit {
                submission_id: submission,
                proof: errand_aggregates::task::Proof::text("done"),
                by: by(worker),
                at: at(s),
            },
        );
        submission
    };
    let accept = |journal: &mut TestJournal, task: TaskId, worker: ActorId, s: i64| {
        journal.task(
            task,
            TaskCommand::Accept {
                assignment_id: AssignmentId(new_id()),
                by: by(worker),
                at: at(s),
            },
        );
    };

    // The consensus task: 3 slots, 30 s to submit, 60 s review window.
    let task = cast.consensus;
    let mut new = new_task(task, 3, 1_000);
    new.deadline = Some(at(1_000));
    new.assignment_time_limit_s = Some(30);
    new.review_window_s = Some(60);
    journal.task(
        task,
        TaskCommand::Post {
            task: Box::new(new),
            by: by(poster),
            at: at(1),
        },
    );
    accept(journal, task, w0, 10);
    accept(journal, task, w1, 11);
    accept(journal, task, w2, 12);
    let first = submit(journal, task, w0, 20);
    let second = submit(journal, task, w1, 21);
    journal.task(
        task,
        TaskCommand::Approve {
            submission_id: first,
            by: by(poster),
            at: at(30),
        },
    );
    journal.task(
        task,
        TaskCommand::Reject {
            submission_id: second,
            reason: "wrong storefront".into(),
            by: by(poster),
            at: at(31),
        },
    );
    let abandoned = journal.task_state(task).assignments[2].id;
    journal.task(
        task,
        TaskCommand::AbandonAssignment {
            assignment_id: abandoned,
            at: at(45),
        },
    );
    accept(journal, task, w3, 50);
    let disputed = submit(journal, task, w3, 55);
    journal.task(
        task,
        TaskCommand::Dispute {
            submission_id: disputed,
            reason: "copied photo".into(),
            by: by(poster),
            at: at(60),
        },
    );
    accept(journal, task, w1, 70);
    let redone = submit(journal, task, w1, 75);
    journal.task(
        task,
        TaskCommand::AutoApprove {
            submission_id: redone,
            at: at(140),
        },
    );

    // Apply and select; expires with work under review.
    let task = cast.expired;
    let mut new = new_task(task, 2, 500);
    new.assignment = AssignmentMode::ApplySelect;
    new.deadline = Some(at(300));
    new.review_window_s = Some(60);
    journal.task(
        task,
        TaskCommand::Post {
            task: Box::new(new),
            by: by(poster),
            at: at(2),
        },
    );
    let application = ApplicationId(new_id());
    journal.task(
        task,
        TaskCommand::Apply {
            application_id: application,
            note: Some("I live next door".into()),
            by: by(w0),
            at: at(10),
        },
    );
    journal.task(
        task,
        TaskCommand::Select {
            application_id: application,
            assignment_id: AssignmentId(new_id()),
            by: by(poster),
            at: at(15),
        },
    );
    let late = submit(journal, task, w0, 290);
    journal.task(task, TaskCommand::Expire { at: at(300) });
    journal.task(
        task,
        TaskCommand::AutoApprove {
            submission_id: late,
            at: at(350),
        },
    );

    // Paused, resumed, resized, cancelled.
    let task = cast.cancelled;
    let mut new = new_task(task, 2, 700);
    new.assignment_time_limit_s = Some(600);
    journal.task(
        task,
        TaskCommand::Post {
            task: Box::new(new),
            by: by(poster),
            at: at(3),
        },
    );
    accept(journal, task, w2, 5);
    journal.task(
        task,
        TaskCommand::Pause {
            by: by(poster),
            at: at(6),
        },
    );
    journal.task(
        task,
        TaskCommand::Resume {
            by: by(poster),
            at: at(7),
        },
    );
    journal.task(
        task,
        TaskCommand::Resize {
            slots: 4,
            by: by(poster),
            at: at(8),
        },
    );
    journal.task(
        task,
        TaskCommand::Cancel {
            by: by(poster),
            at: at(9),
        },
    );

    // Stopped, then finished by the work under way.
    let task = cast.stopped;
    let mut new = new_task(task, 1, 300);
    new.review_window_s = Some(3_600);
    journal.task(
        task,
        TaskCommand::Post {
            task: Box::new(new),
            by: by(poster),
            at: at(4),
        },
    );
    accept(journal, task, w3, 5);
    journal.task(
        task,
        TaskCommand::Stop {
            by: by(poster),
            at: at(6),
        },
    );
    let last = submit(journal, task, w3, 7);
    journal.task(
        task,
        TaskCommand::Approve {
            submission_id: last,
            by: by(poster),
            at: at(8),
        },
    );

    // Money out, a frozen worker, a revoked key.
    let payee = AccountId::usd(w0, Mode::Live);
    journal.account(
        payee,
        AccountCommand::SendPayout {
            payout_id: PayoutId(new_id()),
            amount: Money::usd(100),
            destination: "acct_sandbox".to_owned(),
            purpose: Default::default(),
            at: at(400),
        },
    );
    journal.actor(
        w3,
        ActorCommand::Freeze {
            by: admin_caller,
            reason: "disputed work".into(),
            at: at(400),
        },
    );
    journal.key(
        key,
        KeyCommand::Revoke {
            by: by(poster),
            at: at(400),
        },
    );
    cast
}
