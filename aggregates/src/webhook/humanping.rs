//! HumanPing's webhooks, the domain half: which tasks are HumanPing's, which
//! of their events HumanPing sends, and the names of its implicit endpoints.
//!
//! HumanPing has no endpoint registration: an agent's `webhook_url` (given at
//! registration, recorded on the actor) and a task's `callback_url` (in its
//! details) are where its events go, the task's first. The outbox makes an
//! endpoint of each, named here from the agent or the task, so a rebuild
//! names every endpoint, and so every delivery, as before.

use crate::ids::{ActorId, TaskId, WebhookId};
use uuid::Uuid;

/// The namespace of HumanPing's implicit endpoint ids (a random v4 UUID,
/// fixed forever: changing it would rename every delivery).
const ENDPOINT_NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_2a5e_93d4_4b0e_8a71_5c2d_e4f9_0b37);

/// The task details key HumanPing's tasks carry (`"dialect": "humanping"`).
pub const DIALECT_KEY: &str = "dialect";
pub const DIALECT: &str = "humanping";
/// Where a task's details keep its `callback_url`, and an actor's its `webhook_url`.
pub const CALLBACK_URL_KEY: &str = "callback_url";
pub const WEBHOOK_URL_KEY: &str = "webhook_url";

/// The ledger events HumanPing sends, as `GET /v1/events` names them:
/// `WorkSubmitted` (`task.proof_submitted`, or `task.consensus_proof` on a
/// task of several workers), `TaskCompleted` (`task.completed`, once, when
/// the approval pays the last slot) and `SubmissionDisputed`
/// (`task.disputed`, once per dispute however many proofs it disputes).
pub const TRIGGERS: &[&str] = &["WorkSubmitted", "TaskCompleted", "SubmissionDisputed"];

/// Whether a task's details mark it as posted through HumanPing.
pub fn is_humanping_task(details: &serde_json::Value) -> bool {
    details.get(DIALECT_KEY).and_then(|v| v.as_str()) == Some(DIALECT)
}

/// The endpoint an agent's `webhook_url` becomes.
pub fn agent_endpoint_id(agent: ActorId) -> WebhookId {
    WebhookId(Uuid::new_v5(
        &ENDPOINT_NAMESPACE,
        format!("agent:{agent}").as_bytes(),
    ))
}

/// The endpoint a task's `callback_url` becomes.
pub fn task_endpoint_id(task: TaskId) -> WebhookId {
    WebhookId(Uuid::new_v5(
        &ENDPOINT_NAMESPACE,
        format!("task:{task}").as_bytes(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn implicit_endpoint_ids_are_stable_and_distinct() {
        let id = Uuid::from_u128(42);
        assert_eq!(
            agent_endpoint_id(ActorId(id)),
            agent_endpoint_id(ActorId(id))
        );
        assert_ne!(
            agent_endpoint_id(ActorId(id)).0,
            task_endpoint_id(TaskId(id)).0
        );
        assert_ne!(
            task_endpoint_id(TaskId(id)),
            task_endpoint_id(TaskId(Uuid::from_u128(43)))
        );
    }

    #[test]
    fn a_humanping_task_says_so_in_its_details() {
        assert!(is_humanping_task(&json!({"dialect": "humanping"})));
        assert!(!is_humanping_task(&json!({"dialect": "humans2ai"})));
        assert!(!is_humanping_task(&json!({})));
        assert!(!is_humanping_task(&json!(null)));
    }
}
