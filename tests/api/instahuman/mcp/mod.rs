//! InstaHuman's MCP server at `/instahuman/api/mcp`: the seed's `tools/list`
//! curl, the prompt, and the 401 before any MCP here; the job tools
//! (`jobs.rs`: a job from creation to payment with `wait_job` waking on its
//! events, its timeout, refusals, another owner's job) and the project tools
//! (`projects.rs`) each on both backends, every refusal an `isError` result
//! in InstaHuman's `{"error": "…"}`.

mod jobs;
mod projects;

use super::*;
use crate::both_backends;
use crate::mcp::{call, session_at, McpClient};
use rmcp::model::GetPromptRequestParams;

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

pub async fn session(app: &TestApp, key: &str) -> McpClient {
    session_at(app, MCP, key).await
}

/// A job's arguments as an agent sends them: snake_case.
pub fn job_arguments(title: &str, testers: u32, reward: Value) -> Value {
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
pub async fn refused_tool(client: &McpClient, tool: &'static str, arguments: Value) -> String {
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

/// A deployment that lists its host names refuses MCP requests naming another
/// (a page rebinding its own name to this server), in InstaHuman's envelope,
/// before any key is read; the listed name is served. The check reads no
/// database, so SQLite alone shows it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcp_requests_for_an_unlisted_host_name_are_refused() {
    let Some(app) = crate::helpers::spawn_app_with(crate::helpers::Backend::Sqlite, |config| {
        config.mcp_allowed_hosts = vec!["errand.example".to_owned()];
    })
    .await
    else {
        return;
    };
    let (_, key) = owner(&app, "QA Bot", 0).await;
    let send = |host: &'static str| {
        app.client
            .post(app.url(MCP))
            .header("Host", host)
            .header("Authorization", format!("Bearer {key}"))
            .header("Accept", "application/json, text/event-stream")
            .header("Content-Type", "application/json")
            .body(SEED_TOOLS_LIST)
            .send()
    };
    let refused = send("rebound.attacker.example")
        .await
        .expect("request is sent");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let (_, body) = read(refused).await;
    assert!(
        body["error"].as_str().is_some_and(|m| m.contains("host")),
        "{body}"
    );
    let served = send("errand.example").await.expect("request is sent");
    assert_eq!(served.status(), StatusCode::OK);
    let (_, body) = read(served).await;
    assert_eq!(
        body["result"]["tools"].as_array().map(Vec::len),
        Some(25),
        "{body}"
    );
}
