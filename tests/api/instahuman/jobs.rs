//! Creating, listing and reading jobs; who may see them.

use super::*;
use crate::both_backends;

both_backends!(
    creating_a_job_holds_its_escrow_and_answers_the_job,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "Acme", 10_000).await;
        let job = create_job(&app, &key, job_body("Test our sign-up", 3, json!(12.5))).await;
        assert_eq!(job["status"], "active", "{job}");
        assert_eq!(job["testerCount"], 3);
        assert_eq!(job["rewardPerTester"], json!(12.5));
        // The native fee, 10 %: each tester gets $11.25.
        assert_eq!(job["payoutPerTester"], json!(11.25));
        assert_eq!(job["platformFeePerTester"], json!(1.25));
        assert_eq!(job["category"], "usability");
        assert_eq!(
            job["instructions"],
            job_body("", 1, json!(1))["instructions"]
        );
        assert_eq!(
            job["participantFilters"],
            json!({ "age": { "min": 25, "max": 45 }, "country": ["US", "CA"] })
        );
        assert_eq!(job["equipment"], json!(["iphone"]));
        assert_eq!(job["interests"], json!(["productivity"]));
        assert_eq!(job["projectId"], Value::Null);
        assert_eq!(job["escrow"]["held"], json!(37.5));
        assert_eq!(job["progress"]["open"], 3);
        assert_eq!(job["feedback"], json!([]));
        assert_eq!(job["settlement"], Value::Null);
        assert!(job["createdAt"].is_string());
        // The escrow is held in the same append.
        assert_eq!(money(&app, &agent).await, (6_250, 3_750));
        let id = job["id"].as_str().expect("id");
        let read = get_job(&app, &key, id).await;
        assert_eq!(read["escrow"], job["escrow"]);
        assert_eq!(read["title"], "Test our sign-up");
        // The same job is a task of the one ledger, first come, first served.
        let task = app.task(&app.admin_key, id).await;
        assert_eq!(task["assignment_mode"], "first_accept", "{task}");
        assert_eq!(task["slots"], 3);
        app.verify().await;
    }
);

both_backends!(
    a_reward_may_be_a_decimal_string_and_a_project_is_remembered,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "Acme", 10_000).await;
        let project = super::projects::project(&app, &key, "Strings").await["id"]
            .as_str()
            .expect("project id")
            .to_owned();
        let mut body = job_body("Strings", 2, json!("7.05"));
        body["projectId"] = json!(project);
        let job = create_job(&app, &key, body).await;
        assert_eq!(job["rewardPerTester"], json!(7.05));
        assert_eq!(job["escrow"]["held"], json!(14.1));
        assert_eq!(job["projectId"], json!(project));
    }
);

both_backends!(
    listing_jobs_pages_newest_first_with_an_opaque_cursor,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "Lister", 10_000).await;
        let mut ids = Vec::new();
        for n in 0..3 {
            let job = create_job(&app, &key, job_body(&format!("Job {n}"), 1, json!(1))).await;
            ids.push(job["id"].as_str().expect("id").to_owned());
        }
        // A task the same actor posted through the native API is not a job.
        app.post_task(
            &agent,
            json!({ "title": "Native work", "reward_cents": 100 }),
        )
        .await;
        let (status, page) = ih(&app, Method::GET, "/jobs?limit=2", Some(&key), None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let listed: Vec<&str> = page["data"]
            .as_array()
            .expect("data")
            .iter()
            .map(|job| job["id"].as_str().expect("id"))
            .collect();
        assert_eq!(listed, [ids[2].as_str(), ids[1].as_str()]);
        assert_eq!(page["data"][0]["status"], "active");
        assert_eq!(page["data"][0]["progress"]["open"], 1);
        assert_eq!(page["data"][0]["escrow"]["held"], json!(1));
        let next = page["next"].as_str().expect("a next page");
        let (status, rest) = ih(
            &app,
            Method::GET,
            &format!("/jobs?limit=2&cursor={next}"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{rest}");
        assert_eq!(rest["data"].as_array().expect("data").len(), 1);
        assert_eq!(rest["data"][0]["id"], json!(ids[0]));
        assert_eq!(rest["next"], Value::Null);
        // The whole list at the default page size.
        let (_, all) = ih(&app, Method::GET, "/jobs", Some(&key), None).await;
        assert_eq!(all["data"].as_array().expect("data").len(), 3);
        assert_eq!(all["next"], Value::Null);
        // Another owner lists none of them.
        let (_, stranger) = owner(&app, "Stranger", 0).await;
        let (_, theirs) = ih(&app, Method::GET, "/jobs", Some(&stranger), None).await;
        assert_eq!(theirs["data"], json!([]));
        // A cursor this API did not give, or a bad limit, is a 400.
        for query in [
            "?cursor=bm90LWFuLWlk",
            "?cursor=%%%",
            "?limit=0",
            "?limit=101",
            "?limit=x",
            "?sort=asc",
        ] {
            let (status, body) = ih(
                &app,
                Method::GET,
                &format!("/jobs{query}"),
                Some(&key),
                None,
            )
            .await;
            refused(status, &body, StatusCode::BAD_REQUEST);
        }
    }
);

both_backends!(
    another_owners_job_is_not_found_and_left_alone,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "Owner", 10_000).await;
        let job = create_job(&app, &key, job_body("Private", 2, json!(5))).await;
        let id = job["id"].as_str().expect("id").to_owned();
        let (_, intruder) = owner(&app, "Intruder", 10_000).await;
        let head = app.journal_head().await;
        let (status, body) = ih(
            &app,
            Method::GET,
            &format!("/jobs/{id}"),
            Some(&intruder),
            None,
        )
        .await;
        refused(status, &body, StatusCode::NOT_FOUND);
        for action in ["pause", "resume", "stop", "cancel", "settle", "approve"] {
            let (status, body) = act(&app, &intruder, &id, action, json!({})).await;
            refused(status, &body, StatusCode::NOT_FOUND);
        }
        let (status, body) =
            act(&app, &intruder, &id, "dispute", json!({ "reason": "mine" })).await;
        refused(status, &body, StatusCode::NOT_FOUND);
        let (status, body) = act(&app, &intruder, &id, "resize", json!({ "testerCount": 1 })).await;
        refused(status, &body, StatusCode::NOT_FOUND);
        assert_eq!(app.journal_head().await, head, "nothing appended");
        // The owner's own test-mode key sees only test-mode jobs.
        let (_, test_key) = app
            .key_for(&agent, json!({ "prefix": "ih", "mode": "test" }))
            .await;
        assert!(test_key.starts_with("ih_test_"), "{test_key}");
        let (status, body) = ih(
            &app,
            Method::GET,
            &format!("/jobs/{id}"),
            Some(&test_key),
            None,
        )
        .await;
        refused(status, &body, StatusCode::NOT_FOUND);
        // A native task's id is not a job, nor is an id that names nothing.
        let native = app
            .post_task(
                &agent,
                json!({ "title": "Native work", "reward_cents": 100 }),
            )
            .await;
        for other in [
            native.as_str(),
            "00000000-0000-0000-0000-000000000000",
            "not-an-id",
        ] {
            let (status, body) = ih(
                &app,
                Method::GET,
                &format!("/jobs/{other}"),
                Some(&key),
                None,
            )
            .await;
            refused(status, &body, StatusCode::NOT_FOUND);
        }
    }
);

both_backends!(
    a_job_the_balance_cannot_cover_is_refused_and_holds_nothing,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "Broke", 1_000).await;
        let head = app.journal_head().await;
        let (status, body) = ih(
            &app,
            Method::POST,
            "/jobs",
            Some(&key),
            Some(job_body("Too dear", 3, json!(5))),
        )
        .await;
        let message = refused(status, &body, StatusCode::BAD_REQUEST);
        assert!(message.contains("Insufficient balance"), "{message}");
        assert_eq!(app.journal_head().await, head);
        assert_eq!(money(&app, &agent).await, (1_000, 0));
    }
);

both_backends!(
    a_key_limited_to_reading_cannot_create_or_steer_jobs,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "Scoped", 10_000).await;
        let job = create_job(&app, &key, job_body("Scoped", 1, json!(5))).await;
        let id = job["id"].as_str().expect("id");
        let (_, reader) = app
            .key_for(&agent, json!({ "prefix": "ih", "scopes": ["tasks:read"] }))
            .await;
        get_job(&app, &reader, id).await;
        let (status, body) = ih(
            &app,
            Method::POST,
            "/jobs",
            Some(&reader),
            Some(job_body("No", 1, json!(5))),
        )
        .await;
        refused(status, &body, StatusCode::FORBIDDEN);
        let (status, body) = act(&app, &reader, id, "pause", json!({})).await;
        refused(status, &body, StatusCode::FORBIDDEN);
    }
);
