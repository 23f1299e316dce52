//! InstaHuman's MCP server at `/instahuman/api/mcp`: the seed's `tools/list`
//! curl, the prompt, an rmcp client running a job from creation to payment
//! while testers work through the native API, `wait_job` waking on the
//! job's events and timing out with the seed's payload, and every tool's
//! refusal as an `isError` result in InstaHuman's `{"error": "…"}`.

use super::*;
use crate::both_backends;
use crate::mcp::{call, ok, session_at, McpClient};
use rmcp::model::GetPromptRequestParams;
use std::time::{Duration, Instant};

const MCP: &str = "/instahuman/api/mcp";

/// The seed's 25 tools with the seed's descriptions, which each tool's own
/// description starts with.
const INSTAHUMAN_TOOLS: [(&str, &str); 25] = [
    ("create_job", "Create a new job and return immediately"),
    ("wait_job", "Block until job reaches terminal state"),
    ("get_job", "Inspect job progress and feedback"),
    ("list_jobs", "List owner's recent jobs"),
    ("pause_job", "Pause an active job"),
    ("resume_job", "Resume a paused job"),
    ("stop_job", "Graceful shutdown, existing testers finish"),
    ("cancel_job", "Cancel an active or paused job"),
    ("close_job", "Close job and begin settlement"),
    ("resize_job", "Change number of tester slots"),
    ("approve_job", "Approve a pending settlement"),
    ("submit_dispute", "Dispute a pending settlement"),
    ("get_settlement_status", "Check settlement details"),
    ("create_project", "Create a new project"),
    ("update_project", "Update project name/description"),
    ("delete_project", "Delete a project"),
    ("get_project", "Get project details"),
    ("list_projects", "List owner's projects"),
    ("archive_project", "Archive a project"),
    ("unarchive_project", "Unarchive a project"),
    ("assign_job_to_project", "Link/unlink a job to a project"),
    ("add_project_tester", "Manually add a tester"),
    ("list_project_testers", "List testers in a project"),
    ("update_project_tester", "Update tester flags"),
    ("remove_project_tester", "Remove a tester"),
];

/// The seed's curl body, byte for byte.
const SEED_TOOLS_LIST: &str = r#"{
"jsonrpc": "2.0",
"id": "1",
"method": "tools/list",
"params": {}
}"#;

async fn session(app: &TestApp, key: &str) -> McpClient {
    session_at(app, MCP, key).await
}

/// A job's arguments as an agent sends them: snake_case.
fn job_arguments(title: &str, testers: u32, reward: Value) -> Value {
    json!({
        "title": title,
        "instructions": "Sign up, create a project, and tell us where you hesitated.",
        "category": "usability",
        "tester_count": testers,
        "reward_per_tester": reward,
        "participant_filters": { "age": { "min": 25, "max": 45 }, "country": ["US", "CA"] },
        "equipment": ["iphone"],
        "interests": ["productivity"],
    })
}

/// A tool's refusal: asserts InstaHuman's envelope, returns its message.
async fn refused_tool(client: &McpClient, tool: &'static str, arguments: Value) -> String {
    let (is_error, body) = call(client, tool, arguments).await;
    assert!(is_error, "{tool} should be refused: {body}");
    let message = body["error"].as_str().expect("an error message");
    assert!(!message.is_empty(), "{body}");
    assert!(
        body.as_object().is_some_and(|fields| fields.len() == 1),
        "InstaHuman's envelope is {{\"error\"}} alone: {body}"
    );
    message.to_owned()
}

/// A tester takes a slot and hands in feedback through the native API.
async fn test_it(app: &TestApp, person: &Actor, job: &str, feedback: &str) {
    accept(app, person, job).await;
    submit(app, person, job, feedback).await;
}

both_backends!(
    the_seeds_tools_list_curl_gets_the_25_tools,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "QA Bot", 0).await;
        let response = app
            .client
            .post(app.url(MCP))
            .header("Authorization", format!("Bearer {key}"))
            .header("Accept", "application/json, text/event-stream")
            .header("Content-Type", "application/json")
            .body(SEED_TOOLS_LIST)
            .send()
            .await
            .expect("request is sent");
        assert_eq!(response.status(), StatusCode::OK);
        let (_, body) = read(response).await;
        assert_eq!(body["id"], "1", "{body}");
        let tools = body["result"]["tools"].as_array().expect("tools");
        assert_eq!(tools.len(), INSTAHUMAN_TOOLS.len(), "{body}");
        for (name, description) in INSTAHUMAN_TOOLS {
            let tool = tools
                .iter()
                .find(|tool| tool["name"] == name)
                .unwrap_or_else(|| panic!("{name} is listed"));
            let said = tool["description"].as_str().expect("a description");
            assert!(said.starts_with(description), "{name}: {said}");
            let schema = &tool["inputSchema"];
            assert_eq!(schema["type"], "object", "{name}: {schema}");
            for argument in schema["properties"].as_object().into_iter().flatten() {
                let snake = argument
                    .0
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_');
                assert!(snake, "{name}'s argument {} is snake_case", argument.0);
            }
        }
        let create = tools.iter().find(|tool| tool["name"] == "create_job");
        let required = &create.expect("create_job")["inputSchema"]["required"];
        for argument in ["title", "instructions", "category", "tester_count"] {
            assert!(
                required
                    .as_array()
                    .is_some_and(|r| r.contains(&json!(argument))),
                "{required}"
            );
        }
    }
);

both_backends!(
    the_job_tool_usage_prompt_is_listed_and_fetchable,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "QA Bot", 0).await;
        let client = session(&app, &key).await;
        let prompts = client.list_all_prompts().await.expect("prompts/list");
        assert_eq!(prompts.len(), 1);
        assert_eq!(prompts[0].name, "job_tool_usage");
        assert!(prompts[0]
            .description
            .as_deref()
            .is_some_and(|d| d.contains("create_job, wait_job")));
        let prompt = client
            .get_prompt(GetPromptRequestParams::new("job_tool_usage"))
            .await
            .expect("prompts/get");
        let text = serde_json::to_string(&prompt.messages).expect("messages");
        for tool in [
            "create_job",
            "wait_job",
            "get_job",
            "close_job",
            "approve_job",
        ] {
            assert!(text.contains(tool), "the prompt explains {tool}");
        }
    }
);

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

both_backends!(
    a_call_without_an_instahuman_key_is_refused_401,
    |app: TestApp| async move {
        let agent = app.actor("agent", "QA Bot").await;
        for key in [None, Some("ih_live_not_a_key"), Some(agent.key.as_str())] {
            let mut request = app
                .client
                .post(app.url(MCP))
                .header("Accept", "application/json, text/event-stream")
                .header("Content-Type", "application/json")
                .body(SEED_TOOLS_LIST);
            if let Some(key) = key {
                request = request.bearer_auth(key);
            }
            let response = request.send().await.expect("request is sent");
            let (status, body) = read(response).await;
            refused(status, &body, StatusCode::UNAUTHORIZED);
        }
    }
);
