//! The journal for auditors: a page of events after a position, a live SSE
//! follow, and one stream folded as of any position (reading the past).

use super::page_limit;
use super::views::AuditView;
use crate::http::auth::Principal;
use crate::http::errors::{ApiError, ApiResult};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::http::state::AppState;
use crate::journal::RecordedEvent;
use axum::extract::State;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::Json;
use chrono::{DateTime, Utc};
use errand_aggregates::event::stream_prefix;
use errand_aggregates::{
    account, actor, api_key, credentials, deposit, email_claim, inbox, referral, task, thread,
    webhook, Aggregate,
};
use futures::Stream;
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use utoipa::ToSchema;

/// A page of events is bounded so one request cannot read the whole journal.
pub const EVENTS_PAGE_MAX: u32 = 1_000;
const EVENTS_PAGE_DEFAULT: u32 = 100;
/// Live followers each hold a connection and poll the journal; bound them.
pub const SSE_SUBSCRIBERS_MAX: usize = 256;

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub position: i64,
    pub stream_id: String,
    pub stream_version: i64,
    pub event_id: uuid::Uuid,
    #[serde(rename = "type")]
    pub event_type: String,
    pub version: i32,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
    pub recorded_at: DateTime<Utc>,
    pub hash: String,
}

impl From<RecordedEvent> for EventView {
    fn from(event: RecordedEvent) -> Self {
        let mut payload = serde_json::from_str(&event.payload).unwrap_or(serde_json::Value::Null);
        crate::http::redaction::redact(&mut payload);
        EventView {
            position: event.position,
            stream_id: event.stream_id,
            stream_version: event.stream_version,
            event_id: event.event_id,
            event_type: event.event_type,
            version: event.event_version,
            payload,
            metadata: serde_json::from_str(&event.metadata).unwrap_or(serde_json::Value::Null),
            recorded_at: event.recorded_at,
            hash: event.hash,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// Events after this position; default 0.
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// 1 to 1000; default 100.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// Positions start at 1, so `after` is 0 or more.
fn position_after(after: Option<i64>) -> Result<i64, ApiError> {
    match after.unwrap_or(0) {
        after @ 0.. => Ok(after),
        _ => Err(ApiError::Invalid("after must be 0 or more".into())),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventsPage {
    pub data: Vec<EventView>,
    /// The position to ask `after` next; null when this page reached the head.
    pub next: Option<i64>,
}

#[utoipa::path(get, path = "/v1/events", tag = "journal", params(EventsQuery),
    responses((status = 200, body = EventsPage)), security(("bearer" = [])))]
pub async fn list_events(
    State(app): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<EventsQuery>,
) -> ApiResult<Json<EventsPage>> {
    Ok(Json(events_after(&app, &principal, query).await?))
}

/// A page of the journal after a position: `GET /v1/events`, and the MCP tool `list_events`.
pub async fn events_after(
    app: &AppState,
    principal: &Principal,
    query: EventsQuery,
) -> ApiResult<EventsPage> {
    principal.require_auditor()?;
    let after = position_after(query.after)?;
    let limit = page_limit(query.limit, EVENTS_PAGE_MAX)?.unwrap_or(EVENTS_PAGE_DEFAULT);
    let events = app
        .bus
        .journal()
        .read_all(after, limit)
        .await
        .map_err(ApiError::internal)?;
    let next = (events.len() == limit as usize)
        .then(|| events.last().map(|e| e.position))
        .flatten();
    Ok(EventsPage {
        data: events.into_iter().map(EventView::from).collect(),
        next,
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StreamQuery {
    /// Follow from after this position; default 0.
    #[param(minimum = 0)]
    pub after: Option<i64>,
}

/// Follow the journal live: Server-Sent Events that never end on their own.
#[utoipa::path(get, path = "/v1/events/stream", tag = "journal", params(StreamQuery),
    responses((status = 200, description = "One SSE event per journal event: `event: event`, `id:` its position, `data:` the event as in GET /v1/events",
        content_type = "text/event-stream", body = String)),
    security(("bearer" = [])))]
pub async fn follow_events(
    State(app): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<StreamQuery>,
) -> ApiResult<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    principal.require_auditor()?;
    let mut after = position_after(query.after)?;
    let permit = followers()
        .clone()
        .try_acquire_owned()
        .map_err(|_| ApiError::Contention("too many live followers; retry later".into()))?;
    let journal = app.bus.journal().clone();
    let stream = async_stream(move |sender| async move {
        let _permit = permit;
        let mut head = journal.watch_head();
        loop {
            let events = match journal.read_all(after, EVENTS_PAGE_MAX).await {
                Ok(events) => events,
                Err(error) => {
                    tracing::warn!(%error, "live follow stopped");
                    return;
                }
            };
            for event in events {
                after = event.position;
                let id = event.position.to_string();
                let data = serde_json::to_string(&EventView::from(event)).unwrap_or_default();
                if sender
                    .send(SseEvent::default().id(id).event("event").data(data))
                    .await
                    .is_err()
                {
                    return;
                }
            }
            // Wake on this process's commits; poll for other processes' too.
            let _ = tokio::time::timeout(Duration::from_millis(500), head.changed()).await;
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

fn followers() -> &'static Arc<Semaphore> {
    static FOLLOWERS: std::sync::OnceLock<Arc<Semaphore>> = std::sync::OnceLock::new();
    FOLLOWERS.get_or_init(|| Arc::new(Semaphore::new(SSE_SUBSCRIBERS_MAX)))
}

/// A stream of SSE events fed by a producer task through a small channel,
/// so a slow client applies back-pressure instead of buffering the journal.
fn async_stream<F, Fut>(producer: F) -> impl Stream<Item = Result<SseEvent, Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<SseEvent>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (sender, receiver) = tokio::sync::mpsc::channel(64);
    tokio::spawn(producer(sender));
    futures::StreamExt::map(tokio_stream::wrappers::ReceiverStream::new(receiver), Ok)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UntilQuery {
    /// Fold only events at or before this journal position.
    pub until: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StreamView {
    pub stream_id: String,
    pub version: i64,
    pub events: Vec<EventView>,
    /// The aggregate's state folded from these events.
    #[schema(value_type = Object)]
    pub state: serde_json::Value,
}

#[utoipa::path(get, path = "/v1/streams/{stream_id}", tag = "journal", params(("stream_id" = String, Path, description = "e.g. task-<uuid>"), UntilQuery),
    responses((status = 200, body = StreamView), (status = 404, description = "No such stream")),
    security(("bearer" = [])))]
pub async fn get_stream(
    State(app): State<AppState>,
    principal: Principal,
    ApiPath(stream_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<UntilQuery>,
) -> ApiResult<Json<StreamView>> {
    principal.require_auditor()?;
    if !is_stream_id(&stream_id) {
        return Err(ApiError::NotFound("stream".into()));
    }
    let events = app
        .bus
        .journal()
        .read_stream(&stream_id, query.until)
        .await
        .map_err(ApiError::internal)?;
    if events.is_empty() {
        return Err(ApiError::NotFound("stream".into()));
    }
    let state = fold_state(&stream_id, &events)?;
    Ok(Json(StreamView {
        stream_id,
        version: events.last().map(|e| e.stream_version).unwrap_or(0),
        events: events.into_iter().map(EventView::from).collect(),
        state,
    }))
}

/// Stream ids are short and printable ASCII (`task-<uuid>`,
/// `account-<uuid>-live-USD`); anything else names no stream, and is not
/// sent to the database (PostgreSQL refuses text with U+0000 outright).
fn is_stream_id(stream_id: &str) -> bool {
    const STREAM_ID_MAX_CHARS: usize = 200;
    stream_id.len() <= STREAM_ID_MAX_CHARS && stream_id.chars().all(|c| c.is_ascii_graphic())
}

fn fold_state(stream_id: &str, events: &[RecordedEvent]) -> Result<serde_json::Value, ApiError> {
    fn fold<A: Aggregate>(events: &[RecordedEvent]) -> Result<serde_json::Value, ApiError> {
        let mut state = A::default();
        for event in events {
            let decoded: A::Event =
                serde_json::from_str(&event.payload).map_err(ApiError::internal)?;
            state.apply(&decoded);
        }
        let mut state = serde_json::to_value(state).map_err(ApiError::internal)?;
        crate::http::redaction::redact(&mut state);
        Ok(state)
    }
    match stream_prefix(stream_id) {
        actor::Actor::STREAM_PREFIX => fold::<actor::Actor>(events),
        api_key::ApiKey::STREAM_PREFIX => fold::<api_key::ApiKey>(events),
        account::Account::STREAM_PREFIX => fold::<account::Account>(events),
        deposit::Deposit::STREAM_PREFIX => fold::<deposit::Deposit>(events),
        task::Task::STREAM_PREFIX => fold::<task::Task>(events),
        webhook::WebhookEndpoint::STREAM_PREFIX => fold::<webhook::WebhookEndpoint>(events),
        webhook::WebhookDelivery::STREAM_PREFIX => fold::<webhook::WebhookDelivery>(events),
        credentials::Credentials::STREAM_PREFIX => fold::<credentials::Credentials>(events),
        email_claim::EmailClaim::STREAM_PREFIX => fold::<email_claim::EmailClaim>(events),
        thread::Thread::STREAM_PREFIX => fold::<thread::Thread>(events),
        inbox::Inbox::STREAM_PREFIX => fold::<inbox::Inbox>(events),
        referral::Referral::STREAM_PREFIX => fold::<referral::Referral>(events),
        _ => Err(ApiError::NotFound("stream".into())),
    }
}

#[utoipa::path(get, path = "/v1/audit/verify", tag = "journal",
    responses((status = 200, description = "Each invariant of the ledger and its result", body = AuditView)),
    security(("bearer" = [])))]
pub async fn verify(
    State(app): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<AuditView>> {
    Ok(Json(audit(&app, &principal).await?))
}

/// The ledger's invariants checked now: `GET /v1/audit/verify`, and the MCP tool `verify`.
pub async fn audit(app: &AppState, principal: &Principal) -> ApiResult<AuditView> {
    principal.require_auditor()?;
    let report = crate::audit::verify(app.bus.journal())
        .await
        .map_err(ApiError::internal)?;
    Ok(AuditView::new(&report))
}
