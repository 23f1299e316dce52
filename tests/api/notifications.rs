//! Notifications end to end: they reach the actor an event concerns, count as
//! unread until marked, by ids or all at once. Each on both backends.

use crate::both_backends;
use crate::helpers::{read, Actor, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn notifications(app: &TestApp, who: &Actor, query: &str) -> Value {
    let (status, page) = app
        .get(&format!("/v1/notifications{query}"), &who.key)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page
}

fn kinds(page: &Value) -> Vec<&str> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect()
}

async fn mark(app: &TestApp, who: &Actor, body: Value) -> (StatusCode, Value) {
    read(
        app.request(
            Method::PATCH,
            "/v1/notifications",
            Some(&who.key),
            Some(body),
        )
        .await,
    )
    .await
}

both_backends!(
    notifications_reach_the_right_actor_and_are_marked_read_by_ids_and_all,
    |app: TestApp| async move {
        let agent = app.funded_agent("Scout", 10_000).await;
        let worker = app.actor("human", "Bea").await;
        let bystander = app.actor("human", "Cy").await;
        let task = app
            .post_task(
                &agent,
                json!({ "title": "Count the bikes", "reward_cents": 1_000 }),
            )
            .await;
        let submission = app.take_and_submit(&worker, &task).await;
        let (status, body) = app
            .post(
                &format!("/v1/tasks/{task}/messages"),
                &agent.key,
                json!({ "body": "Thanks!" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = app
            .post(
                &format!("/v1/submissions/{submission}/approve"),
                &agent.key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let page = notifications(&app, &worker, "").await;
        assert_eq!(
            kinds(&page),
            [
                "payment_received",
                "submission_approved",
                "message_received",
                "assigned"
            ],
            "newest first: {page:#}"
        );
        assert_eq!(page["unread_count"], 4);
        assert!(page["data"][1]["text"]
            .as_str()
            .unwrap()
            .contains("Count the bikes"));
        assert_eq!(page["data"][1]["task_id"], json!(task));
        let agent_page = notifications(&app, &agent, "").await;
        assert_eq!(
            kinds(&agent_page),
            ["work_submitted"],
            "not its own message: {agent_page:#}"
        );
        assert_eq!(notifications(&app, &bystander, "").await["unread_count"], 0);

        // By ids: the worker's own is marked; the agent's id changes nothing.
        let own = page["data"][3]["id"].clone();
        let others = agent_page["data"][0]["id"].clone();
        let (status, marked) = mark(&app, &worker, json!({ "ids": [own, others] })).await;
        assert_eq!(status, StatusCode::OK, "{marked}");
        let page = notifications(&app, &worker, "").await;
        assert_eq!(page["unread_count"], 3);
        assert_eq!(page["data"][3]["read"], true);
        assert_eq!(page["data"][0]["read"], false);
        assert_eq!(notifications(&app, &agent, "").await["unread_count"], 1);
        let unread = notifications(&app, &worker, "?unread=true&limit=2").await;
        assert_eq!(kinds(&unread), ["payment_received", "submission_approved"]);
        let next = unread["next"].as_str().expect("a second page");
        let rest = notifications(&app, &worker, &format!("?unread=true&cursor={next}")).await;
        assert_eq!(kinds(&rest), ["message_received"]);

        // All: everything so far is read; what comes later is not.
        let (status, marked) = mark(&app, &worker, json!({ "all": true })).await;
        assert_eq!(status, StatusCode::OK, "{marked}");
        assert_eq!(marked["all"], true);
        let page = notifications(&app, &worker, "").await;
        assert_eq!(page["unread_count"], 0);
        assert!(page["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["read"] == true));
        let (status, body) = app
            .post(
                &format!("/v1/tasks/{task}/messages"),
                &agent.key,
                json!({ "body": "One more" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let page = notifications(&app, &worker, "").await;
        assert_eq!(page["unread_count"], 1);
        assert_eq!(page["data"][0]["read"], false);
        assert_eq!(notifications(&app, &agent, "").await["unread_count"], 1);
        app.verify().await;
    }
);

both_backends!(
    a_mark_without_ids_or_all_or_with_too_many_ids_changes_nothing,
    |app: TestApp| async move {
        let worker = app.actor("human", "Bea").await;
        let head = app.journal_head().await;
        let many: Vec<String> = (0..101)
            .map(|n| format!("01890000-0000-7000-8000-{n:012}"))
            .collect();
        for body in [
            json!({}),
            json!({ "all": false }),
            json!({ "ids": [], }),
            json!({ "ids": many }),
            json!({ "ids": ["01890000-0000-7000-8000-000000000000"], "all": true }),
        ] {
            let (status, problem) = mark(&app, &worker, body.clone()).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {problem}"
            );
        }
        for body in [json!({ "ids": ["not-a-uuid"] }), json!({ "read": true })] {
            let (status, problem) = mark(&app, &worker, body.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {problem}");
        }
        assert_eq!(app.journal_head().await, head, "refusals append nothing");
        let (status, page) = app.get("/v1/notifications?limit=0", &worker.key).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        let (status, page) = app
            .get("/v1/notifications?cursor=nonsense", &worker.key)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    }
);
