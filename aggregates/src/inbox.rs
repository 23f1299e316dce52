//! `Inbox` (`notifications-<actor>-<mode>`): what an actor has read of their
//! notifications. The notifications themselves are derived from events by a
//! projection (`notifications_view`); marking them read is a command like any
//! other, so a rebuild knows what was read. Ids the reader does not own are
//! recorded as given and change nothing: the projection applies a mark only
//! to the reader's own notifications, so no read model is consulted here.

use crate::aggregate::{Aggregate, DomainEvent};
use crate::error::{Decided, DomainError};
use crate::ids::{ActorId, NotificationId};
use crate::mode::Mode;
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Ids per mark: a page of notifications (the list's largest page is 100).
pub const NOTIFICATION_IDS_PER_MARK_MAX: usize = 100;

/// Notifications' ids live in this namespace (a fixed v4), apart from any other name-based id.
const NOTIFICATION_NAMESPACE: Uuid = Uuid::from_u128(0x3e0c_51a2_8d7f_4b19_a6e4_0c2d_9f71_b85a);

/// The notification the event at `position` makes for `recipient`: the same
/// on every rebuild, and one per event and recipient.
pub fn notification_id(position: i64, recipient: ActorId) -> NotificationId {
    let mut name = [0u8; 24];
    name[..8].copy_from_slice(&position.to_be_bytes());
    name[8..].copy_from_slice(recipient.0.as_bytes());
    NotificationId(Uuid::new_v5(&NOTIFICATION_NAMESPACE, &name))
}

pub fn stream_id(reader: ActorId, mode: Mode) -> String {
    format!("notifications-{reader}-{}", mode.as_str())
}

#[derive(Debug, Clone, PartialEq)]
pub enum InboxCommand {
    MarkRead {
        reader: ActorId,
        mode: Mode,
        ids: Vec<NotificationId>,
        at: Timestamp,
    },
    /// Every notification up to this journal position (the newest the reader was shown).
    MarkAllRead {
        reader: ActorId,
        mode: Mode,
        up_to_position: i64,
        at: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum InboxEvent {
    NotificationsRead {
        reader: ActorId,
        mode: Mode,
        ids: Vec<NotificationId>,
        at: Timestamp,
    },
    AllNotificationsRead {
        reader: ActorId,
        mode: Mode,
        up_to_position: i64,
        at: Timestamp,
    },
}

impl DomainEvent for InboxEvent {
    fn event_type(&self) -> &'static str {
        match self {
            InboxEvent::NotificationsRead { .. } => "NotificationsRead",
            InboxEvent::AllNotificationsRead { .. } => "AllNotificationsRead",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inbox {
    pub reader: Option<(ActorId, Mode)>,
    /// Everything at or before this position is read.
    pub read_up_to_position: i64,
}

impl Inbox {
    fn ensure_addressed(&self, reader: ActorId, mode: Mode) -> Result<(), DomainError> {
        match self.reader {
            Some(owner) if owner != (reader, mode) => Err(DomainError::invalid(format!(
                "a mark for {} reached another inbox",
                stream_id(reader, mode)
            ))),
            _ => Ok(()),
        }
    }
}

impl Aggregate for Inbox {
    const STREAM_PREFIX: &'static str = "notifications";
    type Command = InboxCommand;
    type Event = InboxEvent;

    fn decide(&self, command: &InboxCommand) -> Decided<InboxEvent> {
        match command {
            InboxCommand::MarkRead {
                reader,
                mode,
                ids,
                at,
            } => {
                self.ensure_addressed(*reader, *mode)?;
                if ids.is_empty() || ids.len() > NOTIFICATION_IDS_PER_MARK_MAX {
                    return Err(DomainError::invalid(format!(
                        "mark 1 to {NOTIFICATION_IDS_PER_MARK_MAX} notifications at a time"
                    )));
                }
                let mut ids = ids.clone();
                ids.sort();
                ids.dedup();
                Ok(vec![InboxEvent::NotificationsRead {
                    reader: *reader,
                    mode: *mode,
                    ids,
                    at: *at,
                }])
            }
            InboxCommand::MarkAllRead {
                reader,
                mode,
                up_to_position,
                at,
            } => {
                self.ensure_addressed(*reader, *mode)?;
                if *up_to_position < 0 {
                    return Err(DomainError::invalid("a journal position is never negative"));
                }
                // Already read that far: nothing new to record.
                if *up_to_position <= self.read_up_to_position {
                    return Ok(Vec::new());
                }
                Ok(vec![InboxEvent::AllNotificationsRead {
                    reader: *reader,
                    mode: *mode,
                    up_to_position: *up_to_position,
                    at: *at,
                }])
            }
        }
    }

    fn apply(&mut self, event: &InboxEvent) {
        match event {
            InboxEvent::NotificationsRead { reader, mode, .. } => {
                self.reader = Some((*reader, *mode));
            }
            InboxEvent::AllNotificationsRead {
                reader,
                mode,
                up_to_position,
                ..
            } => {
                self.reader = Some((*reader, *mode));
                self.read_up_to_position = self.read_up_to_position.max(*up_to_position);
            }
        }
    }
}

crate::cqrs_aggregate!(Inbox);

#[cfg(test)]
mod tests {
    use super::*;
    use cqrs_es::test::TestFramework;

    type InboxTest = TestFramework<Inbox>;

    const READER: ActorId = ActorId(Uuid::from_u128(1));

    fn at() -> Timestamp {
        chrono::DateTime::UNIX_EPOCH
    }

    fn id(n: u128) -> NotificationId {
        NotificationId(Uuid::from_u128(n))
    }

    fn mark(ids: Vec<NotificationId>) -> InboxCommand {
        InboxCommand::MarkRead {
            reader: READER,
            mode: Mode::Live,
            ids,
            at: at(),
        }
    }

    fn all_read(up_to_position: i64) -> InboxEvent {
        InboxEvent::AllNotificationsRead {
            reader: READER,
            mode: Mode::Live,
            up_to_position,
            at: at(),
        }
    }

    fn mark_all(up_to_position: i64) -> InboxCommand {
        InboxCommand::MarkAllRead {
            reader: READER,
            mode: Mode::Live,
            up_to_position,
            at: at(),
        }
    }

    #[test]
    fn marking_ids_records_each_once_in_order() {
        InboxTest::with(())
            .given_no_previous_events()
            .when(mark(vec![id(3), id(1), id(3)]))
            .then_expect_events(vec![InboxEvent::NotificationsRead {
                reader: READER,
                mode: Mode::Live,
                ids: vec![id(1), id(3)],
                at: at(),
            }]);
    }

    #[test]
    fn marking_nothing_or_more_than_a_page_is_refused() {
        for count in [0, NOTIFICATION_IDS_PER_MARK_MAX + 1] {
            let ids = (0..count as u128).map(id).collect();
            assert!(matches!(
                Inbox::default().decide(&mark(ids)),
                Err(DomainError::Invalid(_))
            ));
        }
    }

    #[test]
    fn marking_all_moves_the_mark_forward_only() {
        InboxTest::with(())
            .given(vec![all_read(10)])
            .when(mark_all(12))
            .then_expect_events(vec![all_read(12)]);
        InboxTest::with(())
            .given(vec![all_read(10)])
            .when(mark_all(10))
            .then_expect_events(vec![]);
        InboxTest::with(())
            .given_no_previous_events()
            .when(mark_all(-1))
            .then_expect_error(DomainError::invalid("a journal position is never negative"));
    }

    #[test]
    fn one_readers_mark_never_lands_in_anothers_inbox() {
        let other = InboxCommand::MarkAllRead {
            reader: ActorId(Uuid::from_u128(2)),
            mode: Mode::Live,
            up_to_position: 5,
            at: at(),
        };
        assert!(matches!(
            Inbox::fold(&[all_read(1)]).decide(&other),
            Err(DomainError::Invalid(_))
        ));
    }

    #[test]
    fn a_notifications_id_depends_on_its_event_and_recipient_only() {
        let other = ActorId(Uuid::from_u128(2));
        assert_eq!(notification_id(7, READER), notification_id(7, READER));
        assert_ne!(notification_id(7, READER), notification_id(8, READER));
        assert_ne!(notification_id(7, READER), notification_id(7, other));
    }
}
