//! `PayoutAccount` (`payoutaccount-<actor>-<mode>`): where a person's payouts
//! go — their connected account at the payout provider, one per mode (a
//! test-mode account never receives live money). It is connected once, paid
//! out to only after onboarding is completed at the provider, and never
//! after it was disabled.

use crate::actor::Caller;
use crate::aggregate::{Aggregate, DomainEvent};
use crate::error::{Decided, DomainError};
use crate::ids::ActorId;
use crate::mode::Mode;
use crate::policy;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq)]
pub enum PayoutAccountCommand {
    Connect {
        owner: ActorId,
        mode: Mode,
        provider: String,
        /// The provider's id for the connected account (`acct_…`).
        provider_account_id: String,
        at: Timestamp,
    },
    /// The person finished the provider's onboarding (identity, bank details).
    CompleteOnboarding { at: Timestamp },
    /// No more payouts to it (an admin's decision, with the reason audited).
    Disable {
        reason: String,
        by: Caller,
        at: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum PayoutAccountEvent {
    PayoutAccountConnected {
        owner: ActorId,
        mode: Mode,
        provider: String,
        provider_account_id: String,
        at: Timestamp,
    },
    PayoutOnboardingCompleted {
        at: Timestamp,
    },
    PayoutAccountDisabled {
        reason: String,
        by: ActorId,
        at: Timestamp,
    },
}

impl DomainEvent for PayoutAccountEvent {
    fn event_type(&self) -> &'static str {
        match self {
            PayoutAccountEvent::PayoutAccountConnected { .. } => "PayoutAccountConnected",
            PayoutAccountEvent::PayoutOnboardingCompleted { .. } => "PayoutOnboardingCompleted",
            PayoutAccountEvent::PayoutAccountDisabled { .. } => "PayoutAccountDisabled",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayoutAccountStatus {
    #[default]
    NotConnected,
    /// Connected; onboarding at the provider is not finished.
    Onboarding,
    /// Onboarded: payouts may go to it.
    Active,
    Disabled,
}

impl PayoutAccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PayoutAccountStatus::NotConnected => "not_connected",
            PayoutAccountStatus::Onboarding => "onboarding",
            PayoutAccountStatus::Active => "active",
            PayoutAccountStatus::Disabled => "disabled",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PayoutAccount {
    pub owner: Option<ActorId>,
    pub mode: Mode,
    pub provider: String,
    pub provider_account_id: Option<String>,
    pub status: PayoutAccountStatus,
    pub connected_at: Option<Timestamp>,
    pub onboarded_at: Option<Timestamp>,
    pub disabled_reason: Option<String>,
}

impl PayoutAccount {
    pub fn stream_id(owner: ActorId, mode: Mode) -> String {
        format!("{}-{owner}-{}", Self::STREAM_PREFIX, mode.as_str())
    }

    pub fn is_connected(&self) -> bool {
        self.provider_account_id.is_some()
    }

    /// Where a payout may go now: the connected account, once onboarded.
    pub fn destination(&self) -> Result<&str, DomainError> {
        match (self.status, &self.provider_account_id) {
            (PayoutAccountStatus::Active, Some(account)) => Ok(account),
            (PayoutAccountStatus::Disabled, _) => {
                Err(DomainError::conflict("payout account is disabled"))
            }
            (PayoutAccountStatus::NotConnected, _) | (_, None) => Err(DomainError::conflict(
                "no payout account is connected: connect one and complete its onboarding",
            )),
            (PayoutAccountStatus::Onboarding, _) => Err(DomainError::conflict(
                "payout account onboarding is not completed",
            )),
        }
    }
}

impl Aggregate for PayoutAccount {
    const STREAM_PREFIX: &'static str = "payoutaccount";
    type Command = PayoutAccountCommand;
    type Event = PayoutAccountEvent;

    fn decide(&self, command: &PayoutAccountCommand) -> Decided<PayoutAccountEvent> {
        match command {
            PayoutAccountCommand::Connect {
                owner,
                mode,
                provider,
                provider_account_id,
                at,
            } => {
                if self.is_connected() {
                    return Err(DomainError::conflict("payout account already connected"));
                }
                if provider_account_id.trim().is_empty() {
                    return Err(DomainError::invalid(
                        "a connected account needs the provider's id",
                    ));
                }
                Ok(vec![PayoutAccountEvent::PayoutAccountConnected {
                    owner: *owner,
                    mode: *mode,
                    provider: provider.clone(),
                    provider_account_id: provider_account_id.clone(),
                    at: *at,
                }])
            }
            PayoutAccountCommand::CompleteOnboarding { at } => match self.status {
                PayoutAccountStatus::NotConnected => Err(DomainError::NotFound("payout account")),
                PayoutAccountStatus::Onboarding => {
                    Ok(vec![PayoutAccountEvent::PayoutOnboardingCompleted {
                        at: *at,
                    }])
                }
                PayoutAccountStatus::Active => Err(DomainError::conflict(
                    "payout account onboarding is already completed",
                )),
                PayoutAccountStatus::Disabled => {
                    Err(DomainError::conflict("payout account is disabled"))
                }
            },
            PayoutAccountCommand::Disable { reason, by, at } => {
                if !by.is_admin() {
                    return Err(DomainError::forbidden(
                        "only an admin may disable a payout account",
                    ));
                }
                let reason = policy::audited_reason(reason)?;
                match self.status {
                    PayoutAccountStatus::NotConnected => {
                        Err(DomainError::NotFound("payout account"))
                    }
                    PayoutAccountStatus::Disabled => {
                        Err(DomainError::conflict("payout account is already disabled"))
                    }
                    PayoutAccountStatus::Onboarding | PayoutAccountStatus::Active => {
                        Ok(vec![PayoutAccountEvent::PayoutAccountDisabled {
                            reason,
                            by: by.actor,
                            at: *at,
                        }])
                    }
                }
            }
        }
    }

    fn apply(&mut self, event: &PayoutAccountEvent) {
        match event {
            PayoutAccountEvent::PayoutAccountConnected {
                owner,
                mode,
                provider,
                provider_account_id,
                at,
            } => {
                self.owner = Some(*owner);
                self.mode = *mode;
                self.provider = provider.clone();
                self.provider_account_id = Some(provider_account_id.clone());
                self.status = PayoutAccountStatus::Onboarding;
                self.connected_at = Some(*at);
            }
            PayoutAccountEvent::PayoutOnboardingCompleted { at } => {
                self.status = PayoutAccountStatus::Active;
                self.onboarded_at = Some(*at);
            }
            PayoutAccountEvent::PayoutAccountDisabled { reason, .. } => {
                self.status = PayoutAccountStatus::Disabled;
                self.disabled_reason = Some(reason.clone());
            }
        }
    }
}

crate::cqrs_aggregate!(PayoutAccount);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::{Role, Standing};
    use chrono::TimeZone;
    use cqrs_es::test::TestFramework;
    use uuid::Uuid;

    type PayoutAccountTest = TestFramework<PayoutAccount>;

    const WORKER: ActorId = ActorId(Uuid::from_u128(0x2));

    fn at() -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
    }

    fn connect() -> PayoutAccountCommand {
        PayoutAccountCommand::Connect {
            owner: WORKER,
            mode: Mode::Live,
            provider: "sandbox".to_owned(),
            provider_account_id: "acct_1".to_owned(),
            at: at(),
        }
    }

    fn connected() -> PayoutAccountEvent {
        PayoutAccountEvent::PayoutAccountConnected {
            owner: WORKER,
            mode: Mode::Live,
            provider: "sandbox".to_owned(),
            provider_account_id: "acct_1".to_owned(),
            at: at(),
        }
    }

    fn onboarded() -> PayoutAccountEvent {
        PayoutAccountEvent::PayoutOnboardingCompleted { at: at() }
    }

    fn caller(role: Role) -> Caller {
        Caller {
            actor: ActorId(Uuid::from_u128(0xad)),
            role,
            standing: Standing::Active,
        }
    }

    fn disable(role: Role) -> PayoutAccountCommand {
        PayoutAccountCommand::Disable {
            reason: "fraud review".to_owned(),
            by: caller(role),
            at: at(),
        }
    }

    #[test]
    fn a_connected_account_takes_payouts_only_once_onboarded() {
        PayoutAccountTest::with(())
            .given_no_previous_events()
            .when(connect())
            .then_expect_events(vec![connected()]);
        let connected_only = PayoutAccount::fold(&[connected()]);
        assert_eq!(
            connected_only.destination(),
            Err(DomainError::Conflict(
                "payout account onboarding is not completed".into()
            ))
        );
        PayoutAccountTest::with(())
            .given(vec![connected()])
            .when(PayoutAccountCommand::CompleteOnboarding { at: at() })
            .then_expect_events(vec![onboarded()]);
        let active = PayoutAccount::fold(&[connected(), onboarded()]);
        assert_eq!(active.destination(), Ok("acct_1"));
        assert_eq!(active.status.as_str(), "active");
    }

    #[test]
    fn nothing_is_paid_to_an_account_never_connected() {
        assert_eq!(
            PayoutAccount::default().destination(),
            Err(DomainError::Conflict(
                "no payout account is connected: connect one and complete its onboarding".into()
            ))
        );
        PayoutAccountTest::with(())
            .given_no_previous_events()
            .when(PayoutAccountCommand::CompleteOnboarding { at: at() })
            .then_expect_error(DomainError::NotFound("payout account"));
    }

    #[test]
    fn an_account_is_connected_and_onboarded_once() {
        PayoutAccountTest::with(())
            .given(vec![connected()])
            .when(connect())
            .then_expect_error(DomainError::Conflict(
                "payout account already connected".into(),
            ));
        PayoutAccountTest::with(())
            .given(vec![connected(), onboarded()])
            .when(PayoutAccountCommand::CompleteOnboarding { at: at() })
            .then_expect_error(DomainError::Conflict(
                "payout account onboarding is already completed".into(),
            ));
    }

    #[test]
    fn an_account_without_the_providers_id_is_refused() {
        let mut command = connect();
        if let PayoutAccountCommand::Connect {
            provider_account_id,
            ..
        } = &mut command
        {
            *provider_account_id = String::new();
        }
        PayoutAccountTest::with(())
            .given_no_previous_events()
            .when(command)
            .then_expect_error(DomainError::Invalid(
                "a connected account needs the provider's id".into(),
            ));
    }

    #[test]
    fn only_an_admin_disables_an_account_and_then_nothing_is_paid_to_it() {
        PayoutAccountTest::with(())
            .given(vec![connected(), onboarded()])
            .when(disable(Role::Human))
            .then_expect_error(DomainError::Forbidden(
                "only an admin may disable a payout account".into(),
            ));
        let disabled = PayoutAccountEvent::PayoutAccountDisabled {
            reason: "fraud review".to_owned(),
            by: ActorId(Uuid::from_u128(0xad)),
            at: at(),
        };
        PayoutAccountTest::with(())
            .given(vec![connected(), onboarded()])
            .when(disable(Role::Admin))
            .then_expect_events(vec![disabled.clone()]);
        let account = PayoutAccount::fold(&[connected(), onboarded(), disabled.clone()]);
        assert_eq!(
            account.destination(),
            Err(DomainError::Conflict("payout account is disabled".into()))
        );
        PayoutAccountTest::with(())
            .given(vec![connected(), disabled])
            .when(PayoutAccountCommand::CompleteOnboarding { at: at() })
            .then_expect_error(DomainError::Conflict("payout account is disabled".into()));
    }

    #[test]
    fn a_payout_account_stream_is_named_by_owner_and_mode() {
        assert_eq!(
            PayoutAccount::stream_id(WORKER, Mode::Test),
            format!("payoutaccount-{WORKER}-test")
        );
    }
}
