//! `POST /reputation-import`: a third party's score the caller brings, with
//! its proof URL, recorded on their market profile as an unverified claim
//! (one per source; importing from a source again replaces it) and shown on
//! `/actors-profile` under `external_reputation`.

use super::errors::{HumaiError, HumaiResult};
use super::extract::{Body, Caller};
use super::views;
use crate::bus::commands;
use crate::http::respond;
use crate::http::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use chrono::Utc;
use errand_aggregates::humai::external_reputation::ExternalSignal;
use errand_aggregates::humai::MarketProfileCommand;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Number};

pub fn router() -> Router<AppState> {
    Router::new().route("/reputation-import", post(import))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    pub source: String,
    pub score: Number,
    pub proof_url: String,
}

async fn import(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<ImportRequest>,
) -> HumaiResult<Response> {
    let body = &request.body;
    // Read from the number's decimal text, never through a float.
    let score: Decimal = body.score.to_string().parse().map_err(|_| {
        HumaiError::validation("score is a number from 0 to 1 with at most 4 decimal places")
    })?;
    let signal = ExternalSignal::parse(&body.source, score, &body.proof_url)?;
    let context = request.meta.context(&principal, "ImportReputation", 201);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let at = Utc::now();
        let command = MarketProfileCommand::ImportReputation {
            by: by.actor,
            signal: signal.clone(),
            at,
        };
        let (_, profile) = commands::on_market_profile(unit, by, None, Some(command), at).await?;
        Ok(json!({
            "actor_id": by.actor,
            "imported": views::external_signal_json(&signal, at),
            "external_reputation": views::external_reputation_json(&profile),
        }))
    })?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}
