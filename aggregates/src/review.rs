//! `Review` (`review-<contract>-<kind>-<reviewer>`): what one party of a
//! completed Humai transaction says of the other. Two kinds share the
//! rules: a review (`reviews-create`) and an endorsement
//! (`endorsements-create`). The stream is per transaction, kind and
//! reviewer, so each side leaves at most one of each, decided race-free on
//! the stream's own version; the contract is loaded beside it and not
//! appended to.

use crate::actor::Caller;
use crate::aggregate::{Aggregate, DomainEvent};
use crate::contract::{Contract, ContractStatus};
use crate::error::{Decided, DomainError, RuleKind};
use crate::ids::{ActorId, ContractId, ListingId};
use crate::mode::Mode;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// A review is a paragraph or two, like a listing's description.
pub const CONTENT_MAX_CHARS: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewKind {
    Review,
    Endorsement,
}

impl ReviewKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewKind::Review => "review",
            ReviewKind::Endorsement => "endorsement",
        }
    }
}

/// Stars, 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Rating(u8);

impl Rating {
    pub fn parse(stars: i64) -> Result<Rating, DomainError> {
        u8::try_from(stars)
            .ok()
            .filter(|stars| (1..=5).contains(stars))
            .map(Rating)
            .ok_or_else(|| DomainError::invalid("rating is 1 to 5"))
    }

    pub fn stars(self) -> u8 {
        self.0
    }
}

/// What a review needs to know of its transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewedContract {
    pub contract_id: ContractId,
    pub listing_id: ListingId,
    pub mode: Mode,
    pub buyer: ActorId,
    pub seller: ActorId,
    pub completed: bool,
}

impl ReviewedContract {
    pub fn of(contract: &Contract) -> Result<ReviewedContract, DomainError> {
        match (
            contract.id,
            contract.listing_id,
            &contract.buyer,
            &contract.seller,
        ) {
            (Some(contract_id), Some(listing_id), Some(buyer), Some(seller)) => {
                Ok(ReviewedContract {
                    contract_id,
                    listing_id,
                    mode: contract.mode,
                    buyer: buyer.actor,
                    seller: seller.actor,
                    completed: contract.status == ContractStatus::Completed,
                })
            }
            _ => Err(DomainError::NotFound("transaction")),
        }
    }

    /// The other side of `actor`, if `actor` is a side.
    fn counterparty(&self, actor: ActorId) -> Option<ActorId> {
        if actor == self.buyer {
            Some(self.seller)
        } else if actor == self.seller {
            Some(self.buyer)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReviewCommand {
    Leave {
        kind: ReviewKind,
        contract: ReviewedContract,
        /// The actor named (an endorsement's `actor_id`): must be the other side.
        subject: Option<ActorId>,
        rating: Rating,
        content: String,
        by: Caller,
        at: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ReviewEvent {
    ReviewLeft {
        kind: ReviewKind,
        contract_id: ContractId,
        listing_id: ListingId,
        mode: Mode,
        reviewer: ActorId,
        reviewed: ActorId,
        rating: Rating,
        content: String,
        at: Timestamp,
    },
}

impl DomainEvent for ReviewEvent {
    fn event_type(&self) -> &'static str {
        match self {
            ReviewEvent::ReviewLeft { .. } => "ReviewLeft",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub kind: Option<ReviewKind>,
    pub reviewer: Option<ActorId>,
    pub reviewed: Option<ActorId>,
    pub rating: Option<Rating>,
}

/// The stream of `reviewer`'s `kind` on `contract_id`.
pub fn review_stream(contract_id: ContractId, kind: ReviewKind, reviewer: ActorId) -> String {
    format!("review-{contract_id}-{}-{reviewer}", kind.as_str())
}

impl Aggregate for Review {
    const STREAM_PREFIX: &'static str = "review";
    type Command = ReviewCommand;
    type Event = ReviewEvent;

    fn decide(&self, command: &ReviewCommand) -> Decided<ReviewEvent> {
        let ReviewCommand::Leave {
            kind,
            contract,
            subject,
            rating,
            content,
            by,
            at,
        } = command;
        by.ensure_not_banned()?;
        let Some(reviewed) = contract.counterparty(by.actor) else {
            return Err(DomainError::forbidden(
                "only the buyer or the seller of a transaction may review it",
            ));
        };
        if self.kind.is_some() {
            return Err(DomainError::rule(
                RuleKind::Conflict,
                "already_reviewed",
                format!("you already left a {} on this transaction", kind.as_str()),
            ));
        }
        if !contract.completed {
            return Err(DomainError::rule(
                RuleKind::Conflict,
                "transaction_not_completed",
                "only a completed transaction is reviewed",
            ));
        }
        if subject.is_some_and(|subject| subject != reviewed) {
            return Err(DomainError::invalid(
                "actor_id must be the other party of the transaction",
            ));
        }
        let content = content.trim();
        if content.is_empty()
            || content.chars().count() > CONTENT_MAX_CHARS
            || content.contains('\0')
        {
            return Err(DomainError::invalid(format!(
                "content is 1 to {CONTENT_MAX_CHARS} characters, without NUL"
            )));
        }
        Ok(vec![ReviewEvent::ReviewLeft {
            kind: *kind,
            contract_id: contract.contract_id,
            listing_id: contract.listing_id,
            mode: contract.mode,
            reviewer: by.actor,
            reviewed,
            rating: *rating,
            content: content.to_owned(),
            at: *at,
        }])
    }

    fn apply(&mut self, event: &ReviewEvent) {
        let ReviewEvent::ReviewLeft {
            kind,
            reviewer,
            reviewed,
            rating,
            ..
        } = event;
        *self = Review {
            kind: Some(*kind),
            reviewer: Some(*reviewer),
            reviewed: Some(*reviewed),
            rating: Some(*rating),
        };
    }
}

crate::cqrs_aggregate!(Review);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::{Role, Standing};
    use chrono::{TimeZone, Utc};
    use cqrs_es::test::TestFramework;
    use uuid::Uuid;

    const BUYER: ActorId = ActorId(Uuid::from_u128(1));
    const SELLER: ActorId = ActorId(Uuid::from_u128(2));
    const OTHER: ActorId = ActorId(Uuid::from_u128(3));

    fn at() -> Timestamp {
        Utc.with_ymd_and_hms(2026, 3, 20, 12, 0, 0).unwrap()
    }

    fn contract(completed: bool) -> ReviewedContract {
        ReviewedContract {
            contract_id: ContractId(Uuid::from_u128(0xc)),
            listing_id: ListingId(Uuid::from_u128(0x1)),
            mode: Mode::Live,
            buyer: BUYER,
            seller: SELLER,
            completed,
        }
    }

    fn leave(by: ActorId, completed: bool, subject: Option<ActorId>) -> ReviewCommand {
        ReviewCommand::Leave {
            kind: ReviewKind::Review,
            contract: contract(completed),
            subject,
            rating: Rating::parse(5).unwrap(),
            content: " Excellent work ".into(),
            by: Caller {
                actor: by,
                role: Role::Human,
                standing: Standing::Active,
            },
            at: at(),
        }
    }

    fn left() -> ReviewEvent {
        ReviewEvent::ReviewLeft {
            kind: ReviewKind::Review,
            contract_id: ContractId(Uuid::from_u128(0xc)),
            listing_id: ListingId(Uuid::from_u128(0x1)),
            mode: Mode::Live,
            reviewer: BUYER,
            reviewed: SELLER,
            rating: Rating::parse(5).unwrap(),
            content: "Excellent work".into(),
            at: at(),
        }
    }

    #[test]
    fn the_buyer_reviews_the_seller_of_a_completed_transaction() {
        TestFramework::<Review>::with(())
            .given_no_previous_events()
            .when(leave(BUYER, true, None))
            .then_expect_events(vec![left()]);
    }

    #[test]
    fn a_side_reviews_once() {
        let mut reviewed = Review::default();
        reviewed.apply(&left());
        assert!(matches!(
            reviewed.decide(&leave(BUYER, true, None)),
            Err(DomainError::Rule {
                code: "already_reviewed",
                ..
            })
        ));
        // The other side still may.
        assert!(Review::default().decide(&leave(SELLER, true, None)).is_ok());
    }

    #[test]
    fn an_unfinished_transaction_an_outsider_or_the_wrong_subject_is_refused() {
        let result = |command| Review::default().decide(&command);
        assert!(matches!(
            result(leave(BUYER, false, None)),
            Err(DomainError::Rule {
                code: "transaction_not_completed",
                ..
            })
        ));
        assert!(matches!(
            result(leave(OTHER, true, None)),
            Err(DomainError::Forbidden(_))
        ));
        assert!(matches!(
            result(leave(SELLER, true, Some(SELLER))),
            Err(DomainError::Invalid(_))
        ));
        assert!(Rating::parse(0).is_err() && Rating::parse(6).is_err());
    }
}
