//! Passwords: bounded at the edge, hashed with argon2id off the async runtime,
//! a bounded number at a time, since each hash is deliberately slow and large.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

/// NIST SP 800-63B's floor for a memorised secret.
pub const PASSWORD_MIN_CHARS: usize = 8;
/// Enough for any passphrase; a bound so a megabyte of "password" is not hashed.
pub const PASSWORD_MAX_CHARS: usize = 128;
/// Hashings at once: each takes `ARGON2_MEMORY_KIB` of memory and a core for
/// tens of milliseconds, so a burst of logins queues instead of exhausting
/// memory or starving the runtime's blocking pool.
pub const PASSWORD_HASHINGS_MAX: usize = 4;
/// OWASP's argon2id recommendation (Password Storage Cheat Sheet): 19 MiB,
/// two passes, one lane.
const ARGON2_MEMORY_KIB: u32 = 19 * 1024;
const ARGON2_PASSES: u32 = 2;
const ARGON2_LANES: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("a password must be {PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters")]
    OutOfBounds,
    #[error("hashing a password failed: {0}")]
    Hashing(String),
}

/// A password as a person typed it, within bounds. Never printed.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Password(..)")
    }
}

impl Password {
    /// Not trimmed: spaces are characters a person may mean.
    pub fn parse(text: &str) -> Result<Password, PasswordError> {
        let chars = text.chars().count();
        if (PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&chars) && !text.contains('\0') {
            Ok(Password(text.to_owned()))
        } else {
            Err(PasswordError::OutOfBounds)
        }
    }
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES, None)
        .expect("the named argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub struct PasswordHasher {
    permits: Arc<Semaphore>,
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl PasswordHasher {
    pub fn new() -> PasswordHasher {
        PasswordHasher {
            permits: Arc::new(Semaphore::new(PASSWORD_HASHINGS_MAX)),
        }
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) with a fresh salt.
    pub async fn hash(&self, password: &Password) -> Result<String, PasswordError> {
        let password = password.0.clone();
        self.blocking(move || {
            let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
            argon2()
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|error| PasswordError::Hashing(error.to_string()))
        })
        .await?
    }

    /// Whether `password` matches `stored`. Without a stored hash (no such
    /// person) a decoy hash is checked instead, so the answer takes as long
    /// either way and timing does not tell who has an account.
    pub async fn verify(
        &self,
        password: &str,
        stored: Option<&str>,
    ) -> Result<bool, PasswordError> {
        let password = password.to_owned();
        let known = stored.is_some();
        let stored = match stored {
            Some(stored) => stored.to_owned(),
            None => decoy_hash().to_owned(),
        };
        let matches = self
            .blocking(move || {
                PasswordHash::new(&stored)
                    .map(|parsed| {
                        argon2()
                            .verify_password(password.as_bytes(), &parsed)
                            .is_ok()
                    })
                    .unwrap_or(false)
            })
            .await?;
        Ok(known && matches)
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PasswordError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|error| PasswordError::Hashing(error.to_string()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|error| PasswordError::Hashing(error.to_string()))
    }
}

/// A hash of a random password with the same parameters, made once.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        let random = uuid::Uuid::new_v4().to_string();
        argon2()
            .hash_password(random.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_8_to_128_characters() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse(&"é".repeat(8)).is_ok());
        assert!(Password::parse(&"x".repeat(128)).is_ok());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        assert!(Password::parse("with\0nul!").is_err());
        assert_eq!(
            format!("{:?}", Password::parse("secret123").unwrap()),
            "Password(..)"
        );
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_no_other() {
        let hasher = PasswordHasher::new();
        let hash = hasher
            .hash(&Password::parse("correct horse").unwrap())
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hasher.verify("correct horse", Some(&hash)).await.unwrap());
        assert!(!hasher.verify("wrong horse", Some(&hash)).await.unwrap());
        assert!(!hasher.verify("correct horse", None).await.unwrap());
        assert!(!hasher
            .verify("correct horse", Some("not a hash"))
            .await
            .unwrap());
    }
}
