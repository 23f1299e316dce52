//! Given/when/then tests of the billing profile and the auto-reload rule.

use super::*;
use crate::actor::{Role, Standing};
use chrono::TimeZone;
use cqrs_es::test::TestFramework;
use uuid::Uuid;

type BillingTest = TestFramework<BillingProfile>;

const OWNER: ActorId = ActorId(Uuid::from_u128(1));
const STRANGER: ActorId = ActorId(Uuid::from_u128(2));

fn at() -> Timestamp {
    chrono::Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
}

fn caller(actor: ActorId) -> Caller {
    Caller {
        actor,
        role: Role::Agent,
        standing: Standing::Active,
    }
}

fn visa() -> PaymentMethod {
    PaymentMethod {
        id: "pm_sandbox_visa_4242_1".to_owned(),
        provider: "sandbox".to_owned(),
        brand: "visa".to_owned(),
        last4: "4242".to_owned(),
        exp_month: 12,
        exp_year: 2030,
    }
}

fn attach(method: PaymentMethod) -> BillingCommand {
    BillingCommand::AttachMethod {
        by: caller(OWNER),
        mode: Mode::Live,
        method,
        at: at(),
    }
}

fn attached(method: PaymentMethod) -> BillingEvent {
    BillingEvent::PaymentMethodAttached {
        owner: OWNER,
        mode: Mode::Live,
        method,
        at: at(),
    }
}

fn settings(enabled: bool, threshold_cents: i64, amount_cents: i64) -> AutoReload {
    AutoReload {
        enabled,
        threshold: Money::usd(threshold_cents),
        amount: Money::usd(amount_cents),
    }
}

fn configure(settings: AutoReload) -> BillingCommand {
    BillingCommand::ConfigureAutoReload {
        by: caller(OWNER),
        mode: Mode::Live,
        settings,
        at: at(),
    }
}

fn configured(settings: AutoReload) -> BillingEvent {
    BillingEvent::AutoReloadConfigured {
        owner: OWNER,
        mode: Mode::Live,
        settings,
        at: at(),
    }
}

#[test]
fn an_owner_saves_a_payment_method_and_a_new_one_replaces_it() {
    BillingTest::with(())
        .given_no_previous_events()
        .when(attach(visa()))
        .then_expect_events(vec![attached(visa())]);
    let mastercard = PaymentMethod {
        id: "pm_sandbox_mastercard_4444_2".to_owned(),
        brand: "mastercard".to_owned(),
        last4: "4444".to_owned(),
        ..visa()
    };
    BillingTest::with(())
        .given(vec![attached(visa())])
        .when(attach(mastercard.clone()))
        .then_expect_events(vec![attached(mastercard)]);
    BillingTest::with(())
        .given(vec![attached(visa())])
        .when(attach(visa()))
        .then_expect_events(vec![]);
}

#[test]
fn a_payment_method_the_provider_described_badly_is_refused() {
    for method in [
        PaymentMethod {
            last4: "42".to_owned(),
            ..visa()
        },
        PaymentMethod {
            exp_month: 13,
            ..visa()
        },
        PaymentMethod {
            id: String::new(),
            ..visa()
        },
    ] {
        assert!(matches!(
            BillingProfile::default().decide(&attach(method)),
            Err(DomainError::Invalid(_))
        ));
    }
}

#[test]
fn only_the_owner_changes_their_billing() {
    BillingTest::with(())
        .given(vec![attached(visa())])
        .when(BillingCommand::DetachMethod {
            by: caller(STRANGER),
            at: at(),
        })
        .then_expect_error(DomainError::Forbidden(
            "only its owner may change a billing profile".to_owned(),
        ));
}

#[test]
fn auto_reload_needs_a_saved_method_to_be_turned_on() {
    BillingTest::with(())
        .given_no_previous_events()
        .when(configure(settings(true, 500, 2_000)))
        .then_expect_error(DomainError::Conflict(
            "set up a payment method before turning auto-reload on".to_owned(),
        ));
    BillingTest::with(())
        .given(vec![attached(visa())])
        .when(configure(settings(true, 500, 2_000)))
        .then_expect_events(vec![configured(settings(true, 500, 2_000))]);
    // Off, it may be set up before any method.
    BillingTest::with(())
        .given_no_previous_events()
        .when(configure(settings(false, 0, 5_000)))
        .then_expect_events(vec![configured(settings(false, 0, 5_000))]);
}

#[test]
fn auto_reload_amounts_and_thresholds_are_bounded() {
    for bad in [
        settings(true, 500, RELOAD_AMOUNT_MIN_CENTS - 1),
        settings(true, 500, RELOAD_AMOUNT_MAX_CENTS + 1),
        settings(true, -1, 1_000),
        settings(true, THRESHOLD_MAX_CENTS + 1, 1_000),
    ] {
        assert!(matches!(
            BillingProfile::fold(&[attached(visa())]).decide(&configure(bad)),
            Err(DomainError::Invalid(_))
        ));
    }
}

#[test]
fn detaching_the_method_turns_auto_reload_off() {
    BillingTest::with(())
        .given(vec![
            attached(visa()),
            configured(settings(true, 500, 2_000)),
        ])
        .when(BillingCommand::DetachMethod {
            by: caller(OWNER),
            at: at(),
        })
        .then_expect_events(vec![BillingEvent::PaymentMethodDetached {
            method_id: visa().id,
            at: at(),
        }]);
    let profile = BillingProfile::fold(&[
        attached(visa()),
        configured(settings(true, 500, 2_000)),
        BillingEvent::PaymentMethodDetached {
            method_id: visa().id,
            at: at(),
        },
    ]);
    assert_eq!(profile.method, None);
    assert!(!profile.auto_reload.enabled);
}

#[test]
fn detaching_without_a_method_is_a_conflict() {
    BillingTest::with(())
        .given_no_previous_events()
        .when(BillingCommand::DetachMethod {
            by: caller(OWNER),
            at: at(),
        })
        .then_expect_error(DomainError::Conflict(NO_METHOD.to_owned()));
}

fn account() -> AccountId {
    AccountId::usd(OWNER, Mode::Live)
}

fn reloading(threshold_cents: i64, amount_cents: i64) -> BillingProfile {
    BillingProfile::fold(&[
        attached(visa()),
        configured(settings(true, threshold_cents, amount_cents)),
    ])
}

#[test]
fn a_hold_the_balance_cannot_cover_tops_up_by_the_reload_amount() {
    let top_up = top_up(&reloading(0, 2_000), account(), 300, 1_000).unwrap();
    assert_eq!(top_up.amount, Money::usd(2_000));
    assert_eq!(top_up.method, visa());
    assert_eq!(top_up.account, account());
}

#[test]
fn a_hold_lacking_more_than_the_reload_amount_tops_up_what_it_lacks() {
    let top_up = top_up(&reloading(0, 1_000), account(), 300, 5_000).unwrap();
    assert_eq!(top_up.amount, Money::usd(4_700));
}

#[test]
fn a_hold_leaving_less_than_the_threshold_tops_up_though_it_could_be_placed() {
    let profile = reloading(1_000, 2_000);
    assert_eq!(
        top_up(&profile, account(), 1_500, 1_000).map(|t| t.amount),
        Some(Money::usd(2_000))
    );
    assert_eq!(top_up(&profile, account(), 2_000, 1_000), None);
}

#[test]
fn no_top_up_without_auto_reload_a_method_or_within_bounds() {
    let off = BillingProfile::fold(&[attached(visa()), configured(settings(false, 500, 2_000))]);
    assert_eq!(top_up(&off, account(), 0, 1_000), None);
    assert_eq!(
        top_up(&BillingProfile::default(), account(), 0, 1_000),
        None
    );
    let detached = BillingProfile::fold(&[
        attached(visa()),
        configured(settings(true, 500, 2_000)),
        BillingEvent::PaymentMethodDetached {
            method_id: visa().id,
            at: at(),
        },
    ]);
    assert_eq!(top_up(&detached, account(), 0, 1_000), None);
    assert_eq!(
        top_up(&reloading(0, 2_000), account(), 0, TOP_UP_MAX_CENTS + 1),
        None
    );
}
