//! `Credentials` (`credentials-<actor id>`): how a person proves who they are
//! — a password, kept only as its hash (made outside the domain, which does no
//! slow work) — and the version of their credentials, which every token they
//! hold names: changing the password or signing out everywhere bumps it, and
//! tokens naming an older version stop working.

use crate::aggregate::{Aggregate, DomainEvent};
use crate::error::{Decided, DomainError};
use crate::ids::ActorId;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq)]
pub enum CredentialsCommand {
    /// At registration.
    SetPassword {
        actor_id: ActorId,
        password_hash: String,
        at: Timestamp,
    },
    /// The old password was checked by the caller before the new one was hashed.
    ChangePassword {
        password_hash: String,
        at: Timestamp,
    },
    /// Every token issued so far stops working.
    SignOutEverywhere { at: Timestamp },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum CredentialsEvent {
    /// `password_hash` is a PHC string (argon2id); shown to no one (see the
    /// events API's redaction).
    PasswordSet {
        actor_id: ActorId,
        password_hash: String,
        at: Timestamp,
    },
    PasswordChanged {
        password_hash: String,
        at: Timestamp,
    },
    SignedOutEverywhere {
        at: Timestamp,
    },
}

impl DomainEvent for CredentialsEvent {
    fn event_type(&self) -> &'static str {
        match self {
            CredentialsEvent::PasswordSet { .. } => "PasswordSet",
            CredentialsEvent::PasswordChanged { .. } => "PasswordChanged",
            CredentialsEvent::SignedOutEverywhere { .. } => "SignedOutEverywhere",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Credentials {
    pub actor_id: Option<ActorId>,
    pub password_hash: Option<String>,
    /// 1 once a password is set; tokens carry it and must match.
    pub version: u32,
}

impl Credentials {
    pub fn exists(&self) -> bool {
        self.actor_id.is_some()
    }

    fn ensure_exists(&self) -> Result<(), DomainError> {
        if self.exists() {
            Ok(())
        } else {
            Err(DomainError::NotFound("credentials"))
        }
    }
}

impl Aggregate for Credentials {
    const STREAM_PREFIX: &'static str = "credentials";
    type Command = CredentialsCommand;
    type Event = CredentialsEvent;

    fn decide(&self, command: &CredentialsCommand) -> Decided<CredentialsEvent> {
        match command {
            CredentialsCommand::SetPassword {
                actor_id,
                password_hash,
                at,
            } => {
                if self.exists() {
                    return Err(DomainError::conflict("a password is already set"));
                }
                Ok(vec![CredentialsEvent::PasswordSet {
                    actor_id: *actor_id,
                    password_hash: password_hash.clone(),
                    at: *at,
                }])
            }
            CredentialsCommand::ChangePassword { password_hash, at } => {
                self.ensure_exists()?;
                Ok(vec![CredentialsEvent::PasswordChanged {
                    password_hash: password_hash.clone(),
                    at: *at,
                }])
            }
            CredentialsCommand::SignOutEverywhere { at } => {
                self.ensure_exists()?;
                Ok(vec![CredentialsEvent::SignedOutEverywhere { at: *at }])
            }
        }
    }

    fn apply(&mut self, event: &CredentialsEvent) {
        match event {
            CredentialsEvent::PasswordSet {
                actor_id,
                password_hash,
                ..
            } => {
                self.actor_id = Some(*actor_id);
                self.password_hash = Some(password_hash.clone());
                self.version = 1;
            }
            CredentialsEvent::PasswordChanged { password_hash, .. } => {
                self.password_hash = Some(password_hash.clone());
                self.version += 1;
            }
            CredentialsEvent::SignedOutEverywhere { .. } => self.version += 1,
        }
    }
}

crate::cqrs_aggregate!(Credentials);

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use cqrs_es::test::TestFramework;
    use uuid::Uuid;

    type CredentialsTest = TestFramework<Credentials>;

    const BEA: ActorId = ActorId(Uuid::from_u128(0xbea));

    fn at() -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
    }

    fn set() -> CredentialsEvent {
        CredentialsEvent::PasswordSet {
            actor_id: BEA,
            password_hash: "$argon2id$first".into(),
            at: at(),
        }
    }

    #[test]
    fn setting_a_password_starts_the_credentials_at_version_1() {
        CredentialsTest::with(())
            .given_no_previous_events()
            .when(CredentialsCommand::SetPassword {
                actor_id: BEA,
                password_hash: "$argon2id$first".into(),
                at: at(),
            })
            .then_expect_events(vec![set()]);
        assert_eq!(Credentials::fold(&[set()]).version, 1);
    }

    #[test]
    fn a_password_is_set_once() {
        CredentialsTest::with(())
            .given(vec![set()])
            .when(CredentialsCommand::SetPassword {
                actor_id: BEA,
                password_hash: "$argon2id$again".into(),
                at: at(),
            })
            .then_expect_error(DomainError::Conflict("a password is already set".into()));
    }

    #[test]
    fn changing_the_password_or_signing_out_bumps_the_version() {
        let changed = CredentialsEvent::PasswordChanged {
            password_hash: "$argon2id$second".into(),
            at: at(),
        };
        CredentialsTest::with(())
            .given(vec![set()])
            .when(CredentialsCommand::ChangePassword {
                password_hash: "$argon2id$second".into(),
                at: at(),
            })
            .then_expect_events(vec![changed.clone()]);
        let signed_out = CredentialsEvent::SignedOutEverywhere { at: at() };
        CredentialsTest::with(())
            .given(vec![set(), changed.clone()])
            .when(CredentialsCommand::SignOutEverywhere { at: at() })
            .then_expect_events(vec![signed_out.clone()]);
        let state = Credentials::fold(&[set(), changed, signed_out]);
        assert_eq!(state.version, 3);
        assert_eq!(state.password_hash.as_deref(), Some("$argon2id$second"));
    }

    #[test]
    fn someone_without_a_password_has_nothing_to_change() {
        for command in [
            CredentialsCommand::ChangePassword {
                password_hash: "$argon2id$x".into(),
                at: at(),
            },
            CredentialsCommand::SignOutEverywhere { at: at() },
        ] {
            CredentialsTest::with(())
                .given_no_previous_events()
                .when(command)
                .then_expect_error(DomainError::NotFound("credentials"));
        }
    }
}
