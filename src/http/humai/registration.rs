//! Registration (PUBLIC): `POST /agents-quick-start`, the founders' door
//! (an agent, a founding slot and its halvening grant, or 409
//! `founding_slots_full`), and `POST /actors-register`, for humans (with an
//! email, claimed once) and delegated agents (with their wallets), a slot
//! and grant if one is left, and a referral code if given. Each is one
//! append: the actor, its `hm_` key (shown once), its market profile, the
//! slot, the grant and the referral, or nothing.

use super::errors::{HumaiError, HumaiResult};
use super::extract::{Body, KEY_DIALECT};
use super::views;
use crate::bus::commands::{self, FoundingClaim, NewHumaiActor, NewKey, NewReferral};
use crate::credentials::new_secret;
use crate::http::respond;
use crate::http::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use chrono::Utc;
use errand_aggregates::actor::{Email, NAME_MAX_CHARS};
use errand_aggregates::humai::capabilities::{CapabilityTag, Framework};
use errand_aggregates::humai::market_profile::ActorKind;
use errand_aggregates::humai::wallet::WalletAddress;
use errand_aggregates::ids::{ActorId, KeyId};
use errand_aggregates::mode::Mode;
use errand_aggregates::referral::{referrer_of, REFERRAL_CODE_CHARS};
use serde::Deserialize;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agents-quick-start", post(quick_start))
        .route("/actors-register", post(register))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuickStartRequest {
    pub display_name: String,
    #[serde(default)]
    pub capability_tags: Vec<String>,
    pub framework: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[serde(rename = "type")]
    pub kind: String,
    pub display_name: String,
    pub email: Option<String>,
    pub owner_wallet: Option<String>,
    pub agent_address: Option<String>,
    #[serde(default)]
    pub capability_tags: Vec<String>,
    pub framework: Option<String>,
    pub referral_code: Option<String>,
}

async fn quick_start(
    State(app): State<AppState>,
    request: Body<QuickStartRequest>,
) -> HumaiResult<Response> {
    let body = &request.body;
    let identity = Identity::new(&body.display_name)?;
    let new = NewHumaiActor {
        actor_id: identity.actor_id,
        kind: ActorKind::DelegatedAgent,
        name: identity.name.clone(),
        email: None,
        capability_tags: CapabilityTag::parse_list(&body.capability_tags, "capability_tags")?,
        framework: framework(body.framework.as_deref())?,
        owner_wallet: None,
        agent_address: None,
        founding: FoundingClaim::Required {
            slots_open: app.config.humai_founding_slots,
        },
        key: identity.key.clone(),
        referral: None,
    };
    registered(&app, &request, new, &identity.secret, "QuickStartAgent").await
}

async fn register(
    State(app): State<AppState>,
    request: Body<RegisterRequest>,
) -> HumaiResult<Response> {
    let body = &request.body;
    let kind = ActorKind::parse(&body.kind)?;
    let identity = Identity::new(&body.display_name)?;
    let required = |value: &Option<String>, field: &str| {
        value.clone().ok_or_else(|| {
            HumaiError::validation(format!("{field} is required for {}", kind.as_str()))
        })
    };
    let (email, owner_wallet, agent_address) = match kind {
        ActorKind::Human => (
            Some(Email::parse(&required(&body.email, "email")?)?),
            None,
            None,
        ),
        ActorKind::DelegatedAgent => (
            body.email.as_deref().map(Email::parse).transpose()?,
            Some(WalletAddress::parse(
                &required(&body.owner_wallet, "owner_wallet")?,
                "owner_wallet",
            )?),
            Some(WalletAddress::parse(
                &required(&body.agent_address, "agent_address")?,
                "agent_address",
            )?),
        ),
    };
    let new = NewHumaiActor {
        actor_id: identity.actor_id,
        kind,
        name: identity.name.clone(),
        email,
        capability_tags: CapabilityTag::parse_list(&body.capability_tags, "capability_tags")?,
        framework: framework(body.framework.as_deref())?,
        owner_wallet,
        agent_address,
        founding: FoundingClaim::IfAvailable {
            slots_open: app.config.humai_founding_slots,
        },
        referral: body
            .referral_code
            .as_deref()
            .map(|code| referral(&app, code))
            .transpose()?,
        key: identity.key.clone(),
    };
    registered(&app, &request, new, &identity.secret, "RegisterActor").await
}

/// A new actor's id, name and `hm_live_` key (its secret shown once).
struct Identity {
    actor_id: ActorId,
    name: String,
    key: NewKey,
    secret: String,
}

impl Identity {
    fn new(display_name: &str) -> HumaiResult<Identity> {
        let name = display_name.trim();
        if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
            return Err(HumaiError::validation(format!(
                "display_name must be 1 to {NAME_MAX_CHARS} characters"
            )));
        }
        let actor_id = ActorId(Uuid::now_v7());
        let secret = new_secret(KEY_DIALECT, Mode::Live);
        Ok(Identity {
            actor_id,
            name: name.to_owned(),
            key: NewKey {
                key_id: KeyId(Uuid::now_v7()),
                actor_id,
                prefix: secret.prefix,
                secret_hash: secret.hash,
                scopes: Vec::new(),
                mode: Mode::Live,
            },
            secret: secret.secret,
        })
    }
}

fn framework(text: Option<&str>) -> HumaiResult<Option<Framework>> {
    Ok(text.map(Framework::parse).transpose()?)
}

/// The referral a code asks for, crediting the referrer the configured bonus.
pub(crate) fn referral(app: &AppState, code: &str) -> HumaiResult<NewReferral> {
    if code.len() > REFERRAL_CODE_CHARS * 2 {
        return Err(HumaiError::validation(
            "referral_code is not a referral code",
        ));
    }
    Ok(NewReferral {
        referrer: referrer_of(code)?,
        bonus: app.config.referral_bonus,
    })
}

async fn registered<T>(
    app: &AppState,
    request: &Body<T>,
    new: NewHumaiActor,
    secret: &str,
    command: &'static str,
) -> HumaiResult<Response> {
    // Public: no key yet. The secret is in the reply, so the reply is never
    // recorded for idempotent replay (as when the native API issues keys).
    let mut context = request
        .meta
        .public_context(format!("public:humai-{command}"), command, 201);
    context.actor = Some(new.actor_id.to_string());
    let executed = crate::execute!(app.bus, &context, |unit| {
        let made = commands::register_humai_actor(unit, &new, Utc::now()).await?;
        Ok(views::registered_json(&made, secret))
    })?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}
