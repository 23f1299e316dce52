//! `Account` (`account-<actor>-<mode>-<currency>`): one actor's money in one
//! mode and currency. Available and held balances never go negative; a hold
//! is settled piece by piece (each settlement id at most once) and never for
//! more than it still holds.

use crate::aggregate::{Aggregate, DomainEvent};
use crate::error::{Decided, DomainError};
use crate::ids::{ActorId, FundingId, HoldId, PayoutId, SettlementId, TaskId};
use crate::mode::Mode;
use crate::money::{Currency, Money};
use crate::payout::PayoutPurpose;
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AccountId {
    pub owner: ActorId,
    pub mode: Mode,
    pub currency: Currency,
}

impl AccountId {
    pub fn usd(owner: ActorId, mode: Mode) -> Self {
        AccountId {
            owner,
            mode,
            currency: Currency::USD,
        }
    }

    pub fn stream_id(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "account-{}-{}-{}",
            self.owner,
            self.mode.as_str(),
            self.currency.code()
        )
    }
}

/// Where money that enters the ledger came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Funding {
    /// Paid in through a payment provider.
    Deposit { provider: String },
    /// Charged to the owner's saved payment method by auto-reload, because a
    /// hold needed more than the balance had (see `billing`).
    AutoReload {
        provider: String,
        payment_method: String,
    },
    /// Granted by the platform (promotions, admin credits), with the reason audited.
    Grant { reason: String, granted_by: ActorId },
    /// A free task of the account's allowance paid (part of) this task's escrow
    /// from the platform's promotions (see `promotion`).
    FreeTask { task_id: TaskId },
    /// The platform's bonus for referring `referee`, who registered with the
    /// account owner's referral code (see `referral`).
    ReferralBonus { referee: ActorId },
    /// Humai's halvening grant with founding slot `slot`, in RC (see `humai::genesis`).
    HalveningGrant { slot: u32 },
}

#[derive(Debug, Clone, PartialEq)]
pub enum AccountCommand {
    Fund {
        account: AccountId,
        funding_id: FundingId,
        amount: Money,
        funding: Funding,
        at: Timestamp,
    },
    PlaceHold {
        account: AccountId,
        hold_id: HoldId,
        task_id: TaskId,
        amount: Money,
        at: Timestamp,
    },
    IncreaseHold {
        hold_id: HoldId,
        amount: Money,
        at: Timestamp,
    },
    CaptureHold {
        hold_id: HoldId,
        settlement_id: SettlementId,
        gross: Money,
        fee: Money,
        payee: ActorId,
        at: Timestamp,
    },
    ReleaseHold {
        hold_id: HoldId,
        settlement_id: SettlementId,
        amount: Money,
        at: Timestamp,
    },
    ReceivePayment {
        account: AccountId,
        settlement_id: SettlementId,
        payer: ActorId,
        amount: Money,
        at: Timestamp,
    },
    /// Money leaves the ledger to the owner's connected account (`payout`).
    SendPayout {
        payout_id: PayoutId,
        amount: Money,
        destination: String,
        purpose: PayoutPurpose,
        at: Timestamp,
    },
    /// The payout failed at the provider: its money comes back.
    ReturnPayout {
        payout_id: PayoutId,
        amount: Money,
        reason: String,
        at: Timestamp,
    },
    /// A promotion: the next `count` tasks posted from this account are funded
    /// by the platform up to `cap_per_task` each.
    GrantFreeTasks {
        account: AccountId,
        count: u32,
        cap_per_task: Money,
        at: Timestamp,
    },
    /// A task is being posted with this escrow: a free task, if any is left,
    /// pays for it (up to the cap) before the wallet does.
    FundFreeTask {
        account: AccountId,
        task_id: TaskId,
        escrow: Money,
        at: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum AccountEvent {
    FundsDeposited {
        account: AccountId,
        funding_id: FundingId,
        amount: Money,
        funding: Funding,
        at: Timestamp,
    },
    HoldPlaced {
        account: AccountId,
        hold_id: HoldId,
        task_id: TaskId,
        amount: Money,
        at: Timestamp,
    },
    HoldIncreased {
        hold_id: HoldId,
        amount: Money,
        at: Timestamp,
    },
    /// `gross` leaves the hold: `fee` to the platform, the rest to `payee`
    /// (credited by the `PaymentReceived` appended with it).
    HoldCaptured {
        hold_id: HoldId,
        settlement_id: SettlementId,
        gross: Money,
        fee: Money,
        payee: ActorId,
        at: Timestamp,
    },
    HoldReleased {
        hold_id: HoldId,
        settlement_id: SettlementId,
        amount: Money,
        at: Timestamp,
    },
    PaymentReceived {
        account: AccountId,
        settlement_id: SettlementId,
        payer: ActorId,
        amount: Money,
        at: Timestamp,
    },
    PayoutSent {
        payout_id: PayoutId,
        amount: Money,
        /// The provider's connected account; empty in payouts recorded before it was.
        #[serde(default)]
        destination: String,
        #[serde(default)]
        purpose: PayoutPurpose,
        at: Timestamp,
    },
    /// A payout failed at the provider and its money came back.
    PayoutReturned {
        payout_id: PayoutId,
        amount: Money,
        reason: String,
        at: Timestamp,
    },
    /// A free-task allowance; no money moves until a task spends one.
    FreeTasksGranted {
        account: AccountId,
        count: u32,
        cap_per_task: Money,
        at: Timestamp,
    },
}

impl DomainEvent for AccountEvent {
    fn event_type(&self) -> &'static str {
        match self {
            AccountEvent::FundsDeposited { .. } => "FundsDeposited",
            AccountEvent::HoldPlaced { .. } => "HoldPlaced",
            AccountEvent::HoldIncreased { .. } => "HoldIncreased",
            AccountEvent::HoldCaptured { .. } => "HoldCaptured",
            AccountEvent::HoldReleased { .. } => "HoldReleased",
            AccountEvent::PaymentReceived { .. } => "PaymentReceived",
            AccountEvent::PayoutSent { .. } => "PayoutSent",
            AccountEvent::PayoutReturned { .. } => "PayoutReturned",
            AccountEvent::FreeTasksGranted { .. } => "FreeTasksGranted",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Hold {
    pub task_id: Option<TaskId>,
    pub remaining_cents: i64,
    /// Settlements already applied, so a retried capture or release is refused.
    pub settlements: Vec<SettlementId>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: Option<AccountId>,
    pub available_cents: i64,
    pub held_cents: i64,
    /// Open holds; a hold leaves this map when nothing remains in it.
    pub holds: BTreeMap<HoldId, Hold>,
    pub deposited_cents: i64,
    pub granted_cents: i64,
    pub earned_cents: i64,
    pub spent_cents: i64,
    pub fees_paid_cents: i64,
    pub paid_out_cents: i64,
    /// Free tasks left of the promotion (see `promotion`).
    #[serde(default)]
    pub free_tasks_remaining: u32,
    /// The most a free task pays of a task's escrow.
    #[serde(default)]
    pub free_task_cap_cents: i64,
}

impl Account {
    fn currency(&self) -> Currency {
        self.id.map(|id| id.currency).unwrap_or_default()
    }

    fn ensure_currency(&self, amount: Money) -> Result<(), DomainError> {
        if self.id.is_some() && amount.currency != self.currency() {
            return Err(DomainError::invalid(format!(
                "account holds {}, not {}",
                self.currency().code(),
                amount.currency.code()
            )));
        }
        Ok(())
    }

    /// A command that names its account must name this one, in its currency:
    /// applying another id would change this account's identity (and currency)
    /// under its balances.
    pub(crate) fn ensure_addressed(
        &self,
        account: &AccountId,
        amount: Money,
    ) -> Result<(), DomainError> {
        if self.id.is_some_and(|id| id != *account) {
            return Err(DomainError::invalid(format!(
                "a command for {account} reached {}",
                self.id.map(|id| id.to_string()).unwrap_or_default()
            )));
        }
        if amount.currency != account.currency {
            return Err(DomainError::invalid(format!(
                "account holds {}, not {}",
                account.currency.code(),
                amount.currency.code()
            )));
        }
        Ok(())
    }

    pub(crate) fn ensure_available(&self, cents: i64) -> Result<(), DomainError> {
        if cents > self.available_cents {
            return Err(DomainError::InsufficientFunds {
                available_cents: self.available_cents,
                needed_cents: cents,
            });
        }
        Ok(())
    }

    fn open_hold(&self, hold_id: HoldId) -> Result<&Hold, DomainError> {
        self.holds
            .get(&hold_id)
            .ok_or_else(|| DomainError::conflict("hold is unknown or already fully settled"))
    }

    fn ensure_settleable(
        &self,
        hold_id: HoldId,
        settlement_id: SettlementId,
        cents: i64,
    ) -> Result<(), DomainError> {
        let hold = self.open_hold(hold_id)?;
        if hold.settlements.contains(&settlement_id) {
            return Err(DomainError::conflict("this settlement was already applied"));
        }
        if cents <= 0 || cents > hold.remaining_cents {
            return Err(DomainError::conflict(format!(
                "cannot settle {cents} cents from a hold of {} cents",
                hold.remaining_cents
            )));
        }
        Ok(())
    }

    fn settle(&mut self, hold_id: HoldId, settlement_id: SettlementId, cents: i64) {
        self.held_cents -= cents;
        if let Some(hold) = self.holds.get_mut(&hold_id) {
            hold.remaining_cents -= cents;
            hold.settlements.push(settlement_id);
            if hold.remaining_cents == 0 {
                self.holds.remove(&hold_id);
            }
        }
    }
}

fn ensure_positive(amount: Money) -> Result<(), DomainError> {
    if amount.cents <= 0 {
        return Err(DomainError::invalid("amount must be greater than zero"));
    }
    Ok(())
}

impl Aggregate for Account {
    const STREAM_PREFIX: &'static str = "account";
    type Command = AccountCommand;
    type Event = AccountEvent;

    fn decide(&self, command: &AccountCommand) -> Decided<AccountEvent> {
        match command {
            AccountCommand::Fund {
                account,
                funding_id,
                amount,
                funding,
                at,
            } => {
                ensure_positive(*amount)?;
                self.ensure_addressed(account, *amount)?;
                self.available_cents
                    .checked_add(amount.cents)
                    .filter(|total| *total <= crate::money::MAX_AMOUNT_CENTS)
                    .ok_or(DomainError::Money(crate::money::MoneyError::TooLarge))?;
                Ok(vec![AccountEvent::FundsDeposited {
                    account: *account,
                    funding_id: *funding_id,
                    amount: *amount,
                    funding: funding.clone(),
                    at: *at,
                }])
            }
            AccountCommand::PlaceHold {
                account,
                hold_id,
                task_id,
                amount,
                at,
            } => {
                ensure_positive(*amount)?;
                self.ensure_addressed(account, *amount)?;
                if self.holds.contains_key(hold_id) {
                    return Err(DomainError::conflict("hold already placed"));
                }
                self.ensure_available(amount.cents)?;
                Ok(vec![AccountEvent::HoldPlaced {
                    account: *account,
                    hold_id: *hold_id,
                    task_id: *task_id,
                    amount: *amount,
                    at: *at,
                }])
            }
            AccountCommand::IncreaseHold {
                hold_id,
                amount,
                at,
            } => {
                ensure_positive(*amount)?;
                self.ensure_currency(*amount)?;
                self.open_hold(*hold_id)?;
                self.ensure_available(amount.cents)?;
                Ok(vec![AccountEvent::HoldIncreased {
                    hold_id: *hold_id,
                    amount: *amount,
                    at: *at,
                }])
            }
            AccountCommand::CaptureHold {
                hold_id,
                settlement_id,
                gross,
                fee,
                payee,
                at,
            } => {
                ensure_positive(*gross)?;
                self.ensure_currency(*gross)?;
                if fee.currency != gross.currency || fee.cents < 0 || fee.cents > gross.cents {
                    return Err(DomainError::invalid(
                        "fee must be in the gross amount's currency, between zero and the gross",
                    ));
                }
                self.ensure_settleable(*hold_id, *settlement_id, gross.cents)?;
                Ok(vec![AccountEvent::HoldCaptured {
                    hold_id: *hold_id,
                    settlement_id: *settlement_id,
                    gross: *gross,
                    fee: *fee,
                    payee: *payee,
                    at: *at,
                }])
            }
            AccountCommand::ReleaseHold {
                hold_id,
                settlement_id,
                amount,
                at,
            } => {
                self.ensure_currency(*amount)?;
                self.ensure_settleable(*hold_id, *settlement_id, amount.cents)?;
                Ok(vec![AccountEvent::HoldReleased {
                    hold_id: *hold_id,
                    settlement_id: *settlement_id,
                    amount: *amount,
                    at: *at,
                }])
            }
            AccountCommand::ReceivePayment {
                account,
                settlement_id,
                payer,
                amount,
                at,
            } => {
                // A zero payment (a 100 % fee) still records that the work was paid.
                if amount.cents < 0 {
                    return Err(DomainError::invalid("payment must not be negative"));
                }
                self.ensure_addressed(account, *amount)?;
                Ok(vec![AccountEvent::PaymentReceived {
                    account: *account,
                    settlement_id: *settlement_id,
                    payer: *payer,
                    amount: *amount,
                    at: *at,
                }])
            }
            AccountCommand::SendPayout {
                payout_id,
                amount,
                destination,
                purpose,
                at,
            } => {
                ensure_positive(*amount)?;
                self.ensure_currency(*amount)?;
                self.ensure_available(amount.cents)?;
                Ok(vec![AccountEvent::PayoutSent {
                    payout_id: *payout_id,
                    amount: *amount,
                    destination: destination.clone(),
                    purpose: *purpose,
                    at: *at,
                }])
            }
            AccountCommand::ReturnPayout {
                payout_id,
                amount,
                reason,
                at,
            } => {
                ensure_positive(*amount)?;
                self.ensure_currency(*amount)?;
                // Which payout failed is the `Payout` stream's to know; the account
                // only makes sure it never gets back more than it sent out.
                if amount.cents > self.paid_out_cents {
                    return Err(DomainError::conflict(format!(
                        "cannot return {} cents: {} cents were paid out",
                        amount.cents, self.paid_out_cents
                    )));
                }
                Ok(vec![AccountEvent::PayoutReturned {
                    payout_id: *payout_id,
                    amount: *amount,
                    reason: reason.clone(),
                    at: *at,
                }])
            }
            AccountCommand::GrantFreeTasks {
                account,
                count,
                cap_per_task,
                at,
            } => crate::promotion::grant(self, account, *count, *cap_per_task, *at),
            AccountCommand::FundFreeTask {
                account,
                task_id,
                escrow,
                at,
            } => crate::promotion::fund(self, account, *task_id, *escrow, *at),
        }
    }

    fn apply(&mut self, event: &AccountEvent) {
        match event {
            AccountEvent::FundsDeposited {
                account,
                amount,
                funding,
                ..
            } => {
                self.id = Some(*account);
                self.available_cents += amount.cents;
                match funding {
                    Funding::Deposit { .. } | Funding::AutoReload { .. } => {
                        self.deposited_cents += amount.cents
                    }
                    Funding::Grant { .. }
                    | Funding::ReferralBonus { .. }
                    | Funding::HalveningGrant { .. } => self.granted_cents += amount.cents,
                    Funding::FreeTask { .. } => {
                        self.granted_cents += amount.cents;
                        self.free_tasks_remaining = self.free_tasks_remaining.saturating_sub(1);
                    }
                }
            }
            AccountEvent::HoldPlaced {
                account,
                hold_id,
                task_id,
                amount,
                ..
            } => {
                self.id = Some(*account);
                self.available_cents -= amount.cents;
                self.held_cents += amount.cents;
                self.holds.insert(
                    *hold_id,
                    Hold {
                        task_id: Some(*task_id),
                        remaining_cents: amount.cents,
                        settlements: Vec::new(),
                    },
                );
            }
            AccountEvent::HoldIncreased {
                hold_id, amount, ..
            } => {
                self.available_cents -= amount.cents;
                self.held_cents += amount.cents;
                if let Some(hold) = self.holds.get_mut(hold_id) {
                    hold.remaining_cents += amount.cents;
                }
            }
            AccountEvent::HoldCaptured {
                hold_id,
                settlement_id,
                gross,
                fee,
                ..
            } => {
                self.settle(*hold_id, *settlement_id, gross.cents);
                self.spent_cents += gross.cents;
                self.fees_paid_cents += fee.cents;
            }
            AccountEvent::HoldReleased {
                hold_id,
                settlement_id,
                amount,
                ..
            } => {
                self.settle(*hold_id, *settlement_id, amount.cents);
                self.available_cents += amount.cents;
            }
            AccountEvent::PaymentReceived {
                account, amount, ..
            } => {
                self.id = Some(*account);
                self.available_cents += amount.cents;
                self.earned_cents += amount.cents;
            }
            AccountEvent::PayoutSent { amount, .. } => {
                self.available_cents -= amount.cents;
                self.paid_out_cents += amount.cents;
            }
            // `paid_out_cents` counts what left for good.
            AccountEvent::PayoutReturned { amount, .. } => {
                self.available_cents += amount.cents;
                self.paid_out_cents -= amount.cents;
            }
            AccountEvent::FreeTasksGranted {
                account,
                count,
                cap_per_task,
                ..
            } => {
                self.id = Some(*account);
                self.free_tasks_remaining = self.free_tasks_remaining.saturating_add(*count);
                self.free_task_cap_cents = cap_per_task.cents;
            }
        }
    }
}

crate::cqrs_aggregate!(Account);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::MAX_AMOUNT_CENTS;
    use chrono::TimeZone;
    use cqrs_es::test::TestFramework;
    use uuid::Uuid;

    type AccountTest = TestFramework<Account>;

    const OWNER: ActorId = ActorId(Uuid::from_u128(0x1));
    const WORKER: ActorId = ActorId(Uuid::from_u128(0x2));
    const HOLD: HoldId = HoldId(Uuid::from_u128(0x401d));
    const TASK: TaskId = TaskId(Uuid::from_u128(0x7a5c));

    fn at() -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
    }

    fn account() -> AccountId {
        AccountId::usd(OWNER, Mode::Live)
    }

    fn usd(cents: i64) -> Money {
        Money::usd(cents)
    }

    fn credits(amount: i64) -> Money {
        Money::from_cents(amount, Currency::RC).unwrap()
    }

    fn settlement(n: u128) -> SettlementId {
        SettlementId(Uuid::from_u128(0x5e00 + n))
    }

    fn deposit() -> Funding {
        Funding::Deposit {
            provider: "sandbox".to_owned(),
        }
    }

    fn fund(amount: Money) -> AccountCommand {
        AccountCommand::Fund {
            account: account(),
            funding_id: FundingId(Uuid::from_u128(0xf)),
            amount,
            funding: deposit(),
            at: at(),
        }
    }

    fn funded(cents: i64) -> AccountEvent {
        AccountEvent::FundsDeposited {
            account: account(),
            funding_id: FundingId(Uuid::from_u128(0xf)),
            amount: usd(cents),
            funding: deposit(),
            at: at(),
        }
    }

    fn place_hold(cents: i64) -> AccountCommand {
        AccountCommand::PlaceHold {
            account: account(),
            hold_id: HOLD,
            task_id: TASK,
            amount: usd(cents),
            at: at(),
        }
    }

    fn hold_placed(cents: i64) -> AccountEvent {
        AccountEvent::HoldPlaced {
            account: account(),
            hold_id: HOLD,
            task_id: TASK,
            amount: usd(cents),
            at: at(),
        }
    }

    fn capture(n: u128, gross: i64, fee: i64) -> AccountCommand {
        AccountCommand::CaptureHold {
            hold_id: HOLD,
            settlement_id: settlement(n),
            gross: usd(gross),
            fee: usd(fee),
            payee: WORKER,
            at: at(),
        }
    }

    fn captured(n: u128, gross: i64, fee: i64) -> AccountEvent {
        AccountEvent::HoldCaptured {
            hold_id: HOLD,
            settlement_id: settlement(n),
            gross: usd(gross),
            fee: usd(fee),
            payee: WORKER,
            at: at(),
        }
    }

    fn release(n: u128, cents: i64) -> AccountCommand {
        AccountCommand::ReleaseHold {
            hold_id: HOLD,
            settlement_id: settlement(n),
            amount: usd(cents),
            at: at(),
        }
    }

    fn released(n: u128, cents: i64) -> AccountEvent {
        AccountEvent::HoldReleased {
            hold_id: HOLD,
            settlement_id: settlement(n),
            amount: usd(cents),
            at: at(),
        }
    }

    const PAYOUT: PayoutId = PayoutId(Uuid::from_u128(0x9a0));

    fn payout(cents: i64) -> AccountCommand {
        AccountCommand::SendPayout {
            payout_id: PAYOUT,
            amount: usd(cents),
            destination: "acct_1".to_owned(),
            purpose: PayoutPurpose::Withdrawal,
            at: at(),
        }
    }

    fn payout_sent(cents: i64) -> AccountEvent {
        AccountEvent::PayoutSent {
            payout_id: PAYOUT,
            amount: usd(cents),
            destination: "acct_1".to_owned(),
            purpose: PayoutPurpose::Withdrawal,
            at: at(),
        }
    }

    fn return_payout(cents: i64) -> AccountCommand {
        AccountCommand::ReturnPayout {
            payout_id: PAYOUT,
            amount: usd(cents),
            reason: "account closed".to_owned(),
            at: at(),
        }
    }

    fn conflict(message: &str) -> DomainError {
        DomainError::Conflict(message.to_owned())
    }

    fn invalid(message: &str) -> DomainError {
        DomainError::Invalid(message.to_owned())
    }

    /// 1000 cents funded, 500 of them held.
    fn with_hold() -> Vec<AccountEvent> {
        vec![funded(1_000), hold_placed(500)]
    }

    // ---- funding ----

    #[test]
    fn funding_credits_the_available_balance() {
        AccountTest::with(())
            .given_no_previous_events()
            .when(fund(usd(1_000)))
            .then_expect_events(vec![funded(1_000)]);
        let account = Account::fold(&[funded(1_000)]);
        assert_eq!(
            (account.available_cents, account.deposited_cents),
            (1_000, 1_000)
        );
    }

    #[test]
    fn a_grant_is_counted_apart_from_deposits() {
        let grant = AccountEvent::FundsDeposited {
            account: account(),
            funding_id: FundingId(Uuid::from_u128(0x9)),
            amount: usd(250),
            funding: Funding::Grant {
                reason: "welcome credit".to_owned(),
                granted_by: ActorId(Uuid::from_u128(0xad)),
            },
            at: at(),
        };
        let account = Account::fold(&[funded(1_000), grant]);
        assert_eq!(account.available_cents, 1_250);
        assert_eq!(
            (account.deposited_cents, account.granted_cents),
            (1_000, 250)
        );
    }

    #[test]
    fn funding_nothing_or_less_is_refused() {
        for cents in [0, -1] {
            AccountTest::with(())
                .given_no_previous_events()
                .when(fund(usd(cents)))
                .then_expect_error(invalid("amount must be greater than zero"));
        }
    }

    #[test]
    fn funding_in_another_currency_is_refused() {
        AccountTest::with(())
            .given(vec![funded(1_000)])
            .when(fund(credits(10)))
            .then_expect_error(invalid("account holds USD, not RC"));
    }

    #[test]
    fn a_command_for_another_account_is_refused() {
        let other = AccountId::usd(WORKER, Mode::Live);
        AccountTest::with(())
            .given(vec![funded(1_000)])
            .when(AccountCommand::Fund {
                account: other,
                funding_id: FundingId(Uuid::from_u128(0xf)),
                amount: usd(1),
                funding: deposit(),
                at: at(),
            })
            .then_expect_error(invalid(&format!(
                "a command for {other} reached {}",
                account()
            )));
        let test_mode = AccountId::usd(OWNER, Mode::Test);
        AccountTest::with(())
            .given(vec![funded(1_000)])
            .when(AccountCommand::PlaceHold {
                account: test_mode,
                hold_id: HOLD,
                task_id: TASK,
                amount: usd(1),
                at: at(),
            })
            .then_expect_error(invalid(&format!(
                "a command for {test_mode} reached {}",
                account()
            )));
    }

    #[test]
    fn a_balance_never_exceeds_the_largest_amount() {
        AccountTest::with(())
            .given(vec![funded(MAX_AMOUNT_CENTS)])
            .when(fund(usd(1)))
            .then_expect_error(DomainError::Money(crate::money::MoneyError::TooLarge));
    }

    // ---- holds ----

    #[test]
    fn a_hold_moves_money_from_available_to_held() {
        AccountTest::with(())
            .given(vec![funded(1_000)])
            .when(place_hold(1_000))
            .then_expect_events(vec![hold_placed(1_000)]);
        let account = Account::fold(&[funded(1_000), hold_placed(600)]);
        assert_eq!((account.available_cents, account.held_cents), (400, 600));
        assert_eq!(account.holds[&HOLD].remaining_cents, 600);
    }

    #[test]
    fn a_hold_needs_available_funds() {
        AccountTest::with(())
            .given(with_hold())
            .when(AccountCommand::PlaceHold {
                account: account(),
                hold_id: HoldId(Uuid::from_u128(0x401e)),
                task_id: TASK,
                amount: usd(501),
                at: at(),
            })
            .then_expect_error(DomainError::InsufficientFunds {
                available_cents: 500,
                needed_cents: 501,
            });
        AccountTest::with(())
            .given_no_previous_events()
            .when(place_hold(1))
            .then_expect_error(DomainError::InsufficientFunds {
                available_cents: 0,
                needed_cents: 1,
            });
    }

    #[test]
    fn a_hold_is_placed_once() {
        AccountTest::with(())
            .given(with_hold())
            .when(place_hold(100))
            .then_expect_error(conflict("hold already placed"));
    }

    #[test]
    fn a_hold_of_nothing_is_refused() {
        AccountTest::with(())
            .given(vec![funded(1_000)])
            .when(place_hold(0))
            .then_expect_error(invalid("amount must be greater than zero"));
    }

    #[test]
    fn a_hold_in_another_currency_is_refused() {
        AccountTest::with(())
            .given(vec![funded(1_000)])
            .when(AccountCommand::PlaceHold {
                account: account(),
                hold_id: HOLD,
                task_id: TASK,
                amount: credits(10),
                at: at(),
            })
            .then_expect_error(invalid("account holds USD, not RC"));
    }

    #[test]
    fn increasing_a_hold_needs_available_funds() {
        let increase = |cents| AccountCommand::IncreaseHold {
            hold_id: HOLD,
            amount: usd(cents),
            at: at(),
        };
        AccountTest::with(())
            .given(with_hold())
            .when(increase(500))
            .then_expect_events(vec![AccountEvent::HoldIncreased {
                hold_id: HOLD,
                amount: usd(500),
                at: at(),
            }]);
        AccountTest::with(())
            .given(with_hold())
            .when(increase(501))
            .then_expect_error(DomainError::InsufficientFunds {
                available_cents: 500,
                needed_cents: 501,
            });
        AccountTest::with(())
            .given(vec![funded(1_000)])
            .when(increase(1))
            .then_expect_error(conflict("hold is unknown or already fully settled"));
    }

    // ---- captures and releases ----

    #[test]
    fn a_capture_takes_the_gross_from_the_hold() {
        AccountTest::with(())
            .given(with_hold())
            .when(capture(1, 500, 90))
            .then_expect_events(vec![captured(1, 500, 90)]);
        let mut history = with_hold();
        history.push(captured(1, 300, 54));
        let account = Account::fold(&history);
        assert_eq!((account.available_cents, account.held_cents), (500, 200));
        assert_eq!((account.spent_cents, account.fees_paid_cents), (300, 54));
    }

    #[test]
    fn each_settlement_is_applied_at_most_once() {
        let mut history = with_hold();
        history.push(captured(1, 100, 18));
        for command in [capture(1, 100, 18), release(1, 100)] {
            AccountTest::with(())
                .given(history.clone())
                .when(command)
                .then_expect_error(conflict("this settlement was already applied"));
        }
        let mut history = with_hold();
        history.push(released(2, 100));
        AccountTest::with(())
            .given(history)
            .when(release(2, 100))
            .then_expect_error(conflict("this settlement was already applied"));
    }

    #[test]
    fn a_hold_is_never_settled_for_more_than_it_holds() {
        let mut history = with_hold();
        history.push(captured(1, 400, 72));
        for command in [capture(2, 101, 0), release(2, 101)] {
            AccountTest::with(())
                .given(history.clone())
                .when(command)
                .then_expect_error(conflict("cannot settle 101 cents from a hold of 100 cents"));
        }
    }

    #[test]
    fn a_settlement_of_nothing_is_refused() {
        AccountTest::with(())
            .given(with_hold())
            .when(release(1, 0))
            .then_expect_error(conflict("cannot settle 0 cents from a hold of 500 cents"));
        AccountTest::with(())
            .given(with_hold())
            .when(capture(1, 0, 0))
            .then_expect_error(invalid("amount must be greater than zero"));
    }

    #[test]
    fn a_fee_must_lie_between_zero_and_the_gross() {
        let error =
            invalid("fee must be in the gross amount's currency, between zero and the gross");
        for fee in [-1, 501] {
            AccountTest::with(())
                .given(with_hold())
                .when(capture(1, 500, fee))
                .then_expect_error(error.clone());
        }
        AccountTest::with(())
            .given(with_hold())
            .when(AccountCommand::CaptureHold {
                hold_id: HOLD,
                settlement_id: settlement(1),
                gross: usd(500),
                fee: credits(1),
                payee: WORKER,
                at: at(),
            })
            .then_expect_error(error);
    }

    #[test]
    fn a_release_returns_money_to_the_available_balance() {
        AccountTest::with(())
            .given(with_hold())
            .when(release(1, 200))
            .then_expect_events(vec![released(1, 200)]);
        let mut history = with_hold();
        history.push(released(1, 200));
        let account = Account::fold(&history);
        assert_eq!((account.available_cents, account.held_cents), (700, 300));
    }

    #[test]
    fn a_fully_settled_hold_is_gone() {
        let mut history = with_hold();
        history.extend([captured(1, 300, 54), released(2, 200)]);
        let account = Account::fold(&history);
        assert!(account.holds.is_empty());
        assert_eq!(account.held_cents, 0);
        for command in [capture(3, 1, 0), release(3, 1)] {
            AccountTest::with(())
                .given(history.clone())
                .when(command)
                .then_expect_error(conflict("hold is unknown or already fully settled"));
        }
    }

    // ---- payments and payouts ----

    #[test]
    fn a_payment_credits_the_payee() {
        let worker_account = AccountId::usd(WORKER, Mode::Live);
        let payment = AccountEvent::PaymentReceived {
            account: worker_account,
            settlement_id: settlement(1),
            payer: OWNER,
            amount: usd(410),
            at: at(),
        };
        AccountTest::with(())
            .given_no_previous_events()
            .when(AccountCommand::ReceivePayment {
                account: worker_account,
                settlement_id: settlement(1),
                payer: OWNER,
                amount: usd(410),
                at: at(),
            })
            .then_expect_events(vec![payment.clone()]);
        let account = Account::fold(&[payment]);
        assert_eq!((account.available_cents, account.earned_cents), (410, 410));
    }

    #[test]
    fn a_payment_may_be_zero_but_not_negative() {
        let receive = |cents| AccountCommand::ReceivePayment {
            account: account(),
            settlement_id: settlement(1),
            payer: WORKER,
            amount: usd(cents),
            at: at(),
        };
        assert!(Account::default().decide(&receive(0)).is_ok());
        AccountTest::with(())
            .given_no_previous_events()
            .when(receive(-1))
            .then_expect_error(invalid("payment must not be negative"));
    }

    #[test]
    fn a_payout_needs_available_funds() {
        AccountTest::with(())
            .given(with_hold())
            .when(payout(500))
            .then_expect_events(vec![payout_sent(500)]);
        // Held money is not available for a payout.
        AccountTest::with(())
            .given(with_hold())
            .when(payout(501))
            .then_expect_error(DomainError::InsufficientFunds {
                available_cents: 500,
                needed_cents: 501,
            });
    }

    #[test]
    fn a_payout_in_another_currency_or_of_nothing_is_refused() {
        AccountTest::with(())
            .given(vec![funded(1_000)])
            .when(AccountCommand::SendPayout {
                payout_id: PAYOUT,
                amount: credits(1),
                destination: "acct_1".to_owned(),
                purpose: PayoutPurpose::Withdrawal,
                at: at(),
            })
            .then_expect_error(invalid("account holds USD, not RC"));
        AccountTest::with(())
            .given(vec![funded(1_000)])
            .when(payout(0))
            .then_expect_error(invalid("amount must be greater than zero"));
    }

    #[test]
    fn a_payout_leaves_the_available_balance_for_good() {
        let account = Account::fold(&[funded(1_000), payout_sent(400)]);
        assert_eq!(
            (account.available_cents, account.paid_out_cents),
            (600, 400)
        );
    }

    #[test]
    fn a_failed_payout_returns_its_money() {
        AccountTest::with(())
            .given(vec![funded(1_000), payout_sent(400)])
            .when(return_payout(400))
            .then_expect_events(vec![AccountEvent::PayoutReturned {
                payout_id: PAYOUT,
                amount: usd(400),
                reason: "account closed".to_owned(),
                at: at(),
            }]);
        let account = Account::fold(&[
            funded(1_000),
            payout_sent(400),
            AccountEvent::PayoutReturned {
                payout_id: PAYOUT,
                amount: usd(400),
                reason: "account closed".to_owned(),
                at: at(),
            },
        ]);
        assert_eq!(
            (account.available_cents, account.paid_out_cents),
            (1_000, 0)
        );
    }

    #[test]
    fn an_account_never_gets_back_more_than_it_paid_out() {
        AccountTest::with(())
            .given(vec![funded(1_000), payout_sent(400)])
            .when(return_payout(401))
            .then_expect_error(conflict("cannot return 401 cents: 400 cents were paid out"));
        AccountTest::with(())
            .given(vec![funded(1_000)])
            .when(return_payout(0))
            .then_expect_error(invalid("amount must be greater than zero"));
    }

    #[test]
    fn a_payout_recorded_before_destinations_still_reads() {
        let old = r#"{"type":"PayoutSent","payout_id":"00000000-0000-0000-0000-0000000009a0","amount":{"cents":5,"currency":"USD"},"at":"2026-01-01T12:00:00Z"}"#;
        let event: AccountEvent = serde_json::from_str(old).unwrap();
        let AccountEvent::PayoutSent {
            destination,
            purpose,
            ..
        } = event
        else {
            panic!("a payout")
        };
        assert_eq!(
            (destination.as_str(), purpose),
            ("", PayoutPurpose::Withdrawal)
        );
    }

    #[test]
    fn an_account_stream_is_named_by_owner_mode_and_currency() {
        assert_eq!(account().stream_id(), format!("account-{OWNER}-live-USD"));
    }
}
