//! Charts where people would rather look than read: money through the ledger
//! per day (work approved, paid to workers, fees), tasks by state, and how far
//! the read models are behind the journal. Drawn here as SVG from the read
//! models (`postings`, `tasks_view`) and the projector's position: no script,
//! no charting library, and each chart has its numbers in a table beside it.

use super::lag_chart::lag_chart;
use super::layout::{dollars, page, Section};
use super::session::Session;
use super::ConsoleResult;
use crate::http::errors::ApiError;
use crate::http::state::AppState;
use crate::queries::{accounts, tasks as task_queries};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use maud::{html, Markup};

/// Days the money charts cover, today included.
const CHART_DAYS: i64 = 14;
const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 180.0;
/// Room under the bars for the labels.
const LABEL_ROOM: f64 = 28.0;
/// Axis labels one chart writes at most: more ("11-28" at 12px) would overlap.
const AXIS_LABELS_MAX: usize = 14;
/// How far a label's middle stays from the chart's sides, so a bar at either
/// end keeps its whole figure and date.
const VALUE_MARGIN: f64 = 18.0;

pub async fn charts(State(app): State<AppState>, session: Session) -> ConsoleResult<Response> {
    // Platform-wide money and the journal's position are an auditor's to see.
    session.principal.require_auditor()?;
    let mode = session.principal.mode;
    let now = Utc::now();
    let head = app.bus.journal().head().await.map_err(ApiError::internal)?;
    let projected = app.projections.projected_position();
    let pool = app.read_models().await?;
    let daily = accounts::daily_money(pool, mode, CHART_DAYS, now).await?;
    let states = task_queries::count_by_status(pool, mode).await?;
    let today = now.timestamp().div_euclid(86_400);
    let days: Vec<i64> = (today - CHART_DAYS + 1..=today).collect();
    let series = |pick: fn(&accounts::DailyMoney) -> i64| -> Vec<(String, i64)> {
        days.iter()
            .map(|day| {
                let value = daily.iter().find(|d| d.day == *day).map(pick).unwrap_or(0);
                (day_label(*day), value)
            })
            .collect()
    };
    let lag = (head - projected).max(0);
    let body = html! {
        p.hint { "The " (mode.as_str()) " ledger, the last " (CHART_DAYS) " days (UTC), from the read models." }
        div.charts {
            (money_chart("volume", "Work approved per day", &series(|d| d.volume_cents)))
            (money_chart("paid", "Paid to workers per day", &series(|d| d.paid_cents)))
            (money_chart("fees", "Platform fees per day", &series(|d| d.fees_cents)))
            (count_chart("states", "Tasks by state", &states))
            (lag_chart(&app.projections.lag_history(now.timestamp())))
        }
        section.lag aria-labelledby="lag-heading" {
            h2 #lag-heading { "Projection lag" }
            p #projection-lag {
                strong { (lag) } " events behind: the journal's head is at " (head)
                ", the read models at " (projected) "."
            }
            meter min="0" max=(head.max(1)) value=(projected) aria-labelledby="lag-heading" {}
        }
    };
    Ok(page(Some(&session), Section::Charts, "Charts", body).into_response())
}

pub(super) fn day_label(day: i64) -> String {
    DateTime::<Utc>::from_timestamp(day * 86_400, 0)
        .map(|at| at.format("%m-%d").to_string())
        .unwrap_or_default()
}

pub(super) fn money_chart(id: &str, title: &str, points: &[(String, i64)]) -> Markup {
    bars(id, title, points, dollars)
}

fn count_chart(id: &str, title: &str, points: &[(String, i64)]) -> Markup {
    bars(id, title, points, |n| n.to_string())
}

/// A bar chart with its numbers in a table beneath, for screen readers and
/// for anyone who wants the figures.
fn bars(id: &str, title: &str, points: &[(String, i64)], show: fn(i64) -> String) -> Markup {
    let max = points.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let slot = WIDTH / points.len().max(1) as f64;
    let plot = HEIGHT - LABEL_ROOM;
    let heading = format!("{id}-heading");
    // Every label on a short chart; every second or third on a month's.
    let label_every = points.len().div_ceil(AXIS_LABELS_MAX).max(1);
    html! {
        figure.chart id=(id) {
            figcaption id=(heading) { (title) }
            svg viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } role="img" aria-labelledby=(heading) {
                line x1="0" y1=(plot) x2=(WIDTH) y2=(plot) stroke="#9aa5b1" {}
                @for (i, (label, value)) in points.iter().enumerate() {
                    @let height = (*value).max(0) as f64 / max * (plot - 16.0);
                    @let x = i as f64 * slot;
                    rect x=(x + slot * 0.15) y=(plot - height) width=(slot * 0.7) height=(height) fill="#1f5fbf" {
                        title { (label) ": " (show(*value)) }
                    }
                    @if *value != 0 {
                        text x=((x + slot / 2.0).clamp(VALUE_MARGIN, WIDTH - VALUE_MARGIN)) y=(plot - height - 4.0) text-anchor="middle" font-size="12" { (show(*value)) }
                    }
                    @if (points.len() - 1 - i).is_multiple_of(label_every) {
                        text x=((x + slot / 2.0).clamp(VALUE_MARGIN, WIDTH - VALUE_MARGIN)) y=(HEIGHT - 10.0) text-anchor="middle" font-size="12" fill="#5b6570" { (label) }
                    }
                }
            }
            details {
                summary { "The numbers" }
                table {
                    tbody {
                        @for (label, value) in points {
                            tr { th scope="row" { (label) } td.num { (show(*value)) } }
                        }
                    }
                }
            }
        }
    }
}
