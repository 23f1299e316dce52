//! How people prove who they are: passwords ([`password`]), the tokens a
//! login hands out ([`tokens`]), email verification tokens and the sandbox
//! mailbox they are "sent" to ([`verification`]). The facts (password hashes,
//! credentials versions, verified emails) live in the journal, in the
//! `credentials-<actor>`, `actor-<actor>` and `email-<hash>` streams; this
//! module holds only the machinery and its bounds.

pub mod password;
pub mod tokens;
pub mod verification;

use crate::config::Config;
use crate::server_secret::ServerSecret;

/// What the HTTP layer needs to log people in.
pub struct Identity {
    pub passwords: password::PasswordHasher,
    pub tokens: tokens::TokenKeys,
    pub mailbox: verification::SandboxMailbox,
}

impl Identity {
    pub fn new(config: &Config, secret: &ServerSecret) -> Identity {
        Identity {
            passwords: password::PasswordHasher::new(),
            tokens: tokens::TokenKeys::new(
                &secret.derive("jwt"),
                config.access_token_ttl,
                config.refresh_token_ttl,
            ),
            mailbox: verification::SandboxMailbox::new(config.sandbox_email),
        }
    }
}
