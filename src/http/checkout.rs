//! The sandbox payment provider's checkout page. A deposit's `checkout_url`
//! points here; pressing Pay confirms the deposit exactly as a real
//! provider's webhook would, through the bus.

use super::errors::{ApiError, ApiResult};
use super::native::parse_id;
use super::state::AppState;
use crate::bus::{commands, CommandContext};
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use errand_aggregates::deposit::{Deposit, DepositSource, DepositStatus};
use errand_aggregates::ids::FundingId;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/checkout/{id}", get(page))
        .route("/checkout/{id}/pay", post(pay))
}

async fn load(app: &AppState, id: &str) -> ApiResult<(FundingId, Deposit)> {
    let funding_id: FundingId = parse_id(id, "deposit")?;
    let (deposit, _) = app
        .bus
        .load::<Deposit>(&commands::deposit_stream(funding_id))
        .await?;
    // A deposit charged to a saved method is the provider's to settle, not
    // a page's: it has no checkout.
    if deposit.funding_id.is_none() || deposit.source != DepositSource::Checkout {
        return Err(ApiError::NotFound("deposit".into()));
    }
    Ok((funding_id, deposit))
}

fn render(deposit: &Deposit, funding_id: FundingId) -> Html<String> {
    let amount = deposit.amount.map(|m| m.to_string()).unwrap_or_default();
    let body = match deposit.status {
        DepositStatus::Pending => format!(
            r#"<p>Deposit <strong>{amount}</strong> into your Errand account.</p>
<form method="post" action="/checkout/{funding_id}/pay"><button type="submit">Pay {amount}</button></form>"#
        ),
        DepositStatus::Completed => {
            format!("<p>Paid: <strong>{amount}</strong> is in your account.</p>")
        }
        DepositStatus::Failed => {
            format!("<p>This deposit of <strong>{amount}</strong> failed.</p>")
        }
    };
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Errand sandbox checkout</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Sandbox checkout</h1>{body}<p><small>Sandbox: no real money moves.</small></p></main></body></html>"#
    ))
}

async fn page(State(app): State<AppState>, Path(id): Path<String>) -> ApiResult<Html<String>> {
    let (funding_id, deposit) = load(&app, &id).await?;
    Ok(render(&deposit, funding_id))
}

async fn pay(State(app): State<AppState>, Path(id): Path<String>) -> ApiResult<Html<String>> {
    let (funding_id, deposit) = load(&app, &id).await?;
    if deposit.status != DepositStatus::Pending {
        return Ok(render(&deposit, funding_id));
    }
    let context = CommandContext::system(app.payments.name(), "CompleteDeposit");
    crate::execute!(app.bus, &context, |unit| {
        commands::complete_deposit(unit, funding_id, Utc::now()).await?;
        Ok(())
    })?;
    let (_, deposit) = load(&app, &id).await?;
    Ok(render(&deposit, funding_id))
}
