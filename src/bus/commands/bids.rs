//! Humai's bids on the bus. The bid decides first, on the listing as this
//! unit loaded it; the listing then decides what the bid's events imply
//! (`bid::listing_action`: record, extend, release or award the bid) and,
//! when a bid is accepted, the contract opens on the agreed terms with the
//! buyer's escrow hold — all in one append, so an acceptance never stands
//! without its contract, nor a contract without its hold.

use super::contracts::{open_contract, party_of};
use super::humai::market_profile_stream;
use super::listings::listing_stream;
use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::actor::Caller;
use errand_aggregates::bid::{
    listing_action, AgreedTerms, Bid, BidAction, BidCommand, BidEvent, CounterNote, ScopeNote,
    Terms,
};
use errand_aggregates::contract::{Contract, MilestoneSpec, OpenContract};
use errand_aggregates::fee::FeePolicy;
use errand_aggregates::humai::MarketProfile;
use errand_aggregates::ids::{ActorId, BidId, ContractId, ListingId};
use errand_aggregates::listing::fields::TIER_MAX;
use errand_aggregates::listing::{Listing, ListingCommand, SlaHours, Tier};
use errand_aggregates::mode::Mode;
use errand_aggregates::money::Money;
use errand_aggregates::{DomainError, Timestamp};
use uuid::Uuid;

pub fn bid_stream(bid_id: BidId) -> String {
    format!("bid-{bid_id}")
}

/// What a bid command left: the bid, and the contract its acceptance opened.
#[derive(Debug, Clone)]
pub struct BidOutcome {
    pub bid: Bid,
    pub contract: Option<Contract>,
}

/// What is asked of an existing bid; the bus adds the listing it loaded.
#[derive(Debug, Clone, PartialEq)]
pub enum BidAnswer {
    /// The listing's owner accepts the bidder's terms.
    Accept,
    Reject,
    Counter {
        price: Money,
        sla_hours: SlaHours,
        note: Option<CounterNote>,
    },
    /// The bidder accepts the owner's counter-offer.
    AcceptCounter,
    RejectCounter,
    /// The bid's seven days ran out (the timer's command).
    Expire,
}

/// A new bid by `by` on `listing_id`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBid {
    pub bid_id: BidId,
    pub listing_id: ListingId,
    pub terms: Terms,
    pub scope_note: Option<ScopeNote>,
}

/// The bidder's tier as listings ask for it (`min_seller_tier`, 0 to 2): the
/// founding tier of their market profile, capped at the listings' top tier.
async fn seller_tier(unit: &mut UnitOfWork<'_>, bidder: ActorId) -> Result<Tier, BusError> {
    let profile = unit
        .load::<MarketProfile>(&market_profile_stream(bidder))
        .await?;
    let tier = profile.founding.map_or(0, |founding| founding.tier);
    Ok(Tier::parse(i64::from(tier.min(TIER_MAX)))?)
}

/// Places a bid: the bid and the listing's record of it.
pub async fn place_bid(
    unit: &mut UnitOfWork<'_>,
    by: Caller,
    mode: Mode,
    new: NewBid,
    at: Timestamp,
) -> Result<Bid, BusError> {
    let listing = unit
        .load::<Listing>(&listing_stream(new.listing_id))
        .await?;
    let seller_tier = seller_tier(unit, by.actor).await?;
    let stream = bid_stream(new.bid_id);
    unit.start_new::<Bid>(&stream);
    let command = BidCommand {
        by,
        mode,
        at,
        action: BidAction::Place {
            bid_id: new.bid_id,
            listing: Box::new(listing),
            seller_tier,
            terms: new.terms,
            scope_note: new.scope_note,
        },
    };
    // Placing opens no contract: no fee is needed.
    let outcome = decide_bid(unit, &stream, command, FeePolicy::free()).await?;
    Ok(outcome.bid)
}

/// Answers an existing bid; an acceptance opens its contract at `fee`.
pub async fn on_bid(
    unit: &mut UnitOfWork<'_>,
    by: Caller,
    mode: Mode,
    bid_id: BidId,
    answer: BidAnswer,
    fee: FeePolicy,
    at: Timestamp,
) -> Result<BidOutcome, BusError> {
    let stream = bid_stream(bid_id);
    let bid = unit.load::<Bid>(&stream).await?;
    let listing_id = bid.listing.ok_or(DomainError::NotFound("bid"))?;
    // Loaded for every answer: the listing decides what each implies.
    let listing = Box::new(unit.load::<Listing>(&listing_stream(listing_id)).await?);
    let action = match answer {
        BidAnswer::Accept => BidAction::Accept { listing },
        BidAnswer::Reject => BidAction::Reject,
        BidAnswer::Counter {
            price,
            sla_hours,
            note,
        } => BidAction::Counter {
            listing,
            price,
            sla_hours,
            note,
        },
        BidAnswer::AcceptCounter => BidAction::AcceptCounter { listing },
        BidAnswer::RejectCounter => BidAction::RejectCounter,
        BidAnswer::Expire => BidAction::Expire,
    };
    let command = BidCommand {
        by,
        mode,
        at,
        action,
    };
    decide_bid(unit, &stream, command, fee).await
}

async fn decide_bid(
    unit: &mut UnitOfWork<'_>,
    stream: &str,
    command: BidCommand,
    fee: FeePolicy,
) -> Result<BidOutcome, BusError> {
    let (_, events) = unit.decide::<Bid>(stream, &command).await?;
    let bid = unit.load::<Bid>(stream).await?;
    let listing_id = bid.listing.ok_or(DomainError::NotFound("bid"))?;
    if let Some(action) = listing_action(&events) {
        let listing_command = ListingCommand {
            by: command.by,
            // The listing lives in the bid's mode (a timer acts in it too).
            mode: bid.mode,
            at: command.at,
            action,
        };
        unit.decide::<Listing>(&listing_stream(listing_id), &listing_command)
            .await?;
    }
    let mut contract = None;
    for event in &events {
        if let BidEvent::BidAccepted {
            bid_id, terms, at, ..
        } = event
        {
            contract = Some(open_agreed(unit, *bid_id, terms, fee, *at).await?);
        }
    }
    Ok(BidOutcome { bid, contract })
}

/// The contract an accepted bid opens: the listing's owner buys from the
/// bidder at the agreed price, delivery time and milestones.
async fn open_agreed(
    unit: &mut UnitOfWork<'_>,
    bid_id: BidId,
    terms: &AgreedTerms,
    fee: FeePolicy,
    at: Timestamp,
) -> Result<Contract, BusError> {
    let open = OpenContract {
        contract_id: ContractId(Uuid::now_v7()),
        mode: terms.mode,
        buyer: party_of(unit, terms.buyer).await?,
        seller: party_of(unit, terms.seller).await?,
        listing_id: terms.listing,
        bid_id: Some(bid_id),
        price: terms.price,
        sla_hours: terms.sla_hours.hours(),
        milestones: terms
            .milestones
            .iter()
            .map(|milestone| MilestoneSpec {
                title: milestone.title.as_str().to_owned(),
                pct_of_total: milestone.pct_of_total,
                sla_hours: milestone.sla_hours.hours(),
            })
            .collect(),
        fee,
        parent: None,
        at,
    };
    open_contract(unit, open).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::commands::{create_listing, register_actor};
    use crate::bus::{CommandBus, CommandContext};
    use crate::journal::tests::{on_both_backends, TestDatabase};
    use errand_aggregates::actor::{Role, Standing};
    use errand_aggregates::bid::BidStatus;
    use errand_aggregates::listing::{
        CategoryTags, Description, Direction, ListingDetails, ListingType, NewListing,
        SubscriptionPlans, Title,
    };

    fn active(actor: ActorId) -> Caller {
        Caller {
            actor,
            role: Role::Agent,
            standing: Standing::Active,
        }
    }

    fn buy_request(listing_id: ListingId) -> NewListing {
        NewListing {
            listing_id,
            direction: Direction::Buy,
            listing_type: ListingType::parse("task_execution").expect("a type"),
            details: ListingDetails {
                title: Title::parse("Need a crawler").expect("a title"),
                description: Description::parse("Three shops, daily").expect("text"),
                category_tags: CategoryTags::parse(&["data:extraction".to_owned()]).expect("tags"),
                price: None,
                budget_ceiling: Some(Money::usd(20_000)),
                sla_hours: None,
                input_schema: None,
                output_schema: None,
                evaluation_rubric: None,
                subscription_plans: SubscriptionPlans::default(),
                tool_meta: None,
                sla_config: None,
                negotiation_permitted: true,
                min_seller_tier: Tier::default(),
            },
        }
    }

    fn new_bid(listing_id: ListingId) -> NewBid {
        NewBid {
            bid_id: BidId(Uuid::now_v7()),
            listing_id,
            terms: Terms {
                price: Money::usd(15_000),
                sla_hours: SlaHours::parse(24).expect("hours"),
                milestones: None,
            },
            scope_note: None,
        }
    }

    /// A bid past its seven days is expired by the timer's command, which
    /// frees its bidder to bid again; before then the command is refused
    /// and appends nothing.
    async fn a_lapsed_bid_expires_and_frees_its_bidder(database: &TestDatabase) {
        let bus = CommandBus::new(database.open().await);
        let (owner, bidder) = (ActorId(Uuid::now_v7()), ActorId(Uuid::now_v7()));
        let listing_id = ListingId(Uuid::now_v7());
        let (lapsed, fresh) = (new_bid(listing_id), new_bid(listing_id));
        let placed_at = chrono::Utc::now() - chrono::Duration::days(8);
        let context = CommandContext::system("tests", "Setup");
        crate::execute!(bus, &context, |unit| {
            register_actor(unit, owner, Role::Agent, "owner".into(), None, placed_at).await?;
            register_actor(unit, bidder, Role::Agent, "bidder".into(), None, placed_at).await?;
            let request = buy_request(listing_id);
            create_listing(unit, active(owner), Mode::Live, request, placed_at).await?;
            place_bid(unit, active(bidder), Mode::Live, lapsed.clone(), placed_at).await?;
            Ok(())
        })
        .expect("set up");

        let expire = |bid_id: BidId| {
            let context = CommandContext::system("tests", "ExpireBid");
            let bus = &bus;
            async move {
                crate::execute!(bus, &context, |unit| {
                    let at = chrono::Utc::now();
                    let fee = FeePolicy::free();
                    let answer = BidAnswer::Expire;
                    on_bid(unit, active(owner), Mode::Live, bid_id, answer, fee, at).await?;
                    Ok(())
                })
            }
        };
        expire(lapsed.bid_id).await.expect("expired");
        let (bid, _) = bus.load::<Bid>(&bid_stream(lapsed.bid_id)).await.unwrap();
        assert_eq!(bid.status, BidStatus::Expired);
        let (listing, _) = bus
            .load::<Listing>(&listing_stream(listing_id))
            .await
            .unwrap();
        assert_eq!(listing.open_bid_of(bidder, chrono::Utc::now()), None);

        let context = CommandContext::system("tests", "PlaceBid");
        crate::execute!(bus, &context, |unit| {
            let at = chrono::Utc::now();
            place_bid(unit, active(bidder), Mode::Live, fresh.clone(), at).await?;
            Ok(())
        })
        .expect("the bidder bids again");
        let head = bus.journal().head().await.unwrap();
        assert!(expire(fresh.bid_id).await.is_err(), "not lapsed yet");
        assert_eq!(bus.journal().head().await.unwrap(), head);
    }

    on_both_backends!(a_lapsed_bid_expires_and_frees_its_bidder);
}
