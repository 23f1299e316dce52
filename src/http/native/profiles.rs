//! People's profiles and reputation: their own (`/v1/people/me`), anyone's
//! public face (`/v1/people/{id}/public`, no key needed), the leaderboard,
//! and, in the sandbox, the verification mail an admin may read.

use super::people::LocationBody;
use super::{page_limit, parse_id};
use crate::bus::commands;
use crate::http::auth::Principal;
use crate::http::errors::{ApiError, ApiResult};
use crate::http::extract::{ApiPath, ApiQuery, CommandRequest};
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::reputation::{
    leaderboard as ranked, reputation_of, Ranking, LEADERBOARD_LIMIT_DEFAULT, LEADERBOARD_LIMIT_MAX,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, Utc};
use errand_aggregates::actor::{Actor, Email, Role, Standing};
use errand_aggregates::ids::ActorId;
use errand_aggregates::profile::{Location, Profile};
use errand_projections::reputation::{badges, level, ReputationView};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct LocationView {
    pub text: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileView {
    pub skills: Vec<String>,
    pub location: Option<LocationView>,
    pub preferences: BTreeMap<String, String>,
}

impl ProfileView {
    fn new(profile: &Profile) -> ProfileView {
        ProfileView {
            skills: profile.skills.clone(),
            location: profile.location.as_ref().map(|l| LocationView {
                text: l.text.clone(),
                lat: l.lat,
                lon: l.lon,
            }),
            preferences: profile.preferences.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReputationSummary {
    /// 0 to 100; starts at 50, +2 per approved submission, -5 per rejected,
    /// -10 per disputed, clamped at every step.
    pub trust_score: i64,
    /// 1 from the start, 2 at 5 approved, 3 at 20, 4 at 50.
    pub level: u8,
    pub badges: Vec<String>,
    /// Approved submissions.
    pub completed: i64,
    pub rejected: i64,
    pub disputed: i64,
    /// Live-mode payments received for work.
    pub earned_cents: i64,
}

impl ReputationSummary {
    fn new(row: &ReputationView) -> ReputationSummary {
        ReputationSummary {
            trust_score: row.trust_score,
            level: level(row.approved),
            badges: badges(row.approved, row.trust_score)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            completed: row.approved,
            rejected: row.rejected,
            disputed: row.disputed,
            earned_cents: row.earned_cents,
        }
    }
}

/// What a person sees of themselves.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonView {
    pub id: Uuid,
    /// human | agent | admin
    pub kind: String,
    pub name: String,
    pub email: Option<String>,
    pub email_verified: bool,
    /// active | frozen | banned
    pub status: String,
    pub profile: ProfileView,
    /// Humans only.
    pub reputation: Option<ReputationSummary>,
}

/// The caller's own account: profile, whether their email is verified, reputation.
#[utoipa::path(get, path = "/v1/people/me", tag = "people",
    responses((status = 200, body = PersonView)), security(("bearer" = [])))]
pub async fn get_me(
    State(app): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<PersonView>> {
    Ok(Json(me(&app, &principal).await?))
}

/// The caller as they see themselves: `GET /v1/people/me`, and the console's
/// board ("match my profile") and earnings page.
pub async fn me(app: &AppState, principal: &Principal) -> ApiResult<PersonView> {
    let (actor, _) = app
        .bus
        .load::<Actor>(&commands::actor_stream(principal.actor_id))
        .await?;
    let pool = app.read_models().await?;
    let reputation = reputation_of(pool, &principal.actor_id.to_string()).await?;
    Ok(PersonView {
        id: principal.actor_id.0,
        kind: principal.role.as_str().to_owned(),
        name: actor.name.clone(),
        email: actor.email.as_ref().map(|e| e.as_str().to_owned()),
        email_verified: actor.email_verified,
        status: actor.standing.as_str().to_owned(),
        profile: ProfileView::new(&actor.profile),
        reputation: reputation.as_ref().map(ReputationSummary::new),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProfileRequest {
    /// Up to 30 skills of 1 to 50 characters; replaces the list.
    #[serde(default)]
    pub skills: Vec<String>,
    pub location: Option<LocationBody>,
    /// Up to 20 settings; names of 1 to 50 characters, values up to 200.
    #[serde(default)]
    pub preferences: BTreeMap<String, String>,
}

/// Replace the caller's profile.
#[utoipa::path(put, path = "/v1/people/me", tag = "people", request_body = UpdateProfileRequest,
    responses((status = 200, body = ProfileView)),
    security(("bearer" = [])))]
pub async fn put_me(
    State(app): State<AppState>,
    principal: Principal,
    request: CommandRequest<UpdateProfileRequest>,
) -> ApiResult<Response> {
    let body = request.body;
    let profile = Profile::parse(
        &body.skills,
        body.location.map(Location::from),
        &body.preferences,
    )?;
    let context = request.meta.context(&principal, "UpdateProfile", 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let actor = commands::update_profile(unit, by, profile.clone(), Utc::now()).await?;
        Ok(ProfileView::new(&actor.profile))
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}

/// What anyone may see of a person.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicProfileView {
    pub id: Uuid,
    pub name: String,
    pub skills: Vec<String>,
    /// The free-text part only; coordinates are not public.
    pub location: Option<String>,
    pub email_verified: bool,
    pub trust_score: i64,
    pub level: u8,
    pub badges: Vec<String>,
    /// Approved submissions.
    pub completed: i64,
}

/// A person's public profile; no key needed. Agents, admins and banned people have none.
#[utoipa::path(get, path = "/v1/people/{id}/public", tag = "people",
    params(("id" = Uuid, Path, description = "The person's actor id")),
    responses((status = 200, body = PublicProfileView), (status = 404, description = "No such person")),
    security(()))]
pub async fn get_public(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<PublicProfileView>> {
    let actor_id: ActorId = parse_id(&id, "person")?;
    let (actor, _) = app
        .bus
        .load::<Actor>(&commands::actor_stream(actor_id))
        .await?;
    if actor.role != Some(Role::Human) || actor.standing == Standing::Banned {
        return Err(ApiError::NotFound("person".into()));
    }
    let pool = app.read_models().await?;
    let row = reputation_of(pool, &actor_id.to_string())
        .await?
        .ok_or_else(|| ApiError::NotFound("person".into()))?;
    let summary = ReputationSummary::new(&row);
    Ok(Json(PublicProfileView {
        id: actor_id.0,
        name: actor.name.clone(),
        skills: actor.profile.skills.clone(),
        location: actor.profile.location.as_ref().map(|l| l.text.clone()),
        email_verified: actor.email_verified,
        trust_score: summary.trust_score,
        level: summary.level,
        badges: summary.badges,
        completed: summary.completed,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LeaderboardQuery {
    /// trust_score (default), completed or earned; highest first.
    pub by: Option<String>,
    /// 1 to 100; default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeaderboardEntry {
    /// 1 for the first.
    pub rank: u32,
    pub id: Uuid,
    pub name: String,
    pub trust_score: i64,
    pub level: u8,
    pub badges: Vec<String>,
    pub completed: i64,
    pub earned_cents: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Leaderboard {
    pub data: Vec<LeaderboardEntry>,
}

/// People ranked by trust score, completed work or earnings: a bounded top list.
#[utoipa::path(get, path = "/v1/people/leaderboard", tag = "people", params(LeaderboardQuery),
    responses((status = 200, body = Leaderboard)), security(("bearer" = [])))]
pub async fn leaderboard(
    State(app): State<AppState>,
    _principal: Principal,
    ApiQuery(query): ApiQuery<LeaderboardQuery>,
) -> ApiResult<Json<Leaderboard>> {
    let by = Ranking::parse(query.by.as_deref().unwrap_or("trust_score"))?;
    let limit =
        page_limit(query.limit, LEADERBOARD_LIMIT_MAX)?.unwrap_or(LEADERBOARD_LIMIT_DEFAULT);
    let pool = app.read_models().await?;
    let rows = ranked(pool, by, limit).await?;
    let data = rows
        .iter()
        .zip(1..)
        .map(|(row, rank)| {
            let summary = ReputationSummary::new(row);
            LeaderboardEntry {
                rank,
                id: Uuid::parse_str(&row.actor_id).unwrap_or_default(),
                name: row.name.clone(),
                trust_score: summary.trust_score,
                level: summary.level,
                badges: summary.badges,
                completed: summary.completed,
                earned_cents: summary.earned_cents,
            }
        })
        .collect();
    Ok(Json(Leaderboard { data }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VerificationQuery {
    /// The address the verification was sent to.
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SentVerificationView {
    pub email: String,
    pub actor_id: Uuid,
    pub token: String,
    /// POST the token to /v1/people/verify (a console page will serve the link).
    pub link: String,
    pub sent_at: DateTime<Utc>,
    /// False once the email is verified.
    pub pending: bool,
}

/// The sandbox mailbox: the latest verification sent to an address (no mail
/// server is used). Admins only; 404 when the sandbox mailbox is off.
#[utoipa::path(get, path = "/v1/admin/email-verifications", tag = "admin", params(VerificationQuery),
    responses((status = 200, body = SentVerificationView), (status = 404, description = "Nothing sent to this address, or the sandbox mailbox is off")),
    security(("bearer" = [])))]
pub async fn sent_verification(
    State(app): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<VerificationQuery>,
) -> ApiResult<Json<SentVerificationView>> {
    principal.require_admin()?;
    if !app.identity.mailbox.enabled() {
        return Err(ApiError::NotFound(
            "sandbox mailbox (ERRAND_SANDBOX_EMAIL is off)".into(),
        ));
    }
    let email = Email::parse(&query.email)?;
    let sent = app
        .identity
        .mailbox
        .latest(email.as_str())
        .ok_or_else(|| ApiError::NotFound("verification for this email".into()))?;
    let (actor, _) = app
        .bus
        .load::<Actor>(&commands::actor_stream(sent.actor_id))
        .await?;
    Ok(Json(SentVerificationView {
        email: sent.email,
        actor_id: sent.actor_id.0,
        token: sent.token,
        link: sent.link,
        sent_at: sent.sent_at,
        pending: !actor.email_verified,
    }))
}
