use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::actor::{Actor, Caller};
use errand_aggregates::api_key::{ApiKey, KeyCommand};
use errand_aggregates::ids::{ActorId, KeyId};
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

pub async fn revoke_key(
    unit: &mut UnitOfWork<'_>,
    by: Caller,
    key_id: KeyId,
    at: Timestamp,
) -> Result<ApiKey, BusError> {
    let stream = key_stream(key_id);
    unit.decide::<ApiKey>(&stream, &KeyCommand::Revoke { by, at })
        .await?;
    unit.load::<ApiKey>(&stream).await
}
