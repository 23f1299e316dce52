//! An owner's deposits from `deposits_view`, the latest first: what their
//! billing page shows as recent credit additions.

use super::QueryError;
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use errand_projections::deposits::DepositRow;
use errand_projections::{Record, ViewRow};
use sqlx::AnyPool;

/// `owner`'s latest `limit` deposits in `mode`, whatever became of them.
pub async fn recent(
    pool: &AnyPool,
    owner: ActorId,
    mode: Mode,
    limit: u32,
) -> Result<Vec<DepositRow>, QueryError> {
    let sql = format!(
        "SELECT {} FROM deposits_view WHERE owner = $1 AND mode = $2 \
         ORDER BY position DESC LIMIT $3",
        DepositRow::COLUMNS.join(", ")
    );
    let rows = sqlx::query(&sql)
        .bind(owner.to_string())
        .bind(mode.as_str())
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    Ok(rows
        .iter()
        .map(DepositRow::decode)
        .collect::<Result<Vec<_>, _>>()?)
}
