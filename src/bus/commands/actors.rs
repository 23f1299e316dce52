use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::actor::{Actor, ActorCommand, Caller, Email, Role};
use errand_aggregates::ids::ActorId;
use errand_aggregates::Timestamp;

pub fn actor_stream(actor_id: ActorId) -> String {
    format!("actor-{actor_id}")
}

/// The acting actor with its current standing, loaded in this unit so a
/// freeze that lands first is seen.
pub async fn caller(unit: &mut UnitOfWork<'_>, actor_id: ActorId) -> Result<Caller, BusError> {
    let actor = unit.load::<Actor>(&actor_stream(actor_id)).await?;
    actor.as_caller().ok_or(BusError::UnknownActor)
}

pub async fn register_actor(
    unit: &mut UnitOfWork<'_>,
    actor_id: ActorId,
    role: Role,
    name: String,
    email: Option<Email>,
    at: Timestamp,
) -> Result<Actor, BusError> {
    let stream = actor_stream(actor_id);
    let command = ActorCommand::Register {
        actor_id,
        role,
        name,
        email,
        at,
    };
    unit.decide::<Actor>(&stream, &command).await?;
    unit.load::<Actor>(&stream).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandingChange {
    Freeze,
    Unfreeze,
    Ban,
    Unban,
}

/// Freezing and banning need a reason (none is refused as an empty one);
/// lifting either records one if given.
pub async fn set_standing(
    unit: &mut UnitOfWork<'_>,
    by: Caller,
    actor_id: ActorId,
    change: StandingChange,
    reason: Option<String>,
    at: Timestamp,
) -> Result<Actor, BusError> {
    let stream = actor_stream(actor_id);
    let command = match change {
        StandingChange::Freeze => ActorCommand::Freeze {
            by,
            reason: reason.unwrap_or_default(),
            at,
        },
        StandingChange::Unfreeze => ActorCommand::Unfreeze { by, reason, at },
        StandingChange::Ban => ActorCommand::Ban {
            by,
            reason: reason.unwrap_or_default(),
            at,
        },
        StandingChange::Unban => ActorCommand::Unban { by, reason, at },
    };
    unit.decide::<Actor>(&stream, &command).await?;
    unit.load::<Actor>(&stream).await
}
