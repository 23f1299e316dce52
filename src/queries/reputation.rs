//! People's reputation from `reputation_view`: one person's, and the leaderboard.

use super::QueryError;
use errand_projections::reputation::ReputationView;
use errand_projections::ViewRow;
use sqlx::AnyPool;

/// The leaderboard's page bound: it is a top list, not an export.
pub const LEADERBOARD_LIMIT_MAX: u32 = 100;
pub const LEADERBOARD_LIMIT_DEFAULT: u32 = 20;

/// What the leaderboard ranks by, highest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranking {
    TrustScore,
    Completed,
    Earned,
}

impl Ranking {
    pub fn parse(text: &str) -> Result<Ranking, QueryError> {
        match text {
            "trust_score" => Ok(Ranking::TrustScore),
            "completed" => Ok(Ranking::Completed),
            "earned" => Ok(Ranking::Earned),
            other => Err(QueryError::Invalid(format!(
                "by must be trust_score, completed or earned, not {other:?}"
            ))),
        }
    }

    fn order_by(self) -> &'static str {
        match self {
            Ranking::TrustScore => "trust_score DESC, approved DESC, actor_id",
            Ranking::Completed => "approved DESC, actor_id",
            Ranking::Earned => "earned_cents DESC, actor_id",
        }
    }
}

fn columns() -> String {
    <ReputationView as errand_projections::Record>::COLUMNS.join(", ")
}

pub async fn reputation_of(
    pool: &AnyPool,
    actor_id: &str,
) -> Result<Option<ReputationView>, QueryError> {
    let sql = format!(
        "SELECT {} FROM reputation_view WHERE actor_id = $1",
        columns()
    );
    let row = sqlx::query(&sql)
        .bind(actor_id)
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().map(ReputationView::decode).transpose()?)
}

pub async fn leaderboard(
    pool: &AnyPool,
    by: Ranking,
    limit: u32,
) -> Result<Vec<ReputationView>, QueryError> {
    let sql = format!(
        "SELECT {} FROM reputation_view ORDER BY {} LIMIT $1",
        columns(),
        by.order_by()
    );
    let rows = sqlx::query(&sql)
        .bind(i64::from(limit.min(LEADERBOARD_LIMIT_MAX)))
        .fetch_all(pool)
        .await?;
    Ok(rows
        .iter()
        .map(ReputationView::decode)
        .collect::<Result<_, _>>()?)
}
