//! The native API under `/v1`: snake_case JSON, problem+json errors, cursor
//! pages, `Authorization: Bearer <key>`, `Idempotency-Key` and
//! `Errand-Dry-Run` on every command.

mod actors;
pub(crate) mod events;
pub(crate) mod funds;
mod kill_switch;
pub(crate) mod messages;
pub(crate) mod notifications;
mod openapi;
pub mod payouts;
pub(crate) mod people;
pub(crate) mod profiles;
pub(crate) mod referrals;
pub(crate) mod tasks;
mod verification;
pub mod views;
pub(crate) mod webhooks;

use super::errors::ApiError;
use super::rate_limit::Class;
use super::state::AppState;
use axum::http::Method;
use axum::routing::{delete, get, patch, post, put};
use axum::Router;
use serde::Deserialize;

pub use events::EventView;
pub use openapi::NativeApi;

pub use tasks::{DEFAULT_ASSIGNMENT_TIME_LIMIT_S, DEFAULT_REVIEW_WINDOW_S};
// The command bodies, for the fuzz target `native_body`.
pub use actors::{IssueKeyRequest, RegisterActorRequest, StandingRequest};
pub use funds::{DepositRequest, GrantCreditRequest};
pub use messages::PostMessageRequest;
pub use notifications::MarkNotificationsRequest;
pub use payouts::PayoutRequest;
pub use people::{LoginRequest, RegisterPersonRequest};
pub use tasks::{ApplyRequest, PostTaskRequest, ReasonRequest, ResizeRequest, SubmitRequest};

/// A command that takes no fields; an empty body or `{}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// An id in a path: anything that is not a UUID names nothing, so it is a 404.
pub fn parse_id<T: From<uuid::Uuid>>(text: &str, what: &str) -> Result<T, ApiError> {
    uuid::Uuid::parse_str(text)
        .map(T::from)
        .map_err(|_| ApiError::NotFound(what.to_owned()))
}

/// A page size from a query string, read as any integer so that one out of
/// `1..=max` is a 422 naming the bounds (`-1` included), not a 400.
pub fn page_limit(limit: Option<i64>, max: u32) -> Result<Option<u32>, ApiError> {
    limit
        .map(|limit| {
            u32::try_from(limit)
                .ok()
                .filter(|limit| (1..=max).contains(limit))
                .ok_or_else(|| ApiError::Invalid(format!("limit must be 1 to {max}")))
        })
        .transpose()
}

/// What each `/v1` route is limited as (its path as seen under `/v1`):
/// registering actors and people, issuing keys, logging in with a password
/// and mailing a verification link make or test credentials (or send mail),
/// so they are `auth`, counted per address.
pub fn rate_limit_class(method: &Method, path: &str) -> Option<Class> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let makes_credentials = matches!(
        segments.as_slice(),
        ["actors"] | ["actors", _, "keys"] | ["people", "register" | "login" | "verification"]
    );
    if method == Method::POST && makes_credentials {
        return Some(Class::Auth);
    }
    Some(Class::of_method(method))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/actors", post(actors::register_actor))
        .route("/actors/{id}", get(actors::get_actor))
        .route("/actors/{id}/keys", post(actors::issue_key))
        .route("/actors/{id}/freeze", post(actors::freeze_actor))
        .route("/actors/{id}/unfreeze", post(actors::unfreeze_actor))
        .route("/actors/{id}/ban", post(actors::ban_actor))
        .route("/actors/{id}/unban", post(actors::unban_actor))
        .route("/keys/{id}", delete(actors::revoke_key))
        .route("/admin/credits", post(funds::grant_credit))
        .route("/admin/kill-switch", post(kill_switch::pull_kill_switch))
        .route("/deposits", post(funds::request_deposit))
        .route("/deposits/{id}", get(funds::get_deposit))
        .route("/account", get(funds::get_account))
        .route("/account/postings", get(funds::list_postings))
        .route("/tasks", post(tasks::post_task).get(tasks::list_tasks))
        .route("/tasks/{id}", get(tasks::get_task))
        .route("/tasks/{id}/accept", post(tasks::accept_task))
        .route("/tasks/{id}/apply", post(tasks::apply_to_task))
        .route(
            "/tasks/{id}/applications/{application_id}/select",
            post(tasks::select_application),
        )
        .route("/tasks/{id}/submissions", post(tasks::submit_work))
        .route(
            "/tasks/{id}/messages",
            get(messages::list_messages).post(messages::post_message),
        )
        .route(
            "/notifications",
            get(notifications::list_notifications).merge(patch(notifications::mark_notifications)),
        )
        .route("/tasks/{id}/pause", post(tasks::pause_task))
        .route("/tasks/{id}/resume", post(tasks::resume_task))
        .route("/tasks/{id}/stop", post(tasks::stop_task))
        .route("/tasks/{id}/cancel", post(tasks::cancel_task))
        .route("/tasks/{id}/resize", post(tasks::resize_task))
        .route("/submissions/{id}/approve", post(tasks::approve_submission))
        .route("/submissions/{id}/reject", post(tasks::reject_submission))
        .route("/submissions/{id}/dispute", post(tasks::dispute_submission))
        .route("/events", get(events::list_events))
        .route("/events/stream", get(events::follow_events))
        .route("/streams/{stream_id}", get(events::get_stream))
        .route("/audit/verify", get(events::verify))
        .route(
            "/webhooks",
            post(webhooks::register_webhook).get(webhooks::list_webhooks),
        )
        .route("/webhooks/deliveries", get(webhooks::list_deliveries))
        .route("/webhooks/{id}", delete(webhooks::delete_webhook))
        .route("/webhooks/{id}/secret", get(webhooks::get_secret))
        .route("/people/register", post(people::register))
        .route("/people/login", post(people::login))
        .route("/people/refresh", post(people::refresh))
        .route("/people/verify", post(people::verify_email))
        .route(
            "/people/verification",
            post(verification::resend_verification),
        )
        .route("/people/check-email", post(people::check_email))
        .route("/people/password", post(people::change_password))
        .route("/people/logout", post(people::logout))
        .route(
            "/people/me",
            get(profiles::get_me).merge(put(profiles::put_me)),
        )
        .route("/people/me/referrals", get(referrals::my_referrals))
        .route("/people/leaderboard", get(profiles::leaderboard))
        .route("/people/{id}/public", get(profiles::get_public))
        .route(
            "/admin/email-verifications",
            get(profiles::sent_verification),
        )
        .route(
            "/payouts",
            post(payouts::request_payout).get(payouts::list_payouts),
        )
        .route(
            "/payouts/account",
            post(payouts::connect_account).get(payouts::get_account),
        )
        .route(
            "/payouts/account/dashboard",
            post(payouts::payout_dashboard),
        )
        .route("/payouts/{id}", get(payouts::get_payout))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_writes_and_what_makes_credentials_are_told_apart() {
        let class = |method: Method, path| rate_limit_class(&method, path);
        assert_eq!(class(Method::GET, "/tasks"), Some(Class::Read));
        assert_eq!(class(Method::HEAD, "/tasks/1"), Some(Class::Read));
        assert_eq!(class(Method::GET, "/actors/1"), Some(Class::Read));
        assert_eq!(class(Method::POST, "/tasks"), Some(Class::Write));
        assert_eq!(class(Method::POST, "/tasks/1/accept"), Some(Class::Write));
        assert_eq!(class(Method::DELETE, "/keys/1"), Some(Class::Write));
        assert_eq!(class(Method::POST, "/actors/1/freeze"), Some(Class::Write));
        assert_eq!(class(Method::POST, "/actors"), Some(Class::Auth));
        assert_eq!(class(Method::POST, "/actors/"), Some(Class::Auth));
        assert_eq!(class(Method::POST, "/actors/1/keys"), Some(Class::Auth));
        assert_eq!(class(Method::POST, "/people/login"), Some(Class::Auth));
        assert_eq!(class(Method::POST, "/people/register"), Some(Class::Auth));
        assert_eq!(
            class(Method::POST, "/people/verification"),
            Some(Class::Auth)
        );
        assert_eq!(class(Method::POST, "/people/refresh"), Some(Class::Write));
    }
}
