//! The job tools: an rmcp client runs a job from creation to payment while
//! testers work through the native API; `wait_job` wakes on the job's events
//! (a stopped job's last tester included) and times out with the seed's
//! payload; refusals, another owner's job, a read-only key.

use super::*;
use crate::mcp::ok;
use std::time::{Duration, Instant};

/// A tester takes a slot and hands in feedback through the native API.
async fn test_it(app: &TestApp, person: &Actor, job: &str, feedback: &str) {
    accept(app, person, job).await;
    submit(app, person, job, feedback).await;
}

both_backends!(
    an_agent_runs_a_job_from_creation_to_payment_through_the_tools,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "QA Bot", 10_000).await;
        let client = session(&app, &key).await;
        let created = ok(
            &client,
            "create_job",
            job_arguments("Try our sign-up", 2, json!(10)),
        )
        .await;
        assert_eq!(created["status"], "active", "{created}");
        assert!(created["position"].as_i64().is_some_and(|p| p > 0));
        let job = created["id"].as_str().expect("job id").to_owned();
        assert_eq!(money(&app, &agent).await, (8_000, 2_000));

        // wait_job blocks while two testers take the job and hand in
        // feedback through the native API, and answers once both have.
        let (ada, bob) = (tester(&app, "Ada").await, tester(&app, "Bob").await);
        let started = Instant::now();
        let waiting = ok(
            &client,
            "wait_job",
            json!({ "job_id": job, "timeout_seconds": 60 }),
        );
        let testing = async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            test_it(&app, &ada, &job, "The sign-up button hides below the fold.").await;
            test_it(&app, &bob, &job, "The password rules are shown too late.").await;
        };
        let (waited, ()) = tokio::join!(waiting, testing);
        let elapsed = started.elapsed();
        assert!(
            elapsed >= Duration::from_millis(500),
            "it waited: {elapsed:?}"
        );
        assert!(
            elapsed < Duration::from_secs(20),
            "woken by the events: {elapsed:?}"
        );
        assert_eq!(waited["status"], "active", "{waited}");
        assert_eq!(waited["progress"]["finished"], 2, "{waited}");
        assert_eq!(waited["feedback"].as_array().map(Vec::len), Some(2));
        assert_eq!(
            waited,
            get_job(&app, &key, &job).await,
            "as get_job answers"
        );

        let closed = ok(&client, "close_job", json!({ "job_id": job })).await;
        assert_eq!(closed["status"], "settling", "{closed}");
        let settlement = ok(&client, "get_settlement_status", json!({ "job_id": job })).await;
        assert_eq!(settlement["jobId"], json!(job));
        assert_eq!(settlement["status"], "settling");
        assert_eq!(
            settlement["settlement"]["status"], "pending",
            "{settlement}"
        );
        assert_eq!(
            settlement["settlement"]["testers"].as_array().map(Vec::len),
            Some(2)
        );
        // The native fee, 10 %, on each $10.00 reward.
        assert_eq!(settlement["settlement"]["total"], json!(20));
        assert_eq!(settlement["settlement"]["fees"], json!(2));
        assert_eq!(settlement["settlement"]["payouts"], json!(18));

        let approved = ok(&client, "approve_job", json!({ "job_id": job })).await;
        assert_eq!(approved["status"], "settled", "{approved}");
        assert_eq!(money(&app, &ada).await, (900, 0));
        assert_eq!(money(&app, &bob).await, (900, 0));
        assert_eq!(money(&app, &agent).await, (8_000, 0));
        let listed = ok(&client, "list_jobs", json!({})).await;
        assert_eq!(listed["data"][0]["id"], json!(job), "{listed}");
        assert_eq!(listed["data"][0]["status"], "settled");
        assert_eq!(listed["next"], Value::Null);
        app.verify().await;
    }
);

both_backends!(
    a_stopped_job_is_waited_for_until_its_last_tester_finishes,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "QA Bot", 10_000).await;
        let client = session(&app, &key).await;
        let created = ok(
            &client,
            "create_job",
            job_arguments("Try our checkout", 3, json!("5.50")),
        )
        .await;
        let job = created["id"].as_str().expect("job id").to_owned();
        let ada = tester(&app, "Ada").await;
        accept(&app, &ada, &job).await;
        let stopped = ok(&client, "stop_job", json!({ "job_id": job })).await;
        assert_eq!(stopped["status"], "stopped", "{stopped}");
        // The two free slots' money went back; Ada's stays held.
        assert_eq!(money(&app, &agent).await, (10_000 - 550, 550));

        let waiting = ok(&client, "wait_job", json!({ "job_id": job }));
        let finishing = async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            submit(&app, &ada, &job, "Paying took four screens.").await;
        };
        let (waited, ()) = tokio::join!(waiting, finishing);
        assert_eq!(waited["status"], "stopped");
        assert_eq!(waited["progress"]["finished"], 1, "{waited}");
        assert_eq!(waited["progress"]["inProgress"], 0);
    }
);

both_backends!(
    wait_job_times_out_with_the_seeds_payload,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "QA Bot", 10_000).await;
        let client = session(&app, &key).await;
        let created = ok(
            &client,
            "create_job",
            job_arguments("Try our search", 1, json!(3)),
        )
        .await;
        let job = created["id"].as_str().expect("job id").to_owned();
        let started = Instant::now();
        let (is_error, payload) = call(
            &client,
            "wait_job",
            json!({ "job_id": job, "timeout_seconds": 1 }),
        )
        .await;
        assert!(started.elapsed() >= Duration::from_secs(1));
        assert!(is_error, "{payload}");
        assert_eq!(
            payload,
            json!({
                "error": "Timeout waiting for job",
                "job_id": job,
                "status": "active",
                "next_action": "Call wait_job(job_id) again to resume waiting, or use get_job(job_id) to inspect progress.",
            })
        );
        // A wait out of bounds is refused before it starts.
        for timeout in [0, 301] {
            let message = refused_tool(
                &client,
                "wait_job",
                json!({ "job_id": job, "timeout_seconds": timeout }),
            )
            .await;
            assert!(message.contains("timeout_seconds"), "{message}");
        }
    }
);

both_backends!(
    refused_job_tools_answer_error_results_and_change_nothing,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "QA Bot", 2_000).await;
        let client = session(&app, &key).await;
        let created = ok(
            &client,
            "create_job",
            job_arguments("Try our onboarding", 2, json!(5)),
        )
        .await;
        let job = created["id"].as_str().expect("job id").to_owned();
        let ada = tester(&app, "Ada").await;
        accept(&app, &ada, &job).await;
        let before = money(&app, &agent).await;
        let head = app.journal_head().await;
        let on_job = json!({ "job_id": job });

        // Transitions the job's state does not allow (REST's 409s).
        for tool in ["resume_job", "approve_job"] {
            refused_tool(&client, tool, on_job.clone()).await;
        }
        let reason = json!({ "job_id": job, "reason": "Nothing to dispute yet." });
        refused_tool(&client, "submit_dispute", reason).await;
        let resize = json!({ "job_id": job, "tester_count": 0 });
        refused_tool(&client, "resize_job", resize).await;
        // Money, the catalog, arguments.
        let dear = job_arguments("Too dear", 10, json!(5));
        let message = refused_tool(&client, "create_job", dear).await;
        assert!(message.contains("nsufficient"), "{message}");
        let mut unknown = job_arguments("Odd", 1, json!(5));
        unknown["category"] = json!("astrology");
        refused_tool(&client, "create_job", unknown).await;
        let sub_cent = job_arguments("Sub-cent", 1, json!(1.005));
        refused_tool(&client, "create_job", sub_cent).await;
        let message = refused_tool(&client, "create_job", json!({ "title": "No more" })).await;
        assert!(message.contains("instructions"), "{message}");
        let misspelt = json!({ "job_id": job, "colour": "red" });
        refused_tool(&client, "pause_job", misspelt).await;
        let cursor = json!({ "cursor": "not-a-cursor" });
        refused_tool(&client, "list_jobs", cursor).await;
        for tool in ["get_job", "get_settlement_status", "pause_job", "wait_job"] {
            let message = refused_tool(&client, tool, json!({ "job_id": "nonsense" })).await;
            assert_eq!(message, "Job not found.");
        }
        assert_eq!(app.journal_head().await, head, "refusals append nothing");
        assert_eq!(money(&app, &agent).await, before);

        // Pausing twice: the second is refused, as REST's 409.
        let paused = ok(&client, "pause_job", on_job.clone()).await;
        assert_eq!(paused["status"], "paused");
        refused_tool(&client, "pause_job", on_job.clone()).await;
        let cancelled = ok(&client, "cancel_job", on_job.clone()).await;
        assert_eq!(cancelled["status"], "cancelled");
        assert_eq!(money(&app, &agent).await, (2_000, 0));
        for tool in ["stop_job", "close_job", "cancel_job"] {
            refused_tool(&client, tool, on_job.clone()).await;
        }
    }
);

both_backends!(
    another_owners_job_is_not_found_through_any_job_tool,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "QA Bot", 10_000).await;
        let (_, other_key) = owner(&app, "Snoop", 10_000).await;
        let client = session(&app, &key).await;
        let created = ok(
            &client,
            "create_job",
            job_arguments("Try our sign-up", 1, json!(5)),
        )
        .await;
        let job = created["id"].as_str().expect("job id").to_owned();
        let snoop = session(&app, &other_key).await;
        let head = app.journal_head().await;
        let on_job = json!({ "job_id": job });
        for tool in [
            "wait_job",
            "get_job",
            "pause_job",
            "resume_job",
            "stop_job",
            "cancel_job",
            "close_job",
            "approve_job",
            "get_settlement_status",
        ] {
            let message = refused_tool(&snoop, tool, on_job.clone()).await;
            assert_eq!(message, "Job not found.", "{tool}");
        }
        let resize = json!({ "job_id": job, "tester_count": 3 });
        refused_tool(&snoop, "resize_job", resize).await;
        let dispute = json!({ "job_id": job, "reason": "Not mine." });
        refused_tool(&snoop, "submit_dispute", dispute).await;
        let listed = ok(&snoop, "list_jobs", json!({})).await;
        assert_eq!(listed["data"], json!([]));
        assert_eq!(app.journal_head().await, head, "nothing appended");
    }
);

both_backends!(
    a_key_limited_to_reading_cannot_create_a_job,
    |app: TestApp| async move {
        let agent = app.funded_agent("QA Bot", 10_000).await;
        let body = json!({ "prefix": "ih", "scopes": ["tasks:read"] });
        let (_, reader) = app.key_for(&agent, body).await;
        let client = session(&app, &reader).await;
        let head = app.journal_head().await;
        let message = refused_tool(
            &client,
            "create_job",
            job_arguments("Try our sign-up", 1, json!(5)),
        )
        .await;
        assert!(message.contains("tasks:write"), "{message}");
        assert_eq!(app.journal_head().await, head);
        let listed = ok(&client, "list_jobs", json!({})).await;
        assert_eq!(listed["data"], json!([]));
    }
);
