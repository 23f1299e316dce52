//! Humai's webhooks, the domain half: its event names and which ledger event
//! each one is. A Humai endpoint (format `humai`) is sent the events of the
//! transactions and bids its owner is a party to, in the endpoint's mode,
//! that its filter names; never what the owner did themselves when the
//! event says who acted.
//!
//! | Humai event | ledger event | subject |
//! |---|---|---|
//! | `transaction.created` | `ContractOpened` | the contract (buyer and seller) |
//! | `transaction.assigned` | `ContractAssigned` | |
//! | `transaction.delivered` | `DeliverySubmitted` | |
//! | `milestone.delivered` | `MilestoneDelivered` | |
//! | `milestone.accepted` | `MilestoneAccepted` | |
//! | `transaction.accepted` | `ContractCompleted` (every part accepted) | |
//! | `transaction.disputed` | `ContractDisputed` | |
//! | `bid.received` | `BidPlaced` | the bid (bidder and listing owner) |
//! | `bid.countered` | `BidCountered` | |
//! | `bid.accepted` | `BidAccepted` | |
//! | `bid.rejected` | `BidRejected` | |
//! | `reputation.updated` | `ReviewLeft` (a review or an endorsement) | the actor reviewed |
//!
//! The seed's other names (subscriptions, tools, budgets) are accepted in a
//! filter, so a client's registration works as written, and are sent once
//! the features behind them exist.

use crate::bid::BidEvent;
use crate::contract::ContractEvent;
use crate::event::Event;
use crate::ids::{ActorId, BidId, ContractId};
use crate::mode::Mode;
use crate::review::ReviewEvent;
use crate::Timestamp;

/// Every Humai event name, as the seed lists them.
pub const EVENT_NAMES: &[&str] = &[
    "transaction.created",
    "transaction.assigned",
    "transaction.delivered",
    "transaction.accepted",
    "transaction.disputed",
    "bid.received",
    "bid.accepted",
    "bid.rejected",
    "bid.countered",
    "subscription.created",
    "subscription.canceled",
    "tool.usage_overage",
    "tool.sla_breach",
    "reputation.updated",
    "budget.exhausted",
    "budget.delegation_created",
    "milestone.delivered",
    "milestone.accepted",
];

/// What a Humai event is about: whose parties hear it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Contract(ContractId),
    Bid(BidId),
    /// An actor's reputation: heard by that actor alone, in its mode.
    Reputation {
        actor: ActorId,
        mode: Mode,
    },
}

/// Who did what an event records, as far as the event tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Named(ActorId),
    /// Only a bid's listing owner counters it.
    ListingOwner,
    /// The event does not say (a timer, either party).
    Unknown,
}

/// A ledger event Humai sends, and to whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trigger {
    pub name: &'static str,
    pub subject: Subject,
    pub actor: Actor,
    pub at: Timestamp,
}

fn stream_uuid(stream_id: &str, prefix: &str) -> Option<uuid::Uuid> {
    uuid::Uuid::parse_str(stream_id.strip_prefix(prefix)?).ok()
}

/// Which Humai event `event` (on `stream_id`) is, if any.
pub fn trigger(stream_id: &str, event: &Event) -> Option<Trigger> {
    match event {
        Event::Contract(event) => {
            let contract = Subject::Contract(ContractId(stream_uuid(stream_id, "contract-")?));
            let (name, actor, at) = match event {
                ContractEvent::ContractOpened { buyer, at, .. } => {
                    ("transaction.created", Actor::Named(buyer.actor), at)
                }
                ContractEvent::ContractAssigned { by, at, .. } => {
                    ("transaction.assigned", Actor::Named(*by), at)
                }
                ContractEvent::DeliverySubmitted { at, .. } => {
                    ("transaction.delivered", Actor::Unknown, at)
                }
                ContractEvent::MilestoneDelivered { at, .. } => {
                    ("milestone.delivered", Actor::Unknown, at)
                }
                ContractEvent::MilestoneAccepted { at, .. } => {
                    ("milestone.accepted", Actor::Unknown, at)
                }
                ContractEvent::ContractCompleted { at, .. } => {
                    ("transaction.accepted", Actor::Unknown, at)
                }
                ContractEvent::ContractDisputed { by, at, .. } => {
                    ("transaction.disputed", Actor::Named(*by), at)
                }
                _ => return None,
            };
            Some(Trigger {
                name,
                subject: contract,
                actor,
                at: *at,
            })
        }
        Event::Bid(event) => {
            let bid = Subject::Bid(BidId(stream_uuid(stream_id, "bid-")?));
            let (name, actor, at) = match event {
                BidEvent::BidPlaced { bidder, at, .. } => {
                    ("bid.received", Actor::Named(*bidder), at)
                }
                BidEvent::BidCountered { at, .. } => ("bid.countered", Actor::ListingOwner, at),
                BidEvent::BidAccepted { by, at, .. } => ("bid.accepted", Actor::Named(*by), at),
                BidEvent::BidRejected { by, at, .. } => ("bid.rejected", Actor::Named(*by), at),
                _ => return None,
            };
            Some(Trigger {
                name,
                subject: bid,
                actor,
                at: *at,
            })
        }
        Event::Review(ReviewEvent::ReviewLeft {
            mode,
            reviewer,
            reviewed,
            at,
            ..
        }) => Some(Trigger {
            name: "reputation.updated",
            subject: Subject::Reputation {
                actor: *reviewed,
                mode: *mode,
            },
            actor: Actor::Named(*reviewer),
            at: *at,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ListingId;
    use crate::money::Money;
    use crate::task::TaskEvent;
    use uuid::Uuid;

    const CONTRACT: ContractId = ContractId(Uuid::from_u128(0xc0));
    const BID: BidId = BidId(Uuid::from_u128(0xb1));
    const BUYER: ActorId = ActorId(Uuid::from_u128(1));
    const SELLER: ActorId = ActorId(Uuid::from_u128(2));

    fn at() -> Timestamp {
        chrono::DateTime::UNIX_EPOCH
    }

    fn contract_stream() -> String {
        format!("contract-{}", CONTRACT.0)
    }

    #[test]
    fn a_contracts_events_are_humais_transaction_events() {
        let assigned = Event::Contract(ContractEvent::ContractAssigned {
            by: SELLER,
            sla_due_at: at(),
            milestone_due_at: None,
            at: at(),
        });
        assert_eq!(
            trigger(&contract_stream(), &assigned),
            Some(Trigger {
                name: "transaction.assigned",
                subject: Subject::Contract(CONTRACT),
                actor: Actor::Named(SELLER),
                at: at(),
            })
        );
        let completed = Event::Contract(ContractEvent::ContractCompleted {
            listing_id: ListingId(Uuid::from_u128(9)),
            buyer: BUYER,
            seller: SELLER,
            price: Money::usd(5_000),
            on_time: true,
            at: at(),
        });
        let accepted = trigger(&contract_stream(), &completed).expect("an event");
        assert_eq!(accepted.name, "transaction.accepted");
        assert_eq!(accepted.actor, Actor::Unknown);
    }

    #[test]
    fn a_review_updates_the_reviewed_actors_reputation() {
        use crate::ids::ListingId;
        use crate::mode::Mode;
        use crate::review::{Rating, ReviewEvent, ReviewKind};
        let left = Event::Review(ReviewEvent::ReviewLeft {
            kind: ReviewKind::Review,
            contract_id: CONTRACT,
            listing_id: ListingId(Uuid::from_u128(0x11)),
            mode: Mode::Live,
            reviewer: BUYER,
            reviewed: SELLER,
            rating: Rating::parse(5).unwrap(),
            content: "Fast".to_owned(),
            at: at(),
        });
        let updated = trigger("review-x", &left).expect("an event");
        assert_eq!(updated.name, "reputation.updated");
        assert_eq!(
            updated.subject,
            Subject::Reputation {
                actor: SELLER,
                mode: Mode::Live
            }
        );
        assert_eq!(updated.actor, Actor::Named(BUYER));
    }

    #[test]
    fn a_bids_answers_are_humais_bid_events() {
        let rejected = Event::Bid(BidEvent::BidRejected {
            bid_id: BID,
            by: BUYER,
            at: at(),
        });
        let stream = format!("bid-{}", BID.0);
        assert_eq!(
            trigger(&stream, &rejected),
            Some(Trigger {
                name: "bid.rejected",
                subject: Subject::Bid(BID),
                actor: Actor::Named(BUYER),
                at: at(),
            })
        );
        let expired = Event::Bid(BidEvent::BidExpired {
            bid_id: BID,
            at: at(),
        });
        assert_eq!(trigger(&stream, &expired), None);
    }

    #[test]
    fn other_events_and_misnamed_streams_are_no_humai_event() {
        let expired = Event::Task(TaskEvent::TaskExpired { at: at() });
        assert_eq!(trigger("task-1", &expired), None);
        let rejected = Event::Bid(BidEvent::BidRejected {
            bid_id: BID,
            by: BUYER,
            at: at(),
        });
        assert_eq!(trigger("bid-not-a-uuid", &rejected), None);
    }

    #[test]
    fn every_name_sent_is_one_a_filter_may_list() {
        for name in [
            "transaction.created",
            "transaction.assigned",
            "transaction.delivered",
            "milestone.delivered",
            "milestone.accepted",
            "transaction.accepted",
            "transaction.disputed",
            "bid.received",
            "bid.countered",
            "bid.accepted",
            "bid.rejected",
        ] {
            assert!(EVENT_NAMES.contains(&name), "{name}");
        }
        assert_eq!(EVENT_NAMES.len(), 18);
    }
}
