//! How each API says "too many requests": the status and body of a refusal
//! in its own error envelope. The layer adds the headers.

use super::limiters::Refusal;
use crate::http::errors::ApiError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// A refusal's status and body, in one API's envelope.
pub type Render = fn(&Refusal) -> Response;

/// The native API's problem+json, code `rate_limited`.
pub fn problem(refusal: &Refusal) -> Response {
    ApiError::RateLimited {
        class: refusal.class.as_str(),
        retry_after_seconds: refusal.retry_after_seconds,
    }
    .into_response()
}

/// HumanPing's `{ "error": "…", …extra fields }`.
pub fn humanping(refusal: &Refusal) -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        Json(json!({
            "error": "Rate limited — slow down.",
            "retry_after_seconds": refusal.retry_after_seconds,
        })),
    )
        .into_response()
}

/// InstaHuman's `{"error": "…"}`.
pub fn instahuman(refusal: &Refusal) -> Response {
    crate::http::instahuman::InstaHumanError::RateLimited {
        retry_after_seconds: refusal.retry_after_seconds,
    }
    .into_response()
}

/// Humai's `{"error": "…", "code": "rate_limited"}`.
pub fn humai(refusal: &Refusal) -> Response {
    crate::http::humai::HumaiError::RateLimited {
        retry_after_seconds: refusal.retry_after_seconds,
    }
    .into_response()
}

/// Humans2AI's `{"success": false, "error": {"code": "RATE_LIMITED", …}}`.
pub fn humans2ai(refusal: &Refusal) -> Response {
    crate::http::humans2ai::Humans2AiError::RateLimited {
        retry_after_seconds: refusal.retry_after_seconds,
    }
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::rate_limit::Class;
    use axum::http::header;

    const REFUSAL: Refusal = Refusal {
        class: Class::Write,
        limit: 3,
        retry_after_seconds: 7,
        reset_seconds: 9,
    };

    async fn body(response: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(response.into_body(), 4_096)
            .await
            .expect("body");
        serde_json::from_slice(&bytes).expect("JSON")
    }

    #[tokio::test]
    async fn the_native_refusal_is_a_rate_limited_problem() {
        let response = problem(&REFUSAL);
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        assert_eq!(response.headers()[header::RETRY_AFTER], "7");
        let body = body(response).await;
        assert_eq!(body["type"], "/problems/rate_limited");
        assert_eq!(body["title"], "Too Many Requests");
        assert_eq!(body["status"], 429);
        assert_eq!(body["code"], "rate_limited");
        assert_eq!(body["detail"], "too many write requests; retry in 7 s");
    }

    #[tokio::test]
    async fn the_humanping_refusal_is_its_error_object() {
        let response = humanping(&REFUSAL);
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            body(response).await,
            json!({ "error": "Rate limited — slow down.", "retry_after_seconds": 7 })
        );
    }
}
