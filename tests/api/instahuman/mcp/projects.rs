//! The project tools: an rmcp client keeps a project, its testers and its
//! jobs as the REST API does; refusals (an archived project, a tester twice,
//! bad arguments) and another owner's project as `isError` results that
//! change nothing.

use super::super::projects::person;
use super::*;
use crate::mcp::ok;

/// Creates a project through the tool; returns its id.
async fn create_project(client: &McpClient, name: &str) -> String {
    let created = ok(
        client,
        "create_project",
        json!({ "name": name, "description": "The checkout flow" }),
    )
    .await;
    assert_eq!(created["status"], "active", "{created}");
    created["id"].as_str().expect("project id").to_owned()
}

both_backends!(
    an_agent_keeps_a_project_its_testers_and_its_jobs_through_the_tools,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "QA Bot", 10_000).await;
        let client = session(&app, &key).await;
        let project = create_project(&client, "Checkout").await;
        let on_project = json!({ "project_id": project });
        let seen = ok(&client, "get_project", on_project.clone()).await;
        assert_eq!(seen["name"], "Checkout");
        assert_eq!(seen["jobs"], json!([]));
        let (status, rest) = ih(
            &app,
            Method::GET,
            &format!("/projects/{project}"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(seen, rest, "the tool answers as GET /api/projects/:id");
        let renamed = ok(
            &client,
            "update_project",
            json!({ "project_id": project, "name": "Checkout v2" }),
        )
        .await;
        assert_eq!(renamed["name"], "Checkout v2");
        assert_eq!(renamed["description"], "The checkout flow");
        let listed = ok(&client, "list_projects", json!({ "limit": 10 })).await;
        assert_eq!(listed["data"][0]["id"], json!(project), "{listed}");
        assert_eq!(listed["next"], Value::Null);

        // Testers: one by email, one by id; flags changed; one removed.
        let ada = person(&app, "Ada", "ada@example.com").await;
        let bob = person(&app, "Bob", "bob@example.com").await;
        let added = ok(
            &client,
            "add_project_tester",
            json!({ "project_id": project, "email": "ada@example.com", "favorite": true }),
        )
        .await;
        assert_eq!(added["id"], json!(ada), "{added}");
        assert_eq!(added["favorite"], json!(true));
        ok(
            &client,
            "add_project_tester",
            json!({ "project_id": project, "tester_id": bob }),
        )
        .await;
        let flagged = ok(
            &client,
            "update_project_tester",
            json!({ "project_id": project, "tester_id": bob, "trusted": true }),
        )
        .await;
        assert_eq!(flagged["trusted"], json!(true), "{flagged}");
        assert_eq!(flagged["favorite"], json!(false));
        let testers = ok(&client, "list_project_testers", on_project.clone()).await;
        let ids: Vec<&Value> = testers["data"]
            .as_array()
            .expect("testers")
            .iter()
            .map(|t| &t["id"])
            .collect();
        assert_eq!(ids, [&json!(ada), &json!(bob)], "in the order added");
        let removed = ok(
            &client,
            "remove_project_tester",
            json!({ "project_id": project, "tester_id": ada }),
        )
        .await;
        assert_eq!(removed["removed"], json!(true));
        let testers = ok(&client, "list_project_testers", on_project.clone()).await;
        assert_eq!(testers["data"].as_array().map(Vec::len), Some(1));

        // A job linked, then unlinked.
        let job = ok(
            &client,
            "create_job",
            job_arguments("Try our checkout", 1, json!(5)),
        )
        .await;
        let job = job["id"].as_str().expect("job id").to_owned();
        let linked = ok(
            &client,
            "assign_job_to_project",
            json!({ "job_id": job, "project_id": project }),
        )
        .await;
        assert_eq!(linked["projectId"], json!(project), "{linked}");
        let seen = ok(&client, "get_project", on_project.clone()).await;
        assert_eq!(seen["jobs"][0]["id"], json!(job), "{seen}");
        let unlinked = ok(&client, "assign_job_to_project", json!({ "job_id": job })).await;
        assert_eq!(unlinked["projectId"], Value::Null);
        let seen = ok(&client, "get_project", on_project.clone()).await;
        assert_eq!(seen["jobs"], json!([]));
        // A job filed under the project as it is created.
        let mut filed = job_arguments("Try our refunds", 1, json!(5));
        filed["project_id"] = json!(project);
        let filed = ok(&client, "create_job", filed).await;
        assert_eq!(filed["projectId"], json!(project), "{filed}");
        let seen = ok(&client, "get_project", on_project.clone()).await;
        assert_eq!(seen["jobs"][0]["id"], filed["id"], "{seen}");

        // Archived, it refuses changes until unarchived; deleted, it is gone.
        let archived = ok(&client, "archive_project", on_project.clone()).await;
        assert_eq!(archived["status"], "archived");
        let rename = json!({ "project_id": project, "name": "Nope" });
        let message = refused_tool(&client, "update_project", rename).await;
        assert!(message.contains("archived"), "{message}");
        let unarchived = ok(&client, "unarchive_project", on_project.clone()).await;
        assert_eq!(unarchived["status"], "active");
        let deleted = ok(&client, "delete_project", on_project.clone()).await;
        assert_eq!(deleted["deleted"], json!(true));
        let message = refused_tool(&client, "get_project", on_project).await;
        assert_eq!(message, "Project not found.");
        app.verify().await;
    }
);

both_backends!(
    refused_project_tools_answer_error_results_and_change_nothing,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "QA Bot", 0).await;
        let client = session(&app, &key).await;
        let project = create_project(&client, "Checkout").await;
        let ada = person(&app, "Ada", "ada@example.com").await;
        ok(
            &client,
            "add_project_tester",
            json!({ "project_id": project, "tester_id": ada }),
        )
        .await;
        let head = app.journal_head().await;

        let twice = json!({ "project_id": project, "email": "ada@example.com" });
        let message = refused_tool(&client, "add_project_tester", twice).await;
        assert!(message.contains("already"), "{message}");
        let both = json!({ "project_id": project, "email": "ada@example.com", "tester_id": ada });
        refused_tool(&client, "add_project_tester", both).await;
        let nobody = json!({ "project_id": project, "email": "nobody@example.com" });
        refused_tool(&client, "add_project_tester", nobody).await;
        let stranger = json!({ "project_id": project, "tester_id": uuid::Uuid::now_v7() });
        let message = refused_tool(&client, "remove_project_tester", stranger).await;
        assert_eq!(message, "Tester not found.");
        let no_flags = json!({ "project_id": project, "tester_id": ada });
        refused_tool(&client, "update_project_tester", no_flags).await;
        let nameless = json!({ "project_id": project, "name": "" });
        refused_tool(&client, "update_project", nameless).await;
        refused_tool(&client, "create_project", json!({})).await;
        refused_tool(
            &client,
            "create_project",
            json!({ "name": "X", "owner": "me" }),
        )
        .await;
        let not_archived = json!({ "project_id": project });
        refused_tool(&client, "unarchive_project", not_archived).await;
        refused_tool(&client, "list_projects", json!({ "limit": 0 })).await;
        for tool in ["get_project", "archive_project", "list_project_testers"] {
            let message = refused_tool(&client, tool, json!({ "project_id": "nonsense" })).await;
            assert_eq!(message, "Project not found.", "{tool}");
        }
        let unknown_job = json!({ "job_id": uuid::Uuid::now_v7(), "project_id": project });
        refused_tool(&client, "assign_job_to_project", unknown_job).await;
        assert_eq!(app.journal_head().await, head, "refusals append nothing");
    }
);

both_backends!(
    another_owners_project_is_not_found_through_any_project_tool,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "QA Bot", 10_000).await;
        let (_, other_key) = owner(&app, "Snoop", 10_000).await;
        let client = session(&app, &key).await;
        let snoop = session(&app, &other_key).await;
        let project = create_project(&client, "Checkout").await;
        let ada = person(&app, "Ada", "ada@example.com").await;
        ok(
            &client,
            "add_project_tester",
            json!({ "project_id": project, "tester_id": ada }),
        )
        .await;
        let job = ok(
            &client,
            "create_job",
            job_arguments("Try our checkout", 1, json!(5)),
        )
        .await;
        let job = job["id"].as_str().expect("job id").to_owned();
        let snoops_project = create_project(&snoop, "Mine").await;
        let head = app.journal_head().await;

        let on_project = json!({ "project_id": project });
        for tool in [
            "get_project",
            "delete_project",
            "archive_project",
            "unarchive_project",
            "list_project_testers",
        ] {
            let message = refused_tool(&snoop, tool, on_project.clone()).await;
            assert_eq!(message, "Project not found.", "{tool}");
        }
        let on_tester = json!({ "project_id": project, "tester_id": ada, "blocked": true });
        let message = refused_tool(&snoop, "update_project_tester", on_tester).await;
        assert_eq!(message, "Project not found.");
        let on_tester = json!({ "project_id": project, "tester_id": ada });
        refused_tool(&snoop, "remove_project_tester", on_tester).await;
        let rename = json!({ "project_id": project, "name": "Taken" });
        refused_tool(&snoop, "update_project", rename).await;
        let add = json!({ "project_id": project, "email": "ada@example.com" });
        refused_tool(&snoop, "add_project_tester", add).await;
        // Neither their job into the snoop's project, nor the snoop's job into theirs.
        let theirs = json!({ "job_id": job, "project_id": snoops_project });
        refused_tool(&snoop, "assign_job_to_project", theirs).await;
        let into_theirs = json!({ "job_id": job, "project_id": snoops_project });
        refused_tool(&client, "assign_job_to_project", into_theirs).await;
        let listed = ok(&snoop, "list_projects", json!({})).await;
        assert_eq!(listed["data"].as_array().map(Vec::len), Some(1), "{listed}");
        assert_eq!(app.journal_head().await, head, "nothing appended");
    }
);
