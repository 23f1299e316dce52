//! The bus's freshness rules: a command insists the caller's rights it was
//! authorized with still hold, and a refusal is never made on a cached state
//! the journal has moved past.

use super::commands::{actor_stream, register_actor, set_standing, StandingChange};
use super::{BusError, CommandBus, CommandContext};
use crate::journal::tests::{on_both_backends, TestDatabase};
use errand_aggregates::actor::{Actor, Caller, Role, Standing};
use errand_aggregates::ids::ActorId;

fn admin() -> Caller {
    Caller {
        actor: ActorId(uuid::Uuid::now_v7()),
        role: Role::Admin,
        standing: Standing::Active,
    }
}

async fn register(bus: &CommandBus, name: &str) -> ActorId {
    let actor_id = ActorId(uuid::Uuid::now_v7());
    let context = CommandContext::system("tests", "RegisterActor");
    crate::execute!(bus, &context, |unit| {
        let name = name.to_owned();
        register_actor(unit, actor_id, Role::Human, name, None, chrono::Utc::now()).await?;
        Ok(())
    })
    .expect("registered");
    actor_id
}

async fn change_standing(
    bus: &CommandBus,
    actor_id: ActorId,
    change: StandingChange,
    guards: Vec<(String, i64)>,
) -> Result<(), BusError> {
    let context = CommandContext {
        guards,
        ..CommandContext::system("tests", "SetStanding")
    };
    crate::execute!(bus, &context, |unit| {
        let at = chrono::Utc::now();
        set_standing(unit, admin(), actor_id, change, Some("test".into()), at).await?;
        Ok(())
    })
    .map(drop)
}

async fn a_command_whose_callers_rights_moved_on_is_not_appended(database: &TestDatabase) {
    let bus = CommandBus::new(database.open().await);
    let caller = register(&bus, "caller").await;
    let target = register(&bus, "target").await;
    let (_, version) = bus.load::<Actor>(&actor_stream(caller)).await.unwrap();
    // The caller is frozen after its request was authorized, before it commits.
    change_standing(&bus, caller, StandingChange::Freeze, vec![])
        .await
        .unwrap();
    let head = bus.journal().head().await.unwrap();
    let guards = vec![(actor_stream(caller), version)];
    let outcome = change_standing(&bus, target, StandingChange::Freeze, guards).await;
    assert!(
        matches!(outcome, Err(BusError::CallerChanged)),
        "{outcome:?}"
    );
    assert_eq!(
        bus.journal().head().await.unwrap(),
        head,
        "nothing appended"
    );
    // Authorized again at the present version, it goes through.
    let (_, version) = bus.load::<Actor>(&actor_stream(caller)).await.unwrap();
    let guards = vec![(actor_stream(caller), version)];
    change_standing(&bus, target, StandingChange::Freeze, guards)
        .await
        .unwrap();
}

/// Two buses on one journal: two instances on PostgreSQL; on SQLite the
/// same as a state folded before a commit and cached after it.
async fn a_refusal_is_decided_again_on_the_present(database: &TestDatabase) {
    let (here, there) = (
        CommandBus::new(database.open().await),
        CommandBus::new(database.open().await),
    );
    let actor = register(&here, "worker").await;
    // `here` caches the actor as active; `there` freezes it.
    let (cached, _) = here.load::<Actor>(&actor_stream(actor)).await.unwrap();
    assert_eq!(cached.standing, Standing::Active);
    change_standing(&there, actor, StandingChange::Freeze, vec![])
        .await
        .unwrap();
    // On its stale copy `here` would refuse to unfreeze an active actor.
    change_standing(&here, actor, StandingChange::Unfreeze, vec![])
        .await
        .expect("decided again on the frozen actor");
    let (now, _) = there
        .fold::<Actor>(&actor_stream(actor), None)
        .await
        .unwrap();
    assert_eq!(now.standing, Standing::Active);
}

on_both_backends!(
    a_command_whose_callers_rights_moved_on_is_not_appended,
    a_refusal_is_decided_again_on_the_present,
);
