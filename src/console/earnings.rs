//! "My work": what the signed-in actor earned and how their work was
//! received. Balance from the native `funds::balance`; earnings per day from
//! `queries::accounts::daily_earnings` (their account's `PaymentReceived`
//! postings), drawn with the charts' bar chart; totals and the posters'
//! decisions on their submissions from `queries::work_record`; reputation
//! from the native `profiles::me` (`reputation_view`); rated reviews from
//! Humai's `queries::humai::reviews`, the only read model with ratings.

use super::charts::{day_label, money_chart};
use super::layout::{dollars, page, when, Section};
use super::session::Session;
use super::ConsoleResult;
use crate::http::native::funds::{self, AccountQuery};
use crate::http::native::profiles;
use crate::http::state::AppState;
use crate::queries::accounts::daily_earnings;
use crate::queries::humai::reviews;
use crate::queries::work_record;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use errand_aggregates::account::AccountId;
use maud::html;

/// Days the earnings chart covers, today included.
const EARNINGS_DAYS: i64 = 30;
/// Reviews and decisions shown: the newest are what people read.
const REVIEWS_SHOWN: i64 = 20;

pub async fn earnings(State(app): State<AppState>, session: Session) -> ConsoleResult<Response> {
    let principal = &session.principal;
    principal.require_scope("tasks:read")?;
    let balance = funds::balance(&app, principal, AccountQuery { actor_id: None }).await?;
    let me = profiles::me(&app, principal).await?;
    let now = Utc::now();
    let pool = app.read_models().await?;
    let account = AccountId::usd(principal.actor_id, principal.mode);
    let daily = daily_earnings(pool, &account, EARNINGS_DAYS, now).await?;
    let totals = work_record::totals(pool, principal.actor_id, principal.mode).await?;
    let decisions =
        work_record::decisions(pool, principal.actor_id, principal.mode, REVIEWS_SHOWN).await?;
    let rated = reviews::reviews(
        pool,
        principal.mode,
        Some(principal.actor_id.to_string()),
        None,
        REVIEWS_SHOWN,
    )
    .await?;
    let today = now.timestamp().div_euclid(86_400);
    let points: Vec<(String, i64)> = (today - EARNINGS_DAYS + 1..=today)
        .map(|day| {
            let cents = daily
                .iter()
                .find(|d| d.day == day)
                .map_or(0, |d| d.earned_cents);
            (day_label(day), cents)
        })
        .collect();
    let body = html! {
        section.balance aria-labelledby="balance-heading" {
            h2 #balance-heading { "Balance" }
            dl.facts {
                dt { "Available" } dd #earnings-available { (dollars(balance.available_cents)) }
                dt { "Held in escrow" } dd { (dollars(balance.held_cents)) }
                dt { "Earned" } dd #earnings-earned { (dollars(balance.earned_cents)) }
                dt { "Paid out" } dd { (dollars(balance.paid_out_cents)) }
            }
        }
        section aria-labelledby="totals-heading" {
            h2 #totals-heading { "Work" }
            ul.totals #work-totals {
                li #total-approved { strong { (totals.approved) } "approved" }
                li #total-in-review { strong { (totals.in_review) } "in review" }
                li #total-disputed { strong { (totals.disputed) } "disputed" }
                li #total-rejected { strong { (totals.rejected) } "rejected" }
                li #total-earned { strong { (dollars(totals.earned_cents)) } "earned for approved work" }
                li #total-fees { strong { (dollars(totals.fees_cents)) } "platform fees on it" }
            }
        }
        div.charts {
            (money_chart("earned", &format!("Earned per day, the last {EARNINGS_DAYS} days (UTC)"), &points))
        }
        section #reputation aria-labelledby="reputation-heading" {
            h2 #reputation-heading { "Reputation" }
            @match &me.reputation {
                Some(reputation) => {
                    dl.facts {
                        dt { "Trust score" } dd #trust-score { (reputation.trust_score) " / 100" }
                        dt { "Level" } dd { (reputation.level) }
                        dt { "Completed" } dd #reputation-completed { (reputation.completed) }
                        dt { "Rejected" } dd { (reputation.rejected) }
                        dt { "Disputed" } dd { (reputation.disputed) }
                        dt { "Approval rate" } dd { (approval_rate(reputation.completed, reputation.rejected + reputation.disputed)) }
                        @if !reputation.badges.is_empty() {
                            dt { "Badges" } dd { (reputation.badges.join(", ")) }
                        }
                    }
                },
                None => p.empty { "Reputation is kept for people who take work; you have none yet." },
            }
        }
        section #reviews aria-labelledby="reviews-heading" {
            h2 #reviews-heading { "Reviews of your work" }
            @if decisions.is_empty() {
                p.empty { "No poster has reviewed your work yet." }
            } @else {
                ul.reviews #decisions {
                    @for decision in &decisions {
                        li data-status=(decision.status) {
                            span.status { (decision.status) }
                            " · " a href={ "/console/tasks/" (decision.task_id) } { (decision.task_title) }
                            " · by " (decision.poster_name.as_deref().unwrap_or(&decision.poster))
                            @if decision.auto_approved { " (the review window ended)" }
                            " · " (when(decision.reviewed_at))
                            @if let Some(payout) = decision.payout_cents {
                                p { "Paid " (dollars(payout))
                                    @if let Some(fee) = decision.fee_cents { " (fee " (dollars(fee)) ")" } }
                            }
                            @if let Some(reason) = &decision.reason { blockquote { (reason) } }
                        }
                    }
                }
            }
            @if !rated.is_empty() {
                h3 { "Ratings" }
                ul.reviews #ratings {
                    @for review in &rated {
                        li {
                            span.rating aria-label={ (review.rating) " out of 5" } { (stars(review.rating)) }
                            " · by " (review.reviewer_name.as_deref().unwrap_or(&review.reviewer))
                            " · " (when(chrono::DateTime::from_timestamp_micros(review.created_at_us)))
                            @if !review.content.is_empty() { blockquote { (review.content) } }
                        }
                    }
                }
            }
        }
    };
    Ok(page(Some(&session), Section::Earnings, "My work", body).into_response())
}

/// Approved of all decided work, as a whole percent; "–" before any.
fn approval_rate(approved: i64, refused: i64) -> String {
    let decided = approved + refused;
    if decided <= 0 {
        return "–".to_owned();
    }
    format!("{}%", (approved * 100 + decided / 2) / decided)
}

/// `4` → `★★★★☆`, bounded to 0 to 5.
fn stars(rating: i64) -> String {
    let full = rating.clamp(0, 5) as usize;
    format!("{}{}", "★".repeat(full), "☆".repeat(5 - full))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approval_rate_is_a_rounded_percent_of_decided_work() {
        assert_eq!(approval_rate(0, 0), "–");
        assert_eq!(approval_rate(1, 0), "100%");
        assert_eq!(approval_rate(2, 1), "67%");
        assert_eq!(approval_rate(1, 2), "33%");
    }

    #[test]
    fn ratings_read_as_five_stars() {
        assert_eq!(stars(4), "★★★★☆");
        assert_eq!(stars(9), "★★★★★");
        assert_eq!(stars(-1), "☆☆☆☆☆");
    }
}
