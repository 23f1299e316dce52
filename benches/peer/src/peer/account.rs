//! `PeerAccount`: one poster's money, with the holds (escrow) placed on it.
//! Its commands arrive from the escrow process manager, each after the task
//! command that called for it has committed.

use chrono::{DateTime, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use errand_aggregates::money::Money;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct PeerAccount {
    available_cents: i64,
    held_cents: i64,
    spent_cents: i64,
    earned_cents: i64,
    /// Cents still held, per open hold.
    holds: BTreeMap<Uuid, i64>,
}

#[derive(Debug)]
pub enum PeerAccountCommand {
    Fund {
        amount: Money,
        at: DateTime<Utc>,
    },
    PlaceHold {
        hold_id: Uuid,
        task_id: Uuid,
        amount: Money,
        at: DateTime<Utc>,
    },
    CaptureHold {
        hold_id: Uuid,
        gross: Money,
        fee: Money,
        payee: Uuid,
        at: DateTime<Utc>,
    },
    /// A worker's pay for approved work: the capture's gross less its fee.
    ReceivePayment {
        hold_id: Uuid,
        payer: String,
        amount: Money,
        at: DateTime<Utc>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PeerAccountEvent {
    FundsDeposited {
        amount: Money,
        at: DateTime<Utc>,
    },
    HoldPlaced {
        hold_id: Uuid,
        task_id: Uuid,
        amount: Money,
        at: DateTime<Utc>,
    },
    HoldCaptured {
        hold_id: Uuid,
        gross: Money,
        fee: Money,
        payee: Uuid,
        at: DateTime<Utc>,
    },
    PaymentReceived {
        hold_id: Uuid,
        payer: String,
        amount: Money,
        at: DateTime<Utc>,
    },
}

impl DomainEvent for PeerAccountEvent {
    fn event_type(&self) -> String {
        match self {
            PeerAccountEvent::FundsDeposited { .. } => "FundsDeposited",
            PeerAccountEvent::HoldPlaced { .. } => "HoldPlaced",
            PeerAccountEvent::HoldCaptured { .. } => "HoldCaptured",
            PeerAccountEvent::PaymentReceived { .. } => "PaymentReceived",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PeerAccountError {
    #[error("amount must be greater than zero")]
    NotPositive,
    #[error("insufficient funds: {available_cents} cents available, {needed_cents} needed")]
    InsufficientFunds {
        available_cents: i64,
        needed_cents: i64,
    },
    #[error("hold already placed")]
    HoldExists,
    #[error("hold is unknown or already settled")]
    UnknownHold,
    #[error("cannot capture {gross_cents} cents from a hold of {remaining_cents}")]
    ExceedsHold {
        gross_cents: i64,
        remaining_cents: i64,
    },
}

impl Aggregate for PeerAccount {
    const TYPE: &'static str = "PeerAccount";
    type Command = PeerAccountCommand;
    type Event = PeerAccountEvent;
    type Error = PeerAccountError;
    type Services = ();

    async fn handle(
        &mut self,
        command: PeerAccountCommand,
        _services: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), PeerAccountError> {
        let event = match command {
            PeerAccountCommand::Fund { amount, at } => {
                if amount.cents <= 0 {
                    return Err(PeerAccountError::NotPositive);
                }
                PeerAccountEvent::FundsDeposited { amount, at }
            }
            PeerAccountCommand::PlaceHold {
                hold_id,
                task_id,
                amount,
                at,
            } => {
                if amount.cents <= 0 {
                    return Err(PeerAccountError::NotPositive);
                }
                if self.holds.contains_key(&hold_id) {
                    return Err(PeerAccountError::HoldExists);
                }
                if amount.cents > self.available_cents {
                    return Err(PeerAccountError::InsufficientFunds {
                        available_cents: self.available_cents,
                        needed_cents: amount.cents,
                    });
                }
                PeerAccountEvent::HoldPlaced {
                    hold_id,
                    task_id,
                    amount,
                    at,
                }
            }
            PeerAccountCommand::CaptureHold {
                hold_id,
                gross,
                fee,
                payee,
                at,
            } => {
                let remaining_cents = *self
                    .holds
                    .get(&hold_id)
                    .ok_or(PeerAccountError::UnknownHold)?;
                if gross.cents <= 0 || gross.cents > remaining_cents {
                    return Err(PeerAccountError::ExceedsHold {
                        gross_cents: gross.cents,
                        remaining_cents,
                    });
                }
                PeerAccountEvent::HoldCaptured {
                    hold_id,
                    gross,
                    fee,
                    payee,
                    at,
                }
            }
            PeerAccountCommand::ReceivePayment {
                hold_id,
                payer,
                amount,
                at,
            } => {
                if amount.cents <= 0 {
                    return Err(PeerAccountError::NotPositive);
                }
                PeerAccountEvent::PaymentReceived {
                    hold_id,
                    payer,
                    amount,
                    at,
                }
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: PeerAccountEvent) {
        match event {
            PeerAccountEvent::FundsDeposited { amount, .. } => {
                self.available_cents += amount.cents;
            }
            PeerAccountEvent::HoldPlaced {
                hold_id, amount, ..
            } => {
                self.available_cents -= amount.cents;
                self.held_cents += amount.cents;
                self.holds.insert(hold_id, amount.cents);
            }
            PeerAccountEvent::HoldCaptured { hold_id, gross, .. } => {
                self.held_cents -= gross.cents;
                self.spent_cents += gross.cents;
                if let Some(remaining) = self.holds.get_mut(&hold_id) {
                    *remaining -= gross.cents;
                    if *remaining == 0 {
                        self.holds.remove(&hold_id);
                    }
                }
            }
            PeerAccountEvent::PaymentReceived { amount, .. } => {
                self.available_cents += amount.cents;
                self.earned_cents += amount.cents;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cqrs_es::test::TestFramework;

    type AccountTest = TestFramework<PeerAccount>;

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).expect("a valid time")
    }

    fn funded(cents: i64) -> PeerAccountEvent {
        PeerAccountEvent::FundsDeposited {
            amount: Money::usd(cents),
            at: at(),
        }
    }

    fn place_hold(cents: i64) -> PeerAccountCommand {
        PeerAccountCommand::PlaceHold {
            hold_id: Uuid::nil(),
            task_id: Uuid::nil(),
            amount: Money::usd(cents),
            at: at(),
        }
    }

    #[test]
    fn a_hold_needs_the_money_available() {
        AccountTest::with(())
            .given(vec![funded(400)])
            .when(place_hold(500))
            .then_expect_error_message("insufficient funds: 400 cents available, 500 needed");
    }

    #[test]
    fn a_hold_is_captured_once() {
        let placed = PeerAccountEvent::HoldPlaced {
            hold_id: Uuid::nil(),
            task_id: Uuid::nil(),
            amount: Money::usd(500),
            at: at(),
        };
        let capture = || PeerAccountCommand::CaptureHold {
            hold_id: Uuid::nil(),
            gross: Money::usd(500),
            fee: Money::usd(50),
            payee: Uuid::max(),
            at: at(),
        };
        let captured = PeerAccountEvent::HoldCaptured {
            hold_id: Uuid::nil(),
            gross: Money::usd(500),
            fee: Money::usd(50),
            payee: Uuid::max(),
            at: at(),
        };
        AccountTest::with(())
            .given(vec![funded(500), placed.clone()])
            .when(capture())
            .then_expect_events(vec![captured.clone()]);
        AccountTest::with(())
            .given(vec![funded(500), placed, captured])
            .when(capture())
            .then_expect_error_message("hold is unknown or already settled");
    }
}
