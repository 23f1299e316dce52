//! Free tasks: a promotion granted at registration (HumanPing's "3 free
//! tasks"). The allowance lives on the account; a task posted from the
//! account spends one free task before the wallet: the platform's
//! promotions account pays the task's escrow up to the cap, in the same
//! append as the hold, and the wallet pays the rest. No money moves at the
//! grant, so the ledger balances at every step (`platform:promotions` is
//! debited exactly what free tasks paid).
//!
//! Money a free task paid becomes the poster's like any other: a refund
//! (dispute, cancellation) returns it to the wallet, not to the platform.

use crate::account::{Account, AccountEvent, AccountId, Funding};
use crate::error::{Decided, DomainError};
use crate::ids::{FundingId, TaskId};
use crate::money::Money;
use crate::Timestamp;

/// HumanPing's welcome: three free tasks.
pub const FREE_TASKS_AT_REGISTRATION: u32 = 3;
/// What one free task pays at most: HumanPing's default verification price,
/// so a free task is a typical small task, not a blank cheque.
pub const FREE_TASK_CAP_CENTS: i64 = 500;
/// A bound on any one grant, so an allowance stays a promotion.
pub const FREE_TASKS_PER_GRANT_MAX: u32 = 100;

pub(crate) fn grant(
    account: &Account,
    id: &AccountId,
    count: u32,
    cap_per_task: Money,
    at: Timestamp,
) -> Decided<AccountEvent> {
    account.ensure_addressed(id, cap_per_task)?;
    if count == 0 || count > FREE_TASKS_PER_GRANT_MAX {
        return Err(DomainError::invalid(format!(
            "a grant is 1 to {FREE_TASKS_PER_GRANT_MAX} free tasks"
        )));
    }
    if cap_per_task.cents <= 0 {
        return Err(DomainError::invalid(
            "a free task must pay something: the cap must be greater than zero",
        ));
    }
    Ok(vec![AccountEvent::FreeTasksGranted {
        account: *id,
        count,
        cap_per_task,
        at,
    }])
}

/// One free task pays `min(escrow, cap)`; with none left, nothing happens and
/// the wallet pays all. The funding id is the task's, so a task is funded once.
pub(crate) fn fund(
    account: &Account,
    id: &AccountId,
    task_id: TaskId,
    escrow: Money,
    at: Timestamp,
) -> Decided<AccountEvent> {
    if account.free_tasks_remaining == 0 || escrow.cents <= 0 {
        return Ok(Vec::new());
    }
    account.ensure_addressed(id, escrow)?;
    let amount = Money {
        cents: escrow.cents.min(account.free_task_cap_cents),
        currency: escrow.currency,
    };
    if amount.cents <= 0 {
        return Ok(Vec::new());
    }
    // The wallet must cover the rest, or the free task is not spent: the
    // refusal then names the wallet's own balance, not one the free task inflated.
    account.ensure_available(escrow.cents - amount.cents)?;
    Ok(vec![AccountEvent::FundsDeposited {
        account: *id,
        funding_id: FundingId(task_id.0),
        amount,
        funding: Funding::FreeTask { task_id },
        at,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::AccountCommand;
    use crate::aggregate::Aggregate;
    use crate::ids::{ActorId, HoldId};
    use crate::ledger::postings;
    use crate::mode::Mode;
    use cqrs_es::test::TestFramework;
    use uuid::Uuid;

    type AccountTest = TestFramework<Account>;

    const TASK: TaskId = TaskId(Uuid::from_u128(0x7a5c));

    fn account() -> AccountId {
        AccountId::usd(ActorId(Uuid::from_u128(1)), Mode::Live)
    }

    fn at() -> Timestamp {
        chrono::DateTime::UNIX_EPOCH
    }

    fn granted(count: u32) -> AccountEvent {
        AccountEvent::FreeTasksGranted {
            account: account(),
            count,
            cap_per_task: Money::usd(FREE_TASK_CAP_CENTS),
            at: at(),
        }
    }

    fn fund_task(escrow_cents: i64) -> AccountCommand {
        AccountCommand::FundFreeTask {
            account: account(),
            task_id: TASK,
            escrow: Money::usd(escrow_cents),
            at: at(),
        }
    }

    fn funded(cents: i64) -> AccountEvent {
        AccountEvent::FundsDeposited {
            account: account(),
            funding_id: FundingId(TASK.0),
            amount: Money::usd(cents),
            funding: Funding::FreeTask { task_id: TASK },
            at: at(),
        }
    }

    #[test]
    fn registration_grants_three_free_tasks_and_moves_no_money() {
        AccountTest::with(())
            .given_no_previous_events()
            .when(AccountCommand::GrantFreeTasks {
                account: account(),
                count: FREE_TASKS_AT_REGISTRATION,
                cap_per_task: Money::usd(FREE_TASK_CAP_CENTS),
                at: at(),
            })
            .then_expect_events(vec![granted(3)]);
        assert!(postings(&account(), &granted(3)).is_empty());
    }

    #[test]
    fn a_grant_of_nothing_or_too_much_is_refused() {
        for (count, cap) in [(0, 500), (FREE_TASKS_PER_GRANT_MAX + 1, 500), (3, 0)] {
            let result = Account::default().decide(&AccountCommand::GrantFreeTasks {
                account: account(),
                count,
                cap_per_task: Money::usd(cap),
                at: at(),
            });
            assert!(
                matches!(result, Err(DomainError::Invalid(_))),
                "{count} {cap}"
            );
        }
    }

    #[test]
    fn a_free_task_pays_a_small_escrow_in_full() {
        AccountTest::with(())
            .given(vec![granted(3)])
            .when(fund_task(300))
            .then_expect_events(vec![funded(300)]);
    }

    #[test]
    fn a_free_task_pays_up_to_its_cap_and_the_wallet_the_rest() {
        let wallet = AccountEvent::FundsDeposited {
            account: account(),
            funding_id: FundingId(Uuid::from_u128(0xde)),
            amount: Money::usd(1_000),
            funding: Funding::Deposit {
                provider: "sandbox".to_owned(),
            },
            at: at(),
        };
        AccountTest::with(())
            .given(vec![granted(3), wallet])
            .when(fund_task(1_500))
            .then_expect_events(vec![funded(FREE_TASK_CAP_CENTS)]);
    }

    #[test]
    fn a_free_task_is_not_spent_on_a_task_the_wallet_cannot_complete() {
        AccountTest::with(())
            .given(vec![granted(3)])
            .when(fund_task(1_500))
            .then_expect_error(DomainError::InsufficientFunds {
                available_cents: 0,
                needed_cents: 1_000,
            });
    }

    #[test]
    fn without_free_tasks_the_wallet_pays_everything() {
        AccountTest::with(())
            .given_no_previous_events()
            .when(fund_task(500))
            .then_expect_events(vec![]);
    }

    #[test]
    fn the_fourth_task_is_not_free() {
        let spent = |n: u128| AccountEvent::FundsDeposited {
            account: account(),
            funding_id: FundingId(Uuid::from_u128(n)),
            amount: Money::usd(500),
            funding: Funding::FreeTask {
                task_id: TaskId(Uuid::from_u128(n)),
            },
            at: at(),
        };
        AccountTest::with(())
            .given(vec![granted(3), spent(1), spent(2), spent(3)])
            .when(fund_task(500))
            .then_expect_events(vec![]);
    }

    #[test]
    fn free_task_money_comes_from_the_promotions_account_and_balances() {
        let entries = postings(&account(), &funded(500));
        assert_eq!(entries.iter().map(|p| p.amount_cents).sum::<i64>(), 0);
        assert!(entries
            .iter()
            .any(|p| p.ledger_account == "platform:promotions:live:USD" && p.amount_cents == -500));
    }

    #[test]
    fn a_free_task_then_a_hold_leaves_the_wallet_untouched() {
        let mut account_state = Account::fold(&[granted(3)]);
        for event in account_state.decide(&fund_task(500)).unwrap() {
            account_state.apply(&event);
        }
        let hold = AccountCommand::PlaceHold {
            account: account(),
            hold_id: HoldId(Uuid::from_u128(9)),
            task_id: TASK,
            amount: Money::usd(500),
            at: at(),
        };
        for event in account_state.decide(&hold).unwrap() {
            account_state.apply(&event);
        }
        assert_eq!(account_state.available_cents, 0);
        assert_eq!(account_state.held_cents, 500);
        assert_eq!(account_state.free_tasks_remaining, 2);
    }
}
