//! The work board, for people: open tasks with filters, a task's detail, and
//! taking a slot (first-accept) or applying (apply-select). The board is
//! `queries::board` (the `tasks_view` read model, filtered and paged in SQL),
//! the caller's work the native `tasks::list`; a task from
//! `tasks::get`, folded from its stream; commands from `tasks::accept` and
//! `tasks::apply`, as `POST /v1/tasks/{id}/accept|apply` send them.

use super::layout::{csrf_field, dollars, page, when, Section};
use super::session::Session;
use super::{command_meta, ConsoleResult};
use crate::http::native::funds::{self, AccountQuery};
use crate::http::native::profiles;
use crate::http::native::tasks::{self, ApplyRequest, ListTasksQuery};
use crate::http::native::views::TaskView;
use crate::http::state::AppState;
use crate::queries::board::{self as board_queries, BoardFilter, BoardRequest, LOCATION_CHARS_MAX};
use crate::queries::tasks::TaskSummary;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use maud::{html, Markup};
use serde::Deserialize;

/// The board's form as sent: the filters as text, which `queries::board`
/// parses (refusing what it cannot run with the API's words), and whether to
/// fill empty skills and location from the signed-in actor's profile ("Match
/// my profile").
#[derive(Debug, Default, Deserialize)]
pub struct BoardForm {
    #[serde(flatten)]
    filters: BoardRequest,
    #[serde(default)]
    profile: String,
}

impl BoardForm {
    /// The link to the page after this one: the same filters, written out.
    fn next_page(&self, cursor: &str) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("kind", self.filters.kind.as_str()),
                ("min_reward", self.filters.min_reward.as_str()),
                ("assignment", self.filters.assignment.as_str()),
                ("location", self.filters.location.as_str()),
                ("skills", self.filters.skills.as_str()),
                ("cursor", cursor),
            ])
            .finish();
        format!("/console/board?{query}")
    }
}

/// Open tasks of the caller's mode that someone could take now, filtered and
/// paged in SQL by `queries::board`, with the caller's balance and their work.
pub async fn board(
    State(app): State<AppState>,
    session: Session,
    Query(mut form): Query<BoardForm>,
) -> ConsoleResult<Response> {
    let principal = &session.principal;
    principal.require_scope("tasks:read")?;
    // What the profile gave, to say so; `None` when not asked.
    let mut from_profile = None;
    if form.profile == "1" {
        let me = profiles::me(&app, principal).await?;
        if form.filters.skills.trim().is_empty() {
            form.filters.skills = me.profile.skills.join(", ");
        }
        if form.filters.location.trim().is_empty() {
            if let Some(location) = &me.profile.location {
                form.filters.location = location.text.clone();
            }
        }
        from_profile = Some(!me.profile.skills.is_empty() || me.profile.location.is_some());
    }
    let filter = BoardFilter::parse(principal.mode, &form.filters, Utc::now().timestamp_micros())?;
    let pool = app.read_models().await?;
    let open = board_queries::open_tasks(pool, &filter).await?;
    let kinds = board_queries::open_kinds(pool, principal.mode).await?;
    let shown: Vec<&TaskSummary> = open.data.iter().collect();
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
                " · paid out " (dollars(balance.paid_out_cents))
                " · " a href="/console/earnings" { "My work and earnings" } }
        }
        form.filters method="get" action="/console/board" role="search" {
            div.field {
                label for="kind" { "Kind" }
                select #kind name="kind" {
                    option value="" { "Any" }
                    @for kind in &kinds {
                        option value=(kind) selected[*kind == form.filters.kind] { (kind) }
                    }
                }
            }
            div.field {
                label for="min_reward" { "Reward at least ($)" }
                input #min_reward type="text" inputmode="decimal" name="min_reward"
                    value=(form.filters.min_reward) placeholder="0.00";
            }
            div.field {
                label for="assignment" { "How to take it" }
                select #assignment name="assignment" {
                    option value="" { "Any" }
                    option value="first_accept" selected[form.filters.assignment == "first_accept"] { "First to accept" }
                    option value="apply_select" selected[form.filters.assignment == "apply_select"] { "Apply, poster selects" }
                }
            }
            div.field {
                label for="location" { "Location" }
                input #location type="text" name="location" maxlength=(LOCATION_CHARS_MAX)
                    value=(form.filters.location) placeholder="Montreal, QC" aria-describedby="location-hint";
            }
            div.field {
                label for="skills" { "Skills" }
                input #skills type="text" name="skills" value=(form.filters.skills)
                    placeholder="photography, French" aria-describedby="skills-hint";
            }
            label.check for="profile" {
                input #profile type="checkbox" name="profile" value="1";
                " Match my profile"
            }
            button type="submit" { "Filter" }
            p.hint #location-hint { "A location matches tasks whose details name any of its parts (of 3 letters or more)." }
            p.hint #skills-hint { "Skills, separated by commas, match a task's kind or its details. \"Match my profile\" fills empty skills and location from your profile." }
        }
        @if from_profile == Some(false) {
            p.hint #profile-empty role="status" { "Your profile has no skills or location yet; the board is not narrowed by it." }
        }
        h2 { "Open tasks" }
        (task_table(&shown, "No open task matches."))
        @if let Some(next) = &open.next {
            nav.pager aria-label="Open tasks pages" {
                a #next-page rel="next" href=(form.next_page(next)) { "Next page" }
            }
        }
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
