//! `POST /tasks/:id/payout`: the agent has each worker's earnings from its
//! task paid out to the worker's connected account. Semantics (HumanPing's
//! reference is silent): every worker with approved work on the task is paid
//! what they earned on it (their pay less the commission), once per task and
//! worker; a second call pays nothing more and says so. A worker who cannot
//! be paid yet (no onboarded payout account, earnings already withdrawn) is
//! listed with the reason and paid by a later call. 409 when the task has no
//! approved work, or when no worker could be paid now or before.
//!
//! Also what HumanPing's worker side (`/worker/stripe/*`) translates to: the
//! native payout-account functions in `http::native::payouts`.

use super::errors::{HumanPingError, HumanPingResult};
use super::extract::{Agent, Body, HpPath};
use super::ids;
use super::tasks::own_task;
use crate::http::state::AppState;
use crate::payments::task_earnings::{self, Outcome, WorkerPayout};
use axum::extract::State;
use axum::Json;
use errand_aggregates::actor::Caller;
use errand_aggregates::payout::PayoutStatus;
use errand_aggregates::DomainError;
use serde::Deserialize;
use serde_json::{json, Value};

pub use crate::http::native::payouts::{connect, dashboard_link, status};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayoutTaskRequest {}

pub async fn pay_out_task(
    State(app): State<AppState>,
    Agent(principal): Agent,
    HpPath(id): HpPath<String>,
    request: Body<PayoutTaskRequest>,
) -> HumanPingResult<Json<Value>> {
    principal.require_scope("tasks:write")?;
    let (task_id, _) = own_task(&app, &principal, &id).await?;
    let by = Caller {
        actor: principal.actor_id,
        role: principal.role,
        standing: principal.standing,
    };
    // Each worker's payout is its own command; the payout ids make the whole
    // call idempotent, so no Idempotency-Key record is kept for it.
    let context = || {
        let mut context = request.meta.context(&principal, "PayOutTaskEarnings", 200);
        context.idempotency = None;
        context
    };
    let lines =
        task_earnings::pay_out(&app.bus, app.payouts.as_ref(), by, task_id, context).await?;
    let paid_now_cents: i64 = lines
        .iter()
        .filter_map(|line| match &line.outcome {
            Outcome::Sent { payout, now: true } if payout.status != PayoutStatus::Failed => {
                Some(line.amount.cents)
            }
            _ => None,
        })
        .sum();
    let refusals: Vec<&DomainError> = lines
        .iter()
        .filter_map(|line| match &line.outcome {
            Outcome::Refused(refusal) => Some(refusal),
            _ => None,
        })
        .collect();
    if let (Some(first), true) = (refusals.first(), refusals.len() == lines.len()) {
        return Err(HumanPingError::Conflict(format!(
            "No worker could be paid out: {}.",
            refusal_text(first)
        )));
    }
    let message = if paid_now_cents > 0 {
        format!("Paid out {paid_now_cents} cents.")
    } else if refusals.is_empty() {
        "Nothing more to pay out: every worker's earnings from this task were paid out before."
            .to_owned()
    } else {
        "Nothing paid out now; see each worker's status.".to_owned()
    };
    Ok(Json(json!({
        "task_id": ids::format("task", task_id.0),
        "paid_now_cents": paid_now_cents,
        "payouts": lines.iter().map(line_json).collect::<Vec<_>>(),
        "message": message,
    })))
}

fn refusal_text(refusal: &DomainError) -> String {
    match refusal {
        DomainError::InsufficientFunds {
            available_cents, ..
        } => {
            format!("the worker's available balance is {available_cents} cents (already withdrawn)")
        }
        other => other.to_string(),
    }
}

fn line_json(line: &WorkerPayout) -> Value {
    let (status, paid_now, error, reference) = match &line.outcome {
        Outcome::Sent { payout, now } => (
            payout.status.as_str(),
            *now,
            payout.failure_reason.clone(),
            payout.provider_reference.clone(),
        ),
        Outcome::Refused(refusal) => ("not_paid", false, Some(refusal_text(refusal)), None),
        Outcome::WouldSend => ("dry_run", false, None, None),
    };
    json!({
        "worker_id": ids::format("worker", line.worker.0),
        "payout_id": ids::format("po", line.payout_id.0),
        "amount_cents": line.amount.cents,
        "status": status,
        "paid_now": paid_now,
        "provider_reference": reference,
        "error": error,
    })
}
