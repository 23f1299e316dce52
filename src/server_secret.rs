//! The server's secret: 32 random bytes that every signing key is derived from, so one value
//! per deployment covers JWTs, webhook signatures and anything else that must be unforgeable.
//! It lives in the database (`server_secret`), written by the first instance to start, so every
//! instance sharing a PostgreSQL signs alike; `ERRAND_SECRET_KEY` (64 hex digits) overrides it.
//! Nothing derived from it is stored in the journal, which auditors read.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use sqlx::AnyPool;

/// Bytes of the secret: the output size of the HMAC that derives from it.
const SECRET_BYTES: usize = 32;

#[derive(Clone)]
pub struct ServerSecret([u8; SECRET_BYTES]);

impl std::fmt::Debug for ServerSecret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("ServerSecret(..)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("ERRAND_SECRET_KEY must be {} hex digits", SECRET_BYTES * 2)]
    Malformed,
    #[error("reading or writing the server secret: {0}")]
    Database(#[from] sqlx::Error),
}

impl ServerSecret {
    pub fn from_hex(text: &str) -> Result<ServerSecret, SecretError> {
        let bytes = hex::decode(text.trim()).map_err(|_| SecretError::Malformed)?;
        let bytes: [u8; SECRET_BYTES] = bytes.try_into().map_err(|_| SecretError::Malformed)?;
        Ok(ServerSecret(bytes))
    }

    pub fn random() -> ServerSecret {
        let mut bytes = [0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        ServerSecret(bytes)
    }

    /// The deployment's secret: `configured` if given, else the database's, created by
    /// whichever instance gets there first (the insert does nothing if one exists).
    pub async fn load(
        pool: &AnyPool,
        configured: Option<&str>,
    ) -> Result<ServerSecret, SecretError> {
        if let Some(text) = configured.filter(|text| !text.is_empty()) {
            return ServerSecret::from_hex(text);
        }
        sqlx::query(
            "INSERT INTO server_secret (id, secret_hex) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
        )
        .bind(hex::encode(ServerSecret::random().0))
        .execute(pool)
        .await?;
        let stored: String =
            sqlx::query_scalar("SELECT secret_hex FROM server_secret WHERE id = 1")
                .fetch_one(pool)
                .await?;
        ServerSecret::from_hex(&stored)
    }

    /// A key for one purpose (`"jwt"`, `"webhook:<endpoint id>"`, …): HMAC-SHA256 of the
    /// purpose under the secret, so keys for different purposes are independent and a leaked
    /// derived key reveals neither the secret nor any other key.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        // HMAC takes keys of any length; this cannot fail for a 32-byte key.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .expect("HMAC accepts a key of any length");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_for_different_purposes_differ_and_repeat_for_the_same_one() {
        let secret = ServerSecret::random();
        assert_eq!(secret.derive("jwt"), secret.derive("jwt"));
        assert_ne!(secret.derive("jwt"), secret.derive("webhook:1"));
    }

    #[test]
    fn a_configured_secret_must_be_64_hex_digits() {
        assert!(ServerSecret::from_hex(&"ab".repeat(32)).is_ok());
        assert!(ServerSecret::from_hex("abcd").is_err());
        assert!(ServerSecret::from_hex(&"zz".repeat(32)).is_err());
    }
}
