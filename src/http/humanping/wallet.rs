//! `/wallet`: the agent's balance (folded from its account's stream, so
//! always current), recent movements and totals (from the postings ledger),
//! its free tasks; deposits through the payment provider's checkout.

use super::errors::HumanPingResult;
use super::extract::{Agent, Body};
use super::{ids, views};
use crate::bus::commands;
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::humanping::wallet::{self, RECENT_MAX};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::Utc;
use errand_aggregates::account::{Account, AccountId};
use errand_aggregates::ids::FundingId;
use errand_aggregates::money::{Currency, Money};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

pub async fn get_wallet(
    State(app): State<AppState>,
    Agent(principal): Agent,
) -> HumanPingResult<Json<Value>> {
    principal.require_scope("wallet:read")?;
    let account_id = AccountId::usd(principal.actor_id, principal.mode);
    let pool = app.read_models().await?;
    let transactions = wallet::recent(pool, &account_id, RECENT_MAX).await?;
    let summary = wallet::summary(pool, &account_id).await?;
    let (account, _) = app.bus.load::<Account>(&account_id.stream_id()).await?;
    Ok(Json(json!({
        "balance_cents": account.available_cents,
        "balance_formatted": views::dollars(account.available_cents),
        "held_cents": account.held_cents,
        "free_tasks": {
            "remaining": account.free_tasks_remaining,
            "cap_cents": account.free_task_cap_cents,
        },
        "transactions": transactions.iter().map(|entry| json!({
            "id": format!("tx_{}", entry.position),
            "type": entry.kind,
            "amount_cents": entry.amount_cents,
            "created_at": entry.recorded_at.map(views::time),
        })).collect::<Vec<_>>(),
        "summary": summary.iter().map(|total| json!({
            "type": total.kind,
            "total_cents": total.total_cents,
            "count": total.count,
        })).collect::<Vec<_>>(),
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepositRequest {
    /// At least 500 (the `Deposit` aggregate's minimum).
    pub amount_cents: i64,
}

pub async fn deposit(
    State(app): State<AppState>,
    Agent(principal): Agent,
    request: Body<DepositRequest>,
) -> HumanPingResult<Response> {
    principal.require_scope("wallet:write")?;
    let amount = Money::positive_cents(request.body.amount_cents, Currency::USD)?;
    let account = AccountId::usd(principal.actor_id, principal.mode);
    let funding_id = FundingId(Uuid::now_v7());
    let context = request.meta.context(&principal, "RequestDeposit", 201);
    let provider = app.payments.name();
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let deposit =
            commands::request_deposit(unit, by, account, funding_id, amount, provider, Utc::now())
                .await?;
        Ok(json!({
            "checkout_url": app.payments.checkout_url(&funding_id),
            // The checkout session is the deposit; so is the transaction.
            "session_id": format!("cs_{}_{}", principal.mode.as_str(), funding_id.0.simple()),
            "transaction_id": ids::format("tx", funding_id.0),
            "amount_cents": deposit.amount.map(|m| m.cents),
            "status": "pending",
        }))
    })?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}
