//! Turns at a contended stream. Optimistic concurrency lets every command
//! decide at once, and each commit lets one decision per stream through; in a
//! burst on one stream (an agent posting and approving from many clients, all
//! on its account) a loser could lose again and again until it gave up. After
//! its first conflict a command waits its turn at that stream instead, so the
//! commands that lost are served in the order they lost.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OwnedMutexGuard;

#[derive(Default)]
pub(super) struct StreamQueues {
    /// A std mutex: held only for map operations, never across an await.
    queues: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// A command's turn at a stream, until dropped.
pub(super) struct Turn<'q> {
    queues: &'q StreamQueues,
    stream_id: String,
    guard: Option<OwnedMutexGuard<()>>,
}

impl StreamQueues {
    /// Waits until the commands that queued for `stream_id` before have had
    /// their turn (tokio's mutex is fair: first come, first served).
    pub(super) async fn wait_turn(&self, stream_id: &str) -> Turn<'_> {
        let queue = {
            let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(queues.entry(stream_id.to_owned()).or_default())
        };
        let guard = queue.lock_owned().await;
        Turn {
            queues: self,
            stream_id: stream_id.to_owned(),
            guard: Some(guard),
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.queues.lock().unwrap().len()
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut queues = self.queues.queues.lock().unwrap_or_else(|p| p.into_inner());
        // Only the map holds the queue: nobody waits, so it goes (under the
        // map's lock, so nobody can be taking it right now).
        if queues
            .get(&self.stream_id)
            .is_some_and(|queue| Arc::strong_count(queue) == 1)
        {
            queues.remove(&self.stream_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn turns_are_served_in_order_and_an_idle_queue_is_forgotten() {
        let queues = Arc::new(StreamQueues::default());
        let order = Arc::new(Mutex::new(Vec::new()));
        let first = queues.wait_turn("s").await;
        let mut waiters = Vec::new();
        for n in 0..3 {
            let (queues, order) = (Arc::clone(&queues), Arc::clone(&order));
            waiters.push(tokio::spawn(async move {
                let _turn = queues.wait_turn("s").await;
                order.lock().unwrap().push(n);
            }));
            // Each waiter queues before the next one starts.
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        drop(first);
        for waiter in waiters {
            waiter.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), [0, 1, 2]);
        assert_eq!(queues.len(), 0);
    }
}
