//! `ApiKey` (`key-<id>`): a secret that acts as an actor. Only a hash of the
//! secret is ever stored; the secret itself is shown once, at issue.

use crate::actor::Caller;
use crate::aggregate::{Aggregate, DomainEvent};
use crate::error::{Decided, DomainError};
use crate::ids::{ActorId, KeyId};
use crate::mode::Mode;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// What a key may do. A key with no scopes listed may do everything its actor may.
pub const SCOPES: &[&str] = &[
    "tasks:read",
    "tasks:write",
    "wallet:read",
    "wallet:write",
    "messages:read",
    "messages:write",
    "events:read",
    "webhooks:read",
    "webhooks:write",
];

/// Bounds a key's list of scopes; there are fewer scopes than this.
const SCOPES_MAX: usize = 16;

#[derive(Debug, Clone, PartialEq)]
pub enum KeyCommand {
    Issue {
        key_id: KeyId,
        actor_id: ActorId,
        /// The visible start of the secret (`erk_live_3f9a`), for people to tell keys apart.
        prefix: String,
        /// SHA-256 of the secret, hex.
        secret_hash: String,
        scopes: Vec<String>,
        mode: Mode,
        at: Timestamp,
    },
    Revoke {
        by: Caller,
        at: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum KeyEvent {
    ApiKeyIssued {
        key_id: KeyId,
        actor_id: ActorId,
        prefix: String,
        secret_hash: String,
        scopes: Vec<String>,
        mode: Mode,
        issued_at: Timestamp,
    },
    ApiKeyRevoked {
        by: ActorId,
        at: Timestamp,
    },
}

impl DomainEvent for KeyEvent {
    fn event_type(&self) -> &'static str {
        match self {
            KeyEvent::ApiKeyIssued { .. } => "ApiKeyIssued",
            KeyEvent::ApiKeyRevoked { .. } => "ApiKeyRevoked",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: Option<KeyId>,
    pub actor_id: Option<ActorId>,
    pub prefix: String,
    pub secret_hash: String,
    pub scopes: Vec<String>,
    pub mode: Mode,
    pub revoked: bool,
    pub issued_at: Option<Timestamp>,
}

impl ApiKey {
    /// Whether a key with these scopes may use an endpoint needing `scope`.
    pub fn allows(scopes: &[String], scope: &str) -> bool {
        scopes.is_empty() || scopes.iter().any(|granted| granted == scope)
    }
}

impl Aggregate for ApiKey {
    const STREAM_PREFIX: &'static str = "key";
    type Command = KeyCommand;
    type Event = KeyEvent;

    fn decide(&self, command: &KeyCommand) -> Decided<KeyEvent> {
        match command {
            KeyCommand::Issue {
                key_id,
                actor_id,
                prefix,
                secret_hash,
                scopes,
                mode,
                at,
            } => {
                if self.id.is_some() {
                    return Err(DomainError::conflict("key already issued"));
                }
                if scopes.len() > SCOPES_MAX {
                    return Err(DomainError::invalid("too many scopes"));
                }
                if let Some(unknown) = scopes.iter().find(|s| !SCOPES.contains(&s.as_str())) {
                    return Err(DomainError::invalid(format!(
                        "unknown scope {unknown:?}; known scopes: {}",
                        SCOPES.join(", ")
                    )));
                }
                let is_hex_sha256 =
                    secret_hash.len() == 64 && secret_hash.chars().all(|c| c.is_ascii_hexdigit());
                if !is_hex_sha256 {
                    return Err(DomainError::invalid("secret hash must be hex SHA-256"));
                }
                let mut scopes = scopes.clone();
                scopes.sort();
                scopes.dedup();
                Ok(vec![KeyEvent::ApiKeyIssued {
                    key_id: *key_id,
                    actor_id: *actor_id,
                    prefix: prefix.clone(),
                    secret_hash: secret_hash.clone(),
                    scopes,
                    mode: *mode,
                    issued_at: *at,
                }])
            }
            KeyCommand::Revoke { by, at } => {
                let owner = self.actor_id.ok_or(DomainError::NotFound("key"))?;
                if by.actor != owner && !by.is_admin() {
                    return Err(DomainError::forbidden(
                        "only the key's owner or an admin may revoke it",
                    ));
                }
                if self.revoked {
                    return Err(DomainError::conflict("key is already revoked"));
                }
                Ok(vec![KeyEvent::ApiKeyRevoked {
                    by: by.actor,
                    at: *at,
                }])
            }
        }
    }

    fn apply(&mut self, event: &KeyEvent) {
        match event {
            KeyEvent::ApiKeyIssued {
                key_id,
                actor_id,
                prefix,
                secret_hash,
                scopes,
                mode,
                issued_at,
            } => {
                self.id = Some(*key_id);
                self.actor_id = Some(*actor_id);
                self.prefix = prefix.clone();
                self.secret_hash = secret_hash.clone();
                self.scopes = scopes.clone();
                self.mode = *mode;
                self.issued_at = Some(*issued_at);
            }
            KeyEvent::ApiKeyRevoked { .. } => self.revoked = true,
        }
    }
}

crate::cqrs_aggregate!(ApiKey);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::{Role, Standing};
    use chrono::TimeZone;
    use cqrs_es::test::TestFramework;
    use uuid::Uuid;

    type KeyTest = TestFramework<ApiKey>;

    const KEY: KeyId = KeyId(Uuid::from_u128(0x4e7));
    const OWNER: ActorId = ActorId(Uuid::from_u128(0x1));

    fn at() -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
    }

    fn hash() -> String {
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".to_owned()
    }

    fn caller(actor: u128, role: Role) -> Caller {
        Caller {
            actor: ActorId(Uuid::from_u128(actor)),
            role,
            standing: Standing::Active,
        }
    }

    fn owner() -> Caller {
        caller(0x1, Role::Agent)
    }

    fn issue(scopes: &[&str], secret_hash: String) -> KeyCommand {
        KeyCommand::Issue {
            key_id: KEY,
            actor_id: OWNER,
            prefix: "erk_live_3f9a".to_owned(),
            secret_hash,
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            mode: Mode::Live,
            at: at(),
        }
    }

    fn issued(scopes: &[&str]) -> KeyEvent {
        KeyEvent::ApiKeyIssued {
            key_id: KEY,
            actor_id: OWNER,
            prefix: "erk_live_3f9a".to_owned(),
            secret_hash: hash(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            mode: Mode::Live,
            issued_at: at(),
        }
    }

    fn revoke(by: Caller) -> KeyCommand {
        KeyCommand::Revoke { by, at: at() }
    }

    #[test]
    fn issuing_records_the_hash_and_sorted_distinct_scopes() {
        KeyTest::with(())
            .given_no_previous_events()
            .when(issue(
                &["wallet:read", "tasks:write", "wallet:read"],
                hash(),
            ))
            .then_expect_events(vec![issued(&["tasks:write", "wallet:read"])]);
    }

    #[test]
    fn a_key_without_scopes_may_do_everything_its_actor_may() {
        KeyTest::with(())
            .given_no_previous_events()
            .when(issue(&[], hash()))
            .then_expect_events(vec![issued(&[])]);
        assert!(ApiKey::allows(&[], "wallet:write"));
        let scopes = vec!["tasks:read".to_owned()];
        assert!(ApiKey::allows(&scopes, "tasks:read"));
        assert!(!ApiKey::allows(&scopes, "tasks:write"));
    }

    #[test]
    fn an_unknown_scope_is_refused() {
        KeyTest::with(())
            .given_no_previous_events()
            .when(issue(&["tasks:read", "admin:all"], hash()))
            .then_expect_error(DomainError::Invalid(format!(
                "unknown scope \"admin:all\"; known scopes: {}",
                SCOPES.join(", ")
            )));
    }

    #[test]
    fn a_list_of_more_than_16_scopes_is_refused() {
        let many = ["tasks:read"; SCOPES_MAX + 1];
        KeyTest::with(())
            .given_no_previous_events()
            .when(issue(&many, hash()))
            .then_expect_error(DomainError::Invalid("too many scopes".to_owned()));
    }

    #[test]
    fn the_secret_hash_must_be_hex_sha256() {
        let error = DomainError::Invalid("secret hash must be hex SHA-256".to_owned());
        let not_hex = format!("{}zz", &hash()[..62]);
        for bad in [
            String::new(),
            hash()[..63].to_owned(),
            format!("{}0", hash()),
            not_hex,
        ] {
            KeyTest::with(())
                .given_no_previous_events()
                .when(issue(&[], bad))
                .then_expect_error(error.clone());
        }
    }

    #[test]
    fn issuing_twice_is_a_conflict() {
        KeyTest::with(())
            .given(vec![issued(&[])])
            .when(issue(&[], hash()))
            .then_expect_error(DomainError::Conflict("key already issued".to_owned()));
    }

    #[test]
    fn the_owner_revokes_their_key() {
        KeyTest::with(())
            .given(vec![issued(&[])])
            .when(revoke(owner()))
            .then_expect_events(vec![KeyEvent::ApiKeyRevoked {
                by: OWNER,
                at: at(),
            }]);
        let key = ApiKey::fold(&[
            issued(&[]),
            KeyEvent::ApiKeyRevoked {
                by: OWNER,
                at: at(),
            },
        ]);
        assert!(key.revoked);
    }

    #[test]
    fn an_admin_revokes_anyones_key() {
        let admin = caller(0xad, Role::Admin);
        KeyTest::with(())
            .given(vec![issued(&[])])
            .when(revoke(admin))
            .then_expect_events(vec![KeyEvent::ApiKeyRevoked {
                by: admin.actor,
                at: at(),
            }]);
    }

    #[test]
    fn no_one_else_revokes_a_key() {
        KeyTest::with(())
            .given(vec![issued(&[])])
            .when(revoke(caller(0x2, Role::Agent)))
            .then_expect_error(DomainError::Forbidden(
                "only the key's owner or an admin may revoke it".to_owned(),
            ));
    }

    #[test]
    fn revoking_twice_is_a_conflict() {
        KeyTest::with(())
            .given(vec![
                issued(&[]),
                KeyEvent::ApiKeyRevoked {
                    by: OWNER,
                    at: at(),
                },
            ])
            .when(revoke(owner()))
            .then_expect_error(DomainError::Conflict("key is already revoked".to_owned()));
    }

    #[test]
    fn revoking_a_key_never_issued_finds_nothing() {
        KeyTest::with(())
            .given_no_previous_events()
            .when(revoke(owner()))
            .then_expect_error(DomainError::NotFound("key"));
    }
}
