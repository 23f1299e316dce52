//! Who is calling: `Authorization: Bearer <key or access token>`.
//!
//! An API key: the secret's hash finds the key id in the `api_keys_view` read
//! model (a key issued a moment ago may not be projected yet, so a miss waits
//! for the read models once before it is a 401); the key and its actor are
//! then loaded from their streams through the bus's state cache, so a
//! revocation, freeze or ban is seen at once.
//!
//! An access token (a JWT from `POST /v1/people/login`): its signature and
//! expiry are checked, then the person's credentials and actor streams are
//! loaded as a key's are; a token naming an older credentials version (the
//! password changed, or they signed out everywhere) is refused.

use super::errors::ApiError;
use super::state::AppState;
use crate::bus::commands::{actor_stream, credentials_stream, key_stream};
use crate::credentials::hash_secret;
use crate::identity::tokens::{looks_like_jwt, TokenError, TokenType, TOKEN_MAX_CHARS};
use crate::queries::keys::key_by_hash;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use errand_aggregates::actor::{Actor, Role, Standing};
use errand_aggregates::api_key::ApiKey;
use errand_aggregates::credentials::Credentials;
use errand_aggregates::ids::{ActorId, KeyId};
use errand_aggregates::mode::Mode;

/// Longer API keys are not ours; refuse before hashing attacker input.
const API_KEY_MAX_CHARS: usize = 256;

#[derive(Debug, Clone)]
pub struct Principal {
    /// The API key used; `None` for a person's access token.
    pub key_id: Option<KeyId>,
    pub actor_id: ActorId,
    pub role: Role,
    pub standing: Standing,
    pub scopes: Vec<String>,
    pub mode: Mode,
    /// The key's (or, for a token, the credentials') and the actor's stream
    /// versions these rights were read at: every command insists they still
    /// hold when it commits.
    pub read_at: [(String, i64); 2],
}

impl Principal {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whom idempotency records belong to: a key, or a person logged in.
    pub fn principal_id(&self) -> String {
        match self.key_id {
            Some(key_id) => format!("key:{key_id}"),
            None => format!("jwt:{}", self.actor_id),
        }
    }

    pub fn require_scope(&self, scope: &str) -> Result<(), ApiError> {
        if ApiKey::allows(&self.scopes, scope) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "this key lacks the {scope} scope"
            )))
        }
    }

    /// Admin actions (registering actors, their standing, credits): no scope
    /// names them, so a key limited to scopes may not do them even for an admin.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if !self.is_admin() {
            return Err(ApiError::Forbidden("only an admin may do this".into()));
        }
        if !self.scopes.is_empty() {
            return Err(ApiError::Forbidden(
                "a key limited to scopes may not do admin actions".into(),
            ));
        }
        Ok(())
    }

    /// Reading the journal: an admin's key, with `events:read` if it is scoped.
    pub fn require_auditor(&self) -> Result<(), ApiError> {
        if !self.is_admin() {
            return Err(ApiError::Forbidden(
                "only an admin may read the journal".into(),
            ));
        }
        self.require_scope("events:read")
    }

    /// A key may issue keys that can do no more than it can: a key limited to
    /// scopes issues only keys limited to some of them, so a leaked read-only
    /// key cannot mint a key that spends.
    pub fn require_scopes_within(&self, requested: &[String]) -> Result<(), ApiError> {
        let within = self.scopes.is_empty()
            || (!requested.is_empty() && requested.iter().all(|s| self.scopes.contains(s)));
        if within {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "this key may issue only keys limited to some of its own scopes ({})",
                self.scopes.join(", ")
            )))
        }
    }
}

/// The credential of `Authorization: Bearer <key or token>`.
pub fn bearer(headers: &axum::http::HeaderMap) -> Result<&str, ApiError> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or(ApiError::Unauthorized(
            "missing Authorization: Bearer <key>",
        ))?
        .to_str()
        .map_err(|_| ApiError::Unauthorized("malformed Authorization header"))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or(ApiError::Unauthorized("Authorization must be Bearer <key>"))?
        .trim();
    if token.is_empty() || token.len() > TOKEN_MAX_CHARS {
        return Err(ApiError::Unauthorized("invalid API key"));
    }
    Ok(token)
}

fn token_refusal(error: TokenError) -> ApiError {
    ApiError::Unauthorized(match error {
        TokenError::Expired => "the access token has expired; refresh it or log in again",
        TokenError::Invalid => "invalid access token",
        TokenError::NotAccess => "this is not an access token",
        TokenError::NotRefresh => "this is not a refresh token",
    })
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        principal_for_secret(state, bearer(&parts.headers)?).await
    }
}

/// The principal a presented credential stands for, however it was sent (the native API's
/// Bearer header, a dialect's `x-api-key`): a person's access token, or an API key's secret.
pub async fn principal_for_secret(state: &AppState, secret: &str) -> Result<Principal, ApiError> {
    if looks_like_jwt(secret) {
        return from_access_token(secret, state).await;
    }
    if secret.is_empty() || secret.len() > API_KEY_MAX_CHARS {
        return Err(ApiError::Unauthorized("invalid API key"));
    }
    let hash = hash_secret(secret);
    let key_id = match key_by_hash(state.bus.journal().pool(), &hash).await? {
        Some(key_id) => key_id,
        // A key issued a moment ago may not be projected yet.
        None => key_by_hash(state.read_models().await?, &hash)
            .await?
            .ok_or(ApiError::Unauthorized("invalid API key"))?,
    };
    let (key, key_version) = state.bus.load::<ApiKey>(&key_stream(key_id)).await?;
    let actor_id = key
        .actor_id
        .ok_or(ApiError::Unauthorized("invalid API key"))?;
    let (actor, actor_version) = state.bus.load::<Actor>(&actor_stream(actor_id)).await?;
    if key.revoked {
        return Err(ApiError::Unauthorized("this API key was revoked"));
    }
    let (Some(role), true) = (actor.role, actor.exists()) else {
        return Err(ApiError::Unauthorized("the key's actor does not exist"));
    };
    if actor.standing == Standing::Banned {
        return Err(ApiError::Forbidden("this actor is banned".into()));
    }
    Ok(Principal {
        key_id: Some(key_id),
        actor_id,
        role,
        standing: actor.standing,
        scopes: key.scopes,
        mode: key.mode,
        read_at: [
            (key_stream(key_id), key_version),
            (actor_stream(actor_id), actor_version),
        ],
    })
}

/// A person's access token: signed by us, unexpired, naming their current
/// credentials version, for an actor who is not banned.
async fn from_access_token(token: &str, state: &AppState) -> Result<Principal, ApiError> {
    let claims = state
        .identity
        .tokens
        .verify(token, TokenType::Access)
        .map_err(token_refusal)?;
    let actor_id = claims
        .actor_id()
        .ok_or(ApiError::Unauthorized("invalid access token"))?;
    let credentials_stream = credentials_stream(actor_id);
    let (credentials, credentials_version) =
        state.bus.load::<Credentials>(&credentials_stream).await?;
    if !credentials.exists() || credentials.version != claims.cv {
        return Err(ApiError::Unauthorized(
            "this token was revoked (password changed or signed out); log in again",
        ));
    }
    let (actor, actor_version) = state.bus.load::<Actor>(&actor_stream(actor_id)).await?;
    let (Some(role), true) = (actor.role, actor.exists()) else {
        return Err(ApiError::Unauthorized("the token's actor does not exist"));
    };
    if actor.standing == Standing::Banned {
        return Err(ApiError::Forbidden("this actor is banned".into()));
    }
    Ok(Principal {
        key_id: None,
        actor_id,
        role,
        standing: actor.standing,
        // A person's token may do everything the person may.
        scopes: Vec::new(),
        mode: claims.mode,
        read_at: [
            (credentials_stream, credentials_version),
            (actor_stream(actor_id), actor_version),
        ],
    })
}
