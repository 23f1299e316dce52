//! A Humai client's own webhook signing secret, kept at rest: sealed with
//! ChaCha20-Poly1305 under a key derived from the server's secret, the
//! endpoint's id as associated data (a sealed secret moved to another
//! endpoint does not open). The text is `v1.` and base64 of nonce and
//! ciphertext; it is what `WebhookSigningSecretSet` records. Whoever reads
//! the journal without the server's secret learns only its length.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};

use crate::server_secret::ServerSecret;
use errand_aggregates::ids::WebhookId;
use errand_aggregates::webhook::SealedSecret;

/// The scheme's tag, so a later one can be told apart.
const VERSION: &str = "v1.";

/// The purpose the sealing key is derived for.
const KEY_PURPOSE: &str = "webhook-secret-seal:v1";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    /// Sealed under another server secret, for another endpoint, or altered.
    #[error("the webhook's signing secret does not open under this server's secret")]
    Unopenable,
}

fn key(secret: &ServerSecret) -> LessSafeKey {
    let bytes = secret.derive(KEY_PURPOSE);
    // A 32-byte key is what ChaCha20-Poly1305 takes; this cannot fail.
    LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, &bytes).expect("a 32-byte key"))
}

pub fn seal(secret: &ServerSecret, webhook_id: WebhookId, plain: &str) -> SealedSecret {
    let mut nonce = [0u8; NONCE_LEN];
    rand::rng().fill_bytes(&mut nonce);
    let mut sealed = plain.as_bytes().to_vec();
    key(secret)
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(webhook_id.0.as_bytes()),
            &mut sealed,
        )
        // Sealing fails only for inputs of gigabytes; secrets are bounded far below.
        .expect("a bounded secret seals");
    let mut text = nonce.to_vec();
    text.extend_from_slice(&sealed);
    SealedSecret(format!("{VERSION}{}", STANDARD.encode(text)))
}

pub fn open(
    secret: &ServerSecret,
    webhook_id: WebhookId,
    sealed: &SealedSecret,
) -> Result<String, SealError> {
    let mut bytes = sealed
        .0
        .strip_prefix(VERSION)
        .and_then(|encoded| STANDARD.decode(encoded).ok())
        .ok_or(SealError::Unopenable)?;
    if bytes.len() < NONCE_LEN {
        return Err(SealError::Unopenable);
    }
    let mut ciphertext = bytes.split_off(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(&bytes).map_err(|_| SealError::Unopenable)?;
    let plain = key(secret)
        .open_in_place(nonce, Aad::from(webhook_id.0.as_bytes()), &mut ciphertext)
        .map_err(|_| SealError::Unopenable)?;
    String::from_utf8(plain.to_vec()).map_err(|_| SealError::Unopenable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    const HOOK: WebhookId = WebhookId(Uuid::from_u128(0x4001));

    #[test]
    fn a_sealed_secret_opens_only_for_its_endpoint_under_its_server_secret() {
        let server = ServerSecret::random();
        let sealed = seal(&server, HOOK, "whsec_my_signing_secret");
        assert!(sealed.0.starts_with("v1."));
        assert!(!sealed.0.contains("my_signing_secret"));
        assert_eq!(
            open(&server, HOOK, &sealed).as_deref(),
            Ok("whsec_my_signing_secret")
        );
        // Each sealing draws a fresh nonce: equal secrets do not look equal.
        assert_ne!(seal(&server, HOOK, "whsec_my_signing_secret"), sealed);
        let elsewhere = WebhookId(Uuid::from_u128(0x4002));
        assert_eq!(
            open(&server, elsewhere, &sealed),
            Err(SealError::Unopenable)
        );
        assert_eq!(
            open(&ServerSecret::random(), HOOK, &sealed),
            Err(SealError::Unopenable)
        );
    }

    #[test]
    fn an_altered_or_malformed_seal_does_not_open() {
        let server = ServerSecret::random();
        let sealed = seal(&server, HOOK, "s3cret");
        let mut altered = sealed.0.clone().into_bytes();
        let last = altered.len() - 3;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        let altered = SealedSecret(String::from_utf8(altered).unwrap());
        for broken in [
            altered,
            SealedSecret("v1.".into()),
            SealedSecret("v2.AAAA".into()),
        ] {
            assert_eq!(open(&server, HOOK, &broken), Err(SealError::Unopenable));
        }
    }
}
