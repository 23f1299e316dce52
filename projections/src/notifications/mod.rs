//! `notifications_view`: what happened that concerns an actor, one row per
//! event and recipient (id = `inbox::notification_id(position, recipient)`):
//!
//! | event | to | kind |
//! |---|---|---|
//! | `TaskApplied` | the poster | `application_received` |
//! | `TaskAssigned` | the worker | `assigned` |
//! | `WorkSubmitted` | the poster | `work_submitted` |
//! | `SubmissionApproved` / `Rejected` / `Disputed` | the worker | `submission_approved` / … |
//! | `TaskExpired` | the poster | `task_expired` |
//! | `MessagePosted` | every other participant | `message_received` |
//! | `PaymentReceived` | the account's owner | `payment_received` |
//! | `FundsDeposited` (a referral bonus) | the referrer | `referral_bonus` |
//!
//! Read marks come from the `Inbox` streams: by id, applied only to the
//! reader's own rows (others' ids change nothing), or "all up to a position",
//! kept as the reader's watermark in `notification_readers` so marking all
//! rewrites no rows.

mod rows;

use errand_aggregates::account::{AccountEvent, Funding};
use errand_aggregates::inbox::{notification_id, InboxEvent};
use errand_aggregates::money::Money;
use errand_aggregates::task::TaskEvent;
use errand_aggregates::thread::ThreadEvent;
use errand_aggregates::Event;
use errand_aggregates::{ids::ActorId, Timestamp};
use sqlx::AnyConnection;

pub use rows::{NotificationRow, NotifiedSubmission, NotifiedTask, ReaderMark};

use crate::accounts::parse_account_stream;
use crate::rows::Rows;
use crate::{micros, stream_suffix, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Notifications;

/// A title quoted in a notification's text is cut here: a text is a line, not the task.
const TITLE_QUOTED_MAX_CHARS: usize = 60;

/// The rows one batch touches.
#[derive(Default)]
struct Touched {
    notifications: Rows<NotificationRow>,
    tasks: Rows<NotifiedTask>,
    submissions: Rows<NotifiedSubmission>,
    readers: Rows<ReaderMark>,
}

impl Projection for Notifications {
    fn name(&self) -> &'static str {
        "notifications"
    }

    fn tables(&self) -> &'static [&'static str] {
        &[
            "notifications_view",
            "notification_tasks",
            "notification_submissions",
            "notification_readers",
        ]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut touched = Touched::default();
        prefetch(conn, &mut touched, events).await?;
        for projected in events {
            apply(conn, &mut touched, projected).await?;
        }
        let Touched {
            notifications,
            tasks,
            submissions,
            readers,
        } = touched;
        notifications.flush(conn).await?;
        tasks.flush(conn).await?;
        submissions.flush(conn).await?;
        readers.flush(conn).await?;
        Ok(())
    }
}

/// Loads, a statement per table, the rows the batch's events name.
async fn prefetch(
    conn: &mut AnyConnection,
    touched: &mut Touched,
    events: &[ProjectedEvent],
) -> Result<(), sqlx::Error> {
    let mut tasks = Vec::new();
    let mut submissions = Vec::new();
    let mut notifications = Vec::new();
    let mut readers = Vec::new();
    for projected in events {
        match &projected.event {
            Event::Task(_) => tasks.push(stream_suffix(&projected.stream_id).to_owned()),
            Event::Thread(ThreadEvent::MessagePosted { task_id, .. }) => {
                tasks.push(task_id.to_string())
            }
            Event::Inbox(InboxEvent::NotificationsRead { ids, .. }) => {
                notifications.extend(ids.iter().map(ToString::to_string))
            }
            Event::Inbox(InboxEvent::AllNotificationsRead { reader, mode, .. }) => {
                readers.push(ReaderMark::reader_id(&reader.to_string(), mode.as_str()))
            }
            _ => {}
        }
        if let Event::Task(
            TaskEvent::SubmissionRejected { submission_id, .. }
            | TaskEvent::SubmissionDisputed { submission_id, .. },
        ) = &projected.event
        {
            submissions.push(submission_id.to_string());
        }
    }
    touched.tasks.prefetch(conn, tasks).await?;
    touched.submissions.prefetch(conn, submissions).await?;
    touched.notifications.prefetch(conn, notifications).await?;
    touched.readers.prefetch(conn, readers).await?;
    Ok(())
}

/// A notification about to be written.
struct Notice<'a> {
    recipient: String,
    mode: String,
    kind: &'static str,
    task_id: Option<&'a str>,
    text: String,
}

fn notify(touched: &mut Touched, projected: &ProjectedEvent, at: Timestamp, notice: Notice<'_>) {
    let Some(recipient) = ActorId::parse(&notice.recipient) else {
        return;
    };
    touched.notifications.put(NotificationRow {
        notification_id: notification_id(projected.position, recipient).to_string(),
        recipient: notice.recipient,
        mode: notice.mode,
        kind: notice.kind.to_owned(),
        task_id: notice.task_id.map(str::to_owned),
        text: notice.text,
        position: projected.position,
        created_at_us: micros(at),
        is_read: 0,
    });
}

fn quoted(title: &str) -> String {
    let mut cut: String = title.chars().take(TITLE_QUOTED_MAX_CHARS).collect();
    if title.chars().count() > TITLE_QUOTED_MAX_CHARS {
        cut.push('…');
    }
    format!("“{cut}”")
}

async fn apply(
    conn: &mut AnyConnection,
    touched: &mut Touched,
    projected: &ProjectedEvent,
) -> Result<(), ProjectionError> {
    match &projected.event {
        Event::Task(event) => apply_task(touched, projected, event),
        Event::Thread(ThreadEvent::MessagePosted {
            task_id,
            recipients,
            at,
            ..
        }) => {
            let task_id = task_id.to_string();
            let task = task_of(touched, projected, &task_id)?;
            for recipient in recipients {
                let notice = Notice {
                    recipient: recipient.to_string(),
                    mode: task.mode.clone(),
                    kind: "message_received",
                    task_id: Some(&task_id),
                    text: format!("New message on {}", quoted(&task.title)),
                };
                notify(touched, projected, *at, notice);
            }
            Ok(())
        }
        Event::Account(event) => {
            let Some(account) = parse_account_stream(&projected.stream_id) else {
                return Err(ProjectionError::inconsistent(
                    projected,
                    "stream id does not name an account",
                ));
            };
            let (kind, text, at) = match event {
                AccountEvent::PaymentReceived { amount, at, .. } => {
                    ("payment_received", format!("You were paid {amount}"), at)
                }
                AccountEvent::FundsDeposited {
                    amount,
                    funding: Funding::ReferralBonus { .. },
                    at,
                    ..
                } => (
                    "referral_bonus",
                    format!("You earned a {amount} referral bonus"),
                    at,
                ),
                _ => return Ok(()),
            };
            let notice = Notice {
                recipient: account.owner.to_string(),
                mode: account.mode.as_str().to_owned(),
                kind,
                task_id: None,
                text,
            };
            notify(touched, projected, *at, notice);
            Ok(())
        }
        Event::Inbox(InboxEvent::NotificationsRead {
            reader, mode, ids, ..
        }) => {
            let (reader, mode) = (reader.to_string(), mode.as_str());
            for id in ids {
                let id = id.to_string();
                if let Some(row) = touched.notifications.get_mut(conn, &id).await? {
                    if row.recipient == reader && row.mode == mode {
                        row.is_read = 1;
                    }
                }
            }
            Ok(())
        }
        Event::Inbox(InboxEvent::AllNotificationsRead {
            reader,
            mode,
            up_to_position,
            ..
        }) => {
            let reader_id = ReaderMark::reader_id(&reader.to_string(), mode.as_str());
            match touched.readers.get_mut(conn, &reader_id).await? {
                Some(mark) => {
                    mark.read_up_to_position = mark.read_up_to_position.max(*up_to_position)
                }
                None => touched.readers.put(ReaderMark {
                    reader_id,
                    read_up_to_position: *up_to_position,
                }),
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The task a notification is about (prefetched); every task event follows its `TaskPosted`.
fn task_of(
    touched: &Touched,
    projected: &ProjectedEvent,
    task_id: &str,
) -> Result<NotifiedTask, ProjectionError> {
    touched
        .tasks
        .cached(task_id)
        .cloned()
        .ok_or_else(|| ProjectionError::inconsistent(projected, "a task never posted"))
}

fn apply_task(
    touched: &mut Touched,
    projected: &ProjectedEvent,
    event: &TaskEvent,
) -> Result<(), ProjectionError> {
    let task_id = stream_suffix(&projected.stream_id).to_owned();
    if let TaskEvent::TaskPosted {
        poster,
        mode,
        title,
        ..
    } = event
    {
        touched.tasks.put(NotifiedTask {
            task_id,
            poster: poster.to_string(),
            mode: mode.as_str().to_owned(),
            title: title.clone(),
        });
        return Ok(());
    }
    let worker_of = |touched: &Touched, submission: &str| {
        touched
            .submissions
            .cached(submission)
            .map(|row| row.worker.clone())
    };
    // (recipient, kind, text, at)
    let (recipient, kind, text, at): (Option<String>, &'static str, String, &Timestamp) = {
        let task = task_of(touched, projected, &task_id)?;
        let title = quoted(&task.title);
        match event {
            TaskEvent::TaskApplied { at, .. } => (
                Some(task.poster.clone()),
                "application_received",
                format!("New application on {title}"),
                at,
            ),
            TaskEvent::TaskAssigned {
                worker,
                application_id,
                at,
                ..
            } => (
                Some(worker.to_string()),
                "assigned",
                match application_id {
                    Some(_) => format!("Your application to {title} was selected"),
                    None => format!("You took {title}"),
                },
                at,
            ),
            TaskEvent::WorkSubmitted {
                submission_id,
                worker,
                at,
                ..
            } => {
                touched.submissions.put(NotifiedSubmission {
                    submission_id: submission_id.to_string(),
                    task_id: task_id.clone(),
                    worker: worker.to_string(),
                });
                (
                    Some(task.poster.clone()),
                    "work_submitted",
                    format!("Work was submitted on {title}"),
                    at,
                )
            }
            TaskEvent::SubmissionApproved {
                worker, payout, at, ..
            } => (
                Some(worker.to_string()),
                "submission_approved",
                approved_text(&title, payout),
                at,
            ),
            TaskEvent::SubmissionRejected {
                submission_id, at, ..
            } => (
                worker_of(touched, &submission_id.to_string()),
                "submission_rejected",
                format!("Your work on {title} was rejected"),
                at,
            ),
            TaskEvent::SubmissionDisputed {
                submission_id,
                worker,
                at,
                ..
            } => (
                worker
                    .map(|w| w.to_string())
                    .or_else(|| worker_of(touched, &submission_id.to_string())),
                "submission_disputed",
                format!("Your work on {title} was disputed"),
                at,
            ),
            TaskEvent::TaskExpired { at } => (
                Some(task.poster.clone()),
                "task_expired",
                format!("{title} expired"),
                at,
            ),
            _ => return Ok(()),
        }
    };
    let Some(recipient) = recipient else {
        return Err(ProjectionError::inconsistent(
            projected,
            "a submission never submitted",
        ));
    };
    let mode = task_of(touched, projected, &task_id)?.mode;
    let notice = Notice {
        recipient,
        mode,
        kind,
        task_id: Some(&task_id),
        text,
    };
    notify(touched, projected, *at, notice);
    Ok(())
}

fn approved_text(title: &str, payout: &Money) -> String {
    format!("Your work on {title} was approved: {payout} is yours")
}

#[cfg(test)]
mod tests;
