//! Humai's disputes: `POST /disputes-create` (over a delivery awaiting
//! review: the whole transaction's, or the milestone under review),
//! `/disputes-submit-evidence` (either party, or an admin) and
//! `/disputes-resolve` (an admin: `refund_buyer`, `release_to_seller`, or
//! `split` with the seller's `seller_pct`). The `Dispute` decides, and the
//! contract and the buyer's account move the money in the same append.

use super::errors::{HumaiError, HumaiResult};
use super::extract::{Body, Caller};
use super::transaction_views::{contract_id, dispute_id, dispute_json};
use super::transactions::open_dispute;
use crate::bus::commands;
use crate::bus::Executed;
use crate::http::auth::Principal;
use crate::http::extract::CommandMeta;
use crate::http::respond;
use crate::http::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use chrono::Utc;
use errand_aggregates::actor::Caller as DomainCaller;
use errand_aggregates::dispute::{DisputeCommand, Evidence, Resolution};
use errand_aggregates::ids::DisputeId;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/disputes-create", post(create))
        .route("/disputes-submit-evidence", post(submit_evidence))
        .route("/disputes-resolve", post(resolve))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    pub transaction_id: String,
    pub reason: String,
}

async fn create(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<CreateRequest>,
) -> HumaiResult<Response> {
    let body = &request.body;
    let id = contract_id("transaction_id", &body.transaction_id)?;
    open_dispute(&app, &principal, &request.meta, id, None, &body.reason).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRequest {
    pub dispute_id: String,
    pub evidence_type: String,
    pub content: String,
}

async fn submit_evidence(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<EvidenceRequest>,
) -> HumaiResult<Response> {
    let body = &request.body;
    let id = dispute_id(&body.dispute_id)?;
    let evidence = Evidence::parse(&body.evidence_type, &body.content)?;
    let at = Utc::now();
    act(
        &app,
        &principal,
        &request.meta,
        id,
        "SubmitEvidence",
        201,
        |by| DisputeCommand::SubmitEvidence {
            evidence: evidence.clone(),
            by,
            at,
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    pub dispute_id: String,
    pub resolution: String,
    /// For a `split`: the seller's share in whole percent, 1 to 99.
    pub seller_pct: Option<i64>,
    pub note: Option<String>,
}

async fn resolve(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<ResolveRequest>,
) -> HumaiResult<Response> {
    let body = &request.body;
    let id = dispute_id(&body.dispute_id)?;
    let resolution = resolution(&body.resolution, body.seller_pct)?;
    let executed = resolve_dispute(
        &app,
        &principal,
        &request.meta,
        id,
        resolution,
        body.note.clone(),
    )
    .await?;
    Ok(respond::executed(executed, StatusCode::OK))
}

/// A resolution as `/disputes-resolve` names it: `refund_buyer`,
/// `release_to_seller`, or `split` with the seller's whole percent. The
/// console's dispute form reads its fields with this too.
pub fn resolution(name: &str, seller_pct: Option<i64>) -> HumaiResult<Resolution> {
    match (name, seller_pct) {
        ("refund_buyer", None) => Ok(Resolution::RefundBuyer),
        ("release_to_seller", None) => Ok(Resolution::ReleaseToSeller),
        ("split", Some(pct)) => Ok(Resolution::split(pct)?),
        ("split", None) => Err(HumaiError::validation(
            "a split names the seller's share: seller_pct, 1 to 99",
        )),
        ("refund_buyer" | "release_to_seller", Some(_)) => {
            Err(HumaiError::validation("seller_pct is for a split only"))
        }
        (other, _) => Err(HumaiError::validation(format!(
            "resolution {other:?} is not refund_buyer, release_to_seller or split"
        ))),
    }
}

/// An admin resolves a dispute: the `Dispute` decides, the contract and the
/// buyer's account move the money in the same append. Shared with the
/// console, so a resolution there is this one.
pub async fn resolve_dispute(
    app: &AppState,
    principal: &Principal,
    meta: &CommandMeta,
    dispute_id: DisputeId,
    resolution: Resolution,
    note: Option<String>,
) -> HumaiResult<Executed<serde_json::Value>> {
    let at = Utc::now();
    execute(
        app,
        principal,
        meta,
        dispute_id,
        "ResolveDispute",
        200,
        |by| DisputeCommand::Resolve {
            resolution,
            note: note.clone(),
            by,
            at,
        },
    )
    .await
}

/// One dispute command by the caller, answered with the dispute after it.
async fn act(
    app: &AppState,
    principal: &Principal,
    meta: &CommandMeta,
    dispute_id: DisputeId,
    command_name: &'static str,
    status: u16,
    command: impl Fn(DomainCaller) -> DisputeCommand,
) -> HumaiResult<Response> {
    let executed = execute(
        app,
        principal,
        meta,
        dispute_id,
        command_name,
        status,
        command,
    )
    .await?;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    Ok(respond::executed(executed, status))
}

/// One dispute command by the caller on the bus; the reply is the dispute after it.
async fn execute(
    app: &AppState,
    principal: &Principal,
    meta: &CommandMeta,
    dispute_id: DisputeId,
    command_name: &'static str,
    status: u16,
    command: impl Fn(DomainCaller) -> DisputeCommand,
) -> HumaiResult<Executed<serde_json::Value>> {
    let context = meta.context(principal, command_name, status);
    Ok(crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let (dispute, contract) =
            commands::on_dispute_in(unit, dispute_id, principal.mode, &command(by)).await?;
        Ok(dispute_json(&dispute, &contract))
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_needs_the_sellers_share_and_only_a_split_takes_one() {
        assert_eq!(
            resolution("refund_buyer", None).ok(),
            Some(Resolution::RefundBuyer)
        );
        assert_eq!(
            resolution("release_to_seller", None).ok(),
            Some(Resolution::ReleaseToSeller)
        );
        assert!(resolution("split", Some(33)).is_ok());
        for (name, pct) in [
            ("split", None),
            ("split", Some(0)),
            ("split", Some(100)),
            ("refund_buyer", Some(50)),
            ("halve", None),
        ] {
            let refused = resolution(name, pct).expect_err(name);
            assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{name} {pct:?}");
        }
    }
}
