//! `GET /capabilities-search`: delegated agents having any of the tags asked
//! for, ranked by how many they have (then the earliest registered), from
//! `humai_capability_tags_view` (one indexed row per actor and tag) joined
//! to `humai_actors_view` and, for names and standing, `actors_view`.

use crate::queries::QueryError;
use sqlx::{AnyPool, Row};

/// A page of agents and how many match in all.
#[derive(Debug, Clone, Default)]
pub struct AgentMatches {
    pub agents: Vec<AgentMatch>,
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentMatch {
    pub actor_id: String,
    pub display_name: String,
    pub tier: i64,
    /// JSON array text, as stored.
    pub capability_tags: String,
    /// How many of the tags asked for the agent has.
    pub matched: i64,
}

/// `tags` are parsed (lowercase, at most 20) and not empty; `limit` bounded by the caller.
pub async fn agents_with_tags(
    pool: &AnyPool,
    tags: &[String],
    min_tier: i64,
    limit: i64,
) -> Result<AgentMatches, QueryError> {
    // $1 is the tier; the page binds the limit as $2; the tags follow.
    let page = format!(
        "SELECT h.actor_id, a.name, h.tier, h.capability_tags, COUNT(*) AS matched, \
         h.opened_at_us {} \
         GROUP BY h.actor_id, a.name, h.tier, h.capability_tags, h.opened_at_us \
         ORDER BY matched DESC, h.opened_at_us, h.actor_id LIMIT $2",
        matching(tags.len(), 3)
    );
    let mut query = sqlx::query(&page).bind(min_tier).bind(limit);
    for tag in tags {
        query = query.bind(tag.as_str());
    }
    let agents = query
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| {
            Ok(AgentMatch {
                actor_id: row.try_get(0)?,
                display_name: row.try_get(1)?,
                tier: row.try_get(2)?,
                capability_tags: row.try_get(3)?,
                matched: row.try_get(4)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    let count = format!(
        "SELECT COUNT(DISTINCT h.actor_id) {}",
        matching(tags.len(), 2)
    );
    let mut query = sqlx::query(&count).bind(min_tier);
    for tag in tags {
        query = query.bind(tag.as_str());
    }
    let total: i64 = query.fetch_one(pool).await?.try_get(0)?;
    Ok(AgentMatches { agents, total })
}

/// The rows a search matches: `tags` tags from placeholder `$first_tag` on, tier at least `$1`.
fn matching(tags: usize, first_tag: usize) -> String {
    let placeholders: Vec<String> = (0..tags).map(|n| format!("${}", n + first_tag)).collect();
    format!(
        "FROM humai_capability_tags_view t \
         JOIN humai_actors_view h ON h.actor_id = t.actor_id \
         JOIN actors_view a ON a.actor_id = h.actor_id \
         WHERE t.tag IN ({}) AND h.kind = 'delegated_agent' AND h.tier >= $1 \
         AND a.standing = 'active'",
        placeholders.join(", ")
    )
}
