//! Waiting for a stream to reach a state: a tool that blocks until a job needs
//! its owner (`wait_job`) rests on the journal's head notifications, not on a
//! loop over the database. The writer bumps the head after every commit; a
//! waiter wakes then and reads only its own stream's new events through the
//! loader (`load_fresh`), and sleeps again until the next commit or its
//! deadline.

use super::{BusError, CommandBus};
use crate::journal::Backend;
use errand_aggregates::Aggregate;
use std::time::Duration;
use tokio::time::Instant;

/// The least time between two reads of a waiter's stream. On a busy journal
/// the head moves hundreds of times a second; a waiter reads its stream at
/// most this often however fast it moves (five times a second: nobody waiting
/// for people to finish work notices a fifth of a second).
pub const WAIT_READ_INTERVAL_MIN: Duration = Duration::from_millis(200);

/// On PostgreSQL other instances commit too, and this process's head learns of
/// their commits only with its own next one. A waiter reads its stream this
/// often even when its own head rests, so a tester served by another instance
/// is seen within this time; on SQLite one process makes every commit and a
/// waiter reads only when the head moves.
pub const WAIT_OTHER_INSTANCES_INTERVAL: Duration = Duration::from_secs(2);

/// How a wait ended, with the stream's state at that moment.
#[derive(Debug)]
pub enum Waited<A> {
    /// The state satisfied the condition.
    Reached(A),
    /// The deadline passed first.
    TimedOut(A),
}

impl CommandBus {
    /// Waits until the state of `stream_id` satisfies `reached`, or `deadline`
    /// passes. The state is checked at once, then again after each commit (at
    /// most every [`WAIT_READ_INTERVAL_MIN`]), reading only the events appended
    /// to the stream since. Dropping the future stops the wait.
    pub async fn wait_until<A>(
        &self,
        stream_id: &str,
        deadline: Instant,
        reached: impl Fn(&A) -> bool,
    ) -> Result<Waited<A>, BusError>
    where
        A: Aggregate + Send + Sync + 'static,
    {
        // Subscribed before the first read: a commit landing between the read
        // and the wait still wakes it.
        let mut head = self.journal.watch_head();
        let others = self.journal.backend() == Backend::Postgres;
        loop {
            head.borrow_and_update();
            let read_at = Instant::now();
            let (state, _) = self.load_fresh::<A>(stream_id).await?;
            if reached(&state) {
                return Ok(Waited::Reached(state));
            }
            let recheck = others.then(|| read_at + WAIT_OTHER_INSTANCES_INTERVAL);
            let wake = recheck.map_or(deadline, |at| at.min(deadline));
            tokio::select! {
                changed = head.changed() => if changed.is_err() {
                    // The writer is gone (the journal closed): nothing more will change.
                    return Ok(Waited::TimedOut(state));
                },
                _ = tokio::time::sleep_until(wake) => {}
            }
            if Instant::now() >= deadline {
                let (state, _) = self.load_fresh::<A>(stream_id).await?;
                return Ok(if reached(&state) {
                    Waited::Reached(state)
                } else {
                    Waited::TimedOut(state)
                });
            }
            tokio::time::sleep_until((read_at + WAIT_READ_INTERVAL_MIN).min(deadline)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::commands::{actor_stream, register_actor, set_standing, StandingChange};
    use crate::bus::CommandContext;
    use crate::journal::tests::{on_both_backends, TestDatabase};
    use errand_aggregates::actor::{Actor, Caller, Role, Standing};
    use errand_aggregates::ids::ActorId;
    use std::sync::Arc;

    async fn register(bus: &CommandBus) -> ActorId {
        let actor_id = ActorId(uuid::Uuid::now_v7());
        let context = CommandContext::system("tests", "RegisterActor");
        crate::execute!(bus, &context, |unit| {
            let at = chrono::Utc::now();
            register_actor(unit, actor_id, Role::Human, "Ada".into(), None, at).await?;
            Ok(())
        })
        .expect("registered");
        actor_id
    }

    async fn freeze(bus: &CommandBus, actor_id: ActorId) {
        let admin = Caller {
            actor: ActorId(uuid::Uuid::now_v7()),
            role: Role::Admin,
            standing: Standing::Active,
        };
        let context = CommandContext::system("tests", "SetStanding");
        crate::execute!(bus, &context, |unit| {
            let at = chrono::Utc::now();
            let change = StandingChange::Freeze;
            set_standing(unit, admin, actor_id, change, Some("test".into()), at).await?;
            Ok(())
        })
        .expect("frozen");
    }

    fn frozen(actor: &Actor) -> bool {
        actor.standing == Standing::Frozen
    }

    async fn a_waiter_wakes_on_the_commit_that_reaches_its_state(database: &TestDatabase) {
        let bus = Arc::new(CommandBus::new(database.open().await));
        let actor_id = register(&bus).await;
        let stream = actor_stream(actor_id);
        let waiting = {
            let (bus, stream) = (Arc::clone(&bus), stream.clone());
            let deadline = Instant::now() + Duration::from_secs(30);
            tokio::spawn(async move { bus.wait_until::<Actor>(&stream, deadline, frozen).await })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!waiting.is_finished(), "nothing reached yet");
        // Other streams' commits wake it but do not end the wait.
        register(&bus).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!waiting.is_finished(), "another stream moved, not this one");
        let frozen_at = Instant::now();
        freeze(&bus, actor_id).await;
        let waited = waiting.await.expect("the waiter ran").expect("no error");
        assert!(matches!(waited, Waited::Reached(ref actor) if frozen(actor)));
        assert!(
            frozen_at.elapsed() < Duration::from_secs(1),
            "woken by the commit, not by a poll"
        );
    }

    async fn a_waiter_answers_the_state_it_saw_at_its_deadline(database: &TestDatabase) {
        let bus = CommandBus::new(database.open().await);
        let actor_id = register(&bus).await;
        let started = Instant::now();
        let deadline = started + Duration::from_millis(400);
        let waited = bus
            .wait_until::<Actor>(&actor_stream(actor_id), deadline, frozen)
            .await
            .expect("no error");
        assert!(matches!(waited, Waited::TimedOut(ref actor) if actor.exists()));
        assert!(started.elapsed() >= Duration::from_millis(400));
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    async fn a_state_already_reached_answers_at_once(database: &TestDatabase) {
        let bus = CommandBus::new(database.open().await);
        let actor_id = register(&bus).await;
        freeze(&bus, actor_id).await;
        let deadline = Instant::now() + Duration::from_secs(30);
        let waited = bus
            .wait_until::<Actor>(&actor_stream(actor_id), deadline, frozen)
            .await
            .expect("no error");
        assert!(matches!(waited, Waited::Reached(_)));
    }

    /// On PostgreSQL another instance's commit does not move this one's head.
    async fn a_waiter_sees_another_instances_commit(database: &TestDatabase) {
        let here = CommandBus::new(database.open().await);
        if here.journal().backend() != Backend::Postgres {
            return; // On SQLite one process makes every commit.
        }
        let elsewhere = CommandBus::new(database.open().await);
        let actor_id = register(&here).await;
        let waiting = async {
            let deadline = Instant::now() + Duration::from_secs(30);
            here.wait_until::<Actor>(&actor_stream(actor_id), deadline, frozen)
                .await
        };
        let freezing = async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            freeze(&elsewhere, actor_id).await;
            Instant::now()
        };
        let (waited, frozen_at) = tokio::join!(waiting, freezing);
        assert!(matches!(waited.expect("no error"), Waited::Reached(_)));
        assert!(frozen_at.elapsed() <= WAIT_OTHER_INSTANCES_INTERVAL + Duration::from_secs(1));
    }

    on_both_backends!(
        a_waiter_sees_another_instances_commit,
        a_waiter_wakes_on_the_commit_that_reaches_its_state,
        a_waiter_answers_the_state_it_saw_at_its_deadline,
        a_state_already_reached_answers_at_once,
    );
}
