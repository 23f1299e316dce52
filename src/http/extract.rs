//! Request bodies for commands: JSON parsed with clear errors (400 for what
//! is not JSON, 422 for JSON of the wrong shape, 413 too large, 415 not
//! JSON at all), plus the headers every command honours: `Idempotency-Key`
//! and `Errand-Dry-Run`.

use super::auth::Principal;
use super::errors::{current_request_id, ApiError};
use super::state::AppState;
use crate::bus::{CommandContext, Idempotency};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

/// Stripe's bound on idempotency keys.
const IDEMPOTENCY_KEY_MAX_CHARS: usize = 255;

/// A command's body and the request's command headers.
pub struct CommandRequest<T> {
    pub body: T,
    pub meta: CommandMeta,
}

pub struct CommandMeta {
    pub idempotency: Option<Idempotency>,
    pub dry_run: bool,
    pub request_id: String,
}

impl CommandMeta {
    pub fn context(
        &self,
        principal: &Principal,
        command: &'static str,
        reply_status: u16,
    ) -> CommandContext {
        CommandContext {
            principal: principal.principal_id(),
            actor: Some(principal.actor_id.to_string()),
            request_id: self.request_id.clone(),
            command,
            command_id: uuid::Uuid::now_v7().to_string(),
            idempotency: self.idempotency.clone(),
            dry_run: self.dry_run,
            reply_status,
            guards: principal.read_at.to_vec(),
        }
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for CommandRequest<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let (parts, body) = request.into_parts();
        let headers = &parts.headers;
        let key = match headers.get("idempotency-key") {
            None => None,
            Some(value) => {
                let key = value.to_str().ok().filter(|k| {
                    !k.is_empty()
                        && k.len() <= IDEMPOTENCY_KEY_MAX_CHARS
                        && k.chars().all(|c| c.is_ascii_graphic())
                });
                Some(key.ok_or_else(|| ApiError::BadRequest {
                    code: "invalid_idempotency_key",
                    detail: format!("Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX_CHARS} visible ASCII characters"),
                })?)
            }
        };
        let dry_run = match headers
            .get("errand-dry-run")
            .map(|v| v.to_str().unwrap_or(""))
        {
            None => false,
            Some("true") | Some("1") => true,
            Some("false") | Some("0") => false,
            Some(_) => {
                return Err(ApiError::BadRequest {
                    code: "invalid_dry_run",
                    detail: "Errand-Dry-Run must be true or false".into(),
                })
            }
        };
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::TooLarge(super::REQUEST_BODY_MAX_BYTES)
                } else {
                    ApiError::BadRequest {
                        code: "unreadable_body",
                        detail: rejection.body_text(),
                    }
                }
            })?;
        let body = parse_json::<T>(&parts.headers, &bytes)?;
        let idempotency = key.map(|key| Idempotency {
            key: key.to_owned(),
            fingerprint: fingerprint(parts.method.as_str(), parts.uri.path(), &bytes),
        });
        Ok(CommandRequest {
            body,
            meta: CommandMeta {
                idempotency,
                dry_run,
                request_id: current_request_id(),
            },
        })
    }
}

/// An empty body reads as `{}`, so commands whose fields are all optional
/// (accept, pause, …) need no body. Public for the fuzz target `native_body`.
pub fn parse_json<T: DeserializeOwned>(
    headers: &axum::http::HeaderMap,
    bytes: &[u8],
) -> Result<T, ApiError> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    if bytes != b"{}" {
        let is_json = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
    }
    serde_json::from_slice(bytes).map_err(|error| {
        use serde_json::error::Category;
        match error.classify() {
            Category::Data => ApiError::Invalid(error.to_string()),
            Category::Syntax | Category::Eof | Category::Io => ApiError::BadRequest {
                code: "malformed_json",
                detail: format!("the body is not valid JSON: {error}"),
            },
        }
    })
}

fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(method.as_bytes());
    hash.update(b"\n");
    hash.update(path.as_bytes());
    hash.update(b"\n");
    hash.update(body);
    hex::encode(hash.finalize())
}
