use super::*;
use crate::testing::*;
use errand_aggregates::actor::{Caller, Role, Standing};
use errand_aggregates::ids::{ActorId, AssignmentId, DeliveryId, SubmissionId, TaskId, WebhookId};
use errand_aggregates::mode::Mode;
use errand_aggregates::task::{Proof, TaskCommand};
use errand_aggregates::webhook::{
    AttemptOutcome, DeliveryCommand, RetryPolicy, WebhookCommand, WebhookFormat, WebhookUrl,
};
use sqlx::Row;

const POLICY: RetryPolicy = RetryPolicy {
    attempts_max: 3,
    first_delay_ms: 10_000,
    backoff_factor: 4,
    last_delay_ms: 60_000,
};

fn acting(actor: ActorId, role: Role) -> Caller {
    Caller {
        actor,
        role,
        standing: Standing::Active,
    }
}

fn register(
    journal: &mut TestJournal,
    owner: Caller,
    mode: Mode,
    events: EventFilter,
) -> WebhookId {
    let webhook = WebhookId(new_id());
    journal.webhook(
        webhook,
        WebhookCommand::Register {
            webhook_id: webhook,
            by: owner,
            mode,
            url: WebhookUrl::parse("https://hooks.example.com/in").unwrap(),
            events,
            format: WebhookFormat::Native,
            endpoints_owned: 0,
            at: at(0),
        },
    );
    webhook
}

/// A one-slot task posted by `poster`, taken and handed in by `worker`;
/// returns the task and the submission.
fn task_taken_and_submitted(
    journal: &mut TestJournal,
    poster: ActorId,
    worker: ActorId,
) -> (TaskId, SubmissionId) {
    let task = TaskId(new_id());
    journal.task(
        task,
        TaskCommand::Post {
            task: Box::new(new_task(task, 1, 1_000)),
            by: caller(poster),
            at: at(1),
        },
    );
    journal.task(
        task,
        TaskCommand::Accept {
            assignment_id: AssignmentId(new_id()),
            by: caller(worker),
            at: at(2),
        },
    );
    let submission = SubmissionId(new_id());
    journal.task(
        task,
        TaskCommand::Submit {
            submission_id: submission,
            proof: Proof::text("done"),
            by: caller(worker),
            at: at(3),
        },
    );
    (task, submission)
}

/// `(webhook, event type)` of every delivery, in journal order.
async fn deliveries(db: &mut TestDb) -> Vec<(String, String)> {
    let mut rows = all_rows::<DeliveryRow>(&mut db.conn).await;
    rows.sort_by_key(|row| (row.position, row.webhook_id.clone()));
    rows.into_iter()
        .map(|row| (row.webhook_id, row.event_type))
        .collect()
}

fn of(webhook: WebhookId, types: &[&str]) -> Vec<(String, String)> {
    types
        .iter()
        .map(|t| (webhook.to_string(), (*t).to_owned()))
        .collect()
}

#[tokio::test]
async fn each_endpoint_is_sent_what_its_owner_takes_part_in() {
    let mut db = TestDb::new().await;
    let mut journal = TestJournal::default();
    let (poster, worker, stranger) = (ActorId(new_id()), ActorId(new_id()), ActorId(new_id()));
    journal.deposit(poster, 10_000);
    let posters = register(&mut journal, caller(poster), Mode::Live, EventFilter::All);
    let workers = register(&mut journal, caller(worker), Mode::Live, EventFilter::All);
    let strangers = register(&mut journal, caller(stranger), Mode::Live, EventFilter::All);
    let only = EventFilter::Only(vec!["SubmissionApproved".to_owned()]);
    let approvals = register(&mut journal, caller(poster), Mode::Live, only);
    let tests = register(&mut journal, caller(poster), Mode::Test, EventFilter::All);
    db.apply(&Outbox, &journal.take()).await;

    let (task, submission) = task_taken_and_submitted(&mut journal, poster, worker);
    journal.task(
        task,
        TaskCommand::Approve {
            submission_id: submission,
            by: caller(poster),
            at: at(4),
        },
    );
    db.apply(&Outbox, &journal.take()).await;

    let sent = deliveries(&mut db).await;
    let to = |webhook: WebhookId| -> Vec<(String, String)> {
        sent.iter()
            .filter(|(id, _)| *id == webhook.to_string())
            .cloned()
            .collect()
    };
    assert_eq!(
        to(posters),
        of(
            posters,
            &[
                "TaskPosted",
                "HoldPlaced",
                "TaskAssigned",
                "WorkSubmitted",
                "SubmissionApproved",
                "TaskCompleted",
                "HoldCaptured",
            ]
        )
    );
    // The worker hears of their own work, the task's end and their pay, not
    // of the poster's money.
    assert_eq!(
        to(workers),
        of(
            workers,
            &[
                "TaskAssigned",
                "WorkSubmitted",
                "SubmissionApproved",
                "TaskCompleted",
                "PaymentReceived",
            ]
        )
    );
    assert_eq!(to(strangers), []);
    assert_eq!(to(approvals), of(approvals, &["SubmissionApproved"]));
    assert_eq!(
        to(tests),
        [],
        "a test-mode endpoint hears nothing of live work"
    );
    let first = all_rows::<DeliveryRow>(&mut db.conn).await.remove(0);
    assert_eq!((first.status.as_str(), first.attempts), ("pending", 0));
    assert_eq!(first.due_at_us, first.created_at_us);
}

#[tokio::test]
async fn an_admins_endpoint_is_sent_every_event_of_its_mode_but_never_the_webhooks_own() {
    let mut db = TestDb::new().await;
    let mut journal = TestJournal::default();
    let admin = acting(ActorId(new_id()), Role::Admin);
    let everything = register(&mut journal, admin, Mode::Live, EventFilter::All);
    let story_start = journal.take();
    rich_story(&mut journal);
    let story = journal.take();
    db.apply(&Outbox, &story_start).await;
    db.apply(&Outbox, &story).await;
    let sent = deliveries(&mut db).await;
    assert_eq!(sent.len(), story.len());
    assert!(sent
        .iter()
        .all(|(webhook, _)| *webhook == everything.to_string()));

    // Another admin endpoint registered now sees the first one's
    // registration? No: webhook events are never delivered.
    let late = register(&mut journal, admin, Mode::Live, EventFilter::All);
    db.apply(&Outbox, &journal.take()).await;
    let rows = all_rows::<DeliveryRow>(&mut db.conn).await;
    assert!(rows.iter().all(|row| row.webhook_id != late.to_string()));
    assert_eq!(rows.len(), story.len());
}

#[tokio::test]
async fn an_endpoint_is_sent_nothing_from_before_its_registration_or_after_its_deletion() {
    let mut db = TestDb::new().await;
    let mut journal = TestJournal::default();
    let (poster, worker) = (ActorId(new_id()), ActorId(new_id()));
    journal.deposit(poster, 10_000);
    let (task, _) = task_taken_and_submitted(&mut journal, poster, worker);
    let webhook = register(&mut journal, caller(poster), Mode::Live, EventFilter::All);
    journal.task(
        task,
        TaskCommand::Pause {
            by: caller(poster),
            at: at(5),
        },
    );
    journal.webhook(
        webhook,
        WebhookCommand::Delete {
            by: caller(poster),
            at: at(6),
        },
    );
    journal.task(
        task,
        TaskCommand::Resume {
            by: caller(poster),
            at: at(7),
        },
    );
    db.apply(&Outbox, &journal.take()).await;
    let rows = all_rows::<DeliveryRow>(&mut db.conn).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].event_type, "TaskPaused");
    assert_eq!(rows[0].status, "cancelled", "its endpoint was deleted");
    let endpoint = EndpointRow::find(&mut db.conn, &webhook.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(endpoint.status, "deleted");
}

#[tokio::test]
async fn attempts_move_a_delivery_to_its_retry_then_to_delivered() {
    let mut db = TestDb::new().await;
    let mut journal = TestJournal::default();
    let (poster, worker) = (ActorId(new_id()), ActorId(new_id()));
    journal.deposit(poster, 10_000);
    let only = EventFilter::Only(vec!["WorkSubmitted".to_owned()]);
    let webhook = register(&mut journal, caller(poster), Mode::Live, only);
    task_taken_and_submitted(&mut journal, poster, worker);
    db.apply(&Outbox, &journal.take()).await;
    let row = all_rows::<DeliveryRow>(&mut db.conn).await.remove(0);
    let delivery = DeliveryId::parse(&row.delivery_id).unwrap();
    assert_eq!(delivery, delivery_id(webhook, row.position));

    let record = |attempt, outcome, seconds| DeliveryCommand::RecordAttempt {
        webhook_id: webhook,
        position: row.position,
        attempt,
        outcome,
        duration_ms: 7,
        policy: POLICY,
        at: at(seconds),
    };
    journal.delivery(
        delivery,
        record(1, AttemptOutcome::Answered { status_code: 500 }, 100),
    );
    db.apply(&Outbox, &journal.take()).await;
    let retrying = DeliveryRow::find(&mut db.conn, &row.delivery_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            retrying.status.as_str(),
            retrying.attempts,
            retrying.due_at_us
        ),
        ("pending", 1, micros(at(110)))
    );
    assert_eq!(due(&mut db.conn, micros(at(109)), 10).await.unwrap(), []);
    let due_now = due(&mut db.conn, micros(at(110)), 10).await.unwrap();
    assert_eq!(due_now.len(), 1);
    assert_eq!(
        (
            due_now[0].attempts,
            due_now[0].format.as_str(),
            due_now[0].url.as_str()
        ),
        (1, "native", "https://hooks.example.com/in")
    );

    let unanswered = AttemptOutcome::Unanswered {
        error: "timed out".to_owned(),
    };
    journal.delivery(delivery, record(2, unanswered, 110));
    journal.delivery(
        delivery,
        record(3, AttemptOutcome::Answered { status_code: 204 }, 150),
    );
    db.apply(&Outbox, &journal.take()).await;
    let delivered = DeliveryRow::find(&mut db.conn, &row.delivery_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (delivered.status.as_str(), delivered.attempts),
        ("delivered", 3)
    );
    assert_eq!(due(&mut db.conn, micros(at(10_000)), 10).await.unwrap(), []);
    let attempts = sqlx::query(
        "SELECT delivery_id, attempt, outcome, status_code, error, duration_ms, at_us, retry_at_us \
         FROM webhook_delivery_attempts ORDER BY attempt",
    )
    .fetch_all(&mut db.conn)
    .await
    .unwrap()
    .iter()
    .map(|r| AttemptRow::decode(r).unwrap())
    .collect::<Vec<_>>();
    let summary: Vec<_> = attempts
        .iter()
        .map(|a| {
            (
                a.outcome.as_str(),
                a.status_code,
                a.error.as_deref(),
                a.retry_at_us,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("retrying", Some(500), None, Some(micros(at(110)))),
            ("retrying", None, Some("timed out"), Some(micros(at(150)))),
            ("delivered", Some(204), None, None),
        ]
    );
}

#[tokio::test]
async fn the_last_failed_attempt_fails_the_delivery_for_good() {
    let mut db = TestDb::new().await;
    let mut journal = TestJournal::default();
    let (poster, worker) = (ActorId(new_id()), ActorId(new_id()));
    journal.deposit(poster, 10_000);
    let only = EventFilter::Only(vec!["TaskPosted".to_owned()]);
    let webhook = register(&mut journal, caller(poster), Mode::Live, only);
    task_taken_and_submitted(&mut journal, poster, worker);
    db.apply(&Outbox, &journal.take()).await;
    let row = all_rows::<DeliveryRow>(&mut db.conn).await.remove(0);
    let delivery = DeliveryId::parse(&row.delivery_id).unwrap();
    for attempt in 1..=POLICY.attempts_max {
        journal.delivery(
            delivery,
            DeliveryCommand::RecordAttempt {
                webhook_id: webhook,
                position: row.position,
                attempt,
                outcome: AttemptOutcome::Answered { status_code: 503 },
                duration_ms: 1,
                policy: POLICY,
                at: at(100 * i64::from(attempt)),
            },
        );
    }
    db.apply(&Outbox, &journal.take()).await;
    let failed = DeliveryRow::find(&mut db.conn, &row.delivery_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((failed.status.as_str(), failed.attempts), ("failed", 3));
    assert_eq!(due(&mut db.conn, i64::MAX, 10).await.unwrap(), []);
}

#[tokio::test]
async fn the_outbox_does_not_depend_on_where_batches_begin_and_end() {
    let mut journal = TestJournal::default();
    let admin = acting(ActorId(new_id()), Role::Admin);
    let everything = register(&mut journal, admin, Mode::Live, EventFilter::All);
    let cast = rich_story(&mut journal);
    let posters = register(
        &mut journal,
        caller(cast.poster),
        Mode::Live,
        EventFilter::All,
    );
    let workers = register(
        &mut journal,
        caller(cast.workers[0]),
        Mode::Live,
        EventFilter::All,
    );
    let humans2ai = register_humans2ai(&mut journal, cast.poster, Mode::Live, EventFilter::All);
    task_taken_and_submitted(&mut journal, cast.poster, cast.workers[0]);
    journal.webhook(
        workers,
        WebhookCommand::Delete {
            by: caller(cast.workers[0]),
            at: at(9),
        },
    );
    // The registration is at position 1; the story begins at 2.
    let first_position = 2;
    journal.delivery(
        delivery_id(everything, first_position),
        DeliveryCommand::RecordAttempt {
            webhook_id: everything,
            position: first_position,
            attempt: 1,
            outcome: AttemptOutcome::Answered { status_code: 200 },
            duration_ms: 3,
            policy: POLICY,
            at: at(10),
        },
    );
    let events = journal.take();
    let mut snapshots = Vec::new();
    for batch_size in [1, 3, 17, events.len()] {
        let mut db = TestDb::new().await;
        for batch in events.chunks(batch_size) {
            db.apply(&Outbox, batch).await;
        }
        let attempts: Vec<(String, i64)> =
            sqlx::query("SELECT delivery_id, attempt FROM webhook_delivery_attempts")
                .fetch_all(&mut db.conn)
                .await
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
        snapshots.push((
            all_rows::<EndpointRow>(&mut db.conn).await,
            all_rows::<DeliveryRow>(&mut db.conn).await,
            all_rows::<PartyRow>(&mut db.conn).await,
            attempts,
        ));
    }
    let first = &snapshots[0];
    assert!(first.1.iter().any(|d| d.webhook_id == posters.to_string()));
    assert!(first
        .1
        .iter()
        .any(|d| d.webhook_id == humans2ai.to_string()));
    assert!(first.2.iter().any(|p| p.party_id.starts_with("paid:")));
    assert!(first.1.iter().any(|d| d.status == "delivered"));
    assert!(first.1.iter().any(|d| d.status == "cancelled"));
    for other in &snapshots[1..] {
        assert_eq!(first, other);
    }
}

mod humanping {
    use super::*;
    use errand_aggregates::actor::ActorCommand;
    use errand_aggregates::webhook::humanping::{agent_endpoint_id, task_endpoint_id};

    fn agent_with_webhook(journal: &mut TestJournal, url: &str) -> ActorId {
        let agent = ActorId(new_id());
        journal.actor(
            agent,
            ActorCommand::Register {
                actor_id: agent,
                role: Role::Agent,
                name: "Pinger".into(),
                email: None,
                at: at(0),
            },
        );
        let mut details = serde_json::Map::new();
        details.insert("webhook_url".into(), serde_json::json!(url));
        journal.actor(agent, ActorCommand::RecordDetails { details, at: at(0) });
        journal.deposit(agent, 100_000);
        agent
    }

    fn post(journal: &mut TestJournal, poster: ActorId, slots: u32, details: Value) -> TaskId {
        let task = TaskId(new_id());
        let mut posted = new_task(task, slots, 500);
        posted.details = details;
        journal.task(
            task,
            TaskCommand::Post {
                task: Box::new(posted),
                by: caller(poster),
                at: at(1),
            },
        );
        task
    }

    fn take_and_submit(journal: &mut TestJournal, task: TaskId, worker: ActorId) {
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
                submission_id: SubmissionId(new_id()),
                proof: Proof::text("open"),
                by: caller(worker),
                at: at(3),
            },
        );
    }

    use serde_json::{json, Value};

    #[tokio::test]
    async fn humanping_tasks_go_to_their_callback_else_to_the_agents_webhook_url() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let agent = agent_with_webhook(&mut journal, "https://agent.example.com/hook");
        let hooked = post(&mut journal, agent, 1, json!({ "dialect": "humanping" }));
        let called_back = post(
            &mut journal,
            agent,
            1,
            json!({ "dialect": "humanping", "callback_url": "https://agent.example.com/cb" }),
        );
        let native = post(&mut journal, agent, 1, json!({}));
        let worker = ActorId(new_id());
        for task in [hooked, called_back, native] {
            take_and_submit(&mut journal, task, worker);
            journal.task(
                task,
                TaskCommand::ApprovePending {
                    override_result: None,
                    by: caller(agent),
                    at: at(4),
                },
            );
        }
        // Applied in two batches: routing survives a batch boundary.
        let events = journal.take();
        let (first, rest) = events.split_at(events.len() / 2);
        db.apply(&Outbox, first).await;
        db.apply(&Outbox, rest).await;

        let agents = agent_endpoint_id(agent);
        let callbacks = task_endpoint_id(called_back);
        let mut expected = of(agents, &["WorkSubmitted", "TaskCompleted"]);
        expected.extend(of(callbacks, &["WorkSubmitted", "TaskCompleted"]));
        assert_eq!(deliveries(&mut db).await, expected);
        let endpoints = all_rows::<EndpointRow>(&mut db.conn).await;
        assert_eq!(endpoints.len(), 2);
        assert!(endpoints
            .iter()
            .all(|e| e.format == "humanping" && e.owner == agent.to_string()));
        let owners = all_rows::<DeliveryRow>(&mut db.conn).await;
        assert!(owners.iter().all(|d| d.owner == agent.to_string()));
    }

    #[tokio::test]
    async fn a_dispute_of_several_proofs_is_sent_once_and_an_agent_without_a_url_gets_nothing() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let agent = agent_with_webhook(&mut journal, "https://agent.example.com/hook");
        let consensus = post(&mut journal, agent, 3, json!({ "dialect": "humanping" }));
        take_and_submit(&mut journal, consensus, ActorId(new_id()));
        take_and_submit(&mut journal, consensus, ActorId(new_id()));
        journal.task(
            consensus,
            TaskCommand::DisputePending {
                reason: "wrong shop".into(),
                by: caller(agent),
                at: at(5),
            },
        );
        let silent = ActorId(new_id());
        journal.deposit(silent, 10_000);
        let unheard = post(&mut journal, silent, 1, json!({ "dialect": "humanping" }));
        take_and_submit(&mut journal, unheard, ActorId(new_id()));
        for event in journal.take() {
            db.apply(&Outbox, std::slice::from_ref(&event)).await;
        }

        let agents = agent_endpoint_id(agent);
        assert_eq!(
            deliveries(&mut db).await,
            of(
                agents,
                &["WorkSubmitted", "WorkSubmitted", "SubmissionDisputed"]
            )
        );
    }

    #[tokio::test]
    async fn removing_the_webhook_url_cancels_what_was_pending() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let agent = agent_with_webhook(&mut journal, "https://agent.example.com/hook");
        let task = post(&mut journal, agent, 1, json!({ "dialect": "humanping" }));
        take_and_submit(&mut journal, task, ActorId(new_id()));
        let mut details = serde_json::Map::new();
        details.insert("webhook_url".into(), Value::Null);
        journal.actor(agent, ActorCommand::RecordDetails { details, at: at(6) });
        db.apply(&Outbox, &journal.take()).await;
        let rows = all_rows::<DeliveryRow>(&mut db.conn).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].status, "cancelled");
    }
}

#[tokio::test]
async fn workers_are_remembered_across_batches_even_before_any_endpoint_exists() {
    let (poster, worker) = (ActorId(new_id()), ActorId(new_id()));
    let mut journal = TestJournal::default();
    journal.deposit(poster, 10_000);
    task_taken_and_submitted(&mut journal, poster, worker);
    let events = journal.take();
    let mut whole = TestDb::new().await;
    whole.apply(&Outbox, &events).await;
    let mut one_by_one = TestDb::new().await;
    for event in &events {
        one_by_one.apply(&Outbox, std::slice::from_ref(event)).await;
    }
    let parties = all_rows::<PartyRow>(&mut whole.conn).await;
    assert_eq!(
        parties.len(),
        3,
        "poster, assignment, submission: {parties:?}"
    );
    assert_eq!(all_rows::<PartyRow>(&mut one_by_one.conn).await, parties);
}

fn register_humans2ai(
    journal: &mut TestJournal,
    owner: ActorId,
    mode: Mode,
    events: EventFilter,
) -> WebhookId {
    let webhook = WebhookId(new_id());
    journal.webhook(
        webhook,
        WebhookCommand::Register {
            webhook_id: webhook,
            by: caller(owner),
            mode,
            url: WebhookUrl::parse("https://agent.example.com/humans2ai").unwrap(),
            events,
            format: WebhookFormat::Humans2Ai,
            endpoints_owned: 0,
            at: at(0),
        },
    );
    webhook
}

fn names(types: &[&str]) -> EventFilter {
    EventFilter::Only(types.iter().map(|t| (*t).to_owned()).collect())
}

#[tokio::test]
async fn a_humans2ai_endpoint_is_sent_its_owners_task_events_that_it_names() {
    let mut db = TestDb::new().await;
    let mut journal = TestJournal::default();
    let (poster, worker, stranger) = (ActorId(new_id()), ActorId(new_id()), ActorId(new_id()));
    journal.deposit(poster, 10_000);
    let everything = register_humans2ai(&mut journal, poster, Mode::Live, EventFilter::All);
    let lifecycle = names(&["task.human_accepted", "task.submitted", "task.completed"]);
    let some = register_humans2ai(&mut journal, poster, Mode::Live, lifecycle);
    let tests = register_humans2ai(&mut journal, poster, Mode::Test, EventFilter::All);
    let workers = register_humans2ai(&mut journal, worker, Mode::Live, EventFilter::All);
    let strangers = register_humans2ai(&mut journal, stranger, Mode::Live, EventFilter::All);
    db.apply(&Outbox, &journal.take()).await;

    let (task, submission) = task_taken_and_submitted(&mut journal, poster, worker);
    journal.task(
        task,
        TaskCommand::Approve {
            submission_id: submission,
            by: caller(poster),
            at: at(4),
        },
    );
    // Expired and disputed, on another task.
    let (other, disputed) = task_taken_and_submitted(&mut journal, poster, worker);
    journal.task(
        other,
        TaskCommand::Dispute {
            submission_id: disputed,
            reason: "not the storefront asked for".to_owned(),
            by: caller(poster),
            at: at(5),
        },
    );
    let idle = TaskId(new_id());
    let mut due = new_task(idle, 1, 1_000);
    due.deadline = Some(at(7));
    journal.task(
        idle,
        TaskCommand::Post {
            task: Box::new(due),
            by: caller(poster),
            at: at(6),
        },
    );
    journal.task(idle, TaskCommand::Expire { at: at(8) });
    db.apply(&Outbox, &journal.take()).await;

    let sent = deliveries(&mut db).await;
    let to = |webhook: WebhookId| -> Vec<(String, String)> {
        sent.iter()
            .filter(|(id, _)| *id == webhook.to_string())
            .cloned()
            .collect()
    };
    assert_eq!(
        to(everything),
        of(
            everything,
            &[
                "TaskAssigned",
                "WorkSubmitted",
                "TaskCompleted",
                "TaskAssigned",
                "WorkSubmitted",
                // Its TaskCompleted, having paid no one, is not task.completed.
                "SubmissionDisputed",
                "TaskExpired",
            ]
        )
    );
    assert_eq!(
        to(some),
        of(
            some,
            &[
                "TaskAssigned",
                "WorkSubmitted",
                "TaskCompleted",
                "TaskAssigned",
                "WorkSubmitted",
            ]
        )
    );
    assert_eq!(
        to(tests),
        [],
        "a test-mode endpoint hears nothing of live work"
    );
    assert_eq!(
        to(workers),
        [],
        "only the poster's endpoints are sent a task's events"
    );
    assert_eq!(to(strangers), []);
    let rows = all_rows::<DeliveryRow>(&mut db.conn).await;
    assert!(rows
        .iter()
        .all(|row| row.owner == poster.to_string() && row.status == "pending"));
}

#[tokio::test]
async fn a_humans2ai_endpoint_hears_only_what_follows_its_registration_until_its_deletion() {
    let mut db = TestDb::new().await;
    let mut journal = TestJournal::default();
    let (poster, worker) = (ActorId(new_id()), ActorId(new_id()));
    journal.deposit(poster, 10_000);
    let task = TaskId(new_id());
    let mut due = new_task(task, 3, 1_000);
    due.deadline = Some(at(5));
    journal.task(
        task,
        TaskCommand::Post {
            task: Box::new(due),
            by: caller(poster),
            at: at(1),
        },
    );
    journal.task(
        task,
        TaskCommand::Accept {
            assignment_id: AssignmentId(new_id()),
            by: caller(worker),
            at: at(2),
        },
    );
    db.apply(&Outbox, &journal.take()).await;
    // Registered after the first acceptance, in a batch of its own.
    let webhook = register_humans2ai(&mut journal, poster, Mode::Live, EventFilter::All);
    db.apply(&Outbox, &journal.take()).await;
    journal.task(
        task,
        TaskCommand::Accept {
            assignment_id: AssignmentId(new_id()),
            by: caller(ActorId(new_id())),
            at: at(3),
        },
    );
    journal.webhook(
        webhook,
        WebhookCommand::Delete {
            by: caller(poster),
            at: at(4),
        },
    );
    journal.task(task, TaskCommand::Expire { at: at(5) });
    db.apply(&Outbox, &journal.take()).await;
    assert_eq!(deliveries(&mut db).await, of(webhook, &["TaskAssigned"]));
    let rows = all_rows::<DeliveryRow>(&mut db.conn).await;
    assert_eq!(rows[0].status, "cancelled");
}

fn register_humai(journal: &mut TestJournal, owner: ActorId, events: EventFilter) -> WebhookId {
    let webhook = WebhookId(new_id());
    journal.webhook(
        webhook,
        WebhookCommand::Register {
            webhook_id: webhook,
            by: caller(owner),
            mode: Mode::Live,
            url: WebhookUrl::parse("https://hooks.example.com/humai").unwrap(),
            events,
            format: WebhookFormat::Humai,
            endpoints_owned: 0,
            at: at(0),
        },
    );
    webhook
}

#[tokio::test]
async fn a_humai_endpoint_hears_its_owners_bids_but_not_what_the_owner_did() {
    use crate::listings::tests::{create, details, place, when};
    use errand_aggregates::bid::BidAction;
    use errand_aggregates::ids::{BidId, ListingId};
    use errand_aggregates::listing::{Direction, SlaHours};
    use errand_aggregates::money::Money;

    let mut db = TestDb::new().await;
    let mut journal = TestJournal::default();
    let mut everything = Vec::new();
    let (owner, bidder, stranger) = (ActorId(new_id()), ActorId(new_id()), ActorId(new_id()));
    let owners = register_humai(&mut journal, owner, EventFilter::All);
    let bidders = register_humai(&mut journal, bidder, EventFilter::All);
    let strangers = register_humai(&mut journal, stranger, EventFilter::All);
    let natives = register(&mut journal, caller(owner), Mode::Live, EventFilter::All);
    let listing = ListingId(new_id());
    create(
        &mut journal,
        listing,
        owner,
        Direction::Buy,
        details("Need a web scraping agent", true),
    );
    let batch = journal.take();
    everything.extend(batch.iter().cloned());
    db.apply(&Outbox, &batch).await;

    let bid = BidId(new_id());
    journal.bid(bid, listing, when(bidder, 2), place(bid, 25_000));
    // Another batch: the parties are remembered across batches.
    let batch = journal.take();
    everything.extend(batch.iter().cloned());
    db.apply(&Outbox, &batch).await;
    journal.bid(bid, listing, when(owner, 3), |listing| BidAction::Counter {
        listing,
        price: Money::usd(21_000),
        sla_hours: SlaHours::parse(36).unwrap(),
        note: None,
    });
    let batch = journal.take();
    everything.extend(batch.iter().cloned());
    db.apply(&Outbox, &batch).await;

    let sent = deliveries(&mut db).await;
    let humai: Vec<(String, String)> = sent
        .iter()
        .filter(|(webhook, _)| *webhook != natives.to_string())
        .cloned()
        .collect();
    // The owner hears the bid placed; the bidder hears the counter; no one hears their own act.
    let mut expected = of(owners, &["BidPlaced"]);
    expected.extend(of(bidders, &["BidCountered"]));
    assert_eq!(humai, expected);
    assert!(sent
        .iter()
        .all(|(webhook, _)| *webhook != strangers.to_string()));
    // The same from a rebuild.
    let mut rebuilt = TestDb::new().await;
    rebuilt.apply(&Outbox, &everything).await;
    assert_eq!(deliveries(&mut rebuilt).await, sent);
}

#[tokio::test]
async fn a_sample_goes_to_the_endpoint_that_asked_alone() {
    let mut db = TestDb::new().await;
    let mut journal = TestJournal::default();
    let owner = ActorId(new_id());
    let asked = register_humai(
        &mut journal,
        owner,
        EventFilter::Only(vec!["bid.received".into()]),
    );
    let other = register_humai(&mut journal, owner, EventFilter::All);
    journal.webhook(
        asked,
        WebhookCommand::Test {
            by: caller(owner),
            event_name: "transaction.created".to_owned(),
            at: at(1),
        },
    );
    db.apply(&Outbox, &journal.take()).await;
    assert_eq!(
        deliveries(&mut db).await,
        of(asked, &["WebhookTestRequested"])
    );
    let _ = other;
}
