//! The poster's desk, for agents and their owners: post work (escrow held in
//! the same append), their tasks and how they stand, submissions awaiting
//! review with approve / reject / dispute, and the balance, which follow the
//! read models live (`live_status`). Commands go
//! through `tasks::post` and `tasks::review`, as `POST /v1/tasks` and
//! `POST /v1/submissions/{id}/approve|reject|dispute` send them.

use super::layout::{csrf_field, dollars, page, when, Section};
use super::session::Session;
use super::work_board::task_table;
use super::{command_meta, ConsoleResult};
use crate::http::errors::ApiError;
use crate::http::native::funds::{self, AccountQuery, DepositRequest};
use crate::http::native::tasks::{self, ListTasksQuery, PostTaskRequest, Review};
use crate::http::native::views::TaskView;
use crate::http::state::AppState;
use crate::queries::tasks::TaskSummary;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use errand_aggregates::money::{Currency, Money};
use maud::{html, Markup};
use serde::Deserialize;
use std::time::Duration;
use uuid::Uuid;

/// Tasks with work to review are each folded to show their submissions; a
/// desk shows at most this many, the most recently posted first.
const REVIEW_TASKS_MAX: usize = 20;

/// How long the desk's live status waits for the read models to move before
/// answering that nothing changed; the page asks again at once.
const LIVE_WAIT: Duration = Duration::from_secs(25);

pub async fn desk(State(app): State<AppState>, session: Session) -> ConsoleResult<Response> {
    let principal = &session.principal;
    let status = desk_status(&app, &session).await?;
    let mut to_review: Vec<TaskView> = Vec::new();
    for summary in status
        .tasks
        .iter()
        .filter(|t| t.awaiting_review > 0)
        .take(REVIEW_TASKS_MAX)
    {
        to_review.push(tasks::get(&app, principal, &summary.id.to_string()).await?);
    }
    let body = html! {
        (status.balance)
        form.filters.add-funds method="post" action="/console/desk/deposits" {
            (csrf_field(&session))
            label for="deposit" { "Add funds ($)" }
            input #deposit name="amount" inputmode="decimal" required placeholder="20.00";
            button type="submit" { "Go to checkout" }
        }
        details.post-task open[status.tasks.is_empty()] {
            summary { "Post a task" }
            form method="post" action="/console/desk/tasks" {
                (csrf_field(&session))
                label for="title" { "Title" }
                input #title name="title" required maxlength="200";
                label for="description" { "Description" }
                textarea #description name="description" rows="3" {}
                div.row {
                    div {
                        label for="reward" { "Reward per slot ($)" }
                        input #reward name="reward" inputmode="decimal" required placeholder="5.00";
                    }
                    div {
                        label for="slots" { "Slots" }
                        input #slots name="slots" type="number" min="1" max="500" value="1";
                    }
                    div {
                        label for="kind" { "Kind" }
                        input #kind name="kind" placeholder="general";
                    }
                    div {
                        label for="assignment" { "How people take it" }
                        select #assignment name="assignment" {
                            option value="first_accept" { "First to accept" }
                            option value="apply_select" { "They apply, I select" }
                        }
                    }
                }
                button type="submit" { "Post and hold escrow" }
            }
        }
        h2 { "Awaiting my review" }
        @if to_review.is_empty() {
            p.empty { "Nothing awaits review." }
        }
        @for task in &to_review {
            @for submission in task.submissions.iter().filter(|s| s.status == "pending") {
                article.submission {
                    h3 { a href={ "/console/tasks/" (task.id) } { (task.title) } }
                    p { "By " code { (submission.worker_id) } " · " (when(Some(submission.submitted_at))) }
                    @if let Some(text) = &submission.proof.text { blockquote { (text) } }
                    @for attachment in &submission.proof.attachments {
                        (super::proof::attachment_preview(task.id, &attachment.url, &attachment.media_type))
                    }
                    (review_forms(&session, submission.id, task.id))
                }
            }
        }
        (status.tasks_table)
    };
    Ok(page(Some(&session), Section::Desk, "Poster's desk", body).into_response())
}

#[derive(Debug, Deserialize)]
pub struct LiveQuery {
    /// The read models' position the page's status was drawn at.
    after: i64,
}

/// The desk's status, live: answered once the read models have moved past
/// `after` (then the page swaps it in), or with 204 after `LIVE_WAIT` if they
/// have not. A long poll rather than the journal's SSE, which only auditors
/// may follow: this shows a poster their own tasks and money, nothing else.
pub async fn live_status(
    State(app): State<AppState>,
    session: Session,
    Query(query): Query<LiveQuery>,
) -> ConsoleResult<Response> {
    match app
        .projections
        .wait_for(query.after.saturating_add(1), LIVE_WAIT)
        .await
    {
        Ok(()) => {
            let status = desk_status(&app, &session).await?;
            Ok(html! { (status.balance) (status.tasks_table) }.into_response())
        }
        Err(lagging) if !lagging.stopped => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(_) => Err(ApiError::Lagging.into()),
    }
}

/// What changes on a desk as work moves: the balance and how much awaits
/// review (`#desk-status`, which also says where the page is), and the tasks
/// and how they stand (`#desk-tasks`). The live answer is both, and the page
/// swaps each for its namesake.
struct DeskStatus {
    tasks: Vec<TaskSummary>,
    balance: Markup,
    tasks_table: Markup,
}

async fn desk_status(app: &AppState, session: &Session) -> ConsoleResult<DeskStatus> {
    let principal = &session.principal;
    // Taken before the reads, so the status shows at least this position and
    // a change after it wakes the next poll.
    let position = app.projections.projected_position();
    let mine = tasks::list(
        app,
        principal,
        ListTasksQuery {
            status: None,
            poster: Some(principal.actor_id.0),
            worker: None,
            cursor: None,
            limit: Some(100),
        },
    )
    .await?;
    let balance = funds::balance(app, principal, AccountQuery { actor_id: None }).await?;
    let awaiting: i64 = mine.data.iter().map(|t| t.awaiting_review).sum();
    let balance = html! {
        section.balance #desk-status aria-label="Balance" aria-live="polite"
            data-live="/console/desk/status" data-after=(position) {
            p { "Available " strong #available { (dollars(balance.available_cents)) }
                " · in escrow " strong #held { (dollars(balance.held_cents)) }
                " · spent " (dollars(balance.spent_cents))
                " · fees " (dollars(balance.fees_paid_cents)) }
            p #awaiting {
                @match awaiting {
                    0 => "No submission awaits your review.",
                    1 => { strong { "1" } " submission awaits your review." }
                    n => { strong { (n) } " submissions await your review." }
                }
            }
        }
    };
    let tasks_table = html! {
        section #desk-tasks aria-labelledby="desk-tasks-heading" {
            h2 #desk-tasks-heading { "My tasks" }
            (task_table(&mine.data.iter().collect::<Vec<_>>(), "You have posted no task yet."))
        }
    };
    Ok(DeskStatus {
        tasks: mine.data,
        balance,
        tasks_table,
    })
}

/// Approve, reject with a reason, or dispute with a reason.
pub fn review_forms(session: &Session, submission_id: Uuid, task_id: Uuid) -> Markup {
    let action = |decision: &str| format!("/console/submissions/{submission_id}/{decision}");
    html! {
        div.review {
            form method="post" action=(action("approve")) {
                (csrf_field(session))
                input type="hidden" name="task" value=(task_id);
                button type="submit" { "Approve and pay" }
            }
            form method="post" action=(action("reject")) {
                (csrf_field(session))
                input type="hidden" name="task" value=(task_id);
                label for={ "reject-" (submission_id) } { "Reason to reject" }
                input id={ "reject-" (submission_id) } name="reason" required maxlength="2000";
                button type="submit" { "Reject" }
            }
            form method="post" action=(action("dispute")) {
                (csrf_field(session))
                input type="hidden" name="task" value=(task_id);
                label for={ "dispute-" (submission_id) } { "Reason to dispute" }
                input id={ "dispute-" (submission_id) } name="reason" required maxlength="2000";
                button.danger type="submit" { "Dispute (refund)" }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct PostTaskForm {
    csrf: String,
    title: String,
    #[serde(default)]
    description: String,
    reward: String,
    #[serde(default)]
    slots: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    assignment: String,
}

pub async fn post_task(
    State(app): State<AppState>,
    session: Session,
    Form(form): Form<PostTaskForm>,
) -> ConsoleResult<Response> {
    session.check_csrf(&form.csrf)?;
    let reward = Money::parse_major(form.reward.trim(), Currency::USD).map_err(ApiError::from)?;
    let slots = match form.slots.trim() {
        "" => None,
        text => Some(
            text.parse::<u32>()
                .map_err(|_| ApiError::Invalid("slots must be a whole number, 1 to 500".into()))?,
        ),
    };
    let assignment = match form.assignment.as_str() {
        "" => None,
        text => Some(
            serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|_| {
                ApiError::Invalid("assignment must be first_accept or apply_select".into())
            })?,
        ),
    };
    let kind = Some(form.kind.trim().to_owned()).filter(|kind| !kind.is_empty());
    let request = PostTaskRequest {
        title: form.title,
        description: form.description,
        reward_cents: reward.cents,
        slots,
        assignment,
        kind,
        details: None,
        deadline: None,
        assignment_time_limit_s: None,
        review_window_s: None,
    };
    let executed = tasks::post(&app, &session.principal, &command_meta(), request).await?;
    let reply = crate::http::respond::executed_body(executed);
    let target = match reply["id"].as_str() {
        Some(id) => format!("/console/tasks/{id}"),
        None => "/console/desk".to_owned(),
    };
    Ok(Redirect::to(&target).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    csrf: String,
    task: Uuid,
    #[serde(default)]
    reason: String,
}

pub async fn review(
    State(app): State<AppState>,
    session: Session,
    Path((id, decision)): Path<(String, String)>,
    Form(form): Form<ReviewForm>,
) -> ConsoleResult<Response> {
    session.check_csrf(&form.csrf)?;
    let decision = match decision.as_str() {
        "approve" => Review::Approve,
        "reject" => Review::Reject {
            reason: form.reason,
        },
        "dispute" => Review::Dispute {
            reason: form.reason,
        },
        _ => return Err(ApiError::NotFound("decision".into()).into()),
    };
    tasks::review(&app, &session.principal, &command_meta(), &id, decision).await?;
    Ok(Redirect::to(&format!("/console/tasks/{}", form.task)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct DepositForm {
    csrf: String,
    amount: String,
}

/// Money in: a deposit through the payment provider (`POST /v1/deposits`'s
/// function), then on to its checkout page, which completes it.
pub async fn deposit(
    State(app): State<AppState>,
    session: Session,
    Form(form): Form<DepositForm>,
) -> ConsoleResult<Response> {
    session.check_csrf(&form.csrf)?;
    let amount = Money::parse_major(form.amount.trim(), Currency::USD).map_err(ApiError::from)?;
    let executed = funds::deposit(
        &app,
        &session.principal,
        &command_meta(),
        &DepositRequest {
            amount_cents: amount.cents,
        },
    )
    .await?;
    let reply = crate::http::respond::executed_body(executed);
    let checkout = reply["checkout_url"]
        .as_str()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a deposit without a checkout_url")))?;
    Ok(Redirect::to(checkout).into_response())
}
