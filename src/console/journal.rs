//! The live journal, for auditors: the newest events, filtered by stream or
//! type, following live over Server-Sent Events (the native
//! `/v1/events/stream` handler itself, authenticated by the console's cookie,
//! since `EventSource` cannot send an `Authorization` header); one event with
//! its payload, metadata and hash; and the audit (`GET /v1/audit/verify`'s
//! function) with each invariant's result.

use super::layout::{page, when, Section};
use super::session::Session;
use super::{ConsoleError, ConsoleResult};
use crate::http::errors::ApiError;
use crate::http::extract::ApiQuery;
use crate::http::native::events::{self, EventsQuery, StreamQuery};
use crate::http::native::EventView;
use crate::http::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;

/// Events the page scans for its filters, newest first; the live follow shows
/// everything after them.
const EVENTS_SCANNED: i64 = 1_000;
/// Events the page lists.
const EVENTS_SHOWN: usize = 100;

#[derive(Debug, Default, Deserialize)]
pub struct JournalFilter {
    /// Events of streams whose id starts with this (`task-`, `account-<id>`).
    #[serde(default)]
    stream: String,
    /// Events of this type exactly (`SubmissionApproved`).
    #[serde(default)]
    r#type: String,
}

impl JournalFilter {
    fn keeps(&self, event: &EventView) -> bool {
        event.stream_id.starts_with(self.stream.trim())
            && (self.r#type.trim().is_empty() || event.event_type == self.r#type.trim())
    }
}

pub async fn journal(
    State(app): State<AppState>,
    session: Session,
    Query(filter): Query<JournalFilter>,
) -> ConsoleResult<Response> {
    let principal = &session.principal;
    principal.require_auditor()?;
    let head = app.bus.journal().head().await.map_err(ApiError::internal)?;
    let page_of = events::events_after(
        &app,
        principal,
        EventsQuery {
            after: Some((head - EVENTS_SCANNED).max(0)),
            limit: Some(EVENTS_SCANNED),
        },
    )
    .await?;
    let mut shown: Vec<&EventView> = page_of.data.iter().filter(|e| filter.keeps(e)).collect();
    shown.reverse();
    shown.truncate(EVENTS_SHOWN);
    let body = html! {
        form.filters method="get" action="/console/journal" role="search" {
            label for="stream" { "Stream starts with" }
            input #stream name="stream" value=(filter.stream) placeholder="task-";
            label for="type" { "Event type" }
            input #type name="type" value=(filter.r#type) placeholder="SubmissionApproved";
            button type="submit" { "Filter" }
        }
        p {
            a.button href="/console/journal/verify" { "Verify the ledger" }
            " "
            span #live-status role="status" aria-live="polite" { "Live: connecting…" }
        }
        div.table-wrap {
            table #journal data-follow="/console/journal/stream" data-after=(head)
                data-stream=(filter.stream.trim()) data-type=(filter.r#type.trim()) {
                thead { tr {
                    th scope="col" { "Position" } th scope="col" { "Type" }
                    th scope="col" { "Stream" } th scope="col" { "Recorded" }
                } }
                tbody {
                    @for event in &shown { (event_row(event)) }
                }
            }
        }
    };
    Ok(page(Some(&session), Section::Journal, "Live journal", body).into_response())
}

/// A row; `console.js` builds the same for events that arrive live.
fn event_row(event: &EventView) -> Markup {
    html! {
        tr data-position=(event.position) {
            td.num { a href={ "/console/journal/events/" (event.position) } { "#" (event.position) } }
            td { (event.event_type) }
            td { code { (event.stream_id) } }
            td { (when(Some(event.recorded_at))) }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct FollowQuery {
    after: Option<i64>,
}

/// The native live follow, for the console's session.
pub async fn follow(
    State(app): State<AppState>,
    session: Session,
    Query(query): Query<FollowQuery>,
) -> ConsoleResult<Response> {
    let stream = events::follow_events(
        State(app),
        session.principal,
        ApiQuery(StreamQuery { after: query.after }),
    )
    .await?;
    Ok(stream.into_response())
}

pub async fn event(
    State(app): State<AppState>,
    session: Session,
    Path(position): Path<i64>,
) -> ConsoleResult<Response> {
    let principal = &session.principal;
    let found = events::events_after(
        &app,
        principal,
        EventsQuery {
            after: Some(position.saturating_sub(1).max(0)),
            limit: Some(1),
        },
    )
    .await?;
    let event = found
        .data
        .into_iter()
        .find(|e| e.position == position)
        .ok_or_else(|| ConsoleError::from(ApiError::NotFound("event".into())))?;
    let pretty =
        |value: &serde_json::Value| serde_json::to_string_pretty(value).unwrap_or_default();
    let body = html! {
        dl.facts {
            dt { "Position" } dd { (event.position) }
            dt { "Type" } dd #event-type { (event.event_type) " (version " (event.version) ")" }
            dt { "Stream" } dd { a href={ "/console/journal?stream=" (event.stream_id) } { code { (event.stream_id) } } " · version " (event.stream_version) }
            dt { "Event id" } dd { code { (event.event_id) } }
            dt { "Recorded" } dd { (when(Some(event.recorded_at))) }
            dt { "Hash" } dd { code.hash { (event.hash) } }
        }
        h2 { "Payload" }
        pre #payload tabindex="0" { (pretty(&event.payload)) }
        h2 { "Metadata" }
        pre tabindex="0" { (pretty(&event.metadata)) }
        p {
            @if event.position > 1 { a href={ "/console/journal/events/" (event.position - 1) } { "Previous" } " · " }
            a href={ "/console/journal/events/" (event.position + 1) } { "Next" }
        }
    };
    let title = format!("Event #{}", event.position);
    Ok(page(Some(&session), Section::Journal, &title, body).into_response())
}

pub async fn verify(State(app): State<AppState>, session: Session) -> ConsoleResult<Response> {
    let report = events::audit(&app, &session.principal).await?;
    let body = html! {
        p.verdict #verdict {
            @if report.ok { "Every invariant holds." } @else { "An invariant is broken." }
            " Audited " (report.events_checked) " events up to position " (report.head_position) "."
        }
        ul.invariants {
            @for invariant in &report.invariants {
                li class=(if invariant.ok { "ok" } else { "broken" }) {
                    strong { (if invariant.ok { "✓ " } else { "✗ " }) code { (invariant.name) } }
                    pre tabindex="0" { (invariant.detail) }
                }
            }
        }
        p { a href="/console/journal" { "Back to the journal" } }
    };
    Ok(page(Some(&session), Section::Journal, "Audit", body).into_response())
}
