use super::*;
use crate::listing::tests::buy_details;
use crate::listing::{CategoryTags, Direction, ListingType, SlaHours};
use crate::money::Money;
use crate::Timestamp;
use cqrs_es::test::TestFramework;

type RulesTest = TestFramework<AutoBidRules>;

const RULE: RuleId = RuleId(Uuid::from_u128(0x7001));
const LISTING: ListingId = ListingId(Uuid::from_u128(0x1157));

fn at() -> Timestamp {
    chrono::DateTime::UNIX_EPOCH
}

fn input() -> RuleInput {
    RuleInput {
        max_price: Some(Money::usd(5_000)),
        category_tags: vec!["data:*".to_owned(), "research:competitive".to_owned()],
        max_concurrent: Some(2),
        preferred_sla_hours: Some(24),
        ..RuleInput::default()
    }
}

fn rule() -> AutoBidRule {
    AutoBidRule::parse(&input()).unwrap()
}

fn set(enabled: bool) -> AutoBidEvent {
    AutoBidEvent::AutoBidRuleSet {
        rule_id: RULE,
        rule: rule(),
        enabled,
        mode: Mode::Live,
        at: at(),
    }
}

fn listing(n: u128) -> ListingId {
    ListingId(Uuid::from_u128(0x1000 + n))
}

fn placed(n: u128, released: Vec<BidId>) -> AutoBidEvent {
    AutoBidEvent::AutoBidPlaced {
        rule_id: RULE,
        listing_id: listing(n),
        bid_id: auto_bid_id(RULE, listing(n)),
        released,
        at: at(),
    }
}

fn place(n: u128, closed: Vec<BidId>) -> AutoBidCommand {
    AutoBidCommand::Place {
        rule_id: RULE,
        listing_id: listing(n),
        closed,
        at: at(),
    }
}

#[test]
fn configuring_a_new_rule_records_it_enabled() {
    RulesTest::with(())
        .given_no_previous_events()
        .when(AutoBidCommand::Configure {
            rule_id: RULE,
            rule: Some(rule()),
            enabled: None,
            mode: Mode::Live,
            at: at(),
        })
        .then_expect_events(vec![set(true)]);
}

#[test]
fn disabling_keeps_the_rule_and_its_mode() {
    RulesTest::with(())
        .given(vec![set(true)])
        .when(AutoBidCommand::Configure {
            rule_id: RULE,
            rule: None,
            enabled: Some(false),
            mode: Mode::Test,
            at: at(),
        })
        .then_expect_events(vec![set(false)]);
}

#[test]
fn an_unknown_rule_cannot_be_toggled_or_deleted() {
    RulesTest::with(())
        .given_no_previous_events()
        .when(AutoBidCommand::Delete {
            rule_id: RULE,
            at: at(),
        })
        .then_expect_error(DomainError::NotFound("auto-bidding rule"));
    RulesTest::with(())
        .given_no_previous_events()
        .when(AutoBidCommand::Configure {
            rule_id: RULE,
            rule: None,
            enabled: Some(true),
            mode: Mode::Live,
            at: at(),
        })
        .then_expect_error(DomainError::NotFound("auto-bidding rule"));
}

#[test]
fn an_agent_keeps_at_most_twenty_rules() {
    let given: Vec<AutoBidEvent> = (0..RULES_MAX as u128)
        .map(|n| AutoBidEvent::AutoBidRuleSet {
            rule_id: RuleId(Uuid::from_u128(0x9000 + n)),
            rule: rule(),
            enabled: true,
            mode: Mode::Live,
            at: at(),
        })
        .collect();
    let state = AutoBidRules::fold(&given);
    let refused = state.decide(&AutoBidCommand::Configure {
        rule_id: RULE,
        rule: Some(rule()),
        enabled: None,
        mode: Mode::Live,
        at: at(),
    });
    assert!(matches!(refused, Err(DomainError::LimitExceeded(_))));
}

#[test]
fn an_enabled_rule_places_its_derived_bid() {
    RulesTest::with(())
        .given(vec![set(true)])
        .when(place(1, vec![]))
        .then_expect_events(vec![placed(1, vec![])]);
}

#[test]
fn a_disabled_or_deleted_rule_places_nothing() {
    RulesTest::with(())
        .given(vec![set(false)])
        .when(place(1, vec![]))
        .then_expect_error_message("the auto-bidding rule is disabled or deleted");
    RulesTest::with(())
        .given(vec![
            set(true),
            AutoBidEvent::AutoBidRuleDeleted {
                rule_id: RULE,
                at: at(),
            },
        ])
        .when(place(1, vec![]))
        .then_expect_error_message("the auto-bidding rule is disabled or deleted");
}

#[test]
fn a_rule_at_max_concurrent_open_bids_places_no_more() {
    RulesTest::with(())
        .given(vec![set(true), placed(1, vec![]), placed(2, vec![])])
        .when(place(3, vec![]))
        .then_expect_error_message("the rule holds 2 open bids, its max_concurrent");
}

#[test]
fn a_closed_bid_frees_its_place() {
    let first = auto_bid_id(RULE, listing(1));
    RulesTest::with(())
        .given(vec![set(true), placed(1, vec![]), placed(2, vec![])])
        .when(place(3, vec![first]))
        .then_expect_events(vec![placed(3, vec![first])]);
}

#[test]
fn a_skip_is_recorded_with_its_reason() {
    RulesTest::with(())
        .given(vec![set(true)])
        .when(AutoBidCommand::Skip {
            rule_id: RULE,
            listing_id: LISTING,
            reason: SkipReason::new("already_bid"),
            at: at(),
        })
        .then_expect_events(vec![AutoBidEvent::AutoBidSkipped {
            rule_id: RULE,
            listing_id: LISTING,
            bid_id: auto_bid_id(RULE, LISTING),
            reason: SkipReason::new("already_bid"),
            at: at(),
        }]);
}

#[test]
fn a_rule_bids_once_per_listing_by_its_derived_id() {
    assert_eq!(auto_bid_id(RULE, LISTING), auto_bid_id(RULE, LISTING));
    assert_ne!(auto_bid_id(RULE, LISTING), auto_bid_id(RULE, listing(9)));
    assert_ne!(
        auto_bid_id(RULE, LISTING),
        auto_bid_id(RuleId(Uuid::from_u128(1)), LISTING)
    );
}

#[test]
fn tag_patterns_match_a_family_or_one_tag() {
    let family = TagPattern::parse("Data:*").unwrap();
    assert!(family.matches("data:extraction"));
    assert!(!family.matches("research:data"));
    let one = TagPattern::parse("research:competitive").unwrap();
    assert!(one.matches("research:competitive"));
    assert!(!one.matches("research:competitive-intel"));
    assert!(TagPattern::parse("*").unwrap().matches("anything"));
    for bad in ["", "data:*x", "da*ta", "two words", "data:**"] {
        assert!(TagPattern::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn a_rule_matches_buy_listings_by_tag_type_budget_and_tier() {
    let details = buy_details(); // data:extraction, ceiling $200, tier 1
    let rule = rule();
    assert!(rule.matches(Direction::Buy, ListingType::TaskExecution, &details));
    assert!(!rule.matches(Direction::Sell, ListingType::TaskExecution, &details));
    let other_tags = crate::listing::ListingDetails {
        category_tags: CategoryTags::parse(&["design:logo".to_owned()]).unwrap(),
        ..buy_details()
    };
    assert!(!rule.matches(Direction::Buy, ListingType::TaskExecution, &other_tags));
    let typed = AutoBidRule::parse(&RuleInput {
        listing_types: vec!["data_product".to_owned()],
        ..input()
    })
    .unwrap();
    assert!(!typed.matches(Direction::Buy, ListingType::TaskExecution, &details));
    assert!(typed.matches(Direction::Buy, ListingType::DataProduct, &details));
    let budgeted = |min: Option<i64>, max: Option<i64>| {
        AutoBidRule::parse(&RuleInput {
            min_budget: min.map(Money::usd),
            max_budget: max.map(Money::usd),
            ..input()
        })
        .unwrap()
        .matches(Direction::Buy, ListingType::TaskExecution, &details)
    };
    assert!(budgeted(Some(20_000), Some(20_000)));
    assert!(!budgeted(Some(20_001), None));
    assert!(!budgeted(None, Some(19_999)));
    let demanding = AutoBidRule::parse(&RuleInput {
        min_listing_tier: Some(2),
        ..input()
    })
    .unwrap();
    assert!(!demanding.matches(Direction::Buy, ListingType::TaskExecution, &details));
}

#[test]
fn a_rule_bids_the_ceiling_capped_at_its_max_price() {
    let details = buy_details(); // ceiling $200
    let terms = rule().terms(&details).unwrap();
    assert_eq!(terms.price, Money::usd(5_000));
    assert_eq!(terms.sla_hours, SlaHours::parse(24).unwrap());
    let generous = AutoBidRule::parse(&RuleInput {
        max_price: Some(Money::usd(90_000)),
        preferred_sla_hours: None,
        ..input()
    })
    .unwrap();
    let terms = generous.terms(&details).unwrap();
    assert_eq!(terms.price, Money::usd(20_000));
    assert_eq!(terms.sla_hours, SlaHours::parse(SLA_HOURS_DEFAULT).unwrap());
}

#[test]
fn a_rule_out_of_bounds_does_not_parse() {
    let refused = |change: fn(&mut RuleInput)| {
        let mut input = input();
        change(&mut input);
        AutoBidRule::parse(&input).is_err()
    };
    assert!(refused(|i| i.max_price = None));
    assert!(refused(|i| i.max_price = Some(Money::usd(0))));
    assert!(refused(|i| i.category_tags.clear()));
    assert!(refused(|i| i.max_concurrent = Some(0)));
    assert!(refused(|i| i.max_concurrent = Some(21)));
    assert!(refused(|i| i.min_listing_tier = Some(3)));
    assert!(refused(|i| i.preferred_sla_hours = Some(169)));
    assert!(refused(|i| i.listing_types = vec!["gadget".to_owned()]));
    assert!(refused(|i| {
        i.min_budget = Some(Money::usd(500));
        i.max_budget = Some(Money::usd(100));
    }));
    assert!(refused(|i| i.scope_note = Some("x".repeat(301))));
}
