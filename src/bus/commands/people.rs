//! People: registration (the email claim, the actor, its verification token
//! and its password, in one append), verification, profiles, passwords.

use super::actors::{actor_stream, register_actor};
use super::referrals::{record_referral, NewReferral};
use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::actor::{Actor, ActorCommand, Caller, Email, Role};
use errand_aggregates::credentials::{Credentials, CredentialsCommand};
use errand_aggregates::email_claim::{EmailClaim, EmailClaimCommand};
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use errand_aggregates::profile::Profile;
use errand_aggregates::Timestamp;
use sha2::{Digest, Sha256};

pub fn credentials_stream(actor_id: ActorId) -> String {
    format!("credentials-{actor_id}")
}

/// Hashed, so stream ids (which auditors list) do not spell out addresses,
/// and any address fits a stream id's bounds.
pub fn email_claim_stream(email: &Email) -> String {
    format!(
        "email-{}",
        hex::encode(Sha256::digest(email.as_str().as_bytes()))
    )
}

#[derive(Debug, Clone)]
pub struct NewPerson {
    pub actor_id: ActorId,
    pub role: Role,
    pub name: String,
    pub email: Email,
    pub password_hash: String,
    pub verification_hash: String,
    pub profile: Profile,
    /// Whose referral code the person registered with, if anyone's.
    pub referral: Option<NewReferral>,
}

/// The claim comes first: a taken address refuses before anything else is
/// decided. Its stream is expected empty at the append, so of two
/// registrations racing for one address only one commits.
pub async fn register_person(
    unit: &mut UnitOfWork<'_>,
    person: &NewPerson,
    at: Timestamp,
) -> Result<Actor, BusError> {
    let claim = EmailClaimCommand::Claim {
        email: person.email.clone(),
        actor_id: person.actor_id,
        at,
    };
    unit.decide::<EmailClaim>(&email_claim_stream(&person.email), &claim)
        .await?;
    let actor = register_actor(
        unit,
        person.actor_id,
        person.role,
        person.name.clone(),
        Some(person.email.clone()),
        at,
    )
    .await?;
    let stream = actor_stream(person.actor_id);
    let issue = ActorCommand::IssueEmailVerification {
        token_hash: person.verification_hash.clone(),
        at,
    };
    unit.decide::<Actor>(&stream, &issue).await?;
    if person.profile != Profile::default() {
        let by = actor.as_caller().ok_or(BusError::UnknownActor)?;
        update_profile(unit, by, person.profile.clone(), at).await?;
    }
    let password = CredentialsCommand::SetPassword {
        actor_id: person.actor_id,
        password_hash: person.password_hash.clone(),
        at,
    };
    unit.decide::<Credentials>(&credentials_stream(person.actor_id), &password)
        .await?;
    if let Some(referral) = person.referral {
        // People log in live: a referral made by a person pays in live money.
        record_referral(unit, &actor, referral, Mode::Live, at).await?;
    }
    unit.load::<Actor>(&stream).await
}

pub async fn update_profile(
    unit: &mut UnitOfWork<'_>,
    by: Caller,
    profile: Profile,
    at: Timestamp,
) -> Result<Actor, BusError> {
    let stream = actor_stream(by.actor);
    let command = ActorCommand::UpdateProfile { by, profile, at };
    unit.decide::<Actor>(&stream, &command).await?;
    unit.load::<Actor>(&stream).await
}

/// A new verification token for a person whose email is not verified yet;
/// it replaces the last one, and its day starts now.
pub async fn reissue_verification(
    unit: &mut UnitOfWork<'_>,
    actor_id: ActorId,
    token_hash: String,
    at: Timestamp,
) -> Result<(), BusError> {
    let command = ActorCommand::IssueEmailVerification { token_hash, at };
    unit.decide::<Actor>(&actor_stream(actor_id), &command)
        .await?;
    Ok(())
}

pub async fn verify_email(
    unit: &mut UnitOfWork<'_>,
    actor_id: ActorId,
    token_hash: String,
    at: Timestamp,
) -> Result<Actor, BusError> {
    let stream = actor_stream(actor_id);
    let command = ActorCommand::VerifyEmail { token_hash, at };
    unit.decide::<Actor>(&stream, &command).await?;
    unit.load::<Actor>(&stream).await
}

/// Changing the password and signing out everywhere: both end every token
/// issued before. Returns the credentials' new version.
pub async fn change_credentials(
    unit: &mut UnitOfWork<'_>,
    actor_id: ActorId,
    command: CredentialsCommand,
) -> Result<u32, BusError> {
    let stream = credentials_stream(actor_id);
    unit.decide::<Credentials>(&stream, &command).await?;
    Ok(unit.load::<Credentials>(&stream).await?.version)
}
