//! What a HumanPing request carries, refused in HumanPing's envelope: the
//! agent's key (`Authorization: Bearer <key>` or `x-api-key: <key>`), the
//! worker's login token (`Authorization: Bearer <access JWT>`), JSON
//! bodies (the native parsing: malformed JSON, unknown, missing or
//! wrong-typed fields are all 400 here), paths and query strings.

use super::errors::HumanPingError;
use crate::http::auth::{principal_for_secret, Principal};
use crate::http::extract::{CommandMeta, CommandRequest};
use crate::http::state::AppState;
use crate::identity::tokens::looks_like_jwt;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use errand_aggregates::actor::Role;
use serde::de::DeserializeOwned;

/// An agent (or an admin) calling with its API key.
pub struct Agent(pub Principal);

fn secret(parts: &Parts) -> Result<&str, HumanPingError> {
    let unauthorized = |message: &str| HumanPingError::Unauthorized(message.to_owned());
    if let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION) {
        let value = value
            .to_str()
            .map_err(|_| unauthorized("Malformed Authorization header."))?;
        return value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .ok_or_else(|| unauthorized("Authorization must be Bearer <api_key>."));
    }
    if let Some(value) = parts.headers.get("x-api-key") {
        return value
            .to_str()
            .map(str::trim)
            .map_err(|_| unauthorized("Malformed x-api-key header."));
    }
    Err(unauthorized(
        "Missing API key: send Authorization: Bearer <api_key> or x-api-key: <api_key>.",
    ))
}

impl FromRequestParts<AppState> for Agent {
    type Rejection = HumanPingError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, HumanPingError> {
        let principal = principal_for_secret(state, secret(parts)?).await?;
        if !matches!(principal.role, Role::Agent | Role::Admin) {
            return Err(HumanPingError::Forbidden(
                "This endpoint needs an agent's API key.".into(),
            ));
        }
        Ok(Agent(principal))
    }
}

/// A worker: a person calling with the access token `POST /worker/login`
/// gave. Missing, expired or forged tokens are 401; an API key (an agent's
/// `hp_live_…`, or anyone's) or an agent's token is 403: it says who the
/// caller is, and that caller may not use the worker side.
pub struct Worker(pub Principal);

impl FromRequestParts<AppState> for Worker {
    type Rejection = HumanPingError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, HumanPingError> {
        let has_credential = parts
            .headers
            .contains_key(axum::http::header::AUTHORIZATION)
            || parts.headers.contains_key("x-api-key");
        if !has_credential {
            return Err(HumanPingError::Unauthorized(
                "Missing token: send Authorization: Bearer <token from POST /worker/login>.".into(),
            ));
        }
        let secret = secret(parts)?;
        let principal = principal_for_secret(state, secret).await?;
        if !looks_like_jwt(secret) {
            return Err(HumanPingError::Forbidden(
                "Worker endpoints take a worker's login token (POST /worker/login), not an API key."
                    .into(),
            ));
        }
        if principal.role != Role::Human {
            return Err(HumanPingError::Forbidden(
                "Worker endpoints are for workers; this token is not a worker's.".into(),
            ));
        }
        Ok(Worker(principal))
    }
}

/// A command's JSON body and its headers (`Idempotency-Key`).
pub struct Body<T> {
    pub body: T,
    pub meta: CommandMeta,
}

impl<T: DeserializeOwned> FromRequest<AppState> for Body<T> {
    type Rejection = HumanPingError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, HumanPingError> {
        let CommandRequest { body, meta } = CommandRequest::<T>::from_request(request, state)
            .await
            .map_err(HumanPingError::from)?;
        Ok(Body { body, meta })
    }
}

/// A path's parameters; one that does not decode names nothing (404).
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(HumanPingError))]
pub struct HpPath<T>(pub T);

impl From<PathRejection> for HumanPingError {
    fn from(rejection: PathRejection) -> Self {
        match rejection {
            PathRejection::FailedToDeserializePathParams(_) => HumanPingError::not_found("task"),
            other => {
                HumanPingError::Internal(anyhow::anyhow!("path parameters: {}", other.body_text()))
            }
        }
    }
}

/// A query string; an unknown parameter or one of the wrong type is a 400.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(HumanPingError))]
pub struct HpQuery<T>(pub T);

impl From<QueryRejection> for HumanPingError {
    fn from(rejection: QueryRejection) -> Self {
        HumanPingError::BadRequest(rejection.body_text())
    }
}
