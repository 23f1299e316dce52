//! One marketplace: who sees a Humans2AI task where, and who may do what
//! with it (BOLA); a HumanPing worker's accept applies.

use super::*;
use crate::both_backends;
use crate::helpers::TestApp;
use crate::humanping::worker::verified_worker;
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    people_see_open_work_but_only_the_owner_sees_applications_and_decides,
    |app: TestApp| async move {
        let agent = register(&app, "agent", "Owner").await;
        let key = create_key(&app, &agent.token, json!({})).await;
        fund(&app, &agent.token, 5_000).await;
        let mut body = task_body("Check a bakery's hours", json!(12.34));
        body["remote"] = json!(true);
        body["urgency"] = json!("high");
        let task = post_task(&app, &key, body).await;
        post_task(&app, &key, task_body("Walk a route", json!(3))).await;

        let person = register(&app, "human", "Browser").await;
        let (status, listed) = h2a(
            &app,
            Method::GET,
            "/tasks?remote=true&urgency=high",
            Some(&person.token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{listed}");
        let tasks = listed["data"]["tasks"].as_array().expect("tasks").clone();
        assert_eq!(tasks.len(), 1, "{listed}");
        assert_eq!(tasks[0]["id"], json!(task));
        assert_eq!(tasks[0]["budget"].to_string(), "12.34");
        assert_eq!(tasks[0]["agentName"], "Owner");
        let (_, all) = h2a(
            &app,
            Method::GET,
            "/tasks?limit=1&page=2",
            Some(&person.token),
            None,
        )
        .await;
        assert_eq!(all["data"]["pagination"]["total"], json!(2));
        assert_eq!(all["data"]["tasks"].as_array().expect("tasks").len(), 1);

        let (status, body) = h2a(
            &app,
            Method::POST,
            &format!("/tasks/{task}/apply"),
            Some(&person.token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = h2a(
            &app,
            Method::POST,
            &format!("/tasks/{task}/apply"),
            Some(&person.token),
            None,
        )
        .await;
        refused(status, &body, StatusCode::CONFLICT, "CONFLICT");

        // A person cannot list another's task's applications, nor select.
        let (status, body) = h2a(
            &app,
            Method::GET,
            &format!("/tasks/{task}/applications"),
            Some(&person.token),
            None,
        )
        .await;
        refused(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");
        let (status, body) = h2a(
            &app,
            Method::POST,
            &format!("/tasks/{task}/select"),
            Some(&person.token),
            Some(json!({ "applicationId": "app_00000000000000000000000000000001" })),
        )
        .await;
        refused(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");
        // Nor can another agent, nor approve.
        let rival = register(&app, "agent", "Rival").await;
        let (status, body) = h2a(
            &app,
            Method::GET,
            &format!("/tasks/{task}/applications"),
            Some(&rival.token),
            None,
        )
        .await;
        refused(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");
        let (status, body) = h2a(
            &app,
            Method::POST,
            &format!("/tasks/{task}/approve"),
            Some(&rival.token),
            None,
        )
        .await;
        refused(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");
        let (status, body) = h2a(
            &app,
            Method::POST,
            &format!("/tasks/{task}/dispute"),
            Some(&rival.token),
            Some(json!({ "reason": "mine now" })),
        )
        .await;
        refused(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");

        // The owner selects; the task leaves the marketplace and strangers no longer see it.
        let (_, applications) = h2a(
            &app,
            Method::GET,
            &format!("/tasks/{task}/applications"),
            Some(&key),
            None,
        )
        .await;
        let application = applications["data"]["applications"][0]["id"].clone();
        let (status, body) = h2a(
            &app,
            Method::POST,
            &format!("/tasks/{task}/select"),
            Some(&key),
            Some(json!({ "applicationId": application })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = h2a(
            &app,
            Method::GET,
            &format!("/tasks/{task}"),
            Some(&rival.token),
            None,
        )
        .await;
        refused(status, &body, StatusCode::NOT_FOUND, "TASK_NOT_FOUND");
        let (status, body) = h2a(
            &app,
            Method::GET,
            &format!("/tasks/{task}"),
            Some(&person.token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["status"], "assigned");

        // The owner disputes submitted work: the escrow returns.
        let (status, body) = h2a(
            &app,
            Method::POST,
            &format!("/tasks/{task}/submit"),
            Some(&person.token),
            Some(json!({ "proof": "Open 7 to 3." })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = h2a(
            &app,
            Method::POST,
            &format!("/tasks/{task}/dispute"),
            Some(&key),
            Some(json!({ "reason": "The bakery closed years ago." })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["status"], "disputed");
        assert_eq!(
            wallet(&app, &key).await["balance"],
            json!(47),
            "12.34 back; 3 still held"
        );
        app.verify().await;
    }
);

both_backends!(
    a_humans2ai_task_is_in_the_native_list_and_a_humanping_workers_accept_applies,
    |app: TestApp| async move {
        let agent = register(&app, "agent", "Everywhere").await;
        let key = create_key(&app, &agent.token, json!({})).await;
        fund(&app, &agent.token, 5_000).await;
        let task = post_task(&app, &key, task_body("Photograph a mural", json!(25))).await;

        let (status, native) = app.get("/v1/tasks?status=open", &agent.token).await;
        assert_eq!(status, StatusCode::OK, "{native}");
        let listed = native["data"].as_array().expect("data");
        assert!(
            listed.iter().any(|t| t["id"] == json!(uuid_of(&task))),
            "{native}"
        );

        let (worker_id, worker_token) = verified_worker(&app, "Pinger").await;
        let response = app
            .request(
                Method::GET,
                "/humanping/api/v1/worker/feed",
                Some(&worker_token),
                None,
            )
            .await;
        let (status, feed) = crate::helpers::read(response).await;
        assert_eq!(status, StatusCode::OK, "{feed}");
        assert!(
            feed["tasks"]
                .as_array()
                .expect("tasks")
                .iter()
                .any(|t| t["id"] == json!(task)),
            "{feed}"
        );
        let response = app
            .request(
                Method::POST,
                &format!("/humanping/api/v1/worker/tasks/{task}/accept"),
                Some(&worker_token),
                None,
            )
            .await;
        let (status, accepted) = crate::helpers::read(response).await;
        assert_eq!(status, StatusCode::OK, "{accepted}");
        assert_eq!(accepted["status"], "applied");

        let (_, applications) = h2a(
            &app,
            Method::GET,
            &format!("/tasks/{task}/applications"),
            Some(&key),
            None,
        )
        .await;
        let applications = applications["data"]["applications"]
            .as_array()
            .expect("list")
            .clone();
        assert_eq!(applications.len(), 1);
        assert_eq!(
            applications[0]["humanId"],
            json!(format!("user_{}", worker_id.trim_start_matches("worker_")))
        );
        // Applied, it leaves that worker's feed.
        let response = app
            .request(
                Method::GET,
                "/humanping/api/v1/worker/feed",
                Some(&worker_token),
                None,
            )
            .await;
        let (_, feed) = crate::helpers::read(response).await;
        assert!(
            !feed["tasks"]
                .as_array()
                .expect("tasks")
                .iter()
                .any(|t| t["id"] == json!(task)),
            "{feed}"
        );
    }
);
