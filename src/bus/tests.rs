//! The bus's freshness rules: a command insists the caller's rights it was
//! authorized with still hold, and a refusal is never made on a cached state
//! the journal has moved past.

use super::commands::{actor_stream, register_actor, set_standing, StandingChange};
use super::{BusError, CommandBus, CommandContext};
use crate::journal::tests::{on_both_backends, TestDatabase};
use errand_aggregates::actor::{Actor, Caller, Role, Standing};
use errand_aggregates::ids::ActorId;

fn admin() -> Caller {
    Caller {
        actor: ActorId(uuid::Uuid::now_v7()),
        role: Role::Admin,
        standing: Standing::Active,
    }
}

async fn register(bus: &CommandBus, name: &str) -> ActorId {
    let actor_id = ActorId(uuid::Uuid::now_v7());
    let context = CommandContext::system("tests", "RegisterActor");
    crate::execute!(bus, &context, |unit| {
        let name = name.to_owned();
        register_actor(unit, actor_id, Role::Human, name, None, chrono::Utc::now()).await?;
        Ok(())
    })
    .expect("registered");
    actor_id
}

async fn change_standing(
    bus: &CommandBus,
    actor_id: ActorId,
    change: StandingChange,
    guards: Vec<(String, i64)>,
) -> Result<(), BusError> {
    let context = CommandContext {
        guards,
        ..CommandContext::system("tests", "SetStanding")
    };
    crate::execute!(bus, &context, |unit| {
        let at = chrono::Utc::now();
        set_standing(unit, admin(), actor_id, change, Some("test".into()), at).await?;
        Ok(())
    })
    .map(drop)
}

async fn a_command_whose_callers_rights_moved_on_is_not_appended(database: &TestDatabase) {
    let bus = CommandBus::new(database.open().await);
    let caller = register(&bus, "caller").await;
    let target = register(&bus, "target").await;
    let (_, version) = bus.load::<Actor>(&actor_stream(caller)).await.unwrap();
    // The caller is frozen after its request was authorized, before it commits.
    change_standing(&bus, caller, StandingChange::Freeze, vec![])
        .await
        .unwrap();
    let head = bus.journal().head().await.unwrap();
    let guards = vec![(actor_stream(caller), version)];
    let outcome = change_standing(&bus, target, StandingChange::Freeze, guards).await;
    assert!(
        matches!(outcome, Err(BusError::CallerChanged)),
        "{outcome:?}"
    );
    assert_eq!(
        bus.journal().head().await.unwrap(),
        head,
        "nothing appended"
    );
    // Authorized again at the present version, it goes through.
    let (_, version) = bus.load::<Actor>(&actor_stream(caller)).await.unwrap();
    let guards = vec![(actor_stream(caller), version)];
    change_standing(&bus, target, StandingChange::Freeze, guards)
        .await
        .unwrap();
}

/// Two buses on one journal: two instances on PostgreSQL; on SQLite the
/// same as a state folded before a commit and cached after it.
async fn a_refusal_is_decided_again_on_the_present(database: &TestDatabase) {
    let (here, there) = (
        CommandBus::new(database.open().await),
        CommandBus::new(database.open().await),
    );
    let actor = register(&here, "worker").await;
    // `here` caches the actor as active; `there` freezes it.
    let (cached, _) = here.load::<Actor>(&actor_stream(actor)).await.unwrap();
    assert_eq!(cached.standing, Standing::Active);
    change_standing(&there, actor, StandingChange::Freeze, vec![])
        .await
        .unwrap();
    // On its stale copy `here` would refuse to unfreeze an active actor.
    change_standing(&here, actor, StandingChange::Unfreeze, vec![])
        .await
        .expect("decided again on the frozen actor");
    let (now, _) = there
        .fold::<Actor>(&actor_stream(actor), None)
        .await
        .unwrap();
    assert_eq!(now.standing, Standing::Active);
}

/// A Humai wallet granted credits before lots were kept: the first lot decided for it
/// (here a deposit's, decided after the deposit's posting in the same unit) opens with
/// the balance the journal held before that unit, as marketplace credits.
async fn a_wallet_from_before_lots_opens_them_with_its_balance(database: &TestDatabase) {
    use super::commands::{complete_deposit, credit_lots_stream, credits_account, request_deposit};
    use errand_aggregates::account::{Account, AccountCommand, Funding};
    use errand_aggregates::humai::credit_lots::{CreditSource, Pool};
    use errand_aggregates::humai::CreditLots;
    use errand_aggregates::ids::FundingId;
    use errand_aggregates::mode::Mode;
    use errand_aggregates::money::{Currency, Money};
    let bus = CommandBus::new(database.open().await);
    let owner = register(&bus, "early founder").await;
    let wallet = credits_account(owner, Mode::Live);
    let rc = |credits| Money::from_cents(credits, Currency::RC).unwrap();
    let context = CommandContext::system("tests", "LegacyGrant");
    crate::execute!(bus, &context, |unit| {
        let grant = AccountCommand::Fund {
            account: wallet,
            funding_id: FundingId(uuid::Uuid::now_v7()),
            amount: rc(128),
            funding: Funding::HalveningGrant { slot: 1 },
            at: chrono::Utc::now(),
        };
        unit.decide::<Account>(&wallet.stream_id(), &grant).await?;
        Ok(())
    })
    .expect("granted without lots, as before lots were kept");

    let funding_id = FundingId(uuid::Uuid::now_v7());
    let context = CommandContext::system("tests", "PurchaseCredits");
    crate::execute!(bus, &context, |unit| {
        let by = super::commands::caller(unit, owner).await?;
        let at = chrono::Utc::now();
        request_deposit(unit, by, wallet, funding_id, rc(500), "sandbox", at).await?;
        Ok(())
    })
    .expect("requested");
    let context = CommandContext::system("tests", "CompleteDeposit");
    crate::execute!(bus, &context, |unit| {
        complete_deposit(unit, funding_id, chrono::Utc::now()).await?;
        Ok(())
    })
    .expect("completed");

    let (lots, _) = bus
        .fold::<CreditLots>(&credit_lots_stream(&wallet), None)
        .await
        .unwrap();
    let sources: Vec<(CreditSource, i64)> = lots
        .lots
        .iter()
        .map(|lot| (lot.source, lot.remaining_credits))
        .collect();
    assert_eq!(
        sources,
        [
            (CreditSource::OpeningBalance, 128),
            (CreditSource::Deposit, 500)
        ]
    );
    assert_eq!(lots.remaining_in(Pool::Withdrawable), 500);
    let (account, _) = bus
        .fold::<Account>(&wallet.stream_id(), None)
        .await
        .unwrap();
    assert_eq!(account.available_cents, lots.remaining());
}

on_both_backends!(
    a_command_whose_callers_rights_moved_on_is_not_appended,
    a_refusal_is_decided_again_on_the_present,
    a_wallet_from_before_lots_opens_them_with_its_balance,
);
