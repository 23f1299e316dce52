//! Humai's one error type, sent as `{"error": "…", "code": "…"}` with the
//! seed's codes and statuses: `validation_error` 400 for any bad input,
//! `unauthorized` 401, `forbidden` 403, `not_found` 404, `conflict` 409,
//! `rate_limited` 429, `internal` 500 (opaque, with the request id; the cause
//! is logged). A marketplace rule the domain names (`DomainError::Rule`)
//! shows its own code with the status the seed gives it ([`rule_status`]).
//! Every refusal of the layers below is mapped here once.

use crate::bus::BusError;
use crate::http::errors::{current_request_id, ApiError};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use errand_aggregates::money::MoneyError;
use errand_aggregates::{DomainError, RuleKind};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum HumaiError {
    /// Malformed JSON, missing, unknown or wrongly typed fields, values out of bounds.
    #[error("{0}")]
    Validation(String),
    /// Missing, invalid, revoked or another API's key.
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The state does not allow it (an email already registered, a concurrent change).
    #[error("{0}")]
    Conflict(String),
    /// A named marketplace rule refused the request.
    #[error("{message}")]
    Rule {
        code: &'static str,
        status: StatusCode,
        message: String,
    },
    #[error("Insufficient balance: {available} available, {needed} needed.")]
    InsufficientBalance { available: i64, needed: i64 },
    #[error("Too many requests; retry in {retry_after_seconds} s.")]
    RateLimited { retry_after_seconds: u64 },
    #[error("Method not allowed.")]
    MethodNotAllowed,
    /// Busy (read models catching up, contention): retry shortly.
    #[error("{0}")]
    Unavailable(String),
    #[error("Internal server error.")]
    Internal(#[source] anyhow::Error),
}

pub type HumaiResult<T> = Result<T, HumaiError>;

/// The seed's status for each rule code it names; a code it does not name
/// takes its kind's (Invalid 400, Conflict 409, Forbidden 403).
pub fn rule_status(code: &str, kind: RuleKind) -> StatusCode {
    match code {
        "already_bid"
        | "bid_price_too_high"
        | "milestone_sum_invalid"
        | "max_counter_rounds_exceeded"
        | "negotiation_not_permitted"
        | "missing_parent_transaction"
        | "budget_exceeded"
        | "self_dealing_not_permitted"
        | "circular_chain_detected"
        | "insufficient_balance"
        | "subscription_already_exists" => StatusCode::BAD_REQUEST,
        "founding_slots_full" => StatusCode::CONFLICT,
        "max_chain_depth_exceeded" => StatusCode::TOO_MANY_REQUESTS,
        // A frozen agent's spending (the kill switch's freeze_agent).
        "agent_frozen" => StatusCode::FORBIDDEN,
        _ => match kind {
            RuleKind::Invalid => StatusCode::BAD_REQUEST,
            RuleKind::Conflict => StatusCode::CONFLICT,
            RuleKind::Forbidden => StatusCode::FORBIDDEN,
        },
    }
}

impl HumaiError {
    pub fn validation(message: impl Into<String>) -> Self {
        HumaiError::Validation(message.into())
    }

    /// `what` (`actor`, `portfolio item`) does not exist, or is not the caller's to see.
    pub fn not_found(what: &str) -> Self {
        let mut chars = what.chars();
        let what: String = match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => "Resource".into(),
        };
        HumaiError::NotFound(format!("{what} not found."))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            HumaiError::Validation(_) | HumaiError::InsufficientBalance { .. } => {
                StatusCode::BAD_REQUEST
            }
            HumaiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            HumaiError::Forbidden(_) => StatusCode::FORBIDDEN,
            HumaiError::NotFound(_) => StatusCode::NOT_FOUND,
            HumaiError::Conflict(_) => StatusCode::CONFLICT,
            HumaiError::Rule { status, .. } => *status,
            HumaiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            HumaiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            HumaiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            HumaiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            HumaiError::Validation(_) => "validation_error",
            HumaiError::Unauthorized(_) => "unauthorized",
            HumaiError::Forbidden(_) => "forbidden",
            HumaiError::NotFound(_) => "not_found",
            HumaiError::Conflict(_) => "conflict",
            HumaiError::Rule { code, .. } => code,
            HumaiError::InsufficientBalance { .. } => "insufficient_balance",
            HumaiError::RateLimited { .. } => "rate_limited",
            HumaiError::MethodNotAllowed => "method_not_allowed",
            HumaiError::Unavailable(_) => "unavailable",
            HumaiError::Internal(_) => "internal",
        }
    }

    /// `{"error", "code"}`; a 500's cause is logged here and never shown.
    pub fn envelope(&self) -> serde_json::Value {
        match self {
            HumaiError::Internal(cause) => {
                let request_id = current_request_id();
                tracing::error!(request_id, error = ?cause, "internal error");
                json!({
                    "error": format!("Internal server error (request {request_id})."),
                    "code": self.code(),
                    "request_id": request_id,
                })
            }
            other => json!({ "error": other.to_string(), "code": other.code() }),
        }
    }
}

impl From<ApiError> for HumaiError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Unauthorized(message) => HumaiError::Unauthorized(message.to_owned()),
            ApiError::Forbidden(message) => HumaiError::Forbidden(message),
            ApiError::NotFound(what) => HumaiError::not_found(&what),
            error @ (ApiError::BadRequest { .. }
            | ApiError::Invalid(_)
            | ApiError::UnsupportedMediaType
            | ApiError::TooLarge(_)) => HumaiError::Validation(error.to_string()),
            ApiError::MethodNotAllowed => HumaiError::MethodNotAllowed,
            error @ (ApiError::Conflict(_)
            | ApiError::CallerChanged
            | ApiError::IdempotencyKeyReused
            | ApiError::IdempotencyKeyInFlight
            | ApiError::Taken(_)) => HumaiError::Conflict(error.to_string()),
            ApiError::RateLimited {
                retry_after_seconds,
                ..
            } => HumaiError::RateLimited {
                retry_after_seconds,
            },
            ApiError::InsufficientFunds {
                available_cents,
                needed_cents,
            } => HumaiError::InsufficientBalance {
                available: available_cents,
                needed: needed_cents,
            },
            error @ (ApiError::Lagging | ApiError::Contention(_)) => {
                HumaiError::Unavailable(error.to_string())
            }
            ApiError::Internal(cause) => HumaiError::Internal(cause),
        }
    }
}

impl From<DomainError> for HumaiError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Rule {
                kind,
                code,
                message,
            } => HumaiError::Rule {
                code,
                status: rule_status(code, kind),
                message,
            },
            // The seed's bounds are validation errors (a full portfolio, too many tags).
            DomainError::LimitExceeded(message) | DomainError::ContentRefused(message) => {
                HumaiError::Validation(message)
            }
            other => ApiError::from(other).into(),
        }
    }
}

impl From<BusError> for HumaiError {
    fn from(error: BusError) -> Self {
        match error {
            BusError::Domain(error) => error.into(),
            other => ApiError::from(other).into(),
        }
    }
}

impl From<MoneyError> for HumaiError {
    fn from(error: MoneyError) -> Self {
        HumaiError::Validation(error.to_string())
    }
}

impl From<crate::queries::QueryError> for HumaiError {
    fn from(error: crate::queries::QueryError) -> Self {
        ApiError::from(error).into()
    }
}

impl From<sqlx::Error> for HumaiError {
    fn from(error: sqlx::Error) -> Self {
        HumaiError::Internal(error.into())
    }
}

impl IntoResponse for HumaiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = self.envelope();
        let mut response = (status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        match self {
            HumaiError::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            HumaiError::RateLimited {
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
    async fn every_refusal_is_an_error_and_a_code_with_the_seeds_status() {
        let cases = [
            (HumaiError::validation("bad"), 400, "validation_error"),
            (
                HumaiError::Unauthorized("no key".into()),
                401,
                "unauthorized",
            ),
            (HumaiError::Forbidden("not yours".into()), 403, "forbidden"),
            (HumaiError::not_found("actor"), 404, "not_found"),
            (HumaiError::Conflict("taken".into()), 409, "conflict"),
            (
                HumaiError::RateLimited {
                    retry_after_seconds: 3,
                },
                429,
                "rate_limited",
            ),
            (
                HumaiError::Internal(anyhow::anyhow!("secret cause")),
                500,
                "internal",
            ),
        ];
        for (error, status, code) in cases {
            let response = error.into_response();
            assert_eq!(response.status().as_u16(), status);
            let body = body(response).await;
            assert_eq!(body["code"], code);
            let message = body["error"].as_str().expect("an error message");
            assert!(!message.is_empty());
            assert!(!message.contains("secret cause"), "{message}");
        }
    }

    #[test]
    fn a_rule_shows_its_code_with_the_seeds_status() {
        let rule = |kind, code| {
            HumaiError::from(BusError::Domain(DomainError::Rule {
                kind,
                code,
                message: "refused".into(),
            }))
        };
        let cases = [
            (RuleKind::Conflict, "already_bid", 400),
            (RuleKind::Invalid, "bid_price_too_high", 400),
            (RuleKind::Forbidden, "self_dealing_not_permitted", 400),
            (RuleKind::Conflict, "founding_slots_full", 409),
            (RuleKind::Invalid, "max_chain_depth_exceeded", 429),
            (RuleKind::Invalid, "a_rule_the_seed_does_not_name", 400),
            (RuleKind::Conflict, "a_rule_the_seed_does_not_name", 409),
            (RuleKind::Forbidden, "a_rule_the_seed_does_not_name", 403),
        ];
        for (kind, code, status) in cases {
            let error = rule(kind, code);
            assert_eq!(error.status().as_u16(), status, "{code}");
            assert_eq!(error.code(), code);
        }
    }

    #[test]
    fn refusals_below_map_to_the_seeds_codes() {
        let code = |error: DomainError| HumaiError::from(error).code();
        assert_eq!(code(DomainError::Invalid("x".into())), "validation_error");
        assert_eq!(
            code(DomainError::LimitExceeded("x".into())),
            "validation_error"
        );
        assert_eq!(code(DomainError::Conflict("x".into())), "conflict");
        assert_eq!(code(DomainError::Taken("email address")), "conflict");
        assert_eq!(code(DomainError::Forbidden("x".into())), "forbidden");
        assert_eq!(code(DomainError::NotFound("actor")), "not_found");
        assert_eq!(
            code(DomainError::InsufficientFunds {
                available_cents: 1,
                needed_cents: 2
            }),
            "insufficient_balance"
        );
        assert_eq!(
            HumaiError::from(ApiError::BadRequest {
                code: "invalid_body",
                detail: "unknown field `x`".into()
            })
            .code(),
            "validation_error"
        );
    }
}
