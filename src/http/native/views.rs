//! The native API's response shapes, built from aggregate state (one task by
//! id) or read-model rows (lists). Snake case, amounts in cents.

use chrono::{DateTime, Utc};
use errand_aggregates::actor::Actor;
use errand_aggregates::task::{Proof, Task};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskView {
    pub id: Uuid,
    pub poster_id: Uuid,
    pub mode: String,
    pub title: String,
    pub description: String,
    pub kind: String,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// open | paused | stopped | cancelled | expired | completed
    pub status: String,
    /// first_accept | apply_select
    pub assignment_mode: String,
    pub reward_cents: i64,
    pub currency: String,
    pub slots: u32,
    pub open_slots: u32,
    pub working: u32,
    pub awaiting_review: u32,
    pub approved: u32,
    pub disputed: u32,
    /// What the task's escrow hold still holds.
    pub escrow_cents: i64,
    pub paid_cents: i64,
    pub released_cents: i64,
    /// The platform's share of each approved reward, e.g. "0.10".
    pub fee_rate: String,
    pub deadline: Option<DateTime<Utc>>,
    pub assignment_time_limit_s: Option<u32>,
    pub review_window_s: Option<u32>,
    pub posted_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    /// Shown to the poster and admins; others see only their own.
    pub applications: Vec<ApplicationView>,
    pub assignments: Vec<AssignmentView>,
    pub submissions: Vec<SubmissionView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationView {
    pub id: Uuid,
    pub applicant_id: Uuid,
    pub note: Option<String>,
    pub status: String,
    pub applied_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentView {
    pub id: Uuid,
    pub worker_id: Uuid,
    pub status: String,
    pub assigned_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionView {
    pub id: Uuid,
    pub assignment_id: Uuid,
    pub worker_id: Uuid,
    #[schema(value_type = Object)]
    pub proof: Proof,
    pub status: String,
    pub submitted_at: DateTime<Utc>,
    pub review_due_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub payout_cents: Option<i64>,
    pub fee_cents: Option<i64>,
}

fn snake<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        _ => String::new(),
    }
}

impl TaskView {
    /// `viewer` sees every application, assignment and submission when they
    /// may review the task, and only their own otherwise.
    pub fn new(task: &Task, viewer: Uuid, sees_all: bool) -> TaskView {
        let visible = |owner: Uuid| sees_all || owner == viewer;
        let count = |status: errand_aggregates::task::AssignmentStatus| {
            task.assignments
                .iter()
                .filter(|a| a.status == status)
                .count() as u32
        };
        use errand_aggregates::task::AssignmentStatus as S;
        TaskView {
            id: task.id.map(|id| id.0).unwrap_or_default(),
            poster_id: task.poster.map(|id| id.0).unwrap_or_default(),
            mode: task.mode.as_str().to_owned(),
            title: task.title.clone(),
            description: task.description.clone(),
            kind: task.kind.clone(),
            details: task.details.clone(),
            status: task.status.as_str().to_owned(),
            assignment_mode: task.assignment_mode.as_str().to_owned(),
            reward_cents: task.reward_cents(),
            currency: task
                .reward
                .map(|r| r.currency.code())
                .unwrap_or("USD")
                .to_owned(),
            slots: task.slots,
            open_slots: task.open_slots(),
            working: count(S::Active),
            awaiting_review: count(S::Submitted),
            approved: count(S::Approved),
            disputed: count(S::Disputed),
            escrow_cents: task.escrow_cents,
            paid_cents: task.paid_cents,
            released_cents: task.released_cents,
            fee_rate: task
                .fee
                .map(|f| f.rate.normalize().to_string())
                .unwrap_or_default(),
            deadline: task.deadline,
            assignment_time_limit_s: task.assignment_time_limit_s,
            review_window_s: task.review_window_s,
            posted_at: task.posted_at,
            updated_at: task.updated_at,
            applications: task
                .applications
                .iter()
                .filter(|a| visible(a.applicant.0))
                .map(|a| ApplicationView {
                    id: a.id.0,
                    applicant_id: a.applicant.0,
                    note: a.note.clone(),
                    status: snake(&a.status),
                    applied_at: a.at,
                })
                .collect(),
            assignments: task
                .assignments
                .iter()
                .filter(|a| visible(a.worker.0))
                .map(|a| AssignmentView {
                    id: a.id.0,
                    worker_id: a.worker.0,
                    status: snake(&a.status),
                    assigned_at: a.assigned_at,
                    expires_at: a.expires_at,
                })
                .collect(),
            submissions: task
                .submissions
                .iter()
                .filter(|s| visible(s.worker.0))
                .map(|s| SubmissionView {
                    id: s.id.0,
                    assignment_id: s.assignment_id.0,
                    worker_id: s.worker.0,
                    proof: s.proof.clone(),
                    status: snake(&s.status),
                    submitted_at: s.submitted_at,
                    review_due_at: s.review_due_at,
                    reason: s.reason.clone(),
                    payout_cents: s.payout.map(|m| m.cents),
                    fee_cents: s.fee.map(|m| m.cents),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActorView {
    pub id: Uuid,
    /// agent | human | admin
    pub kind: String,
    pub name: String,
    pub email: Option<String>,
    /// active | frozen | banned
    pub status: String,
    pub registered_at: Option<DateTime<Utc>>,
    /// Whether the actor proved they read mail sent to `email`.
    pub email_verified: bool,
}

impl ActorView {
    pub fn new(actor: &Actor) -> ActorView {
        ActorView {
            id: actor.id.map(|id| id.0).unwrap_or_default(),
            kind: actor
                .role
                .map(|r| r.as_str())
                .unwrap_or_default()
                .to_owned(),
            name: actor.name.clone(),
            email: actor.email.as_ref().map(|e| e.as_str().to_owned()),
            status: actor.standing.as_str().to_owned(),
            registered_at: actor.registered_at,
            email_verified: actor.email_verified,
        }
    }
}

pub use crate::queries::Page;

/// What `GET /v1/audit/verify` found: the invariants `errand verify` checks.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView {
    /// True when every invariant holds.
    pub ok: bool,
    /// The journal head when the audit started; later appends are not audited.
    pub head_position: i64,
    pub events_checked: i64,
    /// One per invariant, in DESIGN.md §8's order.
    pub invariants: Vec<InvariantView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvariantView {
    /// hash_chain | ledger_balanced | holds_settled_once | read_models_match_replay |
    /// acknowledged_commands_recorded
    pub name: String,
    pub ok: bool,
    /// What was checked, then the first breaches, one per line.
    pub detail: String,
}

impl AuditView {
    pub fn new(report: &crate::audit::AuditReport) -> AuditView {
        AuditView {
            ok: report.ok,
            head_position: report.head_position,
            events_checked: report.events_checked,
            invariants: report
                .invariants
                .iter()
                .map(|invariant| InvariantView {
                    name: invariant.name.to_owned(),
                    ok: invariant.ok,
                    detail: invariant.detail.clone(),
                })
                .collect(),
        }
    }
}
