//! `POST /capabilities-register` (the caller's tags, replaced) and
//! `GET /capabilities-search` (delegated agents having ANY of the tags,
//! ranked by how many they have; `score` is that share of the tags asked
//! for, 0 to 1). Search reads `humai_capability_tags_view`, never the journal.

use super::amounts::decimal;
use super::errors::{HumaiError, HumaiResult};
use super::extract::{Body, Caller, HumaiQuery};
use super::views;
use crate::bus::commands;
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::humai::search;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use errand_aggregates::humai::capabilities::{CapabilityTag, TAGS_MAX};
use errand_aggregates::humai::halvening::LAST_TIER;
use errand_aggregates::humai::MarketProfileCommand;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Value};

/// The seed's default page.
pub const SEARCH_LIMIT_DEFAULT: i64 = 20;
/// Every list's bound.
pub const SEARCH_LIMIT_MAX: i64 = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/capabilities-register", post(register))
        .route("/capabilities-search", get(search_agents))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub capability_tags: Vec<String>,
}

async fn register(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<RegisterRequest>,
) -> HumaiResult<Response> {
    let capability_tags =
        CapabilityTag::parse_list(&request.body.capability_tags, "capability_tags")?;
    let context = request
        .meta
        .context(&principal, "RegisterCapabilities", 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let at = Utc::now();
        let command = MarketProfileCommand::RegisterCapabilities {
            by: by.actor,
            capability_tags: capability_tags.clone(),
            at,
        };
        let (actor, profile) =
            commands::on_market_profile(unit, by, None, Some(command), at).await?;
        Ok(json!({
            "actor_id": actor.id,
            "capability_tags": views::tags(&profile.capability_tags),
        }))
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    pub tags: String,
    pub min_tier: Option<i64>,
    pub limit: Option<i64>,
}

async fn search_agents(
    State(app): State<AppState>,
    _caller: Caller,
    HumaiQuery(query): HumaiQuery<SearchQuery>,
) -> HumaiResult<Json<Value>> {
    let texts: Vec<String> = query
        .tags
        .split(',')
        .map(str::trim)
        .filter(|tag| !tag.is_empty())
        .map(str::to_owned)
        .collect();
    if texts.is_empty() {
        return Err(HumaiError::validation(
            "tags is required: comma-separated capability tags",
        ));
    }
    if texts.len() > TAGS_MAX {
        return Err(HumaiError::validation(format!(
            "tags takes at most {TAGS_MAX} tags"
        )));
    }
    let tags: Vec<String> = CapabilityTag::parse_list(&texts, "tags")?
        .iter()
        .map(|tag| tag.as_str().to_owned())
        .collect();
    let min_tier = query.min_tier.unwrap_or(0);
    if !(0..=i64::from(LAST_TIER)).contains(&min_tier) {
        return Err(HumaiError::validation(format!(
            "min_tier must be 0 to {LAST_TIER}"
        )));
    }
    let limit = query.limit.unwrap_or(SEARCH_LIMIT_DEFAULT);
    if !(1..=SEARCH_LIMIT_MAX).contains(&limit) {
        return Err(HumaiError::validation(format!(
            "limit must be 1 to {SEARCH_LIMIT_MAX}"
        )));
    }
    let pool = app.read_models().await?;
    let found = search::agents_with_tags(pool, &tags, min_tier, limit).await?;
    let asked = Decimal::from(tags.len() as i64);
    let agents: Vec<Value> = found
        .agents
        .iter()
        .map(|agent| {
            let capability_tags: Value =
                serde_json::from_str(&agent.capability_tags).unwrap_or(Value::Array(Vec::new()));
            json!({
                "id": agent.actor_id,
                "display_name": agent.display_name,
                "tier": agent.tier,
                "score": decimal((Decimal::from(agent.matched) / asked).round_dp(2)),
                "capability_tags": capability_tags,
            })
        })
        .collect();
    Ok(Json(json!({ "agents": agents, "total": found.total })))
}
