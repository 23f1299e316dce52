//! Given/when/then tests of the dispute's rules, and of a dispute carried
//! through its contract to the accounts.

use super::*;
use crate::actor::{Role, Standing};
use crate::contract::{
    account_commands, ContractEvent, ContractStatus, Deliverable, OpenContract, Party, ReviewWindow,
};
use crate::fee::FeePolicy;
use crate::ids::ListingId;
use crate::mode::Mode;
use crate::money::Money;
use chrono::{Duration, TimeZone, Utc};
use cqrs_es::test::TestFramework;
use uuid::Uuid;

type DisputeTest = TestFramework<Dispute>;

const DISPUTE: DisputeId = DisputeId(Uuid::from_u128(0xd1));
const CONTRACT: ContractId = ContractId(Uuid::from_u128(0xc0));
const BUYER: ActorId = ActorId(Uuid::from_u128(1));
const SELLER: ActorId = ActorId(Uuid::from_u128(2));
const STRANGER: ActorId = ActorId(Uuid::from_u128(3));
const ADMIN: ActorId = ActorId(Uuid::from_u128(9));

fn at(seconds: i64) -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 25, 12, 0, 0).unwrap() + Duration::seconds(seconds)
}

fn caller(actor: ActorId) -> Caller {
    Caller {
        actor,
        role: if actor == ADMIN {
            Role::Admin
        } else {
            Role::Human
        },
        standing: Standing::Active,
    }
}

fn disputed_contract() -> DisputedContract {
    DisputedContract {
        contract_id: CONTRACT,
        buyer: BUYER,
        seller: SELLER,
        milestone_in_review: None,
    }
}

fn open_by(actor: ActorId) -> DisputeCommand {
    DisputeCommand::Open {
        dispute_id: DISPUTE,
        contract: disputed_contract(),
        sequence: None,
        reason: " Output does not match schema ".to_owned(),
        by: caller(actor),
        at: at(10),
    }
}

fn opened() -> DisputeEvent {
    DisputeEvent::DisputeOpened {
        dispute_id: DISPUTE,
        contract_id: CONTRACT,
        buyer: BUYER,
        seller: SELLER,
        sequence: None,
        opened_by: BUYER,
        reason: "Output does not match schema".to_owned(),
        at: at(10),
    }
}

fn evidence(by: ActorId) -> DisputeCommand {
    DisputeCommand::SubmitEvidence {
        evidence: Evidence::parse("screenshot", "https://storage.humai.market/evidence/1.png")
            .unwrap(),
        by: caller(by),
        at: at(20),
    }
}

fn resolve(by: ActorId, resolution: Resolution) -> DisputeCommand {
    DisputeCommand::Resolve {
        resolution,
        note: Some("Output clearly incomplete".to_owned()),
        by: caller(by),
        at: at(30),
    }
}

fn resolved() -> DisputeEvent {
    DisputeEvent::DisputeResolved {
        resolution: Resolution::RefundBuyer,
        note: None,
        resolved_by: ADMIN,
        at: at(30),
    }
}

#[test]
fn the_buyer_or_the_seller_opens_a_dispute_with_a_reason() {
    DisputeTest::with(())
        .given_no_previous_events()
        .when(open_by(BUYER))
        .then_expect_events(vec![opened()]);
    assert!(Dispute::default().decide(&open_by(SELLER)).is_ok());
    assert!(matches!(
        Dispute::default().decide(&open_by(STRANGER)),
        Err(DomainError::Forbidden(_))
    ));
    let mut blank = open_by(BUYER);
    if let DisputeCommand::Open { reason, .. } = &mut blank {
        *reason = "  ".to_owned();
    }
    assert!(matches!(
        Dispute::default().decide(&blank),
        Err(DomainError::Invalid(_))
    ));
    DisputeTest::with(())
        .given(vec![opened()])
        .when(open_by(BUYER))
        .then_expect_error_message("this dispute already exists");
}

#[test]
fn evidence_comes_from_the_parties_numbered_and_bounded() {
    DisputeTest::with(())
        .given(vec![opened()])
        .when(evidence(SELLER))
        .then_expect_events(vec![DisputeEvent::EvidenceSubmitted {
            number: 1,
            submitted_by: SELLER,
            evidence: Evidence {
                evidence_type: "screenshot".to_owned(),
                content: "https://storage.humai.market/evidence/1.png".to_owned(),
            },
            at: at(20),
        }]);
    DisputeTest::with(())
        .given(vec![opened()])
        .when(evidence(STRANGER))
        .then_expect_error_message("only the dispute's parties or an admin may submit evidence");
    let mut full = vec![opened()];
    let mut dispute = Dispute::fold(&full);
    for _ in 0..EVIDENCE_MAX {
        let events = dispute.decide(&evidence(BUYER)).unwrap();
        for event in &events {
            dispute.apply(event);
        }
        full.extend(events);
    }
    assert!(matches!(
        dispute.decide(&evidence(BUYER)),
        Err(DomainError::LimitExceeded(_))
    ));
    DisputeTest::with(())
        .given(vec![opened(), resolved()])
        .when(evidence(BUYER))
        .then_expect_error_message("the dispute is already resolved");
    assert!(Evidence::parse("Screen Shot", "x").is_err());
    assert!(Evidence::parse("log", "").is_err());
    assert!(Evidence::parse("log", &"x".repeat(EVIDENCE_CONTENT_MAX_CHARS + 1)).is_err());
    assert_eq!(Evidence::parse(" URL ", "a").unwrap().evidence_type, "url");
}

#[test]
fn only_an_admin_resolves_and_only_once() {
    DisputeTest::with(())
        .given(vec![opened()])
        .when(resolve(ADMIN, Resolution::RefundBuyer))
        .then_expect_events(vec![DisputeEvent::DisputeResolved {
            resolution: Resolution::RefundBuyer,
            note: Some("Output clearly incomplete".to_owned()),
            resolved_by: ADMIN,
            at: at(30),
        }]);
    DisputeTest::with(())
        .given(vec![opened()])
        .when(resolve(BUYER, Resolution::RefundBuyer))
        .then_expect_error_message("only an admin may resolve a dispute");
    DisputeTest::with(())
        .given(vec![opened(), resolved()])
        .when(resolve(ADMIN, Resolution::ReleaseToSeller))
        .then_expect_error_message("the dispute is already resolved");
    DisputeTest::with(())
        .given_no_previous_events()
        .when(resolve(ADMIN, Resolution::RefundBuyer))
        .then_expect_error_message("dispute not found");
}

/// Decides a command on the contract and applies it: what the bus does with
/// the contract's side of a dispute's append.
fn on_contract(contract: &mut Contract, command: &ContractCommand) -> Vec<ContractEvent> {
    let events = contract.decide(command).unwrap();
    for event in &events {
        contract.apply(event);
    }
    events
}

#[test]
fn a_dispute_moves_its_contract_from_disputed_to_resolved_in_the_same_append() {
    let mut contract = Contract::default();
    let open = OpenContract {
        contract_id: CONTRACT,
        mode: Mode::Live,
        buyer: Party::human(BUYER),
        seller: Party::human(SELLER),
        listing_id: ListingId(Uuid::from_u128(0x11)),
        bid_id: None,
        price: Money::usd(10_000),
        sla_hours: 24,
        milestones: Vec::new(),
        fee: FeePolicy::percent("10").unwrap(),
        parent: None,
        at: at(0),
    };
    on_contract(&mut contract, &ContractCommand::Open(Box::new(open)));
    on_contract(
        &mut contract,
        &ContractCommand::Assign {
            by: caller(SELLER),
            at: at(1),
        },
    );
    on_contract(
        &mut contract,
        &ContractCommand::Deliver {
            by: caller(SELLER),
            deliverable: Deliverable::parse(serde_json::json!({}), None).unwrap(),
            review_window: ReviewWindow::default(),
            at: at(2),
        },
    );
    assert_eq!(DisputedContract::of(&contract), Ok(disputed_contract()));

    let mut dispute = Dispute::default();
    let events = dispute.decide(&open_by(BUYER)).unwrap();
    let (contract_id, command) = contract_command(&dispute, &events, &caller(BUYER)).unwrap();
    assert_eq!(contract_id, CONTRACT);
    for event in &events {
        dispute.apply(event);
    }
    let disputed = on_contract(&mut contract, &command);
    assert!(matches!(
        &disputed[..],
        [ContractEvent::ContractDisputed {
            dispute_id: DISPUTE,
            by: BUYER,
            ..
        }]
    ));
    assert_eq!(contract.status, ContractStatus::Disputed);
    assert!(contract_command(
        &dispute,
        &dispute.decide(&evidence(SELLER)).unwrap(),
        &caller(SELLER)
    )
    .is_none());

    let events = dispute
        .decide(&resolve(ADMIN, Resolution::split(25).unwrap()))
        .unwrap();
    let (_, command) = contract_command(&dispute, &events, &caller(ADMIN)).unwrap();
    let before = contract.clone();
    let settled = on_contract(&mut contract, &command);
    assert_eq!(contract.status, ContractStatus::Resolved);
    let accounts = account_commands(&before, &settled);
    // The seller's quarter captured (fee on it) and paid; the rest released.
    let amounts: Vec<_> = accounts
        .iter()
        .map(|(_, command)| match command {
            crate::account::AccountCommand::CaptureHold { gross, fee, .. } => {
                ("capture", gross.cents, fee.cents)
            }
            crate::account::AccountCommand::ReceivePayment { amount, .. } => {
                ("payment", amount.cents, 0)
            }
            crate::account::AccountCommand::ReleaseHold { amount, .. } => {
                ("release", amount.cents, 0)
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        amounts,
        [
            ("capture", 2_500, 250),
            ("payment", 2_250, 0),
            ("release", 7_500, 0)
        ]
    );
}
