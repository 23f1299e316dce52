//! `Thread` (`thread-<task id>`): a task's conversation. A stream of its own,
//! so chatting never contends with the task's commands. Who takes part is
//! read from the task's state (loaded in the same unit of work, not appended
//! to): its poster, anyone who applied to it, anyone who is or was assigned
//! to it. Admins may read a thread; only participants post.

use crate::actor::Caller;
use crate::aggregate::{Aggregate, DomainEvent};
use crate::error::{Decided, DomainError};
use crate::ids::{ActorId, MessageId, TaskId};
use crate::task::Task;
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Humans2AI's limit on one message, in characters (not bytes).
pub const MESSAGE_MAX_CHARS: usize = 2_000;
/// A task's chat is a conversation about one piece of work, not a log: this
/// bounds what its readers page through and what one task's abuse can write.
pub const MESSAGES_PER_THREAD_MAX: u32 = 10_000;

pub const NOT_A_PARTICIPANT: &str =
    "only the task's poster, its applicants and its workers take part in its messages";

/// How someone takes part in a task, the strongest tie first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Participation {
    Poster,
    /// Is or was assigned to it.
    Worker,
    /// Applied to it, never assigned.
    Applicant,
}

impl Participation {
    pub fn as_str(self) -> &'static str {
        match self {
            Participation::Poster => "poster",
            Participation::Worker => "worker",
            Participation::Applicant => "applicant",
        }
    }
}

/// How `actor` takes part in `task`, if at all.
pub fn participation(task: &Task, actor: ActorId) -> Option<Participation> {
    if task.poster == Some(actor) {
        Some(Participation::Poster)
    } else if task.assignments.iter().any(|a| a.worker == actor) {
        Some(Participation::Worker)
    } else if task.applications.iter().any(|a| a.applicant == actor) {
        Some(Participation::Applicant)
    } else {
        None
    }
}

/// Everyone who takes part in `task` but `sender`: whom a message is for.
pub fn recipients(task: &Task, sender: ActorId) -> Vec<ActorId> {
    let workers = task.assignments.iter().map(|a| a.worker);
    let applicants = task.applications.iter().map(|a| a.applicant);
    let everyone: BTreeSet<ActorId> = task
        .poster
        .into_iter()
        .chain(workers)
        .chain(applicants)
        .filter(|actor| *actor != sender)
        .collect();
    everyone.into_iter().collect()
}

/// A task's messages are for its participants and admins; a task that does
/// not exist has none.
pub fn may_read(task: &Task, caller: &Caller) -> Result<(), DomainError> {
    if !task.exists() {
        return Err(DomainError::NotFound("task"));
    }
    caller.ensure_not_banned()?;
    if caller.is_admin() || participation(task, caller.actor).is_some() {
        Ok(())
    } else {
        Err(DomainError::forbidden(NOT_A_PARTICIPANT))
    }
}

/// A message's text: trimmed, 1 to `MESSAGE_MAX_CHARS` characters, no NUL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    pub fn parse(text: &str) -> Result<MessageBody, DomainError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(DomainError::invalid("a message cannot be empty"));
        }
        if text.chars().count() > MESSAGE_MAX_CHARS {
            return Err(DomainError::invalid(format!(
                "a message is at most {MESSAGE_MAX_CHARS} characters"
            )));
        }
        if text.contains('\0') {
            return Err(DomainError::invalid("a message cannot contain NUL"));
        }
        Ok(MessageBody(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ThreadCommand {
    /// `sender` posts on `task_id`'s thread. `participation` and `recipients`
    /// are read from the task's current state (`participation`, `recipients`).
    Post {
        task_id: TaskId,
        message_id: MessageId,
        sender: Caller,
        participation: Option<Participation>,
        recipients: Vec<ActorId>,
        body: MessageBody,
        at: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ThreadEvent {
    MessagePosted {
        task_id: TaskId,
        message_id: MessageId,
        sender: ActorId,
        /// How the sender took part in the task when posting.
        participation: Participation,
        /// The task's other participants at the time: whom it notifies.
        recipients: Vec<ActorId>,
        body: String,
        at: Timestamp,
    },
}

impl DomainEvent for ThreadEvent {
    fn event_type(&self) -> &'static str {
        match self {
            ThreadEvent::MessagePosted { .. } => "MessagePosted",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Thread {
    pub task_id: Option<TaskId>,
    pub messages: u32,
    pub last_message_at: Option<Timestamp>,
}

impl Aggregate for Thread {
    const STREAM_PREFIX: &'static str = "thread";
    type Command = ThreadCommand;
    type Event = ThreadEvent;

    fn decide(&self, command: &ThreadCommand) -> Decided<ThreadEvent> {
        let ThreadCommand::Post {
            task_id,
            message_id,
            sender,
            participation,
            recipients,
            body,
            at,
        } = command;
        if self.task_id.is_some_and(|id| id != *task_id) {
            return Err(DomainError::invalid(format!(
                "a message for task {task_id} reached another task's thread"
            )));
        }
        sender.ensure_not_banned()?;
        let participation = participation.ok_or(DomainError::forbidden(NOT_A_PARTICIPANT))?;
        if self.messages >= MESSAGES_PER_THREAD_MAX {
            return Err(DomainError::conflict(format!(
                "this task's thread is full ({MESSAGES_PER_THREAD_MAX} messages)"
            )));
        }
        Ok(vec![ThreadEvent::MessagePosted {
            task_id: *task_id,
            message_id: *message_id,
            sender: sender.actor,
            participation,
            recipients: recipients
                .iter()
                .copied()
                .filter(|r| *r != sender.actor)
                .collect(),
            body: body.as_str().to_owned(),
            at: *at,
        }])
    }

    fn apply(&mut self, event: &ThreadEvent) {
        match event {
            ThreadEvent::MessagePosted { task_id, at, .. } => {
                self.task_id = Some(*task_id);
                self.messages += 1;
                self.last_message_at = Some(*at);
            }
        }
    }
}

crate::cqrs_aggregate!(Thread);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::{Role, Standing};
    use crate::task::{Application, ApplicationStatus, Assignment, AssignmentStatus};
    use cqrs_es::test::TestFramework;
    use uuid::Uuid;

    type ThreadTest = TestFramework<Thread>;

    const TASK: TaskId = TaskId(Uuid::from_u128(0x7a5c));
    const POSTER: ActorId = ActorId(Uuid::from_u128(1));
    const WORKER: ActorId = ActorId(Uuid::from_u128(2));
    const APPLICANT: ActorId = ActorId(Uuid::from_u128(3));
    const STRANGER: ActorId = ActorId(Uuid::from_u128(4));

    fn at() -> Timestamp {
        chrono::DateTime::UNIX_EPOCH
    }

    fn caller(actor: ActorId, role: Role) -> Caller {
        Caller {
            actor,
            role,
            standing: Standing::Active,
        }
    }

    fn task() -> Task {
        Task {
            id: Some(TASK),
            poster: Some(POSTER),
            assignments: vec![Assignment {
                id: crate::ids::AssignmentId(Uuid::from_u128(10)),
                worker: WORKER,
                application_id: None,
                status: AssignmentStatus::Abandoned,
                assigned_at: at(),
                expires_at: None,
            }],
            applications: vec![Application {
                id: crate::ids::ApplicationId(Uuid::from_u128(11)),
                applicant: APPLICANT,
                note: None,
                status: ApplicationStatus::Pending,
                at: at(),
            }],
            ..Task::default()
        }
    }

    fn post(sender: ActorId, text: &str) -> ThreadCommand {
        let task = task();
        ThreadCommand::Post {
            task_id: TASK,
            message_id: MessageId(Uuid::from_u128(99)),
            sender: caller(sender, Role::Human),
            participation: participation(&task, sender),
            recipients: recipients(&task, sender),
            body: MessageBody::parse(text).unwrap(),
            at: at(),
        }
    }

    fn posted(sender: ActorId, participation: Participation, to: Vec<ActorId>) -> ThreadEvent {
        ThreadEvent::MessagePosted {
            task_id: TASK,
            message_id: MessageId(Uuid::from_u128(99)),
            sender,
            participation,
            recipients: to,
            body: "On my way".to_owned(),
            at: at(),
        }
    }

    #[test]
    fn the_poster_posts_to_every_applicant_and_worker() {
        ThreadTest::with(())
            .given_no_previous_events()
            .when(post(POSTER, "  On my way \n"))
            .then_expect_events(vec![posted(
                POSTER,
                Participation::Poster,
                vec![WORKER, APPLICANT],
            )]);
    }

    #[test]
    fn a_worker_once_assigned_and_an_applicant_take_part_too() {
        ThreadTest::with(())
            .given(vec![posted(POSTER, Participation::Poster, vec![])])
            .when(post(WORKER, "On my way"))
            .then_expect_events(vec![posted(
                WORKER,
                Participation::Worker,
                vec![POSTER, APPLICANT],
            )]);
        ThreadTest::with(())
            .given_no_previous_events()
            .when(post(APPLICANT, "On my way"))
            .then_expect_events(vec![posted(
                APPLICANT,
                Participation::Applicant,
                vec![POSTER, WORKER],
            )]);
    }

    #[test]
    fn a_stranger_may_not_post() {
        ThreadTest::with(())
            .given_no_previous_events()
            .when(post(STRANGER, "hello"))
            .then_expect_error(DomainError::forbidden(NOT_A_PARTICIPANT));
    }

    #[test]
    fn a_banned_participant_may_not_post() {
        let mut command = post(WORKER, "hello");
        let ThreadCommand::Post { sender, .. } = &mut command;
        sender.standing = Standing::Banned;
        ThreadTest::with(())
            .given_no_previous_events()
            .when(command)
            .then_expect_error(DomainError::forbidden("actor is banned"));
    }

    #[test]
    fn a_full_thread_takes_no_more_messages() {
        let mut full = Thread::fold(&[posted(POSTER, Participation::Poster, vec![])]);
        full.messages = MESSAGES_PER_THREAD_MAX;
        assert!(matches!(
            full.decide(&post(POSTER, "one more")),
            Err(DomainError::Conflict(_))
        ));
    }

    #[test]
    fn a_message_is_one_to_two_thousand_characters_counted_not_bytes() {
        assert!(MessageBody::parse("   ").is_err());
        assert!(MessageBody::parse("a\0b").is_err());
        let longest = "é".repeat(MESSAGE_MAX_CHARS);
        assert_eq!(MessageBody::parse(&longest).unwrap().as_str(), longest);
        assert!(MessageBody::parse(&"x".repeat(MESSAGE_MAX_CHARS + 1)).is_err());
    }

    #[test]
    fn participants_and_admins_read_and_strangers_do_not() {
        let task = task();
        for actor in [POSTER, WORKER, APPLICANT] {
            assert!(may_read(&task, &caller(actor, Role::Human)).is_ok());
        }
        assert!(may_read(&task, &caller(STRANGER, Role::Admin)).is_ok());
        assert_eq!(
            may_read(&task, &caller(STRANGER, Role::Human)),
            Err(DomainError::forbidden(NOT_A_PARTICIPANT))
        );
        assert_eq!(
            may_read(&Task::default(), &caller(POSTER, Role::Human)),
            Err(DomainError::NotFound("task"))
        );
    }

    #[test]
    fn an_admin_reads_but_does_not_post_unless_taking_part() {
        let task = task();
        assert_eq!(participation(&task, STRANGER), None);
        let command = ThreadCommand::Post {
            task_id: TASK,
            message_id: MessageId(Uuid::from_u128(99)),
            sender: caller(STRANGER, Role::Admin),
            participation: participation(&task, STRANGER),
            recipients: recipients(&task, STRANGER),
            body: MessageBody::parse("hi").unwrap(),
            at: at(),
        };
        assert!(matches!(
            Thread::default().decide(&command),
            Err(DomainError::Forbidden(_))
        ));
    }
}
