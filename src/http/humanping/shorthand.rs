//! The SDK's shorthand endpoints: each posts a typed task with a default
//! budget, from a body shaped for its kind of work. Every body also takes
//! the common optional fields: `budget_cents`, `urgency`, `deadline`,
//! `callback_url`.
//!
//! - `/verify` {question, location?, proof?} → verification, $5.00
//! - `/call` {description, number, script?} → voice_proxy, $10.00
//! - `/gut-check` {content, question, scale?, consensus?} → gut_check, $3.00
//! - `/field`, `/escalate`, `/vibe` {description, context?, proof_required?,
//!   consensus_count?} → field_mission $15.00, empathy_escalation $20.00,
//!   vibe_reader $8.00

use super::draft::{ProofKind, TaskDraft, TaskType, Urgency};
use super::errors::HumanPingResult;
use super::extract::{Agent, Body};
use super::tasks::post_draft;
use crate::http::state::AppState;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Map, Value};

pub const VERIFY_BUDGET_CENTS: i64 = 500;
pub const CALL_BUDGET_CENTS: i64 = 1_000;
pub const GUT_CHECK_BUDGET_CENTS: i64 = 300;
pub const FIELD_BUDGET_CENTS: i64 = 1_500;
pub const ESCALATE_BUDGET_CENTS: i64 = 2_000;
pub const VIBE_BUDGET_CENTS: i64 = 800;
/// A gut check's scale when none is given, as in the SDK's example.
const GUT_CHECK_SCALE_DEFAULT: &str = "1-10";

/// Puts `value` in the context under `name` when there is one.
fn with(mut context: Map<String, Value>, name: &str, value: Option<String>) -> Map<String, Value> {
    if let Some(value) = value {
        context.insert(name.to_owned(), json!(value));
    }
    context
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    pub question: String,
    pub location: Option<String>,
    pub proof: Option<ProofKind>,
    pub budget_cents: Option<i64>,
    pub urgency: Option<Urgency>,
    pub deadline: Option<String>,
    pub callback_url: Option<String>,
}

pub async fn verify(
    State(app): State<AppState>,
    Agent(principal): Agent,
    request: Body<VerifyRequest>,
) -> HumanPingResult<Response> {
    let body = request.body;
    let draft = TaskDraft {
        description: body.question,
        budget_cents: body.budget_cents.unwrap_or(VERIFY_BUDGET_CENTS),
        kind: TaskType::Verification,
        urgency: body.urgency,
        proof_required: Some(body.proof.unwrap_or(ProofKind::Photo)),
        deadline: body.deadline,
        context: with(Map::new(), "location", body.location),
        consensus_count: None,
        callback_url: body.callback_url,
    };
    post_draft(&app, &principal, draft, &request.meta).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallRequest {
    pub description: String,
    pub number: String,
    pub script: Option<String>,
    pub budget_cents: Option<i64>,
    pub urgency: Option<Urgency>,
    pub deadline: Option<String>,
    pub callback_url: Option<String>,
}

pub async fn call(
    State(app): State<AppState>,
    Agent(principal): Agent,
    request: Body<CallRequest>,
) -> HumanPingResult<Response> {
    let body = request.body;
    let context = with(Map::new(), "number", Some(body.number));
    let draft = TaskDraft {
        description: body.description,
        budget_cents: body.budget_cents.unwrap_or(CALL_BUDGET_CENTS),
        kind: TaskType::VoiceProxy,
        urgency: body.urgency,
        proof_required: Some(ProofKind::Text),
        deadline: body.deadline,
        context: with(context, "script", body.script),
        consensus_count: None,
        callback_url: body.callback_url,
    };
    post_draft(&app, &principal, draft, &request.meta).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GutCheckRequest {
    pub content: String,
    pub question: String,
    pub scale: Option<String>,
    /// How many people answer; their answers are compared on approval.
    pub consensus: Option<u32>,
    pub budget_cents: Option<i64>,
    pub urgency: Option<Urgency>,
    pub deadline: Option<String>,
    pub callback_url: Option<String>,
}

pub async fn gut_check(
    State(app): State<AppState>,
    Agent(principal): Agent,
    request: Body<GutCheckRequest>,
) -> HumanPingResult<Response> {
    let body = request.body;
    let scale = body
        .scale
        .unwrap_or_else(|| GUT_CHECK_SCALE_DEFAULT.to_owned());
    let context = with(Map::new(), "content", Some(body.content));
    let draft = TaskDraft {
        description: body.question,
        budget_cents: body.budget_cents.unwrap_or(GUT_CHECK_BUDGET_CENTS),
        kind: TaskType::GutCheck,
        urgency: body.urgency,
        proof_required: Some(ProofKind::Text),
        deadline: body.deadline,
        context: with(context, "scale", Some(scale)),
        consensus_count: body.consensus,
        callback_url: body.callback_url,
    };
    post_draft(&app, &principal, draft, &request.meta).await
}

/// The body of `/field`, `/escalate` and `/vibe`: what to do, and context.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DescribedRequest {
    pub description: String,
    pub context: Option<Map<String, Value>>,
    pub proof_required: Option<ProofKind>,
    pub consensus_count: Option<u32>,
    pub budget_cents: Option<i64>,
    pub urgency: Option<Urgency>,
    pub deadline: Option<String>,
    pub callback_url: Option<String>,
}

impl DescribedRequest {
    fn into_draft(self, kind: TaskType, default_budget_cents: i64) -> TaskDraft {
        TaskDraft {
            description: self.description,
            budget_cents: self.budget_cents.unwrap_or(default_budget_cents),
            kind,
            urgency: self.urgency,
            proof_required: self.proof_required,
            deadline: self.deadline,
            context: self.context.unwrap_or_default(),
            consensus_count: self.consensus_count,
            callback_url: self.callback_url,
        }
    }
}

macro_rules! described_shorthand {
    ($name:ident, $kind:ident, $budget:ident) => {
        pub async fn $name(
            State(app): State<AppState>,
            Agent(principal): Agent,
            request: Body<DescribedRequest>,
        ) -> HumanPingResult<Response> {
            let draft = request.body.into_draft(TaskType::$kind, $budget);
            post_draft(&app, &principal, draft, &request.meta).await
        }
    };
}

described_shorthand!(field, FieldMission, FIELD_BUDGET_CENTS);
described_shorthand!(escalate, EmpathyEscalation, ESCALATE_BUDGET_CENTS);
described_shorthand!(vibe, VibeReader, VIBE_BUDGET_CENTS);
