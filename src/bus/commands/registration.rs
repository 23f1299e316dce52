//! Self-service registration (HumanPing's `POST /agents/register`): the
//! email's claim, the actor, its dialect details, its first key and its free
//! tasks, in one append, so a registration is whole or absent and an address
//! registers once (`people::register_person` claims the same way).

use super::actors::{actor_stream, register_actor};
use super::keys::{issue_key, NewKey};
use super::people::email_claim_stream;
use super::referrals::{record_referral, NewReferral};
use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::account::{Account, AccountCommand, AccountId};
use errand_aggregates::actor::{Actor, ActorCommand, Email, Role};
use errand_aggregates::email_claim::{EmailClaim, EmailClaimCommand};
use errand_aggregates::ids::ActorId;
use errand_aggregates::money::Money;
use errand_aggregates::Timestamp;

pub struct NewRegistration {
    pub actor_id: ActorId,
    pub role: Role,
    pub name: String,
    pub email: Email,
    /// Recorded on the actor when not empty.
    pub details: serde_json::Map<String, serde_json::Value>,
    pub key: NewKey,
    /// Free tasks granted on the key's account, and what each pays at most.
    pub free_tasks: Option<(u32, Money)>,
    /// Whose referral code the actor registered with: the bonus is paid in the key's mode.
    pub referral: Option<NewReferral>,
}

pub async fn register_with_key(
    unit: &mut UnitOfWork<'_>,
    registration: &NewRegistration,
    at: Timestamp,
) -> Result<(Actor, Account), BusError> {
    let actor_id = registration.actor_id;
    let claim = EmailClaimCommand::Claim {
        email: registration.email.clone(),
        actor_id,
        at,
    };
    unit.decide::<EmailClaim>(&email_claim_stream(&registration.email), &claim)
        .await?;
    unit.start_new::<Actor>(&actor_stream(actor_id));
    register_actor(
        unit,
        actor_id,
        registration.role,
        registration.name.clone(),
        Some(registration.email.clone()),
        at,
    )
    .await?;
    if !registration.details.is_empty() {
        let command = ActorCommand::RecordDetails {
            details: registration.details.clone(),
            at,
        };
        unit.decide::<Actor>(&actor_stream(actor_id), &command)
            .await?;
    }
    issue_key(unit, None, registration.key.clone(), at).await?;
    let account = AccountId::usd(actor_id, registration.key.mode);
    if let Some((count, cap_per_task)) = registration.free_tasks {
        let command = AccountCommand::GrantFreeTasks {
            account,
            count,
            cap_per_task,
            at,
        };
        unit.start_new::<Account>(&account.stream_id());
        unit.decide::<Account>(&account.stream_id(), &command)
            .await?;
    }
    let actor = unit.load::<Actor>(&actor_stream(actor_id)).await?;
    if let Some(referral) = registration.referral {
        record_referral(unit, &actor, referral, registration.key.mode, at).await?;
    }
    let account = unit.load::<Account>(&account.stream_id()).await?;
    Ok((actor, account))
}
