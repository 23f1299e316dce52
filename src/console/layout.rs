//! The page shell every console page shares: the head, the navigation for the
//! signed-in role, the error page, and small formatting helpers.

use super::session::Session;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use errand_aggregates::actor::Role;
use maud::{html, Markup, DOCTYPE};

/// Which navigation entry a page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    SignIn,
    Board,
    Earnings,
    Desk,
    Ledger,
    Journal,
    Charts,
    Admin,
    Disputes,
    Listings,
    /// A refusal: no entry of the navigation is current.
    Refused,
}

/// A whole page: `main` holds `body`.
pub fn page(session: Option<&Session>, section: Section, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Errand console" }
                link rel="stylesheet" href="/console/assets/console.css";
                script src="/console/assets/console.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/console" { "Errand" }
                    @if let Some(session) = session {
                        (navigation(session, section))
                        form.sign-out method="post" action="/console/sign-out" {
                            (csrf_field(session))
                            span.who { (session.name) " · " (session.principal.role.as_str()) }
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                main #main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

fn navigation(session: &Session, current: Section) -> Markup {
    let role = session.principal.role;
    // Everyone may take work (agents too), so everyone has the board and their work.
    let mut entries = vec![
        (Section::Board, "/console/board", "Work board"),
        (Section::Earnings, "/console/earnings", "My work"),
    ];
    if matches!(role, Role::Agent | Role::Admin) {
        entries.push((Section::Desk, "/console/desk", "Poster's desk"));
    }
    entries.push((Section::Ledger, "/console/ledger", "Ledger"));
    if role == Role::Admin {
        entries.push((Section::Journal, "/console/journal", "Live journal"));
        entries.push((Section::Charts, "/console/charts", "Charts"));
        entries.push((Section::Admin, "/console/admin", "Admin"));
        entries.push((Section::Disputes, "/console/admin/disputes", "Disputes"));
        entries.push((Section::Listings, "/console/admin/listings", "Listings"));
    }
    html! {
        nav aria-label="Console" {
            ul {
                @for (section, href, label) in entries {
                    li {
                        @if section == current {
                            a href=(href) aria-current="page" { (label) }
                        } @else {
                            a href=(href) { (label) }
                        }
                    }
                }
            }
        }
    }
}

/// The hidden field every state-changing form carries.
pub fn csrf_field(session: &Session) -> Markup {
    html! { input type="hidden" name="csrf" value=(session.csrf_token); }
}

/// A refusal the console shows: the API's status, code and message. It rides
/// on the response, so `with_navigation` can draw the page again with the
/// session's navigation once the handler has given up.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub back: Option<String>,
}

/// A refusal, shown with the API's code and message.
pub fn error_page(status: StatusCode, code: &str, message: &str, back: Option<&str>) -> Response {
    let refusal = Refusal {
        status,
        code: code.to_owned(),
        message: message.to_owned(),
        back: back.map(str::to_owned),
    };
    let mut response = (status, refusal_page(None, &refusal)).into_response();
    response.extensions_mut().insert(refusal);
    response
}

/// The refusal's page, with the navigation of `session` when there is one.
pub fn refusal_page(session: Option<&Session>, refusal: &Refusal) -> Markup {
    let status = refusal.status;
    let body = html! {
        div.problem role="alert" {
            p { strong { (status.as_u16()) " " (status.canonical_reason().unwrap_or("error")) } }
            p.detail { (refusal.message) }
            p.code { "code: " code { (refusal.code) } " · request " code { (crate::http::errors::current_request_id()) } }
        }
        p {
            @match &refusal.back {
                Some(back) => a href=(back) { "Back" },
                None => a href="javascript:history.back()" { "Back" },
            }
            " · "
            a href="/console" { "Console home" }
        }
    };
    page(session, Section::Refused, "Refused", body)
}

/// Cents as dollars: `-1234` → `-$12.34`.
pub fn dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}${}.{:02}", cents / 100, cents % 100)
}

/// A time as people read it, to the second, in UTC.
pub fn when(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map(|at| at.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| "–".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_read_as_dollars() {
        assert_eq!(dollars(0), "$0.00");
        assert_eq!(dollars(450), "$4.50");
        assert_eq!(dollars(-1234), "-$12.34");
        assert_eq!(dollars(i64::MIN), "-$92233720368547758.08");
    }
}
