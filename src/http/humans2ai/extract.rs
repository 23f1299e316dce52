//! What a Humans2AI request carries, refused in Humans2AI's envelope: the
//! caller (`Authorization: Bearer sk_live_…` / `sk_test_…`, or the ID token
//! `/public/auth/login` gave, a JWT), the scope an endpoint needs, JSON
//! bodies (the native parsing: malformed JSON, unknown, missing or
//! wrong-typed fields are all `VALIDATION_ERROR` here), paths and query
//! strings.

use super::errors::Humans2AiError;
use crate::http::auth::{principal_for_secret, Principal};
use crate::http::extract::{CommandMeta, CommandRequest};
use crate::http::state::AppState;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The permission scopes of the seed, each naming what an endpoint needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    TasksRead,
    TasksWrite,
    WalletRead,
    MessagesRead,
    MessagesWrite,
}

impl Scope {
    pub const ALL: [Scope; 5] = [
        Scope::TasksRead,
        Scope::TasksWrite,
        Scope::WalletRead,
        Scope::MessagesRead,
        Scope::MessagesWrite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::TasksRead => "tasks:read",
            Scope::TasksWrite => "tasks:write",
            Scope::WalletRead => "wallet:read",
            Scope::MessagesRead => "messages:read",
            Scope::MessagesWrite => "messages:write",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == text)
    }
}

/// Whoever calls with a key or an ID token: an agent, a human or an admin.
/// What each may do is the handler's (and the domain's) to say.
pub struct Caller(pub Principal);

impl Caller {
    /// 403 `FORBIDDEN` when the key was issued without `scope`.
    pub fn require(&self, scope: Scope) -> Result<&Principal, Humans2AiError> {
        require_scope(&self.0, scope)?;
        Ok(&self.0)
    }
}

pub fn require_scope(principal: &Principal, scope: Scope) -> Result<(), Humans2AiError> {
    principal.require_scope(scope.as_str()).map_err(|_| {
        Humans2AiError::Forbidden(format!(
            "This API key lacks the {} permission scope.",
            scope.as_str()
        ))
    })
}

fn bearer(parts: &Parts) -> Result<&str, Humans2AiError> {
    bearer_token(&parts.headers).map_err(|message| Humans2AiError::Unauthorized(message.to_owned()))
}

/// The key or ID token of `Authorization: Bearer …` (the REST extractor's
/// and the MCP endpoint's rule), or why there is none (a 401's message).
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Result<&str, &'static str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or("Missing Bearer token: send Authorization: Bearer sk_live_….")?
        .to_str()
        .map_err(|_| "Malformed Authorization header.")?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or("Authorization must be Bearer <api key or ID token>.")
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Humans2AiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Humans2AiError> {
        let principal = principal_for_secret(state, bearer(parts)?).await?;
        Ok(Caller(principal))
    }
}

/// A command's JSON body and its headers (`Idempotency-Key`).
pub struct Body<T> {
    pub body: T,
    pub meta: CommandMeta,
}

impl<T: DeserializeOwned> FromRequest<AppState> for Body<T> {
    type Rejection = Humans2AiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Humans2AiError> {
        let CommandRequest { body, meta } = CommandRequest::<T>::from_request(request, state)
            .await
            .map_err(Humans2AiError::from)?;
        Ok(Body { body, meta })
    }
}

/// A path's parameters; one that does not decode names nothing (404).
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Humans2AiError))]
pub struct H2aPath<T>(pub T);

impl From<PathRejection> for Humans2AiError {
    fn from(rejection: PathRejection) -> Self {
        match rejection {
            PathRejection::FailedToDeserializePathParams(_) => {
                Humans2AiError::not_found("resource")
            }
            other => {
                Humans2AiError::Internal(anyhow::anyhow!("path parameters: {}", other.body_text()))
            }
        }
    }
}

/// A query string; an unknown parameter or one of the wrong type is a 400.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Humans2AiError))]
pub struct H2aQuery<T>(pub T);

impl From<QueryRejection> for Humans2AiError {
    fn from(rejection: QueryRejection) -> Self {
        Humans2AiError::Validation(rejection.body_text())
    }
}
