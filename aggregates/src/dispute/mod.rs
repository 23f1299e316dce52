//! `Dispute` (`dispute-<id>`): a disagreement over a contract's delivery,
//! its evidence, and an admin's resolution.
//!
//! Opening a dispute and resolving it change the contract too, in the same
//! append: the dispute decides first (who may open, evidence, only an admin
//! resolves), then [`contract_command`] says what the contract must decide
//! (`Dispute`: delivered → disputed, the hold kept; `SettleDispute`: the
//! stake captured for the seller, released to the buyer, or split), and the
//! contract's [`crate::contract::account_commands`] what the buyer's account
//! must. Humai's `transactions-dispute`, `milestones-dispute` and
//! `disputes-create` are all this one opening.

mod resolution;
#[cfg(test)]
mod tests;

pub use resolution::Resolution;

use crate::actor::Caller;
use crate::aggregate::{Aggregate, DomainEvent};
use crate::contract::{Contract, ContractCommand};
use crate::error::{Decided, DomainError};
use crate::ids::{ActorId, ContractId, DisputeId};
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// Pieces of evidence per dispute: enough for a case, bounded so the
/// dispute's state and its evidence list stay small.
pub const EVIDENCE_MAX: usize = 20;
/// A piece of evidence is a link or a short statement, like a message.
pub const EVIDENCE_CONTENT_MAX_CHARS: usize = 4_000;
/// An evidence type is a word (`screenshot`, `log`, `url`).
pub const EVIDENCE_TYPE_MAX_CHARS: usize = 40;

/// What the dispute needs to know of its contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputedContract {
    pub contract_id: ContractId,
    pub buyer: ActorId,
    pub seller: ActorId,
    /// The milestone awaiting review, if any: what a dispute naming no
    /// milestone is about (the contract decides the same).
    pub milestone_in_review: Option<u32>,
}

impl DisputedContract {
    pub fn of(contract: &Contract) -> Result<DisputedContract, DomainError> {
        match (contract.id, &contract.buyer, &contract.seller) {
            (Some(contract_id), Some(buyer), Some(seller)) => Ok(DisputedContract {
                contract_id,
                buyer: buyer.actor,
                seller: seller.actor,
                milestone_in_review: contract.milestone_in_review().map(|m| m.sequence),
            }),
            _ => Err(DomainError::NotFound("transaction")),
        }
    }

    fn is_party(&self, actor: ActorId) -> bool {
        actor == self.buyer || actor == self.seller
    }
}

/// One piece of evidence, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub evidence_type: String,
    pub content: String,
}

impl Evidence {
    /// The type: a lower-case word of letters, digits and `_`; the content:
    /// 1 to `EVIDENCE_CONTENT_MAX_CHARS` characters without NUL.
    pub fn parse(evidence_type: &str, content: &str) -> Result<Evidence, DomainError> {
        let evidence_type = evidence_type.trim().to_ascii_lowercase();
        let word = !evidence_type.is_empty()
            && evidence_type.len() <= EVIDENCE_TYPE_MAX_CHARS
            && evidence_type
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !word {
            return Err(DomainError::invalid(format!(
                "evidence_type is a word of 1 to {EVIDENCE_TYPE_MAX_CHARS} letters, digits or _"
            )));
        }
        let content = content.trim();
        if content.is_empty()
            || content.chars().count() > EVIDENCE_CONTENT_MAX_CHARS
            || content.contains('\0')
        {
            return Err(DomainError::invalid(format!(
                "evidence content is 1 to {EVIDENCE_CONTENT_MAX_CHARS} characters, without NUL"
            )));
        }
        Ok(Evidence {
            evidence_type,
            content: content.to_owned(),
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum DisputeCommand {
    Open {
        dispute_id: DisputeId,
        contract: DisputedContract,
        /// The milestone disputed, as the opener named it; none for the whole
        /// delivery or for "whichever milestone awaits review".
        sequence: Option<u32>,
        reason: String,
        by: Caller,
        at: Timestamp,
    },
    SubmitEvidence {
        evidence: Evidence,
        by: Caller,
        at: Timestamp,
    },
    Resolve {
        resolution: Resolution,
        note: Option<String>,
        by: Caller,
        at: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum DisputeEvent {
    DisputeOpened {
        dispute_id: DisputeId,
        contract_id: ContractId,
        buyer: ActorId,
        seller: ActorId,
        /// The milestone disputed: the one named, or else the one awaiting
        /// review; none for a contract without milestones.
        sequence: Option<u32>,
        opened_by: ActorId,
        reason: String,
        at: Timestamp,
    },
    EvidenceSubmitted {
        /// 1-based, in the order submitted.
        number: u32,
        submitted_by: ActorId,
        evidence: Evidence,
        at: Timestamp,
    },
    DisputeResolved {
        resolution: Resolution,
        note: Option<String>,
        resolved_by: ActorId,
        at: Timestamp,
    },
}

impl DomainEvent for DisputeEvent {
    fn event_type(&self) -> &'static str {
        match self {
            DisputeEvent::DisputeOpened { .. } => "DisputeOpened",
            DisputeEvent::EvidenceSubmitted { .. } => "EvidenceSubmitted",
            DisputeEvent::DisputeResolved { .. } => "DisputeResolved",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dispute {
    pub id: Option<DisputeId>,
    pub contract: Option<DisputedContract>,
    /// The milestone disputed; none for a contract without milestones.
    pub sequence: Option<u32>,
    pub opened_by: Option<ActorId>,
    pub reason: String,
    pub evidence: Vec<(ActorId, Evidence)>,
    pub resolution: Option<Resolution>,
    pub opened_at: Option<Timestamp>,
}

impl Dispute {
    pub fn is_open(&self) -> bool {
        self.id.is_some() && self.resolution.is_none()
    }

    fn ensure_open(&self) -> Result<&DisputedContract, DomainError> {
        let contract = self
            .contract
            .as_ref()
            .ok_or(DomainError::NotFound("dispute"))?;
        if self.resolution.is_some() {
            return Err(DomainError::conflict("the dispute is already resolved"));
        }
        Ok(contract)
    }
}

impl Aggregate for Dispute {
    const STREAM_PREFIX: &'static str = "dispute";
    type Command = DisputeCommand;
    type Event = DisputeEvent;

    fn decide(&self, command: &DisputeCommand) -> Decided<DisputeEvent> {
        match command {
            DisputeCommand::Open {
                dispute_id,
                contract,
                sequence,
                reason,
                by,
                at,
            } => {
                if self.id.is_some() {
                    return Err(DomainError::conflict("this dispute already exists"));
                }
                by.ensure_not_banned()?;
                if !contract.is_party(by.actor) {
                    return Err(DomainError::forbidden(
                        "only the buyer or the seller may dispute a transaction",
                    ));
                }
                Ok(vec![DisputeEvent::DisputeOpened {
                    dispute_id: *dispute_id,
                    contract_id: contract.contract_id,
                    buyer: contract.buyer,
                    seller: contract.seller,
                    sequence: sequence.or(contract.milestone_in_review),
                    opened_by: by.actor,
                    reason: crate::policy::audited_reason(reason)?,
                    at: *at,
                }])
            }
            DisputeCommand::SubmitEvidence { evidence, by, at } => {
                let contract = self.ensure_open()?;
                by.ensure_not_banned()?;
                if !contract.is_party(by.actor) && !by.is_admin() {
                    return Err(DomainError::forbidden(
                        "only the dispute's parties or an admin may submit evidence",
                    ));
                }
                if self.evidence.len() >= EVIDENCE_MAX {
                    return Err(DomainError::limit_exceeded(format!(
                        "a dispute holds at most {EVIDENCE_MAX} pieces of evidence"
                    )));
                }
                Ok(vec![DisputeEvent::EvidenceSubmitted {
                    // ≤ EVIDENCE_MAX, so it fits.
                    number: self.evidence.len() as u32 + 1,
                    submitted_by: by.actor,
                    evidence: evidence.clone(),
                    at: *at,
                }])
            }
            DisputeCommand::Resolve {
                resolution,
                note,
                by,
                at,
            } => {
                self.ensure_open()?;
                by.ensure_not_banned()?;
                if !by.is_admin() {
                    return Err(DomainError::forbidden(
                        "only an admin may resolve a dispute",
                    ));
                }
                let note = note
                    .as_deref()
                    .map(str::trim)
                    .filter(|note| !note.is_empty())
                    .map(crate::policy::audited_reason)
                    .transpose()?;
                Ok(vec![DisputeEvent::DisputeResolved {
                    resolution: *resolution,
                    note,
                    resolved_by: by.actor,
                    at: *at,
                }])
            }
        }
    }

    fn apply(&mut self, event: &DisputeEvent) {
        match event {
            DisputeEvent::DisputeOpened {
                dispute_id,
                contract_id,
                buyer,
                seller,
                sequence,
                opened_by,
                reason,
                at,
            } => {
                self.id = Some(*dispute_id);
                self.contract = Some(DisputedContract {
                    contract_id: *contract_id,
                    buyer: *buyer,
                    seller: *seller,
                    milestone_in_review: *sequence,
                });
                self.sequence = *sequence;
                self.opened_by = Some(*opened_by);
                self.reason = reason.clone();
                self.opened_at = Some(*at);
            }
            DisputeEvent::EvidenceSubmitted {
                submitted_by,
                evidence,
                ..
            } => self.evidence.push((*submitted_by, evidence.clone())),
            DisputeEvent::DisputeResolved { resolution, .. } => {
                self.resolution = Some(*resolution);
            }
        }
    }
}

crate::cqrs_aggregate!(Dispute);

/// The contract's command a dispute's new events imply, to be decided with
/// them in one append. `dispute` is the state the events were decided on,
/// `by` the caller who asked for them (the opener decides the contract's
/// side too: the contract checks they are its buyer or seller).
pub fn contract_command(
    dispute: &Dispute,
    events: &[DisputeEvent],
    by: &Caller,
) -> Option<(ContractId, ContractCommand)> {
    events.iter().find_map(|event| match event {
        DisputeEvent::DisputeOpened {
            dispute_id,
            contract_id,
            sequence,
            reason,
            at,
            ..
        } => Some((
            *contract_id,
            ContractCommand::Dispute {
                by: *by,
                dispute_id: *dispute_id,
                sequence: *sequence,
                reason: reason.clone(),
                at: *at,
            },
        )),
        DisputeEvent::DisputeResolved { resolution, at, .. } => {
            let (Some(dispute_id), Some(contract)) = (dispute.id, dispute.contract) else {
                return None;
            };
            Some((
                contract.contract_id,
                ContractCommand::SettleDispute {
                    dispute_id,
                    resolution: *resolution,
                    at: *at,
                },
            ))
        }
        DisputeEvent::EvidenceSubmitted { .. } => None,
    })
}
