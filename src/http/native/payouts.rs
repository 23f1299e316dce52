//! Payouts: a person's payout account at the payout provider (connect,
//! onboarding status, dashboard link) and withdrawals of their available
//! balance to it. The handlers translate; the rules are the `Payout`,
//! `PayoutAccount` and `Account` aggregates'. The functions below the
//! handlers are what other dialects (HumanPing's `/worker/stripe/*`) call.

use super::{page_limit, parse_id, Empty};
use crate::bus::{commands, Executed};
use crate::http::auth::Principal;
use crate::http::errors::{ApiError, ApiResult};
use crate::http::extract::{ApiPath, ApiQuery, CommandMeta, CommandRequest};
use crate::http::respond;
use crate::http::state::AppState;
use crate::payments::dispatch;
use crate::queries::payouts::{self as payout_queries, PayoutView};
use crate::queries::{Page, PAGE_LIMIT_MAX};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, Utc};
use errand_aggregates::account::AccountId;
use errand_aggregates::ids::PayoutId;
use errand_aggregates::money::{Currency, Money};
use errand_aggregates::payout::{Payout, PayoutPurpose};
use errand_aggregates::payout_account::{PayoutAccount, PayoutAccountStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PayoutAccountView {
    /// not_connected | onboarding | active | disabled
    pub status: String,
    /// Payouts may be sent to it (onboarded, not disabled).
    pub payouts_enabled: bool,
    pub provider: Option<String>,
    /// The provider's id for the connected account.
    pub account_id: Option<String>,
    /// Where to complete onboarding, while it is not completed.
    pub onboarding_url: Option<String>,
    pub connected_at: Option<DateTime<Utc>>,
    pub onboarded_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DashboardLink {
    /// The provider's dashboard for this connected account.
    pub url: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayoutRequest {
    /// Paid out of the caller's available balance.
    pub amount_cents: i64,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PayoutsQuery {
    /// The `next` of the previous page.
    #[param(min_length = 1)]
    pub cursor: Option<String>,
    /// 1 to 100; default 50.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// Connects the caller's payout account at the provider: 201 with the
/// onboarding link; 409 if one is connected already (its status, with the
/// link while onboarding, is at GET).
#[utoipa::path(post, path = "/v1/payouts/account", tag = "payouts",
    responses((status = 201, body = PayoutAccountView), (status = 409, description = "Already connected")),
    security(("bearer" = [])))]
pub async fn connect_account(
    State(app): State<AppState>,
    principal: Principal,
    request: CommandRequest<Empty>,
) -> ApiResult<Response> {
    let executed = connect(&app, &principal, &request.meta).await?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

#[utoipa::path(get, path = "/v1/payouts/account", tag = "payouts",
    responses((status = 200, body = PayoutAccountView)), security(("bearer" = [])))]
pub async fn get_account(
    State(app): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<PayoutAccountView>> {
    Ok(Json(status(&app, &principal).await?))
}

/// A link to the provider's dashboard; 409 until onboarding is completed.
#[utoipa::path(post, path = "/v1/payouts/account/dashboard", tag = "payouts",
    responses((status = 200, body = DashboardLink), (status = 409, description = "Not onboarded")),
    security(("bearer" = [])))]
pub async fn payout_dashboard(
    State(app): State<AppState>,
    principal: Principal,
    _request: CommandRequest<Empty>,
) -> ApiResult<Json<DashboardLink>> {
    Ok(Json(dashboard_link(&app, &principal).await?))
}

/// Pays `amount_cents` of the caller's available balance out to their
/// onboarded payout account. The answer is the payout after the provider
/// answered: `paid`, `failed` (the money is back) or, without an answer yet,
/// `pending` (repeat the request with the same Idempotency-Key to ask again).
#[utoipa::path(post, path = "/v1/payouts", tag = "payouts", request_body = PayoutRequest,
    responses((status = 201, body = PayoutView), (status = 402, description = "More than the available balance"),
        (status = 409, description = "No onboarded payout account")),
    security(("bearer" = [])))]
pub async fn request_payout(
    State(app): State<AppState>,
    principal: Principal,
    request: CommandRequest<PayoutRequest>,
) -> ApiResult<Response> {
    principal.require_scope("wallet:write")?;
    let amount = Money::positive_cents(request.body.amount_cents, Currency::USD)?;
    let payout = commands::NewPayout {
        payout_id: PayoutId(Uuid::now_v7()),
        account: AccountId::usd(principal.actor_id, principal.mode),
        amount,
        purpose: PayoutPurpose::Withdrawal,
    };
    let executed = pay_out(&app, &principal, &request.meta, payout).await?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

/// The caller's payouts, newest first.
#[utoipa::path(get, path = "/v1/payouts", tag = "payouts", params(PayoutsQuery),
    responses((status = 200, body = super::views::Page<PayoutView>)), security(("bearer" = [])))]
pub async fn list_payouts(
    State(app): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<PayoutsQuery>,
) -> ApiResult<Json<Page<PayoutView>>> {
    principal.require_scope("wallet:read")?;
    let limit = page_limit(query.limit, PAGE_LIMIT_MAX)?;
    let pool = app.read_models().await?;
    let account = AccountId::usd(principal.actor_id, principal.mode);
    Ok(Json(
        payout_queries::of_account(pool, &account, query.cursor.as_deref(), limit).await?,
    ))
}

/// One payout, to its owner (or an admin); anyone else is told it is not found.
#[utoipa::path(get, path = "/v1/payouts/{id}", tag = "payouts",
    params(("id" = Uuid, Path, description = "Payout id")),
    responses((status = 200, body = PayoutView)), security(("bearer" = [])))]
pub async fn get_payout(
    State(app): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<PayoutView>> {
    principal.require_scope("wallet:read")?;
    let payout_id: PayoutId = parse_id(&id, "payout")?;
    let (payout, _) = app
        .bus
        .load::<Payout>(&commands::payout_stream(payout_id))
        .await?;
    let visible = payout.account.is_some_and(|account| {
        account.mode == principal.mode
            && (account.owner == principal.actor_id || principal.is_admin())
    });
    if !visible {
        return Err(ApiError::NotFound("payout".into()));
    }
    Ok(Json(PayoutView::from_state(&payout)))
}

// ---- for the dialects ----

/// Requests `payout` from the caller's account (a Humai credit wallet's draws
/// on its cash-backed credits, see `commands::request_payout`), then sends it
/// to the provider: the reply is the payout after the provider answered, or
/// still pending without an answer (a repeat with the same Idempotency-Key
/// asks again).
pub async fn pay_out(
    app: &AppState,
    principal: &Principal,
    meta: &CommandMeta,
    payout: commands::NewPayout,
) -> ApiResult<Executed<PayoutView>> {
    principal.require_scope("wallet:write")?;
    let context = meta.context(principal, "RequestPayout", 201);
    let provider = app.payouts.name();
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        by.ensure_active()?;
        let payout = commands::request_payout(unit, &payout, provider, Utc::now()).await?;
        Ok(PayoutView::from_state(&payout))
    })?;
    let (payout_id, requested_at) = match &executed {
        Executed::DryRun { .. } => return Ok(executed),
        Executed::Done {
            reply,
            last_position,
        } => (PayoutId(reply.id), *last_position),
        // A repeat: finish the payout the first request made, if it is still pending.
        Executed::Replayed(stored) => {
            let id = serde_json::from_str::<serde_json::Value>(&stored.body)
                .ok()
                .and_then(|body| body["id"].as_str().and_then(PayoutId::parse))
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("stored payout reply")))?;
            (id, stored.last_position)
        }
    };
    let dispatched = dispatch::send(&app.bus, app.payouts.as_ref(), payout_id).await?;
    Ok(Executed::Done {
        reply: PayoutView::from_state(&dispatched.payout),
        last_position: dispatched.last_position.unwrap_or(requested_at),
    })
}

async fn payout_account(app: &AppState, principal: &Principal) -> ApiResult<PayoutAccount> {
    let stream = commands::payout_account_stream(principal.actor_id, principal.mode);
    Ok(app.bus.load::<PayoutAccount>(&stream).await?.0)
}

/// The caller's payout account, with a fresh onboarding link while onboarding.
pub async fn status(app: &AppState, principal: &Principal) -> ApiResult<PayoutAccountView> {
    principal.require_scope("wallet:read")?;
    let account = payout_account(app, principal).await?;
    let onboarding_url = match (&account.provider_account_id, account.status) {
        (Some(id), PayoutAccountStatus::Onboarding) => Some(
            app.payouts
                .onboarding_url(principal.actor_id, principal.mode, id)
                .await
                .map_err(ApiError::internal)?,
        ),
        _ => None,
    };
    Ok(view(&account, onboarding_url))
}

/// Opens a connected account at the provider and records it (once).
pub async fn connect(
    app: &AppState,
    principal: &Principal,
    meta: &CommandMeta,
) -> ApiResult<Executed<PayoutAccountView>> {
    principal.require_scope("wallet:write")?;
    if payout_account(app, principal).await?.is_connected() {
        return Err(ApiError::Conflict(
            "a payout account is already connected; GET /v1/payouts/account shows it".into(),
        ));
    }
    let (owner, mode) = (principal.actor_id, principal.mode);
    let connected = app
        .payouts
        .connect_account(owner, mode)
        .await
        .map_err(ApiError::internal)?;
    let onboarding_url = app
        .payouts
        .onboarding_url(owner, mode, &connected.provider_account_id)
        .await
        .map_err(ApiError::internal)?;
    let context = meta.context(principal, "ConnectPayoutAccount", 201);
    let provider = app.payouts.name();
    Ok(crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, owner).await?;
        let account = commands::connect_payout_account(
            unit,
            by,
            mode,
            provider,
            connected.provider_account_id.clone(),
            Utc::now(),
        )
        .await?;
        Ok(view(&account, Some(onboarding_url.clone())))
    })?)
}

/// The provider's dashboard link, once onboarding is completed.
pub async fn dashboard_link(app: &AppState, principal: &Principal) -> ApiResult<DashboardLink> {
    principal.require_scope("wallet:read")?;
    let account = payout_account(app, principal).await?;
    let destination = account.destination()?;
    let url = app
        .payouts
        .dashboard_url(principal.actor_id, principal.mode, destination)
        .await
        .map_err(ApiError::internal)?;
    Ok(DashboardLink { url })
}

fn view(account: &PayoutAccount, onboarding_url: Option<String>) -> PayoutAccountView {
    PayoutAccountView {
        status: account.status.as_str().to_owned(),
        payouts_enabled: account.destination().is_ok(),
        provider: account.is_connected().then(|| account.provider.clone()),
        account_id: account.provider_account_id.clone(),
        onboarding_url,
        connected_at: account.connected_at,
        onboarded_at: account.onboarded_at,
    }
}
