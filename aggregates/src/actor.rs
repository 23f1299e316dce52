//! `Actor` (`actor-<id>`): who someone is on the marketplace and whether they
//! may act. Frozen actors may finish and review work but not spend or take new
//! work; banned actors may do nothing.

use crate::aggregate::{Aggregate, DomainEvent};
use crate::error::{Decided, DomainError, RuleKind};
use crate::ids::ActorId;
use crate::policy::audited_reason;
use crate::profile::Profile;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Agent,
    Human,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Human => "human",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "agent" => Some(Role::Agent),
            "human" => Some(Role::Human),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    #[default]
    Active,
    Frozen,
    Banned,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Active => "active",
            Standing::Frozen => "frozen",
            Standing::Banned => "banned",
        }
    }
}

/// The rule a frozen actor's spending breaks: Humai's seed names it.
pub const AGENT_FROZEN: &str = "agent_frozen";

/// The actor behind a command, with the standing the bus loaded for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    pub actor: ActorId,
    pub role: Role,
    pub standing: Standing,
}

impl Caller {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Spending money and taking new work need an active standing.
    pub fn ensure_active(&self) -> Result<(), DomainError> {
        match self.standing {
            Standing::Active => Ok(()),
            Standing::Frozen => Err(DomainError::rule(
                RuleKind::Forbidden,
                AGENT_FROZEN,
                "actor is frozen",
            )),
            Standing::Banned => Err(DomainError::forbidden("actor is banned")),
        }
    }

    /// Finishing or reviewing work already under way is allowed while frozen.
    pub fn ensure_not_banned(&self) -> Result<(), DomainError> {
        match self.standing {
            Standing::Banned => Err(DomainError::forbidden("actor is banned")),
            _ => Ok(()),
        }
    }
}

/// A plausible email address: one `@`, something on both sides, no spaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// RFC 5321's limit on a forward path.
    pub const MAX_LEN: usize = 254;

    pub fn parse(text: &str) -> Result<Email, DomainError> {
        let text = text.trim();
        let valid = text.len() <= Self::MAX_LEN
            && !text.chars().any(char::is_whitespace)
            && matches!(text.split_once('@'), Some((local, domain))
                if !local.is_empty() && domain.contains('.') && !domain.contains('@')
                    && !domain.starts_with('.') && !domain.ends_with('.'));
        if valid {
            Ok(Email(text.to_lowercase()))
        } else {
            Err(DomainError::invalid(format!(
                "{text:?} is not an email address"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub const NAME_MAX_CHARS: usize = 100;
/// Details are a few settings (a webhook URL), not documents.
pub const DETAILS_MAX_BYTES: usize = 4 * 1024;

/// One message for a token that is unknown, replaced or for someone else, so
/// a guesser learns nothing from it.
pub const VERIFICATION_TOKEN_INVALID: &str = "this verification token is not valid";
pub const VERIFICATION_TOKEN_EXPIRED: &str =
    "this verification token has expired; ask for a new one";
/// How long a mailed verification token verifies: a day, as mail links go.
/// A new one can be asked for at any time; it replaces the last.
pub const VERIFICATION_TOKEN_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::hours(24);

#[derive(Debug, Clone, PartialEq)]
pub enum ActorCommand {
    Register {
        actor_id: ActorId,
        role: Role,
        name: String,
        email: Option<Email>,
        at: Timestamp,
    },
    Freeze {
        by: Caller,
        reason: String,
        at: Timestamp,
    },
    /// The reason is optional: the native API lifts without one, Humai's
    /// kill switch records its admin's.
    Unfreeze {
        by: Caller,
        reason: Option<String>,
        at: Timestamp,
    },
    Ban {
        by: Caller,
        reason: String,
        at: Timestamp,
    },
    Unban {
        by: Caller,
        reason: Option<String>,
        at: Timestamp,
    },
    /// A person replaces their own profile.
    UpdateProfile {
        by: Caller,
        profile: Profile,
        at: Timestamp,
    },
    /// A token was mailed to the actor's email; only its hash is kept.
    IssueEmailVerification { token_hash: String, at: Timestamp },
    /// Someone presented a token mailed to the actor's email.
    VerifyEmail { token_hash: String, at: Timestamp },
    /// The actor changes the name it is shown by (Humai's `display_name`).
    Rename {
        by: Caller,
        name: String,
        at: Timestamp,
    },
    /// Dialect details the domain carries but does not interpret (HumanPing's
    /// `webhook_url`), merged over those recorded before.
    RecordDetails {
        details: serde_json::Map<String, serde_json::Value>,
        at: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ActorEvent {
    ActorRegistered {
        actor_id: ActorId,
        role: Role,
        name: String,
        email: Option<Email>,
        registered_at: Timestamp,
    },
    ActorFrozen {
        by: ActorId,
        reason: String,
        at: Timestamp,
    },
    ActorUnfrozen {
        by: ActorId,
        /// Absent in events recorded before lifts took a reason.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        at: Timestamp,
    },
    ActorBanned {
        by: ActorId,
        reason: String,
        at: Timestamp,
    },
    ActorUnbanned {
        by: ActorId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        at: Timestamp,
    },
    ProfileUpdated {
        profile: Profile,
        at: Timestamp,
    },
    /// A verification token was sent to `email`; it replaces any earlier one.
    EmailVerificationIssued {
        email: Email,
        token_hash: String,
        at: Timestamp,
    },
    EmailVerified {
        email: Email,
        at: Timestamp,
    },
    DetailsRecorded {
        details: serde_json::Map<String, serde_json::Value>,
        at: Timestamp,
    },
    ActorRenamed {
        name: String,
        at: Timestamp,
    },
}

impl DomainEvent for ActorEvent {
    fn event_type(&self) -> &'static str {
        match self {
            ActorEvent::ActorRegistered { .. } => "ActorRegistered",
            ActorEvent::ActorFrozen { .. } => "ActorFrozen",
            ActorEvent::ActorUnfrozen { .. } => "ActorUnfrozen",
            ActorEvent::ActorBanned { .. } => "ActorBanned",
            ActorEvent::ActorUnbanned { .. } => "ActorUnbanned",
            ActorEvent::ProfileUpdated { .. } => "ProfileUpdated",
            ActorEvent::EmailVerificationIssued { .. } => "EmailVerificationIssued",
            ActorEvent::EmailVerified { .. } => "EmailVerified",
            ActorEvent::DetailsRecorded { .. } => "DetailsRecorded",
            ActorEvent::ActorRenamed { .. } => "ActorRenamed",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Actor {
    pub id: Option<ActorId>,
    pub role: Option<Role>,
    pub name: String,
    pub email: Option<Email>,
    pub standing: Standing,
    pub registered_at: Option<Timestamp>,
    #[serde(default)]
    pub profile: Profile,
    /// Whether the actor proved they read mail sent to `email`.
    #[serde(default)]
    pub email_verified: bool,
    /// The hash of the last verification token sent, until it is used.
    #[serde(default)]
    pub pending_verification: Option<String>,
    /// When that token was sent; it verifies for `VERIFICATION_TOKEN_LIFETIME`.
    #[serde(default)]
    pub pending_verification_issued_at: Option<Timestamp>,
    pub details: serde_json::Map<String, serde_json::Value>,
}

impl Actor {
    pub fn exists(&self) -> bool {
        self.id.is_some()
    }

    /// The caller this actor is when it acts.
    pub fn as_caller(&self) -> Option<Caller> {
        Some(Caller {
            actor: self.id?,
            role: self.role?,
            standing: self.standing,
        })
    }

    fn ensure_exists(&self) -> Result<(), DomainError> {
        if self.exists() {
            Ok(())
        } else {
            Err(DomainError::NotFound("actor"))
        }
    }
}

/// A name is 1 to 100 characters, trimmed.
fn parse_name(name: &str) -> Result<String, DomainError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
        return Err(DomainError::invalid(format!(
            "name must be 1 to {NAME_MAX_CHARS} characters"
        )));
    }
    Ok(name.to_owned())
}

/// Admin powers need an admin who is not banned: otherwise a banned admin
/// could unban themselves and carry on.
fn ensure_admin(by: &Caller) -> Result<(), DomainError> {
    by.ensure_not_banned()?;
    if by.is_admin() {
        Ok(())
    } else {
        Err(DomainError::forbidden("only an admin may do this"))
    }
}

impl Aggregate for Actor {
    const STREAM_PREFIX: &'static str = "actor";
    type Command = ActorCommand;
    type Event = ActorEvent;

    fn decide(&self, command: &ActorCommand) -> Decided<ActorEvent> {
        match command {
            ActorCommand::Register {
                actor_id,
                role,
                name,
                email,
                at,
            } => {
                if self.exists() {
                    return Err(DomainError::conflict("actor already registered"));
                }
                Ok(vec![ActorEvent::ActorRegistered {
                    actor_id: *actor_id,
                    role: *role,
                    name: parse_name(name)?,
                    email: email.clone(),
                    registered_at: *at,
                }])
            }
            ActorCommand::Freeze { by, reason, at } => {
                self.ensure_exists()?;
                ensure_admin(by)?;
                let reason = audited_reason(reason)?;
                match self.standing {
                    Standing::Active => Ok(vec![ActorEvent::ActorFrozen {
                        by: by.actor,
                        reason,
                        at: *at,
                    }]),
                    Standing::Frozen => Err(DomainError::conflict("actor is already frozen")),
                    Standing::Banned => Err(DomainError::conflict("actor is banned")),
                }
            }
            ActorCommand::Unfreeze { by, reason, at } => {
                self.ensure_exists()?;
                ensure_admin(by)?;
                let reason = reason.as_deref().map(audited_reason).transpose()?;
                // A frozen admin may still act (as a frozen actor may finish
                // work), but lifting their own freeze would make it moot.
                if self.id == Some(by.actor) {
                    return Err(DomainError::conflict("an admin cannot unfreeze themselves"));
                }
                match self.standing {
                    Standing::Frozen => Ok(vec![ActorEvent::ActorUnfrozen {
                        by: by.actor,
                        reason,
                        at: *at,
                    }]),
                    _ => Err(DomainError::conflict("actor is not frozen")),
                }
            }
            ActorCommand::Ban { by, reason, at } => {
                self.ensure_exists()?;
                ensure_admin(by)?;
                let reason = audited_reason(reason)?;
                if self.id == Some(by.actor) {
                    return Err(DomainError::conflict("an admin cannot ban themselves"));
                }
                match self.standing {
                    Standing::Banned => Err(DomainError::conflict("actor is already banned")),
                    _ => Ok(vec![ActorEvent::ActorBanned {
                        by: by.actor,
                        reason,
                        at: *at,
                    }]),
                }
            }
            ActorCommand::RecordDetails { details, at } => {
                self.ensure_exists()?;
                if details.is_empty() {
                    return Err(DomainError::invalid("no details to record"));
                }
                let mut merged = self.details.clone();
                merged.extend(details.clone());
                let size = serde_json::to_vec(&merged).map_or(usize::MAX, |bytes| bytes.len());
                if size > DETAILS_MAX_BYTES {
                    return Err(DomainError::invalid(format!(
                        "an actor's details must be at most {DETAILS_MAX_BYTES} bytes of JSON"
                    )));
                }
                Ok(vec![ActorEvent::DetailsRecorded {
                    details: details.clone(),
                    at: *at,
                }])
            }
            ActorCommand::Rename { by, name, at } => {
                self.ensure_exists()?;
                by.ensure_not_banned()?;
                if self.id != Some(by.actor) {
                    return Err(DomainError::forbidden(
                        "only the actor themselves may change their name",
                    ));
                }
                Ok(vec![ActorEvent::ActorRenamed {
                    name: parse_name(name)?,
                    at: *at,
                }])
            }
            ActorCommand::Unban { by, reason, at } => {
                self.ensure_exists()?;
                ensure_admin(by)?;
                let reason = reason.as_deref().map(audited_reason).transpose()?;
                match self.standing {
                    Standing::Banned => Ok(vec![ActorEvent::ActorUnbanned {
                        by: by.actor,
                        reason,
                        at: *at,
                    }]),
                    _ => Err(DomainError::conflict("actor is not banned")),
                }
            }
            ActorCommand::UpdateProfile { by, profile, at } => {
                self.ensure_exists()?;
                by.ensure_not_banned()?;
                if self.id != Some(by.actor) {
                    return Err(DomainError::forbidden(
                        "only the actor themselves may change their profile",
                    ));
                }
                Ok(vec![ActorEvent::ProfileUpdated {
                    profile: profile.clone(),
                    at: *at,
                }])
            }
            ActorCommand::IssueEmailVerification { token_hash, at } => {
                self.ensure_exists()?;
                let Some(email) = &self.email else {
                    return Err(DomainError::conflict("actor has no email to verify"));
                };
                if self.email_verified {
                    return Err(DomainError::conflict("email is already verified"));
                }
                Ok(vec![ActorEvent::EmailVerificationIssued {
                    email: email.clone(),
                    token_hash: token_hash.clone(),
                    at: *at,
                }])
            }
            ActorCommand::VerifyEmail { token_hash, at } => {
                self.ensure_exists()?;
                if self.email_verified {
                    return Err(DomainError::conflict("email is already verified"));
                }
                match (&self.email, &self.pending_verification) {
                    (Some(email), Some(pending)) if pending == token_hash => {
                        let expired = self
                            .pending_verification_issued_at
                            .is_some_and(|issued| *at - issued > VERIFICATION_TOKEN_LIFETIME);
                        if expired {
                            return Err(DomainError::invalid(VERIFICATION_TOKEN_EXPIRED));
                        }
                        Ok(vec![ActorEvent::EmailVerified {
                            email: email.clone(),
                            at: *at,
                        }])
                    }
                    _ => Err(DomainError::invalid(VERIFICATION_TOKEN_INVALID)),
                }
            }
        }
    }

    fn apply(&mut self, event: &ActorEvent) {
        match event {
            ActorEvent::ActorRegistered {
                actor_id,
                role,
                name,
                email,
                registered_at,
            } => {
                self.id = Some(*actor_id);
                self.role = Some(*role);
                self.name = name.clone();
                self.email = email.clone();
                self.registered_at = Some(*registered_at);
            }
            ActorEvent::ActorFrozen { .. } => self.standing = Standing::Frozen,
            ActorEvent::ActorBanned { .. } => self.standing = Standing::Banned,
            ActorEvent::ActorUnfrozen { .. } | ActorEvent::ActorUnbanned { .. } => {
                self.standing = Standing::Active
            }
            ActorEvent::ProfileUpdated { profile, .. } => self.profile = profile.clone(),
            ActorEvent::EmailVerificationIssued { token_hash, at, .. } => {
                self.pending_verification = Some(token_hash.clone());
                self.pending_verification_issued_at = Some(*at);
            }
            ActorEvent::EmailVerified { .. } => {
                self.email_verified = true;
                self.pending_verification = None;
                self.pending_verification_issued_at = None;
            }
            ActorEvent::DetailsRecorded { details, .. } => self.details.extend(details.clone()),
            ActorEvent::ActorRenamed { name, .. } => self.name = name.clone(),
        }
    }
}

crate::cqrs_aggregate!(Actor);

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use cqrs_es::test::TestFramework;
    use uuid::Uuid;

    type ActorTest = TestFramework<Actor>;

    const ADA: ActorId = ActorId(Uuid::from_u128(0xada));
    const ADMIN: ActorId = ActorId(Uuid::from_u128(0xad));

    fn at() -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
    }

    fn admin() -> Caller {
        Caller {
            actor: ADMIN,
            role: Role::Admin,
            standing: Standing::Active,
        }
    }

    /// Ada herself, acting.
    fn ada() -> Caller {
        Caller {
            actor: ADA,
            role: Role::Agent,
            standing: Standing::Active,
        }
    }

    fn email(text: &str) -> Email {
        Email::parse(text).unwrap()
    }

    fn register(name: &str) -> ActorCommand {
        ActorCommand::Register {
            actor_id: ADA,
            role: Role::Agent,
            name: name.to_owned(),
            email: Some(email("ada@example.com")),
            at: at(),
        }
    }

    fn registered() -> ActorEvent {
        ActorEvent::ActorRegistered {
            actor_id: ADA,
            role: Role::Agent,
            name: "Ada".to_owned(),
            email: Some(email("ada@example.com")),
            registered_at: at(),
        }
    }

    /// The admin registered, to be acted on by another admin.
    fn admin_registered() -> ActorEvent {
        ActorEvent::ActorRegistered {
            actor_id: ADMIN,
            role: Role::Admin,
            name: "Root".to_owned(),
            email: None,
            registered_at: at(),
        }
    }

    fn freeze(by: Caller) -> ActorCommand {
        ActorCommand::Freeze {
            by,
            reason: "chargeback".to_owned(),
            at: at(),
        }
    }

    fn ban(by: Caller) -> ActorCommand {
        ActorCommand::Ban {
            by,
            reason: "fraud".to_owned(),
            at: at(),
        }
    }

    fn unfreeze(by: Caller) -> ActorCommand {
        ActorCommand::Unfreeze {
            by,
            reason: None,
            at: at(),
        }
    }

    fn unban(by: Caller) -> ActorCommand {
        ActorCommand::Unban {
            by,
            reason: None,
            at: at(),
        }
    }

    fn frozen() -> ActorEvent {
        ActorEvent::ActorFrozen {
            by: ADMIN,
            reason: "chargeback".to_owned(),
            at: at(),
        }
    }

    fn banned() -> ActorEvent {
        ActorEvent::ActorBanned {
            by: ADMIN,
            reason: "fraud".to_owned(),
            at: at(),
        }
    }

    fn conflict(message: &str) -> DomainError {
        DomainError::Conflict(message.to_owned())
    }

    // ---- registering ----

    #[test]
    fn registering_records_the_actor_with_a_trimmed_name() {
        ActorTest::with(())
            .given_no_previous_events()
            .when(register("  Ada \n"))
            .then_expect_events(vec![registered()]);
        let actor = Actor::fold(&[registered()]);
        assert_eq!(actor.as_caller(), Some(ada()));
    }

    #[test]
    fn registering_twice_is_a_conflict() {
        ActorTest::with(())
            .given(vec![registered()])
            .when(register("Ada"))
            .then_expect_error(conflict("actor already registered"));
    }

    #[test]
    fn a_name_must_be_1_to_100_characters() {
        let error = DomainError::Invalid(format!("name must be 1 to {NAME_MAX_CHARS} characters"));
        for name in [
            "".to_owned(),
            "   ".to_owned(),
            "é".repeat(NAME_MAX_CHARS + 1),
        ] {
            ActorTest::with(())
                .given_no_previous_events()
                .when(register(&name))
                .then_expect_error(error.clone());
        }
        assert!(Actor::default()
            .decide(&register(&"é".repeat(NAME_MAX_CHARS)))
            .is_ok());
    }

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(email("  Ada@Example.COM ").as_str(), "ada@example.com");
        assert_eq!(
            email("a.b+tag@mail.example.org").as_str(),
            "a.b+tag@mail.example.org"
        );
    }

    #[test]
    fn things_that_are_not_email_addresses_are_refused() {
        let too_long = format!("{}@example.com", "a".repeat(Email::MAX_LEN));
        for text in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "ada@.example.com",
            "ada@example.com.",
            "ada lovelace@example.com",
            "ada@exa mple.com",
            "ada@b@example.com",
            too_long.as_str(),
        ] {
            assert!(
                matches!(Email::parse(text), Err(DomainError::Invalid(_))),
                "{text:?} was accepted"
            );
        }
    }

    #[test]
    fn an_actor_without_an_email_may_register() {
        ActorTest::with(())
            .given_no_previous_events()
            .when(ActorCommand::Register {
                actor_id: ADMIN,
                role: Role::Admin,
                name: "Root".to_owned(),
                email: None,
                at: at(),
            })
            .then_expect_events(vec![admin_registered()]);
    }

    #[test]
    fn roles_read_and_print_as_their_names() {
        for role in [Role::Agent, Role::Human, Role::Admin] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    // ---- freezing ----

    #[test]
    fn an_admin_freezes_an_actor_with_a_trimmed_reason() {
        ActorTest::with(())
            .given(vec![registered()])
            .when(ActorCommand::Freeze {
                by: admin(),
                reason: "  chargeback ".to_owned(),
                at: at(),
            })
            .then_expect_events(vec![frozen()]);
        assert_eq!(
            Actor::fold(&[registered(), frozen()]).standing,
            Standing::Frozen
        );
    }

    #[test]
    fn only_an_admin_changes_someones_standing() {
        let refusal = DomainError::Forbidden("only an admin may do this".to_owned());
        for (given, command) in [
            (vec![registered()], freeze(ada())),
            (vec![registered(), frozen()], unfreeze(ada())),
            (vec![registered()], ban(ada())),
            (vec![registered(), banned()], unban(ada())),
        ] {
            ActorTest::with(())
                .given(given)
                .when(command)
                .then_expect_error(refusal.clone());
        }
    }

    #[test]
    fn freezing_and_banning_need_a_reason() {
        let error = DomainError::Invalid("a reason of 1 to 1000 characters is required".to_owned());
        for reason in ["".to_owned(), "  ".to_owned(), "r".repeat(1_001)] {
            ActorTest::with(())
                .given(vec![registered()])
                .when(ActorCommand::Freeze {
                    by: admin(),
                    reason: reason.clone(),
                    at: at(),
                })
                .then_expect_error(error.clone());
            ActorTest::with(())
                .given(vec![registered()])
                .when(ActorCommand::Ban {
                    by: admin(),
                    reason,
                    at: at(),
                })
                .then_expect_error(error.clone());
        }
    }

    #[test]
    fn freezing_a_frozen_or_banned_actor_is_a_conflict() {
        ActorTest::with(())
            .given(vec![registered(), frozen()])
            .when(freeze(admin()))
            .then_expect_error(conflict("actor is already frozen"));
        ActorTest::with(())
            .given(vec![registered(), banned()])
            .when(freeze(admin()))
            .then_expect_error(conflict("actor is banned"));
    }

    #[test]
    fn unfreezing_makes_the_actor_active_again() {
        ActorTest::with(())
            .given(vec![registered(), frozen()])
            .when(unfreeze(admin()))
            .then_expect_events(vec![ActorEvent::ActorUnfrozen {
                by: ADMIN,
                reason: None,
                at: at(),
            }]);
        let actor = Actor::fold(&[
            registered(),
            frozen(),
            ActorEvent::ActorUnfrozen {
                by: ADMIN,
                reason: None,
                at: at(),
            },
        ]);
        assert_eq!(actor.standing, Standing::Active);
    }

    #[test]
    fn a_lift_records_the_admins_reason_when_given_one() {
        ActorTest::with(())
            .given(vec![registered(), frozen()])
            .when(ActorCommand::Unfreeze {
                by: admin(),
                reason: Some("  cleared by review ".to_owned()),
                at: at(),
            })
            .then_expect_events(vec![ActorEvent::ActorUnfrozen {
                by: ADMIN,
                reason: Some("cleared by review".to_owned()),
                at: at(),
            }]);
        ActorTest::with(())
            .given(vec![registered(), banned()])
            .when(ActorCommand::Unban {
                by: admin(),
                reason: Some("appeal upheld".to_owned()),
                at: at(),
            })
            .then_expect_events(vec![ActorEvent::ActorUnbanned {
                by: ADMIN,
                reason: Some("appeal upheld".to_owned()),
                at: at(),
            }]);
        ActorTest::with(())
            .given(vec![registered(), frozen()])
            .when(ActorCommand::Unfreeze {
                by: admin(),
                reason: Some("   ".to_owned()),
                at: at(),
            })
            .then_expect_error(DomainError::Invalid(
                "a reason of 1 to 1000 characters is required".to_owned(),
            ));
    }

    #[test]
    fn unfreezing_an_actor_who_is_not_frozen_is_a_conflict() {
        for given in [vec![registered()], vec![registered(), banned()]] {
            ActorTest::with(())
                .given(given)
                .when(unfreeze(admin()))
                .then_expect_error(conflict("actor is not frozen"));
        }
    }

    // ---- banning ----

    #[test]
    fn an_admin_bans_an_active_or_frozen_actor() {
        for given in [vec![registered()], vec![registered(), frozen()]] {
            ActorTest::with(())
                .given(given)
                .when(ban(admin()))
                .then_expect_events(vec![banned()]);
        }
    }

    #[test]
    fn banning_twice_is_a_conflict() {
        ActorTest::with(())
            .given(vec![registered(), banned()])
            .when(ban(admin()))
            .then_expect_error(conflict("actor is already banned"));
    }

    #[test]
    fn an_admin_cannot_ban_themselves() {
        ActorTest::with(())
            .given(vec![admin_registered()])
            .when(ban(admin()))
            .then_expect_error(conflict("an admin cannot ban themselves"));
    }

    #[test]
    fn unbanning_makes_the_actor_active_again() {
        ActorTest::with(())
            .given(vec![registered(), banned()])
            .when(unban(admin()))
            .then_expect_events(vec![ActorEvent::ActorUnbanned {
                by: ADMIN,
                reason: None,
                at: at(),
            }]);
        let actor = Actor::fold(&[
            registered(),
            banned(),
            ActorEvent::ActorUnbanned {
                by: ADMIN,
                reason: None,
                at: at(),
            },
        ]);
        assert_eq!(actor.standing, Standing::Active);
    }

    #[test]
    fn unbanning_an_actor_who_is_not_banned_is_a_conflict() {
        for given in [vec![registered()], vec![registered(), frozen()]] {
            ActorTest::with(())
                .given(given)
                .when(unban(admin()))
                .then_expect_error(conflict("actor is not banned"));
        }
    }

    #[test]
    fn a_banned_admin_has_no_admin_powers() {
        let banned_admin = Caller {
            standing: Standing::Banned,
            ..admin()
        };
        ActorTest::with(())
            .given(vec![admin_registered(), banned()])
            .when(unban(banned_admin))
            .then_expect_error(DomainError::Forbidden("actor is banned".to_owned()));
        ActorTest::with(())
            .given(vec![registered()])
            .when(freeze(banned_admin))
            .then_expect_error(DomainError::Forbidden("actor is banned".to_owned()));
    }

    #[test]
    fn a_frozen_admin_may_act_on_others_but_not_unfreeze_themselves() {
        let frozen_admin = Caller {
            standing: Standing::Frozen,
            ..admin()
        };
        ActorTest::with(())
            .given(vec![registered()])
            .when(freeze(frozen_admin))
            .then_expect_events(vec![frozen()]);
        ActorTest::with(())
            .given(vec![admin_registered(), frozen()])
            .when(unfreeze(frozen_admin))
            .then_expect_error(conflict("an admin cannot unfreeze themselves"));
    }

    #[test]
    fn commands_about_an_unknown_actor_find_nothing() {
        for command in [
            freeze(admin()),
            unfreeze(admin()),
            ban(admin()),
            unban(admin()),
        ] {
            ActorTest::with(())
                .given_no_previous_events()
                .when(command)
                .then_expect_error(DomainError::NotFound("actor"));
        }
        assert_eq!(Actor::default().as_caller(), None);
    }

    // ---- what a standing allows ----

    #[test]
    fn a_frozen_actor_may_finish_work_but_not_start_any() {
        let frozen = Caller {
            standing: Standing::Frozen,
            ..ada()
        };
        let refusal = frozen
            .ensure_active()
            .expect_err("a frozen actor may not spend");
        assert_eq!(refusal.code(), Some(AGENT_FROZEN));
        assert_eq!(refusal.to_string(), "actor is frozen");
        assert_eq!(frozen.ensure_not_banned(), Ok(()));
    }

    #[test]
    fn a_banned_actor_may_do_nothing() {
        let banned = Caller {
            standing: Standing::Banned,
            ..ada()
        };
        let refusal = Err(DomainError::Forbidden("actor is banned".to_owned()));
        assert_eq!(banned.ensure_active(), refusal);
        assert_eq!(banned.ensure_not_banned(), refusal);
    }

    // ---- profiles and email verification ----

    fn issued(hash: &str) -> ActorEvent {
        ActorEvent::EmailVerificationIssued {
            email: email("ada@example.com"),
            token_hash: hash.to_owned(),
            at: at(),
        }
    }

    fn issue(hash: &str) -> ActorCommand {
        ActorCommand::IssueEmailVerification {
            token_hash: hash.to_owned(),
            at: at(),
        }
    }

    fn verify(hash: &str) -> ActorCommand {
        ActorCommand::VerifyEmail {
            token_hash: hash.to_owned(),
            at: at(),
        }
    }

    fn verified() -> ActorEvent {
        ActorEvent::EmailVerified {
            email: email("ada@example.com"),
            at: at(),
        }
    }

    #[test]
    fn a_verification_token_is_issued_for_the_actors_email() {
        ActorTest::with(())
            .given(vec![registered()])
            .when(issue("h1"))
            .then_expect_events(vec![issued("h1")]);
        ActorTest::with(())
            .given(vec![admin_registered()])
            .when(issue("h1"))
            .then_expect_error(conflict("actor has no email to verify"));
    }

    #[test]
    fn the_latest_token_verifies_the_email_once() {
        ActorTest::with(())
            .given(vec![registered(), issued("h1"), issued("h2")])
            .when(verify("h2"))
            .then_expect_events(vec![verified()]);
        let actor = Actor::fold(&[registered(), issued("h1"), verified()]);
        assert!(actor.email_verified);
        assert_eq!(actor.pending_verification, None);
        ActorTest::with(())
            .given(vec![registered(), issued("h1"), verified()])
            .when(verify("h1"))
            .then_expect_error(conflict("email is already verified"));
        ActorTest::with(())
            .given(vec![registered(), issued("h1"), verified()])
            .when(issue("h3"))
            .then_expect_error(conflict("email is already verified"));
    }

    #[test]
    fn a_replaced_or_unknown_token_verifies_nothing() {
        let refusal = DomainError::Invalid(VERIFICATION_TOKEN_INVALID.to_owned());
        for given in [
            vec![registered()],
            vec![registered(), issued("h1"), issued("h2")],
        ] {
            ActorTest::with(())
                .given(given)
                .when(verify("h1"))
                .then_expect_error(refusal.clone());
        }
    }

    #[test]
    fn a_token_verifies_for_a_day_and_a_new_one_starts_the_day_again() {
        let after = |delta: chrono::TimeDelta| ActorCommand::VerifyEmail {
            token_hash: "h1".to_owned(),
            at: at() + delta,
        };
        let verified_at = |delta: chrono::TimeDelta| ActorEvent::EmailVerified {
            email: email("ada@example.com"),
            at: at() + delta,
        };
        ActorTest::with(())
            .given(vec![registered(), issued("h1")])
            .when(after(VERIFICATION_TOKEN_LIFETIME))
            .then_expect_events(vec![verified_at(VERIFICATION_TOKEN_LIFETIME)]);
        let late = VERIFICATION_TOKEN_LIFETIME + chrono::TimeDelta::seconds(1);
        ActorTest::with(())
            .given(vec![registered(), issued("h1")])
            .when(after(late))
            .then_expect_error(DomainError::Invalid(VERIFICATION_TOKEN_EXPIRED.to_owned()));
        let reissued = ActorEvent::EmailVerificationIssued {
            email: email("ada@example.com"),
            token_hash: "h1".to_owned(),
            at: at() + VERIFICATION_TOKEN_LIFETIME,
        };
        ActorTest::with(())
            .given(vec![registered(), issued("h1"), reissued])
            .when(after(late))
            .then_expect_events(vec![verified_at(late)]);
    }

    #[test]
    fn a_person_replaces_their_own_profile() {
        let profile = Profile::parse(
            &["photography".to_owned()],
            None,
            &std::collections::BTreeMap::new(),
        )
        .unwrap();
        let update = |by| ActorCommand::UpdateProfile {
            by,
            profile: profile.clone(),
            at: at(),
        };
        let updated = ActorEvent::ProfileUpdated {
            profile: profile.clone(),
            at: at(),
        };
        ActorTest::with(())
            .given(vec![registered()])
            .when(update(ada()))
            .then_expect_events(vec![updated.clone()]);
        assert_eq!(Actor::fold(&[registered(), updated]).profile, profile);
        ActorTest::with(())
            .given(vec![registered()])
            .when(update(admin()))
            .then_expect_error(DomainError::Forbidden(
                "only the actor themselves may change their profile".to_owned(),
            ));
        let banned_ada = Caller {
            standing: Standing::Banned,
            ..ada()
        };
        ActorTest::with(())
            .given(vec![registered(), banned()])
            .when(update(banned_ada))
            .then_expect_error(DomainError::Forbidden("actor is banned".to_owned()));
    }

    // ---- dialect details ----

    fn details(pairs: &[(&str, &str)]) -> serde_json::Map<String, serde_json::Value> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), serde_json::json!(v)))
            .collect()
    }

    #[test]
    fn details_are_recorded_for_a_registered_actor_and_merged() {
        let url = details(&[("webhook_url", "https://agent.example.com/hook")]);
        ActorTest::with(())
            .given(vec![registered()])
            .when(ActorCommand::RecordDetails {
                details: url.clone(),
                at: at(),
            })
            .then_expect_events(vec![ActorEvent::DetailsRecorded {
                details: url.clone(),
                at: at(),
            }]);
        let mut actor = Actor::fold(&[registered()]);
        actor.apply(&ActorEvent::DetailsRecorded {
            details: url,
            at: at(),
        });
        actor.apply(&ActorEvent::DetailsRecorded {
            details: details(&[("dialect", "humanping")]),
            at: at(),
        });
        assert_eq!(actor.details.len(), 2);
    }

    #[test]
    fn details_need_an_actor_and_are_bounded() {
        ActorTest::with(())
            .given_no_previous_events()
            .when(ActorCommand::RecordDetails {
                details: details(&[("webhook_url", "https://a.example")]),
                at: at(),
            })
            .then_expect_error(DomainError::NotFound("actor"));
        let huge = "x".repeat(DETAILS_MAX_BYTES);
        ActorTest::with(())
            .given(vec![registered()])
            .when(ActorCommand::RecordDetails {
                details: details(&[("note", huge.as_str())]),
                at: at(),
            })
            .then_expect_error(DomainError::Invalid(format!(
                "an actor's details must be at most {DETAILS_MAX_BYTES} bytes of JSON"
            )));
    }

    #[test]
    fn an_actor_renames_itself_and_no_one_else_may() {
        let rename = |by, name: &str| ActorCommand::Rename {
            by,
            name: name.to_owned(),
            at: at(),
        };
        ActorTest::with(())
            .given(vec![registered()])
            .when(rename(ada(), "  Ada L.  "))
            .then_expect_events(vec![ActorEvent::ActorRenamed {
                name: "Ada L.".to_owned(),
                at: at(),
            }]);
        ActorTest::with(())
            .given(vec![registered()])
            .when(rename(admin(), "Ada L."))
            .then_expect_error(DomainError::forbidden(
                "only the actor themselves may change their name",
            ));
        ActorTest::with(())
            .given(vec![registered()])
            .when(rename(ada(), &"x".repeat(NAME_MAX_CHARS + 1)))
            .then_expect_error(DomainError::invalid(format!(
                "name must be 1 to {NAME_MAX_CHARS} characters"
            )));
    }
}
