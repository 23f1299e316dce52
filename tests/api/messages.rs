//! Task messages end to end: participants talk, strangers are refused, bounds
//! hold and refusals change nothing. Each on both backends.

use crate::both_backends;
use crate::helpers::{Actor, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// An apply-and-select task with an applicant who was selected and one who was not.
async fn task_with_participants(app: &TestApp) -> (Actor, Actor, Actor, String) {
    let agent = app.funded_agent("Scout", 10_000).await;
    let chosen = app.actor("human", "Bea").await;
    let waiting = app.actor("human", "Cy").await;
    let task = app
        .post_task(
            &agent,
            json!({ "title": "Photograph the bakery", "reward_cents": 1_000, "assignment": "apply_select" }),
        )
        .await;
    let mut applications = Vec::new();
    for worker in [&chosen, &waiting] {
        let (status, body) = app
            .post(&format!("/v1/tasks/{task}/apply"), &worker.key, json!({}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        applications.push(body["application_id"].as_str().unwrap().to_owned());
    }
    let (status, body) = app
        .post(
            &format!("/v1/tasks/{task}/applications/{}/select", applications[0]),
            &agent.key,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (agent, chosen, waiting, task)
}

async fn say(app: &TestApp, who: &Actor, task: &str, text: &str) -> (StatusCode, Value) {
    app.post(
        &format!("/v1/tasks/{task}/messages"),
        &who.key,
        json!({ "body": text }),
    )
    .await
}

both_backends!(
    the_poster_and_the_workers_talk_and_read_the_thread_oldest_first,
    |app: TestApp| async move {
        let (agent, chosen, waiting, task) = task_with_participants(&app).await;
        let (status, first) = say(&app, &agent, &task, "  Front of the shop, please  ").await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        assert_eq!(first["body"], "Front of the shop, please");
        assert_eq!(first["sender_role"], "poster");
        assert_eq!(first["sender_id"], json!(agent.id));
        let (status, second) = say(&app, &chosen, &task, "On my way").await;
        assert_eq!(status, StatusCode::CREATED, "{second}");
        assert_eq!(second["sender_role"], "worker");
        let (status, third) = say(&app, &waiting, &task, "Still available?").await;
        assert_eq!(status, StatusCode::CREATED, "{third}");
        assert_eq!(third["sender_role"], "applicant");

        for reader in [&agent, &chosen, &waiting] {
            let (status, page) = app
                .get(&format!("/v1/tasks/{task}/messages"), &reader.key)
                .await;
            assert_eq!(status, StatusCode::OK, "{page}");
            let bodies: Vec<&str> = page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["body"].as_str().unwrap())
                .collect();
            assert_eq!(
                bodies,
                ["Front of the shop, please", "On my way", "Still available?"]
            );
        }
        // Admins read; pages follow the cursor.
        let (status, page) = app
            .get(
                &format!("/v1/tasks/{task}/messages?limit=2"),
                &app.admin_key,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["data"].as_array().unwrap().len(), 2);
        let next = page["next"].as_str().expect("a next page");
        let (_, rest) = app
            .get(
                &format!("/v1/tasks/{task}/messages?cursor={next}"),
                &app.admin_key,
            )
            .await;
        assert_eq!(rest["data"][0]["body"], "Still available?");
        assert_eq!(rest["next"], Value::Null);
        // Chatting leaves the task's own stream alone.
        assert_eq!(app.task(&agent.key, &task).await["status"], "open");
        app.verify().await;
    }
);

both_backends!(
    a_stranger_can_neither_read_nor_post_and_bad_messages_change_nothing,
    |app: TestApp| async move {
        let (agent, chosen, _, task) = task_with_participants(&app).await;
        let stranger = app.actor("human", "Dee").await;
        let head = app.journal_head().await;

        let (status, body) = say(&app, &stranger, &task, "let me in").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "forbidden");
        let (status, body) = app
            .get(&format!("/v1/tasks/{task}/messages"), &stranger.key)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        // Even an admin posts only where it takes part.
        let (status, body) = say(
            &app,
            &Actor {
                id: String::new(),
                key: app.admin_key.clone(),
            },
            &task,
            "hello",
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

        let longest = "é".repeat(2_000);
        let (status, body) = say(&app, &chosen, &task, &format!("{longest}x")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        for empty in ["", "   \n "] {
            let (status, body) = say(&app, &chosen, &task, empty).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        }
        let (status, body) = app
            .post(
                &format!("/v1/tasks/{task}/messages"),
                &chosen.key,
                json!({ "text": "hi" }),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let unknown = "01890000-0000-7000-8000-000000000000";
        let (status, body) = say(&app, &chosen, unknown, "hi").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, body) = app
            .get(&format!("/v1/tasks/{unknown}/messages"), &chosen.key)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(app.journal_head().await, head, "refusals append nothing");

        // Exactly 2,000 characters (4,000 bytes) is a message.
        let (status, body) = say(&app, &chosen, &task, &longest).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (_, page) = app
            .get(&format!("/v1/tasks/{task}/messages"), &agent.key)
            .await;
        assert_eq!(
            page["data"][0]["body"].as_str().unwrap().chars().count(),
            2_000
        );

        // Scopes: a key without messages:write may not post, one without messages:read may not read.
        let (_, read_only) = app
            .key_for(&chosen, json!({ "scopes": ["messages:read"] }))
            .await;
        let reader = Actor {
            id: chosen.id.clone(),
            key: read_only,
        };
        let (status, body) = say(&app, &reader, &task, "hi").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, _) = app
            .get(&format!("/v1/tasks/{task}/messages"), &reader.key)
            .await;
        assert_eq!(status, StatusCode::OK);
        let (_, tasks_only) = app
            .key_for(&chosen, json!({ "scopes": ["tasks:read"] }))
            .await;
        let (status, body) = app
            .get(&format!("/v1/tasks/{task}/messages"), &tasks_only)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
);
