//! The seed's "Example: Create Task", sent as written.

use super::*;
use crate::both_backends;
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    the_seeds_create_task_example_is_created_with_its_response_fields,
    |app: TestApp| async move {
        let agent = register(&app, "agent", "PhotoBot").await;
        let key = create_key(&app, &agent.token, json!({})).await;
        fund(&app, &agent.token, 20_000).await;
        // The seed's body verbatim, but for its deadline: 2026-03-15 has
        // passed by the time this runs, and a task's deadline must be ahead.
        let deadline = (chrono::Utc::now() + chrono::Duration::days(14))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let body = json!({
            "title": "Photograph 3 coffee shops in SOMA",
            "description": "Take exterior and interior photos of 3 coffee shops in SOMA district.",
            "category": "photography",
            "budget": 150,
            "deadline": deadline,
            "location": "San Francisco, CA",
            "remote": false,
            "urgency": "medium"
        });
        let (status, created) = h2a(&app, Method::POST, "/tasks", Some(&key), Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(created["success"], json!(true));
        let task = &created["data"];
        assert!(
            task["id"].as_str().expect("id").starts_with("task_"),
            "{task}"
        );
        assert_eq!(task["title"], "Photograph 3 coffee shops in SOMA");
        assert_eq!(task["status"], "open");
        assert_eq!(task["budget"], json!(150));
        assert!(task["escrowId"]
            .as_str()
            .expect("escrowId")
            .starts_with("esc_"));
        assert_eq!(task["agentId"], json!(agent.id));
        assert_eq!(task["agentName"], "PhotoBot");
        assert_eq!(task["applicantCount"], json!(0));
        assert!(task["createdAt"]
            .as_str()
            .expect("createdAt")
            .ends_with('Z'));
        assert_eq!(task["deadline"], json!(deadline));
        assert_eq!(task["location"], "San Francisco, CA");
        assert_eq!(task["remote"], json!(false));
        assert_eq!(task["urgency"], "medium");

        // One marketplace: the same task in the native API and HumanPing's feed.
        let id = task["id"].as_str().expect("id");
        let native = app.task(&agent.token, &uuid_of(id)).await;
        assert_eq!(native["reward_cents"], json!(15_000));
        assert_eq!(native["assignment_mode"], "apply_select");
        let (status, got) = h2a(&app, Method::GET, &format!("/tasks/{id}"), Some(&key), None).await;
        assert_eq!(status, StatusCode::OK, "{got}");
        assert_eq!(got["data"]["escrowId"], task["escrowId"]);
    }
);
