//! `/v1/actors` and `/v1/keys`: registering actors (admins), issuing and
//! revoking keys, and the kill switch on an actor (freeze, ban).

use super::views::ActorView;
use super::{parse_id, Empty};
use crate::bus::commands::{self, NewKey, StandingChange};
use crate::credentials::new_secret;
use crate::http::auth::Principal;
use crate::http::errors::{ApiError, ApiResult};
use crate::http::extract::{ApiPath, CommandMeta, CommandRequest};
use crate::http::respond;
use crate::http::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::Utc;
use errand_aggregates::actor::{Actor, Email, Role};
use errand_aggregates::api_key::ApiKey;
use errand_aggregates::ids::{ActorId, KeyId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterActorRequest {
    /// agent | human | admin
    pub kind: String,
    /// 1 to 100 characters.
    pub name: String,
    #[schema(format = Email)]
    pub email: Option<String>,
}

#[utoipa::path(post, path = "/v1/actors", tag = "actors", request_body = RegisterActorRequest,
    responses((status = 201, body = ActorView), (status = 403, description = "Not an admin")),
    security(("bearer" = [])))]
pub async fn register_actor(
    State(app): State<AppState>,
    principal: Principal,
    request: CommandRequest<RegisterActorRequest>,
) -> ApiResult<Response> {
    principal.require_admin()?;
    let body = &request.body;
    let role = Role::parse(&body.kind).ok_or_else(|| {
        ApiError::Invalid(format!(
            "kind must be agent, human or admin, not {:?}",
            body.kind
        ))
    })?;
    let email = body.email.as_deref().map(Email::parse).transpose()?;
    let actor_id = ActorId(Uuid::now_v7());
    let context = request.meta.context(&principal, "RegisterActor", 201);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let actor = commands::register_actor(
            unit,
            actor_id,
            role,
            body.name.clone(),
            email.clone(),
            Utc::now(),
        )
        .await?;
        Ok(ActorView::new(&actor))
    })?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

#[utoipa::path(get, path = "/v1/actors/{id}", tag = "actors",
    params(("id" = Uuid, Path, description = "Actor id")),
    responses((status = 200, body = ActorView), (status = 404, description = "No such actor")),
    security(("bearer" = [])))]
pub async fn get_actor(
    State(app): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ActorView>> {
    let actor_id: ActorId = parse_id(&id, "actor")?;
    let (actor, _) = app
        .bus
        .load::<Actor>(&commands::actor_stream(actor_id))
        .await?;
    if !actor.exists() {
        return Err(ApiError::NotFound("actor".into()));
    }
    let mut view = ActorView::new(&actor);
    if actor_id != principal.actor_id && !principal.is_admin() {
        // Contact details are the actor's own business.
        view.email = None;
    }
    Ok(Json(view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueKeyRequest {
    /// Scopes to limit the key to; none means everything the actor may do.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The secret's prefix: erk (default), ih, hp, hm or sk.
    pub prefix: Option<String>,
    /// live (default) or test.
    pub mode: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedKey {
    pub id: Uuid,
    pub actor_id: Uuid,
    /// The secret, shown this once.
    pub secret: String,
    pub prefix: String,
    pub scopes: Vec<String>,
    pub mode: String,
}

/// Dialects' key prefixes; the secret's first characters tell a client's
/// developer which API it was issued for.
pub(super) const KEY_PREFIXES: &[&str] = &["erk", "ih", "hp", "hm", "sk"];

/// Issue a key for the actor itself (or, as an admin, for anyone). The secret
/// is in this reply only; the request's `Idempotency-Key` is ignored, since a
/// replay would have to store the secret.
#[utoipa::path(post, path = "/v1/actors/{id}/keys", tag = "actors", request_body = IssueKeyRequest,
    params(("id" = Uuid, Path, description = "Actor id")),
    responses((status = 201, body = IssuedKey), (status = 403, description = "Not the actor itself or an admin")),
    security(("bearer" = [])))]
pub async fn issue_key(
    State(app): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
    request: CommandRequest<IssueKeyRequest>,
) -> ApiResult<Response> {
    let actor_id: ActorId = parse_id(&id, "actor")?;
    let body = &request.body;
    principal.require_scopes_within(&body.scopes)?;
    let dialect = body.prefix.as_deref().unwrap_or("erk");
    if !KEY_PREFIXES.contains(&dialect) {
        return Err(ApiError::Invalid(format!(
            "prefix must be one of {}",
            KEY_PREFIXES.join(", ")
        )));
    }
    let mode = match body.mode.as_deref() {
        None | Some("live") => errand_aggregates::mode::Mode::Live,
        Some("test") => errand_aggregates::mode::Mode::Test,
        Some(other) => {
            return Err(ApiError::Invalid(format!(
                "mode must be live or test, not {other:?}"
            )))
        }
    };
    let secret = new_secret(dialect, mode);
    let key_id = KeyId(Uuid::now_v7());
    // The secret is in the reply, so a replayed request must not store it:
    // keys are issued without recording the reply for idempotent replay.
    let mut meta = request.meta;
    meta.idempotency = None;
    let context = meta.context(&principal, "IssueKey", 201);
    let new_key = NewKey {
        key_id,
        actor_id,
        prefix: secret.prefix.clone(),
        secret_hash: secret.hash.clone(),
        scopes: body.scopes.clone(),
        mode,
    };
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let key = commands::issue_key(unit, Some(by), new_key.clone(), Utc::now()).await?;
        Ok(IssuedKey {
            id: key_id.0,
            actor_id: actor_id.0,
            secret: secret.secret.clone(),
            prefix: key.prefix,
            scopes: key.scopes,
            mode: key.mode.as_str().to_owned(),
        })
    })?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevokedKey {
    pub id: Uuid,
    /// Always true: the key stops working at once.
    pub revoked: bool,
}

/// Revoke a key. Keys are private: another actor's key is not found (404)
/// unless the caller is an admin.
#[utoipa::path(delete, path = "/v1/keys/{id}", tag = "actors",
    params(("id" = Uuid, Path, description = "Key id")),
    responses((status = 200, description = "Revoked", body = RevokedKey), (status = 409, description = "Already revoked")),
    security(("bearer" = [])))]
pub async fn revoke_key(
    State(app): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
    request: CommandRequest<Empty>,
) -> ApiResult<Response> {
    let key_id: KeyId = parse_id(&id, "key")?;
    let context = request.meta.context(&principal, "RevokeKey", 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let key = unit.load::<ApiKey>(&commands::key_stream(key_id)).await?;
        if key.actor_id != Some(principal.actor_id) && !principal.is_admin() {
            return Err(errand_aggregates::DomainError::NotFound("key").into());
        }
        let by = commands::caller(unit, principal.actor_id).await?;
        let key = commands::revoke_key(unit, by, key_id, Utc::now()).await?;
        Ok(RevokedKey {
            id: key_id.0,
            revoked: key.revoked,
        })
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StandingRequest {
    /// Why; recorded in the audit trail.
    pub reason: String,
}

/// Freezing and banning take a reason; lifting either takes no body (the
/// domain records no reason for it, so one sent would be dropped unread).
async fn change_standing(
    app: AppState,
    principal: Principal,
    id: String,
    meta: CommandMeta,
    change: (StandingChange, Option<String>),
    name: &'static str,
) -> ApiResult<Response> {
    principal.require_admin()?;
    let actor_id: ActorId = parse_id(&id, "actor")?;
    let context = meta.context(&principal, name, 200);
    let (change, reason) = change;
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let actor =
            commands::set_standing(unit, by, actor_id, change, reason.clone(), Utc::now()).await?;
        Ok(ActorView::new(&actor))
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}

macro_rules! standing_endpoint {
    ($name:ident, $path:literal, $change:ident, $command:literal, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "admin", request_body = StandingRequest,
            params(("id" = Uuid, Path, description = "Actor id")),
            responses((status = 200, body = ActorView), (status = 403, description = "Not an admin"), (status = 409, description = "Already in that standing")),
            security(("bearer" = [])))]
        pub async fn $name(
            State(app): State<AppState>,
            principal: Principal,
            ApiPath(id): ApiPath<String>,
            request: CommandRequest<StandingRequest>,
        ) -> ApiResult<Response> {
            let change = (StandingChange::$change, Some(request.body.reason));
            change_standing(app, principal, id, request.meta, change, $command).await
        }
    };
}

macro_rules! lifting_endpoint {
    ($name:ident, $path:literal, $change:ident, $command:literal, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "admin",
            params(("id" = Uuid, Path, description = "Actor id")),
            responses((status = 200, body = ActorView), (status = 403, description = "Not an admin"), (status = 409, description = "Not in that standing")),
            security(("bearer" = [])))]
        pub async fn $name(
            State(app): State<AppState>,
            principal: Principal,
            ApiPath(id): ApiPath<String>,
            request: CommandRequest<Empty>,
        ) -> ApiResult<Response> {
            let change = (StandingChange::$change, None);
            change_standing(app, principal, id, request.meta, change, $command).await
        }
    };
}

standing_endpoint!(
    freeze_actor,
    "/v1/actors/{id}/freeze",
    Freeze,
    "FreezeActor",
    "Freeze: no spending and no new work until unfrozen."
);
lifting_endpoint!(
    unfreeze_actor,
    "/v1/actors/{id}/unfreeze",
    Unfreeze,
    "UnfreezeActor",
    "Lift a freeze."
);
standing_endpoint!(
    ban_actor,
    "/v1/actors/{id}/ban",
    Ban,
    "BanActor",
    "Ban: the actor's keys stop working."
);
lifting_endpoint!(
    unban_actor,
    "/v1/actors/{id}/unban",
    Unban,
    "UnbanActor",
    "Lift a ban."
);
