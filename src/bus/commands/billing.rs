//! An owner's billing profile: saved payment method and auto-reload.

use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::billing::{BillingCommand, BillingProfile};
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;

pub fn billing_stream(owner: ActorId, mode: Mode) -> String {
    format!("billing-{owner}-{}", mode.as_str())
}

/// The owner's profile decides; returns it as it is after.
pub async fn on_billing(
    unit: &mut UnitOfWork<'_>,
    owner: ActorId,
    mode: Mode,
    command: &BillingCommand,
) -> Result<BillingProfile, BusError> {
    let stream = billing_stream(owner, mode);
    unit.decide::<BillingProfile>(&stream, command).await?;
    unit.load::<BillingProfile>(&stream).await
}
