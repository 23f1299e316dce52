//! Humans2AI's one error type, sent in its envelope
//! `{"success": false, "error": {"code", "message"}}` with the seed's codes
//! and statuses. Every refusal of the layers below (bus, domain, queries, the
//! shared extractors) is mapped here once, through the native `ApiError`, so
//! a Humans2AI client never sees problem+json.

use crate::bus::BusError;
use crate::http::errors::{current_request_id, ApiError};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use errand_aggregates::DomainError;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum Humans2AiError {
    /// Missing, malformed, revoked or expired credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// Authenticated, but without the scope or the right.
    #[error("{0}")]
    Forbidden(String),
    /// The task does not exist, or is not the caller's to see.
    #[error("{0}")]
    TaskNotFound(String),
    /// Any other resource that does not exist or is not the caller's.
    #[error("{0}")]
    NotFound(String),
    /// Malformed JSON, missing, unknown or invalid fields.
    #[error("{0}")]
    Validation(String),
    #[error("Wallet balance too low: {available_cents} cents available, {needed_cents} needed.")]
    InsufficientBalance {
        available_cents: i64,
        needed_cents: i64,
    },
    /// The Risk Gate refused the task's content; the message names the rule.
    #[error("{0}")]
    RiskGateBlocked(String),
    /// A count limit (active API keys) is reached.
    #[error("{0}")]
    LimitExceeded(String),
    /// Not allowed in the resource's state, or already exists.
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("Method not allowed.")]
    MethodNotAllowed,
    #[error("Too many requests; retry in {retry_after_seconds} s.")]
    RateLimited { retry_after_seconds: u64 },
    /// Busy (read models catching up, contention): retry shortly.
    #[error("{0}")]
    Unavailable(String),
    #[error("Internal server error.")]
    Internal(#[source] anyhow::Error),
}

pub type Humans2AiResult<T> = Result<T, Humans2AiError>;

impl Humans2AiError {
    pub fn task_not_found() -> Self {
        Humans2AiError::TaskNotFound("Task not found.".into())
    }

    pub fn not_found(what: &str) -> Self {
        if what == "task" {
            return Humans2AiError::task_not_found();
        }
        let mut chars = what.chars();
        let what: String = match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => "Resource".into(),
        };
        Humans2AiError::NotFound(format!("{what} not found."))
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Humans2AiError::Validation(message.into())
    }

    /// The seed's code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            Humans2AiError::Unauthorized(_) => "UNAUTHORIZED",
            Humans2AiError::Forbidden(_) => "FORBIDDEN",
            Humans2AiError::TaskNotFound(_) => "TASK_NOT_FOUND",
            Humans2AiError::NotFound(_) => "NOT_FOUND",
            Humans2AiError::Validation(_) | Humans2AiError::TooLarge(_) => "VALIDATION_ERROR",
            Humans2AiError::InsufficientBalance { .. } => "INSUFFICIENT_BALANCE",
            Humans2AiError::RiskGateBlocked(_) => "RISK_GATE_BLOCKED",
            Humans2AiError::LimitExceeded(_) => "LIMIT_EXCEEDED",
            Humans2AiError::Conflict(_) => "CONFLICT",
            Humans2AiError::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Humans2AiError::RateLimited { .. } => "RATE_LIMITED",
            Humans2AiError::Unavailable(_) => "SERVICE_UNAVAILABLE",
            Humans2AiError::Internal(_) => "INTERNAL_ERROR",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Humans2AiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Humans2AiError::Forbidden(_) => StatusCode::FORBIDDEN,
            Humans2AiError::TaskNotFound(_) | Humans2AiError::NotFound(_) => StatusCode::NOT_FOUND,
            Humans2AiError::Validation(_)
            | Humans2AiError::InsufficientBalance { .. }
            | Humans2AiError::RiskGateBlocked(_)
            | Humans2AiError::LimitExceeded(_) => StatusCode::BAD_REQUEST,
            Humans2AiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Humans2AiError::Conflict(_) => StatusCode::CONFLICT,
            Humans2AiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Humans2AiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Humans2AiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Humans2AiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<ApiError> for Humans2AiError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Unauthorized(message) => Humans2AiError::Unauthorized(message.to_owned()),
            ApiError::Forbidden(message) => Humans2AiError::Forbidden(message),
            ApiError::NotFound(what) => Humans2AiError::not_found(&what),
            error @ (ApiError::BadRequest { .. }
            | ApiError::Invalid(_)
            | ApiError::UnsupportedMediaType) => Humans2AiError::Validation(error.to_string()),
            error @ ApiError::TooLarge(_) => Humans2AiError::TooLarge(error.to_string()),
            ApiError::MethodNotAllowed => Humans2AiError::MethodNotAllowed,
            error @ (ApiError::Conflict(_)
            | ApiError::CallerChanged
            | ApiError::IdempotencyKeyReused
            | ApiError::IdempotencyKeyInFlight
            | ApiError::Taken(_)) => Humans2AiError::Conflict(error.to_string()),
            ApiError::RateLimited {
                retry_after_seconds,
                ..
            } => Humans2AiError::RateLimited {
                retry_after_seconds,
            },
            ApiError::InsufficientFunds {
                available_cents,
                needed_cents,
            } => Humans2AiError::InsufficientBalance {
                available_cents,
                needed_cents,
            },
            error @ (ApiError::Lagging | ApiError::Contention(_)) => {
                Humans2AiError::Unavailable(error.to_string())
            }
            ApiError::Internal(cause) => Humans2AiError::Internal(cause),
        }
    }
}

impl From<BusError> for Humans2AiError {
    fn from(error: BusError) -> Self {
        match error {
            BusError::Domain(error) => error.into(),
            other => ApiError::from(other).into(),
        }
    }
}

/// The domain's refusals with a code of their own here; the rest as the
/// native API maps them.
impl From<DomainError> for Humans2AiError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::LimitExceeded(message) => Humans2AiError::LimitExceeded(message),
            DomainError::ContentRefused(message) => Humans2AiError::RiskGateBlocked(message),
            other => ApiError::from(other).into(),
        }
    }
}

impl From<errand_aggregates::money::MoneyError> for Humans2AiError {
    fn from(error: errand_aggregates::money::MoneyError) -> Self {
        Humans2AiError::Validation(error.to_string())
    }
}

impl From<crate::queries::QueryError> for Humans2AiError {
    fn from(error: crate::queries::QueryError) -> Self {
        ApiError::from(error).into()
    }
}

impl From<sqlx::Error> for Humans2AiError {
    fn from(error: sqlx::Error) -> Self {
        Humans2AiError::Internal(error.into())
    }
}

impl Humans2AiError {
    /// The refusal's body, `{"success": false, "error": {code, message}}`
    /// (over HTTP and in an MCP tool's error result); a 500's cause is
    /// logged here and never shown.
    pub fn envelope(&self) -> serde_json::Value {
        let mut error = json!({ "code": self.code() });
        match self {
            Humans2AiError::Internal(cause) => {
                let request_id = current_request_id();
                tracing::error!(request_id, error = ?cause, "internal error");
                error["message"] =
                    json!("Internal server error. Please report it with the requestId.");
                error["requestId"] = json!(request_id);
            }
            other => error["message"] = json!(other.to_string()),
        }
        if let Humans2AiError::InsufficientBalance {
            available_cents,
            needed_cents,
        } = self
        {
            error["available"] = super::views::dollars(*available_cents);
            error["required"] = super::views::dollars(*needed_cents);
        }
        json!({ "success": false, "error": error })
    }
}

impl IntoResponse for Humans2AiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = self.envelope();
        let mut response = (status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        match self {
            Humans2AiError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Humans2AiError::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            Humans2AiError::RateLimited {
                retry_after_seconds,
            } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds));
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(response: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(response.into_body(), 4_096)
            .await
            .expect("body");
        serde_json::from_slice(&bytes).expect("JSON")
    }

    #[tokio::test]
    async fn every_refusal_is_the_seeds_envelope_with_its_code_and_status() {
        let cases = [
            (
                Humans2AiError::Unauthorized("no".into()),
                401,
                "UNAUTHORIZED",
            ),
            (Humans2AiError::Forbidden("no".into()), 403, "FORBIDDEN"),
            (Humans2AiError::task_not_found(), 404, "TASK_NOT_FOUND"),
            (Humans2AiError::not_found("key"), 404, "NOT_FOUND"),
            (Humans2AiError::validation("bad"), 400, "VALIDATION_ERROR"),
            (
                Humans2AiError::InsufficientBalance {
                    available_cents: 1,
                    needed_cents: 2,
                },
                400,
                "INSUFFICIENT_BALANCE",
            ),
            (
                Humans2AiError::RiskGateBlocked("rule".into()),
                400,
                "RISK_GATE_BLOCKED",
            ),
            (
                Humans2AiError::LimitExceeded("ten".into()),
                400,
                "LIMIT_EXCEEDED",
            ),
            (Humans2AiError::Conflict("state".into()), 409, "CONFLICT"),
            (
                Humans2AiError::RateLimited {
                    retry_after_seconds: 3,
                },
                429,
                "RATE_LIMITED",
            ),
            (
                Humans2AiError::Internal(anyhow::anyhow!("secret cause")),
                500,
                "INTERNAL_ERROR",
            ),
        ];
        for (error, status, code) in cases {
            let response = error.into_response();
            assert_eq!(response.status().as_u16(), status, "{code}");
            let body = body(response).await;
            assert_eq!(body["success"], json!(false));
            assert_eq!(body["error"]["code"], json!(code));
            let message = body["error"]["message"].as_str().expect("message");
            assert!(!message.contains("secret cause"), "{message}");
        }
    }

    #[test]
    fn a_missing_task_is_task_not_found_and_anything_else_not_found() {
        assert_eq!(
            Humans2AiError::from(ApiError::NotFound("task".into())).code(),
            "TASK_NOT_FOUND"
        );
        assert_eq!(
            Humans2AiError::from(ApiError::NotFound("application".into())).code(),
            "NOT_FOUND"
        );
        assert_eq!(
            Humans2AiError::from(ApiError::Conflict("x".into())).code(),
            "CONFLICT"
        );
    }
}
