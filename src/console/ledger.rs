//! The ledger: an account's balance and its postings, newest first, each
//! naming the journal position of the event that made it (a link to that
//! event for auditors), and for admins a trial balance over every ledger
//! account. Balances and postings are the native `funds::balance` and
//! `funds::postings` (`GET /v1/account`, `GET /v1/account/postings`); the
//! trial balance reads the same `postings` read model.

use super::layout::{dollars, page, when, Section};
use super::session::Session;
use super::ConsoleResult;
use crate::http::native::funds::{self, AccountQuery, PostingsQuery};
use crate::http::state::AppState;
use crate::queries::accounts;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize)]
pub struct LedgerQuery {
    /// Admins may read any actor's account.
    actor_id: Option<Uuid>,
    cursor: Option<String>,
}

pub async fn ledger(
    State(app): State<AppState>,
    session: Session,
    Query(query): Query<LedgerQuery>,
) -> ConsoleResult<Response> {
    let principal = &session.principal;
    let balance = funds::balance(
        &app,
        principal,
        AccountQuery {
            actor_id: query.actor_id,
        },
    )
    .await?;
    let postings = funds::postings(
        &app,
        principal,
        PostingsQuery {
            actor_id: query.actor_id,
            cursor: query.cursor.clone(),
            limit: Some(50),
        },
    )
    .await?;
    let auditor = principal.require_auditor().is_ok();
    let (trial, totals) = if principal.is_admin() {
        let pool = app.read_models().await.map_err(super::ConsoleError::from)?;
        (
            accounts::trial_balance(pool).await?,
            accounts::trial_balance_totals(pool).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let next = postings.next.as_ref().map(|cursor| match query.actor_id {
        Some(actor) => format!("/console/ledger?actor_id={actor}&cursor={cursor}"),
        None => format!("/console/ledger?cursor={cursor}"),
    });
    let body = html! {
        @if principal.is_admin() {
            form.filters method="get" action="/console/ledger" {
                label for="actor_id" { "Actor id" }
                input #actor_id name="actor_id" value=(query.actor_id.map(|a| a.to_string()).unwrap_or_default())
                    placeholder="your own account";
                button type="submit" { "Show account" }
            }
        }
        section.balance aria-label="Balance" {
            h2 { "Account " code { (balance.account_id) } }
            dl.facts {
                dt { "Available" } dd #ledger-available { (dollars(balance.available_cents)) }
                dt { "In escrow" } dd { (dollars(balance.held_cents)) }
                dt { "Deposited" } dd { (dollars(balance.deposited_cents)) }
                dt { "Granted" } dd { (dollars(balance.granted_cents)) }
                dt { "Earned" } dd #ledger-earned { (dollars(balance.earned_cents)) }
                dt { "Spent" } dd { (dollars(balance.spent_cents)) }
                dt { "Fees paid" } dd { (dollars(balance.fees_paid_cents)) }
                dt { "Paid out" } dd { (dollars(balance.paid_out_cents)) }
            }
        }
        h2 { "Postings" }
        @if postings.data.is_empty() {
            p.empty { "No postings yet." }
        } @else {
            div.table-wrap {
                table #postings {
                    thead { tr {
                        th scope="col" { "Position" } th scope="col" { "Event" }
                        th scope="col" { "Ledger account" } th scope="col" { "Amount" }
                        th scope="col" { "Recorded" }
                    } }
                    tbody {
                        @for posting in &postings.data {
                            tr {
                                td.num {
                                    @if auditor {
                                        a href={ "/console/journal/events/" (posting.position) } { "#" (posting.position) }
                                    } @else {
                                        "#" (posting.position)
                                    }
                                }
                                td { (posting.event_type) }
                                td { code { (posting.ledger_account) } }
                                td.money { (dollars(posting.amount_cents)) }
                                td { (when(posting.recorded_at)) }
                            }
                        }
                    }
                }
            }
            @if let Some(next) = &next { p { a href=(next) { "Older postings" } } }
        }
        @if principal.is_admin() {
            h2 #trial-balance { "Trial balance" }
            @for (currency, total) in &totals {
                p.trial-total {
                    (currency) " over all ledger accounts: " strong { (dollars(*total)) }
                    @if *total == 0 { " — balanced" } @else { " — NOT balanced" }
                }
            }
            div.table-wrap {
                table {
                    thead { tr {
                        th scope="col" { "Ledger account" } th scope="col" { "Currency" }
                        th scope="col" { "Balance" } th scope="col" { "Postings" }
                    } }
                    tbody {
                        @for row in &trial {
                            tr {
                                td { code { (row.ledger_account) } }
                                td { (row.currency) }
                                td.money { (dollars(row.balance_cents)) }
                                td.num { (row.postings) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(Some(&session), Section::Ledger, "Ledger", body).into_response())
}
