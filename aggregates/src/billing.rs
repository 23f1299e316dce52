//! `BillingProfile` (`billing-<actor>-<mode>`): how an owner pays in: the
//! payment method they saved at the provider (one at a time) and their
//! auto-reload settings. The money itself moves as deposits (`deposit`),
//! credited to their account.
//!
//! **Auto-reload.** When a hold (posting work, growing it) would leave the
//! available balance under the owner's threshold — in particular when it
//! could not be placed at all — and auto-reload is on, the saved method is
//! charged the reload amount, or what the hold lacks if that is more, and
//! the hold is placed on the topped-up balance. [`top_up`] is that rule.

use crate::account::AccountId;
use crate::actor::Caller;
use crate::aggregate::{Aggregate, DomainEvent};
use crate::deposit::DEPOSIT_MIN_CENTS;
use crate::error::{Decided, DomainError};
use crate::ids::ActorId;
use crate::mode::Mode;
use crate::money::Money;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// A reload is a deposit, so it is at least the smallest deposit.
pub const RELOAD_AMOUNT_MIN_CENTS: i64 = DEPOSIT_MIN_CENTS;
/// $1,000: what an owner's card is charged unasked at most by the amount
/// they set (a hold needing more charges what it lacks, up to the next bound).
pub const RELOAD_AMOUNT_MAX_CENTS: i64 = 100_000;
/// A threshold above the largest reload would charge on every post.
pub const THRESHOLD_MAX_CENTS: i64 = RELOAD_AMOUNT_MAX_CENTS;
/// The most one automatic charge takes, whatever the hold lacks (the bound
/// on any charge of a saved method); a hold needing more is refused for
/// funds, as without auto-reload.
pub const TOP_UP_MAX_CENTS: i64 = crate::deposit::CHARGE_MAX_CENTS;
/// Provider ids, brands and the like are short tokens.
pub const METHOD_FIELD_MAX_CHARS: usize = 100;

pub const NO_METHOD: &str = "no payment method is set up";

/// A payment method saved at the provider, as the provider described it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentMethod {
    /// The provider's id for it (`pm_…`): what charges name.
    pub id: String,
    pub provider: String,
    /// visa, mastercard, …
    pub brand: String,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: u32,
}

impl PaymentMethod {
    fn ensure_valid(&self) -> Result<(), DomainError> {
        let fields = [&self.id, &self.provider, &self.brand];
        if fields
            .iter()
            .any(|f| f.is_empty() || f.chars().count() > METHOD_FIELD_MAX_CHARS)
        {
            return Err(DomainError::invalid(
                "a payment method needs an id, a provider and a brand",
            ));
        }
        let last4_is_digits =
            self.last4.len() == 4 && self.last4.bytes().all(|b| b.is_ascii_digit());
        if !last4_is_digits || !(1..=12).contains(&self.exp_month) {
            return Err(DomainError::invalid(
                "a payment method has four last digits and an expiry month of 1 to 12",
            ));
        }
        Ok(())
    }
}

/// Auto-reload as the owner set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoReload {
    pub enabled: bool,
    /// Reload when a hold would leave less than this available.
    pub threshold: Money,
    /// What a reload charges (more if a hold lacks more).
    pub amount: Money,
}

impl Default for AutoReload {
    /// Off, at $10.00 under $5.00: what a first switch-on would suggest.
    fn default() -> Self {
        AutoReload {
            enabled: false,
            threshold: Money::usd(500),
            amount: Money::usd(1_000),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum BillingCommand {
    /// Saves `method` as the owner's payment method, replacing any other.
    AttachMethod {
        by: Caller,
        mode: Mode,
        method: PaymentMethod,
        at: Timestamp,
    },
    /// Forgets the saved method; auto-reload goes off with it.
    DetachMethod { by: Caller, at: Timestamp },
    ConfigureAutoReload {
        by: Caller,
        mode: Mode,
        settings: AutoReload,
        at: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum BillingEvent {
    PaymentMethodAttached {
        owner: ActorId,
        mode: Mode,
        method: PaymentMethod,
        at: Timestamp,
    },
    /// The method is forgotten and auto-reload is off: nothing is left to charge.
    PaymentMethodDetached { method_id: String, at: Timestamp },
    AutoReloadConfigured {
        owner: ActorId,
        mode: Mode,
        settings: AutoReload,
        at: Timestamp,
    },
}

impl DomainEvent for BillingEvent {
    fn event_type(&self) -> &'static str {
        match self {
            BillingEvent::PaymentMethodAttached { .. } => "PaymentMethodAttached",
            BillingEvent::PaymentMethodDetached { .. } => "PaymentMethodDetached",
            BillingEvent::AutoReloadConfigured { .. } => "AutoReloadConfigured",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BillingProfile {
    pub owner: Option<ActorId>,
    pub mode: Mode,
    pub method: Option<PaymentMethod>,
    pub auto_reload: AutoReload,
    pub updated_at: Option<Timestamp>,
}

impl BillingProfile {
    /// A profile is its owner's: the first command names the owner, every
    /// later one must be theirs.
    fn ensure_owner(&self, by: &Caller) -> Result<(), DomainError> {
        by.ensure_not_banned()?;
        match self.owner {
            Some(owner) if owner != by.actor => Err(DomainError::forbidden(
                "only its owner may change a billing profile",
            )),
            _ => Ok(()),
        }
    }
}

fn ensure_settings(settings: &AutoReload) -> Result<(), DomainError> {
    let AutoReload {
        threshold, amount, ..
    } = settings;
    if !(RELOAD_AMOUNT_MIN_CENTS..=RELOAD_AMOUNT_MAX_CENTS).contains(&amount.cents) {
        return Err(DomainError::invalid(format!(
            "the reload amount is {RELOAD_AMOUNT_MIN_CENTS} to {RELOAD_AMOUNT_MAX_CENTS} cents"
        )));
    }
    if !(0..=THRESHOLD_MAX_CENTS).contains(&threshold.cents) {
        return Err(DomainError::invalid(format!(
            "the threshold is 0 to {THRESHOLD_MAX_CENTS} cents"
        )));
    }
    if threshold.currency != amount.currency {
        return Err(DomainError::invalid(
            "the threshold and the amount are in one currency",
        ));
    }
    Ok(())
}

impl Aggregate for BillingProfile {
    const STREAM_PREFIX: &'static str = "billing";
    type Command = BillingCommand;
    type Event = BillingEvent;

    fn decide(&self, command: &BillingCommand) -> Decided<BillingEvent> {
        match command {
            BillingCommand::AttachMethod {
                by,
                mode,
                method,
                at,
            } => {
                self.ensure_owner(by)?;
                method.ensure_valid()?;
                if self.method.as_ref() == Some(method) {
                    return Ok(vec![]);
                }
                Ok(vec![BillingEvent::PaymentMethodAttached {
                    owner: by.actor,
                    mode: *mode,
                    method: method.clone(),
                    at: *at,
                }])
            }
            BillingCommand::DetachMethod { by, at } => {
                self.ensure_owner(by)?;
                let method = self
                    .method
                    .as_ref()
                    .ok_or_else(|| DomainError::conflict(NO_METHOD))?;
                Ok(vec![BillingEvent::PaymentMethodDetached {
                    method_id: method.id.clone(),
                    at: *at,
                }])
            }
            BillingCommand::ConfigureAutoReload {
                by,
                mode,
                settings,
                at,
            } => {
                self.ensure_owner(by)?;
                ensure_settings(settings)?;
                if settings.enabled && self.method.is_none() {
                    return Err(DomainError::conflict(
                        "set up a payment method before turning auto-reload on",
                    ));
                }
                if *settings == self.auto_reload {
                    return Ok(vec![]);
                }
                Ok(vec![BillingEvent::AutoReloadConfigured {
                    owner: by.actor,
                    mode: *mode,
                    settings: *settings,
                    at: *at,
                }])
            }
        }
    }

    fn apply(&mut self, event: &BillingEvent) {
        match event {
            BillingEvent::PaymentMethodAttached {
                owner,
                mode,
                method,
                at,
            } => {
                self.owner = Some(*owner);
                self.mode = *mode;
                self.method = Some(method.clone());
                self.updated_at = Some(*at);
            }
            BillingEvent::PaymentMethodDetached { at, .. } => {
                self.method = None;
                self.auto_reload.enabled = false;
                self.updated_at = Some(*at);
            }
            BillingEvent::AutoReloadConfigured {
                owner,
                mode,
                settings,
                at,
            } => {
                self.owner = Some(*owner);
                self.mode = *mode;
                self.auto_reload = *settings;
                self.updated_at = Some(*at);
            }
        }
    }
}

crate::cqrs_aggregate!(BillingProfile);

/// A charge auto-reload asks of the owner's saved method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopUp {
    pub account: AccountId,
    pub amount: Money,
    pub method: PaymentMethod,
}

/// Whether placing a hold of `hold_cents` on `account` (with `available_cents`
/// available) sets off auto-reload, and for how much: the reload amount, or
/// what the hold lacks if that is more. Nothing if auto-reload is off, no
/// method is saved, the balance stays at or above the threshold, or the hold
/// lacks more than one top-up may charge.
pub fn top_up(
    profile: &BillingProfile,
    account: AccountId,
    available_cents: i64,
    hold_cents: i64,
) -> Option<TopUp> {
    let settings = profile.auto_reload;
    let method = profile.method.as_ref()?;
    if !settings.enabled || settings.amount.currency != account.currency {
        return None;
    }
    let left_after = available_cents.checked_sub(hold_cents)?;
    if left_after >= settings.threshold.cents {
        return None;
    }
    let lacking = -left_after.min(0);
    let cents = settings.amount.cents.max(lacking);
    if cents > TOP_UP_MAX_CENTS {
        return None;
    }
    Some(TopUp {
        account,
        amount: Money {
            cents,
            currency: account.currency,
        },
        method: method.clone(),
    })
}

#[cfg(test)]
mod tests;
