//! Charging an owner's saved payment method. The deposit is recorded first
//! (pending), so the provider is only ever asked to charge a deposit the
//! ledger knows, under the deposit's id as idempotency key; then its answer
//! is recorded: completed (the account is credited in the same append) or
//! failed. Without an answer the deposit stays pending, and charging it
//! again (same id) charges at most once.

use super::{ChargeOrder, ChargeOutcome, PaymentProvider};
use crate::bus::{commands, BusError, CommandBus, CommandContext, Executed, TopUps};
use chrono::Utc;
use errand_aggregates::billing::TopUp;
use errand_aggregates::deposit::{Deposit, DepositSource, DepositStatus};
use errand_aggregates::ids::FundingId;
use futures::future::BoxFuture;
use std::sync::Arc;

/// Charges `charge` to its saved method. `context` carries the request (its
/// Idempotency-Key applies to recording the deposit; a repeat finds the
/// deposit recorded and carries on from where it is). Returns the deposit as
/// it ends: completed, failed, or pending if the provider did not answer.
pub async fn charge_saved_method(
    bus: &CommandBus,
    provider: &dyn PaymentProvider,
    context: &CommandContext,
    charge: commands::NewCharge,
) -> Result<Deposit, BusError> {
    let (funding_id, owner) = (charge.funding_id, charge.account.owner);
    let (DepositSource::SavedMethod { payment_method }
    | DepositSource::AutoReload { payment_method }) = charge.source.clone()
    else {
        return Err(BusError::Domain(errand_aggregates::DomainError::Invalid(
            "a checkout deposit is paid at its checkout page, not charged".to_owned(),
        )));
    };
    let requested = crate::execute!(bus, context, |unit| {
        let by = commands::caller(unit, owner).await?;
        commands::request_charge(unit, by, charge.clone(), Utc::now()).await
    })?;
    if let Executed::DryRun { reply, .. } = requested {
        return Ok(reply);
    }
    let stream = commands::deposit_stream(funding_id);
    let (deposit, _) = bus.load_fresh::<Deposit>(&stream).await?;
    let Some(amount) = deposit
        .amount
        .filter(|_| deposit.status == DepositStatus::Pending)
    else {
        return Ok(deposit);
    };
    let order = ChargeOrder {
        funding_id,
        payment_method,
        amount,
    };
    let outcome = match provider.charge(&order).await {
        Ok(outcome) => outcome,
        Err(unavailable) => {
            tracing::warn!(%funding_id, error = %unavailable, "charge left pending");
            return Ok(deposit);
        }
    };
    record_outcome(bus, context, funding_id, outcome).await
}

/// Records the provider's answer; someone else recording it first is fine.
async fn record_outcome(
    bus: &CommandBus,
    context: &CommandContext,
    funding_id: FundingId,
    outcome: ChargeOutcome,
) -> Result<Deposit, BusError> {
    let (name, reason) = match outcome {
        ChargeOutcome::Paid { .. } => ("CompleteDeposit", None),
        ChargeOutcome::Declined { reason } => ("FailDeposit", Some(reason)),
    };
    let context = follow_up(context, name);
    let recorded = crate::execute!(bus, &context, |unit| {
        match &reason {
            None => commands::complete_deposit(unit, funding_id, Utc::now()).await,
            Some(reason) => {
                commands::fail_deposit(unit, funding_id, reason.clone(), Utc::now()).await
            }
        }
    });
    match recorded {
        Ok(Executed::Done { reply, .. } | Executed::DryRun { reply, .. }) => Ok(reply),
        Ok(Executed::Replayed(_))
        | Err(BusError::Domain(errand_aggregates::DomainError::Conflict(_))) => {
            let stream = commands::deposit_stream(funding_id);
            Ok(bus.load_fresh::<Deposit>(&stream).await?.0)
        }
        Err(error) => Err(error),
    }
}

/// A command that follows from `context`'s request: same principal, actor
/// and request (so the journal ties them together), its own id, and no
/// Idempotency-Key (the request's names its first command only).
fn follow_up(context: &CommandContext, command: &'static str) -> CommandContext {
    CommandContext {
        command,
        command_id: uuid::Uuid::now_v7().to_string(),
        idempotency: None,
        guards: Vec::new(),
        ..context.clone()
    }
}

/// Charges auto-reloads (installed on the bus at start).
pub struct AutoReloader {
    pub provider: Arc<dyn PaymentProvider>,
}

impl TopUps for AutoReloader {
    fn top_up<'a>(
        &'a self,
        bus: &'a CommandBus,
        context: &'a CommandContext,
        funding_id: FundingId,
        top_up: &'a TopUp,
    ) -> BoxFuture<'a, Result<(), BusError>> {
        Box::pin(async move {
            let charge = commands::NewCharge {
                funding_id,
                account: top_up.account,
                amount: top_up.amount,
                provider: self.provider.name().to_owned(),
                source: DepositSource::AutoReload {
                    payment_method: top_up.method.id.clone(),
                },
            };
            let context = follow_up(context, "AutoReload");
            match charge_saved_method(bus, &*self.provider, &context, charge).await {
                Ok(deposit) => {
                    if deposit.status != DepositStatus::Completed {
                        tracing::info!(%funding_id, status = deposit.status.as_str(), "auto-reload did not credit");
                    }
                    Ok(())
                }
                // The owner may not be charged (banned, the deposit refused):
                // the command goes on without the money.
                Err(BusError::Domain(refusal)) => {
                    tracing::info!(%funding_id, %refusal, "auto-reload refused");
                    Ok(())
                }
                Err(error) => Err(error),
            }
        })
    }
}
