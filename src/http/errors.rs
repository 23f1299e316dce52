//! The native API's one error type, rendered once as RFC 9457
//! `application/problem+json` with a stable `code`. A 500 is logged with its
//! cause chain; the client sees only an opaque message and the request id.

use crate::bus::BusError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use errand_aggregates::money::MoneyError;
use errand_aggregates::{DomainError, RuleKind};
use serde::Serialize;
use utoipa::ToSchema;

tokio::task_local! {
    /// The id of the request being served, for error bodies and logs.
    pub static REQUEST_ID: String;
}

pub fn current_request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_default()
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(String),
    /// The body is not JSON, or not the JSON this endpoint takes.
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    /// Well-formed, but a value is out of bounds or breaks a rule.
    #[error("{0}")]
    Invalid(String),
    #[error("the request body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("send the body as Content-Type: application/json")]
    UnsupportedMediaType,
    #[error("this method is not allowed here; the Allow header lists those that are")]
    MethodNotAllowed,
    #[error("{0}")]
    Conflict(String),
    /// Something unique (an email address) already belongs to someone.
    #[error("this {0} is already taken")]
    Taken(&'static str),
    #[error("insufficient funds: {available_cents} cents available, {needed_cents} needed")]
    InsufficientFunds {
        available_cents: i64,
        needed_cents: i64,
    },
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyKeyReused,
    #[error("a request with this Idempotency-Key is in progress")]
    IdempotencyKeyInFlight,
    #[error("the read models are catching up; retry shortly")]
    Lagging,
    #[error("{0}")]
    Contention(String),
    #[error("the key or its actor changed while the request was handled; send it again")]
    CallerChanged,
    #[error("too many {class} requests; retry in {retry_after_seconds} s")]
    RateLimited {
        class: &'static str,
        retry_after_seconds: u64,
    },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        ApiError::Internal(error.into())
    }

    /// The stable snake_case code of the problem (MCP tools' errors carry it too).
    pub fn code(&self) -> &'static str {
        self.status_and_code().1
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, code),
            ApiError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
            ApiError::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "invalid_transition"),
            ApiError::Taken("email") => (StatusCode::CONFLICT, "email_taken"),
            ApiError::Taken(_) => (StatusCode::CONFLICT, "already_taken"),
            ApiError::InsufficientFunds { .. } => {
                (StatusCode::PAYMENT_REQUIRED, "insufficient_funds")
            }
            ApiError::IdempotencyKeyReused => {
                (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused")
            }
            ApiError::IdempotencyKeyInFlight => (StatusCode::CONFLICT, "idempotency_key_in_flight"),
            ApiError::Lagging => (StatusCode::SERVICE_UNAVAILABLE, "read_models_lagging"),
            ApiError::Contention(_) => (StatusCode::SERVICE_UNAVAILABLE, "contention"),
            ApiError::CallerChanged => (StatusCode::CONFLICT, "caller_changed"),
            ApiError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Invalid(detail) => ApiError::Invalid(detail),
            DomainError::Conflict(detail) => ApiError::Conflict(detail),
            DomainError::Forbidden(detail) => ApiError::Forbidden(detail),
            DomainError::NotFound(what) => ApiError::NotFound(what.to_owned()),
            DomainError::InsufficientFunds {
                available_cents,
                needed_cents,
            } => ApiError::InsufficientFunds {
                available_cents,
                needed_cents,
            },
            DomainError::Money(error) => ApiError::Invalid(error.to_string()),
            DomainError::Taken(what) => ApiError::Taken(what),
            // Each dialect with such limits maps these from the domain error
            // itself (see `humans2ai::errors`); the native API says 422.
            DomainError::LimitExceeded(detail) | DomainError::ContentRefused(detail) => {
                ApiError::Invalid(detail)
            }
            DomainError::Rule { kind, message, .. } => match kind {
                RuleKind::Invalid => ApiError::Invalid(message),
                RuleKind::Conflict => ApiError::Conflict(message),
                RuleKind::Forbidden => ApiError::Forbidden(message),
            },
        }
    }
}

impl From<MoneyError> for ApiError {
    fn from(error: MoneyError) -> Self {
        ApiError::Invalid(error.to_string())
    }
}

impl From<BusError> for ApiError {
    fn from(error: BusError) -> Self {
        match error {
            BusError::Domain(error) => error.into(),
            BusError::UnknownActor => ApiError::Unauthorized("the key's actor does not exist"),
            BusError::IdempotencyKeyReused => ApiError::IdempotencyKeyReused,
            BusError::IdempotencyKeyInFlight => ApiError::IdempotencyKeyInFlight,
            error @ BusError::Contention { .. } => ApiError::Contention(error.to_string()),
            BusError::CallerChanged => ApiError::CallerChanged,
            error @ (BusError::Corrupt { .. }
            | BusError::Reply(_)
            | BusError::Journal(_)
            | BusError::TopUpDue(_)) => ApiError::internal(error),
        }
    }
}

impl From<crate::queries::QueryError> for ApiError {
    fn from(error: crate::queries::QueryError) -> Self {
        match error {
            crate::queries::QueryError::Invalid(detail) => ApiError::Invalid(detail),
            crate::queries::QueryError::Database(error) => ApiError::internal(error),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        ApiError::internal(error)
    }
}

/// An RFC 9457 problem, as every error of the native API is sent
/// (`Content-Type: application/problem+json`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// `/problems/<code>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The status's reason phrase.
    pub title: String,
    pub status: u16,
    /// What went wrong, for people.
    pub detail: String,
    /// Stable and snake_case, for programs: `malformed_json`, `invalid_body`,
    /// `invalid_query`, `validation_failed`, `unauthorized`, `forbidden`,
    /// `not_found`, `invalid_transition`, `insufficient_funds`, `rate_limited`, …
    pub code: String,
    /// Quote it when reporting a problem; it is on every log line of the request.
    pub request_id: String,
    /// With `insufficient_funds` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_cents: Option<i64>,
    /// With `insufficient_funds` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needed_cents: Option<i64>,
}

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let request_id = current_request_id();
        let detail = match &self {
            ApiError::Internal(cause) => {
                tracing::error!(request_id, error = ?cause, "internal error");
                "internal error; quote the request id when reporting it".to_owned()
            }
            other => other.to_string(),
        };
        let (available_cents, needed_cents) = match &self {
            ApiError::InsufficientFunds {
                available_cents,
                needed_cents,
            } => (Some(*available_cents), Some(*needed_cents)),
            _ => (None, None),
        };
        let problem = Problem {
            problem_type: format!("/problems/{code}"),
            title: status.canonical_reason().unwrap_or("error").to_owned(),
            status: status.as_u16(),
            detail,
            code: code.to_owned(),
            request_id,
            available_cents,
            needed_cents,
        };
        let body = serde_json::to_string(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
        );
        if matches!(self, ApiError::Lagging | ApiError::Contention(_)) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if let ApiError::RateLimited {
            retry_after_seconds,
            ..
        } = self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
