use super::credits::{is_credit_wallet, open_lot};
use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::account::{Account, AccountCommand, AccountId, Funding};
use errand_aggregates::actor::{Actor, Caller};
use errand_aggregates::deposit::{Deposit, DepositCommand, DepositSource};
use errand_aggregates::humai::credit_lots::CreditSource;
use errand_aggregates::ids::{CreditEntryId, FundingId};
use errand_aggregates::money::Money;
use errand_aggregates::{policy, DomainError, Timestamp};

pub fn deposit_stream(funding_id: FundingId) -> String {
    format!("deposit-{funding_id}")
}

/// An audited grant of platform money to an actor's account (admins only).
pub async fn grant_credit(
    unit: &mut UnitOfWork<'_>,
    by: Caller,
    account: AccountId,
    funding_id: FundingId,
    amount: Money,
    reason: String,
    at: Timestamp,
) -> Result<Account, BusError> {
    policy::may_grant_credit(&by)?;
    let reason = policy::audited_reason(&reason)?;
    ensure_actor(unit, account).await?;
    let command = AccountCommand::Fund {
        account,
        funding_id,
        amount,
        funding: Funding::Grant {
            reason,
            granted_by: by.actor,
        },
        at,
    };
    unit.decide::<Account>(&account.stream_id(), &command)
        .await?;
    unit.load::<Account>(&account.stream_id()).await
}

pub async fn request_deposit(
    unit: &mut UnitOfWork<'_>,
    by: Caller,
    account: AccountId,
    funding_id: FundingId,
    amount: Money,
    provider: &str,
    at: Timestamp,
) -> Result<Deposit, BusError> {
    let charge = NewCharge {
        funding_id,
        account,
        amount,
        provider: provider.to_owned(),
        source: DepositSource::Checkout,
    };
    request_charge(unit, by, charge, at).await
}

/// A deposit to be paid: at the provider's checkout, or charged to a saved method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCharge {
    pub funding_id: FundingId,
    pub account: AccountId,
    pub amount: Money,
    pub provider: String,
    pub source: DepositSource,
}

/// Records a deposit as requested (pending), before the provider is asked
/// to charge it, so a charge always has a deposit to land in.
pub async fn request_charge(
    unit: &mut UnitOfWork<'_>,
    by: Caller,
    charge: NewCharge,
    at: Timestamp,
) -> Result<Deposit, BusError> {
    by.ensure_not_banned()?;
    let stream = deposit_stream(charge.funding_id);
    let command = DepositCommand::Request {
        funding_id: charge.funding_id,
        account: charge.account,
        amount: charge.amount,
        provider: charge.provider,
        source: charge.source,
        at,
    };
    unit.decide::<Deposit>(&stream, &command).await?;
    unit.load::<Deposit>(&stream).await
}

/// The provider declined the charge: the deposit fails, nothing is credited.
pub async fn fail_deposit(
    unit: &mut UnitOfWork<'_>,
    funding_id: FundingId,
    reason: String,
    at: Timestamp,
) -> Result<Deposit, BusError> {
    let stream = deposit_stream(funding_id);
    unit.decide::<Deposit>(&stream, &DepositCommand::Fail { reason, at })
        .await?;
    unit.load::<Deposit>(&stream).await
}

/// The payment provider confirmed the money: the deposit completes and the
/// account is credited in the same append, at most once.
pub async fn complete_deposit(
    unit: &mut UnitOfWork<'_>,
    funding_id: FundingId,
    at: Timestamp,
) -> Result<Deposit, BusError> {
    let stream = deposit_stream(funding_id);
    let (deposit, _) = unit
        .decide::<Deposit>(&stream, &DepositCommand::Complete { at })
        .await?;
    let (Some(account), Some(amount)) = (deposit.account, deposit.amount) else {
        return Err(DomainError::NotFound("deposit").into());
    };
    let command = AccountCommand::Fund {
        account,
        funding_id,
        amount,
        funding: deposit.funding(),
        at,
    };
    unit.decide::<Account>(&account.stream_id(), &command)
        .await?;
    // Credits bought with money are cash-backed: withdrawable.
    if is_credit_wallet(&account) {
        let entry = CreditEntryId(funding_id.0);
        open_lot(unit, account, entry, amount, CreditSource::Deposit, at).await?;
    }
    unit.load::<Deposit>(&stream).await
}

async fn ensure_actor(unit: &mut UnitOfWork<'_>, account: AccountId) -> Result<(), BusError> {
    let actor = unit
        .load::<Actor>(&super::actors::actor_stream(account.owner))
        .await?;
    if actor.exists() {
        Ok(())
    } else {
        Err(DomainError::NotFound("actor").into())
    }
}
