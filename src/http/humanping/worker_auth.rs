//! A worker's account: `POST /worker/register` (a person with a password,
//! their email claimed once across every API), verifying the email
//! (`POST /worker/verify {token}`, or `GET /worker/verify?token=…`, the link
//! in the "email"), `POST /worker/login` and `POST /worker/refresh` for
//! tokens. The same commands and token machinery as `/v1/people`.

use super::errors::{HumanPingError, HumanPingResult};
use super::extract::{Body, HpQuery};
use super::workers::{location_from, profile_json, worker_json, LocationInput};
use crate::bus::commands;
use crate::bus::{CommandContext, Executed};
use crate::credentials::hash_secret;
use crate::http::errors::{current_request_id, ApiError};
use crate::http::extract::CommandMeta;
use crate::http::native::people::{
    authenticate, issue_tokens, mail_verification, prepare_person, refreshed,
};
use crate::http::respond;
use crate::http::state::AppState;
use crate::identity::password::Password;
use crate::identity::tokens::TokenPair;
use crate::identity::verification::token_actor;
use crate::queries::reputation::reputation_of;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::Utc;
use errand_aggregates::actor::{Actor, Email, Role, VERIFICATION_TOKEN_INVALID};
use errand_aggregates::mode::Mode;
use errand_aggregates::profile::Profile;
use errand_aggregates::DomainError;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Where the verification link points, under the public URL.
const VERIFY_PATH: &str = "/humanping/api/v1/worker/verify";
/// One answer for an unknown email and a wrong password.
const LOGIN_REFUSED: &str = "Invalid email or password.";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub name: String,
    pub email: String,
    /// 8 to 128 characters.
    pub password: String,
    #[serde(default)]
    pub skills: Vec<String>,
    pub location: Option<LocationInput>,
}

pub async fn register(
    State(app): State<AppState>,
    request: Body<RegisterRequest>,
) -> HumanPingResult<Response> {
    let body = request.body;
    let name = body.name.trim().to_owned();
    if name.is_empty() {
        return Err(HumanPingError::BadRequest("name is required.".into()));
    }
    let email = Email::parse(&body.email)?;
    let password = Password::parse(&body.password).map_err(ApiError::from)?;
    let profile = Profile::parse(
        &body.skills,
        body.location.map(location_from),
        &BTreeMap::new(),
    )?;
    let (person, verification) = prepare_person(
        &app,
        Role::Human,
        name,
        email.clone(),
        &password,
        profile,
        None,
    )
    .await?;
    let actor_id = person.actor_id;
    let context =
        request
            .meta
            .public_context(format!("register:{actor_id}"), "RegisterWorker", 201);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let actor = commands::register_person(unit, &person, Utc::now()).await?;
        Ok(json!({
            "worker": worker_json(&actor, None),
            "message": format!(
                "Verification email sent to {}. Open its link, or POST its token to /worker/verify, then log in.",
                email.as_str()
            ),
        }))
    })?;
    if let Executed::Done { .. } = executed {
        mail_verification(&app, actor_id, &email, VERIFY_PATH, verification);
    }
    Ok(respond::executed(executed, StatusCode::CREATED))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    pub token: String,
}

pub async fn verify(
    State(app): State<AppState>,
    request: Body<VerifyRequest>,
) -> HumanPingResult<Response> {
    verify_token(&app, &request.body.token, &request.meta).await
}

/// The link in the verification email.
pub async fn verify_link(
    State(app): State<AppState>,
    HpQuery(query): HpQuery<VerifyRequest>,
) -> HumanPingResult<Response> {
    let meta = CommandMeta {
        idempotency: None,
        dry_run: false,
        request_id: current_request_id(),
    };
    verify_token(&app, &query.token, &meta).await
}

async fn verify_token(
    app: &AppState,
    token: &str,
    meta: &CommandMeta,
) -> HumanPingResult<Response> {
    let token = token.trim();
    let invalid = || HumanPingError::BadRequest(VERIFICATION_TOKEN_INVALID.to_owned());
    let actor_id = token_actor(token).ok_or_else(invalid)?;
    let token_hash = hash_secret(token);
    let context: CommandContext =
        meta.public_context(format!("verify:{actor_id}"), "VerifyEmail", 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let actor = unit
            .load::<Actor>(&commands::actor_stream(actor_id))
            .await?;
        if !actor.exists() {
            // Said as for a wrong token: the actor id in a token proves nothing.
            return Err(DomainError::Invalid(VERIFICATION_TOKEN_INVALID.to_owned()).into());
        }
        let actor = commands::verify_email(unit, actor_id, token_hash.clone(), Utc::now()).await?;
        Ok(json!({ "verified": true, "worker": Value::Object(profile_json(&actor)) }))
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

async fn session(app: &AppState, actor: &Actor, tokens: TokenPair) -> HumanPingResult<Value> {
    let pool = app.read_models().await?;
    let actor_id = actor.id.map(|id| id.to_string()).unwrap_or_default();
    let reputation = reputation_of(pool, &actor_id).await?;
    Ok(json!({
        "token": tokens.access_token,
        "token_type": "Bearer",
        "expires_in": tokens.access_expires_in.as_secs(),
        "refresh_token": tokens.refresh_token,
        "refresh_expires_in": tokens.refresh_expires_in.as_secs(),
        "worker": worker_json(actor, reputation.as_ref()),
    }))
}

/// Only people are workers: an agent's owner who logs in has no worker side.
fn ensure_worker(actor: &Actor) -> HumanPingResult<()> {
    if actor.role == Some(Role::Human) {
        Ok(())
    } else {
        Err(HumanPingError::Forbidden(
            "This account is not a worker's; agents use their API key.".into(),
        ))
    }
}

pub async fn login(
    State(app): State<AppState>,
    request: Body<LoginRequest>,
) -> HumanPingResult<Json<Value>> {
    let body = request.body;
    let email = Email::parse(&body.email)?;
    let (credentials, actor) =
        authenticate(&app, &email, &body.password)
            .await
            .map_err(|error| match error {
                ApiError::Unauthorized(_) | ApiError::Invalid(_) => {
                    HumanPingError::Unauthorized(LOGIN_REFUSED.into())
                }
                other => other.into(),
            })?;
    ensure_worker(&actor)?;
    let actor_id = actor
        .id
        .ok_or_else(|| HumanPingError::Unauthorized(LOGIN_REFUSED.into()))?;
    let tokens = issue_tokens(&app, actor_id, Role::Human, Mode::Live, credentials.version)?;
    Ok(Json(session(&app, &actor, tokens).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

pub async fn refresh(
    State(app): State<AppState>,
    request: Body<RefreshRequest>,
) -> HumanPingResult<Json<Value>> {
    let (actor, tokens) = refreshed(&app, &request.body.refresh_token).await?;
    ensure_worker(&actor)?;
    Ok(Json(session(&app, &actor, tokens).await?))
}
