//! `POST /stripe-connect-onboard` (the caller's payout account at the payout
//! provider, connected once, and where to complete its onboarding) and
//! `POST /payouts-request` (earned dollars out of the caller's USD account).
//! Both are the native payouts' functions (`http::native::payouts`).

use super::amounts::{shown, usd};
use super::credits::{payout_status, shaped};
use super::errors::{HumaiError, HumaiResult};
use super::extract::{Body, Caller};
use crate::bus::{commands, Executed};
use crate::http::native::payouts::{self as native, pay_out};
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::payouts::PayoutView;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use errand_aggregates::account::AccountId;
use errand_aggregates::ids::PayoutId;
use errand_aggregates::money::Money;
use errand_aggregates::payout::PayoutPurpose;
use serde::Deserialize;
use serde_json::{json, Number, Value};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stripe-connect-onboard", post(onboard))
        .route("/payouts-request", post(request_payout))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// Connects the caller's payout account the first time (201); while its
/// onboarding is not completed, a fresh link to it (200). Once payouts are
/// enabled there is nothing to onboard: 409.
async fn onboard(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<Empty>,
) -> HumaiResult<Response> {
    let account = native::status(&app, &principal).await?;
    if account.status == "not_connected" {
        let executed = native::connect(&app, &principal, &request.meta).await?;
        let executed = match executed {
            Executed::Done {
                reply,
                last_position,
            } => Executed::Done {
                reply: json!({ "onboarding_url": reply.onboarding_url }),
                last_position,
            },
            Executed::DryRun { reply, events } => Executed::DryRun {
                reply: json!({ "onboarding_url": reply.onboarding_url }),
                events,
            },
            Executed::Replayed(stored) => Executed::Replayed(stored),
        };
        return Ok(respond::executed(executed, StatusCode::CREATED));
    }
    match account.onboarding_url {
        Some(url) => Ok(Json(json!({ "onboarding_url": url })).into_response()),
        None => Err(HumaiError::Conflict(format!(
            "the payout account is {}: there is no onboarding to complete",
            account.status
        ))),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayoutRequest {
    /// Dollars, exact to the cent.
    pub amount_usd: Number,
}

async fn request_payout(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<PayoutRequest>,
) -> HumaiResult<Response> {
    let amount = usd("amount_usd", &request.body.amount_usd)?;
    let amount = Money::positive_cents(amount.cents, amount.currency)?;
    let payout = commands::NewPayout {
        payout_id: PayoutId(Uuid::now_v7()),
        account: AccountId::usd(principal.actor_id, principal.mode),
        amount,
        purpose: PayoutPurpose::Withdrawal,
    };
    let executed = pay_out(&app, &principal, &request.meta, payout).await?;
    Ok(respond::executed(
        shaped(executed, payout_json),
        StatusCode::CREATED,
    ))
}

fn payout_json(payout: &PayoutView) -> Value {
    json!({
        "payout_id": payout.id,
        "amount_usd": shown(Money::usd(payout.amount_cents)),
        "status": payout_status(payout),
    })
}
