//! Rate limits per subject and endpoint class, for every API's router.
//!
//! A router applies [`RateLimitLayer`] with the shared [`RateLimiters`], its
//! own mapping of routes to a [`Class`] and its own [`envelopes`] renderer:
//!
//! ```ignore
//! router.route_layer(RateLimitLayer::new(limiters.clone(), native::rate_limit_class, envelopes::problem))
//! ```
//!
//! The subject is the presented credential, or the peer's address when there
//! is none and always for `auth` endpoints (see `subject.rs` for why the
//! credential and not the authenticated principal). A request the limit
//! allows gets `X-RateLimit-Limit` (the bucket's size: requests per window),
//! `X-RateLimit-Remaining` (after this request) and `X-RateLimit-Reset`
//! (seconds, rounded up, until the bucket is full again; a duration rather
//! than a time, so a client needs no clock in step with ours). One it
//! refuses is answered here, before the handler runs, so it changes nothing:
//! 429 in the router's envelope, with those headers and `Retry-After`.
//! Operations endpoints (`/healthz`, `/readyz`, `/metrics`) sit outside every
//! limited router.
//!
//! A dialect may declare classes of its own (`Class::Named`, with their
//! allowances in `RateLimits::named`) and say the reset as a moment
//! (`RateLimitLayer::with_reset_as_timestamp`), as Humans2AI does; a class
//! of its own counted per address whatever credential is sent
//! (`Class::NamedPerAddress`) is for public sign-ups, as Humai's.
//!
//! The buckets live in this process (no database round trip per request):
//! instances sharing one PostgreSQL each grant a key its allowance.

mod allowance;
pub mod envelopes;
mod limiters;
mod subject;

pub use allowance::{
    Allowance, Class, RateLimits, AUTH_PER_MINUTE_DEFAULT, READS_PER_MINUTE_DEFAULT,
    WRITES_PER_MINUTE_DEFAULT,
};
pub use limiters::{
    RateLimiters, Refusal, Standing, Verdict, PRUNE_INTERVAL, SUBJECTS_MAX_PER_CLASS,
};

use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method};
use axum::response::Response;
use futures::future::BoxFuture;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::task::{Context, Poll};

pub const LIMIT_HEADER: HeaderName = HeaderName::from_static("x-ratelimit-limit");
pub const REMAINING_HEADER: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
pub const RESET_HEADER: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// A router's mapping of a request (its method and its path as the router
/// sees it, without the prefix it is nested under) to its class; `None`
/// leaves a route unlimited.
pub type ClassOf = fn(&Method, &str) -> Option<Class>;

/// How `X-RateLimit-Reset` is said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetFormat {
    /// Seconds until the bucket is full again (needs no clock in step with ours).
    Seconds,
    /// The moment it is full again, RFC 3339 in UTC with milliseconds
    /// (`2026-03-02T11:00:00.000Z`), as Humans2AI's seed shows it.
    Timestamp,
}

#[derive(Clone)]
pub struct RateLimitLayer {
    limiters: RateLimiters,
    class_of: ClassOf,
    render: envelopes::Render,
    reset: ResetFormat,
}

impl RateLimitLayer {
    pub fn new(limiters: RateLimiters, class_of: ClassOf, render: envelopes::Render) -> Self {
        RateLimitLayer {
            limiters,
            class_of,
            render,
            reset: ResetFormat::Seconds,
        }
    }

    /// Says `X-RateLimit-Reset` as a moment rather than a duration.
    pub fn with_reset_as_timestamp(mut self) -> Self {
        self.reset = ResetFormat::Timestamp;
        self
    }
}

impl<S> tower::Layer<S> for RateLimitLayer {
    type Service = RateLimited<S>;

    fn layer(&self, inner: S) -> RateLimited<S> {
        RateLimited {
            inner,
            layer: self.clone(),
        }
    }
}

/// A service behind its rate limit.
#[derive(Clone)]
pub struct RateLimited<S> {
    inner: S,
    layer: RateLimitLayer,
}

impl<S> tower::Service<Request> for RateLimited<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let verdict = match (self.layer.class_of)(request.method(), request.uri().path()) {
            Some(class) => self.layer.limiters.check(
                class,
                request.headers(),
                request.extensions().get::<ConnectInfo<SocketAddr>>(),
            ),
            None => Verdict::Unlimited,
        };
        match verdict {
            Verdict::Refused(refusal) => {
                let mut response = (self.layer.render)(&refusal);
                refusal.write_headers(response.headers_mut(), self.layer.reset);
                Box::pin(std::future::ready(Ok(response)))
            }
            Verdict::Allowed(standing) => {
                let future = self.inner.call(request);
                let reset = self.layer.reset;
                Box::pin(async move {
                    let mut response = future.await?;
                    standing.write_headers(response.headers_mut(), reset);
                    Ok(response)
                })
            }
            Verdict::Unlimited => Box::pin(self.inner.call(request)),
        }
    }
}

impl Standing {
    pub fn write_headers(&self, headers: &mut HeaderMap, reset: ResetFormat) {
        headers.insert(LIMIT_HEADER, HeaderValue::from(self.limit));
        headers.insert(REMAINING_HEADER, HeaderValue::from(self.remaining));
        let reset = match reset {
            ResetFormat::Seconds => HeaderValue::from(self.reset_seconds),
            ResetFormat::Timestamp => {
                let at = chrono::Utc::now()
                    + chrono::Duration::seconds(i64::try_from(self.reset_seconds).unwrap_or(0));
                let text = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                HeaderValue::from_str(&text).unwrap_or(HeaderValue::from(self.reset_seconds))
            }
        };
        headers.insert(RESET_HEADER, reset);
    }
}

impl Refusal {
    pub fn write_headers(&self, headers: &mut HeaderMap, reset: ResetFormat) {
        Standing {
            limit: self.limit,
            remaining: 0,
            reset_seconds: self.reset_seconds,
        }
        .write_headers(headers, reset);
        headers.insert(
            header::RETRY_AFTER,
            HeaderValue::from(self.retry_after_seconds),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::StatusCode;
    use axum::routing::post;
    use axum::Router;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;
    use tower::ServiceExt;

    /// A dialect's router: its own classes and its own envelope.
    fn humanping_like(limiters: RateLimiters, handled: Arc<AtomicUsize>) -> Router {
        let class_of: ClassOf = |method, path| match path {
            "/status" => None,
            _ => Some(Class::of_method(method)),
        };
        let count = move || {
            let handled = handled.clone();
            async move {
                handled.fetch_add(1, Ordering::SeqCst);
                "ok"
            }
        };
        Router::new()
            .route("/tasks", post(count.clone()))
            .route("/status", post(count))
            .route_layer(RateLimitLayer::new(
                limiters,
                class_of,
                envelopes::humanping,
            ))
    }

    fn request(path: &str) -> Request {
        Request::post(path)
            .header("x-api-key", "hp_test_key")
            .body(Body::empty())
            .expect("request")
    }

    #[tokio::test]
    async fn a_dialect_router_refuses_in_its_envelope_before_its_handler_runs() {
        let limits = RateLimits {
            write: Allowance::new(1, Duration::from_secs(60)),
            ..RateLimits::unlimited()
        };
        let handled = Arc::new(AtomicUsize::new(0));
        let app = humanping_like(RateLimiters::new(&limits), handled.clone());

        let allowed = app.clone().oneshot(request("/tasks")).await.unwrap();
        assert_eq!(allowed.status(), StatusCode::OK);
        assert_eq!(allowed.headers()[LIMIT_HEADER], "1");
        assert_eq!(allowed.headers()[REMAINING_HEADER], "0");
        assert_eq!(allowed.headers()[RESET_HEADER], "60");

        let refused = app.clone().oneshot(request("/tasks")).await.unwrap();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.headers()[REMAINING_HEADER], "0");
        assert_eq!(refused.headers()[RESET_HEADER], "60");
        assert_eq!(refused.headers()[header::RETRY_AFTER], "60");
        let body = axum::body::to_bytes(refused.into_body(), 1_024)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"], "Rate limited — slow down.");
        assert_eq!(body["retry_after_seconds"], 60);
        assert_eq!(
            handled.load(Ordering::SeqCst),
            1,
            "the refused one never ran"
        );

        let unlimited = app.oneshot(request("/status")).await.unwrap();
        assert_eq!(unlimited.status(), StatusCode::OK);
        assert!(unlimited.headers().get(LIMIT_HEADER).is_none());
        assert_eq!(handled.load(Ordering::SeqCst), 2);
    }
}
