//! `/wallet`: the caller's balance in the mode of its key (folded from the
//! account's stream, so always current): available, frozen (held in escrow
//! for open tasks) and lifetime totals, in dollars; `/wallet/transactions`:
//! its movements from the postings ledger, by type, in pages.

use super::errors::{Humans2AiError, Humans2AiResult};
use super::extract::{Caller, H2aQuery, Scope};
use super::tasks::{bounded, LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, LIST_PAGE_MAX};
use super::views::{dollars, success, time};
use crate::http::state::AppState;
use crate::queries::humans2ai::transactions::{self, TYPES};
use axum::extract::State;
use axum::Json;
use errand_aggregates::account::{Account, AccountId};
use serde::Deserialize;
use serde_json::{json, Value};

pub async fn get_wallet(
    State(app): State<AppState>,
    caller: Caller,
) -> Humans2AiResult<Json<Value>> {
    let principal = caller.require(Scope::WalletRead)?;
    let account_id = AccountId::usd(principal.actor_id, principal.mode);
    let (account, _) = app.bus.load::<Account>(&account_id.stream_id()).await?;
    Ok(Json(success(json!({
        "balance": dollars(account.available_cents),
        "frozenBalance": dollars(account.held_cents),
        "currency": account_id.currency.code(),
        "mode": principal.mode.as_str(),
        "lifetime": {
            "deposited": dollars(account.deposited_cents),
            "credited": dollars(account.granted_cents),
            "earned": dollars(account.earned_cents),
            "spent": dollars(account.spent_cents),
            "fees": dollars(account.fees_paid_cents),
            "withdrawn": dollars(account.paid_out_cents),
        },
    }))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransactionsQuery {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub page: Option<i64>,
    pub limit: Option<i64>,
}

/// The wallet's movements, newest first, from the postings ledger.
pub async fn list_transactions(
    State(app): State<AppState>,
    caller: Caller,
    H2aQuery(query): H2aQuery<TransactionsQuery>,
) -> Humans2AiResult<Json<Value>> {
    let principal = caller.require(Scope::WalletRead)?;
    let kind = match query.kind.as_deref() {
        None => None,
        Some(word) => Some(
            TYPES
                .iter()
                .copied()
                .find(|known| *known == word)
                .ok_or_else(|| {
                    Humans2AiError::validation(format!("type must be one of {}", TYPES.join(", ")))
                })?,
        ),
    };
    let page = bounded(query.page, 1, 1..=LIST_PAGE_MAX, "page")?;
    let limit = bounded(query.limit, LIST_LIMIT_DEFAULT, 1..=LIST_LIMIT_MAX, "limit")?;
    let account_id = AccountId::usd(principal.actor_id, principal.mode);
    let pool = app.read_models().await?;
    let (rows, total) =
        transactions::list(pool, &account_id, kind, limit, (page - 1) * limit).await?;
    let transactions: Vec<Value> = rows
        .iter()
        .map(|entry| {
            json!({
                "id": format!("txn_{}", entry.position),
                "type": entry.kind,
                "amount": dollars(entry.amount_cents),
                "currency": account_id.currency.code(),
                "createdAt": entry.recorded_at.map(time),
            })
        })
        .collect();
    Ok(Json(success(json!({
        "transactions": transactions,
        "pagination": { "page": page, "limit": limit, "total": total },
    }))))
}
