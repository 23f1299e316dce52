//! Given/when/then tests of the contract's rules, and of the money its
//! events move through the accounts.

use super::*;
use crate::account::{Account, AccountCommand, AccountId, Funding};
use crate::actor::{Caller, Role, Standing};
use crate::aggregate::Aggregate;
use crate::dispute::Resolution;
use crate::error::DomainError;
use crate::fee::FeePolicy;
use crate::ids::{ActorId, ContractId, DisputeId, FundingId, ListingId, TaskId};
use crate::ledger;
use crate::mode::Mode;
use crate::money::Money;
use crate::Timestamp;
use chrono::{Duration, TimeZone, Utc};
use cqrs_es::test::TestFramework;
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

type ContractTest = TestFramework<Contract>;

const CONTRACT: ContractId = ContractId(Uuid::from_u128(0xc0));
const CHILD: ContractId = ContractId(Uuid::from_u128(0xc1));
const LISTING: ListingId = ListingId(Uuid::from_u128(0x11));
const ALICE: ActorId = ActorId(Uuid::from_u128(1));
const AGENT_A: ActorId = ActorId(Uuid::from_u128(2));
const AGENT_B: ActorId = ActorId(Uuid::from_u128(3));
const STRANGER: ActorId = ActorId(Uuid::from_u128(4));
const DISPUTE: DisputeId = DisputeId(Uuid::from_u128(0xd1));
/// The seed's example: $75, of which the platform keeps $7.50.
const PRICE_CENTS: i64 = 7_500;
const SLA_HOURS: u32 = 24;

fn at(seconds: i64) -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 25, 12, 0, 0).unwrap() + Duration::seconds(seconds)
}

fn caller(actor: ActorId) -> Caller {
    Caller {
        actor,
        role: Role::Agent,
        standing: Standing::Active,
    }
}

fn alice() -> Party {
    Party::human(ALICE)
}

fn agent_a() -> Party {
    Party::agent(AGENT_A, "0xAAAA").unwrap()
}

fn agent_b() -> Party {
    Party::agent(AGENT_B, "0xBBBB").unwrap()
}

fn humai_fee() -> FeePolicy {
    FeePolicy::percent("10").unwrap()
}

fn open_with(price: i64, milestones: Vec<MilestoneSpec>) -> OpenContract {
    OpenContract {
        contract_id: CONTRACT,
        mode: Mode::Live,
        buyer: alice(),
        seller: agent_a(),
        listing_id: LISTING,
        bid_id: None,
        price: Money::usd(price),
        sla_hours: SLA_HOURS,
        milestones,
        fee: humai_fee(),
        parent: None,
        at: at(0),
    }
}

fn open(price: i64) -> ContractCommand {
    ContractCommand::Open(Box::new(open_with(price, Vec::new())))
}

fn forty_sixty() -> Vec<MilestoneSpec> {
    vec![
        MilestoneSpec::parse("Data collection", 40, 24).unwrap(),
        MilestoneSpec::parse("Analysis report", 60, 48).unwrap(),
    ]
}

/// The events a command decides on a contract with this history.
fn decided(history: &[ContractEvent], command: ContractCommand) -> Vec<ContractEvent> {
    Contract::fold(history).decide(&command).unwrap()
}

fn refused(history: &[ContractEvent], command: ContractCommand) -> DomainError {
    Contract::fold(history).decide(&command).unwrap_err()
}

fn opened(price: i64) -> Vec<ContractEvent> {
    decided(&[], open(price))
}

fn opened_with_milestones(price: i64) -> Vec<ContractEvent> {
    decided(
        &[],
        ContractCommand::Open(Box::new(open_with(price, forty_sixty()))),
    )
}

fn assign(history: &mut Vec<ContractEvent>) {
    let events = decided(history, assign_by(AGENT_A, 60));
    history.extend(events);
}

fn assign_by(actor: ActorId, second: i64) -> ContractCommand {
    ContractCommand::Assign {
        by: caller(actor),
        at: at(second),
    }
}

fn deliverable() -> Deliverable {
    Deliverable::parse(
        json!({ "summary": "5 competitors", "data_points": 47 }),
        None,
    )
    .unwrap()
}

fn deliver(second: i64) -> ContractCommand {
    ContractCommand::Deliver {
        by: caller(AGENT_A),
        deliverable: deliverable(),
        review_window: ReviewWindow::default(),
        at: at(second),
    }
}

fn deliver_milestone(sequence: u32, second: i64) -> ContractCommand {
    ContractCommand::DeliverMilestone {
        by: caller(AGENT_A),
        sequence,
        deliverable: deliverable(),
        review_window: ReviewWindow::default(),
        at: at(second),
    }
}

fn accept_milestone(sequence: u32, second: i64) -> ContractCommand {
    ContractCommand::AcceptMilestone {
        by: caller(ALICE),
        sequence,
        at: at(second),
    }
}

fn delivered(price: i64) -> Vec<ContractEvent> {
    let mut history = opened(price);
    assign(&mut history);
    let events = decided(&history, deliver(120));
    history.extend(events);
    history
}

fn then(history: &[ContractEvent], command: ContractCommand) -> Vec<ContractEvent> {
    let mut all = history.to_vec();
    all.extend(decided(history, command));
    all
}

/// The buyer's and the seller's accounts, funded, and every account
/// command the contract's events imply decided and applied in order: what
/// the bus would append. Checks every account event's postings balance.
#[derive(Default)]
struct Books {
    accounts: BTreeMap<AccountId, Account>,
    postings_cents: i64,
}

impl Books {
    fn funded(actor: ActorId, cents: i64) -> Books {
        let mut books = Books::default();
        let account = AccountId::usd(actor, Mode::Live);
        books
            .run(vec![(
                account,
                AccountCommand::Fund {
                    account,
                    funding_id: FundingId(Uuid::from_u128(0xf)),
                    amount: Money::usd(cents),
                    funding: Funding::Deposit {
                        provider: "sandbox".to_owned(),
                    },
                    at: at(0),
                },
            )])
            .unwrap();
        books
    }

    fn run(&mut self, commands: Vec<(AccountId, AccountCommand)>) -> Result<(), DomainError> {
        for (id, command) in commands {
            let account = self.accounts.entry(id).or_default();
            for event in account.decide(&command)? {
                self.postings_cents += ledger::postings(&id, &event)
                    .iter()
                    .map(|p| p.amount_cents)
                    .sum::<i64>();
                account.apply(&event);
            }
        }
        Ok(())
    }

    /// Runs a contract's whole history through the accounts.
    fn settle(&mut self, history: &[ContractEvent]) {
        let mut contract = Contract::default();
        for event in history {
            let commands = account_commands(&contract, std::slice::from_ref(event));
            self.run(commands).unwrap();
            contract.apply(event);
        }
    }

    fn account(&self, actor: ActorId) -> Account {
        self.accounts
            .get(&AccountId::usd(actor, Mode::Live))
            .cloned()
            .unwrap_or_default()
    }
}

#[test]
fn opening_holds_the_price_on_the_buyers_account_and_quotes_fee_and_payout() {
    ContractTest::with(())
        .given_no_previous_events()
        .when(open(PRICE_CENTS))
        .then_expect_events(vec![ContractEvent::ContractOpened {
            contract_id: CONTRACT,
            mode: Mode::Live,
            buyer: alice(),
            seller: agent_a(),
            listing_id: LISTING,
            bid_id: None,
            price: Money::usd(PRICE_CENTS),
            fee_policy: humai_fee(),
            platform_fee: Money::usd(750),
            seller_payout: Money::usd(6_750),
            sla_hours: SLA_HOURS,
            milestones: Vec::new(),
            parent: None,
            root: CONTRACT,
            depth: 0,
            chain_actors: vec![ALICE, AGENT_A],
            account: AccountId::usd(ALICE, Mode::Live),
            hold_id: hold_id(CONTRACT),
            at: at(0),
        }]);
    let commands = account_commands(&Contract::default(), &opened(PRICE_CENTS));
    assert_eq!(
        commands,
        vec![(
            AccountId::usd(ALICE, Mode::Live),
            AccountCommand::PlaceHold {
                account: AccountId::usd(ALICE, Mode::Live),
                hold_id: hold_id(CONTRACT),
                task_id: TaskId(CONTRACT.0),
                amount: Money::usd(PRICE_CENTS),
                at: at(0),
            }
        )]
    );
    let state = Contract::fold(&opened(PRICE_CENTS));
    assert_eq!(state.status, ContractStatus::PendingPayment);
    assert_eq!(state.held_cents, PRICE_CENTS);
}

#[test]
fn a_buyer_without_the_money_cannot_open() {
    let mut books = Books::funded(ALICE, PRICE_CENTS - 1);
    let commands = account_commands(&Contract::default(), &opened(PRICE_CENTS));
    assert!(matches!(
        books.run(commands),
        Err(DomainError::InsufficientFunds { .. })
    ));
}

#[test]
fn buying_from_yourself_or_your_owners_other_agent_is_self_dealing() {
    let mut same_actor = open_with(PRICE_CENTS, Vec::new());
    same_actor.seller = alice();
    let mut same_owner = open_with(PRICE_CENTS, Vec::new());
    same_owner.buyer = Party::agent(AGENT_B, "0xaaaa").unwrap();
    for command in [same_actor, same_owner] {
        let error = refused(&[], ContractCommand::Open(Box::new(command)));
        assert_eq!(error.code(), Some("self_dealing_not_permitted"));
    }
}

#[test]
fn an_opening_out_of_bounds_is_refused() {
    let mut free = open_with(0, Vec::new());
    free.price = Money::usd(0);
    assert!(matches!(
        refused(&[], ContractCommand::Open(Box::new(free))),
        DomainError::Invalid(_)
    ));
    let mut uneven = open_with(PRICE_CENTS, forty_sixty());
    uneven.milestones[1].pct_of_total = 50;
    let error = refused(&[], ContractCommand::Open(Box::new(uneven)));
    assert_eq!(error.code(), Some("milestone_sum_invalid"));
    assert!(refused(&opened(PRICE_CENTS), open(PRICE_CENTS))
        .to_string()
        .contains("already exists"));
}

#[test]
fn an_agent_buying_names_its_parent_transaction() {
    let error = ensure_parent_named(&agent_a(), None).unwrap_err();
    assert_eq!(error.code(), Some("missing_parent_transaction"));
    assert_eq!(ensure_parent_named(&agent_a(), Some(CONTRACT)), Ok(()));
    assert_eq!(ensure_parent_named(&alice(), None), Ok(()));
}

#[test]
fn assigning_starts_the_sla_and_only_the_parties_may() {
    ContractTest::with(())
        .given(opened(PRICE_CENTS))
        .when(assign_by(ALICE, 60))
        .then_expect_events(vec![ContractEvent::ContractAssigned {
            by: ALICE,
            sla_due_at: at(60) + Duration::hours(24),
            milestone_due_at: None,
            at: at(60),
        }]);
    assert!(matches!(
        refused(&opened(PRICE_CENTS), assign_by(STRANGER, 60)),
        DomainError::Forbidden(_)
    ));
    let mut assigned = opened(PRICE_CENTS);
    assign(&mut assigned);
    assert!(matches!(
        refused(&assigned, assign_by(ALICE, 61)),
        DomainError::Conflict(_)
    ));
}

#[test]
fn the_seller_delivers_and_the_buyer_has_the_review_window() {
    let mut history = opened(PRICE_CENTS);
    assign(&mut history);
    ContractTest::with(())
        .given(history.clone())
        .when(deliver(120))
        .then_expect_events(vec![ContractEvent::DeliverySubmitted {
            output_data: json!({ "summary": "5 competitors", "data_points": 47 }),
            storage_path: None,
            late: false,
            review_due_at: at(120) + Duration::hours(48),
            at: at(120),
        }]);
    let buyer_delivering = ContractCommand::Deliver {
        by: caller(ALICE),
        deliverable: deliverable(),
        review_window: ReviewWindow::default(),
        at: at(120),
    };
    assert!(matches!(
        refused(&history, buyer_delivering),
        DomainError::Forbidden(_)
    ));
    // After the SLA: delivered late, a fact the reputation keeps.
    let late = decided(&history, deliver(60 + 25 * 3_600));
    assert!(matches!(
        late[0],
        ContractEvent::DeliverySubmitted { late: true, .. }
    ));
    // Nothing is delivered before assignment.
    assert!(matches!(
        refused(&opened(PRICE_CENTS), deliver(120)),
        DomainError::Conflict(_)
    ));
}

#[test]
fn a_deliverable_is_a_bounded_json_object() {
    assert!(Deliverable::parse(json!("text"), None).is_err());
    let huge = json!({ "blob": "x".repeat(OUTPUT_DATA_MAX_BYTES) });
    assert!(Deliverable::parse(huge, None).is_err());
    let with_path = Deliverable::parse(json!({}), Some(" deliverables/1/report.pdf ")).unwrap();
    assert_eq!(
        with_path.storage_path.as_deref(),
        Some("deliverables/1/report.pdf")
    );
    assert!(Deliverable::parse(json!({}), Some(&"p".repeat(1_025))).is_err());
    assert!(ReviewWindow::new(Duration::zero()).is_err());
    assert!(ReviewWindow::new(Duration::days(31)).is_err());
}

#[test]
fn accepting_pays_the_seller_the_price_less_the_fee_and_completes_the_sale() {
    let history = delivered(PRICE_CENTS);
    let settlement_id = escrow::acceptance_settlement(hold_id(CONTRACT));
    ContractTest::with(())
        .given(history.clone())
        .when(ContractCommand::Accept {
            by: caller(ALICE),
            at: at(200),
        })
        .then_expect_events(vec![
            ContractEvent::ContractAccepted {
                settlement_id,
                gross: Money::usd(PRICE_CENTS),
                fee: Money::usd(750),
                payout: Money::usd(6_750),
                auto: false,
                at: at(200),
            },
            ContractEvent::ContractCompleted {
                listing_id: LISTING,
                buyer: ALICE,
                seller: AGENT_A,
                price: Money::usd(PRICE_CENTS),
                on_time: true,
                at: at(200),
            },
        ]);
    let accepted = then(
        &history,
        ContractCommand::Accept {
            by: caller(ALICE),
            at: at(200),
        },
    );
    let mut books = Books::funded(ALICE, 10_000);
    books.settle(&accepted);
    assert_eq!(books.account(ALICE).available_cents, 10_000 - PRICE_CENTS);
    assert_eq!(books.account(ALICE).held_cents, 0);
    assert_eq!(books.account(AGENT_A).available_cents, 6_750);
    // Deposit in, 67.50 to the seller, 7.50 to the platform: every posting balanced.
    assert_eq!(books.postings_cents, 0);
    let state = Contract::fold(&accepted);
    assert_eq!(
        (state.status, state.held_cents),
        (ContractStatus::Completed, 0)
    );
    // Twice pays once.
    assert!(matches!(
        refused(
            &accepted,
            ContractCommand::Accept {
                by: caller(ALICE),
                at: at(201)
            }
        ),
        DomainError::Conflict(_)
    ));
    // Only the buyer accepts.
    assert!(matches!(
        refused(
            &history,
            ContractCommand::Accept {
                by: caller(AGENT_A),
                at: at(200)
            }
        ),
        DomainError::Forbidden(_)
    ));
}

#[test]
fn the_review_window_accepts_for_a_silent_buyer_once_it_has_run_out() {
    let history = delivered(PRICE_CENTS);
    let due = 120 + 48 * 3_600;
    assert!(
        refused(&history, ContractCommand::AutoAccept { at: at(due - 1) })
            .to_string()
            .contains("still open")
    );
    let events = decided(&history, ContractCommand::AutoAccept { at: at(due) });
    assert!(matches!(
        events[0],
        ContractEvent::ContractAccepted { auto: true, gross, .. } if gross.cents == PRICE_CENTS
    ));
    // Fired again after acceptance, or after a dispute: nothing to do.
    let mut accepted = history.clone();
    accepted.extend(events);
    assert!(matches!(
        refused(&accepted, ContractCommand::AutoAccept { at: at(due + 1) }),
        DomainError::Conflict(_)
    ));
    let disputed = then(&history, dispute(None, 300));
    assert!(matches!(
        refused(&disputed, ContractCommand::AutoAccept { at: at(due + 1) }),
        DomainError::Conflict(_)
    ));
}

#[test]
fn milestones_are_delivered_in_order_and_each_pays_its_share() {
    let mut history = opened_with_milestones(10_000);
    assign(&mut history);
    let state = Contract::fold(&history);
    assert_eq!(state.milestones[0].status, MilestoneStatus::InProgress);
    assert_eq!(
        state.milestones[0].due_at,
        Some(at(60) + Duration::hours(24))
    );
    // Milestone 2 waits for milestone 1's acceptance.
    assert!(refused(&history, deliver_milestone(2, 100))
        .to_string()
        .contains("milestone 1 must be accepted"));
    assert!(matches!(
        refused(&history, deliver_milestone(3, 100)),
        DomainError::NotFound("milestone")
    ));
    // The whole-contract commands point to the milestones.
    assert_eq!(
        refused(&history, deliver(100)).code(),
        Some("milestone_delivery_required")
    );
    let history = then(&history, deliver_milestone(1, 100));
    assert!(matches!(
        refused(&history, deliver_milestone(1, 101)),
        DomainError::Conflict(_)
    ));
    ContractTest::with(())
        .given(history.clone())
        .when(accept_milestone(1, 200))
        .then_expect_events(vec![ContractEvent::MilestoneAccepted {
            sequence: 1,
            settlement_id: escrow::milestone_settlement(hold_id(CONTRACT), 1),
            // The seed: milestone 1 at 40 % of $100 pays $40 minus the fee.
            gross: Money::usd(4_000),
            fee: Money::usd(400),
            payout: Money::usd(3_600),
            auto: false,
            next_due_at: Some(at(200) + Duration::hours(48)),
            at: at(200),
        }]);
    let history = then(&history, accept_milestone(1, 200));
    let history = then(&history, deliver_milestone(2, 300));
    let last = decided(&history, accept_milestone(2, 400));
    assert!(matches!(
        &last[..],
        [
            ContractEvent::MilestoneAccepted { sequence: 2, gross, next_due_at: None, .. },
            ContractEvent::ContractCompleted { .. },
        ] if gross.cents == 6_000
    ));
    let mut finished = history.clone();
    finished.extend(last);
    let mut books = Books::funded(ALICE, 10_000);
    books.settle(&finished);
    assert_eq!(books.account(AGENT_A).available_cents, 9_000);
    assert_eq!(books.account(ALICE).held_cents, 0);
    assert_eq!(books.postings_cents, 0);
    assert_eq!(Contract::fold(&finished).status, ContractStatus::Completed);
}

#[test]
fn odd_milestone_shares_still_pay_out_exactly_the_price() {
    let specs = vec![
        MilestoneSpec::parse("a", 30, 1).unwrap(),
        MilestoneSpec::parse("b", 30, 1).unwrap(),
        MilestoneSpec::parse("c", 30, 1).unwrap(),
        MilestoneSpec::parse("d", 10, 1).unwrap(),
    ];
    let mut history = decided(
        &[],
        ContractCommand::Open(Box::new(open_with(1_001, specs))),
    );
    assign(&mut history);
    for sequence in 1..=4 {
        history = then(&history, deliver_milestone(sequence, 100));
        // The last one is accepted by the review window's timer.
        history = if sequence == 4 {
            then(
                &history,
                ContractCommand::AutoAccept {
                    at: at(100 + 48 * 3_600),
                },
            )
        } else {
            then(&history, accept_milestone(sequence, 200))
        };
    }
    let mut books = Books::funded(ALICE, 1_001);
    books.settle(&history);
    let seller = books.account(AGENT_A);
    let buyer = books.account(ALICE);
    assert_eq!((buyer.available_cents, buyer.held_cents), (0, 0));
    assert_eq!(seller.available_cents + buyer.fees_paid_cents, 1_001);
    assert_eq!(Contract::fold(&history).status, ContractStatus::Completed);
}

fn dispute(sequence: Option<u32>, second: i64) -> ContractCommand {
    ContractCommand::Dispute {
        by: caller(ALICE),
        dispute_id: DISPUTE,
        sequence,
        reason: "Output does not match the agreed schema".to_owned(),
        at: at(second),
    }
}

fn settle(resolution: Resolution, second: i64) -> ContractCommand {
    ContractCommand::SettleDispute {
        dispute_id: DISPUTE,
        resolution,
        at: at(second),
    }
}

#[test]
fn a_disputed_delivery_keeps_its_hold_until_an_admin_settles_it() {
    let history = delivered(PRICE_CENTS);
    ContractTest::with(())
        .given(history.clone())
        .when(dispute(None, 300))
        .then_expect_events(vec![ContractEvent::ContractDisputed {
            dispute_id: DISPUTE,
            sequence: None,
            by: ALICE,
            reason: "Output does not match the agreed schema".to_owned(),
            at: at(300),
        }]);
    let disputed = then(&history, dispute(None, 300));
    assert!(
        account_commands(&Contract::fold(&history), &disputed[disputed.len() - 1..]).is_empty()
    );
    assert_eq!(
        refused(&disputed, dispute(None, 301)).code(),
        Some("dispute_already_open")
    );
    assert!(matches!(
        refused(
            &disputed,
            ContractCommand::Accept {
                by: caller(ALICE),
                at: at(302)
            }
        ),
        DomainError::Conflict(_)
    ));
    // Only a delivered contract can be disputed.
    let mut assigned = opened(PRICE_CENTS);
    assign(&mut assigned);
    assert!(matches!(
        refused(&assigned, dispute(None, 300)),
        DomainError::Conflict(_)
    ));
}

#[test]
fn a_settlement_refunds_releases_or_splits_the_stake_exactly() {
    let disputed = then(&delivered(PRICE_CENTS), dispute(None, 300));
    // (resolution, buyer's available after, seller's available after)
    let cases = [
        (Resolution::RefundBuyer, 10_000, 0),
        (Resolution::ReleaseToSeller, 10_000 - PRICE_CENTS, 6_750),
        // Half of $75 is $37.50 for the seller, less 10 %: $33.75.
        (Resolution::split(50).unwrap(), 10_000 - 3_750, 3_375),
    ];
    for (resolution, buyer_after, seller_after) in cases {
        let settled = then(&disputed, settle(resolution, 400));
        let mut books = Books::funded(ALICE, 10_000);
        books.settle(&settled);
        assert_eq!(
            books.account(ALICE).available_cents,
            buyer_after,
            "{resolution:?}"
        );
        assert_eq!(books.account(ALICE).held_cents, 0, "{resolution:?}");
        assert_eq!(
            books.account(AGENT_A).available_cents,
            seller_after,
            "{resolution:?}"
        );
        assert_eq!(books.postings_cents, 0);
        let state = Contract::fold(&settled);
        assert_eq!(
            (state.status, state.held_cents),
            (ContractStatus::Resolved, 0)
        );
        // Settled once.
        assert!(matches!(
            refused(&settled, settle(resolution, 401)),
            DomainError::Conflict(_)
        ));
    }
    let other = ContractCommand::SettleDispute {
        dispute_id: DisputeId(Uuid::from_u128(0xd2)),
        resolution: Resolution::RefundBuyer,
        at: at(400),
    };
    assert!(matches!(
        refused(&disputed, other),
        DomainError::Conflict(_)
    ));
}

#[test]
fn a_milestones_dispute_settles_that_milestone_and_the_work_goes_on() {
    let mut history = opened_with_milestones(10_000);
    assign(&mut history);
    let history = then(&history, deliver_milestone(1, 100));
    // Disputes name no milestone: the one under review is meant.
    let disputed = then(&history, dispute(None, 150));
    assert!(matches!(
        disputed.last(),
        Some(ContractEvent::ContractDisputed {
            sequence: Some(1),
            ..
        })
    ));
    let settled = then(&disputed, settle(Resolution::RefundBuyer, 200));
    assert!(matches!(
        settled.last(),
        Some(ContractEvent::DisputeSettled { sequence: Some(1), outcome, next_due_at: Some(_), .. })
            if outcome.stake.cents == 4_000 && outcome.refund.cents == 4_000
    ));
    let state = Contract::fold(&settled);
    assert_eq!(state.status, ContractStatus::Assigned);
    assert_eq!(state.held_cents, 6_000);
    assert_eq!(state.milestones[0].status, MilestoneStatus::Resolved);
    assert_eq!(state.milestones[1].status, MilestoneStatus::InProgress);
    let finished = then(
        &then(&settled, deliver_milestone(2, 300)),
        accept_milestone(2, 400),
    );
    let mut books = Books::funded(ALICE, 10_000);
    books.settle(&finished);
    assert_eq!(books.account(ALICE).available_cents, 4_000);
    assert_eq!(books.account(AGENT_A).available_cents, 5_400);
    assert_eq!(books.postings_cents, 0);
}

/// A's contract with Alice, assigned: the parent of the subcontract tests.
fn parent() -> Vec<ContractEvent> {
    let mut history = opened(10_000);
    assign(&mut history);
    history
}

fn subcontract(parent: &[ContractEvent], seller: Party, price: i64) -> OpenContract {
    OpenContract {
        contract_id: CHILD,
        buyer: agent_a(),
        seller,
        price: Money::usd(price),
        parent: Some(ParentLink::of(&Contract::fold(parent)).unwrap()),
        ..open_with(price, Vec::new())
    }
}

#[test]
fn a_subcontract_extends_the_chain_and_is_recorded_on_its_parent() {
    let parent_history = parent();
    let child = decided(
        &[],
        ContractCommand::Open(Box::new(subcontract(&parent_history, agent_b(), 4_000))),
    );
    assert!(matches!(
        &child[0],
        ContractEvent::ContractOpened { depth: 1, root, parent: Some(p), chain_actors, account, .. }
            if *root == CONTRACT && *p == CONTRACT
                && chain_actors == &vec![ALICE, AGENT_A, AGENT_B]
                && account.owner == AGENT_A
    ));
    let (parent_id, record) = parent_command(&child).unwrap();
    assert_eq!(parent_id, CONTRACT);
    ContractTest::with(())
        .given(parent_history.clone())
        .when(record.clone())
        .then_expect_events(vec![ContractEvent::SubcontractOpened {
            child: CHILD,
            seller: AGENT_B,
            price: Money::usd(4_000),
            at: at(0),
        }]);
    let recorded = then(&parent_history, record);
    // $40 of $100 is committed: $60 more fits, $60.01 does not.
    let another = |cents| ContractCommand::RecordSubcontract {
        child: ContractId(Uuid::from_u128(0xc2)),
        buyer: AGENT_A,
        seller: STRANGER,
        price: Money::usd(cents),
        at: at(1),
    };
    assert!(Contract::fold(&recorded).decide(&another(6_000)).is_ok());
    assert_eq!(
        refused(&recorded, another(6_001)).code(),
        Some("budget_exceeded")
    );
}

#[test]
fn a_parent_records_children_only_of_its_seller_while_assigned() {
    let record = |buyer| ContractCommand::RecordSubcontract {
        child: CHILD,
        buyer,
        seller: AGENT_B,
        price: Money::usd(100),
        at: at(1),
    };
    assert!(matches!(
        refused(&parent(), record(ALICE)),
        DomainError::Forbidden(_)
    ));
    assert!(matches!(
        refused(&opened(10_000), record(AGENT_A)),
        DomainError::Conflict(_)
    ));
    let delivered = then(&parent(), deliver(100));
    assert!(matches!(
        refused(&delivered, record(AGENT_A)),
        DomainError::Conflict(_)
    ));
    assert!(matches!(
        refused(&[], record(AGENT_A)),
        DomainError::NotFound(_)
    ));
}

#[test]
fn a_chain_never_returns_to_an_actor_nor_grows_beyond_depth_three() {
    let parent_history = parent();
    // Selling back to the root's buyer closes a circle.
    let back_to_alice = subcontract(&parent_history, Party::human(ALICE), 1_000);
    let error = refused(&[], ContractCommand::Open(Box::new(back_to_alice)));
    assert_eq!(error.code(), Some("circular_chain_detected"));

    let mut deep = subcontract(&parent_history, agent_b(), 1_000);
    let link = deep.parent.as_mut().unwrap();
    link.depth = MAX_CHAIN_DEPTH;
    let error = refused(&[], ContractCommand::Open(Box::new(deep.clone())));
    assert_eq!(error.code(), Some("max_chain_depth_exceeded"));
    deep.parent.as_mut().unwrap().depth = MAX_CHAIN_DEPTH - 1;
    let events = decided(&[], ContractCommand::Open(Box::new(deep)));
    assert!(matches!(
        events[0],
        ContractEvent::ContractOpened {
            depth: MAX_CHAIN_DEPTH,
            ..
        }
    ));
    assert!(matches!(
        ParentLink::of(&Contract::default()),
        Err(DomainError::NotFound(_))
    ));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// How the buyer answers one milestone's delivery.
    #[derive(Debug, Clone, Copy)]
    enum Answer {
        Accept,
        AutoAccept,
        Dispute(u8),
    }

    fn answer() -> impl Strategy<Value = Answer> {
        prop_oneof![
            Just(Answer::Accept),
            Just(Answer::AutoAccept),
            (0u8..=100).prop_map(Answer::Dispute),
        ]
    }

    fn resolution(seller_pct: u8) -> Resolution {
        match seller_pct {
            0 => Resolution::RefundBuyer,
            100 => Resolution::ReleaseToSeller,
            pct => Resolution::split(i64::from(pct)).unwrap(),
        }
    }

    /// Splits 100 into `parts` positive shares.
    fn plan(cuts: Vec<u8>) -> Vec<MilestoneSpec> {
        let mut cuts: Vec<u8> = cuts.into_iter().map(|c| c % 99 + 1).collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut bounds = vec![0u8];
        bounds.extend(cuts);
        bounds.push(100);
        bounds
            .windows(2)
            .map(|w| MilestoneSpec::parse("part", i64::from(w[1] - w[0]), 1).unwrap())
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// However each milestone ends — accepted by the buyer or the timer, or disputed
        /// and resolved any way — the hold ends empty, the seller's captures and the
        /// buyer's refunds sum to the price, and every posting balances.
        #[test]
        fn every_cent_of_the_price_ends_with_the_seller_or_back_with_the_buyer(
            price in 1i64..=2_000_000,
            cuts in proptest::collection::vec(any::<u8>(), 0..5),
            answers in proptest::collection::vec(answer(), 6),
        ) {
            let specs = plan(cuts);
            let count = specs.len() as u32;
            let mut history =
                decided(&[], ContractCommand::Open(Box::new(open_with(price, specs))));
            assign(&mut history);
            let mut second = 100;
            for (sequence, answer) in (1..=count).zip(answers) {
                second += 10;
                history = then(&history, deliver_milestone(sequence, second));
                history = match answer {
                    Answer::Accept => then(&history, accept_milestone(sequence, second + 1)),
                    Answer::AutoAccept => then(
                        &history,
                        ContractCommand::AutoAccept { at: at(second + 48 * 3_600) },
                    ),
                    Answer::Dispute(pct) => {
                        let dispute_id = DisputeId(Uuid::from_u128(0xd000 + u128::from(sequence)));
                        let opened = then(
                            &history,
                            ContractCommand::Dispute {
                                by: caller(ALICE),
                                dispute_id,
                                sequence: None,
                                reason: "no".to_owned(),
                                at: at(second + 1),
                            },
                        );
                        then(
                            &opened,
                            ContractCommand::SettleDispute {
                                dispute_id,
                                resolution: resolution(pct),
                                at: at(second + 2),
                            },
                        )
                    }
                };
            }
            let mut books = Books::funded(ALICE, price);
            books.settle(&history);
            let buyer = books.account(ALICE);
            let seller = books.account(AGENT_A);
            prop_assert_eq!(buyer.held_cents, 0);
            prop_assert_eq!(
                seller.available_cents + buyer.fees_paid_cents + buyer.available_cents,
                price
            );
            prop_assert_eq!(books.postings_cents, 0);
            let state = Contract::fold(&history);
            prop_assert_eq!(state.held_cents, 0);
            prop_assert!(matches!(
                state.status,
                ContractStatus::Completed | ContractStatus::Resolved
            ));
        }
    }
}
