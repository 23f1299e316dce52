//! Changing standing from the admin pages: an actor's (freeze, unfreeze, ban,
//! unban) or a listing's (suspend, reinstate), each with a reason, through
//! the kill switch (`http::kill_switch::pull`, the function `POST
//! /v1/admin/kill-switch` calls). Each page offers only its own actions, and
//! says what it searched for in the same way.

use super::session::Session;
use super::{command_meta, ConsoleResult};
use crate::http::errors::ApiError;
use crate::http::kill_switch::{self, KillSwitchRequest};
use crate::http::state::AppState;
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct StandingForm {
    csrf: String,
    action: String,
    #[serde(default)]
    reason: String,
}

/// What a standing form acts on.
pub enum Target {
    Actor(String),
    Listing(String),
}

/// Pulls the kill switch as the form asks, once its CSRF token is this
/// session's and its action is one of those the page `offers`.
pub async fn change(
    app: &AppState,
    session: &Session,
    form: StandingForm,
    offers: &[&str],
    target: Target,
) -> ConsoleResult<()> {
    session.check_csrf(&form.csrf)?;
    if !offers.contains(&form.action.as_str()) {
        return Err(
            ApiError::Invalid(format!("action must be one of {}", offers.join(", "))).into(),
        );
    }
    let (actor_id, listing_id) = match target {
        Target::Actor(id) => (Some(id), None),
        Target::Listing(id) => (None, Some(id)),
    };
    let request = KillSwitchRequest {
        action: form.action,
        listing_id,
        actor_id,
        subscription_id: None,
        reason: Some(form.reason),
    };
    kill_switch::pull(app, &session.principal, &request, &command_meta()).await?;
    Ok(())
}

/// Refuses search text longer than `max_chars`, as the API's searches do.
pub fn bounded_search(text: &str, max_chars: usize) -> Result<(), ApiError> {
    if text.chars().count() > max_chars {
        return Err(ApiError::Invalid(format!(
            "search is at most {max_chars} characters"
        )));
    }
    Ok(())
}

/// A page's search box, sent back to `action` as `?q=`.
pub fn search_form(action: &str, label: &str, text: &str) -> Markup {
    html! {
        form.filters method="get" action=(action) role="search" {
            label for="q" { (label) }
            input #q type="search" name="q" value=(text);
            button type="submit" { "Search" }
        }
    }
}
