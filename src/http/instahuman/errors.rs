//! InstaHuman's one error type, sent as `{"error": "Human-readable message"}`
//! with the seed's statuses: 400 bad request or validation, 401 missing or
//! invalid key, 403 not the resource's owner, 404 not found, 409 an invalid
//! state transition, 500 (opaque; the cause is logged with the request id).
//! Every refusal of the layers below (bus, domain, queries, the shared
//! extractors) is mapped here once, through the native `ApiError`.

use crate::bus::BusError;
use crate::http::errors::{current_request_id, ApiError};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use errand_aggregates::money::MoneyError;
use errand_aggregates::DomainError;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum InstaHumanError {
    /// Missing, malformed, revoked or foreign (not `ih_`) key.
    #[error("{0}")]
    Unauthorized(String),
    /// Authenticated, but not the resource's owner or without the scope.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// Malformed JSON, missing, unknown or wrongly typed fields, values out
    /// of bounds, an unknown cursor.
    #[error("{0}")]
    BadRequest(String),
    /// The seed has no status of its own for this; a bad request it is.
    #[error("Insufficient balance: {available_cents} cents available, {needed_cents} cents needed. Add credits and try again.")]
    InsufficientBalance {
        available_cents: i64,
        needed_cents: i64,
    },
    /// Not allowed in the resource's state (an invalid transition), or a
    /// concurrent change won.
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

pub type InstaHumanResult<T> = Result<T, InstaHumanError>;

impl InstaHumanError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        InstaHumanError::BadRequest(message.into())
    }

    /// `what` (`job`, `project`, …) not found, or not the caller's to see.
    pub fn not_found(what: &str) -> Self {
        let mut chars = what.chars();
        let what: String = match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => "Resource".into(),
        };
        InstaHumanError::NotFound(format!("{what} not found."))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            InstaHumanError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            InstaHumanError::Forbidden(_) => StatusCode::FORBIDDEN,
            InstaHumanError::NotFound(_) => StatusCode::NOT_FOUND,
            InstaHumanError::BadRequest(_) | InstaHumanError::InsufficientBalance { .. } => {
                StatusCode::BAD_REQUEST
            }
            InstaHumanError::Conflict(_) => StatusCode::CONFLICT,
            InstaHumanError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            InstaHumanError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            InstaHumanError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            InstaHumanError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            InstaHumanError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The refusal's body, `{"error": "…"}` (over HTTP and in an MCP tool's
    /// error result); a 500's cause is logged here and never shown.
    pub fn envelope(&self) -> serde_json::Value {
        match self {
            InstaHumanError::Internal(cause) => {
                let request_id = current_request_id();
                tracing::error!(request_id, error = ?cause, "internal error");
                json!({
                    "error": format!("Internal server error (request {request_id})."),
                    "requestId": request_id,
                })
            }
            other => json!({ "error": other.to_string() }),
        }
    }
}

impl From<ApiError> for InstaHumanError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Unauthorized(message) => InstaHumanError::Unauthorized(message.to_owned()),
            ApiError::Forbidden(message) => InstaHumanError::Forbidden(message),
            ApiError::NotFound(what) => InstaHumanError::not_found(&what),
            error @ (ApiError::BadRequest { .. }
            | ApiError::Invalid(_)
            | ApiError::UnsupportedMediaType) => InstaHumanError::BadRequest(error.to_string()),
            error @ ApiError::TooLarge(_) => InstaHumanError::TooLarge(error.to_string()),
            ApiError::MethodNotAllowed => InstaHumanError::MethodNotAllowed,
            error @ (ApiError::Conflict(_)
            | ApiError::CallerChanged
            | ApiError::IdempotencyKeyReused
            | ApiError::IdempotencyKeyInFlight
            | ApiError::Taken(_)) => InstaHumanError::Conflict(error.to_string()),
            ApiError::RateLimited {
                retry_after_seconds,
                ..
            } => InstaHumanError::RateLimited {
                retry_after_seconds,
            },
            ApiError::InsufficientFunds {
                available_cents,
                needed_cents,
            } => InstaHumanError::InsufficientBalance {
                available_cents,
                needed_cents,
            },
            error @ (ApiError::Lagging | ApiError::Contention(_)) => {
                InstaHumanError::Unavailable(error.to_string())
            }
            ApiError::Internal(cause) => InstaHumanError::Internal(cause),
        }
    }
}

impl From<BusError> for InstaHumanError {
    fn from(error: BusError) -> Self {
        ApiError::from(error).into()
    }
}

impl From<DomainError> for InstaHumanError {
    fn from(error: DomainError) -> Self {
        ApiError::from(error).into()
    }
}

impl From<MoneyError> for InstaHumanError {
    fn from(error: MoneyError) -> Self {
        InstaHumanError::BadRequest(error.to_string())
    }
}

impl From<crate::queries::QueryError> for InstaHumanError {
    fn from(error: crate::queries::QueryError) -> Self {
        ApiError::from(error).into()
    }
}

impl From<sqlx::Error> for InstaHumanError {
    fn from(error: sqlx::Error) -> Self {
        InstaHumanError::Internal(error.into())
    }
}

impl IntoResponse for InstaHumanError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = self.envelope();
        let mut response = (status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        match self {
            InstaHumanError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            InstaHumanError::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            InstaHumanError::RateLimited {
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
    async fn every_refusal_is_an_error_message_with_the_seeds_status() {
        let cases = [
            (InstaHumanError::Unauthorized("no key".into()), 401),
            (InstaHumanError::Forbidden("not yours".into()), 403),
            (InstaHumanError::not_found("job"), 404),
            (InstaHumanError::bad_request("bad"), 400),
            (
                InstaHumanError::InsufficientBalance {
                    available_cents: 1,
                    needed_cents: 2,
                },
                400,
            ),
            (InstaHumanError::Conflict("paused".into()), 409),
            (
                InstaHumanError::Internal(anyhow::anyhow!("secret cause")),
                500,
            ),
        ];
        for (error, status) in cases {
            let response = error.into_response();
            assert_eq!(response.status().as_u16(), status);
            let body = body(response).await;
            let message = body["error"].as_str().expect("an error message");
            assert!(!message.is_empty());
            assert!(!message.contains("secret cause"), "{message}");
        }
    }

    #[test]
    fn refusals_below_map_to_the_seeds_statuses() {
        let status = |error: ApiError| InstaHumanError::from(error).status().as_u16();
        assert_eq!(status(ApiError::Conflict("x".into())), 409);
        assert_eq!(status(ApiError::Invalid("x".into())), 400);
        assert_eq!(status(ApiError::NotFound("job".into())), 404);
        assert_eq!(
            InstaHumanError::from(ApiError::NotFound("job".into())).to_string(),
            "Job not found."
        );
        assert_eq!(status(ApiError::Unauthorized("x")), 401);
    }
}
