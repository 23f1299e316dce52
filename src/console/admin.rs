//! Admin: actors with search, their standing changed through the kill switch
//! (`http::kill_switch::pull`, the function `POST /v1/admin/kill-switch`
//! calls: freeze, unfreeze, ban and unban, each with a reason, through
//! `bus/commands/enforcement.rs`), webhook deliveries (`GET
//! /v1/webhooks/deliveries`' handler: an admin sees everyone's), and the audit
//! log of admin actions.

use super::layout::{csrf_field, page, when, Section};
use super::session::Session;
use super::standing::{self, bounded_search, search_form, StandingForm, Target};
use super::ConsoleResult;
use crate::http::extract::ApiQuery;
use crate::http::native::webhooks::{self, DeliveriesQuery};
use crate::http::state::AppState;
use crate::queries::actors;
use crate::queries::admin_actions::{self, AuditFilter};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct ActorSearch {
    #[serde(default)]
    q: String,
    /// Webhook deliveries of this status only (pending, delivered, failed, cancelled).
    #[serde(default)]
    deliveries: String,
}

/// Webhook deliveries the page lists, newest event first.
const DELIVERIES_SHOWN: i64 = 20;

/// Search text longer than this names no actor.
const SEARCH_MAX_CHARS: usize = 200;

pub async fn admin(
    State(app): State<AppState>,
    session: Session,
    Query(search): Query<ActorSearch>,
) -> ConsoleResult<Response> {
    session.principal.require_admin()?;
    bounded_search(&search.q, SEARCH_MAX_CHARS)?;
    let pool = app.read_models().await?;
    let found = actors::search(pool, &search.q).await?;
    let log = admin_actions::audit_log(pool, &AuditFilter::default()).await?;
    let status = Some(search.deliveries.trim().to_owned()).filter(|s| !s.is_empty());
    let axum::Json(deliveries) = webhooks::list_deliveries(
        State(app.clone()),
        session.principal.clone(),
        ApiQuery(DeliveriesQuery {
            webhook_id: None,
            status,
            cursor: None,
            limit: Some(DELIVERIES_SHOWN),
        }),
    )
    .await?;
    let body = html! {
        (search_form("/console/admin", "Find actors by name, email or id", &search.q))
        h2 { "Actors" }
        div.table-wrap {
            table #actors {
                thead { tr {
                    th scope="col" { "Name" } th scope="col" { "Role" } th scope="col" { "Standing" }
                    th scope="col" { "Registered" } th scope="col" { "Change standing" }
                } }
                tbody {
                    @for actor in &found {
                        tr data-actor=(actor.actor_id) {
                            td {
                                (actor.name)
                                @if let Some(email) = &actor.email { br; small { (email) } }
                                br; small { a href={ "/console/ledger?actor_id=" (actor.actor_id) } { code { (actor.actor_id) } } }
                            }
                            td { (actor.role) }
                            td { span.status.standing { (actor.standing) } }
                            td { (when(actor.registered_at)) }
                            td {
                                form.standing method="post" action={ "/console/admin/actors/" (actor.actor_id) "/standing" } {
                                    (csrf_field(&session))
                                    label for={ "action-" (actor.actor_id) } { "Action" }
                                    select id={ "action-" (actor.actor_id) } name="action" {
                                        @if actor.standing == "active" {
                                            option value="freeze_agent" { "Freeze" }
                                            option value="ban_provider" { "Ban" }
                                        } @else if actor.standing == "frozen" {
                                            option value="unfreeze_agent" { "Unfreeze" }
                                            option value="ban_provider" { "Ban" }
                                        } @else {
                                            option value="unban_provider" { "Unban" }
                                        }
                                    }
                                    label for={ "reason-" (actor.actor_id) } { "Reason" }
                                    input id={ "reason-" (actor.actor_id) } name="reason" required maxlength="500";
                                    button type="submit" { "Apply" }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 #deliveries-heading { "Webhook deliveries" }
        form.filters method="get" action="/console/admin" {
            input type="hidden" name="q" value=(search.q);
            label for="deliveries" { "Status" }
            select #deliveries name="deliveries" {
                option value="" { "Any" }
                @for status in ["pending", "delivered", "failed", "cancelled"] {
                    option value=(status) selected[search.deliveries == status] { (status) }
                }
            }
            button type="submit" { "Show deliveries" }
        }
        @if deliveries.data.is_empty() {
            p.empty { "No delivery." }
        } @else {
            div.table-wrap {
                table #webhook-deliveries aria-labelledby="deliveries-heading" {
                    thead { tr {
                        th scope="col" { "Event" } th scope="col" { "Webhook" } th scope="col" { "Status" }
                        th scope="col" { "Attempts" } th scope="col" { "Last answer" } th scope="col" { "Next attempt" }
                    } }
                    tbody {
                        @for delivery in &deliveries.data {
                            tr {
                                td { a href={ "/console/journal/events/" (delivery.event_position) } { "#" (delivery.event_position) } " " (delivery.event_type) }
                                td { code { (delivery.webhook_id) } }
                                td { span.status { (delivery.status) } }
                                td.num { (delivery.attempt_count) }
                                td {
                                    @if let Some(attempt) = delivery.attempts.last() {
                                        (attempt.outcome)
                                        @if let Some(code) = attempt.status_code { " · HTTP " (code) }
                                        @if let Some(error) = &attempt.error { " · " (error) }
                                    } @else { "–" }
                                }
                                td { (when(delivery.next_attempt_at)) }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Audit log" }
        @if log.is_empty() {
            p.empty { "No admin action yet." }
        } @else {
            div.table-wrap {
                table #audit-log {
                    thead { tr {
                        th scope="col" { "Position" } th scope="col" { "Action" } th scope="col" { "Resource" }
                        th scope="col" { "Admin" } th scope="col" { "Reason" } th scope="col" { "At" }
                    } }
                    tbody {
                        @for entry in &log {
                            tr {
                                td.num { a href={ "/console/journal/events/" (entry.position) } { "#" (entry.position) } }
                                td { (entry.action) }
                                td { (entry.resource_type) " " code { (entry.resource_id) } }
                                td { code { (entry.admin_id) } }
                                td { (entry.reason.as_deref().or(entry.cause.as_deref()).unwrap_or("–")) }
                                td { (when(entry.at)) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(Some(&session), Section::Admin, "Admin", body).into_response())
}

/// Only standing actions are offered here; listings are Humai's.
const STANDING_ACTIONS: &[&str] = &[
    "freeze_agent",
    "unfreeze_agent",
    "ban_provider",
    "unban_provider",
];

pub async fn standing(
    State(app): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<StandingForm>,
) -> ConsoleResult<Response> {
    standing::change(&app, &session, form, STANDING_ACTIONS, Target::Actor(id)).await?;
    Ok(Redirect::to("/console/admin").into_response())
}
