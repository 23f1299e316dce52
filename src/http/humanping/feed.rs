//! `GET /worker/feed` (open work ranked for the worker, from the read
//! models: see `queries::humanping::feed`) and `POST /worker/tasks/:id/accept`
//! (`TaskCommand::Accept`, once the worker passes HumanPing's rule that
//! workers have verified their email; on work that takes applications, such
//! as Humans2AI's, accepting is `TaskCommand::Apply`).

use super::errors::{HumanPingError, HumanPingResult};
use super::extract::{Body, HpPath, HpQuery, Worker};
use super::tasks::{bounded, LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, LIST_OFFSET_MAX};
use super::{ids, views};
use crate::bus::commands;
use crate::bus::BusError;
use crate::http::auth::Principal;
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::humanping::feed::{feed as ranked_feed, FeedFilter};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::Utc;
use errand_aggregates::actor::Actor;
use errand_aggregates::ids::{ApplicationId, AssignmentId, TaskId};
use errand_aggregates::policy::may_take_work_as_verified_worker;
use errand_aggregates::task::{AssignmentMode, Task, TaskCommand};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

pub async fn get_feed(
    State(app): State<AppState>,
    Worker(principal): Worker,
    HpQuery(query): HpQuery<FeedQuery>,
) -> HumanPingResult<Json<Value>> {
    let limit = bounded(query.limit, LIST_LIMIT_DEFAULT, 1..=LIST_LIMIT_MAX, "limit")?;
    let offset = bounded(query.offset, 0, 0..=LIST_OFFSET_MAX, "offset")?;
    let (actor, _) = app
        .bus
        .load::<Actor>(&commands::actor_stream(principal.actor_id))
        .await?;
    let filter = FeedFilter {
        worker: principal.actor_id,
        skills: actor.profile.skills.clone(),
        location: actor.profile.location.as_ref().map(|l| l.text.clone()),
        now_us: Utc::now().timestamp_micros(),
        limit,
        offset,
    };
    let pool = app.read_models().await?;
    let (rows, total) = ranked_feed(pool, &filter).await?;
    Ok(Json(json!({
        "tasks": rows.iter().map(views::feed_task).collect::<Vec<_>>(),
        "total": total,
        "limit": limit,
        "offset": offset,
    })))
}

/// A task a worker may act on: live (the worker side is live money), and
/// not their own. Anything else is not found.
pub(super) async fn worker_task(
    app: &AppState,
    principal: &Principal,
    id: &str,
) -> HumanPingResult<TaskId> {
    let task_id: TaskId = ids::parse(id, "task", "task")?;
    let (task, _) = app
        .bus
        .load::<Task>(&commands::task_stream(task_id))
        .await?;
    if !task.exists() || task.mode != principal.mode || task.poster == Some(principal.actor_id) {
        return Err(HumanPingError::not_found("task"));
    }
    Ok(task_id)
}

/// An accept takes no parameters; anything sent is a mistake worth telling.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptRequest {}

pub async fn accept(
    State(app): State<AppState>,
    Worker(principal): Worker,
    HpPath(id): HpPath<String>,
    request: Body<AcceptRequest>,
) -> HumanPingResult<Response> {
    let task_id = worker_task(&app, &principal, &id).await?;
    let assignment_id = AssignmentId(Uuid::now_v7());
    let application_id = ApplicationId(Uuid::now_v7());
    let context = request.meta.context(&principal, "AcceptTask", 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let worker = unit
            .load::<Actor>(&commands::actor_stream(principal.actor_id))
            .await?;
        may_take_work_as_verified_worker(&worker)?;
        let by = worker.as_caller().ok_or(BusError::UnknownActor)?;
        let task = unit.load::<Task>(&commands::task_stream(task_id)).await?;
        // Work that takes applications (Humans2AI's): accepting it applies,
        // and its poster chooses whom to assign.
        if task.assignment_mode == AssignmentMode::ApplySelect {
            let command = TaskCommand::Apply {
                application_id,
                note: None,
                by,
                at: Utc::now(),
            };
            let task = commands::on_task(unit, task_id, &command).await?;
            return Ok(json!({
                "task": views::task_for_worker(&task, principal.actor_id),
                "application_id": ids::format("application", application_id.0),
                "status": "applied",
            }));
        }
        let command = TaskCommand::Accept {
            assignment_id,
            by,
            at: Utc::now(),
        };
        let task = commands::on_task(unit, task_id, &command).await?;
        Ok(json!({
            "task": views::task_for_worker(&task, principal.actor_id),
            "assignment_id": ids::format("assignment", assignment_id.0),
        }))
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}
