//! Making an actor and its first key from the operator's side: on a
//! server's first start (an admin) and from `errand admin create-key`.

use crate::bus::commands::{self, NewKey};
use crate::bus::{BusError, CommandBus, CommandContext, Executed};
use crate::credentials::new_secret;
use chrono::Utc;
use errand_aggregates::actor::Role;
use errand_aggregates::ids::{ActorId, KeyId};
use errand_aggregates::mode::Mode;
use uuid::Uuid;

pub struct CreatedKey {
    pub actor_id: ActorId,
    pub key_id: KeyId,
    pub secret: String,
}

/// Registers a new actor with `role` and issues it a native key.
pub async fn create_actor_with_key(
    bus: &CommandBus,
    role: Role,
    name: &str,
) -> Result<CreatedKey, BusError> {
    create_actor_with_prefixed_key(bus, role, name, "erk").await
}

/// Registers a new actor with `role` and issues it a key of a dialect's
/// `prefix` (`hm` for Humai, whose admins call it with their own key).
pub async fn create_actor_with_prefixed_key(
    bus: &CommandBus,
    role: Role,
    name: &str,
    prefix: &str,
) -> Result<CreatedKey, BusError> {
    let actor_id = ActorId(Uuid::now_v7());
    let key_id = KeyId(Uuid::now_v7());
    let secret = new_secret(prefix, Mode::Live);
    let key = NewKey {
        key_id,
        actor_id,
        prefix: secret.prefix.clone(),
        secret_hash: secret.hash.clone(),
        scopes: Vec::new(),
        mode: Mode::Live,
    };
    let context = CommandContext::system("operator", "CreateActorWithKey");
    let executed = crate::execute!(bus, &context, |unit| {
        let at = Utc::now();
        commands::register_actor(unit, actor_id, role, name.to_owned(), None, at).await?;
        commands::issue_key(unit, None, key.clone(), at).await?;
        Ok(())
    })?;
    debug_assert!(matches!(executed, Executed::Done { .. }));
    Ok(CreatedKey {
        actor_id,
        key_id,
        secret: secret.secret,
    })
}
