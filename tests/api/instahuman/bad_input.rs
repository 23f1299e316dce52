//! Bad input is a 400 `{"error": …}` and appends nothing.

use super::*;
use crate::both_backends;

/// Sends `body` as raw bytes with a JSON content type.
async fn post_raw(app: &TestApp, key: &str, path: &str, body: &'static str) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url(&format!("{API}{path}")))
        .bearer_auth(key)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request");
    read(response).await
}

both_backends!(
    a_bad_job_is_refused_with_400_and_appends_nothing,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "Careless", 1_000_000).await;
        let head = app.journal_head().await;
        for raw in ["{", "[1, 2]", "not json", "{\"title\": 5}"] {
            let (status, body) = post_raw(&app, &key, "/jobs", raw).await;
            refused(status, &body, StatusCode::BAD_REQUEST);
        }
        let good = job_body("Fine", 2, json!(5));
        let with = |field: &str, value: Value| {
            let mut body = good.clone();
            body[field] = value;
            body
        };
        let without = |field: &str| {
            let mut body = good.clone();
            body.as_object_mut().expect("object").remove(field);
            body
        };
        let cases = [
            ("missing title", without("title")),
            ("missing instructions", without("instructions")),
            ("missing category", without("category")),
            ("missing testerCount", without("testerCount")),
            ("missing rewardPerTester", without("rewardPerTester")),
            ("unknown field", with("budget", json!(5))),
            ("snake_case field", with("tester_count", json!(2))),
            ("empty title", with("title", json!("  "))),
            ("title too long", with("title", json!("x".repeat(201)))),
            (
                "instructions too long",
                with("instructions", json!("x".repeat(5_001))),
            ),
            ("sub-cent reward", with("rewardPerTester", json!(0.005))),
            (
                "sub-cent reward text",
                with("rewardPerTester", json!("1.001")),
            ),
            ("zero reward", with("rewardPerTester", json!(0))),
            ("negative reward", with("rewardPerTester", json!(-5))),
            ("huge reward", with("rewardPerTester", json!(1e20))),
            (
                "reward not a number",
                with("rewardPerTester", json!("five")),
            ),
            (
                "reward of the wrong type",
                with("rewardPerTester", json!(true)),
            ),
            ("no testers", with("testerCount", json!(0))),
            ("too many testers", with("testerCount", json!(501))),
            (
                "huge tester count",
                with("testerCount", json!(10_000_000_000_u64)),
            ),
            ("negative tester count", with("testerCount", json!(-1))),
            ("fractional tester count", with("testerCount", json!(1.5))),
            ("unknown category", with("category", json!("weapons"))),
            ("unknown equipment", with("equipment", json!(["toaster"]))),
            (
                "unknown interest",
                with("interests", json!(["knitting-circles"])),
            ),
            (
                "unknown filter",
                with(
                    "participantFilters",
                    json!({ "shoeSize": { "min": 1, "max": 2 } }),
                ),
            ),
            (
                "age out of range",
                with(
                    "participantFilters",
                    json!({ "age": { "min": 5, "max": 20 } }),
                ),
            ),
            (
                "age inverted",
                with(
                    "participantFilters",
                    json!({ "age": { "min": 40, "max": 20 } }),
                ),
            ),
            (
                "unknown country",
                with("participantFilters", json!({ "country": ["XX"] })),
            ),
            (
                "choice as range",
                with(
                    "participantFilters",
                    json!({ "country": { "min": 1, "max": 2 } }),
                ),
            ),
            (
                "filters not an object",
                with("participantFilters", json!(["age"])),
            ),
            ("bad project id", with("projectId", json!("proj-1"))),
            // Everything affordable, but more than an amount may be.
            (
                "escrow too large",
                with("rewardPerTester", json!(9_999_999_999.0)),
            ),
        ];
        for (case, body) in cases {
            let (status, answer) = ih(&app, Method::POST, "/jobs", Some(&key), Some(body)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{case}: {answer}");
            assert!(answer["error"].is_string(), "{case}: {answer}");
        }
        assert_eq!(app.journal_head().await, head, "nothing appended");
        assert_eq!(money(&app, &agent).await, (1_000_000, 0));
    }
);

both_backends!(
    a_bad_owner_action_is_refused_with_400_and_appends_nothing,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "Careless", 10_000).await;
        let job = create_job(&app, &key, job_body("Fine", 2, json!(5))).await;
        let id = job["id"].as_str().expect("id").to_owned();
        let head = app.journal_head().await;
        let cases = [
            ("pause", json!({ "now": true })),
            ("resize", json!({})),
            ("resize", json!({ "testerCount": "three" })),
            ("resize", json!({ "testerCount": 0 })),
            ("resize", json!({ "testerCount": 501 })),
            ("resize", json!({ "testers": 3 })),
            ("dispute", json!({})),
            ("dispute", json!({ "reason": 5 })),
        ];
        for (action, body) in cases {
            let (status, answer) = act(&app, &key, &id, action, body.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{action} {body}: {answer}");
            assert!(answer["error"].is_string(), "{answer}");
        }
        let (status, answer) = post_raw(&app, &key, &format!("/owner/jobs/{id}/pause"), "{").await;
        refused(status, &answer, StatusCode::BAD_REQUEST);
        assert_eq!(app.journal_head().await, head, "nothing appended");
    }
);
