//! Admin: Humai's listings, found with listings-search's own query
//! (`queries::humai::listings::search`), suspended and reinstated with a
//! reason through the kill switch (`http::kill_switch::pull` with
//! `suspend_tool` / `reinstate_tool`, as `POST /v1/admin/kill-switch` sends
//! them). Search finds only listings open for business, so the suspended
//! ones are listed apart, to be reinstated.

use super::layout::{csrf_field, dollars, page, Section};
use super::session::Session;
use super::standing::{self, bounded_search, search_form, StandingForm, Target};
use super::ConsoleResult;
use crate::http::state::AppState;
use crate::queries::humai::listings::{self, ListingSearch, QUERY_MAX_CHARS};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;

/// Suspended listings shown: the latest; an older one is found by its owner's ban or the API.
const SUSPENDED_SHOWN: u32 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct ListingQuery {
    #[serde(default)]
    q: String,
}

pub async fn listings_page(
    State(app): State<AppState>,
    session: Session,
    Query(query): Query<ListingQuery>,
) -> ConsoleResult<Response> {
    session.principal.require_admin()?;
    bounded_search(&query.q, QUERY_MAX_CHARS)?;
    let pool = app.read_models().await?;
    let backend = app.bus.journal().backend();
    let mut search = ListingSearch::new(session.principal.mode);
    search.query = Some(query.q.trim().to_owned()).filter(|q| !q.is_empty());
    search.limit = listings::LIMIT_MAX;
    let (hits, total) = listings::search(pool, backend, &search).await?;
    let suspended = listings::suspended(pool, session.principal.mode, SUSPENDED_SHOWN).await?;
    let body = html! {
        (search_form("/console/admin/listings", "Find listings by title, tags or description", &query.q))
        h2 #open-listings-heading { "Open for business (" (total) ")" }
        @if hits.is_empty() {
            p.empty { "No listing found." }
        } @else {
            div.table-wrap {
                table #listings aria-labelledby="open-listings-heading" {
                    thead { tr {
                        th scope="col" { "Title" } th scope="col" { "Owner" } th scope="col" { "Type" }
                        th scope="col" { "Price" } th scope="col" { "Suspend" }
                    } }
                    tbody {
                        @for hit in &hits {
                            tr data-listing=(hit.listing_id) {
                                td { (hit.title) br; small { code { (hit.listing_id) } } }
                                td { code { (hit.owner) } }
                                td { (hit.direction) " · " (hit.listing_type) }
                                td.num {
                                    @match hit.price_cents.or(hit.budget_ceiling_cents) {
                                        Some(cents) => (dollars(cents)),
                                        None => "–",
                                    }
                                }
                                td { (standing_form(&session, &hit.listing_id, "suspend_tool", "Suspend")) }
                            }
                        }
                    }
                }
            }
        }
        h2 #suspended-heading { "Suspended" }
        @if suspended.is_empty() {
            p.empty { "No listing is suspended." }
        } @else {
            div.table-wrap {
                table #suspended-listings aria-labelledby="suspended-heading" {
                    thead { tr {
                        th scope="col" { "Title" } th scope="col" { "Owner" } th scope="col" { "Causes" }
                        th scope="col" { "Reinstate" }
                    } }
                    tbody {
                        @for listing in &suspended {
                            tr data-listing=(listing.listing_id) {
                                td { (listing.title) br; small { code { (listing.listing_id) } } }
                                td { code { (listing.owner) } }
                                td { span.status { (listing.suspension) } }
                                td { (standing_form(&session, &listing.listing_id, "reinstate_tool", "Reinstate")) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(Some(&session), Section::Listings, "Listings", body).into_response())
}

fn standing_form(session: &Session, listing_id: &str, action: &str, label: &str) -> Markup {
    html! {
        form.standing method="post" action={ "/console/admin/listings/" (listing_id) "/standing" } {
            (csrf_field(session))
            input type="hidden" name="action" value=(action);
            label for={ (action) "-" (listing_id) } { "Reason" }
            input id={ (action) "-" (listing_id) } name="reason" required maxlength="500";
            button type="submit" { (label) }
        }
    }
}

/// Only the listing actions: the actors' standing has its own form.
const LISTING_ACTIONS: &[&str] = &["suspend_tool", "reinstate_tool"];

pub async fn standing(
    State(app): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<StandingForm>,
) -> ConsoleResult<Response> {
    standing::change(&app, &session, form, LISTING_ACTIONS, Target::Listing(id)).await?;
    Ok(Redirect::to("/console/admin/listings").into_response())
}
