//! `/v1/people`: people's accounts — registering with an email and password,
//! logging in for tokens, refreshing them, verifying the email, changing the
//! password, signing out everywhere. The dialects translate onto the same
//! commands. Profiles and reputation are in `profiles.rs`.
//!
//! `check-email` and `login` answer anyone, so they let a caller learn whether
//! an address is registered (the first says so outright; the second does
//! not, but a registration attempt would): rate limits per client belong in
//! front of them.

use super::Empty;
use crate::bus::commands::{self, NewPerson, NewReferral};
use crate::bus::Executed;
use crate::credentials::hash_secret;
use crate::http::auth::Principal;
use crate::http::errors::{ApiError, ApiResult};
use crate::http::extract::CommandRequest;
use crate::http::respond;
use crate::http::state::AppState;
use crate::identity::password::{Password, PasswordError, PASSWORD_MAX_CHARS};
use crate::identity::tokens::{TokenError, TokenPair, TokenType};
use crate::identity::verification::{
    new_verification_token, token_actor, SentVerification, VerificationToken,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::Utc;
use errand_aggregates::actor::{Actor, Email, Role, Standing, VERIFICATION_TOKEN_INVALID};
use errand_aggregates::credentials::{Credentials, CredentialsCommand};
use errand_aggregates::email_claim::EmailClaim;
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use errand_aggregates::profile::{Location, Profile};
use errand_aggregates::referral::referrer_of;
use errand_aggregates::DomainError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// One answer for an unknown email and a wrong password, so a login attempt
/// does not tell whether an address is registered.
const LOGIN_REFUSED: &str = "wrong email or password";

impl From<PasswordError> for ApiError {
    fn from(error: PasswordError) -> Self {
        match error {
            PasswordError::OutOfBounds => ApiError::Invalid(error.to_string()),
            PasswordError::Hashing(_) => ApiError::internal(error),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationBody {
    /// 1 to 200 characters.
    pub text: String,
    /// -90 to 90; with lon or not at all.
    pub lat: Option<f64>,
    /// -180 to 180; with lat or not at all.
    pub lon: Option<f64>,
}

impl From<LocationBody> for Location {
    fn from(body: LocationBody) -> Location {
        Location {
            text: body.text,
            lat: body.lat,
            lon: body.lon,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterPersonRequest {
    /// 1 to 100 characters.
    pub name: String,
    #[schema(format = Email)]
    pub email: String,
    /// 8 to 128 characters.
    pub password: String,
    /// human (default) or agent: an agent's owner may log in too.
    pub role: Option<String>,
    /// Up to 30 skills of 1 to 50 characters.
    #[serde(default)]
    pub skills: Vec<String>,
    pub location: Option<LocationBody>,
    /// Another actor's referral code (`GET /v1/people/me/referrals`): they are
    /// credited a bonus. A code that names no one refuses the registration.
    pub referral_code: Option<String>,
}

/// A login: who, and the tokens to act as them.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub actor_id: Uuid,
    /// human | agent
    pub role: String,
    pub email_verified: bool,
    /// Always "Bearer".
    pub token_type: String,
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Seconds the access token works for.
    pub expires_in: u64,
    /// Buys a new pair at `POST /v1/people/refresh`.
    pub refresh_token: String,
    pub refresh_expires_in: u64,
}

impl SessionView {
    fn new(actor: &Actor, tokens: TokenPair) -> SessionView {
        SessionView {
            actor_id: actor.id.map(|id| id.0).unwrap_or_default(),
            role: actor.role.map(Role::as_str).unwrap_or_default().to_owned(),
            email_verified: actor.email_verified,
            token_type: "Bearer".to_owned(),
            access_token: tokens.access_token,
            expires_in: tokens.access_expires_in.as_secs(),
            refresh_token: tokens.refresh_token,
            refresh_expires_in: tokens.refresh_expires_in.as_secs(),
        }
    }
}

pub(crate) fn issue_tokens(
    app: &AppState,
    actor_id: ActorId,
    role: Role,
    mode: Mode,
    credentials_version: u32,
) -> Result<TokenPair, ApiError> {
    app.identity
        .tokens
        .issue(
            actor_id,
            role,
            mode,
            credentials_version,
            Utc::now().timestamp(),
        )
        .map_err(ApiError::internal)
}

/// Register a person: claims the email (409 `email_taken` if someone has it),
/// sets the password, mails a verification link, and logs them in.
#[utoipa::path(post, path = "/v1/people/register", tag = "people", request_body = RegisterPersonRequest,
    responses((status = 201, body = SessionView), (status = 409, description = "The email is taken (`email_taken`)")),
    security(()))]
pub async fn register(
    State(app): State<AppState>,
    request: CommandRequest<RegisterPersonRequest>,
) -> ApiResult<Response> {
    let body = request.body;
    let role = match body.role.as_deref() {
        None | Some("human") => Role::Human,
        Some("agent") => Role::Agent,
        Some(other) => {
            return Err(ApiError::Invalid(format!(
                "role must be human or agent, not {other:?}"
            )))
        }
    };
    let email = Email::parse(&body.email)?;
    let password = Password::parse(&body.password)?;
    let profile = Profile::parse(
        &body.skills,
        body.location.map(Location::from),
        &BTreeMap::new(),
    )?;
    let (person, verification) = prepare_person(
        &app,
        role,
        body.name,
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
    let tokens = issue_tokens(&app, actor_id, role, Mode::Live, 1)?;
    let executed = crate::execute!(app.bus, &context, |unit| {
        let actor = commands::register_person(unit, &person, Utc::now()).await?;
        Ok(SessionView::new(&actor, tokens.clone()))
    })?;
    if let Executed::Done { .. } = executed {
        mail_verification(&app, actor_id, &email, "/v1/people/verify", verification);
    }
    Ok(respond::executed(executed, StatusCode::CREATED))
}

/// A registration, ready for `commands::register_person`: the password hashed, a
/// verification token issued, the referral code read. An address already claimed is refused
/// first, sparing the slow hash; the append still decides a race. Shared by every API that
/// registers people.
pub(crate) async fn prepare_person(
    app: &AppState,
    role: Role,
    name: String,
    email: Email,
    password: &Password,
    profile: Profile,
    referral_code: Option<&str>,
) -> ApiResult<(NewPerson, VerificationToken)> {
    let referral = referral(app, referral_code)?;
    let (claim, _) = app
        .bus
        .load::<EmailClaim>(&commands::email_claim_stream(&email))
        .await?;
    if claim.actor_id.is_some() {
        return Err(ApiError::Taken("email"));
    }
    let password_hash = app.identity.passwords.hash(password).await?;
    let actor_id = ActorId(Uuid::now_v7());
    let verification = new_verification_token(actor_id);
    let person = NewPerson {
        actor_id,
        role,
        name,
        email,
        password_hash,
        verification_hash: verification.hash.clone(),
        profile,
        referral,
    };
    Ok((person, verification))
}

/// The referral a registration's code asks for, with the configured bonus. Whether the code
/// names anyone is decided in the registration's append (`commands::record_referral`); a code
/// that cannot name anyone (an empty one included) is refused here.
pub(crate) fn referral(app: &AppState, code: Option<&str>) -> ApiResult<Option<NewReferral>> {
    let Some(code) = code else {
        return Ok(None);
    };
    Ok(Some(NewReferral {
        referrer: referrer_of(code)?,
        bonus: app.config.referral_bonus,
    }))
}

/// "Sends" the verification of a registration that committed: logged and kept in the sandbox
/// mailbox, with a link to `verify_path` (each API has its own).
pub(crate) fn mail_verification(
    app: &AppState,
    actor_id: ActorId,
    email: &Email,
    verify_path: &str,
    verification: VerificationToken,
) {
    app.identity.mailbox.send(SentVerification {
        actor_id,
        email: email.as_str().to_owned(),
        link: format!(
            "{}{verify_path}?token={}",
            app.config.public_url, verification.token
        ),
        token: verification.token,
        sent_at: Utc::now(),
    });
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(format = Email)]
    pub email: String,
    pub password: String,
    /// live (default) or test: the mode the tokens act in.
    pub mode: Option<String>,
}

fn parse_mode(mode: Option<&str>) -> Result<Mode, ApiError> {
    match mode {
        None | Some("live") => Ok(Mode::Live),
        Some("test") => Ok(Mode::Test),
        Some(other) => Err(ApiError::Invalid(format!(
            "mode must be live or test, not {other:?}"
        ))),
    }
}

/// The person's credentials and actor as of now (another instance may have
/// changed the password a moment ago), refusing a banned actor.
pub(crate) async fn current_person(
    app: &AppState,
    actor_id: ActorId,
) -> Result<(Credentials, Actor), ApiError> {
    let (credentials, _) = app
        .bus
        .load_fresh::<Credentials>(&commands::credentials_stream(actor_id))
        .await?;
    let (actor, _) = app
        .bus
        .load_fresh::<Actor>(&commands::actor_stream(actor_id))
        .await?;
    if actor.standing == Standing::Banned {
        return Err(ApiError::Forbidden("this actor is banned".into()));
    }
    Ok((credentials, actor))
}

/// The person an email and password log in as (their credentials and actor
/// as of now), or one refusal for an unknown email and a wrong password.
pub(crate) async fn authenticate(
    app: &AppState,
    email: &Email,
    password: &str,
) -> Result<(Credentials, Actor), ApiError> {
    if password.chars().count() > PASSWORD_MAX_CHARS {
        return Err(ApiError::Invalid(PasswordError::OutOfBounds.to_string()));
    }
    let (claim, _) = app
        .bus
        .load_fresh::<EmailClaim>(&commands::email_claim_stream(email))
        .await?;
    let stored = match claim.actor_id {
        Some(actor_id) => {
            let (credentials, _) = app
                .bus
                .load_fresh::<Credentials>(&commands::credentials_stream(actor_id))
                .await?;
            credentials.password_hash
        }
        None => None,
    };
    let matches = app
        .identity
        .passwords
        .verify(password, stored.as_deref())
        .await?;
    let (true, Some(actor_id)) = (matches, claim.actor_id) else {
        return Err(ApiError::Unauthorized(LOGIN_REFUSED));
    };
    current_person(app, actor_id).await
}

/// Log in with email and password: an access token and a refresh token.
#[utoipa::path(post, path = "/v1/people/login", tag = "people", request_body = LoginRequest,
    responses((status = 200, body = SessionView), (status = 401, description = "Wrong email or password (the same answer for both)")),
    security(()))]
pub async fn login(
    State(app): State<AppState>,
    request: CommandRequest<LoginRequest>,
) -> ApiResult<Json<SessionView>> {
    let body = request.body;
    let mode = parse_mode(body.mode.as_deref())?;
    let email = Email::parse(&body.email)?;
    let (credentials, actor) = authenticate(&app, &email, &body.password).await?;
    let actor_id = actor.id.ok_or(ApiError::Unauthorized(LOGIN_REFUSED))?;
    let role = actor.role.ok_or(ApiError::Unauthorized(LOGIN_REFUSED))?;
    let tokens = issue_tokens(&app, actor_id, role, mode, credentials.version)?;
    Ok(Json(SessionView::new(&actor, tokens)))
}

/// A new pair for a refresh token that still stands, with the person it names.
pub(crate) async fn refreshed(
    app: &AppState,
    refresh_token: &str,
) -> Result<(Actor, TokenPair), ApiError> {
    let claims = app
        .identity
        .tokens
        .verify(refresh_token, TokenType::Refresh)
        .map_err(|error| {
            ApiError::Unauthorized(match error {
                TokenError::Expired => "the refresh token has expired; log in again",
                TokenError::NotRefresh => "this is not a refresh token",
                TokenError::Invalid | TokenError::NotAccess => "invalid refresh token",
            })
        })?;
    let actor_id = claims
        .actor_id()
        .ok_or(ApiError::Unauthorized("invalid refresh token"))?;
    let (credentials, actor) = current_person(app, actor_id).await?;
    if !credentials.exists() || credentials.version != claims.cv {
        return Err(ApiError::Unauthorized(
            "this refresh token was revoked (password changed or signed out); log in again",
        ));
    }
    let role = actor
        .role
        .ok_or(ApiError::Unauthorized("invalid refresh token"))?;
    let tokens = issue_tokens(app, actor_id, role, claims.mode, credentials.version)?;
    Ok((actor, tokens))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Trade a refresh token for a new access token and refresh token. Refresh
/// tokens stop working when the password changes or the person signs out everywhere.
#[utoipa::path(post, path = "/v1/people/refresh", tag = "people", request_body = RefreshRequest,
    responses((status = 200, body = SessionView), (status = 401, description = "Expired, revoked, forged or not a refresh token")),
    security(()))]
pub async fn refresh(
    State(app): State<AppState>,
    request: CommandRequest<RefreshRequest>,
) -> ApiResult<Json<SessionView>> {
    let (actor, tokens) = refreshed(&app, &request.body.refresh_token).await?;
    Ok(Json(SessionView::new(&actor, tokens)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmailRequest {
    /// The token from the verification link.
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifiedEmail {
    pub actor_id: Uuid,
    pub email: String,
    /// Always true.
    pub email_verified: bool,
}

/// Verify an email address with the token mailed at registration.
#[utoipa::path(post, path = "/v1/people/verify", tag = "people", request_body = VerifyEmailRequest,
    responses((status = 200, body = VerifiedEmail), (status = 409, description = "Already verified")),
    security(()))]
pub async fn verify_email(
    State(app): State<AppState>,
    request: CommandRequest<VerifyEmailRequest>,
) -> ApiResult<Response> {
    let token = request.body.token.trim().to_owned();
    let invalid = || ApiError::Invalid(VERIFICATION_TOKEN_INVALID.to_owned());
    let actor_id = token_actor(&token).ok_or_else(invalid)?;
    let token_hash = hash_secret(&token);
    let context = request
        .meta
        .public_context(format!("verify:{actor_id}"), "VerifyEmail", 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let actor = unit
            .load::<Actor>(&commands::actor_stream(actor_id))
            .await?;
        if !actor.exists() {
            // Said as for a wrong token: the actor id in a token proves nothing.
            return Err(DomainError::Invalid(VERIFICATION_TOKEN_INVALID.to_owned()).into());
        }
        let actor = commands::verify_email(unit, actor_id, token_hash.clone(), Utc::now()).await?;
        Ok(VerifiedEmail {
            actor_id: actor_id.0,
            email: actor
                .email
                .as_ref()
                .map(|e| e.as_str().to_owned())
                .unwrap_or_default(),
            email_verified: actor.email_verified,
        })
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckEmailRequest {
    #[schema(format = Email)]
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmailAvailability {
    pub available: bool,
}

/// Whether an email address is free to register.
#[utoipa::path(post, path = "/v1/people/check-email", tag = "people", request_body = CheckEmailRequest,
    responses((status = 200, body = EmailAvailability)),
    security(()))]
pub async fn check_email(
    State(app): State<AppState>,
    request: CommandRequest<CheckEmailRequest>,
) -> ApiResult<Json<EmailAvailability>> {
    let email = Email::parse(&request.body.email)?;
    let (claim, _) = app
        .bus
        .load_fresh::<EmailClaim>(&commands::email_claim_stream(&email))
        .await?;
    Ok(Json(EmailAvailability {
        available: claim.actor_id.is_none(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// 8 to 128 characters.
    pub new_password: String,
}

/// Change the password: every token issued before stops working; the reply
/// carries new ones.
#[utoipa::path(post, path = "/v1/people/password", tag = "people", request_body = ChangePasswordRequest,
    responses((status = 200, body = SessionView), (status = 401, description = "Wrong current password")),
    security(("bearer" = [])))]
pub async fn change_password(
    State(app): State<AppState>,
    principal: Principal,
    request: CommandRequest<ChangePasswordRequest>,
) -> ApiResult<Response> {
    let body = &request.body;
    let new_password = Password::parse(&body.new_password)?;
    if body.current_password.chars().count() > PASSWORD_MAX_CHARS {
        return Err(ApiError::Unauthorized("wrong current password"));
    }
    let (credentials, _) = current_person(&app, principal.actor_id).await?;
    let matches = app
        .identity
        .passwords
        .verify(&body.current_password, credentials.password_hash.as_deref())
        .await?;
    if !matches {
        return Err(ApiError::Unauthorized("wrong current password"));
    }
    let password_hash = app.identity.passwords.hash(&new_password).await?;
    // The reply holds tokens: not recorded for idempotent replay.
    let mut meta = request.meta;
    meta.idempotency = None;
    let context = meta.context(&principal, "ChangePassword", 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let command = CredentialsCommand::ChangePassword {
            password_hash: password_hash.clone(),
            at: Utc::now(),
        };
        let version = commands::change_credentials(unit, principal.actor_id, command).await?;
        Ok(ChangedCredentials {
            credentials_version: version,
        })
    })?;
    // Tokens are issued for the version the append made, once it is made.
    let executed = match executed {
        Executed::Done {
            reply,
            last_position,
        } => {
            let (actor, _) = app
                .bus
                .load::<Actor>(&commands::actor_stream(principal.actor_id))
                .await?;
            let tokens = issue_tokens(
                &app,
                principal.actor_id,
                principal.role,
                principal.mode,
                reply.credentials_version,
            )?;
            return Ok(respond::executed(
                Executed::Done {
                    reply: SessionView::new(&actor, tokens),
                    last_position,
                },
                StatusCode::OK,
            ));
        }
        other => other,
    };
    Ok(respond::executed(executed, StatusCode::OK))
}

#[derive(Debug, Serialize)]
struct ChangedCredentials {
    credentials_version: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignedOut {
    /// Always true: every token issued before stopped working.
    pub signed_out: bool,
}

/// Sign out everywhere: every access and refresh token issued so far stops working.
#[utoipa::path(post, path = "/v1/people/logout", tag = "people",
    responses((status = 200, body = SignedOut), (status = 404, description = "The caller has no password to sign out of")),
    security(("bearer" = [])))]
pub async fn logout(
    State(app): State<AppState>,
    principal: Principal,
    request: CommandRequest<Empty>,
) -> ApiResult<Response> {
    let context = request.meta.context(&principal, "SignOutEverywhere", 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let command = CredentialsCommand::SignOutEverywhere { at: Utc::now() };
        commands::change_credentials(unit, principal.actor_id, command).await?;
        Ok(SignedOut { signed_out: true })
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}
