//! What an InstaHuman request carries, refused in InstaHuman's envelope: the
//! caller (`Authorization: Bearer ih_…`, an API key issued with the `ih`
//! prefix through `POST /v1/actors/{id}/keys` or the CLI), JSON bodies
//! (malformed JSON, unknown, missing or wrongly typed fields are all 400
//! here), paths and query strings.

use super::errors::InstaHumanError;
use crate::http::auth::{principal_for_secret, Principal};
use crate::http::extract::{CommandMeta, CommandRequest};
use crate::http::state::AppState;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use serde::de::DeserializeOwned;

/// The start of every InstaHuman key's secret (`ih_live_…`, `ih_test_…`).
pub const KEY_PREFIX: &str = "ih_";

/// The key of `Authorization: Bearer ih_…` (the REST extractor's and the
/// MCP endpoint's rule), or why there is none. Only InstaHuman keys are
/// taken: another API's key (or a person's login token) is a 401 that says
/// which key to use, so a client configured with the wrong one learns why.
pub fn api_key(headers: &HeaderMap) -> Result<&str, InstaHumanError> {
    let unauthorized = |message: &str| InstaHumanError::Unauthorized(message.to_owned());
    let value = headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or_else(|| unauthorized("Missing API key: send Authorization: Bearer ih_…."))?
        .to_str()
        .map_err(|_| unauthorized("Malformed Authorization header."))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or_else(|| unauthorized("Authorization must be Bearer <API key>."))?;
    if !token.starts_with(KEY_PREFIX) {
        return Err(unauthorized(
            "InstaHuman takes API keys starting ih_; issue one with POST /v1/actors/{id}/keys {\"prefix\": \"ih\"}.",
        ));
    }
    Ok(token)
}

/// The principal behind the request's InstaHuman key.
pub async fn authenticate(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<Principal, InstaHumanError> {
    let key = api_key(headers)?;
    Ok(principal_for_secret(app, key).await?)
}

/// Whoever calls with an InstaHuman key. What each may do is the
/// handler's (and the domain's) to say.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

/// The native scopes a key may be limited to that InstaHuman endpoints check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Jobs and projects, read.
    Read,
    /// Jobs and projects, written.
    Write,
    /// The owner's balance and billing, read.
    BillingRead,
    /// Credits added, payment methods and auto-reload set.
    BillingWrite,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "tasks:read",
            Scope::Write => "tasks:write",
            Scope::BillingRead => "wallet:read",
            Scope::BillingWrite => "wallet:write",
        }
    }
}

impl Caller {
    /// 403 when the key was issued limited to scopes without `scope`.
    pub fn require(&self, scope: Scope) -> Result<&Principal, InstaHumanError> {
        self.0.require_scope(scope.as_str()).map_err(|_| {
            InstaHumanError::Forbidden(format!("This API key lacks the {} scope.", scope.as_str()))
        })?;
        Ok(&self.0)
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = InstaHumanError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, InstaHumanError> {
        Ok(Caller(authenticate(state, &parts.headers).await?))
    }
}

/// A command's JSON body (camelCase fields, as each request type says) and
/// its headers (`Idempotency-Key`). An empty body reads as `{}`.
pub struct Body<T> {
    pub body: T,
    pub meta: CommandMeta,
}

impl<T: DeserializeOwned> FromRequest<AppState> for Body<T> {
    type Rejection = InstaHumanError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, InstaHumanError> {
        let CommandRequest { body, meta } = CommandRequest::<T>::from_request(request, state)
            .await
            .map_err(InstaHumanError::from)?;
        Ok(Body { body, meta })
    }
}

/// A path's parameters; one that does not decode names nothing (404).
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(InstaHumanError))]
pub struct IhPath<T>(pub T);

impl From<PathRejection> for InstaHumanError {
    fn from(rejection: PathRejection) -> Self {
        match rejection {
            PathRejection::FailedToDeserializePathParams(_) => {
                InstaHumanError::not_found("resource")
            }
            other => {
                InstaHumanError::Internal(anyhow::anyhow!("path parameters: {}", other.body_text()))
            }
        }
    }
}

/// A query string; an unknown parameter or one of the wrong type is a 400.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(InstaHumanError))]
pub struct IhQuery<T>(pub T);

impl From<QueryRejection> for InstaHumanError {
    fn from(rejection: QueryRejection) -> Self {
        InstaHumanError::BadRequest(rejection.body_text())
    }
}
