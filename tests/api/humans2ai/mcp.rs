//! Humans2AI's MCP server at `/humans2ai/api/v1/mcp`: an rmcp client posts a
//! task, selects whoever applied over REST, approves the work and sees the
//! wallet move as the ledger says; keys, scopes and refusals in Humans2AI's
//! envelope.

use super::*;
use crate::both_backends;
use crate::helpers::TestApp;
use crate::mcp::{call, ok, session_at, McpClient};
use reqwest::{Method, StatusCode};
use serde_json::json;

const MCP: &str = "/humans2ai/api/v1/mcp";

/// The seed's 15 tools, as this server names them.
const HUMANS2AI_TOOLS: [&str; 15] = [
    "approve_task",
    "create_task",
    "dispute_task",
    "get_messages",
    "get_task",
    "get_wallet",
    "list_applications",
    "list_notifications",
    "list_tasks",
    "list_transactions",
    "mark_notifications_read",
    "reject_task",
    "select_applicant",
    "send_message",
    "submit_work",
];

async fn session(app: &TestApp, key: &str) -> McpClient {
    session_at(app, MCP, key).await
}

/// A tool's refusal: asserts Humans2AI's error envelope with `code`, returns
/// its message.
async fn refused_with(
    client: &McpClient,
    tool: &'static str,
    arguments: Value,
    code: &str,
) -> String {
    let (is_error, body) = call(client, tool, arguments).await;
    assert!(is_error, "{tool} should be refused: {body}");
    assert_eq!(body["success"], json!(false), "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    body["error"]["message"]
        .as_str()
        .expect("a message")
        .to_owned()
}

/// A person applies to `task` over REST; returns nothing, the owner lists them.
async fn apply(app: &TestApp, token: &str, task: &str) {
    let (status, body) = h2a(
        app,
        Method::POST,
        &format!("/tasks/{task}/apply"),
        Some(token),
        Some(json!({ "message": "I live around the corner." })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

both_backends!(
    an_agent_hires_and_pays_a_person_through_the_mcp_tools,
    |app: TestApp| async move {
        let agent = register(&app, "agent", "PhotoBot").await;
        let key = create_key(&app, &agent.token, json!({})).await;
        fund(&app, &agent.token, 20_000).await;
        let client = session(&app, &key).await;

        let tools = client.list_all_tools().await.expect("tools/list");
        let mut names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
        names.sort();
        assert_eq!(names, HUMANS2AI_TOOLS);
        assert!(tools.iter().all(|tool| tool.description.is_some()));

        let body = task_body("Photograph 3 coffee shops", json!(150));
        let created = ok(&client, "create_task", body).await;
        assert_eq!(created["success"], json!(true), "{created}");
        assert_eq!(created["data"]["status"], "open");
        assert_eq!(created["data"]["escrowAmount"], json!(150));
        assert!(created["position"].as_i64().is_some_and(|p| p > 0));
        let task = created["data"]["id"].as_str().expect("task id").to_owned();
        let funds = ok(&client, "get_wallet", json!({})).await;
        assert_eq!(funds["data"]["balance"], json!(50));
        assert_eq!(funds["data"]["frozenBalance"], json!(150));

        let ada = register(&app, "human", "Ada").await;
        let bob = register(&app, "human", "Bob").await;
        apply(&app, &ada.token, &task).await;
        apply(&app, &bob.token, &task).await;

        let listed = ok(&client, "list_applications", json!({ "task_id": task })).await;
        let applications = listed["data"]["applications"].as_array().expect("list");
        assert_eq!(applications.len(), 2, "{listed}");
        let bobs = applications
            .iter()
            .find(|a| a["humanId"] == json!(bob.id))
            .expect("Bob applied");
        assert_eq!(bobs["humanName"], "Bob");
        let selected = ok(
            &client,
            "select_applicant",
            json!({ "task_id": task, "application_id": bobs["id"] }),
        )
        .await;
        assert_eq!(selected["data"]["status"], "assigned");
        assert_eq!(selected["data"]["assignedTo"], json!(bob.id));

        let (status, submitted) = h2a(
            &app,
            Method::POST,
            &format!("/tasks/{task}/submit"),
            Some(&bob.token),
            Some(json!({ "proof": "Three shops photographed." })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{submitted}");
        let seen = ok(&client, "get_task", json!({ "task_id": task })).await;
        assert_eq!(seen["data"]["status"], "submitted");

        let approved = ok(&client, "approve_task", json!({ "task_id": task })).await;
        assert_eq!(approved["data"]["task"]["status"], "completed");
        // 0.01 % of $150.00 is 1.5 cents, rounded half-up to 2.
        assert_eq!(approved["data"]["platformFee"].to_string(), "0.02");
        assert_eq!(approved["data"]["payout"].to_string(), "149.98");

        let funds = ok(&client, "get_wallet", json!({})).await;
        assert_eq!(funds["data"]["balance"], json!(50));
        assert_eq!(funds["data"]["frozenBalance"], json!(0));
        assert_eq!(funds["data"]["lifetime"]["spent"], json!(150));
        assert_eq!(
            wallet(&app, &bob.token).await["balance"].to_string(),
            "149.98"
        );
        let history = ok(&client, "list_transactions", json!({ "type": "payment" })).await;
        let payments = history["data"]["transactions"].as_array().expect("list");
        assert_eq!(payments.len(), 1, "{history}");
        let listed = ok(&client, "list_tasks", json!({ "status": "completed" })).await;
        assert_eq!(listed["data"]["tasks"][0]["id"], json!(task), "{listed}");
        assert_eq!(listed["data"]["pagination"]["total"], json!(1));
        app.verify().await;
    }
);

both_backends!(
    a_person_and_an_agent_talk_hand_in_work_and_read_notifications_through_the_tools,
    |app: TestApp| async move {
        let agent = register(&app, "agent", "PhotoBot").await;
        let key = create_key(&app, &agent.token, json!({})).await;
        fund(&app, &agent.token, 20_000).await;
        let poster = session(&app, &key).await;
        let created = ok(
            &poster,
            "create_task",
            task_body("Check the bakery's hours", json!(20)),
        )
        .await;
        let task = created["data"]["id"].as_str().expect("task id").to_owned();
        let bob = register(&app, "human", "Bob").await;
        apply(&app, &bob.token, &task).await;
        let listed = ok(&poster, "list_applications", json!({ "task_id": task })).await;
        let application = listed["data"]["applications"][0]["id"].clone();
        ok(
            &poster,
            "select_applicant",
            json!({ "task_id": task, "application_id": application }),
        )
        .await;

        let worker = session(&app, &bob.token).await;
        let sent = ok(
            &poster,
            "send_message",
            json!({ "task_id": task, "body": "Please photograph the sign too." }),
        )
        .await;
        assert_eq!(sent["data"]["text"], "Please photograph the sign too.");
        let thread = ok(&worker, "get_messages", json!({ "task_id": task })).await;
        assert_eq!(
            thread["data"]["messages"][0]["text"], "Please photograph the sign too.",
            "{thread}"
        );
        let submitted = ok(
            &worker,
            "submit_work",
            json!({
                "task_id": task,
                "proof": "Open 7 to 6; sign attached.",
                "attachments": [{ "url": "https://example.com/sign.jpg", "media_type": "image/jpeg" }],
            }),
        )
        .await;
        assert_eq!(submitted["data"]["status"], "submitted");

        let inbox = ok(&worker, "list_notifications", json!({})).await;
        let unread = inbox["data"]["unreadCount"].as_i64().expect("a count");
        assert!(unread >= 2, "assigned and a message: {inbox}");
        let marked = ok(&worker, "mark_notifications_read", json!({ "all": true })).await;
        assert_eq!(marked["data"]["all"], json!(true));
        let inbox = ok(&worker, "list_notifications", json!({ "unread": true })).await;
        assert_eq!(inbox["data"]["unreadCount"], json!(0), "{inbox}");

        // The owner disputes: the escrow goes back to the agent's wallet.
        let disputed = ok(
            &poster,
            "dispute_task",
            json!({ "task_id": task, "reason": "These are last year's hours." }),
        )
        .await;
        assert_eq!(disputed["data"]["status"], "disputed");
        let funds = ok(&poster, "get_wallet", json!({})).await;
        assert_eq!(funds["data"]["balance"], json!(200));
        assert_eq!(funds["data"]["frozenBalance"], json!(0));
        app.verify().await;
    }
);

both_backends!(
    a_call_without_a_key_is_refused_401_in_the_humans2ai_envelope,
    |app: TestApp| async move {
        let message = json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {} });
        for key in [None, Some("sk_live_not_a_key")] {
            let mut request = app
                .client
                .post(app.url(MCP))
                .header("Accept", "application/json, text/event-stream")
                .json(&message);
            if let Some(key) = key {
                request = request.bearer_auth(key);
            }
            let response = request.send().await.expect("request is sent");
            let (status, body) = crate::helpers::read(response).await;
            refused(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
        }
    }
);

/// A JSON-RPC `tools/list` as curl posts it.
async fn list_tools_with_curl(app: &TestApp, key: &str) -> reqwest::Response {
    let message = json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {} });
    app.client
        .post(app.url(MCP))
        .header("Accept", "application/json, text/event-stream")
        .bearer_auth(key)
        .json(&message)
        .send()
        .await
        .expect("request is sent")
}

both_backends!(
    mcp_requests_count_against_the_humans2ai_mcp_class,
    rate_limits = errand::http::rate_limit::RateLimits::unlimited().with_named([(
        errand::http::humans2ai::rate_limits::MCP,
        errand::http::rate_limit::Allowance::new(2, std::time::Duration::from_secs(3600))
            .expect("an allowance"),
    )]),
    |app: TestApp| async move {
        let agent = register(&app, "agent", "Chatty").await;
        let key = create_key(&app, &agent.token, json!({})).await;
        for _ in 0..2 {
            let response = list_tools_with_curl(&app, &key).await;
            assert_eq!(response.status(), StatusCode::OK);
            let (_, body) = crate::helpers::read(response).await;
            let tools = body["result"]["tools"].as_array().expect("tools");
            assert_eq!(tools.len(), HUMANS2AI_TOOLS.len(), "{body}");
        }
        let (status, body) = crate::helpers::read(list_tools_with_curl(&app, &key).await).await;
        refused(status, &body, StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED");
        // Other classes are not spent by it.
        let (status, body) = h2a(&app, Method::GET, "/tasks", Some(&key), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
);

both_backends!(
    a_key_without_tasks_write_cannot_create_a_task_and_nothing_changes,
    |app: TestApp| async move {
        let agent = register(&app, "agent", "PhotoBot").await;
        fund(&app, &agent.token, 20_000).await;
        let reader = create_key(&app, &agent.token, json!({ "scopes": ["tasks:read"] })).await;
        let client = session(&app, &reader).await;
        let head = app.journal_head().await;
        let message = refused_with(
            &client,
            "create_task",
            task_body("Photograph 3 coffee shops", json!(150)),
            "FORBIDDEN",
        )
        .await;
        assert!(message.contains("tasks:write"), "{message}");
        refused_with(&client, "get_wallet", json!({}), "FORBIDDEN").await;
        assert_eq!(app.journal_head().await, head, "a refusal appends nothing");
        let listed = ok(&client, "list_tasks", json!({})).await;
        assert_eq!(listed["data"]["pagination"]["total"], json!(0));
    }
);

both_backends!(
    refused_commands_and_bad_arguments_are_error_results_that_change_nothing,
    |app: TestApp| async move {
        let agent = register(&app, "agent", "PhotoBot").await;
        let key = create_key(&app, &agent.token, json!({})).await;
        fund(&app, &agent.token, 10_000).await;
        let client = session(&app, &key).await;
        let created = ok(
            &client,
            "create_task",
            task_body("Photograph 3 coffee shops", json!(60)),
        )
        .await;
        let task = created["data"]["id"].as_str().expect("task id").to_owned();
        let before = ok(&client, "get_wallet", json!({})).await;
        let head = app.journal_head().await;

        refused_with(
            &client,
            "create_task",
            task_body("Too dear", json!(41)),
            "INSUFFICIENT_BALANCE",
        )
        .await;
        refused_with(
            &client,
            "create_task",
            task_body("Sub-cent", json!(1.005)),
            "VALIDATION_ERROR",
        )
        .await;
        refused_with(
            &client,
            "approve_task",
            json!({ "task_id": task }),
            "CONFLICT",
        )
        .await;
        refused_with(
            &client,
            "get_task",
            json!({ "task_id": "task_nonsense" }),
            "TASK_NOT_FOUND",
        )
        .await;
        let message = refused_with(
            &client,
            "create_task",
            json!({ "budget": 5 }),
            "VALIDATION_ERROR",
        )
        .await;
        assert!(message.contains("title"), "{message}");
        refused_with(
            &client,
            "list_tasks",
            json!({ "colour": "red" }),
            "VALIDATION_ERROR",
        )
        .await;
        refused_with(
            &client,
            "mark_notifications_read",
            json!({}),
            "VALIDATION_ERROR",
        )
        .await;

        assert_eq!(app.journal_head().await, head, "refusals append nothing");
        assert_eq!(ok(&client, "get_wallet", json!({})).await, before);
    }
);
