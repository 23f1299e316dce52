//! Humai's shapes of a transaction (a `Contract`), its milestones and its
//! disputes: dollars as numbers from exact cents, times RFC 3339 in UTC.

use super::amounts::shown;
use super::errors::HumaiError;
use super::views::time;
use errand_aggregates::contract::{Contract, Milestone};
use errand_aggregates::dispute::Dispute;
use errand_aggregates::ids::{ContractId, DisputeId, ListingId};
use errand_aggregates::money::Money;
use serde_json::{json, Value};

/// A transaction id as sent; anything but a UUID is a validation error.
pub fn contract_id(field: &str, text: &str) -> Result<ContractId, HumaiError> {
    ContractId::parse(text.trim())
        .ok_or_else(|| HumaiError::validation(format!("{field} must be a UUID")))
}

pub fn listing_id(text: &str) -> Result<ListingId, HumaiError> {
    ListingId::parse(text.trim()).ok_or_else(|| HumaiError::validation("listing_id must be a UUID"))
}

pub fn dispute_id(text: &str) -> Result<DisputeId, HumaiError> {
    DisputeId::parse(text.trim()).ok_or_else(|| HumaiError::validation("dispute_id must be a UUID"))
}

/// A milestone's sequence as sent: 1 and up.
pub fn sequence(sequence: i64) -> Result<u32, HumaiError> {
    u32::try_from(sequence)
        .ok()
        .filter(|sequence| *sequence >= 1)
        .ok_or_else(|| HumaiError::validation("sequence is a milestone number, 1 and up"))
}

fn usd(money: Money) -> Value {
    shown(money)
}

pub fn milestone_json(milestone: &Milestone) -> Value {
    json!({
        "sequence": milestone.sequence,
        "title": milestone.spec.title,
        "pct_of_total": milestone.spec.pct_of_total,
        "amount_usd": usd(milestone.amount),
        "sla_hours": milestone.spec.sla_hours,
        "status": milestone.status.as_str(),
        "due_at": milestone.due_at.map(time),
        "review_due_at": milestone.review_due_at.map(time),
    })
}

/// A transaction as its parties see it.
pub fn transaction_json(contract: &Contract) -> Value {
    json!({
        "transaction_id": contract.id,
        "status": contract.status.as_str(),
        "listing_id": contract.listing_id,
        "bid_id": contract.bid_id,
        "buyer_id": contract.buyer.as_ref().map(|party| party.actor),
        "seller_id": contract.seller.as_ref().map(|party| party.actor),
        "price_usd": usd(contract.price),
        "platform_fee_usd": usd(contract.platform_fee),
        "seller_payout_usd": usd(contract.seller_payout),
        "escrow_held_usd": usd(Money {
            cents: contract.held_cents,
            currency: contract.price.currency,
        }),
        "chain_depth": contract.depth,
        "parent_transaction_id": contract.parent,
        "root_transaction_id": contract.root,
        "sla_hours": contract.sla_hours,
        "sla_deadline": contract.sla_due_at.map(time),
        "review_deadline": contract.review_due_at.map(time),
        "dispute_id": contract.open_dispute,
        "milestones": contract.milestones.iter().map(milestone_json).collect::<Vec<_>>(),
        "created_at": contract.opened_at.map(time),
    })
}

/// A dispute, with its transaction's status after it.
pub fn dispute_json(dispute: &Dispute, contract: &Contract) -> Value {
    let evidence: Vec<Value> = dispute
        .evidence
        .iter()
        .zip(1u32..)
        .map(|((by, evidence), number)| {
            json!({
                "number": number,
                "submitted_by": by,
                "evidence_type": evidence.evidence_type,
                "content": evidence.content,
            })
        })
        .collect();
    json!({
        "dispute_id": dispute.id,
        "transaction_id": dispute.contract.map(|c| c.contract_id),
        "sequence": dispute.sequence,
        "opened_by": dispute.opened_by,
        "reason": dispute.reason,
        "status": if dispute.resolution.is_some() { "resolved" } else { "open" },
        "resolution": dispute.resolution.map(|r| r.as_str()),
        "evidence": evidence,
        "transaction_status": contract.status.as_str(),
        "escrow_held_usd": usd(Money {
            cents: contract.held_cents,
            currency: contract.price.currency,
        }),
        "created_at": dispute.opened_at.map(time),
    })
}
