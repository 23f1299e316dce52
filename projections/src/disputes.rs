//! Humai's disputes: `disputes_view` (each dispute, its resolution and the
//! settlement in cents) and `dispute_evidence_view` (its evidence, in
//! order). Folds the `dispute-<id>` streams, and the contracts'
//! `DisputeSettled` for the cents, which is appended with `DisputeResolved`
//! but after the `DisputeOpened` that made the row.

use errand_aggregates::contract::ContractEvent;
use errand_aggregates::dispute::{DisputeEvent, Resolution};
use errand_aggregates::Event;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::rows::{AnyQuery, Record, Rows, ViewRow};
use crate::{micros, stream_suffix, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Disputes;

pub const DISPUTES_VIEW: &str = "disputes_view";
pub const DISPUTE_EVIDENCE_VIEW: &str = "dispute_evidence_view";

/// One row of `disputes_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeRow {
    pub dispute_id: String,
    pub contract_id: String,
    pub sequence: Option<i64>,
    pub buyer: String,
    pub seller: String,
    pub opened_by: String,
    pub reason: String,
    /// `open` or `resolved`.
    pub status: String,
    pub resolution: Option<String>,
    pub seller_pct: Option<i64>,
    pub note: Option<String>,
    pub resolved_by: Option<String>,
    pub stake_cents: Option<i64>,
    pub seller_gross_cents: Option<i64>,
    pub fee_cents: Option<i64>,
    pub seller_payout_cents: Option<i64>,
    pub refund_cents: Option<i64>,
    pub evidence_count: i64,
    pub position: i64,
    pub opened_at_us: i64,
    pub resolved_at_us: Option<i64>,
}

impl Record for DisputeRow {
    const TABLE: &'static str = DISPUTES_VIEW;
    const COLUMNS: &'static [&'static str] = &[
        "dispute_id",
        "contract_id",
        "sequence",
        "buyer",
        "seller",
        "opened_by",
        "reason",
        "status",
        "resolution",
        "seller_pct",
        "note",
        "resolved_by",
        "stake_cents",
        "seller_gross_cents",
        "fee_cents",
        "seller_payout_cents",
        "refund_cents",
        "evidence_count",
        "position",
        "opened_at_us",
        "resolved_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.dispute_id.as_str())
            .bind(self.contract_id.as_str())
            .bind(self.sequence)
            .bind(self.buyer.as_str())
            .bind(self.seller.as_str())
            .bind(self.opened_by.as_str())
            .bind(self.reason.as_str())
            .bind(self.status.as_str())
            .bind(self.resolution.as_deref())
            .bind(self.seller_pct)
            .bind(self.note.as_deref())
            .bind(self.resolved_by.as_deref())
            .bind(self.stake_cents)
            .bind(self.seller_gross_cents)
            .bind(self.fee_cents)
            .bind(self.seller_payout_cents)
            .bind(self.refund_cents)
            .bind(self.evidence_count)
            .bind(self.position)
            .bind(self.opened_at_us)
            .bind(self.resolved_at_us)
    }
}

impl ViewRow for DisputeRow {
    fn key(&self) -> &str {
        &self.dispute_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(DisputeRow {
            dispute_id: row.try_get(0)?,
            contract_id: row.try_get(1)?,
            sequence: row.try_get(2)?,
            buyer: row.try_get(3)?,
            seller: row.try_get(4)?,
            opened_by: row.try_get(5)?,
            reason: row.try_get(6)?,
            status: row.try_get(7)?,
            resolution: row.try_get(8)?,
            seller_pct: row.try_get(9)?,
            note: row.try_get(10)?,
            resolved_by: row.try_get(11)?,
            stake_cents: row.try_get(12)?,
            seller_gross_cents: row.try_get(13)?,
            fee_cents: row.try_get(14)?,
            seller_payout_cents: row.try_get(15)?,
            refund_cents: row.try_get(16)?,
            evidence_count: row.try_get(17)?,
            position: row.try_get(18)?,
            opened_at_us: row.try_get(19)?,
            resolved_at_us: row.try_get(20)?,
        })
    }
}

/// One row of `dispute_evidence_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRow {
    /// `<dispute id>:<number>`.
    pub evidence_key: String,
    pub dispute_id: String,
    pub number: i64,
    pub submitted_by: String,
    pub evidence_type: String,
    pub content: String,
    pub submitted_at_us: i64,
}

impl Record for EvidenceRow {
    const TABLE: &'static str = DISPUTE_EVIDENCE_VIEW;
    const COLUMNS: &'static [&'static str] = &[
        "evidence_key",
        "dispute_id",
        "number",
        "submitted_by",
        "evidence_type",
        "content",
        "submitted_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.evidence_key.as_str())
            .bind(self.dispute_id.as_str())
            .bind(self.number)
            .bind(self.submitted_by.as_str())
            .bind(self.evidence_type.as_str())
            .bind(self.content.as_str())
            .bind(self.submitted_at_us)
    }
}

impl ViewRow for EvidenceRow {
    fn key(&self) -> &str {
        &self.evidence_key
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(EvidenceRow {
            evidence_key: row.try_get(0)?,
            dispute_id: row.try_get(1)?,
            number: row.try_get(2)?,
            submitted_by: row.try_get(3)?,
            evidence_type: row.try_get(4)?,
            content: row.try_get(5)?,
            submitted_at_us: row.try_get(6)?,
        })
    }
}

#[derive(Default)]
struct Batch {
    disputes: Rows<DisputeRow>,
    evidence: Rows<EvidenceRow>,
}

/// The dispute a stored event is about: its stream's, or the one a
/// contract's settlement names.
fn dispute_of(projected: &ProjectedEvent) -> Option<String> {
    match &projected.event {
        Event::Dispute(_) => Some(stream_suffix(&projected.stream_id).to_owned()),
        Event::Contract(ContractEvent::DisputeSettled { dispute_id, .. }) => {
            Some(dispute_id.to_string())
        }
        _ => None,
    }
}

impl Projection for Disputes {
    fn name(&self) -> &'static str {
        "disputes"
    }

    fn tables(&self) -> &'static [&'static str] {
        &[DISPUTES_VIEW, DISPUTE_EVIDENCE_VIEW]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut batch = Batch::default();
        let touched: Vec<String> = events.iter().filter_map(dispute_of).collect();
        batch.disputes.prefetch(conn, touched).await?;
        for projected in events {
            let Some(dispute_id) = dispute_of(projected) else {
                continue;
            };
            apply(&mut batch, projected, &dispute_id)?;
        }
        batch.disputes.flush(conn).await?;
        batch.evidence.flush(conn).await?;
        Ok(())
    }
}

fn apply(
    batch: &mut Batch,
    projected: &ProjectedEvent,
    dispute_id: &str,
) -> Result<(), ProjectionError> {
    if let Event::Dispute(DisputeEvent::DisputeOpened {
        contract_id,
        buyer,
        seller,
        sequence,
        opened_by,
        reason,
        at,
        ..
    }) = &projected.event
    {
        batch.disputes.put(DisputeRow {
            dispute_id: dispute_id.to_owned(),
            contract_id: contract_id.to_string(),
            sequence: sequence.map(i64::from),
            buyer: buyer.to_string(),
            seller: seller.to_string(),
            opened_by: opened_by.to_string(),
            reason: reason.clone(),
            status: "open".to_owned(),
            resolution: None,
            seller_pct: None,
            note: None,
            resolved_by: None,
            stake_cents: None,
            seller_gross_cents: None,
            fee_cents: None,
            seller_payout_cents: None,
            refund_cents: None,
            evidence_count: 0,
            position: projected.position,
            opened_at_us: micros(*at),
            resolved_at_us: None,
        });
        return Ok(());
    }
    let mut row = batch
        .disputes
        .cached(dispute_id)
        .cloned()
        .ok_or_else(|| ProjectionError::inconsistent(projected, "unknown dispute"))?;
    match &projected.event {
        Event::Dispute(DisputeEvent::EvidenceSubmitted {
            number,
            submitted_by,
            evidence,
            at,
        }) => {
            row.evidence_count += 1;
            batch.evidence.put(EvidenceRow {
                evidence_key: format!("{dispute_id}:{number}"),
                dispute_id: dispute_id.to_owned(),
                number: i64::from(*number),
                submitted_by: submitted_by.to_string(),
                evidence_type: evidence.evidence_type.clone(),
                content: evidence.content.clone(),
                submitted_at_us: micros(*at),
            });
        }
        Event::Dispute(DisputeEvent::DisputeResolved {
            resolution,
            note,
            resolved_by,
            at,
        }) => {
            row.status = "resolved".to_owned();
            row.resolution = Some(resolution.as_str().to_owned());
            row.seller_pct = match resolution {
                Resolution::Split { seller_pct } => Some(i64::from(*seller_pct)),
                Resolution::RefundBuyer => Some(0),
                Resolution::ReleaseToSeller => Some(100),
            };
            row.note = note.clone();
            row.resolved_by = Some(resolved_by.to_string());
            row.resolved_at_us = Some(micros(*at));
        }
        Event::Contract(ContractEvent::DisputeSettled { outcome, .. }) => {
            row.stake_cents = Some(outcome.stake.cents);
            row.seller_gross_cents = Some(outcome.seller_gross.cents);
            row.fee_cents = Some(outcome.fee.cents);
            row.seller_payout_cents = Some(outcome.seller_payout.cents);
            row.refund_cents = Some(outcome.refund.cents);
        }
        _ => return Ok(()),
    }
    batch.disputes.put(row);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::tests::humai_story;
    use crate::testing::*;

    #[tokio::test]
    async fn a_dispute_shows_its_milestone_evidence_resolution_and_cents() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let cast = humai_story(&mut journal);
        let events = journal.take();
        // Up to the evidence: open, one piece, nothing settled.
        let resolved = events
            .iter()
            .position(|e| e.event_type == "DisputeResolved")
            .unwrap();
        db.apply(&Disputes, &events[..resolved]).await;
        let open = DisputeRow::find(&mut db.conn, &cast.dispute.to_string())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(open.status, "open");
        // Opened naming no milestone: the one under review, the second.
        assert_eq!(open.sequence, Some(2));
        assert_eq!(open.opened_by, cast.alice.to_string());
        assert_eq!(open.evidence_count, 1);
        assert_eq!(open.stake_cents, None);

        db.apply(&Disputes, &events[resolved..]).await;
        let row = DisputeRow::find(&mut db.conn, &cast.dispute.to_string())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.status, "resolved");
        assert_eq!(
            (
                row.resolution.as_deref(),
                row.seller_pct,
                row.note.as_deref()
            ),
            (Some("split"), Some(50), Some("Half usable"))
        );
        assert_eq!(row.resolved_by, Some(cast.admin.to_string()));
        // Half of milestone 2's $60: $30 captured ($3 fee), $30 back to Alice.
        assert_eq!(
            (
                row.stake_cents,
                row.seller_gross_cents,
                row.fee_cents,
                row.seller_payout_cents,
                row.refund_cents
            ),
            (
                Some(6_000),
                Some(3_000),
                Some(300),
                Some(2_700),
                Some(3_000)
            )
        );
        let evidence: Vec<EvidenceRow> = all_rows(&mut db.conn).await;
        assert_eq!(evidence.len(), 1);
        assert_eq!(
            (
                evidence[0].number,
                evidence[0].evidence_type.as_str(),
                evidence[0].submitted_by.clone()
            ),
            (1, "url", cast.agent.to_string())
        );
    }
}
