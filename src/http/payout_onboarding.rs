//! The sandbox payout provider's own pages: onboarding (a connected account's
//! `onboarding_url` points here; pressing Complete records the onboarding
//! through the bus, as a real provider's `account.updated` webhook would) and
//! the dashboard. The link names the connected account, which is random, so
//! only who was given the link can use it.

use super::errors::{ApiError, ApiResult};
use super::native::parse_id;
use super::state::AppState;
use crate::bus::{commands, CommandContext};
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use errand_aggregates::payout_account::{PayoutAccount, PayoutAccountStatus};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/payouts/onboarding/{owner}/{mode}/{account}", get(page))
        .route(
            "/payouts/onboarding/{owner}/{mode}/{account}/complete",
            post(complete),
        )
        .route(
            "/payouts/dashboard/{owner}/{mode}/{account}",
            get(dashboard),
        )
}

type Link = (String, String, String);

/// The payout account a link names; any mismatch is not found.
async fn load(
    app: &AppState,
    (owner, mode, account): &Link,
) -> ApiResult<(ActorId, Mode, PayoutAccount)> {
    let not_found = || ApiError::NotFound("payout account".into());
    let owner: ActorId = parse_id(owner, "payout account")?;
    let mode = match mode.as_str() {
        "live" => Mode::Live,
        "test" => Mode::Test,
        _ => return Err(not_found()),
    };
    let stream = commands::payout_account_stream(owner, mode);
    let (state, _) = app.bus.load::<PayoutAccount>(&stream).await?;
    if state.provider_account_id.as_deref() != Some(account.as_str()) {
        return Err(not_found());
    }
    Ok((owner, mode, state))
}

fn html(title: &str, body: &str) -> Html<String> {
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>{title}</h1>{body}<p><small>Sandbox: no real money moves.</small></p></main></body></html>"#
    ))
}

fn render(link: &Link, account: &PayoutAccount) -> Html<String> {
    let (owner, mode, id) = link;
    let body = match account.status {
        PayoutAccountStatus::Onboarding => format!(
            r#"<p>Connected account <code>{id}</code> needs your identity and bank details before it can receive payouts.</p>
<form method="post" action="/payouts/onboarding/{owner}/{mode}/{id}/complete"><button type="submit">Complete onboarding</button></form>"#
        ),
        PayoutAccountStatus::Active => {
            format!("<p>Onboarding is complete: payouts go to <code>{id}</code>.</p>")
        }
        PayoutAccountStatus::Disabled | PayoutAccountStatus::NotConnected => {
            "<p>This account cannot receive payouts.</p>".to_owned()
        }
    };
    html("Sandbox payout onboarding", &body)
}

async fn page(State(app): State<AppState>, Path(link): Path<Link>) -> ApiResult<Html<String>> {
    let (_, _, account) = load(&app, &link).await?;
    Ok(render(&link, &account))
}

async fn complete(State(app): State<AppState>, Path(link): Path<Link>) -> ApiResult<Html<String>> {
    let (owner, mode, account) = load(&app, &link).await?;
    if account.status == PayoutAccountStatus::Onboarding {
        let context = CommandContext::system(app.payouts.name(), "CompletePayoutOnboarding");
        crate::execute!(app.bus, &context, |unit| {
            commands::complete_payout_onboarding(unit, owner, mode, Utc::now()).await?;
            Ok(())
        })?;
    }
    let (_, _, account) = load(&app, &link).await?;
    Ok(render(&link, &account))
}

async fn dashboard(State(app): State<AppState>, Path(link): Path<Link>) -> ApiResult<Html<String>> {
    let (_, _, account) = load(&app, &link).await?;
    let body = format!(
        "<p>Connected account <code>{}</code>: {}.</p>",
        link.2,
        account.status.as_str()
    );
    Ok(html("Sandbox payout dashboard", &body))
}
