//! Email verification tokens, and the sandbox mailbox they are delivered to.
//! There is no mail server: a verification is logged (the email and the
//! link) and, in the sandbox, kept in memory so an admin can read the latest
//! link per address (`GET /v1/admin/email-verifications`). Only the token's
//! hash goes into the journal.

use crate::credentials::hash_secret;
use errand_aggregates::ids::ActorId;
use rand::RngCore;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Addresses the sandbox mailbox remembers; the oldest is forgotten first.
/// A sandbox serves tests and demos, not a population.
pub const SANDBOX_MAILBOX_ADDRESSES_MAX: usize = 10_000;

/// A verification token: `evt_<actor id, 32 hex>_<64 hex of randomness>`. The
/// actor id in it says whose stream to check; the randomness makes it unguessable.
pub struct VerificationToken {
    pub token: String,
    pub hash: String,
}

pub fn new_verification_token(actor: ActorId) -> VerificationToken {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("evt_{}_{}", actor.0.simple(), hex::encode(bytes));
    let hash = hash_secret(&token);
    VerificationToken { token, hash }
}

/// The actor a presented token names, if it is shaped like one of ours.
pub fn token_actor(token: &str) -> Option<ActorId> {
    let rest = token.strip_prefix("evt_")?;
    let (actor, random) = rest.split_once('_')?;
    if actor.len() != 32 || random.len() != 64 || !random.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    ActorId::parse(actor)
}

/// One verification "sent".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentVerification {
    pub actor_id: ActorId,
    pub email: String,
    pub token: String,
    pub link: String,
    pub sent_at: chrono::DateTime<chrono::Utc>,
}

pub struct SandboxMailbox {
    enabled: bool,
    latest: Mutex<Mailbox>,
}

#[derive(Default)]
struct Mailbox {
    by_email: HashMap<String, SentVerification>,
    /// Addresses in the order they were last written to, to forget the oldest.
    order: VecDeque<String>,
}

impl SandboxMailbox {
    pub fn new(enabled: bool) -> SandboxMailbox {
        SandboxMailbox {
            enabled,
            latest: Mutex::new(Mailbox::default()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Logs the message and, in the sandbox, keeps it as the address's latest.
    pub fn send(&self, sent: SentVerification) {
        tracing::info!(
            email = %sent.email,
            link = %sent.link,
            "email verification sent (no mail server: read it here or from the sandbox mailbox)"
        );
        if !self.enabled {
            return;
        }
        let mut mailbox = self.latest.lock().unwrap_or_else(|p| p.into_inner());
        let email = sent.email.clone();
        if mailbox.by_email.insert(email.clone(), sent).is_some() {
            mailbox.order.retain(|e| *e != email);
        }
        mailbox.order.push_back(email);
        while mailbox.order.len() > SANDBOX_MAILBOX_ADDRESSES_MAX {
            if let Some(oldest) = mailbox.order.pop_front() {
                mailbox.by_email.remove(&oldest);
            }
        }
    }

    pub fn latest(&self, email: &str) -> Option<SentVerification> {
        let mailbox = self.latest.lock().unwrap_or_else(|p| p.into_inner());
        mailbox.by_email.get(email).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_its_actor_and_hashes_to_what_is_stored() {
        let actor = ActorId(uuid::Uuid::now_v7());
        let token = new_verification_token(actor);
        assert_eq!(token_actor(&token.token), Some(actor));
        assert_eq!(token.hash, hash_secret(&token.token));
        for bad in ["", "evt_", "evt_x_y", &token.token[..token.token.len() - 1]] {
            assert_eq!(token_actor(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_mailbox_keeps_the_latest_per_address_when_enabled() {
        let sent = |email: &str, token: &str| SentVerification {
            actor_id: ActorId(uuid::Uuid::nil()),
            email: email.into(),
            token: token.into(),
            link: format!("http://x/{token}"),
            sent_at: chrono::Utc::now(),
        };
        let mailbox = SandboxMailbox::new(true);
        mailbox.send(sent("a@example.com", "t1"));
        mailbox.send(sent("a@example.com", "t2"));
        assert_eq!(mailbox.latest("a@example.com").unwrap().token, "t2");
        assert_eq!(mailbox.latest("b@example.com"), None);
        let off = SandboxMailbox::new(false);
        off.send(sent("a@example.com", "t1"));
        assert_eq!(off.latest("a@example.com"), None);
    }
}
