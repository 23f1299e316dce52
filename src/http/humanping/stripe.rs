//! HumanPing's "Stripe Connect" for workers: `POST /worker/stripe/connect`
//! (a connected payout account and its onboarding link), `POST
//! /worker/stripe/dashboard` (the account's dashboard link) and `GET
//! /worker/stripe/status`. Thin translations of the native payout-account
//! functions (`http::native::payouts`), answered in HumanPing's envelope; the
//! provider behind them is the configured `PayoutProvider` (the sandbox's
//! onboarding page stands in for Stripe's).

use super::errors::HumanPingResult;
use super::extract::{Body, Worker};
use super::payouts::{connect, dashboard_link, status};
use crate::http::respond;
use crate::http::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

/// The connect and dashboard requests carry nothing (an empty object at most).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoFields {}

pub async fn connect_account(
    State(app): State<AppState>,
    Worker(principal): Worker,
    request: Body<NoFields>,
) -> HumanPingResult<Response> {
    let executed = connect(&app, &principal, &request.meta).await?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

pub async fn get_status(
    State(app): State<AppState>,
    Worker(principal): Worker,
) -> HumanPingResult<Json<Value>> {
    let account = status(&app, &principal).await?;
    Ok(Json(json!({ "stripe": account })))
}

pub async fn dashboard(
    State(app): State<AppState>,
    Worker(principal): Worker,
    _request: Body<NoFields>,
) -> HumanPingResult<Json<Value>> {
    let link = dashboard_link(&app, &principal).await?;
    Ok(Json(json!({ "url": link.url })))
}
