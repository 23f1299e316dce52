//! A console session: the credential a person signed in with (an API key or a
//! person's access token), kept in one httpOnly, `SameSite=Strict` cookie
//! scoped to `/console`, so scripts cannot read it, other sites cannot send it,
//! and the rest of the API never sees it. Every request turns it into a
//! [`Principal`] with `http::auth::principal_for_secret`, the native API's own
//! check, so a revoked key, a signed-out token, a frozen or banned actor and a
//! key's scopes apply here exactly as there.
//!
//! Forms that change something also carry a CSRF token: an HMAC of the
//! session's random id (its own cookie, made at sign-in) under a key derived
//! from the server secret. It needs no storage, is new with each sign-in, and
//! a page of another site can neither read it nor send the cookies.

use super::{ConsoleError, CONSOLE_PATH};
use crate::http::auth::{principal_for_secret, Principal};
use crate::http::errors::ApiError;
use crate::http::native::people;
use crate::http::state::AppState;
use crate::identity::tokens::{looks_like_jwt, TokenError, TokenType};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use errand_aggregates::actor::{Actor, Role};
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const COOKIE_NAME: &str = "errand_console";
/// How a `Set-Cookie` of the session's credential begins.
const COOKIE_NAME_PREFIX: &str = "errand_console=";
pub const REFRESH_COOKIE_NAME: &str = "errand_console_refresh";
/// A random id per sign-in, which the CSRF token is derived from: unlike the
/// access token, it stays the same when the access token is renewed.
pub const SESSION_ID_COOKIE_NAME: &str = "errand_console_session";
/// A key or an access token is far shorter; a longer cookie is not ours.
const COOKIE_VALUE_MAX_CHARS: usize = 4096;

/// Who is signed in, as the native API sees them, and their form token.
pub struct Session {
    pub principal: Principal,
    /// The actor's display name.
    pub name: String,
    pub csrf_token: String,
}

impl Session {
    /// Refuses a form whose token is not this session's.
    pub fn check_csrf(&self, sent: &str) -> Result<(), ConsoleError> {
        // Constant-time: the token is a secret of this session.
        let expected = self.csrf_token.as_bytes();
        let sent = sent.as_bytes();
        let same = expected.len() == sent.len()
            && expected
                .iter()
                .zip(sent)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if same {
            Ok(())
        } else {
            Err(ConsoleError::CsrfRefused)
        }
    }
}

/// The page a role lands on after signing in.
pub fn home_of(principal: &Principal) -> String {
    match principal.role {
        Role::Human => "/console/board",
        Role::Agent => "/console/desk",
        Role::Admin => "/console/journal",
    }
    .to_owned()
}

/// The credential in the request's console cookie, if any.
pub fn credential(headers: &HeaderMap) -> Option<String> {
    cookie(headers, COOKIE_NAME)
}

/// A cookie's value by name, bounded.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty() && value.len() <= COOKIE_VALUE_MAX_CHARS)
}

/// Whether the console's cookies carry `Secure`: when the server is reached
/// over https (its public URL says so), a browser must never send them in
/// the clear. Over plain http (a laptop, the tests) a `Secure` cookie would
/// not be stored at all, so it is left off there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookieSecurity {
    secure: bool,
}

impl CookieSecurity {
    pub fn for_public_url(public_url: &str) -> CookieSecurity {
        let scheme = public_url
            .trim()
            .split_once("://")
            .map(|(scheme, _)| scheme);
        CookieSecurity {
            secure: scheme.is_some_and(|scheme| scheme.eq_ignore_ascii_case("https")),
        }
    }

    pub fn of(app: &AppState) -> CookieSecurity {
        CookieSecurity::for_public_url(&app.config.public_url)
    }

    /// The attributes every console cookie has.
    fn attributes(self) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("Path={CONSOLE_PATH}; HttpOnly; SameSite=Strict{secure}")
    }
}

/// `Set-Cookie` for a new session. No `Max-Age`: the session ends with the
/// browser, or earlier with the credential (a revoked key; a person's refresh
/// token, 30 days).
pub fn session_cookie(security: CookieSecurity, secret: &str) -> Result<HeaderValue, ApiError> {
    cookie_of(security, COOKIE_NAME, secret)
}

/// `Set-Cookie` for a person's refresh token, which renews their 15-minute
/// access token as it ends (see [`renew`]).
pub fn refresh_cookie(
    security: CookieSecurity,
    refresh_token: &str,
) -> Result<HeaderValue, ApiError> {
    cookie_of(security, REFRESH_COOKIE_NAME, refresh_token)
}

fn cookie_of(security: CookieSecurity, name: &str, secret: &str) -> Result<HeaderValue, ApiError> {
    // Keys and JWTs are ASCII without `;`, `,` or spaces; anything else would
    // not survive as a cookie value, so it is not a credential we issued.
    if !secret
        .chars()
        .all(|c| c.is_ascii_graphic() && !matches!(c, ';' | ',' | '"' | '\\'))
    {
        return Err(ApiError::Unauthorized("invalid API key"));
    }
    HeaderValue::from_str(&format!("{name}={secret}; {}", security.attributes()))
        .map_err(|_| ApiError::Unauthorized("invalid API key"))
}

/// `Set-Cookie` for a new session's random id.
pub fn session_id_cookie(security: CookieSecurity) -> Result<HeaderValue, ApiError> {
    let id: [u8; 16] = rand::random();
    cookie_of(security, SESSION_ID_COOKIE_NAME, &hex::encode(id))
}

/// `Set-Cookie` that ends one of the session's cookies.
pub fn cleared_cookie(security: CookieSecurity, name: &str) -> HeaderValue {
    // Names and attributes are ASCII constants: always a valid header value.
    HeaderValue::from_str(&format!("{name}=; {}; Max-Age=0", security.attributes()))
        .expect("a cookie of constant ASCII is a header value")
}

/// `Set-Cookie`s that end the session.
pub fn cleared_cookies(security: CookieSecurity) -> [HeaderValue; 3] {
    [SESSION_ID_COOKIE_NAME, COOKIE_NAME, REFRESH_COOKIE_NAME]
        .map(|name| cleared_cookie(security, name))
}

/// Middleware: a person's access token that has expired is renewed with the
/// refresh token beside it (the native `POST /v1/people/refresh`'s function,
/// which refuses one revoked by a password change or sign-out), the request
/// goes on with the new one, and the response sets both. Anything else passes
/// untouched; a refusal leaves the request to be sent to sign in.
pub async fn renew(State(app): State<AppState>, mut request: Request, next: Next) -> Response {
    let headers = request.headers();
    let (Some(access), Some(refresh)) = (
        cookie(headers, COOKIE_NAME),
        cookie(headers, REFRESH_COOKIE_NAME),
    ) else {
        return next.run(request).await;
    };
    let expired = looks_like_jwt(&access)
        && matches!(
            app.identity.tokens.verify(&access, TokenType::Access),
            Err(TokenError::Expired)
        );
    if !expired {
        return next.run(request).await;
    }
    let Ok((_, tokens)) = people::refreshed(&app, &refresh).await else {
        return next.run(request).await;
    };
    let security = CookieSecurity::of(&app);
    let (Ok(access_cookie), Ok(refresh_cookie)) = (
        session_cookie(security, &tokens.access_token),
        refresh_cookie(security, &tokens.refresh_token),
    ) else {
        return next.run(request).await;
    };
    // The handler reads the renewed token; the console needs no other cookie.
    let session_id = cookie(request.headers(), SESSION_ID_COOKIE_NAME).unwrap_or_default();
    let forwarded = format!(
        "{COOKIE_NAME}={}; {REFRESH_COOKIE_NAME}={}; {SESSION_ID_COOKIE_NAME}={session_id}",
        tokens.access_token, tokens.refresh_token
    );
    let Ok(forwarded) = HeaderValue::from_str(&forwarded) else {
        return next.run(request).await;
    };
    request.headers_mut().insert(header::COOKIE, forwarded);
    let mut response = next.run(request).await;
    // A handler that set the session itself (signing out, signing in again) has the last word.
    let session_set = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|value| value.as_bytes().starts_with(COOKIE_NAME_PREFIX.as_bytes()));
    if session_set {
        return response;
    }
    response
        .headers_mut()
        .append(header::SET_COOKIE, access_cookie);
    response
        .headers_mut()
        .append(header::SET_COOKIE, refresh_cookie);
    response
}

pub fn csrf_token(app: &AppState, session_id: &str) -> String {
    let key = app.secret.derive("console-csrf");
    // HMAC takes keys of any length; a 32-byte key cannot be refused.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("HMAC accepts any key");
    mac.update(session_id.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

impl FromRequestParts<AppState> for Session {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ConsoleError> {
        let credential = credential(&parts.headers).ok_or(ConsoleError::SignInRequired)?;
        let session_id =
            cookie(&parts.headers, SESSION_ID_COOKIE_NAME).ok_or(ConsoleError::SignInRequired)?;
        let principal = match principal_for_secret(app, &credential).await {
            Ok(principal) => principal,
            // An expired token or a revoked key: sign in again.
            Err(ApiError::Unauthorized(_)) => return Err(ConsoleError::SignInRequired),
            Err(other) => return Err(other.into()),
        };
        let (actor, _) = app
            .bus
            .load::<Actor>(&crate::bus::commands::actor_stream(principal.actor_id))
            .await
            .map_err(ApiError::from)?;
        Ok(Session {
            principal,
            name: actor.name,
            csrf_token: csrf_token(app, &session_id),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_console_cookie_is_found_among_others_and_bounded() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; errand_console=erk_live_abc; b=2"),
        );
        assert_eq!(credential(&headers).as_deref(), Some("erk_live_abc"));
        headers.insert(header::COOKIE, HeaderValue::from_static("errand_console="));
        assert_eq!(credential(&headers), None);
    }

    #[test]
    fn a_session_cookie_is_http_only_strict_and_scoped_to_the_console() {
        let plain = CookieSecurity::for_public_url("http://127.0.0.1:8080");
        let cookie = session_cookie(plain, "erk_live_abc").unwrap();
        let text = cookie.to_str().unwrap();
        assert!(text.contains("HttpOnly"));
        assert!(text.contains("SameSite=Strict"));
        assert!(text.contains("Path=/console"));
        assert!(session_cookie(plain, "a;b").is_err());
    }

    #[test]
    fn cookies_are_secure_when_the_public_url_is_https_and_not_over_plain_http() {
        let secure = CookieSecurity::for_public_url("HTTPS://errand.example.com");
        let plain = CookieSecurity::for_public_url("http://127.0.0.1:8080");
        let made = |security| {
            let mut cookies = vec![
                session_cookie(security, "erk_live_abc").unwrap(),
                refresh_cookie(security, "a.b.c").unwrap(),
                session_id_cookie(security).unwrap(),
            ];
            cookies.extend(cleared_cookies(security));
            cookies
        };
        for cookie in made(secure) {
            assert!(cookie.to_str().unwrap().contains("; Secure"), "{cookie:?}");
        }
        for cookie in made(plain) {
            assert!(!cookie.to_str().unwrap().contains("Secure"), "{cookie:?}");
        }
        // A URL without a scheme is not known to be https.
        assert_eq!(CookieSecurity::for_public_url("errand.example.com"), plain);
    }
}
