//! `errand demo`: a narrated walkthrough on a temporary database. An agent
//! funds its account, posts a 3-slot task, three people take and submit;
//! one submission is approved, one rejected, one disputed.

use crate::bootstrap::create_actor_with_key;
use crate::bus::commands;
use crate::bus::{CommandBus, CommandContext};
use crate::journal::{Journal, JournalOptions};
use anyhow::Context;
use chrono::Utc;
use errand_aggregates::account::{Account, AccountId};
use errand_aggregates::actor::Role;
use errand_aggregates::fee::FeePolicy;
use errand_aggregates::ids::{ActorId, AssignmentId, FundingId, HoldId, SubmissionId, TaskId};
use errand_aggregates::mode::Mode;
use errand_aggregates::money::Money;
use errand_aggregates::task::{AssignmentMode, NewTask, Proof, TaskCommand};
use uuid::Uuid;

pub async fn run() -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("errand-demo-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).context("creating the demo directory")?;
    let url = format!("sqlite://{}?mode=rwc", dir.join("demo.db").display());
    let journal = Journal::open(&url, JournalOptions::default()).await?;
    let bus = CommandBus::new(journal.clone());
    let result = narrate(&bus).await;
    journal.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn narrate(bus: &CommandBus) -> anyhow::Result<()> {
    say("An admin, an agent and three people join.");
    let admin = create_actor_with_key(bus, Role::Admin, "Ada the admin")
        .await?
        .actor_id;
    let agent = create_actor_with_key(bus, Role::Agent, "ResearchBot")
        .await?
        .actor_id;
    let mut people = Vec::new();
    for name in ["Bea", "Cal", "Dee"] {
        people.push(
            create_actor_with_key(bus, Role::Human, name)
                .await?
                .actor_id,
        );
    }

    say("The admin grants the agent $50.00 of credit.");
    let context = CommandContext::system("demo", "GrantCredit");
    let funding_id = FundingId(Uuid::now_v7());
    crate::execute!(bus, &context, |unit| {
        let by = commands::caller(unit, admin).await?;
        let account = AccountId::usd(agent, Mode::Live);
        let reason = "demo".to_owned();
        commands::grant_credit(
            unit,
            by,
            account,
            funding_id,
            Money::usd(5_000),
            reason,
            Utc::now(),
        )
        .await?;
        Ok(())
    })?;
    balances(bus, &[("agent", agent)]).await?;

    say("The agent posts a 3-slot task at $5.00 a slot: $15.00 goes into escrow in the same append.");
    let task_id = TaskId(Uuid::now_v7());
    let new_task = Box::new(NewTask {
        task_id,
        hold_id: HoldId(Uuid::now_v7()),
        mode: Mode::Live,
        title: "Is the bakery on Rue St-Paul open?".into(),
        description: "Walk by, photograph the door, tell us the hours.".into(),
        kind: "verification".into(),
        details: serde_json::json!({}),
        reward: Money::usd(500),
        slots: 3,
        assignment: AssignmentMode::FirstAccept,
        fee: FeePolicy::percent("18").map_err(|e| anyhow::anyhow!("{e}"))?,
        deadline: None,
        assignment_time_limit_s: Some(3_600),
        review_window_s: Some(86_400),
    });
    task(bus, agent, task_id, |by, at| TaskCommand::Post {
        task: new_task.clone(),
        by,
        at,
    })
    .await?;
    balances(bus, &[("agent", agent)]).await?;

    say("Bea, Cal and Dee each accept a slot and submit proof.");
    let mut submissions = Vec::new();
    for person in &people {
        let assignment_id = AssignmentId(Uuid::now_v7());
        task(bus, *person, task_id, |by, at| TaskCommand::Accept {
            assignment_id,
            by,
            at,
        })
        .await?;
        let submission_id = SubmissionId(Uuid::now_v7());
        task(bus, *person, task_id, |by, at| TaskCommand::Submit {
            submission_id,
            proof: Proof::text("Open 7am to 6pm; photo of the door attached."),
            by,
            at,
        })
        .await?;
        submissions.push(submission_id);
    }

    say("The agent approves Bea's work: $5.00 is captured, $0.90 platform fee, $4.10 to Bea.");
    let bea = submissions[0];
    task(bus, agent, task_id, |by, at| TaskCommand::Approve {
        submission_id: bea,
        by,
        at,
    })
    .await?;
    say("The agent rejects Cal's work: Cal's slot opens again, its $5.00 stays in escrow.");
    let cal = submissions[1];
    task(bus, agent, task_id, |by, at| TaskCommand::Reject {
        submission_id: cal,
        reason: "The photo shows a different street.".into(),
        by,
        at,
    })
    .await?;
    say("The agent disputes Dee's work: that slot's $5.00 goes back to the agent.");
    let dee = submissions[2];
    task(bus, agent, task_id, |by, at| TaskCommand::Dispute {
        submission_id: dee,
        reason: "No photo at all.".into(),
        by,
        at,
    })
    .await?;
    balances(
        bus,
        &[
            ("agent", agent),
            ("Bea", people[0]),
            ("Cal", people[1]),
            ("Dee", people[2]),
        ],
    )
    .await?;

    say("Every event in the journal, in order:");
    for event in bus.journal().read_all(0, 1_000).await? {
        println!(
            "  #{:<3} {:<58} {}",
            event.position, event.stream_id, event.event_type
        );
    }
    let report = crate::audit::verify(bus.journal()).await?;
    say(&format!(
        "The auditor's verdict: {}",
        if report.ok {
            "every invariant holds"
        } else {
            "BREACH"
        }
    ));
    Ok(())
}

fn say(line: &str) {
    println!("\n{line}");
}

async fn task(
    bus: &CommandBus,
    actor: ActorId,
    task_id: TaskId,
    make: impl Fn(errand_aggregates::actor::Caller, chrono::DateTime<Utc>) -> TaskCommand,
) -> anyhow::Result<()> {
    let context = CommandContext::system("demo", "TaskCommand");
    crate::execute!(bus, &context, |unit| {
        let by = commands::caller(unit, actor).await?;
        commands::on_task(unit, task_id, &make(by, Utc::now())).await?;
        Ok(())
    })?;
    Ok(())
}

async fn balances(bus: &CommandBus, who: &[(&str, ActorId)]) -> anyhow::Result<()> {
    for (name, actor) in who {
        let (account, _) = bus
            .load::<Account>(&AccountId::usd(*actor, Mode::Live).stream_id())
            .await?;
        println!(
            "  {name:<6} available {:>9}  in escrow {:>9}",
            Money::usd(account.available_cents).to_string(),
            Money::usd(account.held_cents).to_string()
        );
    }
    Ok(())
}
