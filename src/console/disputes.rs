//! Admin: Humai's disputes to resolve. Open disputes (the queue, oldest
//! first) with their contract, parties, amount and evidence, from the
//! disputes read model; each is resolved with refund buyer, release to
//! seller or a split (the seller's percent) and a note through
//! `http::humai::disputes::{resolution, resolve_dispute}`, the functions
//! `POST /humai/disputes-resolve` calls. Resolved disputes show the money
//! each moved.

use super::layout::{csrf_field, dollars, page, Section};
use super::session::Session;
use super::{command_meta, ConsoleResult};
use crate::http::humai::disputes::{resolution, resolve_dispute};
use crate::http::humai::errors::HumaiError;
use crate::http::humai::transaction_views::dispute_id;
use crate::http::state::AppState;
use crate::queries::humai::disputes::{disputes, DisputeStatus, DisputeSummary};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;

/// Disputes shown of each kind: the queue's head and the latest outcomes.
const DISPUTES_SHOWN: i64 = 20;

pub async fn disputes_page(
    State(app): State<AppState>,
    session: Session,
) -> ConsoleResult<Response> {
    session.principal.require_admin()?;
    let pool = app.read_models().await?;
    let mode = session.principal.mode;
    let open = disputes(pool, mode, DisputeStatus::Open, DISPUTES_SHOWN).await?;
    let resolved = disputes(pool, mode, DisputeStatus::Resolved, DISPUTES_SHOWN).await?;
    let body = html! {
        h2 #open-heading { "Open" }
        @if open.is_empty() {
            p.empty { "No dispute awaits a resolution." }
        }
        @for dispute in &open {
            article.dispute data-dispute=(dispute.dispute_id) {
                (summary(dispute))
                (resolve_form(&session, dispute))
            }
        }
        h2 #resolved-heading { "Resolved" }
        @if resolved.is_empty() {
            p.empty { "No dispute resolved yet." }
        } @else {
            div.table-wrap {
                table #resolved-disputes aria-labelledby="resolved-heading" {
                    thead { tr {
                        th scope="col" { "Dispute" } th scope="col" { "Resolution" }
                        th scope="col" { "In escrow" } th scope="col" { "Seller paid" }
                        th scope="col" { "Fee" } th scope="col" { "Buyer refunded" } th scope="col" { "Note" }
                    } }
                    tbody {
                        @for dispute in &resolved {
                            tr data-dispute=(dispute.dispute_id) {
                                td { code { (dispute.dispute_id) } br; small { "transaction " code { (dispute.contract_id) } } }
                                td {
                                    (dispute.resolution.as_deref().unwrap_or("–"))
                                    @if let Some(pct) = dispute.seller_pct { " (seller " (pct) "%)" }
                                }
                                td.num { (cents(dispute.stake_cents)) }
                                td.num.seller-paid { (cents(dispute.seller_payout_cents)) }
                                td.num { (cents(dispute.fee_cents)) }
                                td.num.buyer-refunded { (cents(dispute.refund_cents)) }
                                td { (dispute.note.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(Some(&session), Section::Disputes, "Disputes", body).into_response())
}

fn cents(cents: Option<i64>) -> String {
    cents.map(dollars).unwrap_or_else(|| "–".to_owned())
}

fn summary(dispute: &DisputeSummary) -> Markup {
    html! {
        h3 { "Transaction " code { (dispute.contract_id) }
            @if let Some(sequence) = dispute.sequence { " · milestone " (sequence) } }
        dl.facts {
            dt { "Amount" } dd.amount { (dollars(dispute.price_cents)) }
            dt { "Buyer" } dd { a href={ "/console/ledger?actor_id=" (dispute.buyer) } { code { (dispute.buyer) } } }
            dt { "Seller" } dd { a href={ "/console/ledger?actor_id=" (dispute.seller) } { code { (dispute.seller) } } }
            dt { "Opened by" } dd { code { (dispute.opened_by) } }
            dt { "Reason" } dd.reason { (dispute.reason) }
        }
        @if dispute.evidence.is_empty() {
            p.empty { "No evidence submitted." }
        } @else {
            ol.evidence aria-label="Evidence" {
                @for item in &dispute.evidence {
                    li { strong { (item.evidence_type) } " by " code { (item.submitted_by) } ": " (item.content) }
                }
            }
        }
    }
}

fn resolve_form(session: &Session, dispute: &DisputeSummary) -> Markup {
    let id = &dispute.dispute_id;
    html! {
        form.resolve method="post" action={ "/console/admin/disputes/" (id) "/resolve" } {
            (csrf_field(session))
            div.row {
                div {
                    label for={ "resolution-" (id) } { "Resolution" }
                    select id={ "resolution-" (id) } name="resolution" {
                        option value="refund_buyer" { "Refund the buyer" }
                        option value="release_to_seller" { "Release to the seller" }
                        option value="split" { "Split" }
                    }
                }
                div {
                    label for={ "seller-pct-" (id) } { "Seller's share (%, for a split)" }
                    input id={ "seller-pct-" (id) } name="seller_pct" inputmode="numeric";
                }
            }
            label for={ "note-" (id) } { "Note" }
            input id={ "note-" (id) } name="note" maxlength="2000";
            button type="submit" { "Resolve" }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ResolveForm {
    csrf: String,
    resolution: String,
    #[serde(default)]
    seller_pct: String,
    #[serde(default)]
    note: String,
}

pub async fn resolve(
    State(app): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<ResolveForm>,
) -> ConsoleResult<Response> {
    session.check_csrf(&form.csrf)?;
    let id = dispute_id(&id)?;
    // An empty field is "not given", as an absent `seller_pct` is to the API.
    let seller_pct =
        match form.seller_pct.trim() {
            "" => None,
            text => Some(text.parse::<i64>().map_err(|_| {
                HumaiError::validation("seller_pct must be a whole number, 1 to 99")
            })?),
        };
    let resolution = resolution(&form.resolution, seller_pct)?;
    let note = Some(form.note.trim().to_owned()).filter(|note| !note.is_empty());
    resolve_dispute(
        &app,
        &session.principal,
        &command_meta(),
        id,
        resolution,
        note,
    )
    .await?;
    Ok(Redirect::to("/console/admin/disputes").into_response())
}
