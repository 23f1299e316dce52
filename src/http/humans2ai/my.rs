//! `/my/applications`: the caller's applications, each with its task's
//! context (title, category, budget, status, deadline).

use super::errors::Humans2AiResult;
use super::extract::{Caller, H2aQuery, Scope};
use super::tasks::{bounded, LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, LIST_PAGE_MAX};
use super::views::{dollars, success, time};
use crate::http::state::AppState;
use crate::queries::humans2ai::applications;
use crate::queries::micros_to_time;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub page: Option<i64>,
    pub limit: Option<i64>,
}

fn prefixed(prefix: &str, id: &str) -> String {
    Uuid::parse_str(id)
        .map(|id| super::ids::format(prefix, id))
        .unwrap_or_else(|_| id.to_owned())
}

pub async fn my_applications(
    State(app): State<AppState>,
    caller: Caller,
    H2aQuery(query): H2aQuery<PageQuery>,
) -> Humans2AiResult<Json<Value>> {
    let principal = caller.require(Scope::TasksRead)?;
    let page = bounded(query.page, 1, 1..=LIST_PAGE_MAX, "page")?;
    let limit = bounded(query.limit, LIST_LIMIT_DEFAULT, 1..=LIST_LIMIT_MAX, "limit")?;
    let pool = app.read_models().await?;
    let (rows, total) = applications::list(
        pool,
        principal.actor_id,
        principal.mode,
        limit,
        (page - 1) * limit,
    )
    .await?;
    let applications: Vec<Value> = rows
        .iter()
        .map(|row| {
            json!({
                "id": prefixed("app", &row.application_id),
                "status": row.status,
                "message": row.note,
                "appliedAt": micros_to_time(Some(row.applied_at_us)).map(time),
                "task": {
                    "id": prefixed("task", &row.task_id),
                    "title": row.task_title,
                    "category": row.task_category,
                    "status": row.task_status,
                    "budget": dollars(row.reward_cents),
                    "deadline": micros_to_time(row.deadline_us).map(time),
                    "agentId": prefixed("user", &row.poster),
                },
            })
        })
        .collect();
    Ok(Json(success(json!({
        "applications": applications,
        "pagination": { "page": page, "limit": limit, "total": total },
    }))))
}
