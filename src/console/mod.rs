//! The web console at `/console`: the people's side of the marketplace, the
//! poster's, the auditor's and the admin's, served by `errand serve` itself.
//!
//! Pages are rendered on the server with `maud`; one small script
//! (`assets/console.js`) adds what needs a browser: following the journal live
//! and previewing a proof's file before it is sent. Both assets are compiled
//! into the binary, so nothing is fetched from elsewhere.
//!
//! The console holds no rule of its own. A page authenticates the session's
//! credential with the native API's machinery (`http::auth`), reads through
//! the native handlers' query functions (`src/queries/`), and sends commands
//! through the same functions the native handlers and MCP tools call, so a
//! refusal here is the API's refusal, with the API's message.

mod admin;
mod charts;
mod disputes;
mod earnings;
mod journal;
mod lag_chart;
mod layout;
mod ledger;
mod listings;
mod posters_desk;
mod proof;
mod session;
mod sign_in;
mod standing;
mod work_board;

use crate::http::errors::{current_request_id, ApiError};
use crate::http::extract::CommandMeta;
use crate::http::humai::errors::HumaiError;
use crate::http::rate_limit::Class;
use crate::http::state::AppState;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

pub use session::Session;

/// Where the console is mounted; its session cookie is scoped to this path.
pub const CONSOLE_PATH: &str = "/console";

const STYLESHEET: &str = include_str!("assets/console.css");
const SCRIPT: &str = include_str!("assets/console.js");

pub fn router(app: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/assets/console.css", get(stylesheet))
        .route("/assets/console.js", get(script))
        .route("/sign-in", get(sign_in::page).post(sign_in::sign_in))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/board", get(work_board::board))
        .route("/earnings", get(earnings::earnings))
        .route("/tasks/{id}", get(work_board::task))
        .route("/tasks/{id}/accept", post(work_board::accept))
        .route(
            "/tasks/{id}/applications/{application}/select",
            post(work_board::select),
        )
        .route(
            "/tasks/{id}/submissions",
            post(proof::submit).layer(DefaultBodyLimit::max(proof::PROOF_FORM_MAX_BYTES)),
        )
        .route(
            "/tasks/{id}/attachments/{attachment}",
            get(proof::attachment),
        )
        .route("/desk", get(posters_desk::desk))
        .route("/desk/status", get(posters_desk::live_status))
        .route("/desk/tasks", post(posters_desk::post_task))
        .route("/desk/deposits", post(posters_desk::deposit))
        .route("/submissions/{id}/{decision}", post(posters_desk::review))
        .route("/ledger", get(ledger::ledger))
        .route("/journal", get(journal::journal))
        .route("/journal/stream", get(journal::follow))
        .route("/journal/events/{position}", get(journal::event))
        .route("/journal/verify", get(journal::verify))
        .route("/charts", get(charts::charts))
        .route("/admin", get(admin::admin))
        .route("/admin/actors/{id}/standing", post(admin::standing))
        .route("/admin/disputes", get(disputes::disputes_page))
        .route("/admin/disputes/{id}/resolve", post(disputes::resolve))
        .route("/admin/listings", get(listings::listings_page))
        .route("/admin/listings/{id}/standing", post(listings::standing))
        .fallback(not_found)
        // Inside `renew`, so a refusal is drawn with the renewed session.
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            with_navigation,
        ))
        .layer(axum::middleware::from_fn_with_state(app, session::renew))
}

/// What each console route is limited as, under the API's own buckets. The
/// session is a cookie, not a presented credential, so pages count against
/// the caller's address; signing in is `auth`, like making credentials, so a
/// password cannot be guessed faster here than the API allows. Assets are free.
pub fn rate_limit_class(method: &Method, path: &str) -> Option<Class> {
    if path.starts_with("/assets/") {
        return None;
    }
    if method == Method::POST && path.trim_end_matches('/') == "/sign-in" {
        return Some(Class::Auth);
    }
    Some(Class::of_method(method))
}

/// The first page a session sees: what its role does most.
async fn home(session: Session) -> Redirect {
    Redirect::to(&session::home_of(&session.principal))
}

/// A console path that names no page.
async fn not_found() -> Response {
    layout::error_page(
        StatusCode::NOT_FOUND,
        "not_found",
        "no console page here",
        Some(CONSOLE_PATH),
    )
}

/// Middleware: a refusal drawn without a session (an error knows no session)
/// is drawn again with the signed-in person's navigation, so they can go on
/// from the error page as from any other. Without a session it stays as it is.
async fn with_navigation(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let headers = request.headers().clone();
    let response = next.run(request).await;
    let Some(refusal) = response.extensions().get::<layout::Refusal>().cloned() else {
        return response;
    };
    let (mut parts, ()) = Request::new(()).into_parts();
    parts.headers = headers;
    let Ok(session) = Session::from_request_parts(&mut parts, &app).await else {
        return response;
    };
    let (mut head, _) = response.into_parts();
    head.headers.remove(header::CONTENT_LENGTH);
    let page = layout::refusal_page(Some(&session), &refusal).into_string();
    Response::from_parts(head, Body::from(page))
}

async fn stylesheet() -> Response {
    asset(STYLESHEET, "text/css; charset=utf-8")
}

async fn script() -> Response {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            // Assets change only with the binary; an hour saves reloads without
            // keeping an old script long after an upgrade.
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// A console command's metadata: the request's id, no idempotency key (a form
/// is sent once, then the browser is redirected), never a dry run.
fn command_meta() -> CommandMeta {
    CommandMeta {
        idempotency: None,
        dry_run: false,
        request_id: current_request_id(),
    }
}

/// Why a console request failed: the API's own refusal (shown with the API's
/// message and status), a session that must sign in first, or a form that
/// failed its CSRF check.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error(transparent)]
    Api(#[from] ApiError),
    /// A refusal of Humai's functions (its disputes), in Humai's words.
    #[error(transparent)]
    Humai(#[from] HumaiError),
    #[error("sign in first")]
    SignInRequired,
    #[error(
        "this form has expired or did not come from the console; reload the page and try again"
    )]
    CsrfRefused,
}

pub type ConsoleResult<T> = Result<T, ConsoleError>;

impl From<crate::queries::QueryError> for ConsoleError {
    fn from(error: crate::queries::QueryError) -> Self {
        ConsoleError::Api(error.into())
    }
}

impl From<sqlx::Error> for ConsoleError {
    fn from(error: sqlx::Error) -> Self {
        ConsoleError::Api(error.into())
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        match self {
            ConsoleError::SignInRequired => Redirect::to("/console/sign-in").into_response(),
            ConsoleError::CsrfRefused => layout::error_page(
                StatusCode::FORBIDDEN,
                "csrf_refused",
                &self.to_string(),
                None,
            ),
            ConsoleError::Api(error) => {
                let message = error.to_string();
                let code = error.code();
                // The API's own response decides the status (and logs a 500's cause).
                let status = error.into_response().status();
                let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
                    "internal error; quote the request id when reporting it".to_owned()
                } else {
                    message
                };
                layout::error_page(status, code, &message, None)
            }
            ConsoleError::Humai(error) => {
                let status = error.status();
                // The envelope logs a 500's cause and names only the request.
                let envelope = error.envelope();
                let message = envelope["error"].as_str().unwrap_or("refused");
                layout::error_page(status, error.code(), message, None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_in_is_limited_as_auth_pages_by_method_and_assets_not_at_all() {
        assert_eq!(
            rate_limit_class(&Method::POST, "/sign-in"),
            Some(Class::Auth)
        );
        assert_eq!(rate_limit_class(&Method::GET, "/board"), Some(Class::Read));
        assert_eq!(
            rate_limit_class(&Method::POST, "/desk/tasks"),
            Some(Class::Write)
        );
        assert_eq!(rate_limit_class(&Method::GET, "/assets/console.js"), None);
    }
}
