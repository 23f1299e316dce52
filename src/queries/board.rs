//! The work board: open tasks of one mode that someone could take now (a
//! free slot, before the deadline), every filter in SQL, newest first, paged
//! with an opaque cursor as `queries::tasks` pages. Filters:
//!
//! - kind, exactly;
//! - a least reward per slot, in dollars as people type it;
//! - how a task is taken (`first_accept` or `apply_select`);
//! - a location: a task matches if any of the location's parts appears in
//!   its `details` JSON text, case-insensitively (ASCII only on SQLite);
//! - skills, comma-separated: a task matches if its kind is one of them read
//!   as a kind (`Field Mission` → `field_mission`) or its details mention one.
//!
//! Location parts and LIKE escaping are `queries::matching`'s, as HumanPing's
//! feed uses them, so the board and the feed agree on what matches.

use super::binds::{Bind, Binds};
use super::matching::{
    contains_pattern, location_parts, skill_as_kind, LIKE_ESCAPE, LOCATION_PART_MIN_CHARS,
};
use super::tasks::{newest_first, TaskSummary};
use super::{decode_cursor, Page, QueryError, PAGE_LIMIT_MAX};
use errand_aggregates::mode::Mode;
use errand_aggregates::money::{Currency, Money};
use sqlx::{AnyPool, Row};
use uuid::Uuid;

/// Tasks on one page of the board: a screenful people scan.
pub const BOARD_PAGE_SIZE: u32 = 20;
/// A profile holds at most 30 skills of at most 50 characters; the board
/// takes no more, so a filter is at most 60 LIKEs.
pub const SKILLS_MAX: usize = 30;
pub const SKILL_CHARS_MAX: usize = 50;
/// A profile's location text is at most 200 characters.
pub const LOCATION_CHARS_MAX: usize = 200;
/// Kinds are few; the dropdown lists at most this many.
pub const KINDS_MAX: i64 = 200;
const ASSIGNMENT_MODES: &[&str] = &["first_accept", "apply_select"];

/// The board's filters as people send them (a form's text fields); empty
/// means "any".
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct BoardRequest {
    pub kind: String,
    /// Dollars: `4`, `4.50`.
    pub min_reward: String,
    pub assignment: String,
    pub location: String,
    /// Comma-separated.
    pub skills: String,
    pub cursor: String,
}

/// The board's filters, parsed: only what the query can run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardFilter {
    mode: Mode,
    kind: Option<String>,
    min_reward_cents: i64,
    assignment: Option<String>,
    /// `location_parts` of the location sent, none if none was.
    location_parts: Vec<String>,
    /// `(skill as a kind, skill as text in details)`.
    skills: Vec<(String, String)>,
    /// Tasks older than this id (ids are time-ordered UUIDv7).
    before: Option<String>,
    now_us: i64,
    limit: u32,
}

impl BoardFilter {
    pub fn parse(
        mode: Mode,
        request: &BoardRequest,
        now_us: i64,
    ) -> Result<BoardFilter, QueryError> {
        let kind = Some(request.kind.trim().to_owned()).filter(|kind| !kind.is_empty());
        let min_reward_cents = match request.min_reward.trim() {
            "" => 0,
            text => {
                Money::parse_major(text, Currency::USD)
                    .map_err(|error| QueryError::Invalid(format!("min_reward: {error}")))?
                    .cents
            }
        };
        let assignment = match request.assignment.trim() {
            "" => None,
            how if ASSIGNMENT_MODES.contains(&how) => Some(how.to_owned()),
            _ => {
                return Err(QueryError::Invalid(format!(
                    "assignment must be one of {}",
                    ASSIGNMENT_MODES.join(", ")
                )))
            }
        };
        let location = request.location.trim();
        if location.chars().count() > LOCATION_CHARS_MAX {
            return Err(QueryError::Invalid(format!(
                "location must be at most {LOCATION_CHARS_MAX} characters"
            )));
        }
        let parts = location_parts(location);
        if !location.is_empty() && parts.is_empty() {
            return Err(QueryError::Invalid(format!(
                "location needs a part of at least {LOCATION_PART_MIN_CHARS} characters \
                 between its commas"
            )));
        }
        let skills = parse_skills(&request.skills)?;
        let before = match request.cursor.trim() {
            "" => None,
            cursor => Some(
                decode_cursor(cursor)
                    .filter(|id| Uuid::parse_str(id).is_ok())
                    .ok_or_else(|| QueryError::Invalid("cursor is not one this API gave".into()))?,
            ),
        };
        Ok(BoardFilter {
            mode,
            kind,
            min_reward_cents,
            assignment,
            location_parts: parts,
            skills,
            before,
            now_us,
            limit: BOARD_PAGE_SIZE.min(PAGE_LIMIT_MAX),
        })
    }

    /// The same filters with another page size: tests page small.
    #[cfg(test)]
    pub fn with_limit(self, limit: u32) -> BoardFilter {
        BoardFilter {
            limit: limit.clamp(1, PAGE_LIMIT_MAX),
            ..self
        }
    }
}

/// Comma-separated skills, each as a kind and as lowercase text; a skill's
/// text counts in details only at `LOCATION_PART_MIN_CHARS` or more, for the
/// same reason as a location's parts.
fn parse_skills(text: &str) -> Result<Vec<(String, String)>, QueryError> {
    let mut skills: Vec<(String, String)> = Vec::new();
    for skill in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if skill.chars().count() > SKILL_CHARS_MAX {
            return Err(QueryError::Invalid(format!(
                "a skill must be at most {SKILL_CHARS_MAX} characters"
            )));
        }
        let pair = (skill_as_kind(skill), skill.to_lowercase());
        if !skills.contains(&pair) {
            skills.push(pair);
        }
    }
    if skills.len() > SKILLS_MAX {
        return Err(QueryError::Invalid(format!(
            "skills must be at most {SKILLS_MAX}"
        )));
    }
    Ok(skills)
}

/// One page of the board, newest first.
pub async fn open_tasks(
    pool: &AnyPool,
    filter: &BoardFilter,
) -> Result<Page<TaskSummary>, sqlx::Error> {
    let mut binds = Binds::default();
    let mode = binds.push(Bind::Text(filter.mode.as_str().into()));
    let now = binds.push(Bind::Int(filter.now_us));
    let mut conditions = vec![
        format!("mode = {mode}"),
        "status = 'open'".to_owned(),
        "slots - working - awaiting_review - approved - disputed > 0".to_owned(),
        format!("(deadline_us IS NULL OR deadline_us > {now})"),
    ];
    if let Some(kind) = &filter.kind {
        conditions.push(format!("kind = {}", binds.push(Bind::Text(kind.clone()))));
    }
    if filter.min_reward_cents > 0 {
        conditions.push(format!(
            "reward_cents >= {}",
            binds.push(Bind::Int(filter.min_reward_cents))
        ));
    }
    if let Some(assignment) = &filter.assignment {
        conditions.push(format!(
            "assignment_mode = {}",
            binds.push(Bind::Text(assignment.clone()))
        ));
    }
    if !filter.location_parts.is_empty() {
        let likes: Vec<String> = filter
            .location_parts
            .iter()
            .map(|part| {
                let pattern = binds.push(Bind::Text(contains_pattern(part)));
                format!("LOWER(details) LIKE {pattern} {LIKE_ESCAPE}")
            })
            .collect();
        conditions.push(format!("({})", likes.join(" OR ")));
    }
    if !filter.skills.is_empty() {
        let mut matches = Vec::new();
        for (kind, text) in &filter.skills {
            matches.push(format!("kind = {}", binds.push(Bind::Text(kind.clone()))));
            if text.chars().count() >= LOCATION_PART_MIN_CHARS {
                let pattern = binds.push(Bind::Text(contains_pattern(text)));
                matches.push(format!("LOWER(details) LIKE {pattern} {LIKE_ESCAPE}"));
            }
        }
        conditions.push(format!("({})", matches.join(" OR ")));
    }
    newest_first(
        pool,
        conditions,
        binds,
        filter.before.as_deref(),
        filter.limit,
    )
    .await
}

/// The kinds of one mode's open tasks, for the board's dropdown, A to Z.
pub async fn open_kinds(pool: &AnyPool, mode: Mode) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT DISTINCT kind FROM tasks_view WHERE mode = $1 AND status = 'open' \
         ORDER BY kind LIMIT $2",
    )
    .bind(mode.as_str().to_owned())
    .bind(KINDS_MAX)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|row| row.try_get(0)).collect()
}

#[cfg(test)]
mod tests;
