//! Humai's transactions: `contracts_view` (each contract: parties, price,
//! fee and payout, escrow, status, chain, deadlines) and
//! `contract_milestones_view` (each milestone's state and what it paid).
//! Folds the `contract-<id>` streams.

use errand_aggregates::contract::{ContractEvent, MilestoneStatus};
use errand_aggregates::Event;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::rows::{AnyQuery, Record, Rows, ViewRow};
use crate::{micros, stream_suffix, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Contracts;

pub const CONTRACTS_VIEW: &str = "contracts_view";
pub const CONTRACT_MILESTONES_VIEW: &str = "contract_milestones_view";

/// One row of `contracts_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractRow {
    pub contract_id: String,
    pub mode: String,
    pub buyer: String,
    pub buyer_kind: String,
    pub seller: String,
    pub seller_kind: String,
    pub listing_id: String,
    pub bid_id: Option<String>,
    pub currency: String,
    pub price_cents: i64,
    pub fee_cents: i64,
    pub payout_cents: i64,
    pub held_cents: i64,
    pub captured_cents: i64,
    pub refunded_cents: i64,
    pub status: String,
    pub depth: i64,
    pub root_id: String,
    pub parent_id: Option<String>,
    pub subcontracted_cents: i64,
    pub sla_hours: i64,
    pub milestone_count: i64,
    pub sla_due_at_us: Option<i64>,
    pub review_due_at_us: Option<i64>,
    pub output_data: Option<String>,
    pub storage_path: Option<String>,
    pub dispute_id: Option<String>,
    pub on_time: Option<bool>,
    pub position: i64,
    pub opened_at_us: i64,
    pub assigned_at_us: Option<i64>,
    pub delivered_at_us: Option<i64>,
    pub closed_at_us: Option<i64>,
    pub updated_at_us: i64,
}

impl Record for ContractRow {
    const TABLE: &'static str = CONTRACTS_VIEW;
    const COLUMNS: &'static [&'static str] = &[
        "contract_id",
        "mode",
        "buyer",
        "buyer_kind",
        "seller",
        "seller_kind",
        "listing_id",
        "bid_id",
        "currency",
        "price_cents",
        "fee_cents",
        "payout_cents",
        "held_cents",
        "captured_cents",
        "refunded_cents",
        "status",
        "depth",
        "root_id",
        "parent_id",
        "subcontracted_cents",
        "sla_hours",
        "milestone_count",
        "sla_due_at_us",
        "review_due_at_us",
        "output_data",
        "storage_path",
        "dispute_id",
        "on_time",
        "position",
        "opened_at_us",
        "assigned_at_us",
        "delivered_at_us",
        "closed_at_us",
        "updated_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.contract_id.as_str())
            .bind(self.mode.as_str())
            .bind(self.buyer.as_str())
            .bind(self.buyer_kind.as_str())
            .bind(self.seller.as_str())
            .bind(self.seller_kind.as_str())
            .bind(self.listing_id.as_str())
            .bind(self.bid_id.as_deref())
            .bind(self.currency.as_str())
            .bind(self.price_cents)
            .bind(self.fee_cents)
            .bind(self.payout_cents)
            .bind(self.held_cents)
            .bind(self.captured_cents)
            .bind(self.refunded_cents)
            .bind(self.status.as_str())
            .bind(self.depth)
            .bind(self.root_id.as_str())
            .bind(self.parent_id.as_deref())
            .bind(self.subcontracted_cents)
            .bind(self.sla_hours)
            .bind(self.milestone_count)
            .bind(self.sla_due_at_us)
            .bind(self.review_due_at_us)
            .bind(self.output_data.as_deref())
            .bind(self.storage_path.as_deref())
            .bind(self.dispute_id.as_deref())
            .bind(self.on_time.map(i64::from))
            .bind(self.position)
            .bind(self.opened_at_us)
            .bind(self.assigned_at_us)
            .bind(self.delivered_at_us)
            .bind(self.closed_at_us)
            .bind(self.updated_at_us)
    }
}

impl ViewRow for ContractRow {
    fn key(&self) -> &str {
        &self.contract_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(ContractRow {
            contract_id: row.try_get(0)?,
            mode: row.try_get(1)?,
            buyer: row.try_get(2)?,
            buyer_kind: row.try_get(3)?,
            seller: row.try_get(4)?,
            seller_kind: row.try_get(5)?,
            listing_id: row.try_get(6)?,
            bid_id: row.try_get(7)?,
            currency: row.try_get(8)?,
            price_cents: row.try_get(9)?,
            fee_cents: row.try_get(10)?,
            payout_cents: row.try_get(11)?,
            held_cents: row.try_get(12)?,
            captured_cents: row.try_get(13)?,
            refunded_cents: row.try_get(14)?,
            status: row.try_get(15)?,
            depth: row.try_get(16)?,
            root_id: row.try_get(17)?,
            parent_id: row.try_get(18)?,
            subcontracted_cents: row.try_get(19)?,
            sla_hours: row.try_get(20)?,
            milestone_count: row.try_get(21)?,
            sla_due_at_us: row.try_get(22)?,
            review_due_at_us: row.try_get(23)?,
            output_data: row.try_get(24)?,
            storage_path: row.try_get(25)?,
            dispute_id: row.try_get(26)?,
            on_time: row.try_get::<Option<i64>, _>(27)?.map(|v| v != 0),
            position: row.try_get(28)?,
            opened_at_us: row.try_get(29)?,
            assigned_at_us: row.try_get(30)?,
            delivered_at_us: row.try_get(31)?,
            closed_at_us: row.try_get(32)?,
            updated_at_us: row.try_get(33)?,
        })
    }
}

/// One row of `contract_milestones_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneRow {
    /// `<contract id>:<sequence>`.
    pub milestone_key: String,
    pub contract_id: String,
    pub sequence: i64,
    pub title: String,
    pub pct_of_total: i64,
    pub amount_cents: i64,
    pub sla_hours: i64,
    pub status: String,
    pub due_at_us: Option<i64>,
    pub review_due_at_us: Option<i64>,
    pub output_data: Option<String>,
    pub storage_path: Option<String>,
    pub paid_cents: Option<i64>,
    pub fee_cents: Option<i64>,
    pub refunded_cents: Option<i64>,
    pub dispute_id: Option<String>,
    pub delivered_at_us: Option<i64>,
    pub closed_at_us: Option<i64>,
    pub updated_at_us: i64,
}

pub fn milestone_key(contract_id: &str, sequence: u32) -> String {
    format!("{contract_id}:{sequence}")
}

impl Record for MilestoneRow {
    const TABLE: &'static str = CONTRACT_MILESTONES_VIEW;
    const COLUMNS: &'static [&'static str] = &[
        "milestone_key",
        "contract_id",
        "sequence",
        "title",
        "pct_of_total",
        "amount_cents",
        "sla_hours",
        "status",
        "due_at_us",
        "review_due_at_us",
        "output_data",
        "storage_path",
        "paid_cents",
        "fee_cents",
        "refunded_cents",
        "dispute_id",
        "delivered_at_us",
        "closed_at_us",
        "updated_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.milestone_key.as_str())
            .bind(self.contract_id.as_str())
            .bind(self.sequence)
            .bind(self.title.as_str())
            .bind(self.pct_of_total)
            .bind(self.amount_cents)
            .bind(self.sla_hours)
            .bind(self.status.as_str())
            .bind(self.due_at_us)
            .bind(self.review_due_at_us)
            .bind(self.output_data.as_deref())
            .bind(self.storage_path.as_deref())
            .bind(self.paid_cents)
            .bind(self.fee_cents)
            .bind(self.refunded_cents)
            .bind(self.dispute_id.as_deref())
            .bind(self.delivered_at_us)
            .bind(self.closed_at_us)
            .bind(self.updated_at_us)
    }
}

impl ViewRow for MilestoneRow {
    fn key(&self) -> &str {
        &self.milestone_key
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(MilestoneRow {
            milestone_key: row.try_get(0)?,
            contract_id: row.try_get(1)?,
            sequence: row.try_get(2)?,
            title: row.try_get(3)?,
            pct_of_total: row.try_get(4)?,
            amount_cents: row.try_get(5)?,
            sla_hours: row.try_get(6)?,
            status: row.try_get(7)?,
            due_at_us: row.try_get(8)?,
            review_due_at_us: row.try_get(9)?,
            output_data: row.try_get(10)?,
            storage_path: row.try_get(11)?,
            paid_cents: row.try_get(12)?,
            fee_cents: row.try_get(13)?,
            refunded_cents: row.try_get(14)?,
            dispute_id: row.try_get(15)?,
            delivered_at_us: row.try_get(16)?,
            closed_at_us: row.try_get(17)?,
            updated_at_us: row.try_get(18)?,
        })
    }
}

#[derive(Default)]
struct Batch {
    contracts: Rows<ContractRow>,
    milestones: Rows<MilestoneRow>,
}

impl Projection for Contracts {
    fn name(&self) -> &'static str {
        "contracts"
    }

    fn tables(&self) -> &'static [&'static str] {
        &[CONTRACTS_VIEW, CONTRACT_MILESTONES_VIEW]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut batch = Batch::default();
        let touched: Vec<String> = events
            .iter()
            .filter(|e| matches!(e.event, Event::Contract(_)))
            .map(|e| stream_suffix(&e.stream_id).to_owned())
            .collect();
        batch
            .contracts
            .prefetch(conn, touched.iter().cloned())
            .await?;
        batch
            .milestones
            .prefetch_where(conn, "contract_id", touched)
            .await?;
        for projected in events {
            if let Event::Contract(event) = &projected.event {
                apply(&mut batch, projected, event)?;
            }
        }
        batch.contracts.flush(conn).await?;
        batch.milestones.flush(conn).await?;
        Ok(())
    }
}

fn json_text(value: &serde_json::Value) -> String {
    value.to_string()
}

fn apply(
    batch: &mut Batch,
    projected: &ProjectedEvent,
    event: &ContractEvent,
) -> Result<(), ProjectionError> {
    let contract_id = stream_suffix(&projected.stream_id);
    if let ContractEvent::ContractOpened {
        mode,
        buyer,
        seller,
        listing_id,
        bid_id,
        price,
        platform_fee,
        seller_payout,
        sla_hours,
        milestones,
        parent,
        root,
        depth,
        at,
        ..
    } = event
    {
        batch.contracts.put(ContractRow {
            contract_id: contract_id.to_owned(),
            mode: mode.as_str().to_owned(),
            buyer: buyer.actor.to_string(),
            buyer_kind: buyer.kind.as_str().to_owned(),
            seller: seller.actor.to_string(),
            seller_kind: seller.kind.as_str().to_owned(),
            listing_id: listing_id.to_string(),
            bid_id: bid_id.map(|b| b.to_string()),
            currency: price.currency.code().to_owned(),
            price_cents: price.cents,
            fee_cents: platform_fee.cents,
            payout_cents: seller_payout.cents,
            held_cents: price.cents,
            captured_cents: 0,
            refunded_cents: 0,
            status: "pending_payment".to_owned(),
            depth: i64::from(*depth),
            root_id: root.to_string(),
            parent_id: parent.map(|p| p.to_string()),
            subcontracted_cents: 0,
            sla_hours: i64::from(*sla_hours),
            milestone_count: milestones.len() as i64,
            sla_due_at_us: None,
            review_due_at_us: None,
            output_data: None,
            storage_path: None,
            dispute_id: None,
            on_time: None,
            position: projected.position,
            opened_at_us: micros(*at),
            assigned_at_us: None,
            delivered_at_us: None,
            closed_at_us: None,
            updated_at_us: micros(*at),
        });
        let amounts = errand_aggregates::contract::milestone::amounts(*price, milestones);
        for ((spec, amount), sequence) in milestones.iter().zip(amounts).zip(1u32..) {
            batch.milestones.put(MilestoneRow {
                milestone_key: milestone_key(contract_id, sequence),
                contract_id: contract_id.to_owned(),
                sequence: i64::from(sequence),
                title: spec.title.clone(),
                pct_of_total: i64::from(spec.pct_of_total),
                amount_cents: amount.cents,
                sla_hours: i64::from(spec.sla_hours),
                status: MilestoneStatus::Pending.as_str().to_owned(),
                due_at_us: None,
                review_due_at_us: None,
                output_data: None,
                storage_path: None,
                paid_cents: None,
                fee_cents: None,
                refunded_cents: None,
                dispute_id: None,
                delivered_at_us: None,
                closed_at_us: None,
                updated_at_us: micros(*at),
            });
        }
        return Ok(());
    }
    let contract = batch
        .contracts
        .cached(contract_id)
        .cloned()
        .ok_or_else(|| ProjectionError::inconsistent(projected, "unknown contract"))?;
    let mut row = contract;
    let milestone = |batch: &mut Batch, sequence: u32, change: &dyn Fn(&mut MilestoneRow)| {
        let key = milestone_key(contract_id, sequence);
        match batch.milestones.cached(&key).cloned() {
            Some(mut milestone) => {
                change(&mut milestone);
                batch.milestones.put(milestone);
                Ok(())
            }
            None => Err(ProjectionError::inconsistent(
                projected,
                "unknown milestone",
            )),
        }
    };
    match event {
        ContractEvent::ContractOpened { .. } => {}
        ContractEvent::SubcontractOpened { price, at, .. } => {
            row.subcontracted_cents += price.cents;
            row.updated_at_us = micros(*at);
        }
        ContractEvent::ContractAssigned {
            sla_due_at,
            milestone_due_at,
            at,
            ..
        } => {
            row.status = "assigned".to_owned();
            row.sla_due_at_us = Some(micros(*sla_due_at));
            row.assigned_at_us = Some(micros(*at));
            row.updated_at_us = micros(*at);
            if row.milestone_count > 0 {
                let due = milestone_due_at.map(micros);
                milestone(batch, 1, &|m| start(m, due, micros(*at)))?;
            }
        }
        ContractEvent::DeliverySubmitted {
            output_data,
            storage_path,
            review_due_at,
            at,
            ..
        } => {
            row.status = "delivered".to_owned();
            row.output_data = Some(json_text(output_data));
            row.storage_path = storage_path.clone();
            row.review_due_at_us = Some(micros(*review_due_at));
            row.delivered_at_us = Some(micros(*at));
            row.updated_at_us = micros(*at);
        }
        ContractEvent::MilestoneDelivered {
            sequence,
            output_data,
            storage_path,
            review_due_at,
            at,
            ..
        } => {
            row.review_due_at_us = Some(micros(*review_due_at));
            row.delivered_at_us = Some(micros(*at));
            row.updated_at_us = micros(*at);
            milestone(batch, *sequence, &|m| {
                m.status = MilestoneStatus::Delivered.as_str().to_owned();
                m.output_data = Some(json_text(output_data));
                m.storage_path = storage_path.clone();
                m.review_due_at_us = Some(micros(*review_due_at));
                m.delivered_at_us = Some(micros(*at));
                m.updated_at_us = micros(*at);
            })?;
        }
        ContractEvent::ContractAccepted { gross, at, .. } => {
            row.held_cents -= gross.cents;
            row.captured_cents += gross.cents;
            row.review_due_at_us = None;
            row.updated_at_us = micros(*at);
        }
        ContractEvent::MilestoneAccepted {
            sequence,
            gross,
            fee,
            next_due_at,
            at,
            ..
        } => {
            row.held_cents -= gross.cents;
            row.captured_cents += gross.cents;
            row.review_due_at_us = None;
            row.updated_at_us = micros(*at);
            milestone(batch, *sequence, &|m| {
                m.status = MilestoneStatus::Accepted.as_str().to_owned();
                m.paid_cents = Some(gross.cents);
                m.fee_cents = Some(fee.cents);
                m.refunded_cents = Some(0);
                m.review_due_at_us = None;
                m.closed_at_us = Some(micros(*at));
                m.updated_at_us = micros(*at);
            })?;
            if next_due_at.is_some() {
                let due = next_due_at.map(micros);
                milestone(batch, sequence + 1, &|m| start(m, due, micros(*at)))?;
            }
        }
        ContractEvent::ContractCompleted { on_time, at, .. } => {
            row.status = "completed".to_owned();
            row.on_time = Some(*on_time);
            row.closed_at_us = Some(micros(*at));
            row.updated_at_us = micros(*at);
        }
        ContractEvent::ContractDisputed {
            dispute_id,
            sequence,
            at,
            ..
        } => {
            row.status = "disputed".to_owned();
            row.dispute_id = Some(dispute_id.to_string());
            row.review_due_at_us = None;
            row.updated_at_us = micros(*at);
            if let Some(sequence) = sequence {
                milestone(batch, *sequence, &|m| {
                    m.status = MilestoneStatus::Disputed.as_str().to_owned();
                    m.dispute_id = Some(dispute_id.to_string());
                    m.review_due_at_us = None;
                    m.updated_at_us = micros(*at);
                })?;
            }
        }
        ContractEvent::DisputeSettled {
            sequence,
            outcome,
            next_due_at,
            at,
            ..
        } => {
            row.held_cents -= outcome.stake.cents;
            row.captured_cents += outcome.seller_gross.cents;
            row.refunded_cents += outcome.refund.cents;
            row.updated_at_us = micros(*at);
            let parts_remain = next_due_at.is_some();
            row.status = if parts_remain { "assigned" } else { "resolved" }.to_owned();
            if !parts_remain {
                row.closed_at_us = Some(micros(*at));
            }
            if let Some(sequence) = sequence {
                milestone(batch, *sequence, &|m| {
                    m.status = MilestoneStatus::Resolved.as_str().to_owned();
                    m.paid_cents = Some(outcome.seller_gross.cents);
                    m.fee_cents = Some(outcome.fee.cents);
                    m.refunded_cents = Some(outcome.refund.cents);
                    m.closed_at_us = Some(micros(*at));
                    m.updated_at_us = micros(*at);
                })?;
                if parts_remain {
                    let due = next_due_at.map(micros);
                    milestone(batch, sequence + 1, &|m| start(m, due, micros(*at)))?;
                }
            }
        }
    }
    batch.contracts.put(row);
    Ok(())
}

/// A milestone becomes the one the seller works on.
fn start(milestone: &mut MilestoneRow, due_at_us: Option<i64>, at_us: i64) {
    milestone.status = MilestoneStatus::InProgress.as_str().to_owned();
    milestone.due_at_us = due_at_us;
    milestone.updated_at_us = at_us;
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testing::*;
    use errand_aggregates::contract::{
        ContractCommand, Deliverable, MilestoneSpec, OpenContract, ParentLink, Party, ReviewWindow,
    };
    use errand_aggregates::dispute::{DisputeCommand, DisputedContract, Resolution};
    use errand_aggregates::fee::FeePolicy;
    use errand_aggregates::ids::{ActorId, ContractId, DisputeId, ListingId};
    use errand_aggregates::mode::Mode;
    use errand_aggregates::money::Money;
    use serde_json::json;

    pub(crate) struct Cast {
        pub alice: ActorId,
        pub agent: ActorId,
        pub helper: ActorId,
        pub admin: ActorId,
        pub whole: ContractId,
        pub staged: ContractId,
        pub child: ContractId,
        pub dispute: DisputeId,
    }

    fn opening(id: ContractId, buyer: Party, seller: Party, price: i64) -> OpenContract {
        OpenContract {
            contract_id: id,
            mode: Mode::Live,
            buyer,
            seller,
            listing_id: ListingId(new_id()),
            bid_id: None,
            price: Money::usd(price),
            sla_hours: 24,
            milestones: Vec::new(),
            fee: FeePolicy::percent("10").unwrap(),
            parent: None,
            at: at(1),
        }
    }

    fn deliverable(n: i64) -> Deliverable {
        Deliverable::parse(json!({ "part": n }), Some("deliverables/report.pdf")).unwrap()
    }

    /// Alice buys a $75 contract from an agent (accepted), a $100 one in two
    /// milestones (the first accepted, the second disputed and split by an
    /// admin), and the agent subcontracts $30 of the first to a helper.
    pub(crate) fn humai_story(journal: &mut TestJournal) -> Cast {
        let cast = Cast {
            alice: ActorId(new_id()),
            agent: ActorId(new_id()),
            helper: ActorId(new_id()),
            admin: ActorId(new_id()),
            whole: ContractId(new_id()),
            staged: ContractId(new_id()),
            child: ContractId(new_id()),
            dispute: DisputeId(new_id()),
        };
        journal.deposit(cast.alice, 50_000);
        journal.deposit(cast.agent, 5_000);
        let agent = Party::agent(cast.agent, "0xA6E47").unwrap();
        let helper = Party::agent(cast.helper, "0xBEEF").unwrap();
        let by = |actor| caller(actor);

        let whole = opening(cast.whole, Party::human(cast.alice), agent.clone(), 7_500);
        journal.contract(cast.whole, ContractCommand::Open(Box::new(whole)));
        journal.contract(
            cast.whole,
            ContractCommand::Assign {
                by: by(cast.agent),
                at: at(2),
            },
        );
        let mut child = opening(cast.child, agent.clone(), helper, 3_000);
        child.parent = Some(ParentLink::of(journal.contract_state(cast.whole)).unwrap());
        journal.contract(cast.child, ContractCommand::Open(Box::new(child)));
        journal.contract(
            cast.whole,
            ContractCommand::Deliver {
                by: by(cast.agent),
                deliverable: deliverable(0),
                review_window: ReviewWindow::default(),
                at: at(3),
            },
        );
        journal.contract(
            cast.whole,
            ContractCommand::Accept {
                by: by(cast.alice),
                at: at(4),
            },
        );

        let mut staged = opening(cast.staged, Party::human(cast.alice), agent, 10_000);
        staged.milestones = vec![
            MilestoneSpec::parse("Data collection", 40, 24).unwrap(),
            MilestoneSpec::parse("Analysis report", 60, 48).unwrap(),
        ];
        journal.contract(cast.staged, ContractCommand::Open(Box::new(staged)));
        journal.contract(
            cast.staged,
            ContractCommand::Assign {
                by: by(cast.alice),
                at: at(5),
            },
        );
        for (sequence, second) in [(1, 6), (2, 8)] {
            journal.contract(
                cast.staged,
                ContractCommand::DeliverMilestone {
                    by: by(cast.agent),
                    sequence,
                    deliverable: deliverable(i64::from(sequence)),
                    review_window: ReviewWindow::default(),
                    at: at(second),
                },
            );
            if sequence == 1 {
                journal.contract(
                    cast.staged,
                    ContractCommand::AcceptMilestone {
                        by: by(cast.alice),
                        sequence,
                        at: at(7),
                    },
                );
            }
        }
        let disputed = DisputedContract::of(journal.contract_state(cast.staged)).unwrap();
        journal.dispute(
            cast.dispute,
            DisputeCommand::Open {
                dispute_id: cast.dispute,
                contract: disputed,
                sequence: None,
                reason: "Only 30 of 100 records".to_owned(),
                by: by(cast.alice),
                at: at(9),
            },
            by(cast.alice),
        );
        let evidence = errand_aggregates::dispute::Evidence::parse("url", "https://e/1").unwrap();
        journal.dispute(
            cast.dispute,
            DisputeCommand::SubmitEvidence {
                evidence,
                by: by(cast.agent),
                at: at(10),
            },
            by(cast.agent),
        );
        let admin = errand_aggregates::actor::Caller {
            role: errand_aggregates::actor::Role::Admin,
            ..by(cast.admin)
        };
        journal.dispute(
            cast.dispute,
            DisputeCommand::Resolve {
                resolution: Resolution::split(50).unwrap(),
                note: Some("Half usable".to_owned()),
                by: admin,
                at: at(11),
            },
            admin,
        );
        cast
    }

    #[tokio::test]
    async fn a_contracts_row_follows_its_money_status_and_chain() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let cast = humai_story(&mut journal);
        db.apply(&Contracts, &journal.take()).await;

        let whole = ContractRow::find(&mut db.conn, &cast.whole.to_string())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(whole.status, "completed");
        assert_eq!(
            (whole.price_cents, whole.fee_cents, whole.payout_cents),
            (7_500, 750, 6_750)
        );
        assert_eq!((whole.held_cents, whole.captured_cents), (0, 7_500));
        assert_eq!(whole.subcontracted_cents, 3_000);
        assert_eq!(whole.on_time, Some(true));
        assert_eq!(whole.output_data.as_deref(), Some(r#"{"part":0}"#));
        assert_eq!(
            whole.sla_due_at_us,
            Some(micros(at(2)) + 24 * 3_600_000_000)
        );

        let child = ContractRow::find(&mut db.conn, &cast.child.to_string())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(child.depth, 1);
        assert_eq!(child.root_id, cast.whole.to_string());
        assert_eq!(child.parent_id, Some(cast.whole.to_string()));
        assert_eq!(
            (child.buyer.clone(), child.buyer_kind.as_str()),
            (cast.agent.to_string(), "agent")
        );
        assert_eq!(child.status, "pending_payment");

        let staged = ContractRow::find(&mut db.conn, &cast.staged.to_string())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(staged.status, "resolved");
        // Milestone 1: $40 captured. Milestone 2's $60 split: $30 captured, $30 back.
        assert_eq!(
            (
                staged.held_cents,
                staged.captured_cents,
                staged.refunded_cents
            ),
            (0, 7_000, 3_000)
        );
        assert_eq!(staged.dispute_id, Some(cast.dispute.to_string()));

        let milestones: Vec<MilestoneRow> = all_rows(&mut db.conn).await;
        let statuses: Vec<_> = milestones
            .iter()
            .map(|m| {
                (
                    m.sequence,
                    m.status.as_str(),
                    m.paid_cents,
                    m.refunded_cents,
                )
            })
            .collect();
        assert_eq!(
            statuses,
            [
                (1, "accepted", Some(4_000), Some(0)),
                (2, "resolved", Some(3_000), Some(3_000))
            ]
        );
        assert_eq!(
            milestones[1].due_at_us,
            Some(micros(at(7)) + 48 * 3_600_000_000)
        );
    }

    #[tokio::test]
    async fn the_humai_views_do_not_depend_on_where_batches_begin_and_end() {
        let mut journal = TestJournal::default();
        humai_story(&mut journal);
        let events = journal.take();
        let mut snapshots = Vec::new();
        for batch_size in [1, 3, events.len()] {
            let mut db = TestDb::new().await;
            for batch in events.chunks(batch_size) {
                for projection in [
                    crate::ReadModel::Contracts(Contracts),
                    crate::ReadModel::Disputes(crate::Disputes),
                    crate::ReadModel::Timers(crate::Timers),
                ] {
                    db.apply(&projection, batch).await;
                }
            }
            snapshots.push((
                all_rows::<ContractRow>(&mut db.conn).await,
                all_rows::<MilestoneRow>(&mut db.conn).await,
                all_rows::<crate::disputes::DisputeRow>(&mut db.conn).await,
                all_rows::<crate::disputes::EvidenceRow>(&mut db.conn).await,
                all_rows::<crate::Timer>(&mut db.conn).await,
            ));
        }
        assert_eq!(snapshots[0].0.len(), 3);
        assert_eq!(snapshots[0].2.len(), 1);
        assert!(snapshots.iter().all(|s| s == &snapshots[0]));
    }
}
