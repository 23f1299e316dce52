//! The native MCP server at `/v1/mcp`: an rmcp client over Streamable HTTP, and
//! plain JSON-RPC over `reqwest` as curl sends it.

use crate::both_backends;
use crate::helpers::{read, Actor, TestApp};
use errand::http::rate_limit::RateLimits;
use reqwest::header::CONTENT_TYPE;
use reqwest::StatusCode;
use rmcp::model::{CallToolRequestParams, CallToolResult, ClientConfig, ProtocolVersion};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt, RunningService};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{json, Value};
use std::time::Duration;

pub type McpClient = RunningService<RoleClient, ClientConfig>;

const NATIVE_TOOLS: [&str; 14] = [
    "post_task",
    "list_tasks",
    "get_task",
    "apply_task",
    "accept_task",
    "select_applicant",
    "submit_work",
    "approve_submission",
    "reject_submission",
    "dispute_submission",
    "get_balance",
    "list_postings",
    "list_events",
    "verify",
];

/// Where and as whom an rmcp client connects (rmcp's own reqwest sends it).
fn endpoint(app: &TestApp, key: &str) -> StreamableHttpClientTransportConfig {
    StreamableHttpClientTransportConfig::with_uri(app.url("/v1/mcp")).auth_header(key)
}

/// A client that opens a session with `initialize`, as most MCP clients do.
async fn session(app: &TestApp, key: &str) -> McpClient {
    session_at(app, "/v1/mcp", key).await
}

/// [`session`] with the MCP endpoint at `path` (another dialect's).
pub async fn session_at(app: &TestApp, path: &str, key: &str) -> McpClient {
    let endpoint = StreamableHttpClientTransportConfig::with_uri(app.url(path)).auth_header(key);
    ClientConfig::default()
        .serve(StreamableHttpClientTransport::from_config(endpoint))
        .await
        .expect("the MCP client initializes")
}

/// Calls a tool and returns whether it was refused, and its JSON body.
pub async fn call(client: &McpClient, tool: &'static str, arguments: Value) -> (bool, Value) {
    let Value::Object(arguments) = arguments else {
        panic!("arguments are an object");
    };
    let result: CallToolResult = client
        .call_tool(CallToolRequestParams::new(tool).with_arguments(arguments))
        .await
        .expect("the tool answers");
    let body = result
        .structured_content
        .clone()
        .expect("every tool answers JSON");
    (result.is_error == Some(true), body)
}

/// Calls a tool that must succeed.
pub async fn ok(client: &McpClient, tool: &'static str, arguments: Value) -> Value {
    let (refused, body) = call(client, tool, arguments).await;
    assert!(!refused, "{tool} was refused: {body}");
    body
}

/// One JSON-RPC message POSTed as the InstaHuman seed's curl sends it.
async fn post_json_rpc(app: &TestApp, key: Option<&str>, message: Value) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/v1/mcp"))
        .header("Accept", "application/json, text/event-stream")
        .json(&message);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.expect("request is sent")
}

both_backends!(
    an_agent_pays_a_person_for_work_through_mcp_tools,
    |app: TestApp| async move {
        let agent = app.funded_agent("ResearchBot", 10_000).await;
        let person = app.actor("human", "Bea").await;
        let poster = session(&app, &agent.key).await;
        let worker = session(&app, &person.key).await;

        let tools = poster.list_all_tools().await.expect("tools/list");
        let names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
        for tool in NATIVE_TOOLS {
            assert!(names.contains(&tool), "{tool} missing from {names:?}");
        }

        let task = ok(
            &poster,
            "post_task",
            json!({ "title": "Is the bakery open?", "reward_cents": 1_000 }),
        )
        .await;
        assert_eq!(task["escrow_cents"], 1_000);
        assert!(task["position"].as_i64().unwrap() > 0);
        let task_id = task["id"].as_str().unwrap().to_owned();
        let balance = ok(&poster, "get_balance", json!({})).await;
        assert_eq!(
            (&balance["available_cents"], &balance["held_cents"]),
            (&json!(9_000), &json!(1_000))
        );

        let listed = ok(&worker, "list_tasks", json!({ "status": "open" })).await;
        assert!(listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|summary| summary["id"] == task["id"]));
        let assigned = ok(&worker, "accept_task", json!({ "task_id": task_id })).await;
        assert!(assigned["assignment_id"].is_string(), "{assigned}");
        let submitted = ok(
            &worker,
            "submit_work",
            json!({ "task_id": task_id, "text": "Open 7 to 6" }),
        )
        .await;
        let submission_id = submitted["submission_id"].as_str().unwrap().to_owned();
        let approved = ok(
            &poster,
            "approve_submission",
            json!({ "submission_id": submission_id }),
        )
        .await;
        assert_eq!(approved["escrow_cents"], 0);

        // The native fee is 10 %: Bea gets 900, the poster's hold is spent.
        let earned = ok(&worker, "get_balance", json!({})).await;
        assert_eq!(earned["available_cents"], 900);
        assert_eq!(app.balance(&person).await["available_cents"], 900);
        let spent = ok(&poster, "get_balance", json!({})).await;
        assert_eq!(
            (&spent["available_cents"], &spent["held_cents"]),
            (&json!(9_000), &json!(0))
        );
        let postings = ok(&worker, "list_postings", json!({})).await;
        assert!(
            !postings["data"].as_array().unwrap().is_empty(),
            "{postings}"
        );
        let seen = ok(&worker, "get_task", json!({ "task_id": task_id })).await;
        assert_eq!(seen["id"], task["id"]);

        let admin = session(&app, &app.admin_key).await;
        let events = ok(&admin, "list_events", json!({ "after": 0 })).await;
        let types: Vec<&str> = events["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|event| event["type"].as_str())
            .collect();
        assert!(types.contains(&"SubmissionApproved"), "{types:?}");
        assert_eq!(ok(&admin, "verify", json!({})).await["ok"], true);
        app.verify().await;
        poster.cancel().await.expect("the session closes");
    }
);

both_backends!(
    a_client_without_sessions_calls_the_same_tools,
    |app: TestApp| async move {
        // The 2026 revision has no sessions: each request says its version itself.
        let agent = app.funded_agent("ResearchBot", 5_000).await;
        let lifecycle = ClientLifecycleMode::Discover {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
        };
        let client = ClientConfig::default()
            .serve_with_lifecycle(
                StreamableHttpClientTransport::from_config(endpoint(&app, &agent.key)),
                lifecycle,
            )
            .await
            .expect("the client discovers the server");
        let task = ok(
            &client,
            "post_task",
            json!({ "title": "Count the pigeons", "reward_cents": 500, "slots": 2 }),
        )
        .await;
        assert_eq!(task["escrow_cents"], 1_000);
        assert_eq!(app.balance(&agent).await["held_cents"], 1_000);
    }
);

both_backends!(
    a_plain_json_rpc_post_lists_the_tools_as_json,
    |app: TestApp| async move {
        let agent = app.funded_agent("curl", 1_000).await;
        let response = post_json_rpc(
            &app,
            Some(&agent.key),
            json!({ "jsonrpc": "2.0", "id": "1", "method": "tools/list", "params": {} }),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with("application/json"),
            "{content_type}"
        );
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["id"], "1");
        let tools = body["result"]["tools"].as_array().expect("tools");
        assert_eq!(tools.len(), NATIVE_TOOLS.len(), "{body}");
        let post_task = tools
            .iter()
            .find(|tool| tool["name"] == "post_task")
            .expect("post_task");
        let required = &post_task["inputSchema"]["required"];
        assert_eq!(required, &json!(["title", "reward_cents"]), "{post_task}");

        let response = post_json_rpc(
            &app,
            Some(&agent.key),
            json!({ "jsonrpc": "2.0", "id": 2, "method": "tools/call",
                    "params": { "name": "get_balance", "arguments": {} } }),
        )
        .await;
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["result"]["isError"], false, "{body}");
        assert_eq!(
            body["result"]["structuredContent"]["available_cents"],
            1_000
        );
    }
);

both_backends!(
    without_a_valid_key_the_endpoint_answers_401,
    |app: TestApp| async move {
        let head = app.journal_head().await;
        let list = json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/list" });
        for key in [None, Some("erk_live_not_a_key")] {
            let response = post_json_rpc(&app, key, list.clone()).await;
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{key:?}");
            let problem: Value = response.json().await.expect("problem+json");
            assert_eq!(problem["code"], "unauthorized");
        }
        let response = app
            .client
            .get(app.url("/v1/mcp"))
            .header("Accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let response = app.client.delete(app.url("/v1/mcp")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(app.journal_head().await, head);
    }
);

both_backends!(
    a_tool_the_domain_refuses_is_an_error_result_that_changes_nothing,
    |app: TestApp| async move {
        let agent = app.funded_agent("ResearchBot", 1_000).await;
        let poster = session(&app, &agent.key).await;
        let head = app.journal_head().await;

        let (refused, body) = call(
            &poster,
            "post_task",
            json!({ "title": "Too dear", "reward_cents": 5_000 }),
        )
        .await;
        assert!(refused, "{body}");
        assert_eq!(body["code"], "insufficient_funds");
        assert_eq!(body["needed_cents"], 5_000);
        assert!(body["error"]
            .as_str()
            .unwrap()
            .contains("insufficient funds"));

        let (refused, body) = call(
            &poster,
            "approve_submission",
            json!({ "submission_id": "not-an-id" }),
        )
        .await;
        assert!(refused, "{body}");
        assert_eq!(body["code"], "not_found");

        let (refused, body) = call(
            &poster,
            "post_task",
            json!({ "title": "A nul \u{0}", "reward_cents": 100 }),
        )
        .await;
        assert!(refused, "{body}");
        assert_eq!(body["code"], "validation_failed");

        // Only admins read the journal.
        let (refused, body) = call(&poster, "list_events", json!({})).await;
        assert!(refused, "{body}");
        assert_eq!(body["code"], "forbidden");
        assert_eq!(app.journal_head().await, head);
        assert_eq!(app.balance(&agent).await["available_cents"], 1_000);
    }
);

both_backends!(
    a_key_without_the_write_scope_cannot_call_a_write_tool,
    |app: TestApp| async move {
        let agent = app.funded_agent("ReadOnly", 1_000).await;
        let (_, reader) = app
            .key_for(&agent, json!({ "scopes": ["tasks:read"] }))
            .await;
        let client = session(&app, &reader).await;
        let head = app.journal_head().await;
        let (refused, body) = call(
            &client,
            "post_task",
            json!({ "title": "Not allowed", "reward_cents": 100 }),
        )
        .await;
        assert!(refused, "{body}");
        assert_eq!(body["code"], "forbidden");
        assert!(body["error"].as_str().unwrap().contains("tasks:write"));
        let (refused, body) = call(&client, "get_balance", json!({})).await;
        assert!(refused, "{body}");
        assert!(body["error"].as_str().unwrap().contains("wallet:read"));
        let listed = ok(&client, "list_tasks", json!({})).await;
        assert!(listed["data"].is_array());
        assert_eq!(app.journal_head().await, head);
    }
);

both_backends!(
    misspelt_arguments_are_error_results_and_unknown_tools_json_rpc_errors,
    |app: TestApp| async move {
        let agent = app.funded_agent("ResearchBot", 1_000).await;
        let head = app.journal_head().await;
        let response = post_json_rpc(
            &app,
            Some(&agent.key),
            json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/call",
                    "params": { "name": "no_such_tool", "arguments": {} } }),
        )
        .await;
        let body: Value = response.json().await.expect("JSON");
        assert!(body["error"]["code"].is_i64(), "{body}");
        assert!(body.get("result").is_none(), "{body}");

        let client = session(&app, &agent.key).await;
        let wrong = [
            (json!({ "titel": "x", "reward_cents": 100 }), "titel"),
            (json!({ "title": "x", "reward_cents": "a lot" }), "a lot"),
            (json!({ "reward_cents": 100 }), "title"),
        ];
        for (arguments, named) in wrong {
            let (refused, body) = call(&client, "post_task", arguments).await;
            assert!(refused, "{body}");
            assert_eq!(body["code"], "invalid_arguments");
            assert!(body["error"].as_str().unwrap().contains(named), "{body}");
        }
        assert_eq!(app.journal_head().await, head);
    }
);

both_backends!(
    each_call_in_a_session_acts_as_the_key_it_carries,
    |app: TestApp| async move {
        let agent = app.funded_agent("Opener", 2_000).await;
        let other = app.funded_agent("Other", 700).await;
        let session_id = open_session(&app, &agent).await;

        let balance = call_in_session(&app, &session_id, &other.key, "get_balance").await;
        assert_eq!(balance["structuredContent"]["available_cents"], 700);
        let balance = call_in_session(&app, &session_id, &agent.key, "get_balance").await;
        assert_eq!(balance["structuredContent"]["available_cents"], 2_000);

        // A session's request without a key is refused like any other.
        let response = app
            .client
            .post(app.url("/v1/mcp"))
            .header("Accept", "application/json, text/event-stream")
            .header("mcp-session-id", &session_id)
            .json(&json!({ "jsonrpc": "2.0", "id": 9, "method": "tools/list" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
);

/// `initialize` and `notifications/initialized` by hand; the session's id.
async fn open_session(app: &TestApp, actor: &Actor) -> String {
    let response = post_json_rpc(
        app,
        Some(&actor.key),
        json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": { "name": "curl", "version": "1" } } }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let session_id = response.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(sse_message(response, 1).await["result"]["serverInfo"].is_object());
    let response = app
        .client
        .post(app.url("/v1/mcp"))
        .bearer_auth(&actor.key)
        .header("Accept", "application/json, text/event-stream")
        .header("mcp-session-id", &session_id)
        .json(&json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    session_id
}

async fn call_in_session(app: &TestApp, session_id: &str, key: &str, tool: &str) -> Value {
    let response = app
        .client
        .post(app.url("/v1/mcp"))
        .bearer_auth(key)
        .header("Accept", "application/json, text/event-stream")
        .header("mcp-session-id", session_id)
        .header("mcp-protocol-version", "2025-06-18")
        .json(&json!({ "jsonrpc": "2.0", "id": 2, "method": "tools/call",
                        "params": { "name": tool, "arguments": {} } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    sse_message(response, 2).await["result"].clone()
}

/// The JSON-RPC answer with `id` from a Server-Sent Events response, read as it
/// arrives (the stream may stay open after it).
async fn sse_message(mut response: reqwest::Response, id: i64) -> Value {
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        for line in text.lines() {
            let Some(data) = line.strip_prefix("data:") else {
                continue;
            };
            if let Ok(message) = serde_json::from_str::<Value>(data.trim()) {
                if message["id"] == id {
                    return message;
                }
            }
        }
        let chunk = tokio::time::timeout_at(deadline, response.chunk())
            .await
            .expect("the answer arrives in time")
            .expect("the stream reads");
        let Some(chunk) = chunk else {
            panic!("the stream ended without the answer: {text}");
        };
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
}

both_backends!(
    mcp_requests_count_against_the_write_limit,
    rate_limits = RateLimits::per_minute(0, 2, 0),
    |app: TestApp| async move {
        let agent = app.actor("agent", "Chatty").await;
        let list = json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/list" });
        for _ in 0..2 {
            let response = post_json_rpc(&app, Some(&agent.key), list.clone()).await;
            assert_eq!(response.status(), StatusCode::OK);
        }
        let response = post_json_rpc(&app, Some(&agent.key), list).await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(response.headers().contains_key("retry-after"));
    }
);

both_backends!(
    a_revoked_key_stops_working_in_an_open_session,
    |app: TestApp| async move {
        let agent = app.funded_agent("Revoked", 1_000).await;
        let (key_id, secret) = app.key_for(&agent, json!({})).await;
        let client = session(&app, &secret).await;
        assert_eq!(
            ok(&client, "get_balance", json!({})).await["available_cents"],
            1_000
        );

        let response = app
            .request(
                reqwest::Method::DELETE,
                &format!("/v1/keys/{key_id}"),
                Some(&app.admin_key),
                None,
            )
            .await;
        assert!(response.status().is_success(), "{}", response.status());
        let refused = client
            .call_tool(CallToolRequestParams::new("get_balance").with_arguments(Default::default()))
            .await;
        assert!(refused.is_err(), "{refused:?}");
    }
);

both_backends!(
    a_person_calls_tools_with_a_login_token,
    |app: TestApp| async move {
        let registration = json!({ "name": "Bea", "email": "bea@example.com", "password": "correct horse battery" });
        let response = app
            .request(
                reqwest::Method::POST,
                "/v1/people/register",
                None,
                Some(registration),
            )
            .await;
        let (status, person) = read(response).await;
        assert_eq!(status, StatusCode::CREATED, "{person}");
        let token = person["access_token"].as_str().unwrap();
        let client = session(&app, token).await;
        let balance = ok(&client, "get_balance", json!({})).await;
        assert_eq!(balance["actor_id"], person["actor_id"]);
        assert_eq!(balance["available_cents"], 0);
    }
);

both_backends!(
    a_tool_retried_with_its_idempotency_key_posts_once,
    |app: TestApp| async move {
        let agent = app.funded_agent("Careful", 2_000).await;
        let client = session(&app, &agent.key).await;
        let post = json!({ "title": "Once", "reward_cents": 700, "idempotency_key": "post-1" });
        let first = ok(&client, "post_task", post.clone()).await;
        let again = ok(&client, "post_task", post).await;
        assert_eq!(first["id"], again["id"]);
        assert_eq!(first["position"], again["position"]);
        assert_eq!(app.balance(&agent).await["held_cents"], 700);

        let other = json!({ "title": "Twice", "reward_cents": 700, "idempotency_key": "post-1" });
        let (refused, body) = call(&client, "post_task", other).await;
        assert!(refused, "{body}");
        assert_eq!(body["code"], "idempotency_key_reused");
        assert_eq!(app.balance(&agent).await["held_cents"], 700);
    }
);
