//! `GET /fee-calculate` (a fee previewed from Humai's fee schedule for the
//! caller's tier: founding with a founding slot, standard without; a
//! transaction's rate is `Config::humai_fee`, what contracts charge) and
//! `GET /revenue-share-status` (a month's platform fees, from the ledger's
//! postings, and the founders' share of them).

use super::amounts::{decimal, shown};
use super::errors::{HumaiError, HumaiResult};
use super::extract::{Caller, HumaiQuery};
use crate::bus::commands::market_profile_stream;
use crate::http::state::AppState;
use crate::queries::humai::credits::fees_collected_cents;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use errand_aggregates::humai::fees::{quote, FeeTier, FeeType};
use errand_aggregates::humai::revenue_share::founders_pool;
use errand_aggregates::humai::MarketProfile;
use errand_aggregates::money::{Currency, Money};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/fee-calculate", get(fee_calculate))
        .route("/revenue-share-status", get(revenue_share_status))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeeParams {
    /// Dollars, read exactly from the query's text.
    pub amount: Option<String>,
    pub fee_type: Option<String>,
}

async fn fee_calculate(
    State(app): State<AppState>,
    Caller(principal): Caller,
    HumaiQuery(params): HumaiQuery<FeeParams>,
) -> HumaiResult<Json<Value>> {
    let amount = params
        .amount
        .ok_or_else(|| HumaiError::validation("amount is required"))?;
    let amount = Money::parse_major(&amount, Currency::USD)
        .map_err(|error| HumaiError::validation(format!("amount: {error}")))?;
    let fee_type = params
        .fee_type
        .ok_or_else(|| HumaiError::validation("fee_type is required"))?;
    let fee_type = FeeType::parse(fee_type.trim()).ok_or_else(|| {
        HumaiError::validation(
            "fee_type is one of deposit, transaction, withdrawal, instant_withdrawal",
        )
    })?;
    let (profile, _) = app
        .bus
        .load::<MarketProfile>(&market_profile_stream(principal.actor_id))
        .await?;
    let tier = if profile.founding.is_some() {
        FeeTier::Founding
    } else {
        FeeTier::Standard
    };
    let quote = quote(amount, fee_type, tier, app.config.humai_fee)?;
    Ok(Json(json!({
        "fee_amount": shown(quote.split.fee),
        "rate_percent": decimal(quote.rate_percent),
        "tier": quote.tier.as_str(),
        "waived": quote.waived,
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevenueParams {
    /// `YYYY-MM`; the current month (UTC) when absent.
    pub month: Option<String>,
}

/// The first moment of `month` (`YYYY-MM`) and of the month after.
fn month_bounds(month: &str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()?;
    let next = first.checked_add_months(chrono::Months::new(1))?;
    Some((
        first.and_hms_opt(0, 0, 0)?.and_utc(),
        next.and_hms_opt(0, 0, 0)?.and_utc(),
    ))
}

async fn revenue_share_status(
    State(app): State<AppState>,
    Caller(principal): Caller,
    HumaiQuery(params): HumaiQuery<RevenueParams>,
) -> HumaiResult<Json<Value>> {
    let month = match params.month {
        Some(month) => month.trim().to_owned(),
        None => {
            let now = Utc::now();
            format!("{:04}-{:02}", now.year(), now.month())
        }
    };
    let (from, until) = month_bounds(&month)
        .filter(|_| month.len() == 7)
        .ok_or_else(|| HumaiError::validation("month is YYYY-MM"))?;
    let pool = app.read_models().await?;
    let fees = fees_collected_cents(pool, principal.mode, from, until).await?;
    let fees = Money::from_cents(fees, Currency::USD)?;
    Ok(Json(json!({
        "month": month,
        "total_fees_collected": shown(fees),
        "founders_pool_amount": shown(founders_pool(fees)),
        // Errand keeps the pool; no distribution to founders is recorded yet.
        "distributed": false,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_is_its_first_moment_to_the_next_months() {
        let (from, until) = month_bounds("2026-12").unwrap();
        assert_eq!(from.to_rfc3339(), "2026-12-01T00:00:00+00:00");
        assert_eq!(until.to_rfc3339(), "2027-01-01T00:00:00+00:00");
        assert!(month_bounds("2026-13").is_none());
        assert!(month_bounds("march").is_none());
    }
}
