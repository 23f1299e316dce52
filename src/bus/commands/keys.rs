use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::actor::{Actor, Caller};
use errand_aggregates::api_key::{ApiKey, KeyCommand};
use errand_aggregates::ids::{ActorId, KeyId};
use errand_aggregates::key_ring::{KeyRing, KeyRingCommand};
use errand_aggregates::mode::Mode;
use errand_aggregates::{policy, DomainError, Timestamp};

pub fn key_stream(key_id: KeyId) -> String {
    format!("key-{key_id}")
}

/// What a new key is; the secret itself never reaches the bus, only its hash.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub key_id: KeyId,
    pub actor_id: ActorId,
    pub prefix: String,
    pub secret_hash: String,
    pub scopes: Vec<String>,
    pub mode: Mode,
}

/// Issues a key for an existing actor. `by` is None when the operator issues
/// it from the CLI; otherwise it must be the actor itself or an admin.
pub async fn issue_key(
    unit: &mut UnitOfWork<'_>,
    by: Option<Caller>,
    key: NewKey,
    at: Timestamp,
) -> Result<ApiKey, BusError> {
    let actor = unit
        .load::<Actor>(&super::actors::actor_stream(key.actor_id))
        .await?;
    if !actor.exists() {
        return Err(DomainError::NotFound("actor").into());
    }
    policy::may_issue_key(by.as_ref(), key.actor_id)?;
    let stream = key_stream(key.key_id);
    let command = KeyCommand::Issue {
        key_id: key.key_id,
        actor_id: key.actor_id,
        prefix: key.prefix,
        secret_hash: key.secret_hash,
        scopes: key.scopes,
        mode: key.mode,
        at,
    };
    unit.decide::<ApiKey>(&stream, &command).await?;
    unit.load::<ApiKey>(&stream).await
}

pub fn key_ring_stream(actor_id: ActorId) -> String {
    format!("keyring-{actor_id}")
}

/// Issues a key that counts against its actor's ring of at most `limit`
/// active keys: the key and the ring are appended together, so racing
/// issues are decided one after the other at the ring's version.
pub async fn issue_ring_key(
    unit: &mut UnitOfWork<'_>,
    by: Caller,
    key: NewKey,
    limit: usize,
    at: Timestamp,
) -> Result<ApiKey, BusError> {
    let ring = key_ring_stream(key.actor_id);
    let add = KeyRingCommand::Add {
        key_id: key.key_id,
        limit,
        at,
    };
    let issued = issue_key(unit, Some(by), key, at).await?;
    unit.decide::<KeyRing>(&ring, &add).await?;
    Ok(issued)
}

/// Revokes a key; a key on its actor's ring leaves the ring in the same
/// append, whichever API revokes it.
pub async fn revoke_key(
    unit: &mut UnitOfWork<'_>,
    by: Caller,
    key_id: KeyId,
    at: Timestamp,
) -> Result<ApiKey, BusError> {
    let stream = key_stream(key_id);
    unit.decide::<ApiKey>(&stream, &KeyCommand::Revoke { by, at })
        .await?;
    let key = unit.load::<ApiKey>(&stream).await?;
    if let Some(actor_id) = key.actor_id {
        let ring = key_ring_stream(actor_id);
        if unit.load::<KeyRing>(&ring).await?.contains(key_id) {
            unit.decide::<KeyRing>(&ring, &KeyRingCommand::Remove { key_id, at })
                .await?;
        }
    }
    Ok(key)
}
