//! `/public/auth/*` and `/public/check-email`: registering an agent or a
//! human with email and password, logging in for an ID token (a JWT, used as
//! `Authorization: Bearer` like a key) and a refresh token, refreshing, and
//! asking whether an address is taken. One registration path for every API
//! (`native::people::prepare_person`, `commands::register_person`); an agent
//! then creates its `sk_live_…` keys at `POST /api-keys` with its ID token.

use super::errors::{Humans2AiError, Humans2AiResult};
use super::extract::Body;
use super::ids;
use super::views::success;
use crate::bus::commands;
use crate::bus::Executed;
use crate::http::errors::ApiError;
use crate::http::native::people::{
    authenticate, issue_tokens, mail_verification, prepare_person, refreshed,
};
use crate::http::respond;
use crate::http::state::AppState;
use crate::identity::password::Password;
use crate::identity::tokens::TokenPair;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::Utc;
use errand_aggregates::actor::{Actor, Email, Role};
use errand_aggregates::email_claim::EmailClaim;
use errand_aggregates::mode::Mode;
use errand_aggregates::profile::Profile;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Where the verification link points: the native API verifies for all.
const VERIFY_PATH: &str = "/v1/people/verify";
/// One answer for an unknown email and a wrong password.
const LOGIN_REFUSED: &str = "Invalid email or password.";
/// The seed's display names are short labels.
const DISPLAY_NAME_MAX_CHARS: usize = 100;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RegisterRequest {
    pub email: String,
    /// 8 to 128 characters.
    pub password: String,
    /// `agent` (the default: the seed registers AI agents) or `human`.
    pub role: Option<String>,
    #[serde(alias = "name")]
    pub display_name: Option<String>,
    /// Another member's referral code: they are credited the referral bonus.
    pub referral_code: Option<String>,
}

fn role_of(word: Option<&str>) -> Humans2AiResult<Role> {
    match word {
        None | Some("agent") | Some("ai_agent") => Ok(Role::Agent),
        Some("human") => Ok(Role::Human),
        Some(other) => Err(Humans2AiError::validation(format!(
            "role must be agent or human, not {other:?}"
        ))),
    }
}

/// The session answer: Firebase's names, as the seed's clients expect.
fn session(actor: &Actor, tokens: &TokenPair) -> Value {
    json!({
        "userId": actor.id.map(|id| ids::format("user", id.0)),
        "email": actor.email.as_ref().map(Email::as_str),
        "role": actor.role.map(Role::as_str),
        "displayName": actor.name,
        "emailVerified": actor.email_verified,
        "idToken": tokens.access_token,
        "refreshToken": tokens.refresh_token,
        "expiresIn": tokens.access_expires_in.as_secs(),
        "tokenType": "Bearer",
    })
}

pub async fn register(
    State(app): State<AppState>,
    request: Body<RegisterRequest>,
) -> Humans2AiResult<Response> {
    let body = request.body;
    let role = role_of(body.role.as_deref())?;
    let email = Email::parse(&body.email)?;
    let name = body
        .display_name
        .as_deref()
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| email.as_str().split('@').next().unwrap_or("user"))
        .to_owned();
    if name.chars().count() > DISPLAY_NAME_MAX_CHARS {
        return Err(Humans2AiError::validation(format!(
            "displayName must be at most {DISPLAY_NAME_MAX_CHARS} characters"
        )));
    }
    let password = Password::parse(&body.password).map_err(ApiError::from)?;
    let profile = Profile::parse(&[], None, &BTreeMap::new())?;
    let (person, verification) = prepare_person(
        &app,
        role,
        name,
        email.clone(),
        &password,
        profile,
        body.referral_code.as_deref(),
    )
    .await?;
    let actor_id = person.actor_id;
    let context =
        request
            .meta
            .public_context(format!("register:{actor_id}"), "RegisterPerson", 201);
    // A new person's credentials are at version 1 (see `native::people::register`).
    let tokens = issue_tokens(&app, actor_id, role, Mode::Live, 1)?;
    let executed = crate::execute!(app.bus, &context, |unit| {
        let actor = commands::register_person(unit, &person, Utc::now()).await?;
        Ok(success(session(&actor, &tokens)))
    })?;
    if let Executed::Done { .. } = executed {
        mail_verification(&app, actor_id, &email, VERIFY_PATH, verification);
    }
    Ok(respond::executed(executed, StatusCode::CREATED))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

pub async fn login(
    State(app): State<AppState>,
    request: Body<LoginRequest>,
) -> Humans2AiResult<Json<Value>> {
    let body = request.body;
    let refused = || Humans2AiError::Unauthorized(LOGIN_REFUSED.into());
    let email = Email::parse(&body.email)?;
    let (credentials, actor) =
        authenticate(&app, &email, &body.password)
            .await
            .map_err(|error| match error {
                ApiError::Unauthorized(_) | ApiError::Invalid(_) => refused(),
                other => other.into(),
            })?;
    let (Some(actor_id), Some(role)) = (actor.id, actor.role) else {
        return Err(refused());
    };
    let tokens = issue_tokens(&app, actor_id, role, Mode::Live, credentials.version)?;
    Ok(Json(success(session(&actor, &tokens))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RefreshRequest {
    pub refresh_token: String,
}

pub async fn refresh(
    State(app): State<AppState>,
    request: Body<RefreshRequest>,
) -> Humans2AiResult<Json<Value>> {
    let (actor, tokens) = refreshed(&app, &request.body.refresh_token).await?;
    Ok(Json(success(session(&actor, &tokens))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckEmailRequest {
    pub email: String,
}

pub async fn check_email(
    State(app): State<AppState>,
    request: Body<CheckEmailRequest>,
) -> Humans2AiResult<Json<Value>> {
    let email = Email::parse(&request.body.email)?;
    let (claim, _) = app
        .bus
        .load_fresh::<EmailClaim>(&commands::email_claim_stream(&email))
        .await?;
    let registered = claim.actor_id.is_some();
    Ok(Json(success(json!({
        "email": email.as_str(),
        "exists": registered,
        "available": !registered,
    }))))
}
