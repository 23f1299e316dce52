//! How a delivery proves it came from this server, per format. Receivers
//! verify it; see README.md for the recipes.
//!
//! - Standard Webhooks (native): `webhook-id`, `webhook-timestamp` (unix
//!   seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of
//!   "{id}.{timestamp}.{body}">`, the key being the base64 after `whsec_` in
//!   the endpoint's secret.
//! - HumanPing: `X-HumanPing-Signature: sha256=<hex HMAC-SHA256 of the raw
//!   body>` under the agent's secret (its text, as shown),
//!   `X-HumanPing-Event: <event name>` and `X-HumanPing-Delivery: <id>`.
//! - Humans2AI: `X-Humans2AI-Signature: v1=<hex HMAC-SHA256 of the raw
//!   body>` under the endpoint's secret (its text, as shown at
//!   registration), and `X-Humans2AI-Delivery: <id>` (the same on every
//!   attempt, to drop repeats by).
//! - Humai: `X-Humai-Signature: sha256=<hex HMAC-SHA256 of the raw body>`
//!   under the endpoint's secret (its text, `whsec_…`, as shown at
//!   registration), `X-Humai-Event: <event name>` and `X-Humai-Delivery: <id>`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::server_secret::ServerSecret;
use errand_aggregates::ids::{ActorId, WebhookId};

/// The prefix Standard Webhooks gives secrets, so they are recognisable.
const STANDARD_SECRET_PREFIX: &str = "whsec_";

/// A native endpoint's secret, as shown to its owner: `whsec_<base64>` of
/// the key derived for it. Never stored; derived again whenever needed.
pub fn endpoint_secret(secret: &ServerSecret, webhook_id: WebhookId) -> String {
    let key = secret.derive(&format!("webhook:{webhook_id}"));
    format!("{STANDARD_SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// A HumanPing agent's webhook secret: one per agent, as HumanPing has it.
/// Its text (hex) is the HMAC key receivers use.
pub fn humanping_secret(secret: &ServerSecret, agent: ActorId) -> String {
    hex::encode(secret.derive(&format!("humanping-agent:{agent}")))
}

/// A Humans2AI endpoint's secret, as shown to its owner at registration:
/// hex of the key derived for it. Its text is the HMAC key, as Humans2AI's
/// verification recipe uses it. Never stored; derived again when needed.
pub fn humans2ai_secret(secret: &ServerSecret, webhook_id: WebhookId) -> String {
    hex::encode(secret.derive(&format!("humans2ai-webhook:{webhook_id}")))
}

/// A Humai endpoint's secret, as shown to its owner at registration:
/// `whsec_` and hex of the key derived for it; its text is the HMAC key.
/// Never stored; derived again when needed.
pub fn humai_secret(secret: &ServerSecret, webhook_id: WebhookId) -> String {
    let key = secret.derive(&format!("humai-webhook:{webhook_id}"));
    format!("{STANDARD_SECRET_PREFIX}{}", hex::encode(key))
}

/// A signing scheme with its key.
#[derive(Clone)]
pub enum Signature {
    /// Standard Webhooks, under a `whsec_` secret.
    Standard { key: Vec<u8> },
    /// HumanPing's body HMAC, naming the event in a header too.
    HumanPing { key: Vec<u8>, event: String },
    /// Humans2AI's body HMAC, `v1=` and hex.
    Humans2Ai { key: Vec<u8> },
    /// Humai's body HMAC, `sha256=` and hex, naming the event in a header too.
    Humai { key: Vec<u8>, event: String },
}

#[derive(Debug, thiserror::Error)]
#[error("a Standard Webhooks secret is whsec_ followed by base64")]
pub struct MalformedSecret;

impl Signature {
    pub fn standard(secret: &str) -> Result<Signature, MalformedSecret> {
        let encoded = secret
            .strip_prefix(STANDARD_SECRET_PREFIX)
            .ok_or(MalformedSecret)?;
        let key = STANDARD.decode(encoded).map_err(|_| MalformedSecret)?;
        Ok(Signature::Standard { key })
    }

    pub fn humanping(secret: &str, event: &str) -> Signature {
        Signature::HumanPing {
            key: secret.as_bytes().to_vec(),
            event: event.to_owned(),
        }
    }

    pub fn humans2ai(secret: &str) -> Signature {
        Signature::Humans2Ai {
            key: secret.as_bytes().to_vec(),
        }
    }

    pub fn humai(secret: &str, event: &str) -> Signature {
        Signature::Humai {
            key: secret.as_bytes().to_vec(),
            event: event.to_owned(),
        }
    }

    /// The headers that sign `body`, sent as message `id` at `timestamp`
    /// (unix seconds).
    pub fn headers(&self, id: &str, timestamp: i64, body: &[u8]) -> Vec<(&'static str, String)> {
        match self {
            Signature::Standard { key } => {
                let mut signed = format!("{id}.{timestamp}.").into_bytes();
                signed.extend_from_slice(body);
                let signature = STANDARD.encode(hmac(key, &signed));
                vec![
                    ("webhook-id", id.to_owned()),
                    ("webhook-timestamp", timestamp.to_string()),
                    ("webhook-signature", format!("v1,{signature}")),
                ]
            }
            Signature::HumanPing { key, event } => vec![
                (
                    "x-humanping-signature",
                    format!("sha256={}", hex::encode(hmac(key, body))),
                ),
                ("x-humanping-event", event.clone()),
                // The same on every attempt: receivers drop repeats by it.
                ("x-humanping-delivery", id.to_owned()),
            ],
            Signature::Humans2Ai { key } => vec![
                (
                    "x-humans2ai-signature",
                    format!("v1={}", hex::encode(hmac(key, body))),
                ),
                ("x-humans2ai-delivery", id.to_owned()),
            ],
            Signature::Humai { key, event } => vec![
                (
                    "x-humai-signature",
                    format!("sha256={}", hex::encode(hmac(key, body))),
                ),
                ("x-humai-event", event.clone()),
                ("x-humai-delivery", id.to_owned()),
            ],
        }
    }
}

fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts a key of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'h>(headers: &'h [(&'static str, String)], name: &str) -> &'h str {
        headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    #[test]
    fn standard_webhooks_signs_the_specifications_test_vector() {
        // The Standard Webhooks specification's published example.
        let signature = Signature::standard("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let headers = signature.headers(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(
            header(&headers, "webhook-signature"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        assert_eq!(
            header(&headers, "webhook-id"),
            "msg_p5jXN8AQM9LWM0D4loKWxJek"
        );
        assert_eq!(header(&headers, "webhook-timestamp"), "1614265330");
    }

    #[test]
    fn humanping_signs_the_raw_body_in_hex() {
        // Computed independently: python3 -c "import hmac,hashlib;
        // print(hmac.new(b'humanping-secret', b'{\"event\":\"task.completed\"}',
        // hashlib.sha256).hexdigest())"
        let signature = Signature::humanping("humanping-secret", "task.completed");
        let headers = signature.headers("delivery-1", 0, br#"{"event":"task.completed"}"#);
        assert_eq!(
            header(&headers, "x-humanping-signature"),
            "sha256=5cc352828ec561096b66cd828c8ec65379755204edace757155731a1fc237586"
        );
        assert_eq!(header(&headers, "x-humanping-event"), "task.completed");
        assert_eq!(header(&headers, "x-humanping-delivery"), "delivery-1");
    }

    #[test]
    fn humans2ai_signs_the_raw_body_in_hex_after_v1() {
        // Computed independently: python3 -c "import hmac,hashlib;
        // print(hmac.new(b'humans2ai-secret', b'{\"event\":\"task.completed\"}',
        // hashlib.sha256).hexdigest())"
        let signature = Signature::humans2ai("humans2ai-secret");
        let headers = signature.headers("delivery-1", 0, br#"{"event":"task.completed"}"#);
        assert_eq!(
            header(&headers, "x-humans2ai-signature"),
            "v1=c19b8cb221a9396f2be8b5b7a3309ba19cb749488b2345271c30a78a06bc41a9"
        );
        assert_eq!(header(&headers, "x-humans2ai-delivery"), "delivery-1");
        let secret = ServerSecret::from_hex(&"ab".repeat(32)).unwrap();
        let webhook = WebhookId(uuid::Uuid::from_u128(7));
        let shown = humans2ai_secret(&secret, webhook);
        assert_eq!(shown.len(), 64);
        assert_ne!(
            shown,
            humans2ai_secret(&secret, WebhookId(uuid::Uuid::from_u128(8)))
        );
        // Not the native endpoint's key under another name.
        assert!(!endpoint_secret(&secret, webhook).contains(&shown));
    }

    #[test]
    fn an_endpoints_secret_is_whsec_base64_of_its_derived_key_and_signs_with_it() {
        let secret = ServerSecret::from_hex(&"ab".repeat(32)).unwrap();
        let webhook = WebhookId(uuid::Uuid::from_u128(7));
        let shown = endpoint_secret(&secret, webhook);
        assert!(shown.starts_with("whsec_"));
        let Signature::Standard { key } = Signature::standard(&shown).unwrap() else {
            panic!("a standard signature");
        };
        assert_eq!(key, secret.derive(&format!("webhook:{webhook}")));
        let other = endpoint_secret(&secret, WebhookId(uuid::Uuid::from_u128(8)));
        assert_ne!(shown, other);
        assert!(Signature::standard("secret").is_err());
        assert!(Signature::standard("whsec_***").is_err());
        let agent = ActorId(uuid::Uuid::from_u128(9));
        assert_eq!(humanping_secret(&secret, agent).len(), 64);
    }
}
