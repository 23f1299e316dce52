//! A console session: the credential a person signed in with (an API key or a
//! person's access token), kept in one httpOnly, `SameSite=Strict` cookie
//! scoped to `/console`, so scripts cannot read it, other sites cannot send it,
//! and the rest of the API never sees it. Every request turns it into a
//! [`Principal`] with `http::auth::principal_for_secret`, the native API's own
//! check, so a revoked key, a signed-out token, a frozen or banned actor and a
//! key's scopes apply here exactly as there.
//!
//! Forms that change something also carry a CSRF token: an HMAC of the
//! credential under a key derived from the server secret. It needs no storage,
//! changes with the session, and a page of another site can neither read it
//! nor send the cookie.

use super::{ConsoleError, CONSOLE_PATH};
use crate::http::auth::{principal_for_secret, Principal};
use crate::http::errors::ApiError;
use crate::http::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use errand_aggregates::actor::{Actor, Role};
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const COOKIE_NAME: &str = "errand_console";
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
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty() && value.len() <= COOKIE_VALUE_MAX_CHARS)
}

/// `Set-Cookie` for a new session. No `Max-Age`: the session ends with the
/// browser, or earlier with the credential (an access token's 15 minutes).
pub fn session_cookie(secret: &str) -> Result<HeaderValue, ApiError> {
    // Keys and JWTs are ASCII without `;`, `,` or spaces; anything else would
    // not survive as a cookie value, so it is not a credential we issued.
    if !secret
        .chars()
        .all(|c| c.is_ascii_graphic() && !matches!(c, ';' | ',' | '"' | '\\'))
    {
        return Err(ApiError::Unauthorized("invalid API key"));
    }
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}={secret}; Path={CONSOLE_PATH}; HttpOnly; SameSite=Strict"
    ))
    .map_err(|_| ApiError::Unauthorized("invalid API key"))
}

/// `Set-Cookie` that ends the session.
pub fn cleared_cookie() -> HeaderValue {
    HeaderValue::from_static("errand_console=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0")
}

pub fn csrf_token(app: &AppState, credential: &str) -> String {
    let key = app.secret.derive("console-csrf");
    // HMAC takes keys of any length; a 32-byte key cannot be refused.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("HMAC accepts any key");
    mac.update(credential.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

impl FromRequestParts<AppState> for Session {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ConsoleError> {
        let credential = credential(&parts.headers).ok_or(ConsoleError::SignInRequired)?;
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
            csrf_token: csrf_token(app, &credential),
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
        let cookie = session_cookie("erk_live_abc").unwrap();
        let text = cookie.to_str().unwrap();
        assert!(text.contains("HttpOnly"));
        assert!(text.contains("SameSite=Strict"));
        assert!(text.contains("Path=/console"));
        assert!(session_cookie("a;b").is_err());
    }
}
