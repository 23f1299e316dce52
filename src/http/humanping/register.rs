//! `POST /agents/register` (public): an agent, its `hp_live_` key (shown
//! once), its webhook URL recorded on the actor, and its free tasks, in one
//! append. The reply carries the agent's `webhook_secret` too.
//!
//! Duplicate emails are not refused yet: uniqueness belongs to the email
//! claim streams the people work adds (a 409 then follows from it).

use super::draft::parse_destination;
use super::errors::HumanPingResult;
use super::extract::Body;
use super::{ids, views};
use crate::bus::commands::{self, NewKey, NewRegistration};
use crate::bus::CommandContext;
use crate::credentials::new_secret;
use crate::http::errors::current_request_id;
use crate::http::respond;
use crate::http::state::AppState;
use crate::webhooks::signature::humanping_secret;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use errand_aggregates::actor::{Email, Role};
use errand_aggregates::ids::{ActorId, KeyId};
use errand_aggregates::mode::Mode;
use errand_aggregates::money::Money;
use errand_aggregates::promotion::{FREE_TASKS_AT_REGISTRATION, FREE_TASK_CAP_CENTS};
use serde::Deserialize;
use serde_json::{json, Map};
use uuid::Uuid;

/// HumanPing's keys start `hp_live_`.
const KEY_PREFIX: &str = "hp";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub name: String,
    pub email: String,
    pub webhook_url: Option<String>,
}

pub async fn register(
    State(app): State<AppState>,
    request: Body<RegisterRequest>,
) -> HumanPingResult<Response> {
    let body = &request.body;
    let email = Email::parse(&body.email)?;
    let mut details = Map::new();
    if let Some(url) = &body.webhook_url {
        let allow_private = app.config.webhooks.allow_private_destinations;
        details.insert(
            "webhook_url".into(),
            json!(parse_destination(url, allow_private)?),
        );
    }
    let actor_id = ActorId(Uuid::now_v7());
    let secret = new_secret(KEY_PREFIX, Mode::Live);
    let registration = NewRegistration {
        actor_id,
        role: Role::Agent,
        name: body.name.clone(),
        email,
        details,
        key: NewKey {
            key_id: KeyId(Uuid::now_v7()),
            actor_id,
            prefix: secret.prefix.clone(),
            secret_hash: secret.hash.clone(),
            scopes: Vec::new(),
            mode: Mode::Live,
        },
        free_tasks: Some((FREE_TASKS_AT_REGISTRATION, Money::usd(FREE_TASK_CAP_CENTS))),
        // HumanPing's registration takes no referral code.
        referral: None,
    };
    // Public: no key yet. The secret is in the reply, so the reply is never
    // recorded for idempotent replay (as when the native API issues keys).
    let context = CommandContext {
        principal: "public:humanping-register".to_owned(),
        actor: Some(actor_id.to_string()),
        request_id: current_request_id(),
        command: "RegisterAgent",
        command_id: Uuid::now_v7().to_string(),
        idempotency: None,
        dry_run: request.meta.dry_run,
        reply_status: 201,
        guards: Vec::new(),
    };
    let executed = crate::execute!(app.bus, &context, |unit| {
        let (actor, account) = commands::register_with_key(unit, &registration, Utc::now()).await?;
        Ok(json!({
            "agent": {
                "id": ids::format("agent", actor_id.0),
                "name": actor.name,
                "email": actor.email.as_ref().map(Email::as_str),
                "webhook_url": actor.details.get("webhook_url"),
                "created_at": actor.registered_at.map(views::time),
            },
            "api_key": secret.secret.clone(),
            // Signs this agent's webhooks; also at GET /agents/me/webhook.
            "webhook_secret": humanping_secret(&app.secret, actor_id),
            "free_tasks": {
                "remaining": account.free_tasks_remaining,
                "cap_cents": account.free_task_cap_cents,
            },
        }))
    })?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}
