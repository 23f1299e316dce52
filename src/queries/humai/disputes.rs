//! Humai's disputes for the admins who resolve them, from `disputes_view`
//! (with the contract's price from `contracts_view`) and
//! `dispute_evidence_view`: the open ones oldest first, as a queue, and the
//! latest resolved with the money each moved.

use super::super::QueryError;
use errand_aggregates::mode::Mode;
use sqlx::{AnyPool, Row};

/// Disputes a page shows of each kind; a longer queue is worked from the top.
pub const DISPUTES_SHOWN_MAX: i64 = 50;
/// Evidence items read per dispute; the aggregate bounds what may be submitted.
pub const EVIDENCE_SHOWN_MAX: i64 = 20;

/// Open or resolved disputes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisputeStatus {
    Open,
    Resolved,
}

/// One dispute with its contract's price, its settlement (once resolved) and its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeSummary {
    pub dispute_id: String,
    pub contract_id: String,
    pub sequence: Option<i64>,
    pub buyer: String,
    pub seller: String,
    pub opened_by: String,
    pub reason: String,
    pub price_cents: i64,
    pub resolution: Option<String>,
    pub seller_pct: Option<i64>,
    pub note: Option<String>,
    pub stake_cents: Option<i64>,
    pub fee_cents: Option<i64>,
    pub seller_payout_cents: Option<i64>,
    pub refund_cents: Option<i64>,
    pub opened_at_us: i64,
    pub resolved_at_us: Option<i64>,
    pub evidence: Vec<EvidenceItem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceItem {
    pub submitted_by: String,
    pub evidence_type: String,
    pub content: String,
}

/// Disputes of `mode` in `status`: open ones oldest first (the queue),
/// resolved ones latest first, at most `limit` (1 to [`DISPUTES_SHOWN_MAX`]).
pub async fn disputes(
    pool: &AnyPool,
    mode: Mode,
    status: DisputeStatus,
    limit: i64,
) -> Result<Vec<DisputeSummary>, QueryError> {
    let limit = limit.clamp(1, DISPUTES_SHOWN_MAX);
    let (status, order) = match status {
        DisputeStatus::Open => ("open", "d.position ASC"),
        DisputeStatus::Resolved => ("resolved", "d.resolved_at_us DESC, d.position DESC"),
    };
    let sql = format!(
        "SELECT d.dispute_id, d.contract_id, d.sequence, d.buyer, d.seller, d.opened_by, \
         d.reason, c.price_cents, d.resolution, d.seller_pct, d.note, d.stake_cents, \
         d.fee_cents, d.seller_payout_cents, d.refund_cents, d.opened_at_us, d.resolved_at_us \
         FROM disputes_view d JOIN contracts_view c ON c.contract_id = d.contract_id \
         WHERE d.status = $1 AND c.mode = $2 ORDER BY {order} LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(status)
        .bind(mode.as_str())
        .bind(limit)
        .fetch_all(pool)
        .await?;
    let mut found = Vec::with_capacity(rows.len());
    for row in rows {
        let dispute_id: String = row.try_get(0)?;
        let evidence = evidence(pool, &dispute_id).await?;
        found.push(DisputeSummary {
            dispute_id,
            contract_id: row.try_get(1)?,
            sequence: row.try_get(2)?,
            buyer: row.try_get(3)?,
            seller: row.try_get(4)?,
            opened_by: row.try_get(5)?,
            reason: row.try_get(6)?,
            price_cents: row.try_get(7)?,
            resolution: row.try_get(8)?,
            seller_pct: row.try_get(9)?,
            note: row.try_get(10)?,
            stake_cents: row.try_get(11)?,
            fee_cents: row.try_get(12)?,
            seller_payout_cents: row.try_get(13)?,
            refund_cents: row.try_get(14)?,
            opened_at_us: row.try_get(15)?,
            resolved_at_us: row.try_get(16)?,
            evidence,
        });
    }
    Ok(found)
}

async fn evidence(pool: &AnyPool, dispute_id: &str) -> Result<Vec<EvidenceItem>, QueryError> {
    let rows = sqlx::query(
        "SELECT submitted_by, evidence_type, content FROM dispute_evidence_view \
         WHERE dispute_id = $1 ORDER BY number LIMIT $2",
    )
    .bind(dispute_id)
    .bind(EVIDENCE_SHOWN_MAX)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(EvidenceItem {
                submitted_by: row.try_get(0)?,
                evidence_type: row.try_get(1)?,
                content: row.try_get(2)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(QueryError::from)
}
