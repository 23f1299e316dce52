//! Who asks, and how: the part of a request every command carries into the
//! events' metadata.

use serde_json::json;

#[derive(Debug, Clone)]
pub struct Idempotency {
    pub key: String,
    /// SHA-256 of the request (method, path, body): the same key with another
    /// request is refused.
    pub fingerprint: String,
}

#[derive(Debug, Clone)]
pub struct CommandContext {
    /// Who is authenticated: `key:<id>`, or `system:<part>` for timers and the CLI.
    pub principal: String,
    /// The actor the principal acts as, if any.
    pub actor: Option<String>,
    pub request_id: String,
    /// The command's name, e.g. `PostTask`.
    pub command: &'static str,
    /// This command's own id: the causation id of every event it produces.
    pub command_id: String,
    pub idempotency: Option<Idempotency>,
    /// Decide and report, append nothing.
    pub dry_run: bool,
    /// The status a successful reply is recorded with, for idempotent replays.
    pub reply_status: u16,
    /// Streams the caller's rights were read from (its key and actor), with
    /// the versions read: the append insists they have not moved since.
    pub guards: Vec<(String, i64)>,
}

impl CommandContext {
    pub fn system(part: &str, command: &'static str) -> Self {
        CommandContext {
            principal: format!("system:{part}"),
            actor: None,
            request_id: uuid::Uuid::now_v7().to_string(),
            command,
            command_id: uuid::Uuid::now_v7().to_string(),
            idempotency: None,
            dry_run: false,
            reply_status: 200,
            guards: Vec::new(),
        }
    }

    pub(crate) fn metadata_json(&self) -> String {
        json!({
            "principal": self.principal,
            "actor": self.actor,
            "request_id": self.request_id,
            "command": self.command,
            "idempotency_key": self.idempotency.as_ref().map(|i| &i.key),
            "causation_id": self.command_id,
            "correlation_id": self.request_id,
        })
        .to_string()
    }
}
