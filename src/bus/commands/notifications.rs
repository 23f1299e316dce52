//! Marking notifications read: the reader's `Inbox` stream records it; the
//! `notifications` projection applies it to the reader's own rows.

use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::inbox::{self, Inbox, InboxCommand};

/// Records a mark (by ids, or all up to a position) in the reader's inbox.
pub async fn mark_notifications_read(
    unit: &mut UnitOfWork<'_>,
    command: InboxCommand,
) -> Result<Inbox, BusError> {
    let (InboxCommand::MarkRead { reader, mode, .. }
    | InboxCommand::MarkAllRead { reader, mode, .. }) = &command;
    let stream = inbox::stream_id(*reader, *mode);
    unit.decide::<Inbox>(&stream, &command).await?;
    unit.load::<Inbox>(&stream).await
}
