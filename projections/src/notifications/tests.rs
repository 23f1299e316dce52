use super::*;
use crate::testing::*;
use errand_aggregates::actor::{Role, Standing};
use errand_aggregates::ids::{ApplicationId, AssignmentId, SubmissionId, TaskId};
use errand_aggregates::inbox::InboxCommand;
use errand_aggregates::mode::Mode;
use errand_aggregates::referral::ReferralCommand;
use errand_aggregates::task::{AssignmentMode, Proof, TaskCommand};

/// Each recipient's notifications as (kind, read), oldest first.
async fn inbox_of(db: &mut TestDb, actor: ActorId) -> Vec<(String, bool)> {
    let mut rows: Vec<NotificationRow> = all_rows(&mut db.conn).await;
    rows.retain(|row| row.recipient == actor.to_string());
    rows.sort_by_key(|row| row.position);
    let marks: Vec<ReaderMark> = all_rows(&mut db.conn).await;
    let watermark = marks
        .iter()
        .find(|m| m.reader_id == ReaderMark::reader_id(&actor.to_string(), "live"))
        .map_or(0, |m| m.read_up_to_position);
    rows.into_iter()
        .map(|row| (row.kind, row.is_read == 1 || row.position <= watermark))
        .collect()
}

fn kinds(inbox: &[(String, bool)]) -> Vec<&str> {
    inbox.iter().map(|(kind, _)| kind.as_str()).collect()
}

struct Story {
    poster: ActorId,
    worker: ActorId,
    task: TaskId,
}

/// An apply-and-select task: applied, a message each way around the
/// selection, work submitted and rejected; then a first-accept task taken,
/// done and approved.
fn story(journal: &mut TestJournal) -> Story {
    let (poster, worker) = (ActorId(new_id()), ActorId(new_id()));
    let task = TaskId(new_id());
    journal.deposit(poster, 10_000);
    let mut new = new_task(task, 1, 1_000);
    new.assignment = AssignmentMode::ApplySelect;
    journal.task(
        task,
        TaskCommand::Post {
            task: Box::new(new),
            by: caller(poster),
            at: at(1),
        },
    );
    let application = ApplicationId(new_id());
    journal.task(
        task,
        TaskCommand::Apply {
            application_id: application,
            note: None,
            by: caller(worker),
            at: at(2),
        },
    );
    journal.message(task, worker, "Is the back door fine?");
    journal.task(
        task,
        TaskCommand::Select {
            application_id: application,
            assignment_id: AssignmentId(new_id()),
            by: caller(poster),
            at: at(3),
        },
    );
    journal.message(task, poster, "Yes");
    let submit = |journal: &mut TestJournal, task: TaskId| {
        let submission = SubmissionId(new_id());
        journal.task(
            task,
            TaskCommand::Submit {
                submission_id: submission,
                proof: Proof::text("done"),
                by: caller(worker),
                at: at(10),
            },
        );
        submission
    };
    let rejected = submit(journal, task);
    journal.task(
        task,
        TaskCommand::Reject {
            submission_id: rejected,
            reason: "blurry".into(),
            by: caller(poster),
            at: at(20),
        },
    );
    // A second task, taken and approved.
    let second = TaskId(new_id());
    journal.task(second, post_task(second, poster));
    journal.task(second, accept(worker));
    let approved = submit(journal, second);
    journal.task(
        second,
        TaskCommand::Approve {
            submission_id: approved,
            by: caller(poster),
            at: at(30),
        },
    );
    Story {
        poster,
        worker,
        task,
    }
}

#[tokio::test]
async fn each_event_notifies_the_actor_it_concerns_and_no_one_else() {
    let mut db = TestDb::new().await;
    let mut journal = TestJournal::default();
    let Story {
        poster,
        worker,
        task,
    } = story(&mut journal);
    db.apply(&Notifications, &journal.take()).await;
    let poster_inbox = inbox_of(&mut db, poster).await;
    assert_eq!(
        kinds(&poster_inbox),
        [
            "application_received",
            "message_received",
            "work_submitted",
            "work_submitted"
        ]
    );
    let worker_inbox = inbox_of(&mut db, worker).await;
    assert_eq!(
        kinds(&worker_inbox),
        [
            "assigned",
            "message_received",
            "submission_rejected",
            "assigned",
            "submission_approved",
            "payment_received"
        ]
    );
    assert!(poster_inbox.iter().all(|(_, read)| !read));
    let rows: Vec<NotificationRow> = all_rows(&mut db.conn).await;
    let approved = rows
        .iter()
        .find(|row| row.kind == "submission_approved")
        .unwrap();
    assert_ne!(approved.task_id, Some(task.to_string()));
    assert!(approved.task_id.is_some());
    assert_eq!(approved.mode, "live");
    assert!(approved.text.contains("$8.20"), "{}", approved.text);
    assert!(rows.iter().all(|row| row.notification_id
        == notification_id(row.position, ActorId::parse(&row.recipient).unwrap()).to_string()));
}

#[tokio::test]
async fn an_expired_task_and_a_dispute_tell_the_poster_and_the_worker() {
    let mut db = TestDb::new().await;
    let mut journal = TestJournal::default();
    let (poster, worker) = (ActorId(new_id()), ActorId(new_id()));
    let task = TaskId(new_id());
    journal.deposit(poster, 10_000);
    journal.task(task, post_task(task, poster));
    journal.task(task, accept(worker));
    let submission = SubmissionId(new_id());
    journal.task(
        task,
        TaskCommand::Submit {
            submission_id: submission,
            proof: Proof::text("done"),
            by: caller(worker),
            at: at(5),
        },
    );
    // The submission is recorded in one batch, its dispute read in the next.
    db.apply(&Notifications, &journal.take()).await;
    journal.task(
        task,
        TaskCommand::Dispute {
            submission_id: submission,
            reason: "not the right shop".into(),
            by: caller(poster),
            at: at(6),
        },
    );
    let expiring = TaskId(new_id());
    let mut new = new_task(expiring, 1, 1_000);
    new.deadline = Some(at(100));
    journal.task(
        expiring,
        TaskCommand::Post {
            task: Box::new(new),
            by: caller(poster),
            at: at(7),
        },
    );
    journal.task(expiring, TaskCommand::Expire { at: at(100) });
    db.apply(&Notifications, &journal.take()).await;
    assert_eq!(
        kinds(&inbox_of(&mut db, worker).await),
        ["assigned", "submission_disputed"]
    );
    assert_eq!(
        kinds(&inbox_of(&mut db, poster).await),
        ["work_submitted", "task_expired"]
    );
}

#[tokio::test]
async fn marks_by_id_touch_only_the_readers_own_and_mark_all_reads_up_to_its_position() {
    let mut db = TestDb::new().await;
    let mut journal = TestJournal::default();
    let Story { poster, worker, .. } = story(&mut journal);
    db.apply(&Notifications, &journal.take()).await;
    let mut rows: Vec<NotificationRow> = all_rows(&mut db.conn).await;
    rows.sort_by_key(|row| row.position);
    let id_of = |kind: &str, actor: ActorId| {
        let row = rows
            .iter()
            .find(|r| r.kind == kind && r.recipient == actor.to_string())
            .unwrap();
        errand_aggregates::ids::NotificationId::parse(&row.notification_id).unwrap()
    };
    // The worker marks one of theirs and one of the poster's.
    journal.inbox(InboxCommand::MarkRead {
        reader: worker,
        mode: Mode::Live,
        ids: vec![
            id_of("assigned", worker),
            id_of("application_received", poster),
        ],
        at: at(40),
    });
    db.apply(&Notifications, &journal.take()).await;
    let read: Vec<bool> = inbox_of(&mut db, worker)
        .await
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    assert_eq!(read, [true, false, false, false, false, false]);
    assert!(inbox_of(&mut db, poster).await.iter().all(|(_, r)| !r));

    let message = rows
        .iter()
        .find(|r| r.kind == "message_received" && r.recipient == worker.to_string())
        .unwrap();
    journal.inbox(InboxCommand::MarkAllRead {
        reader: worker,
        mode: Mode::Live,
        up_to_position: message.position,
        at: at(41),
    });
    db.apply(&Notifications, &journal.take()).await;
    let read: Vec<bool> = inbox_of(&mut db, worker)
        .await
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    assert_eq!(read, [true, true, false, false, false, false]);
}

#[tokio::test]
async fn a_referral_bonus_notifies_the_referrer() {
    let mut db = TestDb::new().await;
    let mut journal = TestJournal::default();
    let (referrer, referee) = (ActorId(new_id()), ActorId(new_id()));
    journal.referral(ReferralCommand::Record {
        referee,
        referee_role: Role::Human,
        referee_name: "Bea".into(),
        referrer: Some(errand_aggregates::actor::Caller {
            actor: referrer,
            role: Role::Agent,
            standing: Standing::Active,
        }),
        bonus: Money::usd(500),
        mode: Mode::Live,
        at: at(1),
    });
    db.apply(&Notifications, &journal.take()).await;
    let rows: Vec<NotificationRow> = all_rows(&mut db.conn).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].recipient, referrer.to_string());
    assert_eq!(rows[0].kind, "referral_bonus");
    assert!(rows[0].text.contains("$5.00"), "{}", rows[0].text);
}
