//! `/v1/people/me/referrals`: the caller's referral code, whom they referred
//! and the bonuses credited for it. Registering with a code is
//! `POST /v1/people/register`'s `referral_code`. The caller's own, like
//! `/v1/people/me`: no scope names it.

use super::page_limit;
use crate::http::auth::Principal;
use crate::http::errors::ApiResult;
use crate::http::extract::ApiQuery;
use crate::http::state::AppState;
use crate::queries::referrals::{self as referral_queries, ReferralsPage};
use crate::queries::PAGE_LIMIT_MAX;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReferralsQuery {
    /// The `next` of the previous page.
    #[param(min_length = 1)]
    pub cursor: Option<String>,
    /// 1 to 100; default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// The caller's referral code, referrals (newest first) and totals, in the key's mode.
#[utoipa::path(get, path = "/v1/people/me/referrals", tag = "people", params(ReferralsQuery),
    responses((status = 200, body = ReferralsPage)), security(("bearer" = [])))]
pub async fn my_referrals(
    State(app): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<ReferralsQuery>,
) -> ApiResult<Json<ReferralsPage>> {
    let limit = page_limit(query.limit, PAGE_LIMIT_MAX)?;
    Ok(Json(
        page(&app, &principal, query.cursor.as_deref(), limit).await?,
    ))
}

/// The principal's referral code, a page of its referrals and its totals, in its mode: what
/// other dialects (Humans2AI's `/my/referrals`) call.
pub(crate) async fn page(
    app: &AppState,
    principal: &Principal,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> ApiResult<ReferralsPage> {
    let pool = app.read_models().await?;
    Ok(
        referral_queries::of_referrer(pool, principal.actor_id, principal.mode, cursor, limit)
            .await?,
    )
}
