//! The two sides of a contract. Self-dealing is judged by owner: a delegated
//! agent acts for the wallet that registered it, and a person is their own
//! owner, so an agent selling to its owner's other agent is still one owner
//! paying itself.

use crate::error::DomainError;
use crate::ids::ActorId;
use serde::{Deserialize, Serialize};

/// An owner wallet address (`0x…` on Humai); 128 covers every chain's
/// address format with room to spare.
pub const OWNER_WALLET_MAX_CHARS: usize = 128;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    Human,
    Agent,
}

impl PartyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PartyKind::Human => "human",
            PartyKind::Agent => "agent",
        }
    }
}

/// Who stands behind an actor's money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Owner {
    /// A person owns themself.
    Actor(ActorId),
    /// A delegated agent's owner wallet, lower-cased: wallet addresses are
    /// case-insensitive (`0xAbC` and `0xabc` are one wallet).
    Wallet(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub actor: ActorId,
    pub kind: PartyKind,
    pub owner: Owner,
}

impl Party {
    pub fn human(actor: ActorId) -> Party {
        Party {
            actor,
            kind: PartyKind::Human,
            owner: Owner::Actor(actor),
        }
    }

    /// A delegated agent and the wallet that owns it.
    pub fn agent(actor: ActorId, owner_wallet: &str) -> Result<Party, DomainError> {
        let wallet = owner_wallet.trim();
        let valid = !wallet.is_empty()
            && wallet.chars().count() <= OWNER_WALLET_MAX_CHARS
            && wallet.chars().all(|c| c.is_ascii_graphic());
        if !valid {
            return Err(DomainError::invalid(format!(
                "an owner wallet is 1 to {OWNER_WALLET_MAX_CHARS} visible ASCII characters"
            )));
        }
        Ok(Party {
            actor,
            kind: PartyKind::Agent,
            owner: Owner::Wallet(wallet.to_ascii_lowercase()),
        })
    }

    /// The same actor, or two actors with one owner.
    pub fn deals_with_itself(&self, other: &Party) -> bool {
        self.actor == other.actor || self.owner == other.owner
    }
}
