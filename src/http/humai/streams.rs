//! Server-Sent Events fed by the journal: `GET /task-progress-stream`
//! (one transaction's or task's events, from its beginning) and
//! `GET /task-stream` (every task and transaction event the caller takes
//! part in, from now). Each SSE event's `id` is its journal position, so a
//! client reconnecting with `Last-Event-ID` resumes right after it. Events
//! are named as `progress.rs` says.
//!
//! Live streams wake on this process's commits (the journal's head watch)
//! and read the committed events the projector reads (`read_committed`:
//! this process's recent commits from memory); they also look every 500 ms,
//! for other instances' commits. Each holds a connection and reads the
//! journal, so they are bounded: at most `Config::humai_stream_subscribers`
//! at once per process; one more is refused 429 `rate_limited`.

use super::errors::{HumaiError, HumaiResult};
use super::extract::{Caller, HumaiQuery};
use super::progress::{progress, work_id, Progress};
use crate::bus::commands;
use crate::http::auth::Principal;
use crate::http::state::AppState;
use crate::journal::Journal;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use errand_aggregates::actor::Caller as DomainCaller;
use errand_aggregates::contract::Contract;
use errand_aggregates::ids::ContractId;
use errand_aggregates::task::Task;
use errand_aggregates::thread;
use serde::Deserialize;
use std::collections::HashMap;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::{mpsc, OwnedSemaphorePermit};

/// Events read from the journal at a time.
const READ_BATCH: u32 = 1_000;
/// How long a stream waits for this process's next commit before looking anyway.
const POLL_INTERVAL: Duration = Duration::from_millis(500);
/// Events buffered per client: a slow client holds its producer back instead.
const CLIENT_BUFFER: usize = 64;
/// Streams whose visibility `task-stream` remembers before starting over.
const VISIBILITY_CACHE_MAX: usize = 10_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/task-progress-stream", get(task_progress_stream))
        .route("/task-stream", get(task_stream))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressQuery {
    pub transaction_id: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskStreamQuery {}

type Events = Response;

/// The position after which to resume: `Last-Event-ID`, if sent.
fn resume_after(headers: &HeaderMap) -> HumaiResult<Option<i64>> {
    let Some(value) = headers.get("last-event-id") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|text| text.trim().parse::<i64>().ok())
        .filter(|position| *position >= 0)
        .map(Some)
        .ok_or_else(|| HumaiError::validation("Last-Event-ID must be an event id this stream sent"))
}

fn subscriber(app: &AppState) -> HumaiResult<OwnedSemaphorePermit> {
    app.humai_streams
        .clone()
        .try_acquire_owned()
        .map_err(|_| HumaiError::RateLimited {
            retry_after_seconds: 1,
        })
}

fn domain_caller(principal: &Principal) -> DomainCaller {
    DomainCaller {
        actor: principal.actor_id,
        role: principal.role,
        standing: principal.standing,
    }
}

/// Whether the principal takes part in the work of `stream_id` (or is an admin), in its mode.
async fn takes_part(app: &AppState, principal: &Principal, stream_id: &str) -> HumaiResult<bool> {
    if stream_id.starts_with("task-") {
        let (task, _) = app.bus.load::<Task>(stream_id).await?;
        let caller = domain_caller(principal);
        return Ok(task.exists()
            && task.mode == principal.mode
            && thread::may_read(&task, &caller).is_ok());
    }
    let (contract, _) = app.bus.load::<Contract>(stream_id).await?;
    let party = [contract.buyer, contract.seller]
        .iter()
        .flatten()
        .any(|party| party.actor == principal.actor_id);
    Ok(contract.id.is_some() && contract.mode == principal.mode && (party || principal.is_admin()))
}

fn sse(progress: &Progress, position: i64) -> SseEvent {
    SseEvent::default()
        .id(position.to_string())
        .event(progress.name)
        .data(progress.data.to_string())
}

fn respond(receiver: mpsc::Receiver<SseEvent>) -> Events {
    let stream = futures::StreamExt::map(
        tokio_stream::wrappers::ReceiverStream::new(receiver),
        Ok::<_, Infallible>,
    );
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// Waits for this process's next commit, or the poll interval.
async fn next_commit(head: &mut tokio::sync::watch::Receiver<i64>) {
    let _ = tokio::time::timeout(POLL_INTERVAL, head.changed()).await;
}

async fn task_progress_stream(
    State(app): State<AppState>,
    Caller(principal): Caller,
    headers: HeaderMap,
    HumaiQuery(query): HumaiQuery<ProgressQuery>,
) -> HumaiResult<Events> {
    let id = ContractId::parse(query.transaction_id.trim())
        .ok_or_else(|| HumaiError::validation("transaction_id must be a UUID"))?;
    let after = resume_after(&headers)?.unwrap_or(0);
    // A task of any API, or a Humai transaction.
    let stream_id = {
        let task = commands::task_stream(errand_aggregates::ids::TaskId(id.0));
        let (found, _) = app.bus.load::<Task>(&task).await?;
        if found.exists() {
            task
        } else {
            format!("contract-{id}")
        }
    };
    let exists = if stream_id.starts_with("task-") {
        let (task, _) = app.bus.load::<Task>(&stream_id).await?;
        task.exists() && task.mode == principal.mode
    } else {
        let (contract, _) = app.bus.load::<Contract>(&stream_id).await?;
        contract.id.is_some() && contract.mode == principal.mode
    };
    if !exists {
        return Err(HumaiError::not_found("transaction"));
    }
    if !takes_part(&app, &principal, &stream_id).await? {
        return Err(HumaiError::Forbidden(
            "only the transaction's parties follow its progress".into(),
        ));
    }
    let permit = subscriber(&app)?;
    let journal = app.bus.journal().clone();
    let (sender, receiver) = mpsc::channel(CLIENT_BUFFER);
    tokio::spawn(async move {
        let _permit = permit;
        follow_one(journal, stream_id, after, sender).await;
    });
    Ok(respond(receiver))
}

/// Sends `stream_id`'s events after `after`: its history, then live.
async fn follow_one(
    journal: Journal,
    stream_id: String,
    after: i64,
    sender: mpsc::Sender<SseEvent>,
) {
    let mut head = journal.watch_head();
    // Everything committed before the history is read is in it.
    let mut cursor = *head.borrow_and_update();
    let mut sent = after;
    let history = match journal.read_stream(&stream_id, None).await {
        Ok(history) => history,
        Err(error) => {
            tracing::warn!(%error, "task progress stream stopped");
            return;
        }
    };
    for recorded in history.into_iter().filter(|e| e.position > after) {
        let committed = crate::journal::CommittedEvent {
            position: recorded.position,
            stream_id: recorded.stream_id,
            event_type: recorded.event_type,
            payload: recorded.payload,
            recorded_at: recorded.recorded_at,
        };
        if let Some(progress) = progress(&committed) {
            if sender
                .send(sse(&progress, committed.position))
                .await
                .is_err()
            {
                return;
            }
        }
        sent = committed.position;
    }
    cursor = cursor.max(sent);
    loop {
        let events = match journal.read_committed(cursor, READ_BATCH).await {
            Ok(events) => events,
            Err(error) => {
                tracing::warn!(%error, "task progress stream stopped");
                return;
            }
        };
        let read_all = events.len() < READ_BATCH as usize;
        for committed in events {
            cursor = committed.position;
            if committed.stream_id != stream_id || committed.position <= sent {
                continue;
            }
            if let Some(progress) = progress(&committed) {
                if sender
                    .send(sse(&progress, committed.position))
                    .await
                    .is_err()
                {
                    return;
                }
            }
            sent = committed.position;
        }
        if sender.is_closed() {
            return;
        }
        if read_all {
            next_commit(&mut head).await;
        }
    }
}

async fn task_stream(
    State(app): State<AppState>,
    Caller(principal): Caller,
    headers: HeaderMap,
    HumaiQuery(_): HumaiQuery<TaskStreamQuery>,
) -> HumaiResult<Events> {
    let resume = resume_after(&headers)?;
    let permit = subscriber(&app)?;
    let journal = app.bus.journal().clone();
    // From now, unless resuming.
    let after = resume.unwrap_or_else(|| *journal.watch_head().borrow());
    let (sender, receiver) = mpsc::channel(CLIENT_BUFFER);
    tokio::spawn(async move {
        let _permit = permit;
        follow_mine(app, principal, after, sender).await;
    });
    Ok(respond(receiver))
}

/// Sends every task and transaction event after `after` that the principal takes part in.
async fn follow_mine(
    app: AppState,
    principal: Principal,
    mut cursor: i64,
    sender: mpsc::Sender<SseEvent>,
) {
    let journal = app.bus.journal().clone();
    let mut head = journal.watch_head();
    // Whether the caller takes part in a stream's work; an application or an
    // assignment may make them a party, so those events ask again.
    let mut visible: HashMap<String, bool> = HashMap::new();
    loop {
        let events = match journal.read_committed(cursor, READ_BATCH).await {
            Ok(events) => events,
            Err(error) => {
                tracing::warn!(%error, "task stream stopped");
                return;
            }
        };
        let read_all = events.len() < READ_BATCH as usize;
        for committed in events {
            cursor = committed.position;
            if work_id(&committed.stream_id).is_none() {
                continue;
            }
            if matches!(
                committed.event_type.as_str(),
                "TaskApplied" | "TaskAssigned"
            ) {
                visible.remove(&committed.stream_id);
            }
            if visible.len() > VISIBILITY_CACHE_MAX {
                visible.clear();
            }
            let shown = match visible.get(&committed.stream_id) {
                Some(shown) => *shown,
                None => {
                    let Ok(shown) = takes_part(&app, &principal, &committed.stream_id).await else {
                        tracing::warn!(stream = committed.stream_id, "task stream stopped");
                        return;
                    };
                    visible.insert(committed.stream_id.clone(), shown);
                    shown
                }
            };
            if !shown {
                continue;
            }
            if let Some(progress) = progress(&committed) {
                if sender
                    .send(sse(&progress, committed.position))
                    .await
                    .is_err()
                {
                    return;
                }
            }
        }
        if sender.is_closed() {
            return;
        }
        if read_all {
            next_commit(&mut head).await;
        }
    }
}
