//! Humai's milestones: `POST /milestones-deliver` (strictly in order),
//! `/milestones-accept` (the milestone's share of the price paid, less the
//! fee) and `/milestones-dispute`. Each is a `Contract` command; the
//! contract decides order and amounts.

use super::errors::HumaiResult;
use super::extract::{Body, Caller};
use super::transaction_views::{contract_id, sequence};
use super::transactions::{open_dispute, step};
use crate::http::state::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use chrono::Utc;
use errand_aggregates::contract::{ContractCommand, Deliverable};
use serde::Deserialize;
use serde_json::Value;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/milestones-deliver", post(deliver))
        .route("/milestones-accept", post(accept))
        .route("/milestones-dispute", post(dispute))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverRequest {
    pub transaction_id: String,
    pub sequence: i64,
    pub output_data: Value,
    pub output_storage_path: Option<String>,
}

async fn deliver(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<DeliverRequest>,
) -> HumaiResult<Response> {
    let body = &request.body;
    let id = contract_id("transaction_id", &body.transaction_id)?;
    let sequence = sequence(body.sequence)?;
    let deliverable = Deliverable::parse(
        body.output_data.clone(),
        body.output_storage_path.as_deref(),
    )?;
    let review_window = app.config.humai_review_window;
    let at = Utc::now();
    step(
        &app,
        &principal,
        &request.meta,
        id,
        "DeliverMilestone",
        |by| ContractCommand::DeliverMilestone {
            by,
            sequence,
            deliverable: deliverable.clone(),
            review_window,
            at,
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptRequest {
    pub transaction_id: String,
    pub sequence: i64,
}

async fn accept(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<AcceptRequest>,
) -> HumaiResult<Response> {
    let body = &request.body;
    let id = contract_id("transaction_id", &body.transaction_id)?;
    let sequence = sequence(body.sequence)?;
    let at = Utc::now();
    step(
        &app,
        &principal,
        &request.meta,
        id,
        "AcceptMilestone",
        |by| ContractCommand::AcceptMilestone { by, sequence, at },
    )
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisputeRequest {
    pub transaction_id: String,
    pub sequence: i64,
    pub dispute_reason: String,
}

async fn dispute(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<DisputeRequest>,
) -> HumaiResult<Response> {
    let body = &request.body;
    let id = contract_id("transaction_id", &body.transaction_id)?;
    let sequence = sequence(body.sequence)?;
    open_dispute(
        &app,
        &principal,
        &request.meta,
        id,
        Some(sequence),
        &body.dispute_reason,
    )
    .await
}
