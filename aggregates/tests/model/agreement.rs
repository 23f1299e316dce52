//! The aggregates agree with the reference model: every balance, the
//! platform's fees, each task's slots, escrow and the hold behind it, each
//! assignment, submission and application, and each deposit.

use crate::people::ACCOUNT_KINDS;
use crate::reference::{Reference, TaskModel};
use crate::world::World;
use errand_aggregates::account::AccountId;
use errand_aggregates::deposit::DepositStatus;
use errand_aggregates::task::{ApplicationStatus, Task};
use proptest::prelude::*;
use std::collections::BTreeSet;

pub fn world_agrees_with_reference(
    world: &World,
    reference: &Reference,
) -> Result<(), TestCaseError> {
    let accounts: BTreeSet<AccountId> = world
        .accounts
        .keys()
        .chain(reference.balances.keys())
        .copied()
        .collect();
    for id in accounts {
        let state = world.accounts.get(&id).cloned().unwrap_or_default();
        let expected = reference.balance(id);
        prop_assert_eq!(
            (state.available_cents, state.held_cents),
            (expected.available_cents, expected.held_cents),
            "{}'s available and held cents",
            id
        );
    }
    for (mode, currency) in ACCOUNT_KINDS {
        let fees: i64 = world
            .accounts
            .iter()
            .filter(|(id, _)| id.mode == mode && id.currency == currency)
            .map(|(_, state)| state.fees_paid_cents)
            .sum();
        let expected = reference.fees_cents(mode, currency);
        prop_assert_eq!(fees, expected, "fees paid in {:?} {:?}", mode, currency);
    }

    prop_assert_eq!(world.tasks.len(), reference.tasks.len(), "how many tasks");
    for expected in &reference.tasks {
        let task = world.tasks.get(&expected.task_id);
        prop_assert!(task.is_some(), "task {} is missing", expected.task_id);
        task_agrees(world, task.unwrap(), expected)?;
    }

    prop_assert_eq!(
        world.deposits.len(),
        reference.deposits.len(),
        "how many deposits"
    );
    for expected in &reference.deposits {
        let completed = world.deposits[&expected.funding_id].status == DepositStatus::Completed;
        prop_assert_eq!(
            completed,
            expected.completed,
            "deposit {}",
            expected.funding_id
        );
    }
    Ok(())
}

fn task_agrees(world: &World, task: &Task, expected: &TaskModel) -> Result<(), TestCaseError> {
    let id = expected.task_id;
    prop_assert_eq!(task.status, expected.status, "task {}'s status", id);
    prop_assert_eq!(
        (
            task.slots,
            task.open_slots(),
            task.in_flight_slots(),
            task.settled_slots()
        ),
        (
            expected.slots,
            expected.free_slots(),
            expected.in_flight_slots(),
            expected.settled_slots()
        ),
        "task {}'s slots: all, free, in flight, settled",
        id
    );
    prop_assert_eq!(
        task.escrow_cents,
        expected.escrow_cents,
        "task {}'s escrow",
        id
    );
    let held = world
        .accounts
        .get(&expected.account)
        .and_then(|account| account.holds.get(&expected.hold_id))
        .map_or(0, |hold| hold.remaining_cents);
    prop_assert_eq!(held, expected.escrow_cents, "the hold behind task {}", id);

    let assignments: Vec<_> = task
        .assignments
        .iter()
        .map(|a| (a.id, a.worker, a.status))
        .collect();
    let expected_assignments: Vec<_> = expected
        .assignments
        .iter()
        .map(|a| (a.id, a.worker, a.status))
        .collect();
    prop_assert_eq!(
        assignments,
        expected_assignments,
        "task {}'s assignments",
        id
    );

    let submissions: Vec<_> = task.submissions.iter().map(|s| (s.id, s.status)).collect();
    let expected_submissions: Vec<_> = expected
        .submissions
        .iter()
        .map(|s| (s.id, s.status))
        .collect();
    prop_assert_eq!(
        submissions,
        expected_submissions,
        "task {}'s submissions",
        id
    );

    let applications: Vec<_> = task
        .applications
        .iter()
        .map(|a| (a.id, a.applicant, a.status == ApplicationStatus::Selected))
        .collect();
    let expected_applications: Vec<_> = expected
        .applications
        .iter()
        .map(|a| (a.id, a.applicant, a.selected))
        .collect();
    prop_assert_eq!(
        applications,
        expected_applications,
        "task {}'s applications",
        id
    );
    Ok(())
}
