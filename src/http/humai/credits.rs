//! The caller's credits: `GET /credits-balance` (the wallet's pools, folded
//! from its RC account and its `CreditLots`), `GET /credits-history` (its
//! entries with their provenance, from the history read model) and
//! `POST /credits-withdraw` (cash-backed credits out through the payout
//! provider, as a payout from the wallet: see `commands::request_payout`)
//! and `POST /credits-purchase` (cash-backed credits in: a deposit into the
//! wallet, paid at the payment provider's checkout; its completion opens a
//! withdrawable lot, `commands::complete_deposit`).
//!
//! The seed names no purchase endpoint though its pools presuppose one
//! (`withdrawable (cash-backed)`, `fee_type: deposit`); this is it, shaped
//! like the withdrawal.

use super::errors::HumaiResult;
use super::extract::{Body, Caller, HumaiQuery};
use super::views;
use crate::bus::commands::{self, credit_lots_stream, credits_account};
use crate::bus::Executed;
use crate::http::native::payouts::pay_out;
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::humai::credits::{self as credit_queries, CreditEntry, HistoryQuery};
use crate::queries::payouts::PayoutView;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use errand_aggregates::account::Account;
use errand_aggregates::humai::credit_lots::Pool;
use errand_aggregates::humai::CreditLots;
use errand_aggregates::ids::{FundingId, PayoutId};
use errand_aggregates::money::{Currency, Money};
use errand_aggregates::payout::PayoutPurpose;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/credits-balance", get(balance))
        .route("/credits-history", get(history))
        .route("/credits-withdraw", post(withdraw))
        .route("/credits-purchase", post(purchase))
}

async fn balance(
    State(app): State<AppState>,
    Caller(principal): Caller,
) -> HumaiResult<Json<Value>> {
    let wallet = credits_account(principal.actor_id, principal.mode);
    let (account, _) = app.bus.load::<Account>(&wallet.stream_id()).await?;
    let (lots, _) = app
        .bus
        .load::<CreditLots>(&credit_lots_stream(&wallet))
        .await?;
    let total = views::rc_balance(&account);
    let withdrawable = lots.remaining_in(Pool::Withdrawable);
    // A wallet from before lots were kept: its balance opens as marketplace credits.
    let marketplace = match lots.wallet {
        Some(_) => lots.remaining_in(Pool::Marketplace),
        None => account.available_cents + account.held_cents,
    };
    Ok(Json(json!({
        "rc_balance": total,
        "rc_balance_withdrawable": withdrawable,
        "rc_balance_marketplace": marketplace,
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryParams {
    pub limit: Option<u32>,
    pub offset: Option<u32>,
    pub reason: Option<String>,
}

async fn history(
    State(app): State<AppState>,
    Caller(principal): Caller,
    HumaiQuery(params): HumaiQuery<HistoryParams>,
) -> HumaiResult<Json<Value>> {
    let query = HistoryQuery::parse(params.reason, params.limit, params.offset)?;
    let pool = app.read_models().await?;
    let (entries, total) =
        credit_queries::history(pool, principal.actor_id, principal.mode, &query).await?;
    let transactions: Vec<Value> = entries.iter().map(entry_json).collect();
    Ok(Json(
        json!({ "transactions": transactions, "total": total }),
    ))
}

/// A credit shows what remains of it; a debit does not have a remainder.
fn entry_json(entry: &CreditEntry) -> Value {
    let mut shown = json!({
        "id": entry.entry_id,
        "amount": entry.amount,
        "reason": entry.reason,
        "credit_type": entry.credit_type,
        "withdrawal_eligible": entry.withdrawal_eligible,
        "created_at": DateTime::from_timestamp_micros(entry.created_at_us).map(views::time),
    });
    if entry.is_credit() {
        shown["remaining_amount"] = json!(entry.remaining_amount);
    }
    shown
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawRequest {
    /// Whole credits.
    pub amount: i64,
}

async fn withdraw(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<WithdrawRequest>,
) -> HumaiResult<Response> {
    let amount = Money::positive_cents(request.body.amount, Currency::RC)?;
    let payout = commands::NewPayout {
        payout_id: PayoutId(Uuid::now_v7()),
        account: credits_account(principal.actor_id, principal.mode),
        amount,
        purpose: PayoutPurpose::Withdrawal,
    };
    let executed = pay_out(&app, &principal, &request.meta, payout).await?;
    Ok(respond::executed(
        shaped(executed, withdrawal_json),
        StatusCode::CREATED,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurchaseRequest {
    /// Whole credits, at least the deposit minimum.
    pub amount: i64,
}

/// Buys cash-backed credits: a deposit into the caller's wallet, pending
/// until paid at the checkout.
async fn purchase(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<PurchaseRequest>,
) -> HumaiResult<Response> {
    let amount = Money::positive_cents(request.body.amount, Currency::RC)?;
    let wallet = credits_account(principal.actor_id, principal.mode);
    let funding_id = FundingId(Uuid::now_v7());
    let context = request.meta.context(&principal, "PurchaseCredits", 201);
    let provider = app.payments.name();
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let at = Utc::now();
        let deposit =
            commands::request_deposit(unit, by, wallet, funding_id, amount, provider, at).await?;
        Ok(json!({
            "purchase_id": funding_id.0,
            "amount": deposit.amount.map(|credits| credits.cents),
            "status": "pending",
            "checkout_url": app.payments.checkout_url(&funding_id),
        }))
    })?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

/// A payout's reply in Humai's shape (a repeat's stored reply is already a
/// payout after the provider answered: `pay_out` sends it again).
pub(super) fn shaped(
    executed: Executed<PayoutView>,
    shape: fn(&PayoutView) -> Value,
) -> Executed<Value> {
    match executed {
        Executed::Done {
            reply,
            last_position,
        } => Executed::Done {
            reply: shape(&reply),
            last_position,
        },
        Executed::DryRun { reply, events } => Executed::DryRun {
            reply: shape(&reply),
            events,
        },
        Executed::Replayed(stored) => Executed::Replayed(stored),
    }
}

fn withdrawal_json(payout: &PayoutView) -> Value {
    json!({
        "withdrawal_id": payout.id,
        "amount": payout.amount_cents,
        "status": payout_status(payout),
    })
}

/// A payout's Humai status: `processing` while the provider has not answered,
/// `completed` once paid, `failed` (the money is back) if refused.
pub(super) fn payout_status(payout: &PayoutView) -> &'static str {
    match payout.status.as_str() {
        "paid" => "completed",
        "failed" => "failed",
        _ => "processing",
    }
}
