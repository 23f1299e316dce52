//! A task that runs beside the server until it is told to stop: the
//! projector, the timers, the lease. Stopping tells it, then waits for it to
//! finish what it is doing.

use std::future::Future;
use std::sync::Mutex;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub(crate) struct Background {
    name: &'static str,
    stop: watch::Sender<bool>,
    /// A std mutex: held only to put or take the handle, never across an await.
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Background {
    /// A task not started yet; `start` gives it its future.
    pub(crate) fn new(name: &'static str) -> Background {
        Background {
            name,
            stop: watch::Sender::new(false),
            task: Mutex::new(None),
        }
    }

    /// Turns true when the task should stop.
    pub(crate) fn stop_signal(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
    }

    /// Spawns the task. Call within a tokio runtime.
    pub(crate) fn start(&self, work: impl Future<Output = ()> + Send + 'static) {
        let task = tokio::spawn(work);
        *self.task.lock().unwrap_or_else(|p| p.into_inner()) = Some(task);
    }

    /// Tells the task to stop and waits until it has.
    pub(crate) async fn stop(&self) {
        self.stop.send_replace(true);
        let task = self.task.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = task {
            if let Err(error) = task.await {
                tracing::error!(%error, task = self.name, "a background task failed");
            }
        }
    }
}
