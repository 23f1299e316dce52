//! The projection lag of the last hour as a line: per minute, the most events
//! the read models trailed the journal by (`ProjectionHandle::lag_history`).
//! A minute without a sample breaks the line, because the projector took no
//! step then (stopped, or retrying a failure), and says so in the table.

use chrono::DateTime;
use maud::{html, Markup};

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 180.0;
/// Room under the plot for the time labels, and above it for the top value.
const LABEL_ROOM: f64 = 28.0;
const TOP_ROOM: f64 = 16.0;
/// Room at each side, so the first and last points are drawn whole.
const SIDE_ROOM: f64 = 4.0;
/// A time label every this many minutes.
const LABEL_EVERY: usize = 10;

/// `minutes` oldest first, as `lag_history` gives them.
pub fn lag_chart(minutes: &[(i64, Option<i64>)]) -> Markup {
    let max = minutes
        .iter()
        .filter_map(|(_, lag)| *lag)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let plot = HEIGHT - LABEL_ROOM;
    let step = (WIDTH - 2.0 * SIDE_ROOM) / (minutes.len().max(2) - 1) as f64;
    let x = |i: usize| SIDE_ROOM + i as f64 * step;
    let point = |i: usize, lag: i64| (x(i), plot - lag as f64 / max * (plot - TOP_ROOM));
    // Runs of consecutive sampled minutes, each drawn as one line.
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut previous_sampled = false;
    for (i, (_, lag)) in minutes.iter().enumerate() {
        match lag {
            Some(lag) => {
                if !previous_sampled {
                    runs.push(Vec::new());
                }
                if let Some(run) = runs.last_mut() {
                    run.push(point(i, *lag));
                }
                previous_sampled = true;
            }
            None => previous_sampled = false,
        }
    }
    let worst = minutes.iter().filter_map(|(_, lag)| *lag).max();
    html! {
        figure.chart #lag-history {
            figcaption #lag-history-heading { "Events behind, most per minute, the last hour" }
            svg viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } role="img" aria-labelledby="lag-history-heading" {
                line x1="0" y1=(plot) x2=(WIDTH) y2=(plot) stroke="#9aa5b1" {}
                text x="4" y="12" font-size="12" fill="#5b6570" { (max as i64) }
                @for run in &runs {
                    @if let [(x, y)] = run.as_slice() {
                        circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="2.5" fill="#1f5fbf" {}
                    } @else {
                        polyline points=(polyline_points(run)) fill="none" stroke="#1f5fbf" stroke-width="2" {}
                    }
                }
                @for (i, (minute, _)) in minutes.iter().enumerate() {
                    @if (minutes.len() - 1 - i).is_multiple_of(LABEL_EVERY) {
                        // The newest label ends at the chart's edge rather than past it.
                        @let anchor = if i + 1 == minutes.len() { "end" } else { "middle" };
                        text x=(x(i)) y=(HEIGHT - 10.0) text-anchor=(anchor) font-size="12" fill="#5b6570" { (clock(*minute)) }
                    }
                }
            }
            p.hint {
                @match worst {
                    Some(worst) => { "At most " strong { (worst) } " events behind in the last hour." }
                    None => "The projector took no step in the last hour on this instance.",
                }
            }
            details {
                summary { "The numbers" }
                table {
                    tbody {
                        @for (minute, lag) in minutes.iter().rev() {
                            tr {
                                th scope="row" { (clock(*minute)) }
                                td.num {
                                    @match lag {
                                        Some(lag) => (lag),
                                        None => "no step",
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn polyline_points(run: &[(f64, f64)]) -> String {
    run.iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `HH:MM` UTC of a minute since the epoch.
fn clock(minute: i64) -> String {
    DateTime::from_timestamp(minute * 60, 0)
        .map(|at| at.format("%H:%M").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minute_without_a_step_breaks_the_line_and_is_named_in_the_table() {
        let minutes = [
            (0, Some(2)),
            (1, Some(8)),
            (2, None),
            (3, Some(1)),
            (4, Some(0)),
        ];
        let svg = lag_chart(&minutes).into_string();
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("no step"));
        assert!(svg.contains("At most <strong>8</strong>"));
    }

    #[test]
    fn a_lone_sampled_minute_is_a_dot_and_an_hour_without_steps_says_so() {
        let lone = lag_chart(&[(0, None), (1, Some(3)), (2, None)]).into_string();
        assert_eq!(lone.matches("<circle").count(), 1);
        let idle = lag_chart(&[(0, None), (1, None)]).into_string();
        assert!(idle.contains("took no step"));
    }
}
