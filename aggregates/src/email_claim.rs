//! `EmailClaim` (`email-<hex SHA-256 of the address>`): who an email address
//! belongs to. Uniqueness is the journal's: registration appends the claim in
//! the same atomic append as the actor, expecting the claim stream to be
//! empty, so of two registrations racing for one address exactly one commits
//! and the other, deciding again, finds the address taken.

use crate::actor::Email;
use crate::aggregate::{Aggregate, DomainEvent};
use crate::error::{Decided, DomainError};
use crate::ids::ActorId;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq)]
pub enum EmailClaimCommand {
    Claim {
        email: Email,
        actor_id: ActorId,
        at: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum EmailClaimEvent {
    EmailClaimed {
        email: Email,
        actor_id: ActorId,
        at: Timestamp,
    },
}

impl DomainEvent for EmailClaimEvent {
    fn event_type(&self) -> &'static str {
        match self {
            EmailClaimEvent::EmailClaimed { .. } => "EmailClaimed",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmailClaim {
    pub email: Option<Email>,
    pub actor_id: Option<ActorId>,
}

impl Aggregate for EmailClaim {
    const STREAM_PREFIX: &'static str = "email";
    type Command = EmailClaimCommand;
    type Event = EmailClaimEvent;

    fn decide(&self, command: &EmailClaimCommand) -> Decided<EmailClaimEvent> {
        match command {
            EmailClaimCommand::Claim {
                email,
                actor_id,
                at,
            } => {
                if self.actor_id.is_some() {
                    return Err(DomainError::Taken("email"));
                }
                Ok(vec![EmailClaimEvent::EmailClaimed {
                    email: email.clone(),
                    actor_id: *actor_id,
                    at: *at,
                }])
            }
        }
    }

    fn apply(&mut self, event: &EmailClaimEvent) {
        match event {
            EmailClaimEvent::EmailClaimed {
                email, actor_id, ..
            } => {
                self.email = Some(email.clone());
                self.actor_id = Some(*actor_id);
            }
        }
    }
}

crate::cqrs_aggregate!(EmailClaim);

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use cqrs_es::test::TestFramework;
    use uuid::Uuid;

    fn at() -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
    }

    fn claim(actor: u128) -> EmailClaimCommand {
        EmailClaimCommand::Claim {
            email: Email::parse("bea@example.com").unwrap(),
            actor_id: ActorId(Uuid::from_u128(actor)),
            at: at(),
        }
    }

    fn claimed(actor: u128) -> EmailClaimEvent {
        EmailClaimEvent::EmailClaimed {
            email: Email::parse("bea@example.com").unwrap(),
            actor_id: ActorId(Uuid::from_u128(actor)),
            at: at(),
        }
    }

    #[test]
    fn an_unclaimed_address_is_claimed() {
        TestFramework::<EmailClaim>::with(())
            .given_no_previous_events()
            .when(claim(1))
            .then_expect_events(vec![claimed(1)]);
    }

    #[test]
    fn a_claimed_address_is_taken_even_for_its_owner() {
        for actor in [1, 2] {
            TestFramework::<EmailClaim>::with(())
                .given(vec![claimed(1)])
                .when(claim(actor))
                .then_expect_error(DomainError::Taken("email"));
        }
    }
}
