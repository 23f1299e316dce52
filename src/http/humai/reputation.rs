//! Humai's reputation: `POST /reviews-create` and `/endorsements-create`
//! (one each per side of a completed transaction, decided by the `Review`
//! aggregate), `GET /reviews-list` (by reviewed actor or listing) and
//! `GET /leaderboard` (PUBLIC: agents by their reviews and completed sales).

use super::amounts::decimal;
use super::errors::{HumaiError, HumaiResult};
use super::extract::{Body, Caller, HumaiQuery};
use super::transaction_views::{contract_id, listing_id};
use super::views::time;
use crate::bus::commands::{self, NewReview};
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::humai::reviews;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use errand_aggregates::review::{Rating, ReviewEvent, ReviewKind};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reviews-create", post(create_review))
        .route("/endorsements-create", post(create_endorsement))
        .route("/reviews-list", get(list))
        .route("/leaderboard", get(leaderboard))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub transaction_id: String,
    pub rating: i64,
    pub content: String,
}

async fn create_review(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<ReviewRequest>,
) -> HumaiResult<Response> {
    let body = &request.body;
    let new = NewReview {
        kind: ReviewKind::Review,
        contract_id: contract_id("transaction_id", &body.transaction_id)?,
        mode: principal.mode,
        subject: None,
        rating: Rating::parse(body.rating)?,
        content: body.content.clone(),
        by: principal.actor_id,
        at: Utc::now(),
    };
    leave(&app, &principal, &request.meta, new).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndorsementRequest {
    pub actor_id: String,
    pub transaction_id: String,
    pub content: String,
    pub rating: i64,
}

async fn create_endorsement(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<EndorsementRequest>,
) -> HumaiResult<Response> {
    let body = &request.body;
    let subject = ActorId::parse(body.actor_id.trim())
        .ok_or_else(|| HumaiError::validation("actor_id must be a UUID"))?;
    let new = NewReview {
        kind: ReviewKind::Endorsement,
        contract_id: contract_id("transaction_id", &body.transaction_id)?,
        mode: principal.mode,
        subject: Some(subject),
        rating: Rating::parse(body.rating)?,
        content: body.content.clone(),
        by: principal.actor_id,
        at: Utc::now(),
    };
    leave(&app, &principal, &request.meta, new).await
}

async fn leave(
    app: &AppState,
    principal: &crate::http::auth::Principal,
    meta: &crate::http::extract::CommandMeta,
    new: NewReview,
) -> HumaiResult<Response> {
    let context = meta.context(principal, "LeaveReview", 201);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let ReviewEvent::ReviewLeft {
            kind,
            contract_id,
            reviewer,
            reviewed,
            rating,
            content,
            at,
            ..
        } = commands::leave_review(unit, &new).await?;
        Ok(json!({
            "id": format!("{contract_id}:{}:{reviewer}", kind.as_str()),
            "kind": kind.as_str(),
            "transaction_id": contract_id,
            "reviewer_id": reviewer,
            "actor_id": reviewed,
            "rating": rating.stars(),
            "content": content,
            "created_at": time(at),
        }))
    })?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub actor_id: Option<String>,
    pub listing_id: Option<String>,
    pub limit: Option<i64>,
}

async fn list(
    State(app): State<AppState>,
    Caller(principal): Caller,
    HumaiQuery(query): HumaiQuery<ListQuery>,
) -> HumaiResult<Json<Value>> {
    let actor = query
        .actor_id
        .as_deref()
        .map(|id| {
            ActorId::parse(id.trim())
                .map(|id| id.to_string())
                .ok_or_else(|| HumaiError::validation("actor_id must be a UUID"))
        })
        .transpose()?;
    let listing = query
        .listing_id
        .as_deref()
        .map(|id| listing_id(id).map(|id| id.to_string()))
        .transpose()?;
    if actor.is_none() && listing.is_none() {
        return Err(HumaiError::validation("name actor_id or listing_id"));
    }
    let limit = query.limit.unwrap_or(20);
    if !(1..=reviews::REVIEWS_PAGE_MAX).contains(&limit) {
        return Err(HumaiError::validation(format!(
            "limit is 1 to {}",
            reviews::REVIEWS_PAGE_MAX
        )));
    }
    let pool = app.read_models().await?;
    let listed = reviews::reviews(pool, principal.mode, actor, listing, limit).await?;
    let rows: Vec<Value> = listed
        .into_iter()
        .map(|review| {
            json!({
                "id": review.review_key,
                "rating": review.rating,
                "content": review.content,
                "reviewer_name": review.reviewer_name,
                "reviewer_id": review.reviewer,
                "actor_id": review.reviewed,
                "transaction_id": review.contract_id,
                "created_at": DateTime::<Utc>::from_timestamp_micros(review.created_at_us).map(time),
            })
        })
        .collect();
    Ok(Json(json!({ "reviews": rows })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaderboardQuery {
    pub category: Option<String>,
    pub period: Option<String>,
    pub limit: Option<i64>,
}

async fn leaderboard(
    State(app): State<AppState>,
    HumaiQuery(query): HumaiQuery<LeaderboardQuery>,
) -> HumaiResult<Json<Value>> {
    let days = match query.period.as_deref().unwrap_or("all_time") {
        "all_time" => None,
        "monthly" => Some(30),
        "weekly" => Some(7),
        other => {
            return Err(HumaiError::validation(format!(
                "period {other:?} is not all_time, monthly or weekly"
            )))
        }
    };
    let since_us = days.map_or(0, |days| {
        (Utc::now() - chrono::Duration::days(days)).timestamp_micros()
    });
    let limit = query.limit.unwrap_or(20);
    if !(1..=reviews::LEADERBOARD_MAX).contains(&limit) {
        return Err(HumaiError::validation(format!(
            "limit is 1 to {}",
            reviews::LEADERBOARD_MAX
        )));
    }
    let category = query
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let pool = app.read_models().await?;
    // Public rankings are of live work: test mode is one's own rehearsal.
    let ranked = reviews::leaderboard(pool, Mode::Live, since_us, category, limit).await?;
    let rankings: Vec<Value> = ranked
        .into_iter()
        .zip(1u32..)
        .map(|(ranked, rank)| {
            json!({
                "rank": rank,
                "actor_id": ranked.actor_id,
                "display_name": ranked.display_name,
                "composite_score": decimal(ranked.composite_score),
                "tasks_completed": ranked.tasks_completed,
            })
        })
        .collect();
    Ok(Json(json!({ "rankings": rankings })))
}
