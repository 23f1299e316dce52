//! A bounded cache of folded aggregate states, keyed by stream id. An entry
//! may be stale (another process appended): the append's version check
//! catches that, the bus drops the entry and decides again.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Mutex;

/// Enough for the working set of a busy marketplace (open tasks, active
/// accounts) while bounding memory: a task state is a few KiB at most.
pub const STATE_CACHE_ENTRIES_MAX: usize = 20_000;

struct Entry {
    version: i64,
    state: Box<dyn Any + Send + Sync>,
    last_used: u64,
}

pub struct StateCache {
    capacity: usize,
    // A std Mutex: held only for map operations, never across an await.
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    tick: u64,
}

impl StateCache {
    pub fn new(capacity: usize) -> Self {
        StateCache {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner::default()),
        }
    }

    pub fn get<A: Clone + Send + Sync + 'static>(&self, stream_id: &str) -> Option<(A, i64)> {
        let mut inner = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        inner.tick += 1;
        let tick = inner.tick;
        let entry = inner.entries.get_mut(stream_id)?;
        entry.last_used = tick;
        let state = entry.state.downcast_ref::<A>()?.clone();
        Some((state, entry.version))
    }

    pub fn put<A: Send + Sync + 'static>(&self, stream_id: &str, state: A, version: i64) {
        self.put_boxed(stream_id, Box::new(state), version)
    }

    pub fn put_boxed(&self, stream_id: &str, state: Box<dyn Any + Send + Sync>, version: i64) {
        let mut inner = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        inner.tick += 1;
        let tick = inner.tick;
        // Commits finish in any order: never replace a state with an older one.
        if inner
            .entries
            .get(stream_id)
            .is_some_and(|entry| entry.version > version)
        {
            return;
        }
        if inner.entries.len() >= self.capacity && !inner.entries.contains_key(stream_id) {
            evict_oldest_tenth(&mut inner.entries);
        }
        inner.entries.insert(
            stream_id.to_owned(),
            Entry {
                version,
                state,
                last_used: tick,
            },
        );
    }

    pub fn forget(&self, stream_id: &str) {
        let mut inner = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        inner.entries.remove(stream_id);
    }
}

/// Evicting a tenth at a time keeps the O(n) scan rare.
fn evict_oldest_tenth(entries: &mut HashMap<String, Entry>) {
    let mut ticks: Vec<u64> = entries.values().map(|e| e.last_used).collect();
    let cut = ticks.len() / 10;
    let (_, threshold, _) = ticks.select_nth_unstable(cut);
    let threshold = *threshold;
    entries.retain(|_, entry| entry.last_used > threshold);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_stays_within_its_bound() {
        let cache = StateCache::new(100);
        for i in 0..1_000 {
            cache.put(&format!("s-{i}"), i, 1);
        }
        let len = cache.inner.lock().unwrap().entries.len();
        assert!(len <= 100, "{len} entries");
        assert_eq!(cache.get::<i32>("s-999"), Some((999, 1)));
    }

    #[test]
    fn a_late_put_of_an_older_version_keeps_the_newer_state() {
        let cache = StateCache::new(10);
        cache.put("s", "newer", 6);
        cache.put("s", "older", 5);
        assert_eq!(cache.get::<&str>("s"), Some(("newer", 6)));
    }

    #[test]
    fn a_state_of_another_type_is_a_miss() {
        let cache = StateCache::new(10);
        cache.put("s", 1_u8, 1);
        assert_eq!(cache.get::<u16>("s"), None);
    }
}
