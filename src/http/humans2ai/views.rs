//! Humans2AI's shapes: money as dollars in JSON numbers, camelCase fields,
//! the success envelope `{"success": true, "data": …}`.

use super::ids;
use crate::queries::humans2ai::tasks::status_word;
use chrono::{DateTime, SecondsFormat, Utc};
use errand_aggregates::task::{AssignmentStatus, Submission, SubmissionStatus, Task};
use serde_json::{json, Number, Value};

/// Cents as the dialect's dollar number: whole dollars as an integer (`150`),
/// otherwise the shortest number that reads back as exactly those cents
/// (`149.99`). Built from the exact decimal text, never from arithmetic on
/// a float, so no cent is lost on the way out.
pub fn dollars(cents: i64) -> Value {
    if cents % 100 == 0 {
        return json!(cents / 100);
    }
    let sign = if cents < 0 { "-" } else { "" };
    let text = format!(
        "{sign}{}.{:02}",
        cents.unsigned_abs() / 100,
        cents.unsigned_abs() % 100
    );
    text.parse::<Number>()
        .map(Value::Number)
        .unwrap_or(Value::String(text))
}

/// The success envelope every answer wears.
pub fn success(data: Value) -> Value {
    json!({ "success": true, "data": data })
}

/// Times as the seed writes them: RFC 3339, UTC, whole seconds.
pub fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A task as Humans2AI shows it, folded from its stream, with its poster's
/// name (the seed's `agentName`).
pub fn task_json(task: &Task, agent_name: &str) -> Value {
    let task_id = task.id.map(|id| id.0).unwrap_or_default();
    let assigned = task
        .assignments
        .iter()
        .rev()
        .find(|a| a.status.is_in_flight() || a.status.is_settled());
    let latest_submission = task.submissions.last().map(submission_json);
    json!({
        "id": ids::format("task", task_id),
        "title": task.title,
        "description": task.description,
        "category": task.kind,
        "status": status_of(task),
        "budget": dollars(task.reward_cents()),
        "currency": task.reward.map(|r| r.currency.code()),
        "deadline": task.deadline.map(time),
        "location": task.details.get("location").cloned().unwrap_or(Value::Null),
        "remote": task.details.get("remote").cloned().unwrap_or(Value::Bool(false)),
        "urgency": task.details.get("urgency").cloned().unwrap_or(Value::Null),
        "escrowId": task.hold_id.map(|hold| ids::format("esc", hold.0)),
        "escrowAmount": dollars(task.escrow_cents),
        "agentId": task.poster.map(|poster| ids::format("user", poster.0)),
        "agentName": agent_name,
        "applicantCount": task.applications.len(),
        "assignedTo": assigned.map(|a| ids::format("user", a.worker.0)),
        "submission": latest_submission,
        "mode": task.mode.as_str(),
        "createdAt": task.posted_at.map(time),
        "updatedAt": task.updated_at.map(time),
    })
}

pub fn submission_json(submission: &Submission) -> Value {
    json!({
        "id": ids::format("sub", submission.id.0),
        "humanId": ids::format("user", submission.worker.0),
        "status": match submission.status {
            SubmissionStatus::Pending => "pending",
            SubmissionStatus::Approved => "approved",
            SubmissionStatus::Rejected => "rejected",
            SubmissionStatus::Disputed => "disputed",
        },
        "proof": submission.proof.text,
        "attachments": submission.proof.attachments.iter().map(|a| json!({
            "url": a.url, "mediaType": a.media_type,
        })).collect::<Vec<_>>(),
        "reason": submission.reason,
        "payout": submission.payout.map(|m| dollars(m.cents)),
        "platformFee": submission.fee.map(|m| dollars(m.cents)),
        "submittedAt": time(submission.submitted_at),
    })
}

/// Humans2AI's word for a task folded from its stream: the rule
/// `queries::humans2ai::tasks::status_word` applies to `tasks_view`'s counters.
pub fn status_of(task: &Task) -> &'static str {
    let count = |status: AssignmentStatus| {
        task.assignments
            .iter()
            .filter(|a| a.status == status)
            .count() as i64
    };
    status_word(
        task.status.as_str(),
        count(AssignmentStatus::Active),
        count(AssignmentStatus::Submitted),
        count(AssignmentStatus::Approved),
        count(AssignmentStatus::Disputed),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_are_exact_to_the_cent() {
        assert_eq!(dollars(15_000), json!(150));
        assert_eq!(dollars(14_999).to_string(), "149.99");
        assert_eq!(dollars(5).to_string(), "0.05");
        assert_eq!(dollars(-250).to_string(), "-2.5");
        assert_eq!(dollars(1).to_string(), "0.01");
        assert_eq!(dollars(12_345_678_901).to_string(), "123456789.01");
    }
}
