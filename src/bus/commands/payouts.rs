//! Payouts: a person's connected payout account, and money leaving their
//! account for it. Requesting a payout appends the `Payout` (once per id) and
//! the account's `PayoutSent` together; the provider's answer is recorded
//! afterwards (`payments::dispatch`), with the money returned if it failed.

use super::credits::{
    draw_lots, is_credit_wallet, open_lot, returned_withdrawal_entry, withdrawal_entry,
};
use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::account::{Account, AccountCommand, AccountId};
use errand_aggregates::actor::Caller;
use errand_aggregates::humai::credit_lots::{CreditSource, DebitPurpose};
use errand_aggregates::ids::{ActorId, PayoutId};
use errand_aggregates::mode::Mode;
use errand_aggregates::money::Money;
use errand_aggregates::payout::{Payout, PayoutCommand, PayoutPurpose};
use errand_aggregates::payout_account::{PayoutAccount, PayoutAccountCommand};
use errand_aggregates::{DomainError, Timestamp};

pub fn payout_stream(payout_id: PayoutId) -> String {
    format!("payout-{payout_id}")
}

pub fn payout_account_stream(owner: ActorId, mode: Mode) -> String {
    PayoutAccount::stream_id(owner, mode)
}

/// The caller connects their own payout account (the provider opened it).
pub async fn connect_payout_account(
    unit: &mut UnitOfWork<'_>,
    by: Caller,
    mode: Mode,
    provider: &str,
    provider_account_id: String,
    at: Timestamp,
) -> Result<PayoutAccount, BusError> {
    by.ensure_not_banned()?;
    let stream = payout_account_stream(by.actor, mode);
    let command = PayoutAccountCommand::Connect {
        owner: by.actor,
        mode,
        provider: provider.to_owned(),
        provider_account_id,
        at,
    };
    unit.decide::<PayoutAccount>(&stream, &command).await?;
    unit.load::<PayoutAccount>(&stream).await
}

/// The provider says the person finished onboarding.
pub async fn complete_payout_onboarding(
    unit: &mut UnitOfWork<'_>,
    owner: ActorId,
    mode: Mode,
    at: Timestamp,
) -> Result<PayoutAccount, BusError> {
    let stream = payout_account_stream(owner, mode);
    unit.decide::<PayoutAccount>(&stream, &PayoutAccountCommand::CompleteOnboarding { at })
        .await?;
    unit.load::<PayoutAccount>(&stream).await
}

pub async fn disable_payout_account(
    unit: &mut UnitOfWork<'_>,
    by: Caller,
    owner: ActorId,
    mode: Mode,
    reason: String,
    at: Timestamp,
) -> Result<PayoutAccount, BusError> {
    let stream = payout_account_stream(owner, mode);
    let command = PayoutAccountCommand::Disable { reason, by, at };
    unit.decide::<PayoutAccount>(&stream, &command).await?;
    unit.load::<PayoutAccount>(&stream).await
}

/// A payout to be requested from `account` to its owner's payout account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewPayout {
    pub payout_id: PayoutId,
    pub account: AccountId,
    pub amount: Money,
    pub purpose: PayoutPurpose,
}

/// Requests a payout: the owner's payout account must be onboarded, the
/// payout id unused and the amount available. The money leaves the account in
/// the same append that records the payout, before the provider is asked.
/// From a Humai credit wallet only cash-backed credits may leave: the
/// withdrawal draws on them first, and is refused if they are too few.
pub async fn request_payout(
    unit: &mut UnitOfWork<'_>,
    payout: &NewPayout,
    provider: &str,
    at: Timestamp,
) -> Result<Payout, BusError> {
    if is_credit_wallet(&payout.account) {
        let entry = withdrawal_entry(payout.payout_id);
        let purpose = DebitPurpose::Withdrawal;
        draw_lots(unit, payout.account, entry, payout.amount, purpose, at).await?;
    }
    let owner = payout.account.owner;
    let payee = unit
        .load::<PayoutAccount>(&payout_account_stream(owner, payout.account.mode))
        .await?;
    let destination = payee.destination()?.to_owned();
    let stream = payout_stream(payout.payout_id);
    let request = PayoutCommand::Request {
        payout_id: payout.payout_id,
        account: payout.account,
        amount: payout.amount,
        destination: destination.clone(),
        purpose: payout.purpose,
        provider: provider.to_owned(),
        at,
    };
    unit.decide::<Payout>(&stream, &request).await?;
    let send = AccountCommand::SendPayout {
        payout_id: payout.payout_id,
        amount: payout.amount,
        destination,
        purpose: payout.purpose,
        at,
    };
    unit.decide::<Account>(&payout.account.stream_id(), &send)
        .await?;
    unit.load::<Payout>(&stream).await
}

/// Records the provider's answer. A failed payout's money returns to its
/// account in the same append.
pub async fn settle_payout(
    unit: &mut UnitOfWork<'_>,
    payout_id: PayoutId,
    outcome: &crate::payments::PayoutOutcome,
    at: Timestamp,
) -> Result<Payout, BusError> {
    use crate::payments::PayoutOutcome;
    let stream = payout_stream(payout_id);
    match outcome {
        PayoutOutcome::Paid { provider_reference } => {
            let command = PayoutCommand::Confirm {
                provider_reference: provider_reference.clone(),
                at,
            };
            unit.decide::<Payout>(&stream, &command).await?;
        }
        PayoutOutcome::Failed { reason } => {
            let command = PayoutCommand::Fail {
                reason: reason.clone(),
                at,
            };
            let (before, _) = unit.decide::<Payout>(&stream, &command).await?;
            let (Some(account), Some(amount)) = (before.account, before.amount) else {
                return Err(DomainError::NotFound("payout").into());
            };
            let give_back = AccountCommand::ReturnPayout {
                payout_id,
                amount,
                reason: reason.clone(),
                at,
            };
            unit.decide::<Account>(&account.stream_id(), &give_back)
                .await?;
            if is_credit_wallet(&account) {
                let entry = returned_withdrawal_entry(payout_id);
                let source = CreditSource::WithdrawalReturned;
                open_lot(unit, account, entry, amount, source, at).await?;
            }
        }
    }
    unit.load::<Payout>(&stream).await
}
