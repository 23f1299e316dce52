//! `GET /agents/me/webhook`: where the agent's HumanPing webhooks go and the
//! secret that signs them (`X-HumanPing-Signature: sha256=<hex HMAC-SHA256
//! of the raw body>`). The secret is also in the registration's reply; it is
//! derived from the server's secret and the agent's id, never stored.

use super::errors::HumanPingResult;
use super::extract::Agent;
use crate::bus::commands::actor_stream;
use crate::http::state::AppState;
use crate::webhooks::humanping::{COMPLETED, CONSENSUS_PROOF, DISPUTED, PROOF_SUBMITTED};
use crate::webhooks::signature::humanping_secret;
use axum::extract::State;
use axum::Json;
use errand_aggregates::actor::Actor;
use errand_aggregates::webhook::humanping::WEBHOOK_URL_KEY;
use serde_json::{json, Value};

pub async fn get_webhook(
    State(app): State<AppState>,
    Agent(principal): Agent,
) -> HumanPingResult<Json<Value>> {
    principal.require_scope("webhooks:read")?;
    let (actor, _) = app
        .bus
        .load::<Actor>(&actor_stream(principal.actor_id))
        .await?;
    Ok(Json(json!({
        "webhook_url": actor.details.get(WEBHOOK_URL_KEY),
        "webhook_secret": humanping_secret(&app.secret, principal.actor_id),
        "signature_header": "X-HumanPing-Signature",
        "events": [PROOF_SUBMITTED, COMPLETED, DISPUTED, CONSENSUS_PROOF],
    })))
}
