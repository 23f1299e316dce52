//! Replaying the journal rebuilds every stream: each event goes through its
//! stored JSON form, as the journal keeps it, and is folded from scratch.

use crate::world::{Recorded, World};
use errand_aggregates::{Aggregate, DomainEvent};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Debug;

pub fn replay_rebuilds_every_stream(world: &World) -> Result<(), TestCaseError> {
    let tasks = streams(world, |recorded| match recorded {
        Recorded::Task { task_id, event } => Some((*task_id, event)),
        _ => None,
    });
    let accounts = streams(world, |recorded| match recorded {
        Recorded::Account { account, event } => Some((*account, event)),
        _ => None,
    });
    let deposits = streams(world, |recorded| match recorded {
        Recorded::Deposit { funding_id, event } => Some((*funding_id, event)),
        _ => None,
    });
    rebuilds(&world.tasks, tasks)?;
    rebuilds(&world.accounts, accounts)?;
    rebuilds(&world.deposits, deposits)
}

/// The journal's events grouped by stream, each stream in append order.
fn streams<'w, K: Ord, E: 'w>(
    world: &'w World,
    of_kind: impl Fn(&'w Recorded) -> Option<(K, &'w E)>,
) -> BTreeMap<K, Vec<&'w E>> {
    let mut streams: BTreeMap<K, Vec<&E>> = BTreeMap::new();
    for (key, event) in world.journal.iter().filter_map(of_kind) {
        streams.entry(key).or_default().push(event);
    }
    streams
}

fn rebuilds<K, A>(
    live: &BTreeMap<K, A>,
    streams: BTreeMap<K, Vec<&A::Event>>,
) -> Result<(), TestCaseError>
where
    K: Ord + Debug,
    A: Aggregate + PartialEq + Debug,
{
    prop_assert_eq!(
        live.keys().collect::<Vec<_>>(),
        streams.keys().collect::<Vec<_>>(),
        "a stream without events, or events without a stream"
    );
    for (key, events) in streams {
        let stored: Vec<A::Event> = events.into_iter().map(through_storage).collect();
        let replayed = A::fold(&stored);
        prop_assert_eq!(
            &replayed,
            &live[&key],
            "stream {:?} replays differently",
            key
        );
    }
    Ok(())
}

fn through_storage<E: DomainEvent>(event: &E) -> E {
    let json = serde_json::to_string(event).expect("events serialize");
    serde_json::from_str(&json).expect("stored events deserialize")
}
