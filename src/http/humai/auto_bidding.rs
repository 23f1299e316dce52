//! Auto-bidding: `POST /auto-bidding-config` creates, changes, enables,
//! disables or deletes one of the caller's rules; `GET /auto-bidding-config`
//! lists them with what each has done. The `AutoBidRules` aggregate decides;
//! the runtime's auto-bidder places the bids (`runtime/autobids.rs`).
//!
//! Choices where the seed is silent (its one example is a single rule set):
//! - An agent keeps several rules (up to `RULES_MAX`), each with its
//!   `rule_id`. Without `rule_id` the request creates a rule (201); with
//!   it, it changes that rule (200): `rules` replaces its criteria whole,
//!   `enabled` alone enables or disables it. `action: "delete"` deletes it,
//!   as `/webhooks-manage` does.
//! - `max_price_usd` is the most a rule bids: it bids the listing's budget
//!   ceiling when that is lower. `min_listing_tier` reads a listing's
//!   `min_seller_tier`, as listings-search's `min_tier` does.
//! - Beyond the seed's fields a rule may bound the listing's budget
//!   (`min_budget_usd`, `max_budget_usd`), name `listing_types`, and carry
//!   the bid's `scope_note`. `category_tags` takes tags or families (`data:*`).
//! - A rule bids only on listings created after it, in its key's mode.

use super::amounts::{shown, usd};
use super::errors::{HumaiError, HumaiResult};
use super::extract::{Body, Caller};
use super::views::time;
use crate::bus::commands;
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::humai::autobids::{attempt_counts, recent_attempts, rules_of};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use errand_aggregates::autobid::{AutoBidCommand, AutoBidRule, RuleId, RuleInput, RuleState};
use errand_aggregates::mode::Mode;
use serde::Deserialize;
use serde_json::{json, Number, Value};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new().route("/auto-bidding-config", get(list).post(configure))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesRequest {
    pub max_price_usd: Option<Number>,
    pub category_tags: Option<Vec<String>>,
    pub min_listing_tier: Option<i64>,
    pub max_concurrent: Option<i64>,
    pub preferred_sla_hours: Option<i64>,
    pub min_budget_usd: Option<Number>,
    pub max_budget_usd: Option<Number>,
    pub listing_types: Option<Vec<String>>,
    pub scope_note: Option<String>,
}

impl RulesRequest {
    fn parse(&self) -> HumaiResult<AutoBidRule> {
        let amount = |field: &str, value: &Option<Number>| {
            value.as_ref().map(|number| usd(field, number)).transpose()
        };
        let input = RuleInput {
            max_price: amount("max_price_usd", &self.max_price_usd)?,
            category_tags: self.category_tags.clone().unwrap_or_default(),
            min_listing_tier: self.min_listing_tier,
            max_concurrent: self.max_concurrent,
            preferred_sla_hours: self.preferred_sla_hours,
            min_budget: amount("min_budget_usd", &self.min_budget_usd)?,
            max_budget: amount("max_budget_usd", &self.max_budget_usd)?,
            listing_types: self.listing_types.clone().unwrap_or_default(),
            scope_note: self.scope_note.clone(),
        };
        Ok(AutoBidRule::parse(&input)?)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigRequest {
    pub rule_id: Option<String>,
    /// `set` (the default) or `delete`.
    pub action: Option<String>,
    pub enabled: Option<bool>,
    pub rules: Option<RulesRequest>,
}

fn rule_id(text: &str) -> HumaiResult<RuleId> {
    RuleId::parse(text.trim()).ok_or_else(|| HumaiError::validation("rule_id must be a UUID"))
}

/// What a request asks, parsed: the command and the reply's status.
fn command(request: &ConfigRequest, mode: Mode) -> HumaiResult<(AutoBidCommand, StatusCode)> {
    let at = Utc::now();
    match request.action.as_deref().unwrap_or("set") {
        "delete" => {
            let Some(id) = &request.rule_id else {
                return Err(HumaiError::validation("delete names its rule_id"));
            };
            if request.rules.is_some() || request.enabled.is_some() {
                return Err(HumaiError::validation(
                    "delete takes rule_id alone, without rules or enabled",
                ));
            }
            let rule_id = rule_id(id)?;
            Ok((AutoBidCommand::Delete { rule_id, at }, StatusCode::OK))
        }
        "set" => {
            let rule = request
                .rules
                .as_ref()
                .map(RulesRequest::parse)
                .transpose()?;
            let (rule_id, status) = match &request.rule_id {
                Some(id) => (rule_id(id)?, StatusCode::OK),
                None if rule.is_none() => {
                    return Err(HumaiError::validation("a new rule needs its rules"))
                }
                None => (RuleId(Uuid::now_v7()), StatusCode::CREATED),
            };
            if rule.is_none() && request.enabled.is_none() {
                return Err(HumaiError::validation(
                    "send rules, enabled, or both, to change a rule",
                ));
            }
            let configure = AutoBidCommand::Configure {
                rule_id,
                rule,
                enabled: request.enabled,
                mode,
                at,
            };
            Ok((configure, status))
        }
        _ => Err(HumaiError::validation("action is \"set\" or \"delete\"")),
    }
}

fn rules_json(rule: &AutoBidRule) -> Value {
    json!({
        "max_price_usd": shown(rule.max_price),
        "category_tags": rule.category_tags.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        "min_listing_tier": rule.min_listing_tier.value(),
        "max_concurrent": rule.max_concurrent,
        "preferred_sla_hours": rule.preferred_sla_hours.map(|h| h.hours()),
        "min_budget_usd": rule.min_budget.map(shown),
        "max_budget_usd": rule.max_budget.map(shown),
        "listing_types": rule.listing_types.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        "scope_note": rule.scope_note.as_ref().map(|n| n.as_str()),
    })
}

fn rule_json(rule_id: RuleId, state: &RuleState) -> Value {
    json!({
        "rule_id": rule_id.0,
        "enabled": state.enabled,
        "mode": state.mode.as_str(),
        "rules": rules_json(&state.rule),
        "open_bids": state.open_bids.len(),
    })
}

async fn configure(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<ConfigRequest>,
) -> HumaiResult<Response> {
    let (command, status) = command(&request.body, principal.mode)?;
    let context = request
        .meta
        .context(&principal, "ConfigureAutoBidding", status.as_u16());
    let actor = principal.actor_id;
    let executed = crate::execute!(app.bus, &context, |unit| {
        let rules = commands::on_auto_bid_rules(unit, actor, &command).await?;
        Ok(match &command {
            AutoBidCommand::Delete { rule_id, .. } => {
                json!({ "rule_id": rule_id.0, "deleted": true })
            }
            AutoBidCommand::Configure { rule_id, .. } => match rules.rules.get(rule_id) {
                Some(state) => rule_json(*rule_id, state),
                None => json!({ "rule_id": rule_id.0 }),
            },
            _ => Value::Null,
        })
    })?;
    Ok(respond::executed(executed, status))
}

/// The caller's rules in its key's mode, oldest first, each with its counts
/// and latest attempts.
async fn list(State(app): State<AppState>, Caller(principal): Caller) -> HumaiResult<Json<Value>> {
    let pool = app.read_models().await?;
    let actor = principal.actor_id.to_string();
    let rows = rules_of(pool, &actor, principal.mode.as_str()).await?;
    let counts = attempt_counts(pool, &actor).await?;
    let mut rules = Vec::with_capacity(rows.len());
    for row in rows {
        let rule: AutoBidRule = serde_json::from_str(&row.rule)
            .map_err(|error| HumaiError::from(crate::http::errors::ApiError::internal(error)))?;
        let count = counts.get(&row.rule_id).copied().unwrap_or_default();
        let recent: Vec<Value> = recent_attempts(pool, &row.rule_id)
            .await?
            .into_iter()
            .map(|attempt| {
                json!({
                    "listing_id": attempt.listing_id,
                    "bid_id": attempt.bid_id,
                    "status": attempt.status,
                    "reason": attempt.reason,
                })
            })
            .collect();
        rules.push(json!({
            "rule_id": row.rule_id,
            "enabled": row.enabled == 1,
            "mode": row.mode,
            "rules": rules_json(&rule),
            "bids_placed": count.placed,
            "bids_skipped": count.skipped,
            "bids_pending": count.pending,
            "recent": recent,
            "created_at": chrono::DateTime::from_timestamp_micros(row.created_at_us).map(time),
        }));
    }
    Ok(Json(json!({ "count": rules.len(), "rules": rules })))
}
