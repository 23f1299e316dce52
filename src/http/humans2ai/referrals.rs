//! `GET /my/referrals`: the caller's referral code, whom it brought in and
//! what that earned (a bonus per registration, credited by the ledger).

use super::errors::Humans2AiResult;
use super::extract::{Caller, H2aQuery};
use super::ids;
use super::views::{dollars, success, time};
use crate::http::native::page_limit;
use crate::http::native::referrals::page;
use crate::http::state::AppState;
use crate::queries::PAGE_LIMIT_MAX;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralsQuery {
    /// The `next` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 100; default 20.
    pub limit: Option<i64>,
}

pub async fn my_referrals(
    State(app): State<AppState>,
    Caller(principal): Caller,
    H2aQuery(query): H2aQuery<ReferralsQuery>,
) -> Humans2AiResult<Json<Value>> {
    let limit = page_limit(query.limit, PAGE_LIMIT_MAX)?;
    let page = page(&app, &principal, query.cursor.as_deref(), limit).await?;
    let referrals: Vec<Value> = page
        .data
        .iter()
        .map(|referral| {
            json!({
                "userId": ids::format("user", referral.referee_id),
                "displayName": referral.referee_name,
                "role": referral.referee_role,
                "bonus": dollars(referral.bonus_cents),
                "createdAt": referral.referred_at.map(time),
            })
        })
        .collect();
    Ok(Json(success(json!({
        "referralCode": page.referral_code,
        "referrals": referrals,
        "stats": {
            "totalReferrals": page.stats.count,
            "totalBonus": dollars(page.stats.bonus_total_cents),
        },
        "next": page.next,
    }))))
}
