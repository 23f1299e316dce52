//! Auto-reload, between two tries of a command. A command whose hold would
//! set off the owner's auto-reload (`billing::top_up`) stops deciding with
//! [`BusError::TopUpDue`]; the bus has the top-up charged and credited —
//! each its own append, through [`TopUps`] — and decides the command again
//! on the topped-up balance. So no decision waits on a payment provider, a
//! charge always lands in a deposit of its own, and a command tops up at
//! most once: deciding again, it places the hold or is refused for funds.

use super::{BusError, CommandBus, CommandContext};
use errand_aggregates::billing::TopUp;
use errand_aggregates::ids::FundingId;
use futures::future::BoxFuture;
use uuid::Uuid;

/// Charges an owner's saved payment method for a top-up and records it as
/// a deposit (see `payments::AutoReloader`). A declined or unanswered
/// charge is not an error: the command decides again without the money.
pub trait TopUps: Send + Sync {
    fn top_up<'a>(
        &'a self,
        bus: &'a CommandBus,
        context: &'a CommandContext,
        funding_id: FundingId,
        top_up: &'a TopUp,
    ) -> BoxFuture<'a, Result<(), BusError>>;
}

/// A command's one top-up is named after the command, so the provider,
/// charging idempotently on it, charges a retried top-up once.
pub fn top_up_funding_id(context: &CommandContext) -> FundingId {
    let name = format!("auto-reload:{}", context.command_id);
    FundingId(Uuid::new_v5(&Uuid::NAMESPACE_OID, name.as_bytes()))
}
