//! `Deposit` (`deposit-<id>`): money on its way in through a payment
//! provider. It completes at most once, so a provider confirming twice
//! credits the account once.

use crate::account::AccountId;
use crate::aggregate::{Aggregate, DomainEvent};
use crate::error::{Decided, DomainError};
use crate::ids::FundingId;
use crate::money::{Money, MoneyError, MAX_AMOUNT_CENTS};
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// The smallest deposit accepted: $5.00, as HumanPing's checkout requires.
pub const DEPOSIT_MIN_CENTS: i64 = 500;

#[derive(Debug, Clone, PartialEq)]
pub enum DepositCommand {
    Request {
        funding_id: FundingId,
        account: AccountId,
        amount: Money,
        provider: String,
        at: Timestamp,
    },
    Complete {
        at: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum DepositEvent {
    DepositRequested {
        funding_id: FundingId,
        account: AccountId,
        amount: Money,
        provider: String,
        at: Timestamp,
    },
    DepositCompleted {
        at: Timestamp,
    },
}

impl DomainEvent for DepositEvent {
    fn event_type(&self) -> &'static str {
        match self {
            DepositEvent::DepositRequested { .. } => "DepositRequested",
            DepositEvent::DepositCompleted { .. } => "DepositCompleted",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepositStatus {
    #[default]
    Pending,
    Completed,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Deposit {
    pub funding_id: Option<FundingId>,
    pub account: Option<AccountId>,
    pub amount: Option<Money>,
    pub provider: String,
    pub status: DepositStatus,
}

impl Aggregate for Deposit {
    const STREAM_PREFIX: &'static str = "deposit";
    type Command = DepositCommand;
    type Event = DepositEvent;

    fn decide(&self, command: &DepositCommand) -> Decided<DepositEvent> {
        match command {
            DepositCommand::Request {
                funding_id,
                account,
                amount,
                provider,
                at,
            } => {
                if self.funding_id.is_some() {
                    return Err(DomainError::conflict("deposit already requested"));
                }
                if amount.cents < DEPOSIT_MIN_CENTS {
                    return Err(DomainError::invalid(format!(
                        "the minimum deposit is {DEPOSIT_MIN_CENTS} cents"
                    )));
                }
                if amount.cents > MAX_AMOUNT_CENTS {
                    return Err(MoneyError::TooLarge.into());
                }
                // Refused here, not at completion: by then the provider has the money.
                if amount.currency != account.currency {
                    return Err(DomainError::invalid(format!(
                        "a {} deposit cannot fund a {} account",
                        amount.currency.code(),
                        account.currency.code()
                    )));
                }
                Ok(vec![DepositEvent::DepositRequested {
                    funding_id: *funding_id,
                    account: *account,
                    amount: *amount,
                    provider: provider.clone(),
                    at: *at,
                }])
            }
            DepositCommand::Complete { at } => {
                if self.funding_id.is_none() {
                    return Err(DomainError::NotFound("deposit"));
                }
                if self.status == DepositStatus::Completed {
                    return Err(DomainError::conflict("deposit is already completed"));
                }
                Ok(vec![DepositEvent::DepositCompleted { at: *at }])
            }
        }
    }

    fn apply(&mut self, event: &DepositEvent) {
        match event {
            DepositEvent::DepositRequested {
                funding_id,
                account,
                amount,
                provider,
                ..
            } => {
                self.funding_id = Some(*funding_id);
                self.account = Some(*account);
                self.amount = Some(*amount);
                self.provider = provider.clone();
            }
            DepositEvent::DepositCompleted { .. } => self.status = DepositStatus::Completed,
        }
    }
}

crate::cqrs_aggregate!(Deposit);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ActorId;
    use crate::mode::Mode;
    use crate::money::Currency;
    use chrono::TimeZone;
    use cqrs_es::test::TestFramework;
    use uuid::Uuid;

    type DepositTest = TestFramework<Deposit>;

    const FUNDING: FundingId = FundingId(Uuid::from_u128(0xf));

    fn at() -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
    }

    fn account() -> AccountId {
        AccountId::usd(ActorId(Uuid::from_u128(1)), Mode::Live)
    }

    fn request(amount: Money) -> DepositCommand {
        DepositCommand::Request {
            funding_id: FUNDING,
            account: account(),
            amount,
            provider: "stripe".to_owned(),
            at: at(),
        }
    }

    fn requested(cents: i64) -> DepositEvent {
        DepositEvent::DepositRequested {
            funding_id: FUNDING,
            account: account(),
            amount: Money::usd(cents),
            provider: "stripe".to_owned(),
            at: at(),
        }
    }

    fn completed() -> DepositEvent {
        DepositEvent::DepositCompleted { at: at() }
    }

    #[test]
    fn a_deposit_of_at_least_five_dollars_is_requested() {
        DepositTest::with(())
            .given_no_previous_events()
            .when(request(Money::usd(DEPOSIT_MIN_CENTS)))
            .then_expect_events(vec![requested(DEPOSIT_MIN_CENTS)]);
    }

    #[test]
    fn a_deposit_under_five_dollars_is_refused() {
        for cents in [DEPOSIT_MIN_CENTS - 1, 0, -500] {
            DepositTest::with(())
                .given_no_previous_events()
                .when(request(Money::usd(cents)))
                .then_expect_error(DomainError::Invalid(format!(
                    "the minimum deposit is {DEPOSIT_MIN_CENTS} cents"
                )));
        }
    }

    #[test]
    fn a_deposit_above_the_largest_amount_is_refused() {
        DepositTest::with(())
            .given_no_previous_events()
            .when(request(Money::usd(MAX_AMOUNT_CENTS + 1)))
            .then_expect_error(DomainError::Money(MoneyError::TooLarge));
    }

    #[test]
    fn a_deposit_in_another_currency_than_the_accounts_is_refused() {
        DepositTest::with(())
            .given_no_previous_events()
            .when(request(Money::from_cents(1_000, Currency::RC).unwrap()))
            .then_expect_error(DomainError::Invalid(
                "a RC deposit cannot fund a USD account".to_owned(),
            ));
    }

    #[test]
    fn requesting_twice_is_a_conflict() {
        DepositTest::with(())
            .given(vec![requested(1_000)])
            .when(request(Money::usd(1_000)))
            .then_expect_error(DomainError::Conflict(
                "deposit already requested".to_owned(),
            ));
    }

    #[test]
    fn a_requested_deposit_completes() {
        DepositTest::with(())
            .given(vec![requested(1_000)])
            .when(DepositCommand::Complete { at: at() })
            .then_expect_events(vec![completed()]);
        assert_eq!(
            Deposit::fold(&[requested(1_000), completed()]).status,
            DepositStatus::Completed
        );
    }

    #[test]
    fn a_deposit_completes_at_most_once() {
        DepositTest::with(())
            .given(vec![requested(1_000), completed()])
            .when(DepositCommand::Complete { at: at() })
            .then_expect_error(DomainError::Conflict(
                "deposit is already completed".to_owned(),
            ));
    }

    #[test]
    fn completing_a_deposit_never_requested_finds_nothing() {
        DepositTest::with(())
            .given_no_previous_events()
            .when(DepositCommand::Complete { at: at() })
            .then_expect_error(DomainError::NotFound("deposit"));
    }
}
