//! A worker's record and earnings on both backends, from read-model rows
//! written as the tasks, actors and postings projections write them.

use super::*;
use crate::journal::Journal;
use crate::queries::accounts::daily_earnings;
use crate::queries::scratch::{self, insert_task, TaskRow};
use chrono::TimeZone;
use errand_aggregates::account::AccountId;
use uuid::Uuid;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
}

async fn task(journal: &Journal, poster: &str, mode: &'static str, title: &str) -> String {
    let row = TaskRow {
        poster: poster.to_owned(),
        mode,
        title: title.to_owned(),
        slots: 5,
        ..TaskRow::open("general", "{}", 500)
    };
    insert_task(journal, &row).await;
    row.id
}

struct Submission<'a> {
    task: &'a str,
    worker: ActorId,
    status: &'a str,
    reason: Option<&'a str>,
    paid: Option<(i64, i64)>,
    reviewed: Option<DateTime<Utc>>,
}

async fn submit(journal: &Journal, submission: Submission<'_>) -> String {
    let id = Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO task_submissions_view (submission_id, task_id, assignment_id, worker, status, \
         proof, reason, payout_cents, fee_cents, submitted_at_us, review_due_at_us, \
         reviewed_at_us, auto_approved) VALUES ($1, $2, $3, $4, $5, '{}', $6, $7, $8, $9, NULL, \
         $10, $11)",
    )
    .bind(id.clone())
    .bind(submission.task.to_owned())
    .bind(Uuid::now_v7().to_string())
    .bind(submission.worker.to_string())
    .bind(submission.status.to_owned())
    .bind(submission.reason.map(str::to_owned))
    .bind(submission.paid.map(|(payout, _)| payout))
    .bind(submission.paid.map(|(_, fee)| fee))
    .bind(at(1, 9).timestamp_micros())
    .bind(submission.reviewed.map(|at| at.timestamp_micros()))
    .bind(0_i32)
    .execute(journal.pool())
    .await
    .unwrap();
    id
}

async fn posting(
    journal: &Journal,
    position: i64,
    account: &str,
    cents: i64,
    event: &str,
    when: DateTime<Utc>,
) {
    sqlx::query(
        "INSERT INTO postings (position, seq, ledger_account, amount_cents, currency, event_type, \
         stream_id, recorded_at_us) VALUES ($1, 0, $2, $3, 'USD', $4, 'account-x', $5)",
    )
    .bind(position)
    .bind(account.to_owned())
    .bind(cents)
    .bind(event.to_owned())
    .bind(when.timestamp_micros())
    .execute(journal.pool())
    .await
    .unwrap();
}

async fn a_workers_record(journal: Journal) {
    let worker = ActorId(Uuid::now_v7());
    let someone_else = ActorId(Uuid::now_v7());
    let poster = Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO actors_view (actor_id, role, name, email, standing, registered_at_us, \
         updated_at_us) VALUES ($1, 'agent', 'BakeryBot', NULL, 'active', 0, 0)",
    )
    .bind(poster.clone())
    .execute(journal.pool())
    .await
    .unwrap();
    let bakery = task(&journal, &poster, "live", "Is the bakery open?").await;
    let mural = task(&journal, &poster, "live", "Photograph the mural").await;
    let rehearsal = task(&journal, &poster, "test", "A test-mode task").await;
    let approved = submit(
        &journal,
        Submission {
            task: &bakery,
            worker,
            status: "approved",
            reason: None,
            paid: Some((450, 50)),
            reviewed: Some(at(2, 10)),
        },
    )
    .await;
    let rejected = submit(
        &journal,
        Submission {
            task: &mural,
            worker,
            status: "rejected",
            reason: Some("The photo is missing."),
            paid: None,
            reviewed: Some(at(3, 10)),
        },
    )
    .await;
    submit(
        &journal,
        Submission {
            task: &mural,
            worker,
            status: "disputed",
            reason: Some("Wrong mural."),
            paid: None,
            reviewed: Some(at(1, 12)),
        },
    )
    .await;
    submit(
        &journal,
        Submission {
            task: &bakery,
            worker,
            status: "pending",
            reason: None,
            paid: None,
            reviewed: None,
        },
    )
    .await;
    submit(
        &journal,
        Submission {
            task: &bakery,
            worker: someone_else,
            status: "approved",
            reason: None,
            paid: Some((900, 100)),
            reviewed: Some(at(2, 11)),
        },
    )
    .await;
    submit(
        &journal,
        Submission {
            task: &rehearsal,
            worker,
            status: "approved",
            reason: None,
            paid: Some((10_000, 1)),
            reviewed: Some(at(4, 11)),
        },
    )
    .await;

    assert_eq!(
        totals(journal.pool(), worker, Mode::Live).await.unwrap(),
        WorkTotals {
            approved: 1,
            in_review: 1,
            rejected: 1,
            disputed: 1,
            earned_cents: 450,
            fees_cents: 50,
        },
        "the worker's own live submissions only"
    );
    assert_eq!(
        totals(journal.pool(), ActorId(Uuid::now_v7()), Mode::Live)
            .await
            .unwrap(),
        WorkTotals::default(),
        "no work, all zero"
    );

    let decided = decisions(journal.pool(), worker, Mode::Live, 10)
        .await
        .unwrap();
    let seen: Vec<(&str, &str)> = decided
        .iter()
        .map(|d| (d.submission_id.as_str(), d.status.as_str()))
        .collect();
    assert_eq!(
        seen.len(),
        3,
        "pending work and test-mode work are not decisions here"
    );
    assert_eq!(seen[0], (rejected.as_str(), "rejected"), "newest first");
    assert_eq!(seen[1], (approved.as_str(), "approved"));
    assert_eq!(seen[2].1, "disputed");
    assert_eq!(decided[0].reason.as_deref(), Some("The photo is missing."));
    assert_eq!(decided[0].task_title, "Photograph the mural");
    assert_eq!(decided[1].poster_name.as_deref(), Some("BakeryBot"));
    assert_eq!(decided[1].payout_cents, Some(450));
    assert_eq!(decided[1].fee_cents, Some(50));
    assert_eq!(decided[1].reviewed_at, Some(at(2, 10)));
    assert!(!decided[1].auto_approved);
    assert_eq!(
        decisions(journal.pool(), worker, Mode::Live, 1)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn daily_earnings_of_one_account(journal: Journal) {
    let worker = ActorId(Uuid::now_v7());
    let account = AccountId::usd(worker, Mode::Live);
    let available = format!("{account}:available");
    let held = format!("{account}:held");
    posting(&journal, 1, &available, 450, "PaymentReceived", at(10, 9)).await;
    posting(&journal, 2, &available, 300, "PaymentReceived", at(10, 23)).await;
    posting(&journal, 3, &available, 1_000, "FundsDeposited", at(10, 12)).await;
    posting(&journal, 4, &available, -200, "PayoutSent", at(11, 8)).await;
    posting(&journal, 5, &held, 999, "PaymentReceived", at(11, 8)).await;
    posting(
        &journal,
        6,
        "account-other-live-USD:available",
        777,
        "PaymentReceived",
        at(11, 8),
    )
    .await;
    posting(&journal, 7, &available, 125, "PaymentReceived", at(12, 0)).await;
    posting(&journal, 8, &available, 5_000, "PaymentReceived", at(1, 0)).await;

    let days = daily_earnings(journal.pool(), &account, 5, at(12, 18))
        .await
        .unwrap();
    let day = |d: u32| at(d, 0).timestamp().div_euclid(86_400);
    let seen: Vec<(i64, i64, i64)> = days
        .iter()
        .map(|d| (d.day, d.earned_cents, d.payments))
        .collect();
    assert_eq!(
        seen,
        [(day(10), 750, 2), (day(12), 125, 1)],
        "payments to the account's available balance, per UTC day, within the last 5 days"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workers_totals_and_decisions_on_sqlite() {
    let (_directory, journal) = scratch::sqlite().await;
    a_workers_record(journal).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workers_totals_and_decisions_on_postgres() {
    if let Some((_database, journal)) = scratch::postgres().await {
        a_workers_record(journal).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_accounts_earnings_per_day_on_sqlite() {
    let (_directory, journal) = scratch::sqlite().await;
    daily_earnings_of_one_account(journal).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_accounts_earnings_per_day_on_postgres() {
    if let Some((_database, journal)) = scratch::postgres().await {
        daily_earnings_of_one_account(journal).await;
    }
}
