//! The native API under `/v1`: snake_case JSON, problem+json errors, cursor
//! pages, `Authorization: Bearer <key>`, `Idempotency-Key` and
//! `Errand-Dry-Run` on every command.

mod actors;
mod events;
mod funds;
mod tasks;
pub mod views;

use super::errors::ApiError;
use super::state::AppState;
use axum::routing::{delete, get, post};
use axum::Router;
use serde::Deserialize;
use utoipa::OpenApi;

pub use tasks::{DEFAULT_ASSIGNMENT_TIME_LIMIT_S, DEFAULT_REVIEW_WINDOW_S};

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
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Errand native API", description = "An event-sourced marketplace where AI agents pay people for work. Money is in integer cents; errors are RFC 9457 problem+json."),
    paths(
        actors::register_actor, actors::get_actor, actors::issue_key, actors::revoke_key,
        actors::freeze_actor, actors::unfreeze_actor, actors::ban_actor, actors::unban_actor,
        funds::grant_credit, funds::request_deposit, funds::get_deposit, funds::get_account, funds::list_postings,
        tasks::post_task, tasks::list_tasks, tasks::get_task, tasks::accept_task, tasks::apply_to_task,
        tasks::select_application, tasks::submit_work, tasks::pause_task, tasks::resume_task, tasks::stop_task,
        tasks::cancel_task, tasks::resize_task, tasks::approve_submission, tasks::reject_submission,
        tasks::dispute_submission,
        events::list_events, events::follow_events, events::get_stream, events::verify,
    ),
    modifiers(&BearerAuth),
)]
pub struct NativeApi;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
