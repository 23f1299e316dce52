//! Model-based test of the ledger: random sequences of commands from several
//! people against tasks and accounts, composed the way the command bus does
//! (`world.rs`), each checked against a small reference model
//! (`reference.rs`). After every step: money is conserved, no balance is
//! negative, no hold settles twice, a refused command changed nothing, and
//! the aggregates agree with the model. At the end, replaying the journal
//! rebuilds every stream.
//!
//! `PROPTEST_CASES=5000 cargo test -p errand-aggregates --test model` runs
//! it longer.

mod agreement;
mod commands;
mod invariants;
mod people;
mod reference;
mod replay;
mod steps;
mod world;

use chrono::TimeZone;
use commands::Ids;
use errand_aggregates::ids::FundingId;
use errand_aggregates::money::Money;
use errand_aggregates::Timestamp;
use people::{ACCOUNT_KINDS, PEOPLE};
use proptest::prelude::*;
use proptest::test_runner::RngAlgorithm;
use reference::Reference;
use steps::{Step, STEPS_MAX};
use world::World;

/// Cases per run unless `PROPTEST_CASES` says otherwise: enough to reach
/// approvals, disputes, resizes and expiries in many orders, while the
/// crate's `cargo test` stays within seconds in a debug build.
const CASES_DEFAULT: u32 = 1024;

fn config() -> ProptestConfig {
    // `ProptestConfig::default()` reads the `PROPTEST_*` variables, but a
    // field set here would override them; set ours only where they are unset.
    let unset = |name| std::env::var_os(name).is_none();
    let mut config = ProptestConfig::default();
    if unset("PROPTEST_CASES") {
        config.cases = CASES_DEFAULT;
    }
    if unset("PROPTEST_RNG_ALGORITHM") {
        // Every arm of a `prop_oneof!` seeds its own generator; with the
        // default ChaCha that seeding took half of this test's time in a
        // debug build. XorShift is random enough to choose steps.
        config.rng_algorithm = RngAlgorithm::XorShift;
    }
    config
}

/// One case: the ledger, its reference, and the clock and ids they share.
struct Run {
    world: World,
    reference: Reference,
    now: Timestamp,
    ids: Ids,
}

impl Run {
    fn new() -> Self {
        Run {
            world: World::default(),
            reference: Reference::default(),
            now: chrono::Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap(),
            ids: Ids::default(),
        }
    }

    /// Each person starts with an admin's grant into each kind of account,
    /// decided and checked like any step.
    fn open_accounts(
        &mut self,
        opening_cents: [[i64; ACCOUNT_KINDS.len()]; PEOPLE.len()],
    ) -> Result<(), TestCaseError> {
        for ((person, _), cents) in PEOPLE.into_iter().zip(opening_cents) {
            for (kind, cents) in ACCOUNT_KINDS.into_iter().zip(cents) {
                if cents == 0 {
                    continue;
                }
                let funding_id = FundingId(self.ids.fresh());
                self.decide(world::Command::GrantCredit {
                    by: people::admin(),
                    account: people::account(person, kind),
                    funding_id,
                    amount: Money {
                        cents,
                        currency: kind.1,
                    },
                    reason: "opening balance".to_owned(),
                    at: self.now,
                })?;
            }
        }
        Ok(())
    }

    fn take(&mut self, step: &Step) -> Result<(), TestCaseError> {
        match *step {
            Step::Wait { seconds } => self.now += chrono::Duration::seconds(seconds),
            Step::WaitForTimer { timer, offset_s } => {
                let upcoming: Vec<_> = self
                    .reference
                    .timers()
                    .into_iter()
                    .map(|timer| timer.due)
                    .filter(|due| *due >= self.now)
                    .collect();
                if !upcoming.is_empty() {
                    let due = upcoming[timer % upcoming.len()];
                    // Time never runs backwards.
                    self.now = self.now.max(due + chrono::Duration::seconds(offset_s));
                }
            }
            _ => {}
        }
        let Some(command) = commands::command(step, &self.reference, self.now, &mut self.ids)
        else {
            return Ok(());
        };
        self.decide(command)
    }

    /// Decides `command` on the world and on the reference, and checks
    /// that they agree and that every invariant still holds.
    fn decide(&mut self, command: world::Command) -> Result<(), TestCaseError> {
        self.checked(&command).map_err(|error| match error {
            TestCaseError::Fail(reason) => {
                TestCaseError::fail(format!("after {command:?}:\n{reason}"))
            }
            reject => reject,
        })
    }

    fn checked(&mut self, command: &world::Command) -> Result<(), TestCaseError> {
        let before = self.world.clone();
        let decided = self.world.execute(command);
        let expected = self.reference.execute(command);
        match (&decided, expected) {
            (Ok(()), Ok(())) => prop_assert!(
                self.world.journal.len() > before.journal.len(),
                "it was accepted but recorded nothing"
            ),
            (Err(error), Err(_)) => prop_assert!(
                self.world == before,
                "it was refused ({}) but changed the world",
                error
            ),
            (Ok(()), Err(refusal)) => {
                prop_assert!(false, "it was accepted; the model refuses: {}", refusal)
            }
            (Err(error), Ok(())) => {
                prop_assert!(false, "it was refused ({}); the model accepts", error)
            }
        }
        invariants::money_is_conserved(&self.world, &self.reference)?;
        invariants::no_balance_is_negative(&self.world)?;
        invariants::holds_settle_at_most_once(&self.world)?;
        agreement::world_agrees_with_reference(&self.world, &self.reference)
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_ledger_agrees_with_its_reference_model_after_every_command(
        opening_cents in steps::opening_cents(),
        steps in prop::collection::vec(steps::step(), 1..=STEPS_MAX),
    ) {
        let mut run = Run::new();
        run.open_accounts(opening_cents)?;
        for step in &steps {
            run.take(step)?;
        }
        replay::replay_rebuilds_every_stream(&run.world)?;
    }
}
