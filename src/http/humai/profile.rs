//! The caller's own profile: `PUT /profile-update` (display name, bio,
//! specialization), `POST /actors-referral` (a referral code applied once,
//! if the actor was not referred at registration) and
//! `POST /portfolio-manage` (portfolio items added, updated, removed).

use super::errors::{HumaiError, HumaiResult};
use super::extract::{Body, Caller};
use super::registration::referral;
use super::views;
use crate::bus::commands;
use crate::http::respond;
use crate::http::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{post, put};
use axum::Router;
use chrono::Utc;
use errand_aggregates::humai::capabilities::CapabilityTag;
use errand_aggregates::humai::market_profile::PortfolioItemId;
use errand_aggregates::humai::portfolio::PortfolioItem;
use errand_aggregates::humai::MarketProfileCommand;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/profile-update", put(update))
        .route("/actors-referral", post(apply_referral))
        .route("/portfolio-manage", post(manage_portfolio))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    pub display_name: Option<String>,
    pub bio: Option<String>,
    pub specialization: Option<Vec<String>>,
}

async fn update(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<UpdateRequest>,
) -> HumaiResult<Response> {
    let body = &request.body;
    if body.display_name.is_none() && body.bio.is_none() && body.specialization.is_none() {
        return Err(HumaiError::validation(
            "send at least one of display_name, bio, specialization",
        ));
    }
    let specialization = body
        .specialization
        .as_ref()
        .map(|tags| CapabilityTag::parse_list(tags, "specialization"))
        .transpose()?;
    let context = request.meta.context(&principal, "UpdateProfile", 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let at = Utc::now();
        let command = (body.bio.is_some() || specialization.is_some()).then(|| {
            MarketProfileCommand::Update {
                by: by.actor,
                bio: body.bio.clone(),
                specialization: specialization.clone(),
                at,
            }
        });
        let (actor, profile) =
            commands::on_market_profile(unit, by, body.display_name.clone(), command, at).await?;
        Ok(json!({
            "id": actor.id,
            "display_name": actor.name,
            "bio": profile.bio,
            "specialization": views::tags(&profile.specialization),
        }))
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralRequest {
    pub referral_code: String,
}

async fn apply_referral(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<ReferralRequest>,
) -> HumaiResult<Response> {
    let referral = referral(&app, &request.body.referral_code)?;
    let context = request.meta.context(&principal, "ApplyReferral", 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        commands::apply_referral(unit, by, referral, principal.mode, Utc::now()).await?;
        Ok(json!({
            "actor_id": by.actor,
            "referred_by": referral.referrer,
        }))
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioRequest {
    pub action: String,
    /// Names the item to update or remove.
    pub item_id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub listing_type: Option<String>,
    pub sample_output: Option<Value>,
}

async fn manage_portfolio(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<PortfolioRequest>,
) -> HumaiResult<Response> {
    let body = &request.body;
    let item = || -> HumaiResult<PortfolioItem> {
        let title = body.title.as_deref().ok_or_else(|| {
            HumaiError::validation(format!("title is required to {}", body.action))
        })?;
        Ok(PortfolioItem::parse(
            title,
            body.description.as_deref(),
            body.listing_type.as_deref(),
            body.sample_output.clone(),
        )?)
    };
    let item_id = || -> HumaiResult<PortfolioItemId> {
        let id = body.item_id.as_deref().ok_or_else(|| {
            HumaiError::validation(format!("item_id is required to {}", body.action))
        })?;
        Uuid::parse_str(id.trim())
            .map(PortfolioItemId)
            .map_err(|_| HumaiError::not_found("portfolio item"))
    };
    let at = Utc::now();
    let by = principal.actor_id;
    let (command, item_id) = match body.action.as_str() {
        "add" => {
            if body.item_id.is_some() {
                return Err(HumaiError::validation(
                    "item_id is chosen by the server on add",
                ));
            }
            let item_id = PortfolioItemId(Uuid::now_v7());
            let item = item()?;
            (
                MarketProfileCommand::AddPortfolioItem {
                    by,
                    item_id,
                    item,
                    at,
                },
                item_id,
            )
        }
        "update" => {
            let item_id = item_id()?;
            let item = item()?;
            (
                MarketProfileCommand::UpdatePortfolioItem {
                    by,
                    item_id,
                    item,
                    at,
                },
                item_id,
            )
        }
        "remove" => {
            let item_id = item_id()?;
            (
                MarketProfileCommand::RemovePortfolioItem { by, item_id, at },
                item_id,
            )
        }
        other => {
            return Err(HumaiError::validation(format!(
                "action {other:?} is not add, update or remove"
            )))
        }
    };
    // The status stored for an idempotent repeat is the one first answered.
    let status = if body.action == "add" {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let context = request
        .meta
        .context(&principal, "ManagePortfolio", status.as_u16());
    let action = body.action.clone();
    let executed = crate::execute!(app.bus, &context, |unit| {
        let caller = commands::caller(unit, principal.actor_id).await?;
        let (_, profile) =
            commands::on_market_profile(unit, caller, None, Some(command.clone()), at).await?;
        let item = profile
            .portfolio
            .get(&item_id)
            .map(|item| views::portfolio_item_json(item_id, item));
        Ok(json!({
            "action": action,
            "item_id": item_id.0,
            "item": item,
            "portfolio": views::portfolio_json(&profile),
        }))
    })?;
    Ok(respond::executed(executed, status))
}
