//! `MarketProfile` (`marketprofile-<actor>`): what a Humai actor shows the
//! market beside its `Actor` (whose name is its display name): whether it is
//! a human or a delegated agent, its capability tags and framework, its
//! wallets, bio, specialization and portfolio, and its founding slot if it
//! claimed one. Opened in the registration's append; changed only by its
//! actor.

use super::capabilities::{CapabilityTag, Framework};
use super::external_reputation::{ExternalSignal, SOURCES_MAX};
use super::portfolio::{PortfolioItem, PORTFOLIO_ITEMS_MAX};
use super::wallet::WalletAddress;
use crate::aggregate::{Aggregate, DomainEvent};
use crate::error::{Decided, DomainError};
use crate::ids::ActorId;
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A bio is a paragraph.
pub const BIO_MAX_CHARS: usize = 1000;

/// Humai's two kinds of actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    Human,
    DelegatedAgent,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Human => "human",
            ActorKind::DelegatedAgent => "delegated_agent",
        }
    }

    pub fn parse(text: &str) -> Result<ActorKind, DomainError> {
        match text {
            "human" => Ok(ActorKind::Human),
            "delegated_agent" => Ok(ActorKind::DelegatedAgent),
            other => Err(DomainError::invalid(format!(
                "type {other:?} is not \"human\" or \"delegated_agent\""
            ))),
        }
    }
}

/// The founding slot an actor claimed, and its halvening tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Founding {
    pub slot: u32,
    pub tier: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PortfolioItemId(pub Uuid);

#[derive(Debug, Clone, PartialEq)]
pub enum MarketProfileCommand {
    Open {
        actor_id: ActorId,
        kind: ActorKind,
        capability_tags: Vec<CapabilityTag>,
        framework: Option<Framework>,
        owner_wallet: Option<WalletAddress>,
        agent_address: Option<WalletAddress>,
        founding: Option<Founding>,
        at: Timestamp,
    },
    /// Replaces the capability tags.
    RegisterCapabilities {
        by: ActorId,
        capability_tags: Vec<CapabilityTag>,
        at: Timestamp,
    },
    /// Each part given replaces the one recorded; an empty bio clears it.
    Update {
        by: ActorId,
        bio: Option<String>,
        specialization: Option<Vec<CapabilityTag>>,
        at: Timestamp,
    },
    AddPortfolioItem {
        by: ActorId,
        item_id: PortfolioItemId,
        item: PortfolioItem,
        at: Timestamp,
    },
    UpdatePortfolioItem {
        by: ActorId,
        item_id: PortfolioItemId,
        item: PortfolioItem,
        at: Timestamp,
    },
    RemovePortfolioItem {
        by: ActorId,
        item_id: PortfolioItemId,
        at: Timestamp,
    },
    /// A third party's score the actor brings (`/reputation-import`).
    ImportReputation {
        by: ActorId,
        signal: ExternalSignal,
        at: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum MarketProfileEvent {
    MarketProfileOpened {
        actor_id: ActorId,
        kind: ActorKind,
        capability_tags: Vec<CapabilityTag>,
        framework: Option<Framework>,
        owner_wallet: Option<WalletAddress>,
        agent_address: Option<WalletAddress>,
        founding: Option<Founding>,
        at: Timestamp,
    },
    CapabilitiesRegistered {
        capability_tags: Vec<CapabilityTag>,
        at: Timestamp,
    },
    MarketProfileUpdated {
        bio: Option<String>,
        specialization: Option<Vec<CapabilityTag>>,
        at: Timestamp,
    },
    PortfolioItemAdded {
        item_id: PortfolioItemId,
        item: PortfolioItem,
        at: Timestamp,
    },
    PortfolioItemUpdated {
        item_id: PortfolioItemId,
        item: PortfolioItem,
        at: Timestamp,
    },
    PortfolioItemRemoved {
        item_id: PortfolioItemId,
        at: Timestamp,
    },
    ExternalReputationImported {
        signal: ExternalSignal,
        at: Timestamp,
    },
}

impl DomainEvent for MarketProfileEvent {
    fn event_type(&self) -> &'static str {
        match self {
            MarketProfileEvent::MarketProfileOpened { .. } => "MarketProfileOpened",
            MarketProfileEvent::CapabilitiesRegistered { .. } => "CapabilitiesRegistered",
            MarketProfileEvent::MarketProfileUpdated { .. } => "MarketProfileUpdated",
            MarketProfileEvent::PortfolioItemAdded { .. } => "PortfolioItemAdded",
            MarketProfileEvent::PortfolioItemUpdated { .. } => "PortfolioItemUpdated",
            MarketProfileEvent::PortfolioItemRemoved { .. } => "PortfolioItemRemoved",
            MarketProfileEvent::ExternalReputationImported { .. } => "ExternalReputationImported",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MarketProfile {
    pub actor_id: Option<ActorId>,
    pub kind: Option<ActorKind>,
    pub capability_tags: Vec<CapabilityTag>,
    pub framework: Option<Framework>,
    pub owner_wallet: Option<WalletAddress>,
    pub agent_address: Option<WalletAddress>,
    pub founding: Option<Founding>,
    pub bio: Option<String>,
    pub specialization: Vec<CapabilityTag>,
    /// Ordered by id: ids are UUIDv7, so this is the order they were added.
    pub portfolio: BTreeMap<PortfolioItemId, PortfolioItem>,
    /// Imported signals by source, each with when it was imported.
    #[serde(default)]
    pub external_reputation: BTreeMap<String, (ExternalSignal, Timestamp)>,
    pub opened_at: Option<Timestamp>,
}

impl MarketProfile {
    pub fn exists(&self) -> bool {
        self.actor_id.is_some()
    }

    fn ensure_owner(&self, by: ActorId) -> Result<(), DomainError> {
        match self.actor_id {
            None => Err(DomainError::NotFound("market profile")),
            Some(owner) if owner == by => Ok(()),
            Some(_) => Err(DomainError::forbidden(
                "only the actor themselves may change their market profile",
            )),
        }
    }

    fn ensure_item(&self, item_id: PortfolioItemId) -> Result<(), DomainError> {
        if self.portfolio.contains_key(&item_id) {
            Ok(())
        } else {
            Err(DomainError::NotFound("portfolio item"))
        }
    }
}

/// An empty bio clears it; a bio is at most 1000 characters, without NUL.
fn parse_bio(bio: &str) -> Result<Option<String>, DomainError> {
    let bio = bio.trim();
    if bio.chars().count() > BIO_MAX_CHARS || bio.contains('\0') {
        return Err(DomainError::invalid(format!(
            "bio must be at most {BIO_MAX_CHARS} characters"
        )));
    }
    Ok((!bio.is_empty()).then(|| bio.to_owned()))
}

impl Aggregate for MarketProfile {
    const STREAM_PREFIX: &'static str = "marketprofile";
    type Command = MarketProfileCommand;
    type Event = MarketProfileEvent;

    fn decide(&self, command: &MarketProfileCommand) -> Decided<MarketProfileEvent> {
        match command {
            MarketProfileCommand::Open {
                actor_id,
                kind,
                capability_tags,
                framework,
                owner_wallet,
                agent_address,
                founding,
                at,
            } => {
                if self.exists() {
                    return Err(DomainError::conflict("market profile already opened"));
                }
                Ok(vec![MarketProfileEvent::MarketProfileOpened {
                    actor_id: *actor_id,
                    kind: *kind,
                    capability_tags: capability_tags.clone(),
                    framework: *framework,
                    owner_wallet: owner_wallet.clone(),
                    agent_address: agent_address.clone(),
                    founding: *founding,
                    at: *at,
                }])
            }
            MarketProfileCommand::RegisterCapabilities {
                by,
                capability_tags,
                at,
            } => {
                self.ensure_owner(*by)?;
                Ok(vec![MarketProfileEvent::CapabilitiesRegistered {
                    capability_tags: capability_tags.clone(),
                    at: *at,
                }])
            }
            MarketProfileCommand::Update {
                by,
                bio,
                specialization,
                at,
            } => {
                self.ensure_owner(*by)?;
                let bio = match bio {
                    // `Some(None)` would not survive JSON; an empty string stands for "cleared".
                    Some(text) => Some(parse_bio(text)?.unwrap_or_default()),
                    None => None,
                };
                Ok(vec![MarketProfileEvent::MarketProfileUpdated {
                    bio,
                    specialization: specialization.clone(),
                    at: *at,
                }])
            }
            MarketProfileCommand::AddPortfolioItem {
                by,
                item_id,
                item,
                at,
            } => {
                self.ensure_owner(*by)?;
                if self.portfolio.contains_key(item_id) {
                    return Err(DomainError::conflict("this portfolio item already exists"));
                }
                if self.portfolio.len() >= PORTFOLIO_ITEMS_MAX {
                    return Err(DomainError::limit_exceeded(format!(
                        "a portfolio holds at most {PORTFOLIO_ITEMS_MAX} items; remove one first"
                    )));
                }
                Ok(vec![MarketProfileEvent::PortfolioItemAdded {
                    item_id: *item_id,
                    item: item.clone(),
                    at: *at,
                }])
            }
            MarketProfileCommand::UpdatePortfolioItem {
                by,
                item_id,
                item,
                at,
            } => {
                self.ensure_owner(*by)?;
                self.ensure_item(*item_id)?;
                Ok(vec![MarketProfileEvent::PortfolioItemUpdated {
                    item_id: *item_id,
                    item: item.clone(),
                    at: *at,
                }])
            }
            MarketProfileCommand::RemovePortfolioItem { by, item_id, at } => {
                self.ensure_owner(*by)?;
                self.ensure_item(*item_id)?;
                Ok(vec![MarketProfileEvent::PortfolioItemRemoved {
                    item_id: *item_id,
                    at: *at,
                }])
            }
            MarketProfileCommand::ImportReputation { by, signal, at } => {
                self.ensure_owner(*by)?;
                let new_source = !self.external_reputation.contains_key(&signal.source);
                if new_source && self.external_reputation.len() >= SOURCES_MAX {
                    return Err(DomainError::limit_exceeded(format!(
                        "reputation is imported from at most {SOURCES_MAX} sources"
                    )));
                }
                Ok(vec![MarketProfileEvent::ExternalReputationImported {
                    signal: signal.clone(),
                    at: *at,
                }])
            }
        }
    }

    fn apply(&mut self, event: &MarketProfileEvent) {
        match event {
            MarketProfileEvent::MarketProfileOpened {
                actor_id,
                kind,
                capability_tags,
                framework,
                owner_wallet,
                agent_address,
                founding,
                at,
            } => {
                self.actor_id = Some(*actor_id);
                self.kind = Some(*kind);
                self.capability_tags = capability_tags.clone();
                self.framework = *framework;
                self.owner_wallet = owner_wallet.clone();
                self.agent_address = agent_address.clone();
                self.founding = *founding;
                self.opened_at = Some(*at);
            }
            MarketProfileEvent::CapabilitiesRegistered {
                capability_tags, ..
            } => self.capability_tags = capability_tags.clone(),
            MarketProfileEvent::MarketProfileUpdated {
                bio,
                specialization,
                ..
            } => {
                if let Some(bio) = bio {
                    self.bio = (!bio.is_empty()).then(|| bio.clone());
                }
                if let Some(specialization) = specialization {
                    self.specialization = specialization.clone();
                }
            }
            MarketProfileEvent::PortfolioItemAdded { item_id, item, .. }
            | MarketProfileEvent::PortfolioItemUpdated { item_id, item, .. } => {
                self.portfolio.insert(*item_id, item.clone());
            }
            MarketProfileEvent::PortfolioItemRemoved { item_id, .. } => {
                self.portfolio.remove(item_id);
            }
            MarketProfileEvent::ExternalReputationImported { signal, at } => {
                self.external_reputation
                    .insert(signal.source.clone(), (signal.clone(), *at));
            }
        }
    }
}

crate::cqrs_aggregate!(MarketProfile);

#[cfg(test)]
mod tests {
    use super::*;
    use cqrs_es::test::TestFramework;

    type ProfileTest = TestFramework<MarketProfile>;

    const AGENT: ActorId = ActorId(Uuid::from_u128(0xa9));
    const STRANGER: ActorId = ActorId(Uuid::from_u128(0x57));
    const ITEM: PortfolioItemId = PortfolioItemId(Uuid::from_u128(0x17));

    fn at() -> Timestamp {
        chrono::DateTime::UNIX_EPOCH
    }

    fn tags(names: &[&str]) -> Vec<CapabilityTag> {
        names
            .iter()
            .map(|n| CapabilityTag::parse(n).unwrap())
            .collect()
    }

    fn opened() -> MarketProfileEvent {
        MarketProfileEvent::MarketProfileOpened {
            actor_id: AGENT,
            kind: ActorKind::DelegatedAgent,
            capability_tags: tags(&["data:extraction"]),
            framework: Some(Framework::Langgraph),
            owner_wallet: None,
            agent_address: None,
            founding: Some(Founding { slot: 1, tier: 0 }),
            at: at(),
        }
    }

    fn item(title: &str) -> PortfolioItem {
        PortfolioItem::parse(title, None, Some("task_execution"), None).unwrap()
    }

    fn added(item_id: PortfolioItemId) -> MarketProfileEvent {
        MarketProfileEvent::PortfolioItemAdded {
            item_id,
            item: item("Market analysis"),
            at: at(),
        }
    }

    #[test]
    fn a_registration_opens_the_profile_once() {
        let MarketProfileEvent::MarketProfileOpened {
            actor_id,
            kind,
            capability_tags,
            framework,
            owner_wallet,
            agent_address,
            founding,
            at,
        } = opened()
        else {
            unreachable!()
        };
        let open = MarketProfileCommand::Open {
            actor_id,
            kind,
            capability_tags,
            framework,
            owner_wallet,
            agent_address,
            founding,
            at,
        };
        ProfileTest::with(())
            .given_no_previous_events()
            .when(open.clone())
            .then_expect_events(vec![opened()]);
        ProfileTest::with(())
            .given(vec![opened()])
            .when(open)
            .then_expect_error(DomainError::conflict("market profile already opened"));
    }

    #[test]
    fn the_actor_replaces_its_capability_tags_and_no_one_else_may() {
        let register = |by| MarketProfileCommand::RegisterCapabilities {
            by,
            capability_tags: tags(&["nlp:summarization", "code:python"]),
            at: at(),
        };
        ProfileTest::with(())
            .given(vec![opened()])
            .when(register(AGENT))
            .then_expect_events(vec![MarketProfileEvent::CapabilitiesRegistered {
                capability_tags: tags(&["nlp:summarization", "code:python"]),
                at: at(),
            }]);
        ProfileTest::with(())
            .given(vec![opened()])
            .when(register(STRANGER))
            .then_expect_error(DomainError::forbidden(
                "only the actor themselves may change their market profile",
            ));
        ProfileTest::with(())
            .given_no_previous_events()
            .when(register(AGENT))
            .then_expect_error(DomainError::NotFound("market profile"));
    }

    #[test]
    fn a_bio_is_bounded_and_an_empty_one_clears_it() {
        let update = |bio: &str| MarketProfileCommand::Update {
            by: AGENT,
            bio: Some(bio.to_owned()),
            specialization: None,
            at: at(),
        };
        ProfileTest::with(())
            .given(vec![opened()])
            .when(update(&"x".repeat(BIO_MAX_CHARS + 1)))
            .then_expect_error(DomainError::invalid(format!(
                "bio must be at most {BIO_MAX_CHARS} characters"
            )));
        let mut profile = MarketProfile::fold(&[opened()]);
        for event in profile.decide(&update("  Research  ")).unwrap() {
            profile.apply(&event);
        }
        assert_eq!(profile.bio.as_deref(), Some("Research"));
        for event in profile.decide(&update("")).unwrap() {
            profile.apply(&event);
        }
        assert_eq!(profile.bio, None);
    }

    #[test]
    fn portfolio_items_are_added_updated_and_removed_by_id() {
        let update = MarketProfileCommand::UpdatePortfolioItem {
            by: AGENT,
            item_id: ITEM,
            item: item("Renamed"),
            at: at(),
        };
        ProfileTest::with(())
            .given(vec![opened(), added(ITEM)])
            .when(update.clone())
            .then_expect_events(vec![MarketProfileEvent::PortfolioItemUpdated {
                item_id: ITEM,
                item: item("Renamed"),
                at: at(),
            }]);
        ProfileTest::with(())
            .given(vec![opened()])
            .when(update)
            .then_expect_error(DomainError::NotFound("portfolio item"));
        let remove = MarketProfileCommand::RemovePortfolioItem {
            by: AGENT,
            item_id: ITEM,
            at: at(),
        };
        let profile = MarketProfile::fold(&[
            opened(),
            added(ITEM),
            MarketProfileEvent::PortfolioItemRemoved {
                item_id: ITEM,
                at: at(),
            },
        ]);
        assert!(profile.portfolio.is_empty());
        assert_eq!(
            profile.decide(&remove),
            Err(DomainError::NotFound("portfolio item"))
        );
    }

    #[test]
    fn a_full_portfolio_refuses_another_item() {
        let mut given = vec![opened()];
        given.extend(
            (0..PORTFOLIO_ITEMS_MAX as u128).map(|n| added(PortfolioItemId(Uuid::from_u128(n)))),
        );
        let add = MarketProfileCommand::AddPortfolioItem {
            by: AGENT,
            item_id: PortfolioItemId(Uuid::from_u128(0xffff)),
            item: item("One more"),
            at: at(),
        };
        assert!(matches!(
            MarketProfile::fold(&given).decide(&add),
            Err(DomainError::LimitExceeded(_))
        ));
    }

    fn signal(source: &str, score: &str) -> ExternalSignal {
        ExternalSignal::parse(source, score.parse().unwrap(), "https://proof.example/a").unwrap()
    }

    fn import(by: ActorId, signal: ExternalSignal) -> MarketProfileCommand {
        MarketProfileCommand::ImportReputation {
            by,
            signal,
            at: at(),
        }
    }

    #[test]
    fn an_actor_imports_a_signal_and_a_second_import_from_a_source_replaces_it() {
        ProfileTest::with(())
            .given(vec![opened()])
            .when(import(AGENT, signal("github", "0.85")))
            .then_expect_events(vec![MarketProfileEvent::ExternalReputationImported {
                signal: signal("github", "0.85"),
                at: at(),
            }]);
        let profile = MarketProfile::fold(&[
            opened(),
            MarketProfileEvent::ExternalReputationImported {
                signal: signal("github", "0.85"),
                at: at(),
            },
            MarketProfileEvent::ExternalReputationImported {
                signal: signal("github", "0.9"),
                at: at(),
            },
        ]);
        assert_eq!(profile.external_reputation.len(), 1);
        assert_eq!(
            profile.external_reputation["github"].0,
            signal("github", "0.9")
        );
    }

    #[test]
    fn only_the_actor_imports_and_only_from_so_many_sources() {
        ProfileTest::with(())
            .given(vec![opened()])
            .when(import(STRANGER, signal("github", "0.5")))
            .then_expect_error(DomainError::forbidden(
                "only the actor themselves may change their market profile",
            ));
        let mut given = vec![opened()];
        given.extend(
            (0..SOURCES_MAX).map(|n| MarketProfileEvent::ExternalReputationImported {
                signal: signal(&format!("source{n}"), "0.5"),
                at: at(),
            }),
        );
        let full = MarketProfile::fold(&given);
        assert!(matches!(
            full.decide(&import(AGENT, signal("one-more", "0.5"))),
            Err(DomainError::LimitExceeded(_))
        ));
        // A source already imported may still be refreshed.
        assert!(full
            .decide(&import(AGENT, signal("source0", "0.6")))
            .is_ok());
    }
}
