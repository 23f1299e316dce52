//! `GET /stats`: the agent's tasks per status, spend per type, top workers
//! and partner count, from the read models.

use super::errors::HumanPingResult;
use super::extract::Agent;
use super::ids;
use crate::http::state::AppState;
use crate::queries::humanping::stats;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Map, Value};

pub async fn get_stats(
    State(app): State<AppState>,
    Agent(principal): Agent,
) -> HumanPingResult<Json<Value>> {
    principal.require_scope("tasks:read")?;
    let pool = app.read_models().await?;
    let stats = stats::for_agent(pool, principal.actor_id, principal.mode).await?;
    let mut by_status = Map::new();
    let mut total = 0;
    for (word, count) in &stats.tasks_by_status {
        by_status.insert(word.clone(), json!(count));
        total += count;
    }
    let worker_id = |actor: &str| {
        uuid::Uuid::parse_str(actor)
            .map_or_else(|_| actor.to_owned(), |id| ids::format("worker", id))
    };
    Ok(Json(json!({
        "tasks": { "total": total, "by_status": by_status },
        "spend_by_type": stats.spend_by_type.iter().map(|(kind, cents, count)| json!({
            "type": kind, "total_cents": cents, "tasks": count,
        })).collect::<Vec<_>>(),
        "top_workers": stats.top_workers.iter().map(|(worker, approved, paid)| json!({
            "worker_id": worker_id(worker), "tasks_completed": approved, "paid_cents": paid,
        })).collect::<Vec<_>>(),
        "partner_count": stats.partner_count,
    })))
}
