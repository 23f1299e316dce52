//! What a request carries, parsed with clear errors. Command bodies: 400
//! `malformed_json` for what is not JSON, 400 `invalid_body` for JSON of the
//! wrong shape (a field missing, unknown or of the wrong JSON type), 422
//! `validation_failed` for a value out of bounds (a number the field cannot
//! hold, a string not among an enum's, text holding U+0000, a rule the domain
//! refuses), 413 too large, 415 not JSON at all; plus
//! the headers every command honours: `Idempotency-Key` and `Errand-Dry-Run`.
//! Paths and query strings: [`ApiPath`] and [`ApiQuery`], whose refusals are
//! problems like every other.

use super::auth::Principal;
use super::errors::{current_request_id, ApiError};
use super::state::AppState;
use crate::bus::{CommandContext, Idempotency};
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
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

impl CommandMeta {
    /// For a command anyone may send (registering, verifying an email): no
    /// principal, and no idempotent replay, since strangers sharing one
    /// principal could otherwise be replayed each other's replies (tokens).
    pub fn public_context(
        &self,
        principal: String,
        command: &'static str,
        reply_status: u16,
    ) -> CommandContext {
        CommandContext {
            principal,
            actor: None,
            request_id: self.request_id.clone(),
            command,
            command_id: uuid::Uuid::now_v7().to_string(),
            idempotency: None,
            dry_run: self.dry_run,
            reply_status,
            guards: Vec::new(),
        }
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for CommandRequest<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let (parts, body) = request.into_parts();
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
        let meta = command_meta(&parts, &bytes)?;
        let body = parse_json::<T>(&parts.headers, &bytes)?;
        Ok(CommandRequest { body, meta })
    }
}

/// A command's headers (`Idempotency-Key`, `Errand-Dry-Run`) and the
/// fingerprint of its body, for handlers that read the body themselves
/// (uploads).
pub fn command_meta(parts: &Parts, bytes: &[u8]) -> Result<CommandMeta, ApiError> {
    let headers = &parts.headers;
    let idempotency = headers
        .get("idempotency-key")
        .map(|value| {
            idempotency(
                // Not visible ASCII: refused as any such key is.
                value.to_str().unwrap_or("\n"),
                parts.method.as_str(),
                parts.uri.path(),
                bytes,
            )
        })
        .transpose()?;
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
    Ok(CommandMeta {
        idempotency,
        dry_run,
        request_id: current_request_id(),
    })
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
    // JSON first, then its shape: read straight into `T`, serde_json calls
    // some valid JSON of the wrong type a syntax error (a number where an
    // enum belongs), which would tell the client its JSON is malformed.
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(body_error)?;
    // serde reads a struct from an array of its fields in order too; a
    // command is only ever an object, so `[500]` is no deposit.
    if !value.is_object() {
        return Err(ApiError::BadRequest {
            code: "invalid_body",
            detail: "the body must be a JSON object".into(),
        });
    }
    refuse_nul_characters(&value)?;
    T::deserialize(value).map_err(body_error)
}

/// A command's arguments hold no U+0000 anywhere (see [`nul_character_in`]): for
/// bodies, and for MCP tools' arguments, which reach the same commands.
pub fn refuse_nul_characters(value: &serde_json::Value) -> Result<(), ApiError> {
    match nul_character_in(value) {
        None => Ok(()),
        Some(place) => {
            let place = place.trim_start_matches('.');
            Err(ApiError::Invalid(format!(
                "{place} holds the character U+0000, which no text here may"
            )))
        }
    }
}

/// Where a string (or an object's key) holds U+0000, if one does, as a path
/// (`.proof.attachments[0].url`). PostgreSQL's text cannot store that
/// character: journaled, it would stop every projection that writes the
/// text, and no text a person or an agent sends needs it.
fn nul_character_in(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(text) => text.contains('\0').then(String::new),
        Value::Array(items) => items.iter().enumerate().find_map(|(index, item)| {
            nul_character_in(item).map(|inner| format!("[{index}]{inner}"))
        }),
        Value::Object(fields) => fields.iter().find_map(|(name, field)| {
            if name.contains('\0') {
                return Some(format!(".{}", name.escape_debug()));
            }
            nul_character_in(field).map(|inner| format!(".{name}{inner}"))
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => None,
    }
}

fn body_error(error: serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    let message = error.to_string();
    match error.classify() {
        Category::Data if is_value_out_of_bounds(&message) => ApiError::Invalid(message),
        Category::Data => ApiError::BadRequest {
            code: "invalid_body",
            detail: message,
        },
        // JSON allows any number; serde_json refuses one past f64's range as
        // syntax, but to the client it is a value out of bounds.
        Category::Syntax if message.starts_with("number out of range") => {
            ApiError::Invalid(message)
        }
        Category::Syntax | Category::Eof | Category::Io => ApiError::BadRequest {
            code: "malformed_json",
            detail: format!("the body is not valid JSON: {message}"),
        },
    }
}

/// Whether serde refused a value of the right JSON type as outside what the
/// field allows: a number its integer type cannot hold (negative for an
/// unsigned field, past its range, or with a fraction; JSON has one number
/// type), or a string not among an enum's variants. To the client that is a
/// value out of bounds, a 422 like `"slots": 501` or `"kind": "robot"`, not a
/// body of the wrong shape. serde says which only in its message;
/// `serde_messages_this_relies_on` pins the wording.
fn is_value_out_of_bounds(message: &str) -> bool {
    const INTEGER_TYPES: [&str; 8] = ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"];
    if message.starts_with("unknown variant `") {
        return true;
    }
    let number_given = ["invalid value: integer `", "invalid type: floating point `"]
        .iter()
        .any(|start| message.starts_with(start));
    let expected = message.split_once(", expected ").map(|(_, rest)| rest);
    number_given && expected.is_some_and(|expected| INTEGER_TYPES.contains(&expected))
}

/// `axum::extract::Path` with a problem for its refusal: a path segment that
/// does not decode (not UTF-8, not the type) names nothing here, so 404, as
/// an id that is not a UUID is (`native::parse_id`).
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        match rejection {
            PathRejection::FailedToDeserializePathParams(_) => {
                ApiError::NotFound("resource".into())
            }
            other => ApiError::internal(anyhow::anyhow!("path parameters: {}", other.body_text())),
        }
    }
}

/// `axum::extract::Query` with a problem for its refusal: 400
/// `invalid_query` for a parameter that is unknown or not of its type, 422
/// for an integer past its type's range (as for bodies).
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        let detail = rejection.body_text();
        // `str::parse`'s words for an integer its type cannot hold.
        let out_of_bounds = ["number too large to fit", "number too small to fit"]
            .iter()
            .any(|words| detail.contains(words));
        if out_of_bounds {
            ApiError::Invalid(detail)
        } else {
            ApiError::BadRequest {
                code: "invalid_query",
                detail,
            }
        }
    }
}

/// An idempotency key for a request (`method` and `path` name what it does, `body` its
/// arguments: an MCP tool call names its tool), checked as Stripe checks them.
pub fn idempotency(
    key: &str,
    method: &str,
    path: &str,
    body: &[u8],
) -> Result<Idempotency, ApiError> {
    let valid = !key.is_empty()
        && key.len() <= IDEMPOTENCY_KEY_MAX_CHARS
        && key.chars().all(|c| c.is_ascii_graphic());
    if !valid {
        return Err(ApiError::BadRequest {
            code: "invalid_idempotency_key",
            detail: format!(
                "Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX_CHARS} visible ASCII characters"
            ),
        });
    }
    Ok(Idempotency {
        key: key.to_owned(),
        fingerprint: fingerprint(method, path, body),
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue};
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        cents: i64,
        slots: Option<u32>,
        title: Option<String>,
        mode: Option<Mode>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Mode {
        FirstAccept,
    }

    fn parse(body: &str) -> Result<Body, ApiError> {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        parse_json(&headers, body.as_bytes())
    }

    fn code(body: &str) -> &'static str {
        match parse(body).expect_err(body) {
            ApiError::BadRequest { code, .. } => code,
            ApiError::Invalid(_) => "validation_failed",
            other => panic!("{body}: {other}"),
        }
    }

    #[test]
    fn a_nul_character_is_refused_where_it_is() {
        let body = r#"{"cents": 1, "extra": {"deep": ["ok", "\u0000"]}}"#;
        let Err(ApiError::Invalid(message)) = parse(body) else {
            panic!("{body} is not refused");
        };
        assert!(message.starts_with("extra.deep[1] holds"), "{message}");
    }

    #[test]
    fn serde_messages_this_relies_on() {
        // If serde rewords these, `is_value_out_of_bounds` must follow.
        for (body, start) in [
            (
                r#"{"cents": 1, "slots": -1}"#,
                "invalid value: integer `-1`, expected u32",
            ),
            (
                r#"{"cents": 9223372036854775808}"#,
                "invalid value: integer `9223372036854775808`, expected i64",
            ),
            (
                r#"{"cents": 1.5}"#,
                "invalid type: floating point `1.5`, expected i64",
            ),
            (r#"{"cents": 1e400}"#, "number out of range"),
            (
                r#"{"cents": 1, "mode": "last"}"#,
                "unknown variant `last`, expected `first_accept`",
            ),
        ] {
            let Err(ApiError::Invalid(message)) = parse(body) else {
                panic!("{body} is not refused as out of bounds");
            };
            assert!(message.starts_with(start), "{body}: {message}");
        }
    }

    #[test]
    fn numbers_out_of_bounds_are_422_and_wrong_shapes_400() {
        for body in [
            r#"{"cents": 1, "slots": -1}"#,
            r#"{"cents": 1, "slots": 4294967296}"#,
            r#"{"cents": 99999999999999999999999}"#,
            r#"{"cents": 1e23}"#,
            r#"{"cents": 0.5}"#,
            r#"{"cents": 1, "mode": "last_accept"}"#,
        ] {
            assert_eq!(code(body), "validation_failed", "{body}");
        }
        for body in [
            r#"{"cents": "10"}"#,
            r#"{"cents": null}"#,
            r#"{"cents": 1, "title": 5}"#,
            r#"{"cents": 1, "title": 1.5}"#,
            r#"{"cents": 1, "slots": "2"}"#,
            r#"{"cents": 1, "mode": 1}"#,
            r#"{}"#,
            r#"{"cents": 1, "cent": 1}"#,
            r#"[1, null, null]"#,
            r#""text""#,
            "5",
        ] {
            assert_eq!(code(body), "invalid_body", "{body}");
        }
        for body in [
            r#"{"cents": 1, "title": "a\u0000b"}"#,
            r#"{"cents": 1, "extra": {"deep": ["ok", "\u0000"]}}"#,
            r#"{"cents": 1, "ke\u0000y": 1}"#,
        ] {
            assert_eq!(code(body), "validation_failed", "{body}");
        }
        for body in ["{", "{\"cents\": 1,}", "nope", "{\"cents\": 01}"] {
            assert_eq!(code(body), "malformed_json", "{body}");
        }
    }
}
