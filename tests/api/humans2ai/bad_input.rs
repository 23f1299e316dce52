//! Bad input on Humans2AI's endpoints: each refused in the seed's envelope
//! with its status, and nothing appended.

use super::*;
use crate::both_backends;
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    bad_task_bodies_are_validation_errors_and_change_nothing,
    |app: TestApp| async move {
        let agent = register(&app, "agent", "Careless").await;
        let key = create_key(&app, &agent.token, json!({})).await;
        fund(&app, &agent.token, 1_000).await;
        let head = app.journal_head().await;

        let malformed = app
            .client
            .post(app.url(&format!("{API}/tasks")))
            .bearer_auth(&key)
            .header("content-type", "application/json")
            .body("{\"title\": ")
            .send()
            .await
            .expect("sent");
        let (status, body) = crate::helpers::read(malformed).await;
        refused(status, &body, StatusCode::BAD_REQUEST, "VALIDATION_ERROR");

        let good = task_body("Fine title", json!(5));
        let mut cases = Vec::new();
        let mut without_title = good.clone();
        without_title
            .as_object_mut()
            .expect("object")
            .remove("title");
        cases.push(("missing title", without_title));
        let mut without_budget = good.clone();
        without_budget
            .as_object_mut()
            .expect("object")
            .remove("budget");
        cases.push(("missing budget", without_budget));
        for (what, budget) in [
            ("negative budget", json!(-5)),
            ("zero budget", json!(0)),
            ("sub-cent budget", json!(1.005)),
            ("budget as text", json!("150")),
            ("huge budget", json!(1e30)),
        ] {
            let mut body = good.clone();
            body["budget"] = budget;
            cases.push((what, body));
        }
        let mut body = good.clone();
        body["title"] = json!(42);
        cases.push(("numeric title", body));
        let mut body = good.clone();
        body["title"] = json!("   ");
        cases.push(("blank title", body));
        let mut body = good.clone();
        body["urgency"] = json!("yesterday");
        cases.push(("unknown urgency", body));
        let mut body = good.clone();
        body["deadline"] = json!("next tuesday");
        cases.push(("unreadable deadline", body));
        let mut body = good.clone();
        body["deadline"] = json!("2020-01-01T00:00:00Z");
        cases.push(("past deadline", body));
        let mut body = good.clone();
        body["colour"] = json!("blue");
        cases.push(("unknown field", body));
        for (what, body) in cases {
            let (status, reply) = h2a(&app, Method::POST, "/tasks", Some(&key), Some(body)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {reply}");
            assert_eq!(
                reply["error"]["code"], "VALIDATION_ERROR",
                "{what}: {reply}"
            );
        }

        let (status, body) = h2a(
            &app,
            Method::POST,
            "/tasks",
            Some(&key),
            Some(task_body("Too dear", json!(11))),
        )
        .await;
        let message = refused(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            "INSUFFICIENT_BALANCE",
        );
        assert!(!message.is_empty());
        assert_eq!(app.journal_head().await, head, "nothing appended");
        assert_eq!(wallet(&app, &key).await["balance"], json!(10));
    }
);

both_backends!(
    the_risk_gate_refuses_harmful_work_naming_its_rule_and_holds_nothing,
    |app: TestApp| async move {
        let agent = register(&app, "agent", "Shady").await;
        let key = create_key(&app, &agent.token, json!({})).await;
        fund(&app, &agent.token, 1_000).await;
        let head = app.journal_head().await;
        let mut body = task_body("Get me into an account", json!(5));
        body["description"] = json!("Call the bank and read me their one-time code.");
        let (status, reply) = h2a(&app, Method::POST, "/tasks", Some(&key), Some(body)).await;
        let message = refused(status, &reply, StatusCode::BAD_REQUEST, "RISK_GATE_BLOCKED");
        assert!(message.contains("credentials"), "{message}");
        let mut body = task_body("Pick up a package", json!(5));
        body["category"] = json!("weapons");
        let (status, reply) = h2a(&app, Method::POST, "/tasks", Some(&key), Some(body)).await;
        refused(status, &reply, StatusCode::BAD_REQUEST, "RISK_GATE_BLOCKED");
        assert_eq!(app.journal_head().await, head, "nothing appended");
        let wallet = wallet(&app, &key).await;
        assert_eq!(
            (wallet["balance"].clone(), wallet["frozenBalance"].clone()),
            (json!(10), json!(0))
        );
    }
);

both_backends!(
    unknown_ids_and_bad_queries_are_refused_in_the_envelope,
    |app: TestApp| async move {
        let agent = register(&app, "agent", "Lost").await;
        let key = create_key(&app, &agent.token, json!({})).await;
        let head = app.journal_head().await;
        for path in [
            "/tasks/task_nope",
            "/tasks/task_0190a1b2c3d4e5f60718293a4b5c6d7e",
        ] {
            let (status, body) = h2a(&app, Method::GET, path, Some(&key), None).await;
            refused(status, &body, StatusCode::NOT_FOUND, "TASK_NOT_FOUND");
            let (status, body) = h2a(
                &app,
                Method::POST,
                &format!("{path}/apply"),
                Some(&key),
                None,
            )
            .await;
            refused(status, &body, StatusCode::NOT_FOUND, "TASK_NOT_FOUND");
        }
        let (status, body) = h2a(
            &app,
            Method::DELETE,
            "/api-keys/key_0190a1b2c3d4e5f60718293a4b5c6d7e",
            Some(&key),
            None,
        )
        .await;
        refused(status, &body, StatusCode::NOT_FOUND, "NOT_FOUND");
        for query in [
            "status=pending",
            "limit=0",
            "limit=101",
            "page=0",
            "remote=maybe",
            "urgency=now",
            "colour=blue",
        ] {
            let (status, body) = h2a(
                &app,
                Method::GET,
                &format!("/tasks?{query}"),
                Some(&key),
                None,
            )
            .await;
            refused(status, &body, StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        }
        let (status, body) = h2a(
            &app,
            Method::GET,
            "/wallet/transactions?type=gift",
            Some(&key),
            None,
        )
        .await;
        refused(status, &body, StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        let (status, body) = h2a(
            &app,
            Method::POST,
            "/public/auth/register",
            None,
            Some(json!({ "email": "not-an-email", "password": "long enough pass" })),
        )
        .await;
        refused(status, &body, StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        let (status, body) = h2a(
            &app,
            Method::POST,
            "/public/auth/register",
            None,
            Some(json!({ "email": "short@h2a.example.com", "password": "short" })),
        )
        .await;
        refused(status, &body, StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        let (status, body) = h2a(&app, Method::POST, "/public/auth/register", None, Some(json!({ "email": "robot@h2a.example.com", "password": "long enough pass", "role": "robot" }))).await;
        refused(status, &body, StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        assert_eq!(app.journal_head().await, head, "nothing appended");
    }
);
