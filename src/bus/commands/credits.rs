//! Humai's credit wallets: every movement of an RC account is decided with
//! its `CreditLots` in the same unit of work, so the lots (where each credit
//! came from, which credits each debit spent) never disagree with the
//! ledger. Money enters a wallet as a lot (`open_lot`: the halvening grant, a
//! deposit of credits, a withdrawal the provider refused) and leaves by
//! drawing on lots in NIFO order (`draw_lots`: withdrawals here; tool
//! subscriptions and usage call it with their own purpose).
//!
//! A wallet funded before lots were kept (a journal from before them) is
//! given its balance then as an opening lot (`adopt_opening_balance`), in
//! the same append as the first lot decided for it.

use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::account::{Account, AccountId};
use errand_aggregates::humai::credit_lots::{CreditSource, DebitPurpose};
use errand_aggregates::humai::{CreditLots, CreditLotsCommand};
use errand_aggregates::ids::{CreditEntryId, PayoutId};
use errand_aggregates::money::{Currency, Money};
use errand_aggregates::{DomainError, Timestamp};
use uuid::Uuid;

pub fn credit_lots_stream(wallet: &AccountId) -> String {
    CreditLots::stream_id(wallet)
}

/// Whether `account` is a Humai credit wallet, whose movements carry lots.
pub fn is_credit_wallet(account: &AccountId) -> bool {
    account.currency == Currency::RC
}

/// `amount` entered `wallet` (its posting is in this unit): a new lot.
pub async fn open_lot(
    unit: &mut UnitOfWork<'_>,
    wallet: AccountId,
    entry_id: CreditEntryId,
    amount: Money,
    source: CreditSource,
    at: Timestamp,
) -> Result<(), BusError> {
    adopt_opening_balance(unit, wallet, at).await?;
    let command = CreditLotsCommand::Credit {
        wallet,
        entry_id,
        amount,
        source,
        at,
    };
    unit.decide::<CreditLots>(&credit_lots_stream(&wallet), &command)
        .await?;
    Ok(())
}

/// `amount` leaves `wallet` for `purpose` (its posting is the caller's, in
/// this unit): drawn from lots in NIFO order, or refused (insufficient funds
/// in the pools `purpose` may spend).
pub async fn draw_lots(
    unit: &mut UnitOfWork<'_>,
    wallet: AccountId,
    entry_id: CreditEntryId,
    amount: Money,
    purpose: DebitPurpose,
    at: Timestamp,
) -> Result<(), BusError> {
    adopt_opening_balance(unit, wallet, at).await?;
    let command = CreditLotsCommand::Debit {
        wallet,
        entry_id,
        amount,
        purpose,
        at,
    };
    unit.decide::<CreditLots>(&credit_lots_stream(&wallet), &command)
        .await?;
    Ok(())
}

/// If `wallet` has never had a lot, its balance as the journal holds it
/// (before this unit's own postings) becomes its first lot.
async fn adopt_opening_balance(
    unit: &mut UnitOfWork<'_>,
    wallet: AccountId,
    at: Timestamp,
) -> Result<(), BusError> {
    let lots = unit
        .load::<CreditLots>(&credit_lots_stream(&wallet))
        .await?;
    if lots.wallet.is_some() {
        return Ok(());
    }
    let account = unit.load_committed::<Account>(&wallet.stream_id()).await?;
    let balance = account.available_cents + account.held_cents;
    if balance == 0 {
        return Ok(());
    }
    let command = CreditLotsCommand::Credit {
        wallet,
        entry_id: opening_balance_entry(&wallet),
        amount: Money::from_cents(balance, Currency::RC).map_err(DomainError::from)?,
        source: CreditSource::OpeningBalance,
        at,
    };
    unit.decide::<CreditLots>(&credit_lots_stream(&wallet), &command)
        .await?;
    Ok(())
}

/// A wallet's opening lot, named after the wallet (it has one at most).
pub fn opening_balance_entry(wallet: &AccountId) -> CreditEntryId {
    CreditEntryId(Uuid::new_v5(&wallet.owner.0, wallet.stream_id().as_bytes()))
}

/// A withdrawal's history entry is its payout.
pub fn withdrawal_entry(payout_id: PayoutId) -> CreditEntryId {
    CreditEntryId(payout_id.0)
}

/// The lot a refused withdrawal's credits come back in: named after the
/// payout, apart from the withdrawal's own entry.
pub fn returned_withdrawal_entry(payout_id: PayoutId) -> CreditEntryId {
    CreditEntryId(Uuid::new_v5(&payout_id.0, b"withdrawal returned"))
}
