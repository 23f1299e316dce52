//! `/owner/billing`: what an owner's balance is and how they pay in. The
//! saved payment method and auto-reload settings are the owner's
//! `BillingProfile`; credits are deposits through the payment provider —
//! charged at once to the saved method, or, without one, paid at the
//! provider's checkout page (`checkoutUrl`), as the native deposit flow is.

use super::errors::{InstaHumanError, InstaHumanResult};
use super::extract::{Body, Caller, Scope};
use super::jobs::Dollars;
use super::views::{dollars, time};
use crate::bus::{commands, Executed};
use crate::http::auth::Principal;
use crate::http::respond;
use crate::http::state::AppState;
use crate::payments::charges::charge_saved_method;
use crate::queries::deposits as deposit_queries;
use crate::queries::micros_to_time;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use errand_aggregates::account::{Account, AccountId};
use errand_aggregates::billing::{AutoReload, BillingCommand, BillingProfile, PaymentMethod};
use errand_aggregates::deposit::{Deposit, DepositSource, DepositStatus};
use errand_aggregates::ids::FundingId;
use errand_projections::deposits::DepositRow;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

/// How many of the latest credit additions the billing page shows.
pub const RECENT_CREDITS_SHOWN: u32 = 10;
/// Card tokens are short (`tok_visa`); a longer one is not a token.
pub const TOKEN_MAX_CHARS: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/owner/billing", get(get_billing))
        .route("/owner/billing/add-credits", post(add_credits))
        .route("/owner/billing/setup", post(setup))
        .route("/owner/billing/auto-reload", post(auto_reload))
        .route("/owner/billing/detach-method", post(detach_method))
}

fn method_json(method: &PaymentMethod) -> Value {
    json!({
        "id": method.id,
        "brand": method.brand,
        "last4": method.last4,
        "expMonth": method.exp_month,
        "expYear": method.exp_year,
    })
}

fn auto_reload_json(settings: &AutoReload) -> Value {
    json!({
        "enabled": settings.enabled,
        "threshold": dollars(settings.threshold.cents),
        "amount": dollars(settings.amount.cents),
    })
}

/// The payment method and auto-reload settings: what every billing change answers.
fn profile_json(profile: &BillingProfile) -> Value {
    json!({
        "paymentMethod": profile.method.as_ref().map(method_json),
        "autoReload": auto_reload_json(&profile.auto_reload),
    })
}

fn credit_json(row: &DepositRow) -> Value {
    json!({
        "id": row.funding_id,
        "amount": dollars(row.amount_cents),
        "source": row.source,
        "status": row.status,
        "failureReason": row.failure_reason,
        "createdAt": micros_to_time(Some(row.requested_at_us)).map(time),
        "settledAt": micros_to_time(row.settled_at_us).map(time),
    })
}

fn deposit_json(app: &AppState, deposit: &Deposit) -> Value {
    let id = deposit.funding_id.unwrap_or(FundingId(Uuid::nil()));
    let checkout = (deposit.source == DepositSource::Checkout
        && deposit.status == DepositStatus::Pending)
        .then(|| app.payments.checkout_url(&id));
    json!({
        "id": id.0,
        "amount": deposit.amount.map(|a| dollars(a.cents)),
        "source": deposit.source.as_str(),
        "status": deposit.status.as_str(),
        "failureReason": deposit.failure_reason,
        "checkoutUrl": checkout,
    })
}

fn balance_json(account: &Account) -> Value {
    json!({
        "available": dollars(account.available_cents),
        "held": dollars(account.held_cents),
        "currency": "USD",
    })
}

fn account_of(principal: &Principal) -> AccountId {
    AccountId::usd(principal.actor_id, principal.mode)
}

pub async fn get_billing(
    State(app): State<AppState>,
    caller: Caller,
) -> InstaHumanResult<Json<Value>> {
    Ok(Json(billing(&app, &caller).await?))
}

/// The owner's balance, payment method, auto-reload and latest credit additions.
pub(crate) async fn billing(app: &AppState, caller: &Caller) -> InstaHumanResult<Value> {
    let principal = caller.require(Scope::BillingRead)?;
    let account = account_of(principal);
    let (balance, _) = app.bus.load::<Account>(&account.stream_id()).await?;
    let (profile, _) = app
        .bus
        .load::<BillingProfile>(&commands::billing_stream(
            principal.actor_id,
            principal.mode,
        ))
        .await?;
    let pool = app.read_models().await?;
    let credits = deposit_queries::recent(
        pool,
        principal.actor_id,
        principal.mode,
        RECENT_CREDITS_SHOWN,
    )
    .await?;
    let mut json = profile_json(&profile);
    json["balance"] = balance_json(&balance);
    json["recentCredits"] = credits.iter().map(credit_json).collect();
    json["mode"] = json!(principal.mode.as_str());
    Ok(json)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AddCreditsRequest {
    /// Dollars, at least 5.
    pub amount: Dollars,
}

/// Adds credits: charged at once to the saved method (the deposit lands in
/// the balance, or fails and nothing is credited), or, without one, a
/// deposit to pay at `checkoutUrl`.
pub async fn add_credits(
    State(app): State<AppState>,
    caller: Caller,
    request: Body<AddCreditsRequest>,
) -> InstaHumanResult<Response> {
    let principal = caller.require(Scope::BillingWrite)?.clone();
    let amount = request.body.amount.to_money("amount")?;
    let account = account_of(&principal);
    let (profile, _) = app
        .bus
        .load::<BillingProfile>(&commands::billing_stream(
            principal.actor_id,
            principal.mode,
        ))
        .await?;
    let funding_id = FundingId(Uuid::now_v7());
    let context = request.meta.context(&principal, "AddCredits", 201);
    let provider = app.payments.name().to_owned();
    let Some(method) = profile.method else {
        let executed = crate::execute!(app.bus, &context, |unit| {
            let by = commands::caller(unit, principal.actor_id).await?;
            let deposit = commands::request_deposit(
                unit,
                by,
                account,
                funding_id,
                amount,
                &provider,
                Utc::now(),
            )
            .await?;
            Ok(json!({ "deposit": deposit_json(&app, &deposit) }))
        })?;
        return Ok(respond::executed(executed, StatusCode::CREATED));
    };
    let charge = commands::NewCharge {
        funding_id,
        account,
        amount,
        provider,
        source: DepositSource::SavedMethod {
            payment_method: method.id,
        },
    };
    let deposit = charge_saved_method(&app.bus, &*app.payments, &context, charge).await?;
    if deposit.status == DepositStatus::Failed {
        return Err(InstaHumanError::bad_request(format!(
            "The payment method was declined: {}",
            deposit
                .failure_reason
                .as_deref()
                .unwrap_or("no reason given")
        )));
    }
    let (balance, _) = app.bus.load_fresh::<Account>(&account.stream_id()).await?;
    let body =
        json!({ "deposit": deposit_json(&app, &deposit), "balance": balance_json(&balance) });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SetupRequest {
    /// A card token the provider's own page made (`tok_visa`, … in the sandbox).
    pub token: String,
}

/// Saves the card `token` names as the owner's payment method.
pub async fn setup(
    State(app): State<AppState>,
    caller: Caller,
    request: Body<SetupRequest>,
) -> InstaHumanResult<Response> {
    let principal = caller.require(Scope::BillingWrite)?.clone();
    let token = request.body.token.trim();
    if token.is_empty() || token.chars().count() > TOKEN_MAX_CHARS {
        return Err(InstaHumanError::bad_request(format!(
            "token must be 1 to {TOKEN_MAX_CHARS} characters"
        )));
    }
    let method = app
        .payments
        .save_method(principal.actor_id, principal.mode, token)
        .await
        .map_err(|unavailable| InstaHumanError::Unavailable(unavailable.to_string()))?
        .map_err(InstaHumanError::BadRequest)?;
    let context = request.meta.context(&principal, "SetUpPaymentMethod", 200);
    let executed = change(&app, &principal, &context, move |by| {
        BillingCommand::AttachMethod {
            by,
            mode: principal.mode,
            method: method.clone(),
            at: Utc::now(),
        }
    })
    .await?;
    Ok(respond::executed(executed, StatusCode::OK))
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AutoReloadRequest {
    pub enabled: bool,
    /// Dollars; the current threshold if absent.
    pub threshold: Option<Dollars>,
    /// Dollars; the current amount if absent.
    pub amount: Option<Dollars>,
}

/// Turns auto-reload on or off, with its threshold and amount.
pub async fn auto_reload(
    State(app): State<AppState>,
    caller: Caller,
    request: Body<AutoReloadRequest>,
) -> InstaHumanResult<Response> {
    let principal = caller.require(Scope::BillingWrite)?.clone();
    let body = &request.body;
    let threshold = body
        .threshold
        .as_ref()
        .map(|threshold| threshold.to_amount("threshold"))
        .transpose()?;
    let amount = body
        .amount
        .as_ref()
        .map(|amount| amount.to_money("amount"))
        .transpose()?;
    let enabled = body.enabled;
    let context = request.meta.context(&principal, "ConfigureAutoReload", 200);
    let stream = commands::billing_stream(principal.actor_id, principal.mode);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let current = unit.load::<BillingProfile>(&stream).await?.auto_reload;
        let settings = AutoReload {
            enabled,
            threshold: threshold.unwrap_or(current.threshold),
            amount: amount.unwrap_or(current.amount),
        };
        let command = BillingCommand::ConfigureAutoReload {
            by,
            mode: principal.mode,
            settings,
            at: Utc::now(),
        };
        let profile =
            commands::on_billing(unit, principal.actor_id, principal.mode, &command).await?;
        Ok(profile_json(&profile))
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}

/// Forgets the saved payment method (auto-reload goes off with it).
pub async fn detach_method(
    State(app): State<AppState>,
    caller: Caller,
    request: Body<super::owner::NoFields>,
) -> InstaHumanResult<Response> {
    let principal = caller.require(Scope::BillingWrite)?.clone();
    let context = request.meta.context(&principal, "DetachPaymentMethod", 200);
    let executed = change(&app, &principal, &context, |by| {
        BillingCommand::DetachMethod { by, at: Utc::now() }
    })
    .await?;
    Ok(respond::executed(executed, StatusCode::OK))
}

/// One change of the caller's billing profile: the profile after.
async fn change(
    app: &AppState,
    principal: &Principal,
    context: &crate::bus::CommandContext,
    command: impl Fn(errand_aggregates::actor::Caller) -> BillingCommand,
) -> InstaHumanResult<Executed<Value>> {
    let executed = crate::execute!(app.bus, context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let profile =
            commands::on_billing(unit, principal.actor_id, principal.mode, &command(by)).await?;
        Ok(profile_json(&profile))
    })?;
    Ok(executed)
}
