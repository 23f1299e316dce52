//! Given/when/then tests of the bid's rules, and of the listing decisions
//! they imply.

use super::*;
use crate::actor::Caller;
use crate::aggregate::Aggregate;
use crate::error::Decided;
use crate::listing::tests::{agent, at, buy_details, LISTING, OWNER, SELLER};
use crate::listing::{Listing, ListingDetails, ListingEvent, SuspensionCause, Tier};
use cqrs_es::test::TestFramework;
use uuid::Uuid;

type BidTest = TestFramework<Bid>;

const BID: BidId = BidId(Uuid::from_u128(0xb1));
const STRANGER: ActorId = ActorId(Uuid::from_u128(7));

fn listing_with(details: ListingDetails) -> Box<Listing> {
    let created = ListingEvent::ListingCreated {
        listing_id: LISTING,
        owner: OWNER,
        mode: Mode::Live,
        direction: crate::listing::Direction::Buy,
        listing_type: crate::listing::ListingType::TaskExecution,
        details: Box::new(details),
        at: at(),
    };
    Box::new(Listing::fold(&[created]))
}

/// The seed's request ($200 ceiling, tier 1 and up) with the bid recorded.
fn listing() -> Box<Listing> {
    let mut listing = listing_with(buy_details());
    listing.apply(&ListingEvent::BidReceived {
        bid: BID,
        bidder: SELLER,
        open_until: at() + BID_OPEN_FOR,
        at: at(),
    });
    listing
}

fn command(by: Caller, hours_later: i64, action: BidAction) -> BidCommand {
    BidCommand {
        by,
        mode: Mode::Live,
        at: at() + Duration::hours(hours_later),
        action,
    }
}

fn terms(cents: i64) -> Terms {
    Terms {
        price: Money::usd(cents),
        sla_hours: SlaHours::parse(24).unwrap(),
        milestones: None,
    }
}

fn place_on(listing: Box<Listing>, cents: i64, tier: i64) -> BidCommand {
    command(
        agent(SELLER),
        0,
        BidAction::Place {
            bid_id: BID,
            listing,
            seller_tier: Tier::parse(tier).unwrap(),
            terms: terms(cents),
            scope_note: Some(ScopeNote::parse("I can deliver this using my NLP pipeline").unwrap()),
        },
    )
}

fn place(cents: i64) -> BidCommand {
    place_on(listing_with(buy_details()), cents, 1)
}

fn placed(cents: i64) -> BidEvent {
    placed_with(terms(cents))
}

fn placed_with(terms: Terms) -> BidEvent {
    BidEvent::BidPlaced {
        bid_id: BID,
        listing: LISTING,
        listing_owner: OWNER,
        bidder: SELLER,
        mode: Mode::Live,
        terms,
        scope_note: Some(ScopeNote::parse("I can deliver this using my NLP pipeline").unwrap()),
        expires_at: at() + Duration::days(7),
        at: at(),
    }
}

fn counter(hours_later: i64) -> BidCommand {
    counter_on(listing(), hours_later)
}

fn counter_on(listing: Box<Listing>, hours_later: i64) -> BidCommand {
    command(
        agent(OWNER),
        hours_later,
        BidAction::Counter {
            listing,
            price: Money::usd(6_500),
            sla_hours: SlaHours::parse(36).unwrap(),
            note: Some(CounterNote::parse("Need more time for thorough analysis").unwrap()),
        },
    )
}

fn countered(round: u8, hours_later: i64) -> BidEvent {
    let made = at() + Duration::hours(hours_later);
    BidEvent::BidCountered {
        bid_id: BID,
        round,
        price: Money::usd(6_500),
        sla_hours: SlaHours::parse(36).unwrap(),
        note: Some(CounterNote::parse("Need more time for thorough analysis").unwrap()),
        expires_at: made + Duration::hours(48),
        bid_expires_at: (made + Duration::hours(48)).max(at() + Duration::days(7)),
        at: made,
    }
}

fn counter_rejected(round: u8, hours_later: i64) -> BidEvent {
    BidEvent::CounterRejected {
        bid_id: BID,
        round,
        at: at() + Duration::hours(hours_later),
    }
}

fn code(result: Decided<BidEvent>) -> Option<&'static str> {
    result.err().and_then(|e| e.code())
}

fn milestone(title: &str, pct: i64, hours: i64) -> MilestoneInput {
    MilestoneInput {
        title: title.to_owned(),
        pct_of_total: pct,
        sla_hours: hours,
    }
}

#[test]
fn a_bid_is_placed_pending_for_seven_days() {
    BidTest::with(())
        .given_no_previous_events()
        .when(place(5_000))
        .then_expect_events(vec![placed(5_000)]);
    let bid = Bid::fold(&[placed(5_000)]);
    assert_eq!(bid.status, BidStatus::Pending);
    assert_eq!(bid.expires_at, Some(at() + Duration::days(7)));
}

#[test]
fn a_bid_may_reach_exactly_one_and_a_half_times_the_ceiling_and_not_a_cent_more() {
    // Ceiling $200.00: $300.00 is the most a bid may ask.
    BidTest::with(())
        .given_no_previous_events()
        .when(place(30_000))
        .then_expect_events(vec![placed(30_000)]);
    assert_eq!(
        code(Bid::default().decide(&place(30_001))),
        Some("bid_price_too_high")
    );
    let odd = ListingDetails {
        budget_ceiling: Some(Money::usd(3)),
        ..buy_details()
    };
    // 1.5 × 3 cents = 4.5 cents: 4 is within, 5 is not.
    assert!(Bid::default()
        .decide(&place_on(listing_with(odd.clone()), 4, 1))
        .is_ok());
    assert_eq!(
        code(Bid::default().decide(&place_on(listing_with(odd), 5, 1))),
        Some("bid_price_too_high")
    );
    let free = Bid::default().decide(&place(0));
    assert!(matches!(free, Err(DomainError::Invalid(_))), "{free:?}");
}

#[test]
fn a_second_open_bid_by_the_same_bidder_is_already_bid() {
    let mut bid = place_on(listing(), 5_000, 1);
    if let BidAction::Place { bid_id, .. } = &mut bid.action {
        *bid_id = BidId(Uuid::from_u128(0xb2));
    }
    assert_eq!(code(Bid::default().decide(&bid)), Some("already_bid"));
}

#[test]
fn a_seller_below_the_listings_tier_is_refused() {
    BidTest::with(())
        .given_no_previous_events()
        .when(place_on(listing_with(buy_details()), 5_000, 0))
        .then_expect_error_message(
            "this listing takes bids from sellers of tier 1 and up; yours is 0",
        );
}

#[test]
fn the_owner_cannot_bid_on_their_own_request() {
    let mut own = place(5_000);
    own.by = agent(OWNER);
    BidTest::with(())
        .given_no_previous_events()
        .when(own)
        .then_expect_error_message("you cannot bid on your own listing");
}

#[test]
fn milestones_must_sum_to_exactly_one_hundred() {
    let seed = [
        milestone("Data collection", 40, 24),
        milestone("Analysis report", 60, 48),
    ];
    assert_eq!(Milestones::parse(&seed).unwrap().as_slice().len(), 2);
    for short in [
        vec![milestone("a", 40, 24), milestone("b", 59, 24)],
        vec![milestone("a", 60, 24), milestone("b", 60, 24)],
        vec![],
    ] {
        let refused = Milestones::parse(&short).unwrap_err();
        assert_eq!(refused.code(), Some("milestone_sum_invalid"), "{short:?}");
    }
    for bad in [
        vec![milestone("a", 0, 24), milestone("b", 100, 24)],
        vec![milestone("a", 100, 169)],
        vec![milestone("", 100, 24)],
        vec![milestone("a", 10, 1); MILESTONES_MAX + 1],
    ] {
        let refused = Milestones::parse(&bad).unwrap_err();
        assert!(matches!(refused, DomainError::Invalid(_)), "{bad:?}");
    }
}

#[test]
fn milestone_amounts_sum_to_the_price_to_the_cent() {
    let milestones = Milestones::parse(&[
        milestone("a", 33, 24),
        milestone("b", 33, 24),
        milestone("c", 34, 24),
    ])
    .unwrap();
    let agreed = AgreedTerms {
        listing: LISTING,
        buyer: OWNER,
        seller: SELLER,
        mode: Mode::Live,
        price: Money::usd(1_001),
        sla_hours: SlaHours::parse(72).unwrap(),
        milestones: milestones.as_slice().to_vec(),
        round: 0,
    };
    let amounts: Vec<i64> = agreed.milestone_amounts().iter().map(|m| m.cents).collect();
    assert_eq!(amounts, [330, 330, 341]);
    let whole = AgreedTerms {
        milestones: vec![],
        ..agreed
    };
    assert_eq!(whole.milestone_amounts(), [Money::usd(1_001)]);
}

#[test]
fn the_owner_accepts_a_bid_at_the_bidders_terms() {
    BidTest::with(())
        .given(vec![placed(5_000)])
        .when(command(
            agent(OWNER),
            1,
            BidAction::Accept { listing: listing() },
        ))
        .then_expect_events(vec![BidEvent::BidAccepted {
            bid_id: BID,
            terms: AgreedTerms {
                listing: LISTING,
                buyer: OWNER,
                seller: SELLER,
                mode: Mode::Live,
                price: Money::usd(5_000),
                sla_hours: SlaHours::parse(24).unwrap(),
                milestones: vec![],
                round: 0,
            },
            by: OWNER,
            at: at() + Duration::hours(1),
        }]);
}

#[test]
fn only_the_owner_answers_a_bid_and_strangers_do_not_see_it() {
    BidTest::with(())
        .given(vec![placed(5_000)])
        .when(command(agent(SELLER), 1, BidAction::Reject))
        .then_expect_error_message("only the listing's owner may answer a bid");
    BidTest::with(())
        .given(vec![placed(5_000)])
        .when(command(agent(STRANGER), 1, BidAction::Reject))
        .then_expect_error_message("bid not found");
}

#[test]
fn an_expired_bid_cannot_be_accepted_but_can_be_expired() {
    BidTest::with(())
        .given(vec![placed(5_000)])
        .when(command(
            agent(OWNER),
            24 * 7,
            BidAction::Accept { listing: listing() },
        ))
        .then_expect_error_message("the bid has expired");
    BidTest::with(())
        .given(vec![placed(5_000)])
        .when(command(agent(STRANGER), 24 * 7, BidAction::Expire))
        .then_expect_events(vec![BidEvent::BidExpired {
            bid_id: BID,
            at: at() + Duration::days(7),
        }]);
    BidTest::with(())
        .given(vec![placed(5_000)])
        .when(command(agent(STRANGER), 1, BidAction::Expire))
        .then_expect_error_message("the bid is closed or has not expired yet");
}

#[test]
fn a_closed_bid_is_not_answered_again() {
    let rejected = BidEvent::BidRejected {
        bid_id: BID,
        by: OWNER,
        at: at(),
    };
    BidTest::with(())
        .given(vec![placed(5_000), rejected])
        .when(command(
            agent(OWNER),
            1,
            BidAction::Accept { listing: listing() },
        ))
        .then_expect_error_message("the bid is already rejected");
}

#[test]
fn the_owner_counters_with_a_round_open_for_forty_eight_hours() {
    BidTest::with(())
        .given(vec![placed(5_000)])
        .when(counter(1))
        .then_expect_events(vec![countered(1, 1)]);
}

#[test]
fn a_counter_keeps_the_bid_open_while_the_bidder_may_answer() {
    let late = countered(1, 24 * 6);
    let BidEvent::BidCountered {
        expires_at,
        bid_expires_at,
        ..
    } = &late
    else {
        unreachable!()
    };
    assert_eq!(bid_expires_at, expires_at, "day 6 + 48 h is past day 7");
    BidTest::with(())
        .given(vec![placed(5_000), late.clone()])
        .when(command(
            agent(SELLER),
            24 * 7 + 1,
            BidAction::AcceptCounter { listing: listing() },
        ))
        .then_expect_events(vec![BidEvent::BidAccepted {
            bid_id: BID,
            terms: AgreedTerms {
                listing: LISTING,
                buyer: OWNER,
                seller: SELLER,
                mode: Mode::Live,
                price: Money::usd(6_500),
                sla_hours: SlaHours::parse(36).unwrap(),
                milestones: vec![],
                round: 1,
            },
            by: SELLER,
            at: at() + Duration::hours(24 * 7 + 1),
        }]);
}

#[test]
fn negotiation_stops_at_two_rounds() {
    BidTest::with(())
        .given(vec![placed(5_000), countered(1, 1), counter_rejected(1, 2)])
        .when(counter(3))
        .then_expect_events(vec![countered(2, 3)]);
    let history = [
        placed(5_000),
        countered(1, 1),
        counter_rejected(1, 2),
        countered(2, 3),
        counter_rejected(2, 4),
    ];
    assert_eq!(
        code(Bid::fold(&history).decide(&counter(5))),
        Some("max_counter_rounds_exceeded")
    );
}

#[test]
fn a_listing_closed_to_negotiation_takes_no_counter() {
    let firm = ListingDetails {
        negotiation_permitted: false,
        ..buy_details()
    };
    let decided = Bid::fold(&[placed(5_000)]).decide(&counter_on(listing_with(firm), 1));
    assert_eq!(code(decided), Some("negotiation_not_permitted"));
}

#[test]
fn an_open_counter_awaits_its_answer_before_another_round() {
    BidTest::with(())
        .given(vec![placed(5_000), countered(1, 1)])
        .when(counter(2))
        .then_expect_error_message("your counter-offer awaits the bidder's answer");
    // Lapsed after 48 hours, it is as good as rejected: round 2 may follow.
    BidTest::with(())
        .given(vec![placed(5_000), countered(1, 1)])
        .when(counter(49))
        .then_expect_events(vec![countered(2, 49)]);
}

#[test]
fn the_bidder_rejects_a_counter_and_the_bid_is_pending_at_their_terms() {
    BidTest::with(())
        .given(vec![placed(5_000), countered(1, 1)])
        .when(command(agent(SELLER), 2, BidAction::RejectCounter))
        .then_expect_events(vec![counter_rejected(1, 2)]);
    let bid = Bid::fold(&[placed(5_000), countered(1, 1), counter_rejected(1, 2)]);
    assert_eq!(bid.status, BidStatus::Pending);
    assert_eq!(bid.counter_rounds, 1);
    assert_eq!(bid.terms.as_ref().map(|t| t.price), Some(Money::usd(5_000)));
}

#[test]
fn an_expired_counter_cannot_be_accepted_or_rejected() {
    for action in [
        BidAction::AcceptCounter { listing: listing() },
        BidAction::RejectCounter,
    ] {
        BidTest::with(())
            .given(vec![placed(5_000), countered(1, 1)])
            .when(command(agent(SELLER), 49, action))
            .then_expect_error_message("the counter-offer has expired");
    }
    let bid = Bid::fold(&[placed(5_000), countered(1, 1)]);
    assert_eq!(
        bid.status_at(at() + Duration::hours(49)),
        BidStatus::Pending
    );
    assert_eq!(bid.status_at(at() + Duration::days(8)), BidStatus::Expired);
}

#[test]
fn only_the_bidder_answers_a_counter() {
    BidTest::with(())
        .given(vec![placed(5_000), countered(1, 1)])
        .when(command(
            agent(OWNER),
            2,
            BidAction::AcceptCounter { listing: listing() },
        ))
        .then_expect_error_message("only the bidder may answer a counter-offer");
}

#[test]
fn a_counter_accepted_keeps_the_milestones_shares_at_the_new_price() {
    let milestones = Milestones::parse(&[
        milestone("Data collection", 40, 24),
        milestone("Analysis report", 60, 48),
    ])
    .unwrap();
    let with_milestones = placed_with(Terms {
        milestones: Some(milestones.clone()),
        ..terms(10_000)
    });
    let accepted = Bid::fold(&[with_milestones, countered(1, 1)])
        .decide(&command(
            agent(SELLER),
            2,
            BidAction::AcceptCounter { listing: listing() },
        ))
        .unwrap();
    let [BidEvent::BidAccepted { terms, .. }] = accepted.as_slice() else {
        panic!("{accepted:?}")
    };
    assert_eq!(terms.milestones, milestones.as_slice());
    let cents: Vec<i64> = terms.milestone_amounts().iter().map(|m| m.cents).collect();
    assert_eq!(cents, [2_600, 3_900]);
}

#[test]
fn nothing_is_accepted_on_a_suspended_or_awarded_listing() {
    let mut suspended = listing();
    suspended.apply(&ListingEvent::ListingSuspended {
        cause: SuspensionCause::Admin,
        reason: crate::listing::Reason::parse("Terms of service").unwrap(),
        by: STRANGER,
        at: at(),
    });
    BidTest::with(())
        .given(vec![placed(5_000)])
        .when(command(
            agent(OWNER),
            1,
            BidAction::Accept { listing: suspended },
        ))
        .then_expect_error_message("the listing is suspended");
    let mut awarded = listing();
    awarded.apply(&ListingEvent::BidAwarded {
        bid: BidId(Uuid::from_u128(0xb9)),
        at: at(),
    });
    BidTest::with(())
        .given(vec![placed(5_000)])
        .when(command(
            agent(OWNER),
            1,
            BidAction::Accept { listing: awarded },
        ))
        .then_expect_error_message("the listing has already accepted a bid");
}

#[test]
fn each_bid_decision_tells_the_listing_what_to_record() {
    let accepted = Bid::fold(&[placed(5_000)])
        .decide(&command(
            agent(OWNER),
            1,
            BidAction::Accept { listing: listing() },
        ))
        .unwrap();
    assert_eq!(
        listing_action(&accepted),
        Some(ListingAction::AwardBid { bid: BID })
    );
    assert_eq!(
        listing_action(&[placed(5_000)]),
        Some(ListingAction::ReceiveBid {
            bid: BID,
            bidder: SELLER,
            open_until: at() + Duration::days(7),
        })
    );
    assert!(matches!(
        listing_action(&[countered(1, 1)]),
        Some(ListingAction::ExtendBid { .. })
    ));
    assert_eq!(listing_action(&[counter_rejected(1, 2)]), None);
}

/// The bus's unit of work in miniature: the bid decides, then the listing
/// decides the action it implies, and both are appended or neither.
#[test]
fn two_bids_by_one_bidder_racing_leave_one_on_the_listing() {
    let listing = listing_with(buy_details());
    let first = Bid::default()
        .decide(&place_on(listing.clone(), 5_000, 1))
        .unwrap();
    let mut listing_now = (*listing).clone();
    let action = listing_action(&first).unwrap();
    let recorded = listing_now
        .decide(&crate::listing::ListingCommand {
            by: agent(SELLER),
            mode: Mode::Live,
            at: at(),
            action,
        })
        .unwrap();
    for event in &recorded {
        listing_now.apply(event);
    }
    // The second was decided on the listing as loaded before the first
    // committed: the bid allows it, but the listing (reloaded after the
    // version conflict) refuses it.
    let mut second = place_on(listing, 4_000, 1);
    if let BidAction::Place { bid_id, .. } = &mut second.action {
        *bid_id = BidId(Uuid::from_u128(0xb2));
    }
    let second = Bid::default().decide(&second).unwrap();
    let refused = listing_now.decide(&crate::listing::ListingCommand {
        by: agent(SELLER),
        mode: Mode::Live,
        at: at(),
        action: listing_action(&second).unwrap(),
    });
    assert_eq!(refused.err().and_then(|e| e.code()), Some("already_bid"));
}
