//! HumanPing's one error type, sent in its envelope `{"error": "…", …extra}`
//! with its status codes. Every refusal of the layers below (bus, domain,
//! queries, the shared extractors) is mapped here once, through the native
//! `ApiError`, so a HumanPing client never sees problem+json.

use crate::bus::BusError;
use crate::http::errors::{current_request_id, ApiError};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use errand_aggregates::DomainError;
use serde_json::{json, Map, Value};

/// Where a client short of funds is sent.
pub const DEPOSIT_URL: &str = "/humanping/api/v1/wallet/deposit";

#[derive(Debug, thiserror::Error)]
pub enum HumanPingError {
    /// Missing or invalid parameters, malformed JSON, unknown fields.
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("Insufficient funds.")]
    InsufficientFunds {
        balance_cents: i64,
        needed_cents: i64,
    },
    #[error("{0}")]
    Forbidden(String),
    /// Not found, or not the caller's (the two are not told apart).
    #[error("{0}")]
    NotFound(String),
    #[error("Method not allowed.")]
    MethodNotAllowed,
    /// Not allowed in the resource's state, or already exists.
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    /// Too many requests from this key or address.
    #[error("Rate limited — slow down.")]
    RateLimited { retry_after_seconds: u64 },
    /// Busy (read models catching up, contention): retry shortly.
    #[error("{0}")]
    Unavailable(String),
    #[error("Internal server error.")]
    Internal(#[source] anyhow::Error),
}

pub type HumanPingResult<T> = Result<T, HumanPingError>;

impl HumanPingError {
    pub fn not_found(what: &str) -> Self {
        HumanPingError::NotFound(format!("{} not found.", capitalized(what)))
    }

    fn status(&self) -> StatusCode {
        match self {
            HumanPingError::BadRequest(_) => StatusCode::BAD_REQUEST,
            HumanPingError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            HumanPingError::InsufficientFunds { .. } => StatusCode::PAYMENT_REQUIRED,
            HumanPingError::Forbidden(_) => StatusCode::FORBIDDEN,
            HumanPingError::NotFound(_) => StatusCode::NOT_FOUND,
            HumanPingError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            HumanPingError::Conflict(_) => StatusCode::CONFLICT,
            HumanPingError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            HumanPingError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            HumanPingError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            HumanPingError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl From<ApiError> for HumanPingError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Unauthorized(message) => HumanPingError::Unauthorized(message.to_owned()),
            ApiError::Forbidden(message) => HumanPingError::Forbidden(message),
            ApiError::NotFound(what) => HumanPingError::not_found(&what),
            error @ (ApiError::BadRequest { .. }
            | ApiError::Invalid(_)
            | ApiError::UnsupportedMediaType) => HumanPingError::BadRequest(error.to_string()),
            error @ ApiError::TooLarge(_) => HumanPingError::TooLarge(error.to_string()),
            ApiError::MethodNotAllowed => HumanPingError::MethodNotAllowed,
            error @ (ApiError::Conflict(_)
            | ApiError::CallerChanged
            | ApiError::IdempotencyKeyReused
            | ApiError::IdempotencyKeyInFlight) => HumanPingError::Conflict(error.to_string()),
            ApiError::Taken("email") => {
                HumanPingError::Conflict("This email is already registered.".to_owned())
            }
            error @ ApiError::Taken(_) => HumanPingError::Conflict(error.to_string()),
            ApiError::RateLimited {
                retry_after_seconds,
                ..
            } => HumanPingError::RateLimited {
                retry_after_seconds,
            },
            ApiError::InsufficientFunds {
                available_cents,
                needed_cents,
            } => HumanPingError::InsufficientFunds {
                balance_cents: available_cents,
                needed_cents,
            },
            error @ (ApiError::Lagging | ApiError::Contention(_)) => {
                HumanPingError::Unavailable(error.to_string())
            }
            ApiError::Internal(cause) => HumanPingError::Internal(cause),
        }
    }
}

impl From<BusError> for HumanPingError {
    fn from(error: BusError) -> Self {
        ApiError::from(error).into()
    }
}

impl From<DomainError> for HumanPingError {
    fn from(error: DomainError) -> Self {
        ApiError::from(error).into()
    }
}

impl From<errand_aggregates::money::MoneyError> for HumanPingError {
    fn from(error: errand_aggregates::money::MoneyError) -> Self {
        HumanPingError::BadRequest(error.to_string())
    }
}

impl From<crate::queries::QueryError> for HumanPingError {
    fn from(error: crate::queries::QueryError) -> Self {
        ApiError::from(error).into()
    }
}

impl From<sqlx::Error> for HumanPingError {
    fn from(error: sqlx::Error) -> Self {
        HumanPingError::Internal(error.into())
    }
}

impl From<crate::journal::JournalError> for HumanPingError {
    fn from(error: crate::journal::JournalError) -> Self {
        HumanPingError::Internal(error.into())
    }
}

impl IntoResponse for HumanPingError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut body = Map::new();
        let message = match &self {
            HumanPingError::Internal(cause) => {
                let request_id = current_request_id();
                tracing::error!(request_id, error = ?cause, "internal error");
                body.insert("request_id".into(), json!(request_id));
                "Internal server error. Please report it with the request_id.".to_owned()
            }
            other => other.to_string(),
        };
        body.insert("error".into(), json!(message));
        if let HumanPingError::InsufficientFunds {
            balance_cents,
            needed_cents,
        } = &self
        {
            body.insert("balance_cents".into(), json!(balance_cents));
            body.insert("needed_cents".into(), json!(needed_cents));
            body.insert("deposit_url".into(), json!(DEPOSIT_URL));
        }
        if let HumanPingError::RateLimited {
            retry_after_seconds,
        } = &self
        {
            body.insert("retry_after_seconds".into(), json!(retry_after_seconds));
        }
        let mut response = (status, axum::Json(Value::Object(body))).into_response();
        let headers = response.headers_mut();
        match self {
            HumanPingError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            HumanPingError::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            HumanPingError::RateLimited {
                retry_after_seconds,
            } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds));
            }
            _ => {}
        }
        response
    }
}
