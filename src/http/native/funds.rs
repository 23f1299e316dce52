//! Money in and the view of it: audited admin credits, deposits through the
//! payment provider, balances and the postings ledger.

use super::{page_limit, parse_id};
use crate::bus::commands;
use crate::http::auth::Principal;
use crate::http::errors::{ApiError, ApiResult};
use crate::http::extract::{ApiPath, ApiQuery, CommandRequest};
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::accounts::{self, AccountBalance, PostingRow};
use crate::queries::PAGE_LIMIT_MAX;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::Utc;
use errand_aggregates::account::AccountId;
use errand_aggregates::deposit::Deposit;
use errand_aggregates::ids::{ActorId, FundingId};
use errand_aggregates::money::{Currency, Money};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantCreditRequest {
    pub actor_id: Uuid,
    pub amount_cents: i64,
    /// Why: recorded in the journal for auditors.
    pub reason: String,
}

#[utoipa::path(post, path = "/v1/admin/credits", tag = "admin", request_body = GrantCreditRequest,
    responses((status = 201, body = AccountBalance), (status = 403, description = "Not an admin")),
    security(("bearer" = [])))]
pub async fn grant_credit(
    State(app): State<AppState>,
    principal: Principal,
    request: CommandRequest<GrantCreditRequest>,
) -> ApiResult<Response> {
    principal.require_admin()?;
    let body = &request.body;
    let amount = Money::positive_cents(body.amount_cents, Currency::USD)?;
    let account = AccountId::usd(ActorId(body.actor_id), principal.mode);
    let funding_id = FundingId(Uuid::now_v7());
    let context = request.meta.context(&principal, "GrantCredit", 201);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let state = commands::grant_credit(
            unit,
            by,
            account,
            funding_id,
            amount,
            body.reason.clone(),
            Utc::now(),
        )
        .await?;
        Ok(AccountBalance::from_state(&account, &state))
    })?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepositRequest {
    /// At least 500 cents.
    pub amount_cents: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepositView {
    pub id: Uuid,
    pub amount_cents: i64,
    /// pending until the checkout is paid, then completed.
    pub status: String,
    /// Where the payer completes the deposit.
    pub checkout_url: String,
}

fn deposit_view(app: &AppState, deposit: &Deposit) -> DepositView {
    let id = deposit.funding_id.map(|f| f.0).unwrap_or_default();
    DepositView {
        id,
        amount_cents: deposit.amount.map(|m| m.cents).unwrap_or(0),
        status: deposit.status.as_str().to_owned(),
        checkout_url: app.payments.checkout_url(&FundingId(id)),
    }
}

#[utoipa::path(post, path = "/v1/deposits", tag = "money", request_body = DepositRequest,
    responses((status = 201, body = DepositView), (status = 422, description = "Below the minimum")),
    security(("bearer" = [])))]
pub async fn request_deposit(
    State(app): State<AppState>,
    principal: Principal,
    request: CommandRequest<DepositRequest>,
) -> ApiResult<Response> {
    let executed = deposit(&app, &principal, &request.meta, &request.body).await?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

/// Asks for a deposit paid at the provider's checkout: `POST /v1/deposits`,
/// and the console's "Add funds".
pub async fn deposit(
    app: &AppState,
    principal: &Principal,
    meta: &crate::http::extract::CommandMeta,
    body: &DepositRequest,
) -> ApiResult<crate::bus::Executed<DepositView>> {
    principal.require_scope("wallet:write")?;
    let amount = Money::positive_cents(body.amount_cents, Currency::USD)?;
    let account = AccountId::usd(principal.actor_id, principal.mode);
    let funding_id = FundingId(Uuid::now_v7());
    let context = meta.context(principal, "RequestDeposit", 201);
    let provider = app.payments.name();
    Ok(crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let deposit =
            commands::request_deposit(unit, by, account, funding_id, amount, provider, Utc::now())
                .await?;
        Ok(deposit_view(app, &deposit))
    })?)
}

/// A deposit, to its owner (or an admin); anyone else is told it is not found.
#[utoipa::path(get, path = "/v1/deposits/{id}", tag = "money",
    params(("id" = Uuid, Path, description = "Deposit id")),
    responses((status = 200, body = DepositView)), security(("bearer" = [])))]
pub async fn get_deposit(
    State(app): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<DepositView>> {
    principal.require_scope("wallet:read")?;
    let funding_id: FundingId = parse_id(&id, "deposit")?;
    let (deposit, _) = app
        .bus
        .load::<Deposit>(&commands::deposit_stream(funding_id))
        .await?;
    let owner = deposit.account.map(|a| a.owner);
    if owner.is_none() || (owner != Some(principal.actor_id) && !principal.is_admin()) {
        return Err(ApiError::NotFound("deposit".into()));
    }
    Ok(Json(deposit_view(&app, &deposit)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccountQuery {
    /// Admins may read any actor's account.
    pub actor_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PostingsQuery {
    /// Admins may read any actor's postings.
    pub actor_id: Option<Uuid>,
    /// The `next` of the previous page.
    #[param(min_length = 1)]
    pub cursor: Option<String>,
    /// 1 to 100; default 50.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// The caller's own account, or with `actor_id` (admins only) anyone's:
/// every actor has an account, so naming one reveals nothing and a
/// non-admin is refused for their role (403), whoever they name.
fn account_for(principal: &Principal, actor_id: Option<Uuid>) -> Result<AccountId, ApiError> {
    let owner = match actor_id {
        Some(other) if other != principal.actor_id.0 => {
            if !principal.is_admin() {
                return Err(ApiError::Forbidden(
                    "only an admin may read another actor's account".into(),
                ));
            }
            ActorId(other)
        }
        _ => principal.actor_id,
    };
    Ok(AccountId::usd(owner, principal.mode))
}

#[utoipa::path(get, path = "/v1/account", tag = "money", params(AccountQuery),
    responses((status = 200, body = AccountBalance)), security(("bearer" = [])))]
pub async fn get_account(
    State(app): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<AccountQuery>,
) -> ApiResult<Json<AccountBalance>> {
    Ok(Json(balance(&app, &principal, query).await?))
}

/// An account's balance: `GET /v1/account`, and the MCP tool `get_balance`.
pub async fn balance(
    app: &AppState,
    principal: &Principal,
    query: AccountQuery,
) -> ApiResult<AccountBalance> {
    principal.require_scope("wallet:read")?;
    let account = account_for(principal, query.actor_id)?;
    let pool = app.read_models().await?;
    Ok(accounts::balance(pool, &account).await?)
}

#[utoipa::path(get, path = "/v1/account/postings", tag = "money", params(PostingsQuery),
    responses((status = 200, body = super::views::Page<PostingRow>)), security(("bearer" = [])))]
pub async fn list_postings(
    State(app): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<PostingsQuery>,
) -> ApiResult<Json<super::views::Page<PostingRow>>> {
    Ok(Json(postings(&app, &principal, query).await?))
}

/// A page of an account's postings, newest first: `GET /v1/account/postings`,
/// and the MCP tool `list_postings`.
pub async fn postings(
    app: &AppState,
    principal: &Principal,
    query: PostingsQuery,
) -> ApiResult<super::views::Page<PostingRow>> {
    principal.require_scope("wallet:read")?;
    let account = account_for(principal, query.actor_id)?;
    let limit = page_limit(query.limit, PAGE_LIMIT_MAX)?;
    let pool = app.read_models().await?;
    Ok(accounts::postings(pool, &account, query.cursor.as_deref(), limit).await?)
}
