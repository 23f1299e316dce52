//! The work board, for people: open tasks with filters, a task's detail, and
//! taking a slot (first-accept) or applying (apply-select). Lists come from
//! the native `tasks::list` (the `tasks_view` read model); a task from
//! `tasks::get`, folded from its stream; commands from `tasks::accept` and
//! `tasks::apply`, as `POST /v1/tasks/{id}/accept|apply` send them.

use super::layout::{csrf_field, dollars, page, when, Section};
use super::session::Session;
use super::{command_meta, ConsoleResult};
use crate::http::errors::ApiError;
use crate::http::native::funds::{self, AccountQuery};
use crate::http::native::tasks::{self, ApplyRequest, ListTasksQuery};
use crate::http::native::views::TaskView;
use crate::http::state::AppState;
use crate::queries::tasks::TaskSummary;
use crate::queries::PAGE_LIMIT_MAX;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use errand_aggregates::money::{Currency, Money};
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct BoardFilter {
    /// The kind of work, exactly (`general`, `verification`, …).
    #[serde(default)]
    kind: String,
    /// The least reward per slot, in dollars.
    #[serde(default)]
    min_reward: String,
    /// `first_accept` or `apply_select`.
    #[serde(default)]
    assignment: String,
}

impl BoardFilter {
    fn min_reward_cents(&self) -> Result<i64, ApiError> {
        let text = self.min_reward.trim();
        if text.is_empty() {
            return Ok(0);
        }
        Ok(Money::parse_major(text, Currency::USD)?.cents)
    }

    fn keeps(&self, task: &TaskSummary, min_reward_cents: i64) -> bool {
        (self.kind.is_empty() || task.kind == self.kind)
            && task.reward_cents >= min_reward_cents
            && (self.assignment.is_empty() || task.assignment_mode == self.assignment)
            && task.open_slots > 0
    }
}

/// The newest open tasks of the caller's mode (one page of the read model,
/// `PAGE_LIMIT_MAX`), filtered here by kind, reward and assignment.
pub async fn board(
    State(app): State<AppState>,
    session: Session,
    Query(filter): Query<BoardFilter>,
) -> ConsoleResult<Response> {
    let principal = &session.principal;
    let min_reward_cents = filter.min_reward_cents()?;
    let open = tasks::list(
        &app,
        principal,
        ListTasksQuery {
            status: Some("open".into()),
            poster: None,
            worker: None,
            cursor: None,
            limit: Some(i64::from(PAGE_LIMIT_MAX)),
        },
    )
    .await?;
    let mut kinds: Vec<&str> = open.data.iter().map(|t| t.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let shown: Vec<&TaskSummary> = open
        .data
        .iter()
        .filter(|task| filter.keeps(task, min_reward_cents))
        .collect();
    let mine = tasks::list(
        &app,
        principal,
        ListTasksQuery {
            status: None,
            poster: None,
            worker: Some(principal.actor_id.0),
            cursor: None,
            limit: Some(20),
        },
    )
    .await?;
    let balance = funds::balance(&app, principal, AccountQuery { actor_id: None }).await?;
    let body = html! {
        section.balance aria-label="Balance" {
            p { "Available " strong #available { (dollars(balance.available_cents)) }
                " · earned " (dollars(balance.earned_cents))
                " · paid out " (dollars(balance.paid_out_cents)) }
        }
        form.filters method="get" action="/console/board" role="search" {
            label for="kind" { "Kind" }
            select #kind name="kind" {
                option value="" { "Any" }
                @for kind in &kinds {
                    option value=(kind) selected[*kind == filter.kind] { (kind) }
                }
            }
            label for="min_reward" { "Reward at least ($)" }
            input #min_reward type="text" inputmode="decimal" name="min_reward"
                value=(filter.min_reward) placeholder="0.00";
            label for="assignment" { "How to take it" }
            select #assignment name="assignment" {
                option value="" { "Any" }
                option value="first_accept" selected[filter.assignment == "first_accept"] { "First to accept" }
                option value="apply_select" selected[filter.assignment == "apply_select"] { "Apply, poster selects" }
            }
            button type="submit" { "Filter" }
        }
        h2 { "Open tasks" }
        (task_table(&shown, "No open task matches."))
        h2 { "My work" }
        (task_table(&mine.data.iter().collect::<Vec<_>>(), "You have taken no task yet."))
    };
    Ok(page(Some(&session), Section::Board, "Work board", body).into_response())
}

pub fn task_table(tasks: &[&TaskSummary], empty: &str) -> Markup {
    html! {
        @if tasks.is_empty() {
            p.empty { (empty) }
        } @else {
            div.table-wrap {
                table {
                    thead { tr {
                        th scope="col" { "Task" } th scope="col" { "Kind" }
                        th scope="col" { "Reward" } th scope="col" { "Status" }
                        th scope="col" { "Open slots" } th scope="col" { "Awaiting review" }
                        th scope="col" { "Posted" }
                    } }
                    tbody {
                        @for task in tasks {
                            tr {
                                td { a href={ "/console/tasks/" (task.id) } { (task.title) } }
                                td { (task.kind) }
                                td.money { (dollars(task.reward_cents)) }
                                td { span.status { (task.status) } }
                                td.num { (task.open_slots) " / " (task.slots) }
                                td.num { (task.awaiting_review) }
                                td { (when(task.posted_at)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One task as the caller may see it, with what the caller may do to it.
pub async fn task(
    State(app): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> ConsoleResult<Response> {
    let task = tasks::get(&app, &session.principal, &id).await?;
    let body = task_detail(&session, &task);
    Ok(page(Some(&session), Section::Board, &task.title, body).into_response())
}

fn task_detail(session: &Session, task: &TaskView) -> Markup {
    let me = session.principal.actor_id.0;
    let is_poster = task.poster_id == me;
    let reviews = is_poster || session.principal.is_admin();
    let working = task
        .assignments
        .iter()
        .any(|a| a.worker_id == me && a.status == "active");
    let can_take = !is_poster && task.status == "open" && task.open_slots > 0;
    html! {
        dl.facts {
            dt { "Status" } dd { span.status #task-status { (task.status) } }
            dt { "Kind" } dd { (task.kind) }
            dt { "Reward per slot" } dd { (dollars(task.reward_cents)) " (fee " (percent(&task.fee_rate)) ")" }
            dt { "Slots" } dd { (task.open_slots) " open of " (task.slots) }
            dt { "In escrow" } dd { (dollars(task.escrow_cents)) }
            dt { "Paid" } dd { (dollars(task.paid_cents)) }
            dt { "Deadline" } dd { (when(task.deadline)) }
            dt { "Posted" } dd { (when(task.posted_at)) }
        }
        @if !task.description.is_empty() {
            p.description { (task.description) }
        }
        @if can_take && task.assignment_mode == "first_accept" {
            form method="post" action={ "/console/tasks/" (task.id) "/accept" } {
                (csrf_field(session))
                button type="submit" { "Accept this task" }
            }
        }
        @if can_take && task.assignment_mode == "apply_select" {
            form method="post" action={ "/console/tasks/" (task.id) "/accept" } {
                (csrf_field(session))
                label for="note" { "A note for the poster (optional)" }
                textarea #note name="note" maxlength="2000" {}
                button type="submit" { "Apply" }
            }
        }
        @if !task.applications.is_empty() {
            h2 { "Applications" }
            ul.applications {
                @for application in &task.applications {
                    li {
                        code { (application.applicant_id) } " · " span.status { (application.status) }
                        " · " (when(Some(application.applied_at)))
                        @if let Some(note) = &application.note { blockquote { (note) } }
                        @if reviews && application.status == "pending" && task.open_slots > 0 {
                            form method="post" action={ "/console/tasks/" (task.id) "/applications/" (application.id) "/select" } {
                                (csrf_field(session))
                                button type="submit" { "Select this applicant" }
                            }
                        }
                    }
                }
            }
        }
        @if working {
            (super::proof::form(session, task))
        }
        @if !task.submissions.is_empty() {
            h2 { "Submissions" }
            @for submission in &task.submissions {
                article.submission {
                    p {
                        "By " code { (submission.worker_id) } " · "
                        span.status { (submission.status) } " · " (when(Some(submission.submitted_at)))
                    }
                    @if let Some(text) = &submission.proof.text { blockquote { (text) } }
                    @for attachment in &submission.proof.attachments {
                        (super::proof::attachment_preview(task.id, &attachment.url, &attachment.media_type))
                    }
                    @if let Some(reason) = &submission.reason { p { "Reason: " (reason) } }
                    @if let Some(payout) = submission.payout_cents {
                        p { "Paid " (dollars(payout)) @if let Some(fee) = submission.fee_cents { " (fee " (dollars(fee)) ")" } }
                    }
                    @if reviews && submission.status == "pending" {
                        (super::posters_desk::review_forms(session, submission.id, task.id))
                    }
                }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct TakeForm {
    csrf: String,
    /// Present on an apply-select task's form.
    note: Option<String>,
}

/// Takes a slot of a first-accept task, or applies to an apply-select one.
pub async fn accept(
    State(app): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<TakeForm>,
) -> ConsoleResult<Response> {
    session.check_csrf(&form.csrf)?;
    let principal = &session.principal;
    let task = tasks::get(&app, principal, &id).await?;
    if task.assignment_mode == "apply_select" {
        let note = form.note.filter(|note| !note.trim().is_empty());
        tasks::apply(&app, principal, &command_meta(), &id, ApplyRequest { note }).await?;
    } else {
        tasks::accept(&app, principal, &command_meta(), &id).await?;
    }
    Ok(Redirect::to(&format!("/console/tasks/{}", task.id)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct SelectForm {
    csrf: String,
}

/// The poster assigns an applicant, as
/// `POST /v1/tasks/{id}/applications/{application_id}/select` does.
pub async fn select(
    State(app): State<AppState>,
    session: Session,
    Path((id, application_id)): Path<(String, String)>,
    Form(form): Form<SelectForm>,
) -> ConsoleResult<Response> {
    session.check_csrf(&form.csrf)?;
    tasks::select(
        &app,
        &session.principal,
        &command_meta(),
        &id,
        &application_id,
    )
    .await?;
    let task = tasks::get(&app, &session.principal, &id).await?;
    Ok(Redirect::to(&format!("/console/tasks/{}", task.id)).into_response())
}

/// A fee rate as people read it: `0.1` → `10%`; anything unparsable as sent.
fn percent(rate: &str) -> String {
    match rate.parse::<rust_decimal::Decimal>() {
        Ok(rate) => format!(
            "{}%",
            (rate * rust_decimal::Decimal::ONE_HUNDRED).normalize()
        ),
        Err(_) => rate.to_owned(),
    }
}
