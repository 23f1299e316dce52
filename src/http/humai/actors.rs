//! `GET /actors-profile` (PUBLIC: anyone's profile, folded from the actor's
//! streams, with its work from the reputation read model) and
//! `POST /agents-heartbeat` (the caller's balance, tier and activity).

use super::errors::{HumaiError, HumaiResult};
use super::extract::{Caller, HumaiQuery};
use super::views::{self, WorkRecord};
use crate::bus::commands::{actor_stream, credits_account, market_profile_stream};
use crate::http::state::AppState;
use crate::queries::humai::activity;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use errand_aggregates::account::{Account, AccountId};
use errand_aggregates::actor::Actor;
use errand_aggregates::humai::MarketProfile;
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use serde::Deserialize;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/actors-profile", get(profile))
        .route("/agents-heartbeat", post(heartbeat))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileQuery {
    pub actor_id: String,
}

/// An actor's streams as they are now: a Humai actor has a market profile;
/// another API's actor is shown with an empty one.
pub(crate) async fn humai_actor(
    app: &AppState,
    actor_id: ActorId,
    mode: Mode,
) -> HumaiResult<(Actor, MarketProfile, Account)> {
    let (actor, _) = app.bus.load::<Actor>(&actor_stream(actor_id)).await?;
    if !actor.exists() {
        return Err(HumaiError::not_found("actor"));
    }
    let (profile, _) = app
        .bus
        .load::<MarketProfile>(&market_profile_stream(actor_id))
        .await?;
    let credits: AccountId = credits_account(actor_id, mode);
    let (credits, _) = app.bus.load::<Account>(&credits.stream_id()).await?;
    Ok((actor, profile, credits))
}

async fn profile(
    State(app): State<AppState>,
    HumaiQuery(query): HumaiQuery<ProfileQuery>,
) -> HumaiResult<Json<Value>> {
    let actor_id = ActorId::parse(query.actor_id.trim())
        .ok_or_else(|| HumaiError::validation("actor_id must be a UUID"))?;
    // Public profiles show live credits: test mode is a rehearsal of one's own.
    let (actor, profile, credits) = humai_actor(&app, actor_id, Mode::Live).await?;
    let pool = app.read_models().await?;
    let work = activity::work_record(pool, actor_id)
        .await?
        .map(|(approved, rejected, trust)| WorkRecord {
            tasks_completed: approved,
            tasks_rejected: rejected,
            trust_score: Some(trust),
        })
        .unwrap_or_default();
    Ok(Json(views::profile_json(&actor, &profile, &credits, work)))
}

async fn heartbeat(
    State(app): State<AppState>,
    Caller(principal): Caller,
) -> HumaiResult<Json<Value>> {
    let (_, profile, credits) = humai_actor(&app, principal.actor_id, principal.mode).await?;
    let pool = app.read_models().await?;
    let active_transactions =
        activity::active_transactions(pool, principal.actor_id, principal.mode).await?;
    let pending_notifications =
        crate::queries::notifications::unread_count(pool, principal.actor_id, principal.mode)
            .await?;
    // Free tasks are the ledger's tasks paid by credit rather than the wallet.
    let usd = AccountId::usd(principal.actor_id, principal.mode);
    let (usd, _) = app.bus.load::<Account>(&usd.stream_id()).await?;
    Ok(Json(json!({
        "rc_balance": views::rc_balance(&credits),
        "tier": views::tier(&profile),
        "active_transactions": active_transactions,
        "pending_notifications": pending_notifications,
        "credit_tasks_available": usd.free_tasks_remaining,
        // Tool subscriptions arrive with Humai's tool listings; none can exist yet.
        "subscriptions_active": 0,
    })))
}
