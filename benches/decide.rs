//! How long the domain takes to decide: posting a task, approving a
//! submission on a busy consensus task, and folding a long task stream.

use chrono::{DateTime, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use errand_aggregates::actor::{Caller, Role, Standing};
use errand_aggregates::fee::FeePolicy;
use errand_aggregates::ids::*;
use errand_aggregates::mode::Mode;
use errand_aggregates::money::Money;
use errand_aggregates::task::{
    account_commands, AssignmentMode, NewTask, Proof, Task, TaskCommand, TaskEvent,
};
use errand_aggregates::Aggregate;
use std::hint::black_box;
use uuid::Uuid;

fn at() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + chrono::Duration::days(20_000)
}

fn caller(n: u128, role: Role) -> Caller {
    Caller {
        actor: ActorId(Uuid::from_u128(n)),
        role,
        standing: Standing::Active,
    }
}

fn post(slots: u32) -> TaskCommand {
    TaskCommand::Post {
        task: Box::new(NewTask {
            task_id: TaskId(Uuid::from_u128(7)),
            hold_id: HoldId(Uuid::from_u128(8)),
            mode: Mode::Live,
            title: "Verify the bakery is open".into(),
            description: "Walk by and photograph the door.".into(),
            kind: "verification".into(),
            details: serde_json::json!({ "urgency": "urgent" }),
            reward: Money::usd(500),
            slots,
            assignment: AssignmentMode::FirstAccept,
            fee: FeePolicy::percent("18").expect("rate"),
            deadline: None,
            assignment_time_limit_s: Some(3_600),
            review_window_s: Some(86_400),
        }),
        by: caller(1, Role::Agent),
        at: at(),
    }
}

/// A consensus task with `workers` submissions awaiting review.
fn busy_task(workers: u32) -> (Task, Vec<TaskEvent>) {
    let mut task = Task::default();
    let mut history = task.decide(&post(workers)).expect("post");
    history.iter().for_each(|e| task.apply(e));
    for n in 0..workers {
        let worker = caller(1_000 + u128::from(n), Role::Human);
        for command in [
            TaskCommand::Accept {
                assignment_id: AssignmentId(Uuid::from_u128(10_000 + u128::from(n))),
                by: worker,
                at: at(),
            },
            TaskCommand::Submit {
                submission_id: SubmissionId(Uuid::from_u128(20_000 + u128::from(n))),
                proof: Proof::text("open, 7 to 6"),
                by: worker,
                at: at(),
            },
        ] {
            let events = task.decide(&command).expect("work");
            events.iter().for_each(|e| task.apply(e));
            history.extend(events);
        }
    }
    (task, history)
}

fn bench(c: &mut Criterion) {
    c.bench_function("decide: post a task with escrow", |b| {
        let empty = Task::default();
        let command = post(3);
        b.iter(|| {
            let events = black_box(&empty).decide(black_box(&command)).expect("post");
            black_box(account_commands(&empty, &events))
        })
    });
    let (task, history) = busy_task(100);
    c.bench_function("decide: approve one of 100 submissions", |b| {
        let command = TaskCommand::Approve {
            submission_id: SubmissionId(Uuid::from_u128(20_050)),
            by: caller(1, Role::Agent),
            at: at(),
        };
        b.iter(|| {
            black_box(&task)
                .decide(black_box(&command))
                .expect("approve")
        })
    });
    c.bench_function("fold: a 100-worker task stream (201 events)", |b| {
        b.iter_batched(
            || history.clone(),
            |events| black_box(Task::fold(events.iter())),
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
