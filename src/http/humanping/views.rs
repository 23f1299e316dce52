//! HumanPing's response shapes, built by hand from the ledger's task (folded
//! from its stream) or from a `tasks_view` row.

use super::ids;
use crate::queries::humanping::feed::FeedRow;
use crate::queries::humanping::tasks::{status_word, AgentTaskRow};
use chrono::{DateTime, SecondsFormat, Utc};
use errand_aggregates::fee::FeePolicy;
use errand_aggregates::ids::ActorId;
use errand_aggregates::money::Money;
use errand_aggregates::task::{consensus, AssignmentStatus, SubmissionStatus, Task, TaskEvent};
use errand_aggregates::Event;
use serde_json::{json, Map, Value};
use uuid::Uuid;

pub fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// "$150.00"
pub fn dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}${}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// What every task shows, wherever it was read from.
struct TaskFields<'a> {
    task_id: Uuid,
    poster: Uuid,
    kind: &'a str,
    status: &'static str,
    description: &'a str,
    details: &'a Value,
    reward_cents: i64,
    fee: Option<FeePolicy>,
    slots: i64,
    escrow_cents: i64,
    paid_cents: i64,
    deadline: Option<DateTime<Utc>>,
    created_at: Option<DateTime<Utc>>,
}

fn task_json(fields: TaskFields<'_>) -> Map<String, Value> {
    let detail = |name: &str| fields.details.get(name).cloned().unwrap_or(Value::Null);
    let split = fields
        .fee
        .and_then(|fee| fee.split(Money::usd(fields.reward_cents)).ok());
    let mut task = Map::new();
    task.insert("id".into(), json!(ids::format("task", fields.task_id)));
    task.insert(
        "agent_id".into(),
        json!(ids::format("agent", fields.poster)),
    );
    task.insert("type".into(), json!(fields.kind));
    task.insert("status".into(), json!(fields.status));
    task.insert("description".into(), json!(fields.description));
    task.insert("budget_cents".into(), json!(fields.reward_cents));
    task.insert("urgency".into(), detail("urgency"));
    task.insert("proof_required".into(), detail("proof_required"));
    task.insert(
        "context".into(),
        fields.details.get("context").cloned().unwrap_or(json!({})),
    );
    task.insert("consensus_count".into(), json!(fields.slots));
    task.insert(
        "worker_payout_cents".into(),
        json!(split.map(|s| s.payee.cents)),
    );
    task.insert("commission_cents".into(), json!(split.map(|s| s.fee.cents)));
    task.insert("escrow_cents".into(), json!(fields.escrow_cents));
    task.insert("paid_cents".into(), json!(fields.paid_cents));
    task.insert("callback_url".into(), detail("callback_url"));
    task.insert("deadline".into(), json!(fields.deadline.map(time)));
    task.insert("created_at".into(), json!(fields.created_at.map(time)));
    task
}

/// The task as listed, from the read model.
pub fn task_from_row(row: &AgentTaskRow) -> Value {
    let details: Value = serde_json::from_str(&row.details).unwrap_or(json!({}));
    let fee = row
        .fee_rate
        .parse()
        .ok()
        .and_then(|rate| FeePolicy::new(rate).ok());
    let fields = TaskFields {
        task_id: Uuid::parse_str(&row.task_id).unwrap_or_default(),
        poster: Uuid::nil(),
        kind: &row.kind,
        status: row.status_word(),
        description: &row.description,
        details: &details,
        reward_cents: row.reward_cents,
        fee,
        slots: row.slots,
        escrow_cents: row.escrow_cents,
        paid_cents: row.paid_cents,
        deadline: row.deadline_us.and_then(DateTime::from_timestamp_micros),
        created_at: DateTime::from_timestamp_micros(row.posted_at_us),
    };
    let mut task = task_json(fields);
    // The list is always the caller's own tasks; the row's poster is the caller.
    task.remove("agent_id");
    Value::Object(task)
}

/// A task in a worker's feed: who posted it, and why it ranks where it does.
pub fn feed_task(row: &FeedRow) -> Value {
    let mut task = task_from_row(&row.task);
    if let Value::Object(fields) = &mut task {
        fields.insert(
            "agent_id".into(),
            json!(ids::format(
                "agent",
                Uuid::parse_str(&row.poster).unwrap_or_default()
            )),
        );
        fields.insert(
            "match".into(),
            json!({ "skills": row.skill_match, "location": row.location_match }),
        );
    }
    task
}

/// The task as a worker on it sees it: only their own proofs, and no
/// consensus (other workers' answers would tell them what to answer).
pub fn task_for_worker(task: &Task, worker: ActorId) -> Map<String, Value> {
    let mut view = task_detail(task);
    view.remove("consensus");
    let own: Vec<Value> = task
        .submissions
        .iter()
        .zip(proofs(task))
        .filter(|(submission, _)| submission.worker == worker)
        .map(|(_, proof)| proof)
        .collect();
    view.insert("proofs".into(), Value::Array(own));
    view
}

pub fn task_status(task: &Task) -> &'static str {
    let count = |status: AssignmentStatus| {
        task.assignments
            .iter()
            .filter(|a| a.status == status)
            .count() as i64
    };
    status_word(
        task.status.as_str(),
        count(AssignmentStatus::Active),
        task.pending_submissions().count() as i64,
        count(AssignmentStatus::Approved),
        count(AssignmentStatus::Disputed),
    )
}

/// The task folded from its stream, with its proofs and, for a consensus
/// task, where the consensus stands.
pub fn task_detail(task: &Task) -> Map<String, Value> {
    let fields = TaskFields {
        task_id: task.id.map(|id| id.0).unwrap_or_default(),
        poster: task.poster.map(|id| id.0).unwrap_or_default(),
        kind: &task.kind,
        status: task_status(task),
        description: &task.description,
        details: &task.details,
        reward_cents: task.reward.map_or(0, |r| r.cents),
        fee: task.fee,
        slots: i64::from(task.slots),
        escrow_cents: task.escrow_cents,
        paid_cents: task.paid_cents,
        deadline: task.deadline,
        created_at: task.posted_at,
    };
    let mut view = task_json(fields);
    view.insert("proofs".into(), Value::Array(proofs(task)));
    if task.is_consensus() {
        view.insert("consensus".into(), consensus_info(task));
    }
    view
}

/// `GET /tasks/:id`'s task: the detail and its money movements, from the
/// task folded as far as `events` go. Webhooks send the same shape.
pub fn task_document(task: &Task, events: &[(Event, DateTime<Utc>)]) -> Map<String, Value> {
    let mut view = task_detail(task);
    view.insert("transactions".into(), Value::Array(transactions(events)));
    view
}

pub fn proofs(task: &Task) -> Vec<Value> {
    task.submissions
        .iter()
        .map(|submission| {
            let photos: Vec<&str> = submission
                .proof
                .attachments
                .iter()
                .filter(|a| a.media_type.starts_with("image/"))
                .map(|a| a.url.as_str())
                .collect();
            json!({
                "id": ids::format("proof", submission.id.0),
                "worker_id": ids::format("worker", submission.worker.0),
                "status": match submission.status {
                    SubmissionStatus::Pending => "submitted",
                    SubmissionStatus::Approved => "approved",
                    SubmissionStatus::Rejected => "rejected",
                    SubmissionStatus::Disputed => "disputed",
                },
                "text": submission.proof.text,
                "result": submission.proof.result,
                "photos": photos,
                "attachments": submission.proof.attachments.iter().map(|a| json!({
                    "url": a.url, "media_type": a.media_type,
                })).collect::<Vec<_>>(),
                "payout_cents": submission.payout.map(|m| m.cents),
                "submitted_at": time(submission.submitted_at),
            })
        })
        .collect()
}

fn consensus_info(task: &Task) -> Value {
    let submitted = task
        .submissions
        .iter()
        .filter(|s| !matches!(s.status, SubmissionStatus::Rejected))
        .count();
    json!({
        "required": task.slots,
        "submitted": submitted,
        "agreed": consensus::agrees(task),
        "results": consensus::results(task),
        "result": task.consensus.as_ref().map(|c| c.result.clone()),
        "overridden": task.consensus.as_ref().map(|c| c.overridden),
    })
}

/// The task's money movements, from its events: escrow locked and released,
/// each worker's payment and the commission kept.
pub fn transactions(events: &[(Event, DateTime<Utc>)]) -> Vec<Value> {
    let mut transactions = Vec::new();
    for (event, recorded_at) in events {
        let Event::Task(event) = event else { continue };
        let at = time(*recorded_at);
        match event {
            TaskEvent::TaskPosted { escrow, .. } => transactions.push(json!({
                "type": "escrow_lock", "amount_cents": escrow.cents, "created_at": at,
            })),
            TaskEvent::EscrowIncreased { amount, .. } => transactions.push(json!({
                "type": "escrow_lock", "amount_cents": amount.cents, "created_at": at,
            })),
            TaskEvent::EscrowReleased { amount, .. } => transactions.push(json!({
                "type": "escrow_release", "amount_cents": amount.cents, "created_at": at,
            })),
            TaskEvent::SubmissionApproved {
                worker,
                fee,
                payout,
                ..
            } => {
                transactions.push(json!({
                    "type": "payment", "amount_cents": payout.cents,
                    "worker_id": ids::format("worker", worker.0), "created_at": at,
                }));
                transactions.push(json!({
                    "type": "commission", "amount_cents": fee.cents, "created_at": at,
                }));
            }
            _ => {}
        }
    }
    transactions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_are_shown_to_the_cent() {
        assert_eq!(dollars(15_000), "$150.00");
        assert_eq!(dollars(5), "$0.05");
        assert_eq!(dollars(-250), "-$2.50");
    }
}
