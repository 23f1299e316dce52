//! A worker's feed from `tasks_view`: live tasks, of any API, that anyone may
//! take at once (first accept: HumanPing's own, the native API's and any
//! other dialect's first-accept work), open, with a free slot, before their
//! deadline, not the worker's own and not one they hold or held a slot of.
//!
//! Ranked simply, so a worker can tell why a task is where it is:
//! a task whose kind is one of the worker's skills scores 2, a task whose
//! details mention a part of the worker's location (HumanPing's
//! `context.location`) scores 1; higher scores first, then newest first.
//! Location parts are the worker's location text split at commas
//! ("Montreal, QC" → "montreal"; parts under 3 characters are too vague
//! to count), compared case-insensitively (ASCII only on SQLite): see
//! `queries::matching`, which the console's work board shares.

use super::super::binds::{Bind, Binds};
use super::super::matching::{contains_pattern, location_parts, skill_as_kind, LIKE_ESCAPE};
use super::tasks::AgentTaskRow;
use errand_aggregates::ids::ActorId;
use sqlx::{AnyPool, Row};

pub const SKILL_SCORE: i64 = 2;
pub const LOCATION_SCORE: i64 = 1;

pub struct FeedFilter {
    pub worker: ActorId,
    /// The worker's skills, as a task's kind is written (`field_mission`).
    pub skills: Vec<String>,
    /// The worker's location text, if any.
    pub location: Option<String>,
    pub now_us: i64,
    pub limit: u32,
    pub offset: u32,
}

#[derive(Debug, Clone)]
pub struct FeedRow {
    pub task: AgentTaskRow,
    pub poster: String,
    pub skill_match: bool,
    pub location_match: bool,
}

/// A page of the feed, best first, and how many tasks it holds in all.
pub async fn feed(pool: &AnyPool, filter: &FeedFilter) -> Result<(Vec<FeedRow>, i64), sqlx::Error> {
    let mut binds = Binds::default();
    let worker = binds.push(Bind::Text(filter.worker.to_string()));
    let now = binds.push(Bind::Int(filter.now_us));
    // Statuses of an assignment that holds or consumed the worker's slot
    // (`AssignmentStatus::is_in_flight`, `is_settled`): the task refuses them.
    let conditions = format!(
        "mode = 'live' AND status = 'open' AND assignment_mode IN ('first_accept', 'apply_select') \
         AND slots - working - awaiting_review - approved - disputed > 0 \
         AND poster <> {worker} \
         AND (deadline_us IS NULL OR deadline_us > {now}) \
         AND task_id NOT IN (SELECT task_id FROM task_assignments_view \
             WHERE worker = {worker} AND status IN ('active', 'submitted', 'approved', 'disputed')) \
         AND task_id NOT IN (SELECT task_id FROM task_applications_view \
             WHERE applicant = {worker} AND status = 'pending')"
    );
    let total: i64 = {
        let mut count_binds = Binds::default();
        count_binds.push(Bind::Text(filter.worker.to_string()));
        count_binds.push(Bind::Int(filter.now_us));
        let sql = format!("SELECT COUNT(*) FROM tasks_view WHERE {conditions}");
        count_binds
            .apply(sqlx::query(&sql))
            .fetch_one(pool)
            .await?
            .try_get(0)?
    };
    let mut skills: Vec<String> = filter.skills.iter().map(|s| skill_as_kind(s)).collect();
    skills.sort();
    skills.dedup();
    let skill_score = if skills.is_empty() {
        "0".to_owned()
    } else {
        let placeholders: Vec<String> = skills
            .into_iter()
            .map(|skill| binds.push(Bind::Text(skill)))
            .collect();
        format!(
            "CASE WHEN kind IN ({}) THEN {SKILL_SCORE} ELSE 0 END",
            placeholders.join(", ")
        )
    };
    let parts = filter
        .location
        .as_deref()
        .map(location_parts)
        .unwrap_or_default();
    let location_score = if parts.is_empty() {
        "0".to_owned()
    } else {
        let likes: Vec<String> = parts
            .iter()
            .map(|part| {
                let placeholder = binds.push(Bind::Text(contains_pattern(part)));
                format!("LOWER(details) LIKE {placeholder} {LIKE_ESCAPE}")
            })
            .collect();
        format!(
            "CASE WHEN {} THEN {LOCATION_SCORE} ELSE 0 END",
            likes.join(" OR ")
        )
    };
    let limit = binds.push(Bind::Int(i64::from(filter.limit)));
    let offset = binds.push(Bind::Int(i64::from(filter.offset)));
    let sql = format!(
        "SELECT task_id, kind, status, description, details, reward_cents, fee_rate, slots, \
         working, awaiting_review, approved, disputed, escrow_cents, paid_cents, deadline_us, \
         posted_at_us, poster, ({skill_score}) + ({location_score}) AS relevance \
         FROM tasks_view WHERE {conditions} \
         ORDER BY relevance DESC, posted_at_us DESC, task_id DESC LIMIT {limit} OFFSET {offset}"
    );
    let rows = binds.apply(sqlx::query(&sql)).fetch_all(pool).await?;
    let tasks = rows
        .iter()
        .map(|row| {
            let relevance: i64 = row.try_get(17)?;
            Ok(FeedRow {
                task: AgentTaskRow {
                    task_id: row.try_get(0)?,
                    kind: row.try_get(1)?,
                    status: row.try_get(2)?,
                    description: row.try_get(3)?,
                    details: row.try_get(4)?,
                    reward_cents: row.try_get(5)?,
                    fee_rate: row.try_get(6)?,
                    slots: row.try_get(7)?,
                    working: row.try_get(8)?,
                    awaiting_review: row.try_get(9)?,
                    approved: row.try_get(10)?,
                    disputed: row.try_get(11)?,
                    escrow_cents: row.try_get(12)?,
                    paid_cents: row.try_get(13)?,
                    deadline_us: row.try_get(14)?,
                    posted_at_us: row.try_get(15)?,
                },
                poster: row.try_get(16)?,
                skill_match: relevance >= SKILL_SCORE,
                location_match: relevance % SKILL_SCORE == LOCATION_SCORE,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((tasks, total))
}
