//! Sending a requested payout to the provider and recording its answer
//! through the bus. The money already left the account when the payout was
//! requested, so whatever happens here (a crash, a timeout) loses nothing:
//! the payout stays pending and sending it again — same idempotency key —
//! pays it at most once.

use super::{PayoutOrder, PayoutProvider};
use crate::bus::{commands, BusError, CommandBus, CommandContext, Executed};
use chrono::Utc;
use errand_aggregates::ids::PayoutId;
use errand_aggregates::payout::{Payout, PayoutStatus};
use errand_aggregates::DomainError;

/// A payout after it was sent: its state, and where its outcome landed in the
/// journal (none if nothing was recorded: already settled, no answer yet).
#[derive(Debug, Clone)]
pub struct Dispatched {
    pub payout: Payout,
    pub last_position: Option<i64>,
}

/// Sends `payout_id` to the provider if it is still pending, and records the
/// answer. Without an answer the payout is left pending for the next try.
pub async fn send(
    bus: &CommandBus,
    provider: &dyn PayoutProvider,
    payout_id: PayoutId,
) -> Result<Dispatched, BusError> {
    let stream = commands::payout_stream(payout_id);
    let (payout, _) = bus.load_fresh::<Payout>(&stream).await?;
    let (Some(amount), true) = (payout.amount, payout.exists()) else {
        return Err(DomainError::NotFound("payout").into());
    };
    if payout.status != PayoutStatus::Pending {
        return Ok(Dispatched {
            payout,
            last_position: None,
        });
    }
    let order = PayoutOrder {
        payout_id,
        destination: payout.destination.clone(),
        amount,
    };
    let outcome = match provider.send_payout(&order).await {
        Ok(outcome) => outcome,
        Err(unavailable) => {
            tracing::warn!(%payout_id, error = %unavailable, "payout left pending");
            return Ok(Dispatched {
                payout,
                last_position: None,
            });
        }
    };
    let context = CommandContext::system(provider.name(), "SettlePayout");
    let executed = crate::execute!(bus, &context, |unit| {
        commands::settle_payout(unit, payout_id, &outcome, Utc::now()).await
    });
    match executed {
        Ok(Executed::Done {
            reply,
            last_position,
        }) => Ok(Dispatched {
            payout: reply,
            last_position: Some(last_position),
        }),
        // Someone else recorded the answer first (another request, another instance).
        Err(BusError::Domain(DomainError::Conflict(_)))
        | Ok(Executed::Replayed(_) | Executed::DryRun { .. }) => {
            let (payout, _) = bus.load_fresh::<Payout>(&stream).await?;
            Ok(Dispatched {
                payout,
                last_position: None,
            })
        }
        Err(error) => Err(error),
    }
}
