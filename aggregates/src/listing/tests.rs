//! Given/when/then tests of the listing's rules.

use super::*;
use crate::actor::{Caller, Role, Standing};
use crate::aggregate::Aggregate;
use chrono::{Duration, TimeZone, Utc};
use cqrs_es::test::TestFramework;
use uuid::Uuid;

type ListingTest = TestFramework<Listing>;

pub(crate) const LISTING: ListingId = ListingId(Uuid::from_u128(0x11));
pub(crate) const OWNER: ActorId = ActorId(Uuid::from_u128(1));
pub(crate) const SELLER: ActorId = ActorId(Uuid::from_u128(2));
const ADMIN: ActorId = ActorId(Uuid::from_u128(9));
const BID: BidId = BidId(Uuid::from_u128(0xb1));
const OTHER_BID: BidId = BidId(Uuid::from_u128(0xb2));

pub(crate) fn at() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 25, 14, 0, 0).unwrap()
}

pub(crate) fn agent(actor: ActorId) -> Caller {
    Caller {
        actor,
        role: Role::Agent,
        standing: Standing::Active,
    }
}

fn admin() -> Caller {
    Caller {
        actor: ADMIN,
        role: Role::Admin,
        standing: Standing::Active,
    }
}

fn command(by: Caller, action: ListingAction) -> ListingCommand {
    ListingCommand {
        by,
        mode: Mode::Live,
        at: at(),
        action,
    }
}

fn owner(action: ListingAction) -> ListingCommand {
    command(agent(OWNER), action)
}

/// The seed's buy request: $200 ceiling, sellers of tier 1 and up.
pub(crate) fn buy_details() -> ListingDetails {
    ListingDetails {
        title: Title::parse("Need data scraping agent").unwrap(),
        description: Description::parse("Scrape product listings from 3 e-commerce sites").unwrap(),
        category_tags: CategoryTags::parse(&["data:extraction".to_owned()]).unwrap(),
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
        min_seller_tier: Tier::parse(1).unwrap(),
    }
}

fn sell_details() -> ListingDetails {
    ListingDetails {
        title: Title::parse("Competitive analysis report").unwrap(),
        price: Some(Money::usd(7_500)),
        budget_ceiling: None,
        sla_hours: Some(SlaHours::parse(48).unwrap()),
        min_seller_tier: Tier::default(),
        ..buy_details()
    }
}

fn create(direction: Direction, details: ListingDetails) -> ListingCommand {
    owner(ListingAction::Create(Box::new(NewListing {
        listing_id: LISTING,
        direction,
        listing_type: ListingType::TaskExecution,
        details,
    })))
}

fn created(direction: Direction, details: ListingDetails) -> ListingEvent {
    ListingEvent::ListingCreated {
        listing_id: LISTING,
        owner: OWNER,
        mode: Mode::Live,
        direction,
        listing_type: ListingType::TaskExecution,
        details: Box::new(details),
        at: at(),
    }
}

pub(crate) fn buy_created() -> ListingEvent {
    created(Direction::Buy, buy_details())
}

pub(crate) fn sell_created() -> ListingEvent {
    created(Direction::Sell, sell_details())
}

fn reason(text: &str) -> Reason {
    Reason::parse(text).unwrap()
}

fn suspended(cause: SuspensionCause) -> ListingEvent {
    ListingEvent::ListingSuspended {
        cause,
        reason: reason("Repeated SLA violations"),
        by: ADMIN,
        at: at(),
    }
}

fn receive(bid: BidId, bidder: ActorId) -> ListingCommand {
    command(
        agent(bidder),
        ListingAction::ReceiveBid {
            bid,
            bidder,
            open_until: at() + Duration::days(7),
        },
    )
}

fn received(bid: BidId, bidder: ActorId) -> ListingEvent {
    ListingEvent::BidReceived {
        bid,
        bidder,
        open_until: at() + Duration::days(7),
        at: at(),
    }
}

fn error_code(result: Result<Vec<ListingEvent>, DomainError>) -> Option<&'static str> {
    result.err().and_then(|e| e.code())
}

#[test]
fn an_owner_creates_a_buy_request_with_a_budget_ceiling() {
    ListingTest::with(())
        .given_no_previous_events()
        .when(create(Direction::Buy, buy_details()))
        .then_expect_events(vec![buy_created()]);
}

#[test]
fn a_sell_listing_needs_a_price_unless_a_plan_prices_it() {
    let unpriced = ListingDetails {
        price: None,
        ..sell_details()
    };
    ListingTest::with(())
        .given_no_previous_events()
        .when(create(Direction::Sell, unpriced.clone()))
        .then_expect_error_message(
            "a sell listing needs price_usd (or subscription_plans, for a tool)",
        );
    let plan = PlanInput {
        plan_id: "starter".into(),
        name: "Starter".into(),
        interval: "monthly".into(),
        amount_cents: 2_900,
        included_calls: 10_000,
        overage_cents_per_call: None,
        features: vec![],
    };
    let tool = ListingDetails {
        subscription_plans: SubscriptionPlans::parse(&[plan]).unwrap(),
        ..unpriced
    };
    let decided = Listing::default().decide(&create(Direction::Sell, tool));
    assert!(decided.is_ok(), "{decided:?}");
}

#[test]
fn each_direction_refuses_the_other_directions_amount() {
    let sell_with_ceiling = ListingDetails {
        budget_ceiling: Some(Money::usd(100)),
        ..sell_details()
    };
    let buy_with_price = ListingDetails {
        price: Some(Money::usd(100)),
        ..buy_details()
    };
    let buy_without_ceiling = ListingDetails {
        budget_ceiling: None,
        ..buy_details()
    };
    let zero_ceiling = ListingDetails {
        budget_ceiling: Some(Money::usd(0)),
        ..buy_details()
    };
    for (direction, details) in [
        (Direction::Sell, sell_with_ceiling),
        (Direction::Buy, buy_with_price),
        (Direction::Buy, buy_without_ceiling),
        (Direction::Buy, zero_ceiling),
    ] {
        let decided = Listing::default().decide(&create(direction, details));
        assert!(
            matches!(decided, Err(DomainError::Invalid(_))),
            "{decided:?}"
        );
    }
}

#[test]
fn updating_writes_only_the_fields_that_change() {
    let changes = ListingChanges {
        title: Some(Title::parse("Need a scraping agent, fast").unwrap()),
        budget_ceiling: Some(Money::usd(20_000)),
        negotiation_permitted: Some(false),
        ..ListingChanges::default()
    };
    let written = ListingChanges {
        budget_ceiling: None,
        ..changes.clone()
    };
    ListingTest::with(())
        .given(vec![buy_created()])
        .when(owner(ListingAction::Update(Box::new(changes))))
        .then_expect_events(vec![ListingEvent::ListingUpdated {
            changes: Box::new(written),
            at: at(),
        }]);
}

#[test]
fn an_update_keeps_the_directions_rules() {
    let price_on_buy = ListingChanges {
        price: Some(Money::usd(5_000)),
        ..ListingChanges::default()
    };
    ListingTest::with(())
        .given(vec![buy_created()])
        .when(owner(ListingAction::Update(Box::new(price_on_buy))))
        .then_expect_error_message(
            "price_usd is for sell listings; a buy listing has a budget_ceiling_usd",
        );
}

#[test]
fn only_the_owner_updates_and_not_once_deactivated() {
    let changes = || {
        Box::new(ListingChanges {
            sla_hours: Some(SlaHours::parse(24).unwrap()),
            ..ListingChanges::default()
        })
    };
    ListingTest::with(())
        .given(vec![sell_created()])
        .when(command(agent(SELLER), ListingAction::Update(changes())))
        .then_expect_error_message("only the listing's owner may change it");
    ListingTest::with(())
        .given(vec![
            sell_created(),
            ListingEvent::ListingDeactivated { at: at() },
        ])
        .when(owner(ListingAction::Update(changes())))
        .then_expect_error_message("the listing is deactivated; it cannot be changed");
    ListingTest::with(())
        .given(vec![sell_created()])
        .when(owner(ListingAction::Update(Box::default())))
        .then_expect_error_message("give at least one field to update");
}

#[test]
fn deactivating_is_the_owners_and_happens_once() {
    ListingTest::with(())
        .given(vec![sell_created()])
        .when(owner(ListingAction::Deactivate))
        .then_expect_events(vec![ListingEvent::ListingDeactivated { at: at() }]);
    ListingTest::with(())
        .given(vec![
            sell_created(),
            ListingEvent::ListingDeactivated { at: at() },
        ])
        .when(owner(ListingAction::Deactivate))
        .then_expect_error_message("the listing is already deactivated");
}

#[test]
fn a_listing_in_the_other_mode_is_not_found() {
    let mut test_mode = owner(ListingAction::Deactivate);
    test_mode.mode = Mode::Test;
    let decided = Listing::fold(&[sell_created()]).decide(&test_mode);
    assert_eq!(decided, Err(DomainError::NotFound("listing")));
}

#[test]
fn an_admin_suspends_a_listing_with_a_reason_and_only_an_admin() {
    let suspend = |by| {
        command(
            by,
            ListingAction::Suspend {
                cause: SuspensionCause::Admin,
                reason: reason("Repeated SLA violations"),
            },
        )
    };
    ListingTest::with(())
        .given(vec![sell_created()])
        .when(suspend(admin()))
        .then_expect_events(vec![suspended(SuspensionCause::Admin)]);
    ListingTest::with(())
        .given(vec![sell_created()])
        .when(suspend(agent(OWNER)))
        .then_expect_error_message("only an admin may suspend or reinstate a listing");
    ListingTest::with(())
        .given(vec![sell_created(), suspended(SuspensionCause::Admin)])
        .when(suspend(admin()))
        .then_expect_error_message("the listing is already suspended (admin)");
}

#[test]
fn reinstating_the_tool_does_not_lift_a_providers_ban() {
    let reinstate = |cause| {
        command(
            admin(),
            ListingAction::Reinstate {
                cause,
                reason: reason("Reviewed"),
            },
        )
    };
    ListingTest::with(())
        .given(vec![
            sell_created(),
            suspended(SuspensionCause::ProviderBanned),
        ])
        .when(reinstate(SuspensionCause::Admin))
        .then_expect_error_message("the listing is not suspended by an admin");
    let both = [
        sell_created(),
        suspended(SuspensionCause::ProviderBanned),
        suspended(SuspensionCause::Admin),
        ListingEvent::ListingReinstated {
            cause: SuspensionCause::Admin,
            reason: reason("Reviewed"),
            by: ADMIN,
            at: at(),
        },
    ];
    let listing = Listing::fold(&both);
    assert!(listing.is_suspended(), "the ban's suspension remains");
    assert_eq!(
        listing.suspensions[0].cause,
        SuspensionCause::ProviderBanned
    );
}

#[test]
fn a_buy_listing_records_a_bid_and_refuses_a_second_open_one_by_the_same_bidder() {
    ListingTest::with(())
        .given(vec![buy_created()])
        .when(receive(BID, SELLER))
        .then_expect_events(vec![received(BID, SELLER)]);
    let given = Listing::fold(&[buy_created(), received(BID, SELLER)]);
    let second = given.decide(&receive(OTHER_BID, SELLER));
    assert_eq!(error_code(second), Some("already_bid"));
}

#[test]
fn a_bidder_may_bid_again_once_their_bid_is_released_or_lapsed() {
    let released = ListingEvent::BidReleased { bid: BID, at: at() };
    ListingTest::with(())
        .given(vec![buy_created(), received(BID, SELLER), released])
        .when(receive(OTHER_BID, SELLER))
        .then_expect_events(vec![received(OTHER_BID, SELLER)]);
    let mut later = receive(OTHER_BID, SELLER);
    later.at = at() + Duration::days(7);
    let lapsed = Listing::fold(&[buy_created(), received(BID, SELLER)]).decide(&later);
    assert!(lapsed.is_ok(), "{lapsed:?}");
}

#[test]
fn a_listing_refuses_bids_it_cannot_take() {
    let cases: [(Vec<ListingEvent>, ListingCommand, &str); 4] = [
        (
            vec![sell_created()],
            receive(BID, SELLER),
            "bids are placed on buy listings; a sell listing is bought directly",
        ),
        (
            vec![buy_created()],
            receive(BID, OWNER),
            "you cannot bid on your own listing",
        ),
        (
            vec![buy_created(), suspended(SuspensionCause::Admin)],
            receive(BID, SELLER),
            "the listing is suspended",
        ),
        (
            vec![buy_created(), ListingEvent::ListingDeactivated { at: at() }],
            receive(BID, SELLER),
            "the listing is deactivated",
        ),
    ];
    for (given, when, message) in cases {
        ListingTest::with(())
            .given(given)
            .when(when)
            .then_expect_error_message(message);
    }
}

#[test]
fn a_listing_is_awarded_to_one_bid_only() {
    let award = |bid| command(agent(OWNER), ListingAction::AwardBid { bid });
    ListingTest::with(())
        .given(vec![
            buy_created(),
            received(BID, SELLER),
            received(OTHER_BID, ActorId(Uuid::from_u128(3))),
        ])
        .when(award(BID))
        .then_expect_events(vec![ListingEvent::BidAwarded { bid: BID, at: at() }]);
    ListingTest::with(())
        .given(vec![
            buy_created(),
            received(BID, SELLER),
            received(OTHER_BID, ActorId(Uuid::from_u128(3))),
            ListingEvent::BidAwarded { bid: BID, at: at() },
        ])
        .when(award(OTHER_BID))
        .then_expect_error_message("the listing has already accepted a bid");
}

#[test]
fn releasing_a_closed_bid_changes_nothing() {
    ListingTest::with(())
        .given(vec![
            buy_created(),
            received(BID, SELLER),
            ListingEvent::BidReleased { bid: BID, at: at() },
        ])
        .when(owner(ListingAction::ReleaseBid { bid: BID }))
        .then_expect_events(vec![]);
}

#[test]
fn a_completed_contract_counts_as_a_sale() {
    let contract = Uuid::from_u128(0xc0);
    ListingTest::with(())
        .given(vec![sell_created()])
        .when(owner(ListingAction::RecordSale { contract }))
        .then_expect_events(vec![ListingEvent::SaleRecorded { contract, at: at() }]);
    let sold = Listing::fold(&[
        sell_created(),
        ListingEvent::SaleRecorded { contract, at: at() },
    ]);
    assert_eq!(sold.total_sales, 1);
}

#[test]
fn a_listing_takes_at_most_its_bound_of_bids() {
    let mut history = vec![buy_created()];
    for n in 0..BIDS_MAX as u128 {
        let bidder = ActorId(Uuid::from_u128(1_000 + n));
        history.push(received(BidId(Uuid::from_u128(10_000 + n)), bidder));
    }
    let decided = Listing::fold(&history).decide(&receive(BID, SELLER));
    assert!(matches!(decided, Err(DomainError::LimitExceeded(_))));
}

#[test]
fn stored_listing_events_read_back_as_written() {
    let events = [
        buy_created(),
        ListingEvent::ListingUpdated {
            changes: Box::new(ListingChanges {
                min_seller_tier: Some(Tier::parse(2).unwrap()),
                ..ListingChanges::default()
            }),
            at: at(),
        },
        suspended(SuspensionCause::ProviderBanned),
    ];
    for event in events {
        let json = serde_json::to_string(&event).unwrap();
        let back: ListingEvent = serde_json::from_str(&json).unwrap();
        assert_eq!(back, event);
    }
}
