//! Login tokens: HS256 JWTs signed with a key derived from the server secret
//! (`ServerSecret::derive("jwt")`). An access token authenticates requests for
//! a short while; a refresh token, of a distinct type, buys a new pair. Both
//! name the person's credentials version, so a password change or signing out
//! everywhere (which bump it) ends every token issued before.

use errand_aggregates::actor::Role;
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Short, since an access token is checked against nothing but its signature,
/// expiry and credentials version: a leaked one is useful for this long.
pub const ACCESS_TOKEN_TTL_DEFAULT: Duration = Duration::from_secs(15 * 60);
/// How long a person stays logged in without typing their password again.
pub const REFRESH_TOKEN_TTL_DEFAULT: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// Tokens longer than this are not ours; refuse before parsing attacker input.
pub const TOKEN_MAX_CHARS: usize = 2048;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenType {
    Access,
    Refresh,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The actor id.
    pub sub: String,
    pub role: Role,
    pub mode: Mode,
    /// The credentials version the token was issued at.
    pub cv: u32,
    pub typ: TokenType,
    pub iat: i64,
    pub exp: i64,
}

impl Claims {
    pub fn actor_id(&self) -> Option<ActorId> {
        ActorId::parse(&self.sub)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid")]
    Invalid,
    #[error("this is not an access token")]
    NotAccess,
    #[error("this is not a refresh token")]
    NotRefresh,
}

/// An access token and a refresh token, issued together.
#[derive(Debug, Clone)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub access_expires_in: Duration,
    pub refresh_expires_in: Duration,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    access_ttl: Duration,
    refresh_ttl: Duration,
}

impl TokenKeys {
    pub fn new(key: &[u8], access_ttl: Duration, refresh_ttl: Duration) -> TokenKeys {
        TokenKeys {
            encoding: EncodingKey::from_secret(key),
            decoding: DecodingKey::from_secret(key),
            access_ttl,
            refresh_ttl,
        }
    }

    /// `now` is seconds since the Unix epoch.
    pub fn issue(
        &self,
        actor: ActorId,
        role: Role,
        mode: Mode,
        credentials_version: u32,
        now: i64,
    ) -> Result<TokenPair, jsonwebtoken::errors::Error> {
        let sign = |typ, ttl: Duration| {
            let claims = Claims {
                sub: actor.to_string(),
                role,
                mode,
                cv: credentials_version,
                typ,
                iat: now,
                exp: now.saturating_add(i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX)),
            };
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
        };
        Ok(TokenPair {
            access_token: sign(TokenType::Access, self.access_ttl)?,
            refresh_token: sign(TokenType::Refresh, self.refresh_ttl)?,
            access_expires_in: self.access_ttl,
            refresh_expires_in: self.refresh_ttl,
        })
    }

    /// The claims of a token of type `expected`, signed by us and not expired.
    pub fn verify(&self, token: &str, expected: TokenType) -> Result<Claims, TokenError> {
        if token.len() > TOKEN_MAX_CHARS {
            return Err(TokenError::Invalid);
        }
        let mut validation = Validation::new(Algorithm::HS256);
        // Lifetimes are ours and may be a second or two in tests: no grace period.
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map_err(
            |error| match error.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            },
        )?;
        match (data.claims.typ, expected) {
            (TokenType::Access, TokenType::Access) | (TokenType::Refresh, TokenType::Refresh) => {
                Ok(data.claims)
            }
            (_, TokenType::Access) => Err(TokenError::NotAccess),
            (_, TokenType::Refresh) => Err(TokenError::NotRefresh),
        }
    }
}

/// Whether a bearer credential looks like a JWT rather than an API key
/// (`erk_live_…` has no dots; a JWT is three dot-separated parts).
pub fn looks_like_jwt(token: &str) -> bool {
    token.split('.').count() == 3
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn keys(key: &[u8]) -> TokenKeys {
        TokenKeys::new(key, Duration::from_secs(60), Duration::from_secs(600))
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    #[test]
    fn an_issued_pair_verifies_each_as_its_own_type_only() {
        let keys = keys(b"k1");
        let actor = ActorId(Uuid::now_v7());
        let pair = keys
            .issue(actor, Role::Human, Mode::Live, 3, now())
            .unwrap();
        let access = keys.verify(&pair.access_token, TokenType::Access).unwrap();
        assert_eq!(
            (access.actor_id(), access.cv, access.role),
            (Some(actor), 3, Role::Human)
        );
        assert!(keys.verify(&pair.refresh_token, TokenType::Refresh).is_ok());
        assert_eq!(
            keys.verify(&pair.refresh_token, TokenType::Access),
            Err(TokenError::NotAccess)
        );
        assert_eq!(
            keys.verify(&pair.access_token, TokenType::Refresh),
            Err(TokenError::NotRefresh)
        );
        assert!(looks_like_jwt(&pair.access_token));
        assert!(!looks_like_jwt("erk_live_0123"));
    }

    #[test]
    fn a_token_signed_with_another_key_or_tampered_with_is_invalid() {
        let pair = keys(b"k1")
            .issue(ActorId(Uuid::now_v7()), Role::Human, Mode::Live, 1, now())
            .unwrap();
        assert_eq!(
            keys(b"k2").verify(&pair.access_token, TokenType::Access),
            Err(TokenError::Invalid)
        );
        let mut tampered = pair.access_token.clone();
        tampered.insert(tampered.len() / 2, 'x');
        assert_eq!(
            keys(b"k1").verify(&tampered, TokenType::Access),
            Err(TokenError::Invalid)
        );
        assert_eq!(
            keys(b"k1").verify(&"a.b.c".repeat(1000), TokenType::Access),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn an_expired_token_says_so() {
        let keys = keys(b"k1");
        let long_ago = now() - 3_600;
        let pair = keys
            .issue(
                ActorId(Uuid::now_v7()),
                Role::Human,
                Mode::Live,
                1,
                long_ago,
            )
            .unwrap();
        assert_eq!(
            keys.verify(&pair.access_token, TokenType::Access),
            Err(TokenError::Expired)
        );
    }
}
