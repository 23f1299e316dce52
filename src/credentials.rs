//! API key secrets: made from 32 random bytes, shown once, stored only as a
//! SHA-256 hash. A fast hash is right here: the secret has 256 bits of
//! entropy, so there is nothing to brute-force (passwords are another matter).

use errand_aggregates::mode::Mode;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// How many characters of a secret are kept visible to tell keys apart.
const VISIBLE_PREFIX_CHARS: usize = 14;

pub struct Secret {
    /// The whole secret, e.g. `erk_live_3f9a…`; shown to its owner once.
    pub secret: String,
    /// Its visible start, stored and listed.
    pub prefix: String,
    pub hash: String,
}

/// A new secret for a dialect prefix (`erk`, `hp`, `sk`, …) and mode.
pub fn new_secret(dialect_prefix: &str, mode: Mode) -> Secret {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("{dialect_prefix}_{}_{}", mode.as_str(), hex::encode(bytes));
    let prefix = secret.chars().take(VISIBLE_PREFIX_CHARS).collect();
    let hash = hash_secret(&secret);
    Secret {
        secret,
        prefix,
        hash,
    }
}

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_hashes_to_what_is_stored() {
        let secret = new_secret("erk", Mode::Test);
        assert!(secret.secret.starts_with("erk_test_"));
        assert_eq!(secret.hash, hash_secret(&secret.secret));
        assert_ne!(new_secret("erk", Mode::Test).secret, secret.secret);
    }
}
