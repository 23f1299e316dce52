//! Signing in with an API key, or as a person with email and password (the
//! native `POST /v1/people/login`, called as a function), and signing out.

use super::layout::{self, Section};
use super::session::{self, Session};
use super::{command_meta, ConsoleError, ConsoleResult};
use crate::http::auth::principal_for_secret;
use crate::http::errors::ApiError;
use crate::http::extract::CommandRequest;
use crate::http::native::people::{self, LoginRequest};
use crate::http::state::AppState;
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;

fn page_for(error: Option<&str>) -> Markup {
    let body = html! {
        @if let Some(error) = error {
            div.problem role="alert" { p.detail { (error) } }
        }
        div.columns {
            section aria-labelledby="with-key" {
                h2 #with-key { "With an API key" }
                form method="post" action="/console/sign-in" {
                    input type="hidden" name="method" value="key";
                    label for="key" { "API key" }
                    input #key type="password" name="key" autocomplete="off" required
                        placeholder="erk_live_…";
                    button type="submit" { "Sign in with key" }
                }
                p.hint { "Agents, their owners and admins sign in with a key. It is kept in an httpOnly cookie for this console only." }
            }
            section aria-labelledby="as-person" {
                h2 #as-person { "As a person" }
                form method="post" action="/console/sign-in" {
                    input type="hidden" name="method" value="password";
                    label for="email" { "Email" }
                    input #email type="email" name="email" autocomplete="username" required;
                    label for="password" { "Password" }
                    input #password type="password" name="password" autocomplete="current-password" required;
                    button type="submit" { "Sign in" }
                }
            }
        }
    };
    layout::page(None, Section::SignIn, "Sign in", body)
}

pub async fn page(session: Result<Session, ConsoleError>) -> Response {
    match session {
        Ok(session) => Redirect::to(&session::home_of(&session.principal)).into_response(),
        Err(_) => page_for(None).into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    method: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// A sign-in form has no session, hence no CSRF token yet; a browser names the
/// page a form came from in `Origin`, so one from another site is refused
/// (otherwise a site could sign a visitor in as someone else).
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Not a browser's cross-site form (browsers send Origin on POST).
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    origin
        .split_once("://")
        .is_some_and(|(_, authority)| authority == host)
}

pub async fn sign_in(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    if !same_origin(&headers) {
        return ConsoleError::CsrfRefused.into_response();
    }
    let result = match form {
        Ok(Form(form)) => credential_for(&app, form).await,
        Err(rejection) => Err(ApiError::BadRequest {
            code: "invalid_body",
            detail: rejection.body_text(),
        }),
    };
    match result {
        Ok(signed_in) => match cookies(session::CookieSecurity::of(&app), &signed_in) {
            Ok(cookies) => {
                let mut response = Redirect::to(&signed_in.home).into_response();
                for cookie in cookies {
                    response.headers_mut().append(header::SET_COOKIE, cookie);
                }
                response
            }
            Err(error) => refused(error).await,
        },
        Err(error) => refused(error).await,
    }
}

/// The sign-in page again, with the API's refusal and its status.
async fn refused(error: ApiError) -> Response {
    let message = error.to_string();
    let status = error.into_response().status();
    let status = if status.is_success() {
        StatusCode::UNAUTHORIZED
    } else {
        status
    };
    (status, page_for(Some(&message))).into_response()
}

/// What a sign-in gives the browser.
struct SignedIn {
    /// An API key, or a person's access token.
    secret: String,
    /// A person's refresh token, which renews the access token.
    refresh_token: Option<String>,
    /// The page the role lands on.
    home: String,
}

fn cookies(
    security: session::CookieSecurity,
    signed_in: &SignedIn,
) -> Result<Vec<axum::http::HeaderValue>, ApiError> {
    let mut cookies = vec![
        session::session_cookie(security, &signed_in.secret)?,
        session::session_id_cookie(security)?,
    ];
    match &signed_in.refresh_token {
        Some(refresh_token) => cookies.push(session::refresh_cookie(security, refresh_token)?),
        // A key's session must not keep a person's refresh token from before.
        None => cookies.push(session::cleared_cookie(
            security,
            session::REFRESH_COOKIE_NAME,
        )),
    }
    Ok(cookies)
}

/// The credential the form signs in with, checked as the API checks it, and
/// the page its role lands on.
async fn credential_for(app: &AppState, form: SignInForm) -> Result<SignedIn, ApiError> {
    let mut refresh_token = None;
    let secret = match form.method.as_str() {
        "key" => form.key.trim().to_owned(),
        "password" => {
            let request = CommandRequest {
                body: LoginRequest {
                    email: form.email,
                    password: form.password,
                    mode: None,
                },
                meta: command_meta(),
            };
            let axum::Json(session) = people::login(State(app.clone()), request).await?;
            refresh_token = Some(session.refresh_token);
            session.access_token
        }
        _ => return Err(ApiError::Invalid("method must be key or password".into())),
    };
    if secret.is_empty() {
        return Err(ApiError::Unauthorized("invalid API key"));
    }
    let principal = principal_for_secret(app, &secret).await?;
    Ok(SignedIn {
        home: session::home_of(&principal),
        secret,
        refresh_token,
    })
}

#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    csrf: String,
}

pub async fn sign_out(
    State(app): State<AppState>,
    session: Result<Session, ConsoleError>,
    Form(form): Form<SignOutForm>,
) -> ConsoleResult<Response> {
    // A session that no longer authenticates is signed out all the same.
    if let Ok(session) = &session {
        session.check_csrf(&form.csrf)?;
    }
    let mut response = Redirect::to("/console/sign-in").into_response();
    for cookie in session::cleared_cookies(session::CookieSecurity::of(&app)) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}
