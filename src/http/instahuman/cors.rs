//! Cross-origin requests to `/instahuman/api` (the seed: "from the
//! configured web app origin. In development, any localhost origin is
//! allowed"): the configured web origin (`ERRAND_INSTAHUMAN_WEB_ORIGIN`),
//! and with `ERRAND_INSTAHUMAN_DEVELOPMENT` any `http(s)://localhost`,
//! `127.0.0.1` or `[::1]` origin on any port. Every other origin gets no
//! CORS headers, so browsers keep its pages out.

use axum::http::{header, HeaderName, HeaderValue, Method};
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// How long a browser may cache a preflight's answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);
/// Origins are `scheme://host[:port]`; anything longer is not one.
const ORIGIN_MAX_CHARS: usize = 2_048;

/// Which browser origins may call the InstaHuman API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebOrigins {
    /// The web app's origin, e.g. `https://app.example.com`.
    pub web_origin: Option<String>,
    /// Development: any localhost origin too.
    pub development: bool,
}

impl WebOrigins {
    /// `origin` as configured (`scheme://host[:port]`, no path), or why not.
    pub fn parse_origin(origin: &str) -> Result<String, String> {
        let origin = origin.trim().trim_end_matches('/');
        let rest = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
            .ok_or("the web origin must start with http:// or https://")?;
        let valid = !rest.is_empty()
            && origin.len() <= ORIGIN_MAX_CHARS
            && !rest.contains(['/', '?', '#', '@', ' '])
            && HeaderValue::from_str(origin).is_ok();
        if !valid {
            return Err(format!(
                "{origin:?} is not an origin (scheme://host[:port], no path)"
            ));
        }
        Ok(origin.to_owned())
    }

    pub fn allows(&self, origin: &str) -> bool {
        self.web_origin.as_deref() == Some(origin) || (self.development && is_local_origin(origin))
    }
}

/// `http(s)://localhost`, `127.0.0.1` or `[::1]`, with or without a port.
fn is_local_origin(origin: &str) -> bool {
    let Some(authority) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false;
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && !port.contains(']') => (host, Some(port)),
        _ => (authority, None),
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    port_ok && matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

/// The CORS layer for the InstaHuman routes.
pub fn layer(origins: &WebOrigins) -> CorsLayer {
    let origins = origins.clone();
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, _| {
            origin.to_str().is_ok_and(|origin| origins.allows(origin))
        }))
        .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static("mcp-session-id"),
            HeaderName::from_static("mcp-protocol-version"),
            HeaderName::from_static("last-event-id"),
        ])
        .expose_headers([
            header::RETRY_AFTER,
            HeaderName::from_static("mcp-session-id"),
            HeaderName::from_static("x-ratelimit-limit"),
            HeaderName::from_static("x-ratelimit-remaining"),
            HeaderName::from_static("x-ratelimit-reset"),
        ])
        .max_age(PREFLIGHT_MAX_AGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_web_origin_is_allowed_and_localhost_only_in_development() {
        let production = WebOrigins {
            web_origin: Some("https://app.instahuman.example".into()),
            development: false,
        };
        assert!(production.allows("https://app.instahuman.example"));
        assert!(!production.allows("https://evil.example"));
        assert!(!production.allows("http://localhost:3000"));
        let development = WebOrigins {
            development: true,
            ..production
        };
        for local in [
            "http://localhost:3000",
            "http://localhost",
            "http://127.0.0.1:5173",
            "https://localhost:8443",
            "http://[::1]:3000",
        ] {
            assert!(development.allows(local), "{local}");
        }
        for foreign in [
            "http://localhost.evil.example",
            "http://evil.example:3000",
            "http://localhost:3000/path",
            "http://localhost:abc",
            "ftp://localhost",
            "http://127.0.0.1.evil.example",
        ] {
            assert!(!development.allows(foreign), "{foreign}");
        }
    }

    #[test]
    fn a_configured_origin_is_a_scheme_host_and_port() {
        assert_eq!(
            WebOrigins::parse_origin("https://app.example.com/").as_deref(),
            Ok("https://app.example.com")
        );
        assert!(WebOrigins::parse_origin("app.example.com").is_err());
        assert!(WebOrigins::parse_origin("https://app.example.com/dashboard").is_err());
        assert!(WebOrigins::parse_origin("https://").is_err());
    }
}
