//! Who may do what, for commands that are not one aggregate's own decision
//! (the bus calls these before the aggregates decide).

use crate::actor::{Actor, Caller, Role};
use crate::error::DomainError;
use crate::ids::ActorId;

/// Reasons recorded for audited actions are bounded like any other text.
pub const REASON_MAX_CHARS: usize = 1_000;

/// Only admins move platform money into an account.
pub fn may_grant_credit(by: &Caller) -> Result<(), DomainError> {
    by.ensure_not_banned()?;
    if by.is_admin() {
        Ok(())
    } else {
        Err(DomainError::forbidden("only an admin may grant credit"))
    }
}

/// An actor issues its own keys; an admin issues anyone's. The operator's CLI
/// (no caller) may issue any.
pub fn may_issue_key(by: Option<&Caller>, for_actor: ActorId) -> Result<(), DomainError> {
    let Some(by) = by else { return Ok(()) };
    by.ensure_not_banned()?;
    if by.actor == for_actor || by.is_admin() {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "only the actor itself or an admin may issue its keys",
        ))
    }
}

/// HumanPing's worker side: a person takes work only once they have proved
/// their email address, so an agent paying a stranger can reach whoever did
/// the work. (Work taken through other APIs follows their own rules.)
pub const EMAIL_NOT_VERIFIED: &str = "Email not verified.";

pub fn may_take_work_as_verified_worker(worker: &Actor) -> Result<(), DomainError> {
    if worker.role != Some(Role::Human) {
        return Err(DomainError::forbidden("only a worker may take work here"));
    }
    if !worker.email_verified {
        return Err(DomainError::forbidden(EMAIL_NOT_VERIFIED));
    }
    Ok(())
}

/// A reason for an audited action: trimmed, 1 to `REASON_MAX_CHARS` characters.
pub fn audited_reason(reason: &str) -> Result<String, DomainError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > REASON_MAX_CHARS {
        return Err(DomainError::invalid(format!(
            "a reason of 1 to {REASON_MAX_CHARS} characters is required"
        )));
    }
    Ok(reason.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::{Role, Standing};
    use uuid::Uuid;

    fn caller(role: Role, standing: Standing) -> Caller {
        Caller {
            actor: ActorId(Uuid::from_u128(1)),
            role,
            standing,
        }
    }

    #[test]
    fn only_active_admins_grant_credit() {
        assert!(may_grant_credit(&caller(Role::Admin, Standing::Active)).is_ok());
        assert!(may_grant_credit(&caller(Role::Agent, Standing::Active)).is_err());
        assert!(may_grant_credit(&caller(Role::Admin, Standing::Banned)).is_err());
    }

    #[test]
    fn actors_issue_their_own_keys_and_admins_anyones() {
        let agent = caller(Role::Agent, Standing::Active);
        assert!(may_issue_key(Some(&agent), agent.actor).is_ok());
        assert!(may_issue_key(Some(&agent), ActorId(Uuid::from_u128(2))).is_err());
        let admin = caller(Role::Admin, Standing::Active);
        assert!(may_issue_key(Some(&admin), ActorId(Uuid::from_u128(2))).is_ok());
        assert!(may_issue_key(None, ActorId(Uuid::from_u128(2))).is_ok());
    }

    #[test]
    fn only_people_with_a_verified_email_take_work_as_workers() {
        let person = |role, email_verified| Actor {
            id: Some(ActorId(Uuid::from_u128(1))),
            role: Some(role),
            email_verified,
            ..Actor::default()
        };
        assert!(may_take_work_as_verified_worker(&person(Role::Human, true)).is_ok());
        assert_eq!(
            may_take_work_as_verified_worker(&person(Role::Human, false)),
            Err(DomainError::forbidden(EMAIL_NOT_VERIFIED))
        );
        assert!(may_take_work_as_verified_worker(&person(Role::Agent, true)).is_err());
        assert!(may_take_work_as_verified_worker(&Actor::default()).is_err());
    }

    #[test]
    fn reasons_are_required_and_bounded() {
        assert!(audited_reason("  ").is_err());
        assert!(audited_reason(&"x".repeat(1_001)).is_err());
        assert_eq!(audited_reason(" fraud ").unwrap(), "fraud");
    }
}
