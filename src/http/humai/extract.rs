//! What a Humai request carries, refused in Humai's envelope: the caller
//! (`X-API-Key: hm_…`, a key of the `hm` prefix, as `/agents-quick-start`
//! and `/actors-register` issue), JSON bodies (malformed JSON, unknown,
//! missing or wrongly typed fields are all 400 `validation_error`) and
//! query strings (an unknown parameter too).

use super::errors::HumaiError;
use crate::http::auth::{principal_for_secret, Principal};
use crate::http::extract::{CommandMeta, CommandRequest};
use crate::http::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use serde::de::DeserializeOwned;

/// The start of every Humai key's secret (`hm_live_…`).
pub const KEY_PREFIX: &str = "hm_";
/// The dialect prefix keys are issued with.
pub const KEY_DIALECT: &str = "hm";

const API_KEY_HEADER: &str = "x-api-key";

/// The key of `X-API-Key: hm_…`, or why there is none. Another API's key
/// is refused like a wrong one, saying which key Humai takes.
pub fn api_key(headers: &HeaderMap) -> Result<&str, HumaiError> {
    let unauthorized = |message: &str| HumaiError::Unauthorized(message.to_owned());
    let key = headers
        .get(API_KEY_HEADER)
        .ok_or_else(|| unauthorized("Missing API key: send X-API-Key: hm_…."))?
        .to_str()
        .map_err(|_| unauthorized("Malformed X-API-Key header."))?
        .trim();
    if !key.starts_with(KEY_PREFIX) {
        return Err(unauthorized(
            "Humai takes API keys starting hm_; get one from POST /agents-quick-start or /actors-register.",
        ));
    }
    Ok(key)
}

/// Whoever calls with a Humai key.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = HumaiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HumaiError> {
        let key = api_key(&parts.headers)?;
        let principal = principal_for_secret(state, key).await.map_err(|error| {
            // A banned actor's key is as good as none to Humai: 401.
            match HumaiError::from(error) {
                HumaiError::Forbidden(message) => HumaiError::Unauthorized(message),
                other => other,
            }
        })?;
        Ok(Caller(principal))
    }
}

/// A command's JSON body and its headers. An empty body reads as `{}`.
pub struct Body<T> {
    pub body: T,
    pub meta: CommandMeta,
}

impl<T: DeserializeOwned> FromRequest<AppState> for Body<T> {
    type Rejection = HumaiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, HumaiError> {
        let CommandRequest { body, meta } = CommandRequest::<T>::from_request(request, state)
            .await
            .map_err(HumaiError::from)?;
        Ok(Body { body, meta })
    }
}

/// A query string; an unknown parameter or one of the wrong type is a 400.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(HumaiError))]
pub struct HumaiQuery<T>(pub T);

impl From<QueryRejection> for HumaiError {
    fn from(rejection: QueryRejection) -> Self {
        HumaiError::Validation(rejection.body_text())
    }
}
