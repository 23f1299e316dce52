//! `/api-keys`: list (secrets redacted), create (`sk_live_…` / `sk_test_…`,
//! shown once; at most 10 active, decided by the actor's `KeyRing` in the
//! same append), revoke. A key may only issue keys limited to some of its
//! own scopes; an ID token may issue any.

use super::errors::{Humans2AiError, Humans2AiResult};
use super::extract::{Body, Caller, H2aPath, Scope};
use super::ids;
use super::views::{success, time};
use crate::bus::commands::{self, NewKey};
use crate::credentials::new_secret;
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::humans2ai::keys as key_queries;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::Utc;
use errand_aggregates::api_key::ApiKey;
use errand_aggregates::humans2ai::ACTIVE_KEYS_MAX;
use errand_aggregates::ids::KeyId;
use errand_aggregates::mode::Mode;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

/// Humans2AI's key prefix: `sk_live_…`, `sk_test_…`.
const KEY_PREFIX: &str = "sk";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateKeyRequest {
    /// Some of tasks:read, tasks:write, wallet:read, messages:read,
    /// messages:write; all five when absent.
    pub scopes: Option<Vec<String>>,
    /// `live` (default) or `test`: which ledger the key acts on.
    pub mode: Option<String>,
}

fn scopes_of(requested: Option<Vec<String>>) -> Humans2AiResult<Vec<String>> {
    let Some(requested) = requested else {
        return Ok(Scope::ALL.iter().map(|s| s.as_str().to_owned()).collect());
    };
    if requested.is_empty() {
        return Err(Humans2AiError::validation(
            "scopes must name at least one scope",
        ));
    }
    for scope in &requested {
        if Scope::parse(scope).is_none() {
            let known: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
            return Err(Humans2AiError::validation(format!(
                "unknown scope {scope:?}; scopes are {}",
                known.join(", ")
            )));
        }
    }
    Ok(requested)
}

fn mode_of(word: Option<&str>) -> Humans2AiResult<Mode> {
    match word {
        None | Some("live") => Ok(Mode::Live),
        Some("test") => Ok(Mode::Test),
        Some(other) => Err(Humans2AiError::validation(format!(
            "mode must be live or test, not {other:?}"
        ))),
    }
}

pub async fn create_key(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<CreateKeyRequest>,
) -> Humans2AiResult<Response> {
    let scopes = scopes_of(request.body.scopes)?;
    let mode = mode_of(request.body.mode.as_deref())?;
    principal.require_scopes_within(&scopes)?;
    let secret = new_secret(KEY_PREFIX, mode);
    let key_id = KeyId(Uuid::now_v7());
    // The secret is in the reply, so a replay must not store it (as natively).
    let mut meta = request.meta;
    meta.idempotency = None;
    let context = meta.context(&principal, "IssueKey", 201);
    let new_key = NewKey {
        key_id,
        actor_id: principal.actor_id,
        prefix: secret.prefix.clone(),
        secret_hash: secret.hash.clone(),
        scopes,
        mode,
    };
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let key = commands::issue_ring_key(unit, by, new_key.clone(), ACTIVE_KEYS_MAX, Utc::now())
            .await?;
        let mut view = key_json(key_id, &key);
        view["key"] = json!(secret.secret);
        Ok(success(view))
    })?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

fn key_json(key_id: KeyId, key: &ApiKey) -> Value {
    json!({
        "id": ids::format("key", key_id.0),
        "prefix": key.prefix,
        "scopes": key.scopes,
        "mode": key.mode.as_str(),
        "status": if key.revoked { "revoked" } else { "active" },
        "createdAt": key.issued_at.map(time),
    })
}

pub async fn list_keys(
    State(app): State<AppState>,
    Caller(principal): Caller,
) -> Humans2AiResult<Json<Value>> {
    let pool = app.read_models().await?;
    let keys = key_queries::of_actor(pool, principal.actor_id, KEY_PREFIX).await?;
    let active = keys.iter().filter(|key| !key.revoked).count();
    let keys: Vec<Value> = keys
        .iter()
        .map(|key| {
            json!({
                "id": key.key_id.parse::<Uuid>().map(|id| ids::format("key", id)).unwrap_or_default(),
                "prefix": key.prefix,
                "scopes": key.scopes,
                "mode": key.mode,
                "status": if key.revoked { "revoked" } else { "active" },
                "createdAt": key.issued_at.map(time),
            })
        })
        .collect();
    Ok(Json(success(json!({
        "keys": keys,
        "active": active,
        "limit": ACTIVE_KEYS_MAX,
    }))))
}

pub async fn revoke_key(
    State(app): State<AppState>,
    Caller(principal): Caller,
    H2aPath(id): H2aPath<String>,
    request: Body<Value>,
) -> Humans2AiResult<Response> {
    let key_id: KeyId = ids::parse(&id, "key", "key")?;
    let (key, _) = app
        .bus
        .load::<ApiKey>(&commands::key_stream(key_id))
        .await?;
    // Another's key is not found: keys are private.
    if key.actor_id != Some(principal.actor_id) && !principal.is_admin() {
        return Err(Humans2AiError::not_found("key"));
    }
    let context = request.meta.context(&principal, "RevokeKey", 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let key = commands::revoke_key(unit, by, key_id, Utc::now()).await?;
        Ok(success(key_json(key_id, &key)))
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}
