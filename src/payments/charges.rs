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
    if saved_method(&charge.source).is_none() {
        return Err(checkout_is_not_charged());
    }
    let requested = crate::execute!(bus, context, |unit| {
        let by = commands::caller(unit, owner).await?;
        commands::request_charge(unit, by, charge.clone(), Utc::now()).await
    })?;
    // A repeated request carries on with the deposit its first time recorded.
    let funding_id = match requested {
        Executed::DryRun { reply, .. } => return Ok(reply),
        Executed::Done { reply, .. } => reply.funding_id,
        Executed::Replayed(stored) => serde_json::from_str::<Deposit>(&stored.body)
            .ok()
            .and_then(|deposit| deposit.funding_id),
    }
    .unwrap_or(funding_id);
    charge_recorded(bus, provider, context, funding_id).await
}

/// Asks the provider again about a charge left pending (a crash before its
/// answer, a provider that did not answer): charges it once more under its
/// deposit's id, which charges at most once, and records the answer. Returns
/// the deposit as it ends; pending still if the provider did not answer. A
/// deposit already settled is returned as it is, without asking.
pub async fn charge_pending(
    bus: &CommandBus,
    provider: &dyn PaymentProvider,
    funding_id: FundingId,
) -> Result<Deposit, BusError> {
    let context = CommandContext::system(provider.name(), "ChargePending");
    charge_recorded(bus, provider, &context, funding_id).await
}

/// Charges a recorded deposit of a saved method, if it is still pending,
/// under its id, and records the answer as `context`'s follow-up. Without an
/// answer it stays pending; one already settled is returned as it is.
async fn charge_recorded(
    bus: &CommandBus,
    provider: &dyn PaymentProvider,
    context: &CommandContext,
    funding_id: FundingId,
) -> Result<Deposit, BusError> {
    let stream = commands::deposit_stream(funding_id);
    let (deposit, _) = bus.load_fresh::<Deposit>(&stream).await?;
    let Some(amount) = deposit.amount else {
        return Err(errand_aggregates::DomainError::NotFound("deposit").into());
    };
    if deposit.status != DepositStatus::Pending {
        return Ok(deposit);
    }
    let Some(payment_method) = saved_method(&deposit.source) else {
        return Err(checkout_is_not_charged());
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

/// The saved method a deposit charges; none for a checkout.
fn saved_method(source: &DepositSource) -> Option<String> {
    match source {
        DepositSource::SavedMethod { payment_method }
        | DepositSource::AutoReload { payment_method } => Some(payment_method.clone()),
        DepositSource::Checkout => None,
    }
}

fn checkout_is_not_charged() -> BusError {
    BusError::Domain(errand_aggregates::DomainError::Invalid(
        "a checkout deposit is paid at its checkout page, not charged".to_owned(),
    ))
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

#[cfg(test)]
mod tests {
    //! Auto-reload through the bus with the sandbox provider: a post the
    //! balance cannot cover is topped up once and placed; a declined top-up
    //! leaves it refused for funds with nothing credited.

    use super::*;
    use crate::journal::tests::{on_both_backends, TestDatabase};
    use crate::payments::Sandbox;
    use errand_aggregates::account::{Account, AccountId};
    use errand_aggregates::actor::{Caller, Role};
    use errand_aggregates::billing::{AutoReload, BillingCommand};
    use errand_aggregates::fee::FeePolicy;
    use errand_aggregates::ids::{ActorId, HoldId, TaskId};
    use errand_aggregates::mode::Mode;
    use errand_aggregates::money::Money;
    use errand_aggregates::task::{AssignmentMode, NewTask, TaskCommand};
    use errand_aggregates::DomainError;

    fn sandbox() -> Arc<Sandbox> {
        Arc::new(Sandbox {
            base_url: "http://errand.test".to_owned(),
        })
    }

    async fn bus_with_auto_reload(database: &TestDatabase) -> CommandBus {
        let bus = CommandBus::new(database.open().await);
        bus.install_top_ups(Arc::new(AutoReloader {
            provider: sandbox(),
        }));
        bus
    }

    /// An agent whose auto-reload charges `token`'s card `amount_cents` when
    /// a hold would leave less than nothing.
    async fn agent_reloading(bus: &CommandBus, token: &str, amount_cents: i64) -> Caller {
        let actor = ActorId(uuid::Uuid::now_v7());
        let context = CommandContext::system("tests", "RegisterActor");
        crate::execute!(bus, &context, |unit| {
            let at = Utc::now();
            commands::register_actor(unit, actor, Role::Agent, "Ada".into(), None, at).await
        })
        .expect("registered");
        let method = sandbox()
            .save_method(actor, Mode::Live, token)
            .await
            .unwrap()
            .unwrap();
        let by = Caller {
            actor,
            role: Role::Agent,
            standing: errand_aggregates::actor::Standing::Active,
        };
        let settings = AutoReload {
            enabled: true,
            threshold: Money::usd(0),
            amount: Money::usd(amount_cents),
        };
        let changes = [
            BillingCommand::AttachMethod {
                by,
                mode: Mode::Live,
                method,
                at: Utc::now(),
            },
            BillingCommand::ConfigureAutoReload {
                by,
                mode: Mode::Live,
                settings,
                at: Utc::now(),
            },
        ];
        for command in changes {
            let context = CommandContext::system("tests", "Billing");
            crate::execute!(bus, &context, |unit| {
                commands::on_billing(unit, actor, Mode::Live, &command).await
            })
            .expect("billing set up");
        }
        by
    }

    async fn post(
        bus: &CommandBus,
        by: Caller,
        reward_cents: i64,
        slots: u32,
    ) -> Result<(), BusError> {
        let task_id = TaskId(uuid::Uuid::now_v7());
        let task = Box::new(NewTask {
            task_id,
            hold_id: HoldId(uuid::Uuid::now_v7()),
            mode: Mode::Live,
            title: "Test the checkout".into(),
            description: "Buy one thing".into(),
            kind: "usability".into(),
            details: serde_json::json!({}),
            reward: Money::usd(reward_cents),
            slots,
            assignment: AssignmentMode::FirstAccept,
            fee: FeePolicy::percent("10").unwrap(),
            deadline: None,
            assignment_time_limit_s: None,
            review_window_s: None,
        });
        let context = CommandContext::system("tests", "PostTask");
        crate::execute!(bus, &context, |unit| {
            let command = TaskCommand::Post {
                task: task.clone(),
                by,
                at: Utc::now(),
            };
            commands::on_task(unit, task_id, &command).await
        })
        .map(drop)
    }

    /// Every credit the journal holds: its cents and where it came from.
    async fn auto_reloads(bus: &CommandBus) -> Vec<(i64, String)> {
        let events = bus.journal().read_all(0, 1_000).await.unwrap();
        events
            .iter()
            .filter(|e| e.event_type == "FundsDeposited")
            .map(|e| {
                let payload: serde_json::Value = serde_json::from_str(&e.payload).unwrap();
                (
                    payload["amount"]["cents"].as_i64().unwrap(),
                    payload["funding"]["kind"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    async fn a_post_the_balance_cannot_cover_is_topped_up_once_and_placed(database: &TestDatabase) {
        let bus = bus_with_auto_reload(database).await;
        let ada = agent_reloading(&bus, "tok_visa", 2_000).await;
        // $15.00 of escrow on an empty balance: the reload amount covers it.
        post(&bus, ada, 500, 3).await.expect("topped up and posted");
        // $30.00 more on $5.00 left: what the hold lacks ($25.00) is more.
        post(&bus, ada, 1_000, 3)
            .await
            .expect("topped up and posted");
        let account = AccountId::usd(ada.actor, Mode::Live);
        let (state, _) = bus
            .load_fresh::<Account>(&account.stream_id())
            .await
            .unwrap();
        assert_eq!(state.held_cents, 4_500);
        assert_eq!(state.available_cents, 0);
        assert_eq!(state.deposited_cents, 4_500);
        assert_eq!(
            auto_reloads(&bus).await,
            vec![
                (2_000, "auto_reload".to_owned()),
                (2_500, "auto_reload".to_owned())
            ]
        );
    }

    async fn a_declined_top_up_credits_nothing_and_the_post_is_refused_for_funds(
        database: &TestDatabase,
    ) {
        let bus = bus_with_auto_reload(database).await;
        let ada = agent_reloading(&bus, "tok_chargeDeclined", 2_000).await;
        let refused = post(&bus, ada, 500, 1).await;
        assert!(
            matches!(
                refused,
                Err(BusError::Domain(DomainError::InsufficientFunds { .. }))
            ),
            "{refused:?}"
        );
        assert!(auto_reloads(&bus).await.is_empty());
        let failed = bus.journal().read_all(0, 1_000).await.unwrap();
        assert!(failed.iter().any(|e| e.event_type == "DepositFailed"));
        assert!(!failed.iter().any(|e| e.event_type == "TaskPosted"));
    }

    on_both_backends!(
        a_post_the_balance_cannot_cover_is_topped_up_once_and_placed,
        a_declined_top_up_credits_nothing_and_the_post_is_refused_for_funds,
    );
}
