//! InstaHuman's response shapes: camelCase fields, money as dollar numbers
//! built from exact cents, times as RFC 3339 UTC.

use chrono::{DateTime, SecondsFormat, Utc};
use errand_aggregates::ids::ProjectId;
use errand_aggregates::instahuman::catalog::{Entry, Filter};
use errand_aggregates::instahuman::job_status;
use errand_aggregates::money::Money;
use errand_aggregates::task::{
    AssignmentStatus, Earning, Submission, SubmissionStatus, Task, TaskStatus,
};
use serde_json::{json, Number, Value};

/// Cents as a dollar number (`12.5` for 1,250 cents), from the exact decimal
/// text, never from float arithmetic.
pub fn dollars(cents: i64) -> Value {
    let text = Money::usd(cents).to_major().normalize().to_string();
    text.parse::<Number>()
        .map(Value::Number)
        .unwrap_or(Value::String(text))
}

/// Times as RFC 3339, UTC, whole seconds.
pub fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A catalog item: a category, interest, device, or a filter's option.
pub fn entry_json(entry: &Entry) -> Value {
    let mut json = json!({ "id": entry.id, "name": entry.name });
    if let Some(description) = &entry.description {
        json["description"] = json!(description);
    }
    json
}

/// A participant filter and what a job may ask of it.
pub fn filter_json(filter: &Filter) -> Value {
    match filter {
        Filter::Range {
            id,
            name,
            min,
            max,
            unit,
        } => json!({
            "id": id, "name": name, "type": "range", "min": min, "max": max, "unit": unit,
        }),
        Filter::Choice { id, name, options } => json!({
            "id": id,
            "name": name,
            "type": "choice",
            "options": options.iter().map(entry_json).collect::<Vec<_>>(),
        }),
    }
}

/// What the task's details say of the job: what it asks of testers.
fn asks(task_details: &Value, field: &str, empty: Value) -> Value {
    task_details.get(field).cloned().unwrap_or(empty)
}

fn count(task: &Task, status: AssignmentStatus) -> i64 {
    task.assignments
        .iter()
        .filter(|a| a.status == status)
        .count() as i64
}

/// A job's status word, from its task.
pub fn status_of(task: &Task) -> &'static str {
    job_status(task.status, count(task, AssignmentStatus::Disputed))
}

/// A job as its owner sees it, folded from its task's stream: what it asks,
/// its escrow, the testers' progress and feedback, and its settlement; and
/// the project it is in (its `JobLink`'s).
pub fn job_json(task: &Task, project: Option<ProjectId>) -> Value {
    let status = status_of(task);
    let reward = task.reward_cents();
    let split = task
        .fee
        .zip(task.reward)
        .and_then(|(fee, reward)| fee.split(reward).ok());
    let open = match task.status {
        TaskStatus::Open | TaskStatus::Paused => i64::from(task.open_slots()),
        _ => 0,
    };
    json!({
        "id": task.id.map(|id| id.0),
        "title": task.title,
        "instructions": task.description,
        "category": task.kind,
        "status": status,
        "testerCount": task.slots,
        "rewardPerTester": dollars(reward),
        "payoutPerTester": split.map(|s| dollars(s.payee.cents)),
        "platformFeePerTester": split.map(|s| dollars(s.fee.cents)),
        "currency": task.reward.map(|r| r.currency.code()),
        "participantFilters": asks(&task.details, "participantFilters", json!({})),
        "equipment": asks(&task.details, "equipment", json!([])),
        "interests": asks(&task.details, "interests", json!([])),
        "projectId": project.map(|project| project.0),
        "mode": task.mode.as_str(),
        "escrow": {
            "held": dollars(task.escrow_cents),
            "paid": dollars(task.paid_cents),
            "released": dollars(task.released_cents),
        },
        "progress": {
            "slots": task.slots,
            "open": open,
            "inProgress": count(task, AssignmentStatus::Active),
            "finished": count(task, AssignmentStatus::Submitted)
                + count(task, AssignmentStatus::Approved),
            "approved": count(task, AssignmentStatus::Approved),
            "disputed": count(task, AssignmentStatus::Disputed),
            "rejected": count(task, AssignmentStatus::Rejected),
            "abandoned": count(task, AssignmentStatus::Abandoned),
            "ended": count(task, AssignmentStatus::Ended),
        },
        "feedback": task.submissions.iter().map(feedback_json).collect::<Vec<_>>(),
        "settlement": settlement_json(task, status),
        "createdAt": task.posted_at.map(time),
        "updatedAt": task.updated_at.map(time),
    })
}

fn submission_status(status: SubmissionStatus) -> &'static str {
    match status {
        SubmissionStatus::Pending => "pending",
        SubmissionStatus::Approved => "approved",
        SubmissionStatus::Rejected => "rejected",
        SubmissionStatus::Disputed => "disputed",
    }
}

/// A tester's feedback: their submission's proof and how it was received.
fn feedback_json(submission: &Submission) -> Value {
    json!({
        "submissionId": submission.id.0,
        "testerId": submission.worker.0,
        "status": submission_status(submission.status),
        "text": submission.proof.text,
        "result": submission.proof.result,
        "attachments": submission.proof.attachments.iter().map(|a| json!({
            "url": a.url, "mediaType": a.media_type,
        })).collect::<Vec<_>>(),
        "reason": submission.reason,
        "submittedAt": time(submission.submitted_at),
    })
}

/// What the job's settlement pays each finished tester, once it is settling
/// or over: the settlement's own earnings, or — for a job whose every slot
/// was approved one by one — what each approval paid.
fn settlement_json(task: &Task, status: &str) -> Value {
    let outcome = match task.status {
        TaskStatus::Settling => "pending",
        TaskStatus::Completed => "approved",
        TaskStatus::Cancelled if status == "disputed" => "disputed",
        _ => return Value::Null,
    };
    let earnings: Vec<Earning> = match &task.settlement {
        Some(settlement) => settlement.earnings.clone(),
        None => task
            .submissions
            .iter()
            .filter(|s| s.status == SubmissionStatus::Approved)
            .filter_map(|s| {
                Some(Earning {
                    submission_id: s.id,
                    worker: s.worker,
                    gross: s.payout?.checked_add(s.fee?).ok()?,
                    fee: s.fee?,
                    payout: s.payout?,
                })
            })
            .collect(),
    };
    let total = |amount: fn(&Earning) -> i64| dollars(earnings.iter().map(amount).sum());
    json!({
        "status": outcome,
        "openedAt": task.settlement.as_ref().map(|s| time(s.opened_at)),
        "testers": earnings.iter().map(|earning| json!({
            "testerId": earning.worker.0,
            "submissionId": earning.submission_id.0,
            "earned": dollars(earning.gross.cents),
            "fee": dollars(earning.fee.cents),
            "payout": dollars(earning.payout.cents),
            "status": task
                .submission(earning.submission_id)
                .map(|s| submission_status(s.status)),
        })).collect::<Vec<_>>(),
        "total": total(|e| e.gross.cents),
        "fees": total(|e| e.fee.cents),
        "payouts": total(|e| e.payout.cents),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_are_exact_to_the_cent() {
        assert_eq!(dollars(15_000), json!(150));
        assert_eq!(dollars(1_250).to_string(), "12.5");
        assert_eq!(dollars(1).to_string(), "0.01");
        assert_eq!(dollars(12_345_678_901).to_string(), "123456789.01");
    }
}
