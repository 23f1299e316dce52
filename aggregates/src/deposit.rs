//! `Deposit` (`deposit-<id>`): money on its way in through a payment
//! provider. It completes at most once, so a provider confirming twice
//! credits the account once. A deposit is paid at the provider's checkout,
//! or charged to the owner's saved payment method (at their request, or by
//! auto-reload to cover a hold); a charge the provider declines fails it.

use crate::account::{AccountId, Funding};
use crate::aggregate::{Aggregate, DomainEvent};
use crate::error::{Decided, DomainError};
use crate::ids::FundingId;
use crate::money::{Money, MoneyError, MAX_AMOUNT_CENTS};
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// The smallest deposit accepted: $5.00, as HumanPing's checkout requires.
pub const DEPOSIT_MIN_CENTS: i64 = 500;

/// $10,000: the most one charge of a saved method takes, asked for or by
/// auto-reload; more is paid at a checkout, where the payer sees it.
pub const CHARGE_MAX_CENTS: i64 = 1_000_000;
/// Longest decline reason kept from a provider: a sentence, not a log.
pub const FAILURE_REASON_MAX_CHARS: usize = 500;

/// How the payer pays a deposit.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DepositSource {
    /// At the provider's checkout page (`checkout_url`).
    #[default]
    Checkout,
    /// Charged to the owner's saved payment method at their request.
    SavedMethod { payment_method: String },
    /// Charged to the owner's saved payment method because a hold needed
    /// more than the balance had (see `billing`).
    AutoReload { payment_method: String },
}

impl DepositSource {
    pub fn as_str(&self) -> &'static str {
        match self {
            DepositSource::Checkout => "checkout",
            DepositSource::SavedMethod { .. } => "saved_method",
            DepositSource::AutoReload { .. } => "auto_reload",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum DepositCommand {
    Request {
        funding_id: FundingId,
        account: AccountId,
        amount: Money,
        provider: String,
        source: DepositSource,
        at: Timestamp,
    },
    Complete {
        at: Timestamp,
    },
    /// The provider declined the charge: nothing is credited, ever.
    Fail {
        reason: String,
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
        /// Absent in deposits recorded before saved methods: a checkout.
        #[serde(default)]
        source: DepositSource,
        at: Timestamp,
    },
    DepositCompleted {
        at: Timestamp,
    },
    DepositFailed {
        reason: String,
        at: Timestamp,
    },
}

impl DomainEvent for DepositEvent {
    fn event_type(&self) -> &'static str {
        match self {
            DepositEvent::DepositRequested { .. } => "DepositRequested",
            DepositEvent::DepositCompleted { .. } => "DepositCompleted",
            DepositEvent::DepositFailed { .. } => "DepositFailed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepositStatus {
    #[default]
    Pending,
    Completed,
    Failed,
}

impl DepositStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DepositStatus::Pending => "pending",
            DepositStatus::Completed => "completed",
            DepositStatus::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Deposit {
    pub funding_id: Option<FundingId>,
    pub account: Option<AccountId>,
    pub amount: Option<Money>,
    pub provider: String,
    #[serde(default)]
    pub source: DepositSource,
    pub status: DepositStatus,
    #[serde(default)]
    pub failure_reason: Option<String>,
}

impl Deposit {
    /// Where the money credited on completion came from, as the ledger says.
    pub fn funding(&self) -> Funding {
        match &self.source {
            DepositSource::AutoReload { payment_method } => Funding::AutoReload {
                provider: self.provider.clone(),
                payment_method: payment_method.clone(),
            },
            DepositSource::Checkout | DepositSource::SavedMethod { .. } => Funding::Deposit {
                provider: self.provider.clone(),
            },
        }
    }

    fn ensure_pending(&self) -> Result<(), DomainError> {
        match (self.funding_id, self.status) {
            (None, _) => Err(DomainError::NotFound("deposit")),
            (Some(_), DepositStatus::Pending) => Ok(()),
            (Some(_), DepositStatus::Completed) => {
                Err(DomainError::conflict("deposit is already completed"))
            }
            (Some(_), DepositStatus::Failed) => Err(DomainError::conflict("deposit failed")),
        }
    }
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
                source,
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
                if let DepositSource::SavedMethod { payment_method }
                | DepositSource::AutoReload { payment_method } = source
                {
                    if payment_method.is_empty() {
                        return Err(DomainError::invalid("a charge names the method it charges"));
                    }
                    if amount.cents > CHARGE_MAX_CENTS {
                        return Err(DomainError::invalid(format!(
                            "a charge of a saved payment method is at most {CHARGE_MAX_CENTS} cents"
                        )));
                    }
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
                    source: source.clone(),
                    at: *at,
                }])
            }
            DepositCommand::Complete { at } => {
                self.ensure_pending()?;
                Ok(vec![DepositEvent::DepositCompleted { at: *at }])
            }
            DepositCommand::Fail { reason, at } => {
                self.ensure_pending()?;
                let reason: String = reason
                    .trim()
                    .chars()
                    .take(FAILURE_REASON_MAX_CHARS)
                    .collect();
                Ok(vec![DepositEvent::DepositFailed { reason, at: *at }])
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
                source,
                ..
            } => {
                self.funding_id = Some(*funding_id);
                self.account = Some(*account);
                self.amount = Some(*amount);
                self.provider = provider.clone();
                self.source = source.clone();
            }
            DepositEvent::DepositCompleted { .. } => self.status = DepositStatus::Completed,
            DepositEvent::DepositFailed { reason, .. } => {
                self.status = DepositStatus::Failed;
                self.failure_reason = Some(reason.clone());
            }
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
            source: DepositSource::Checkout,
            at: at(),
        }
    }

    fn requested(cents: i64) -> DepositEvent {
        DepositEvent::DepositRequested {
            funding_id: FUNDING,
            account: account(),
            amount: Money::usd(cents),
            provider: "stripe".to_owned(),
            source: DepositSource::Checkout,
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

    #[test]
    fn a_charge_of_a_saved_method_is_bounded_and_names_its_method() {
        let charge = |cents, method: &str| DepositCommand::Request {
            funding_id: FUNDING,
            account: account(),
            amount: Money::usd(cents),
            provider: "sandbox".to_owned(),
            source: DepositSource::SavedMethod {
                payment_method: method.to_owned(),
            },
            at: at(),
        };
        assert!(Deposit::default()
            .decide(&charge(CHARGE_MAX_CENTS, "pm_1"))
            .is_ok());
        assert!(matches!(
            Deposit::default().decide(&charge(CHARGE_MAX_CENTS + 1, "pm_1")),
            Err(DomainError::Invalid(_))
        ));
        assert!(matches!(
            Deposit::default().decide(&charge(1_000, "")),
            Err(DomainError::Invalid(_))
        ));
    }

    #[test]
    fn a_declined_charge_fails_the_deposit_for_good() {
        let failed = DepositEvent::DepositFailed {
            reason: "card declined".to_owned(),
            at: at(),
        };
        DepositTest::with(())
            .given(vec![requested(1_000)])
            .when(DepositCommand::Fail {
                reason: " card declined ".to_owned(),
                at: at(),
            })
            .then_expect_events(vec![failed.clone()]);
        DepositTest::with(())
            .given(vec![requested(1_000), failed.clone()])
            .when(DepositCommand::Complete { at: at() })
            .then_expect_error(DomainError::Conflict("deposit failed".to_owned()));
        DepositTest::with(())
            .given(vec![requested(1_000), completed()])
            .when(DepositCommand::Fail {
                reason: "late".to_owned(),
                at: at(),
            })
            .then_expect_error(DomainError::Conflict(
                "deposit is already completed".to_owned(),
            ));
        let state = Deposit::fold(&[requested(1_000), failed]);
        assert_eq!(state.status, DepositStatus::Failed);
        assert_eq!(state.failure_reason.as_deref(), Some("card declined"));
    }

    #[test]
    fn an_auto_reload_says_so_in_the_funding_it_credits() {
        let method = "pm_sandbox_visa_4242".to_owned();
        let reload = DepositEvent::DepositRequested {
            funding_id: FUNDING,
            account: account(),
            amount: Money::usd(2_000),
            provider: "sandbox".to_owned(),
            source: DepositSource::AutoReload {
                payment_method: method.clone(),
            },
            at: at(),
        };
        assert_eq!(
            Deposit::fold(&[reload]).funding(),
            Funding::AutoReload {
                provider: "sandbox".to_owned(),
                payment_method: method.clone(),
            }
        );
        let charged = DepositEvent::DepositRequested {
            funding_id: FUNDING,
            account: account(),
            amount: Money::usd(2_000),
            provider: "sandbox".to_owned(),
            source: DepositSource::SavedMethod {
                payment_method: method,
            },
            at: at(),
        };
        assert_eq!(
            Deposit::fold(&[charged]).funding(),
            Funding::Deposit {
                provider: "sandbox".to_owned()
            }
        );
    }

    #[test]
    fn a_deposit_recorded_before_sources_reads_as_a_checkout() {
        let old = r#"{"type":"DepositRequested","funding_id":"00000000-0000-0000-0000-00000000000f","account":{"owner":"00000000-0000-0000-0000-000000000001","mode":"live","currency":"USD"},"amount":{"cents":500,"currency":"USD"},"provider":"sandbox","at":"2026-01-01T12:00:00Z"}"#;
        let event: DepositEvent = serde_json::from_str(old).unwrap();
        assert_eq!(Deposit::fold(&[event]).source, DepositSource::Checkout);
    }
}
