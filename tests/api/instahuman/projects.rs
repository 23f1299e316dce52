//! `/projects`: create, list, read, update, archive and unarchive, delete;
//! testers added by email or id, flagged and removed; another owner's
//! project is 404; bad input is 400 and appends nothing.

use super::*;
use crate::both_backends;

/// A person who registered with `email` (so an owner can name them by it): their id.
pub async fn person(app: &TestApp, name: &str, email: &str) -> String {
    let response = app
        .request(
            Method::POST,
            "/v1/people/register",
            None,
            Some(json!({ "name": name, "email": email, "password": "correct horse battery" })),
        )
        .await;
    let (status, body) = read(response).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["actor_id"].as_str().expect("actor id").to_owned()
}

/// Creates a project; returns it.
pub async fn project(app: &TestApp, key: &str, name: &str) -> Value {
    let (status, body) = ih(
        app,
        Method::POST,
        "/projects",
        Some(key),
        Some(json!({ "name": name, "description": "Checkout flow" })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

both_backends!(
    an_owner_creates_reads_lists_renames_and_deletes_projects,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "Olive", 0).await;
        let first = project(&app, &key, "  Checkout ").await;
        assert_eq!(first["name"], "Checkout");
        assert_eq!(first["description"], "Checkout flow");
        assert_eq!(first["status"], "active");
        assert_eq!(
            (first["testerCount"].clone(), first["jobCount"].clone()),
            (json!(0), json!(0))
        );
        assert_eq!(first["mode"], "live");
        assert!(first["createdAt"].is_string(), "{first}");
        let second = project(&app, &key, "Onboarding").await;

        let (status, body) = ih(
            &app,
            Method::GET,
            &format!("/projects/{}", id(&first)),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["name"], "Checkout");
        assert_eq!(body["jobs"], json!([]));

        // Newest first, a page at a time.
        let (status, page) = ih(&app, Method::GET, "/projects?limit=1", Some(&key), None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["data"][0]["id"], second["id"]);
        let next = page["next"].as_str().expect("a next page").to_owned();
        let (_, page) = ih(
            &app,
            Method::GET,
            &format!("/projects?limit=1&cursor={next}"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(page["data"][0]["id"], first["id"]);
        assert_eq!(page["data"][0]["testerCount"], 0);
        assert_eq!(page["next"], Value::Null);

        let (status, body) = ih(
            &app,
            Method::PATCH,
            &format!("/projects/{}", id(&first)),
            Some(&key),
            Some(json!({ "name": "Checkout v2" })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["name"], "Checkout v2");
        assert_eq!(body["description"], "Checkout flow");

        let (status, body) = ih(
            &app,
            Method::DELETE,
            &format!("/projects/{}", id(&first)),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["deleted"], true);
        assert_eq!(body["id"], first["id"]);
        let (status, body) = ih(
            &app,
            Method::GET,
            &format!("/projects/{}", id(&first)),
            Some(&key),
            None,
        )
        .await;
        refused(status, &body, StatusCode::NOT_FOUND);
        let (status, body) = ih(
            &app,
            Method::DELETE,
            &format!("/projects/{}", id(&first)),
            Some(&key),
            None,
        )
        .await;
        refused(status, &body, StatusCode::NOT_FOUND);
        let (_, page) = ih(&app, Method::GET, "/projects", Some(&key), None).await;
        assert_eq!(page["data"].as_array().map(Vec::len), Some(1), "{page}");
        assert_eq!(page["data"][0]["id"], second["id"]);
        app.verify().await;
    }
);

both_backends!(
    an_archived_project_refuses_changes_with_409_until_unarchived,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "Archie", 0).await;
        let bea = person(&app, "Bea", "bea.archive@example.com").await;
        let project = project(&app, &key, "Old release").await;
        let path = format!("/projects/{}", id(&project));

        let (status, body) = ih(
            &app,
            Method::POST,
            &format!("{path}/archive"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "archived");

        let head = app.journal_head().await;
        let refusals = [
            (Method::PATCH, path.clone(), Some(json!({ "name": "New" }))),
            (Method::POST, format!("{path}/archive"), None),
            (
                Method::POST,
                format!("{path}/testers"),
                Some(json!({ "testerId": bea })),
            ),
        ];
        for (method, path, body) in refusals {
            let (status, reply) = ih(&app, method, &path, Some(&key), body).await;
            let message = refused(status, &reply, StatusCode::CONFLICT);
            assert!(message.contains("archived"), "{message}");
        }
        assert_eq!(app.journal_head().await, head, "refusals append nothing");

        let (status, body) = ih(
            &app,
            Method::POST,
            &format!("{path}/unarchive"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "active");
        let (status, body) = ih(
            &app,
            Method::POST,
            &format!("{path}/unarchive"),
            Some(&key),
            None,
        )
        .await;
        refused(status, &body, StatusCode::CONFLICT);
        let (status, body) = ih(
            &app,
            Method::PATCH,
            &path,
            Some(&key),
            Some(json!({ "name": "New" })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");

        // An archived project may still be deleted.
        ih(
            &app,
            Method::POST,
            &format!("{path}/archive"),
            Some(&key),
            None,
        )
        .await;
        let (status, body) = ih(&app, Method::DELETE, &path, Some(&key), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
);

both_backends!(
    testers_are_added_by_email_or_id_flagged_listed_and_removed,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "Tess", 0).await;
        let bea = person(&app, "Bea", "bea.tester@example.com").await;
        let cy = app.actor("human", "Cy").await;
        let project = project(&app, &key, "Beta").await;
        let testers = format!("/projects/{}/testers", id(&project));

        let (status, added) = ih(
            &app,
            Method::POST,
            &testers,
            Some(&key),
            Some(json!({ "email": " Bea.Tester@Example.com ", "favorite": true })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{added}");
        assert_eq!(added["id"], bea);
        assert_eq!(added["name"], "Bea");
        assert_eq!(added["email"], "bea.tester@example.com");
        assert_eq!(
            (
                added["favorite"].clone(),
                added["trusted"].clone(),
                added["blocked"].clone()
            ),
            (json!(true), json!(false), json!(false))
        );
        let (status, added) = ih(
            &app,
            Method::POST,
            &testers,
            Some(&key),
            Some(json!({ "testerId": cy.id })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{added}");
        assert_eq!(
            added["email"],
            Value::Null,
            "named by id, no address is shown"
        );

        // Once each; unknown people are not found; agents are no testers.
        let (status, body) = ih(
            &app,
            Method::POST,
            &testers,
            Some(&key),
            Some(json!({ "testerId": bea })),
        )
        .await;
        refused(status, &body, StatusCode::CONFLICT);
        let (status, body) = ih(
            &app,
            Method::POST,
            &testers,
            Some(&key),
            Some(json!({ "email": "nobody@example.com" })),
        )
        .await;
        refused(status, &body, StatusCode::NOT_FOUND);
        let bot = app.actor("agent", "Bot").await;
        let (status, body) = ih(
            &app,
            Method::POST,
            &testers,
            Some(&key),
            Some(json!({ "testerId": bot.id })),
        )
        .await;
        refused(status, &body, StatusCode::BAD_REQUEST);

        // Listed in the order they were added, a page at a time.
        let (status, page) = ih(
            &app,
            Method::GET,
            &format!("{testers}?limit=1"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["data"][0]["id"], bea);
        let next = page["next"].as_str().expect("a next page").to_owned();
        let (_, page) = ih(
            &app,
            Method::GET,
            &format!("{testers}?cursor={next}"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(page["data"][0]["id"], cy.id);
        assert_eq!(page["next"], Value::Null);

        let bea_path = format!("{testers}/{bea}");
        let (status, body) = ih(
            &app,
            Method::PATCH,
            &bea_path,
            Some(&key),
            Some(json!({ "trusted": true })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            (body["favorite"].clone(), body["trusted"].clone()),
            (json!(true), json!(true))
        );
        // Blocked cannot also be trusted or a favorite.
        let (status, body) = ih(
            &app,
            Method::PATCH,
            &bea_path,
            Some(&key),
            Some(json!({ "blocked": true })),
        )
        .await;
        refused(status, &body, StatusCode::BAD_REQUEST);
        let (status, body) = ih(
            &app,
            Method::PATCH,
            &bea_path,
            Some(&key),
            Some(json!({ "blocked": true, "trusted": false, "favorite": false })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["blocked"], true);

        let (_, project_now) = ih(
            &app,
            Method::GET,
            &format!("/projects/{}", id(&project)),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(project_now["testerCount"], 2);

        let cy_path = format!("{testers}/{}", cy.id);
        let (status, body) = ih(&app, Method::DELETE, &cy_path, Some(&key), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["removed"], true);
        let (status, body) = ih(&app, Method::DELETE, &cy_path, Some(&key), None).await;
        refused(status, &body, StatusCode::NOT_FOUND);
        let (status, body) = ih(
            &app,
            Method::PATCH,
            &cy_path,
            Some(&key),
            Some(json!({ "trusted": true })),
        )
        .await;
        refused(status, &body, StatusCode::NOT_FOUND);
        let (_, page) = ih(&app, Method::GET, &testers, Some(&key), None).await;
        assert_eq!(page["data"].as_array().map(Vec::len), Some(1), "{page}");
        assert_eq!(page["data"][0]["blocked"], true);
        app.verify().await;
    }
);

both_backends!(
    another_owners_project_is_not_found_and_untouched,
    |app: TestApp| async move {
        let (mine, key) = owner(&app, "Mine", 0).await;
        let (_, other) = owner(&app, "Theirs", 0).await;
        let bea = person(&app, "Bea", "bea.bola@example.com").await;
        let project = project(&app, &key, "Private").await;
        let path = format!("/projects/{}", id(&project));
        ih(
            &app,
            Method::POST,
            &format!("{path}/testers"),
            Some(&key),
            Some(json!({ "testerId": bea })),
        )
        .await;

        let head = app.journal_head().await;
        let attempts = [
            (Method::GET, path.clone(), None),
            (
                Method::PATCH,
                path.clone(),
                Some(json!({ "name": "Stolen" })),
            ),
            (Method::DELETE, path.clone(), None),
            (Method::POST, format!("{path}/archive"), None),
            (Method::POST, format!("{path}/unarchive"), None),
            (Method::GET, format!("{path}/testers"), None),
            (
                Method::POST,
                format!("{path}/testers"),
                Some(json!({ "testerId": bea })),
            ),
            (
                Method::PATCH,
                format!("{path}/testers/{bea}"),
                Some(json!({ "blocked": true })),
            ),
            (Method::DELETE, format!("{path}/testers/{bea}"), None),
        ];
        for (method, path, body) in attempts {
            let (status, reply) = ih(&app, method.clone(), &path, Some(&other), body).await;
            let message = refused(status, &reply, StatusCode::NOT_FOUND);
            assert_eq!(message, "Project not found.", "{method} {path}");
        }
        assert_eq!(app.journal_head().await, head, "nothing appended");
        let (_, theirs) = ih(&app, Method::GET, "/projects", Some(&other), None).await;
        assert_eq!(theirs["data"], json!([]));

        // A test-mode key of the owner sees no live project either.
        let (_, test_key) = app
            .key_for(&mine, json!({ "prefix": "ih", "mode": "test" }))
            .await;
        let (status, body) = ih(&app, Method::GET, &path, Some(&test_key), None).await;
        refused(status, &body, StatusCode::NOT_FOUND);
    }
);

both_backends!(
    bad_input_is_400_and_appends_nothing,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "Careful", 0).await;
        let project = project(&app, &key, "Real").await;
        let path = format!("/projects/{}", id(&project));
        let long = "x".repeat(201);
        let head = app.journal_head().await;
        let cases = [
            (
                Method::POST,
                "/projects".to_owned(),
                json!({ "name": "  " }),
            ),
            (
                Method::POST,
                "/projects".to_owned(),
                json!({ "name": long }),
            ),
            (Method::POST, "/projects".to_owned(), json!({ "name": 7 })),
            (
                Method::POST,
                "/projects".to_owned(),
                json!({ "description": "no name" }),
            ),
            (
                Method::POST,
                "/projects".to_owned(),
                json!({ "name": "A", "color": "red" }),
            ),
            (
                Method::POST,
                "/projects".to_owned(),
                json!({ "name": "A\u{0}B" }),
            ),
            (Method::PATCH, path.clone(), json!({})),
            (
                Method::PATCH,
                path.clone(),
                json!({ "description": "x".repeat(5_001) }),
            ),
            (
                Method::POST,
                format!("{path}/archive"),
                json!({ "reason": "old" }),
            ),
            (Method::POST, format!("{path}/testers"), json!({})),
            (
                Method::POST,
                format!("{path}/testers"),
                json!({ "email": "a@b.co", "testerId": "x" }),
            ),
            (
                Method::POST,
                format!("{path}/testers"),
                json!({ "email": "not an address" }),
            ),
            (
                Method::POST,
                format!("{path}/testers"),
                json!({ "testerId": "not-a-uuid" }),
            ),
            (
                Method::POST,
                format!("{path}/testers"),
                json!({ "email": "a@b.co", "favorite": "yes" }),
            ),
        ];
        for (method, path, body) in cases {
            let (status, reply) =
                ih(&app, method.clone(), &path, Some(&key), Some(body.clone())).await;
            refused(status, &reply, StatusCode::BAD_REQUEST);
            assert!(
                reply.get("error").is_some(),
                "{method} {path} {body}: {reply}"
            );
        }
        let (status, reply) = ih(
            &app,
            Method::GET,
            "/projects?cursor=bogus",
            Some(&key),
            None,
        )
        .await;
        refused(status, &reply, StatusCode::BAD_REQUEST);
        let (status, reply) = ih(&app, Method::GET, "/projects?limit=0", Some(&key), None).await;
        refused(status, &reply, StatusCode::BAD_REQUEST);
        let (status, reply) = ih(
            &app,
            Method::GET,
            &format!("{path}/testers?cursor=bogus"),
            Some(&key),
            None,
        )
        .await;
        refused(status, &reply, StatusCode::BAD_REQUEST);
        // An id that is not one names nothing.
        let (status, reply) = ih(
            &app,
            Method::GET,
            "/projects/not-a-project",
            Some(&key),
            None,
        )
        .await;
        refused(status, &reply, StatusCode::NOT_FOUND);
        assert_eq!(app.journal_head().await, head, "nothing appended");
    }
);

both_backends!(
    a_key_without_the_write_scope_reads_but_does_not_change_projects,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "Scoped", 0).await;
        project(&app, &key, "Readable").await;
        let (_, reader) = app
            .key_for(&agent, json!({ "prefix": "ih", "scopes": ["tasks:read"] }))
            .await;
        let (status, page) = ih(&app, Method::GET, "/projects", Some(&reader), None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["data"].as_array().map(Vec::len), Some(1));
        let (status, body) = ih(
            &app,
            Method::POST,
            "/projects",
            Some(&reader),
            Some(json!({ "name": "No" })),
        )
        .await;
        let message = refused(status, &body, StatusCode::FORBIDDEN);
        assert!(message.contains("tasks:write"), "{message}");
    }
);

both_backends!(
    a_job_created_in_a_project_is_on_the_projects_page_and_says_so,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "Grouper", 10_000).await;
        let project = project(&app, &key, "Release 2").await;
        let mut body = job_body("Try the new sign-up", 2, json!(5));
        body["projectId"] = project["id"].clone();
        let job = create_job(&app, &key, body).await;
        assert_eq!(job["projectId"], project["id"]);
        let job_id = id(&job);
        create_job(&app, &key, job_body("Not grouped", 1, json!(1))).await;

        let (_, page) = ih(
            &app,
            Method::GET,
            &format!("/projects/{}", id(&project)),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(page["jobCount"], 1, "{page}");
        assert_eq!(page["jobs"].as_array().map(Vec::len), Some(1), "{page}");
        assert_eq!(page["jobs"][0]["id"], job_id.as_str());
        assert_eq!(page["jobs"][0]["title"], "Try the new sign-up");
        assert_eq!(page["jobs"][0]["status"], "active");
        assert_eq!(
            get_job(&app, &key, &job_id).await["projectId"],
            project["id"]
        );
        let (_, jobs) = ih(&app, Method::GET, "/jobs", Some(&key), None).await;
        let listed: Vec<&Value> = jobs["data"]
            .as_array()
            .expect("jobs")
            .iter()
            .map(|j| &j["projectId"])
            .collect();
        assert_eq!(listed, vec![&Value::Null, &project["id"]], "{jobs}");
        let (_, projects) = ih(&app, Method::GET, "/projects", Some(&key), None).await;
        assert_eq!(projects["data"][0]["jobCount"], 1);

        // A deleted project holds no jobs any more.
        ih(
            &app,
            Method::DELETE,
            &format!("/projects/{}", id(&project)),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(get_job(&app, &key, &job_id).await["projectId"], Value::Null);
        let (_, jobs) = ih(&app, Method::GET, "/jobs", Some(&key), None).await;
        assert!(
            jobs["data"]
                .as_array()
                .expect("jobs")
                .iter()
                .all(|j| j["projectId"].is_null()),
            "{jobs}"
        );
        app.verify().await;
    }
);

both_backends!(
    a_job_for_a_missing_foreign_or_archived_project_is_refused_and_holds_nothing,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "Strict", 10_000).await;
        let (_, other) = owner(&app, "Other", 0).await;
        let theirs = project(&app, &other, "Theirs").await;
        let archived = project(&app, &key, "Shelved").await;
        ih(
            &app,
            Method::POST,
            &format!("/projects/{}/archive", id(&archived)),
            Some(&key),
            None,
        )
        .await;
        let head = app.journal_head().await;
        let cases = [
            (uuid::Uuid::now_v7().to_string(), StatusCode::NOT_FOUND),
            (id(&theirs), StatusCode::NOT_FOUND),
            (id(&archived), StatusCode::CONFLICT),
        ];
        for (project, want) in cases {
            let mut body = job_body("Grouped", 1, json!(5));
            body["projectId"] = json!(project);
            let (status, reply) = ih(&app, Method::POST, "/jobs", Some(&key), Some(body)).await;
            refused(status, &reply, want);
        }
        assert_eq!(app.journal_head().await, head, "no job, no hold");
        assert_eq!(money(&app, &agent).await, (10_000, 0));
    }
);

async fn job_count(app: &TestApp, key: &str, project: &str) -> Value {
    let (_, body) = ih(
        app,
        Method::GET,
        &format!("/projects/{project}"),
        Some(key),
        None,
    )
    .await;
    body["jobCount"].clone()
}

/// The MCP's `assign_job_to_project`, called as the tool calls it.
async fn assign(
    app: &TestApp,
    key: &str,
    job: &str,
    project: Option<&str>,
) -> Result<Value, String> {
    let state = &app.running.as_ref().expect("running").state;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "authorization",
        format!("Bearer {key}").parse().expect("header"),
    );
    let principal = errand::http::instahuman::authenticate(state, &headers)
        .await
        .map_err(|e| e.to_string())?;
    let meta = errand::http::extract::CommandMeta {
        idempotency: None,
        dry_run: false,
        request_id: uuid::Uuid::now_v7().to_string(),
    };
    let caller = errand::http::instahuman::Caller(principal);
    errand::http::instahuman::projects::assign_job(state, &caller, job, project, meta)
        .await
        .map(errand::http::respond::executed_body)
        .map_err(|e| e.to_string())
}

both_backends!(
    a_job_moves_between_projects_and_out_through_the_assign_function,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "Mover", 10_000).await;
        let (_, other) = owner(&app, "Stranger", 0).await;
        let first = project(&app, &key, "First").await;
        let second = project(&app, &key, "Second").await;
        let job = id(&create_job(&app, &key, job_body("Movable", 1, json!(2))).await);
        let (first_id, second_id) = (id(&first), id(&second));

        let moved = assign(&app, &key, &job, Some(&first_id))
            .await
            .expect("assigned");
        assert_eq!(moved["projectId"], first["id"]);
        let moved = assign(&app, &key, &job, Some(&second_id))
            .await
            .expect("moved");
        assert_eq!(
            (moved["jobId"].clone(), moved["projectId"].clone()),
            (json!(job), second["id"].clone())
        );
        assert_eq!(job_count(&app, &key, &first_id).await, 0);
        assert_eq!(job_count(&app, &key, &second_id).await, 1);
        // Again where it is: nothing changes.
        let head = app.journal_head().await;
        assign(&app, &key, &job, Some(&second_id))
            .await
            .expect("no change");
        assert_eq!(app.journal_head().await, head);

        // Another owner finds neither the job nor the project.
        let refused = assign(&app, &other, &job, None)
            .await
            .expect_err("not theirs");
        assert_eq!(refused, "Job not found.");
        let refused = assign(
            &app,
            &key,
            &job,
            Some(&id(&project(&app, &other, "Theirs").await)),
        )
        .await;
        assert_eq!(refused.expect_err("not mine"), "Project not found.");

        let out = assign(&app, &key, &job, None).await.expect("unlinked");
        assert_eq!(out["projectId"], Value::Null);
        assert_eq!(job_count(&app, &key, &second_id).await, 0);
        assert_eq!(get_job(&app, &key, &job).await["projectId"], Value::Null);
        app.verify().await;
    }
);
