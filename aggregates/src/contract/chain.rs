//! Subcontracting chains. A contract's seller may buy part of its work from
//! another seller: a child contract whose buyer is the parent's seller. The
//! rules, with the seed's codes:
//! - depth: the root is 0, a child its parent's + 1, at most
//!   [`MAX_CHAIN_DEPTH`] (`max_chain_depth_exceeded`);
//! - no actor appears twice in a chain (`circular_chain_detected`): each
//!   contract keeps its chain's actors, root first;
//! - no one buys from themself or from an actor with the same owner
//!   (`self_dealing_not_permitted`), in any contract;
//! - a parent's children cost at most its price (`budget_exceeded`).
//!
//! The child decides depth, cycles and self-dealing from a [`ParentLink`]
//! (the parent's state as the bus loaded it); the parent decides the rest
//! when it records the child ([`super::parent_command`]), in the same
//! append, so a parent changed meanwhile fails the append's version check.

use super::{Contract, ContractStatus, Party, PartyKind};
use crate::error::{DomainError, RuleKind};
use crate::ids::{ActorId, ContractId};
use crate::money::Money;
use serde::{Deserialize, Serialize};

/// The seed's limit: a chain deeper than 3 is refused.
pub const MAX_CHAIN_DEPTH: u8 = 3;

/// What a child contract needs to know of its parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentLink {
    pub contract_id: ContractId,
    pub root: ContractId,
    pub depth: u8,
    /// Every actor of the chain down to the parent, root first.
    pub chain_actors: Vec<ActorId>,
}

impl ParentLink {
    /// The link to an opened contract; none to a contract that does not exist.
    pub fn of(parent: &Contract) -> Result<ParentLink, DomainError> {
        let (Some(contract_id), Some(root)) = (parent.id, parent.root) else {
            return Err(DomainError::NotFound("parent transaction"));
        };
        Ok(ParentLink {
            contract_id,
            root,
            depth: parent.depth,
            chain_actors: parent.chain_actors.clone(),
        })
    }
}

/// The seed's `missing_parent_transaction`: an agent buying on Humai does so
/// for work it was hired for, so it names that contract. The HTTP layer
/// calls this for `transactions-create`; contracts opened by accepting a
/// bid on an agent's own buy listing are the agent's own purchase and do
/// not (the seed asks it of `transactions-create` only).
pub fn ensure_parent_named(buyer: &Party, parent: Option<ContractId>) -> Result<(), DomainError> {
    if buyer.kind == PartyKind::Agent && parent.is_none() {
        return Err(DomainError::rule(
            RuleKind::Invalid,
            "missing_parent_transaction",
            "agent buyers must provide parent_transaction_id",
        ));
    }
    Ok(())
}

/// No one sells to themself or to an actor with the same owner.
pub(super) fn ensure_arms_length(buyer: &Party, seller: &Party) -> Result<(), DomainError> {
    if buyer.deals_with_itself(seller) {
        return Err(DomainError::rule(
            RuleKind::Forbidden,
            "self_dealing_not_permitted",
            "buyer and seller share the same owner",
        ));
    }
    Ok(())
}

/// The depth and actors of a new contract's chain.
pub(super) fn extend(
    parent: Option<&ParentLink>,
    buyer: &Party,
    seller: &Party,
) -> Result<(u8, Vec<ActorId>), DomainError> {
    let Some(parent) = parent else {
        return Ok((0, vec![buyer.actor, seller.actor]));
    };
    let depth = parent.depth.saturating_add(1);
    if depth > MAX_CHAIN_DEPTH {
        return Err(DomainError::rule(
            RuleKind::Conflict,
            "max_chain_depth_exceeded",
            format!("subcontracting chain depth would be {depth}; at most {MAX_CHAIN_DEPTH}"),
        ));
    }
    // The buyer is the parent's seller (the parent checks it), so only the
    // seller can be new to the chain.
    if parent.chain_actors.contains(&seller.actor) {
        return Err(DomainError::rule(
            RuleKind::Conflict,
            "circular_chain_detected",
            "the seller already appears in the chain",
        ));
    }
    let mut actors = parent.chain_actors.clone();
    actors.push(seller.actor);
    Ok((depth, actors))
}

/// The parent's part: it is under way, the child's buyer is its seller, and
/// its children together cost at most its price. Every child ever opened
/// counts against the budget, refunded or not: a child's money went back to
/// the parent's seller, not into the parent's price.
pub(super) fn ensure_parent_allows(
    parent: &Contract,
    child_buyer: ActorId,
    child_price: Money,
) -> Result<(), DomainError> {
    if parent.id.is_none() {
        return Err(DomainError::NotFound("parent transaction"));
    }
    if parent.status != ContractStatus::Assigned {
        return Err(DomainError::conflict(format!(
            "only an assigned transaction can be subcontracted; this one is {}",
            parent.status.as_str()
        )));
    }
    if parent.seller.as_ref().map(|s| s.actor) != Some(child_buyer) {
        return Err(DomainError::forbidden(
            "only the parent transaction's seller may subcontract it",
        ));
    }
    let committed = parent.subcontracted_cents.saturating_add(child_price.cents);
    if committed > parent.price.cents {
        return Err(DomainError::rule(
            RuleKind::Invalid,
            "budget_exceeded",
            format!(
                "requested {} cents exceeds the remaining budget of {} cents",
                child_price.cents,
                parent.price.cents - parent.subcontracted_cents
            ),
        ));
    }
    Ok(())
}
