//! The owner's controls: pause ⇄ resume, stop, resize, cancel; transitions
//! the job's state does not allow are 409.

use super::*;
use crate::both_backends;

both_backends!(
    pause_resume_and_stop_follow_the_lifecycle_and_refuse_the_rest,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "Steerer", 10_000).await;
        let job = create_job(&app, &key, job_body("Steer me", 2, json!(10))).await;
        let id = job["id"].as_str().expect("id").to_owned();
        let steps = [
            ("resume", StatusCode::CONFLICT, "active"),
            ("pause", StatusCode::OK, "paused"),
            ("pause", StatusCode::CONFLICT, "paused"),
            ("resume", StatusCode::OK, "active"),
            ("approve", StatusCode::CONFLICT, "active"),
            ("pause", StatusCode::OK, "paused"),
            ("stop", StatusCode::OK, "stopped"),
            ("stop", StatusCode::CONFLICT, "stopped"),
            ("pause", StatusCode::CONFLICT, "stopped"),
            ("resume", StatusCode::CONFLICT, "stopped"),
        ];
        for (action, want, status_after) in steps {
            let head = app.journal_head().await;
            let (status, body) = act(&app, &key, &id, action, json!({})).await;
            if want == StatusCode::OK {
                assert_eq!(status, StatusCode::OK, "{action}: {body}");
                assert_eq!(body["status"], status_after, "{action}: {body}");
            } else {
                refused(status, &body, want);
                assert_eq!(app.journal_head().await, head, "{action} appended nothing");
            }
            assert_eq!(
                get_job(&app, &key, &id).await["status"],
                status_after,
                "after {action}"
            );
        }
        let (status, body) = act(&app, &key, &id, "resize", json!({ "testerCount": 3 })).await;
        refused(status, &body, StatusCode::CONFLICT);
        // Stopped with no one at work: nothing is held any more.
        assert_eq!(money(&app, &agent).await, (10_000, 0));
        app.verify().await;
    }
);

both_backends!(
    a_paused_job_takes_no_testers_and_a_stopped_one_lets_testers_finish,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "Steerer", 10_000).await;
        let job = create_job(&app, &key, job_body("Steer me", 3, json!(10))).await;
        let id = job["id"].as_str().expect("id").to_owned();
        let (ann, bob) = (tester(&app, "Ann").await, tester(&app, "Bob").await);
        accept(&app, &ann, &id).await;
        act(&app, &key, &id, "pause", json!({})).await;
        let (status, _) = app
            .post(&format!("/v1/tasks/{id}/accept"), &bob.key, json!({}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, job) = act(&app, &key, &id, "stop", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{job}");
        // Ann's slot stays held; the two free slots went back.
        assert_eq!(job["escrow"]["held"], json!(10));
        assert_eq!(job["progress"]["inProgress"], 1);
        assert_eq!(money(&app, &agent).await, (9_000, 1_000));
        submit(&app, &ann, &id, "Sign-up took four minutes.").await;
        let job = get_job(&app, &key, &id).await;
        assert_eq!(job["progress"]["finished"], 1);
        assert_eq!(job["feedback"][0]["text"], "Sign-up took four minutes.");
        assert_eq!(job["feedback"][0]["status"], "pending");
        assert_eq!(job["feedback"][0]["testerId"], json!(ann.id));
    }
);

both_backends!(
    resizing_moves_the_hold_with_the_slots,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "Resizer", 10_000).await;
        let job = create_job(&app, &key, job_body("Resize me", 2, json!(10))).await;
        let id = job["id"].as_str().expect("id").to_owned();
        assert_eq!(money(&app, &agent).await, (8_000, 2_000));
        let (status, job) = act(&app, &key, &id, "resize", json!({ "testerCount": 5 })).await;
        assert_eq!(status, StatusCode::OK, "{job}");
        assert_eq!(job["testerCount"], 5);
        assert_eq!(job["escrow"]["held"], json!(50));
        assert_eq!(money(&app, &agent).await, (5_000, 5_000));
        let ann = tester(&app, "Ann").await;
        accept(&app, &ann, &id).await;
        let (status, job) = act(&app, &key, &id, "resize", json!({ "testerCount": 1 })).await;
        assert_eq!(status, StatusCode::OK, "{job}");
        assert_eq!(job["escrow"]["held"], json!(10));
        assert_eq!(money(&app, &agent).await, (9_000, 1_000));
        // Never to the same size, never below the slots taken.
        let head = app.journal_head().await;
        let (status, body) = act(&app, &key, &id, "resize", json!({ "testerCount": 1 })).await;
        refused(status, &body, StatusCode::CONFLICT);
        assert_eq!(app.journal_head().await, head);
        let bob = tester(&app, "Bob").await;
        let (status, _) = app
            .post(&format!("/v1/tasks/{id}/accept"), &bob.key, json!({}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "every slot is taken");
        let (status, body) = act(&app, &key, &id, "resize", json!({ "testerCount": 2 })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        accept(&app, &bob, &id).await;
        let (status, body) = act(&app, &key, &id, "resize", json!({ "testerCount": 1 })).await;
        let message = refused(status, &body, StatusCode::CONFLICT);
        assert!(message.contains("cannot shrink"), "{message}");
        // Growing past the balance is refused and holds nothing more.
        let (status, body) = act(&app, &key, &id, "resize", json!({ "testerCount": 500 })).await;
        let message = refused(status, &body, StatusCode::BAD_REQUEST);
        assert!(message.contains("Insufficient balance"), "{message}");
        assert_eq!(money(&app, &agent).await, (8_000, 2_000));
        app.verify().await;
    }
);

both_backends!(
    cancelling_releases_everything_unspent,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "Canceller", 10_000).await;
        let job = create_job(&app, &key, job_body("Cancel me", 3, json!(10))).await;
        let id = job["id"].as_str().expect("id").to_owned();
        let ann = tester(&app, "Ann").await;
        accept(&app, &ann, &id).await;
        // An action without fields needs no body at all.
        let (status, body) = ih(
            &app,
            Method::POST,
            &format!("/owner/jobs/{id}/pause"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "paused");
        let (status, job) = act(&app, &key, &id, "cancel", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{job}");
        assert_eq!(job["status"], "cancelled");
        assert_eq!(job["escrow"]["held"], json!(0));
        assert_eq!(job["escrow"]["released"], json!(30));
        assert_eq!(job["progress"]["ended"], 1);
        assert_eq!(money(&app, &agent).await, (10_000, 0));
        // Ann's slot ended with the job: she cannot hand in work.
        let (status, _) = app
            .post(
                &format!("/v1/tasks/{id}/submissions"),
                &ann.key,
                json!({ "proof": { "text": "late" } }),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        for action in ["cancel", "pause", "resume", "stop", "settle"] {
            let (status, body) = act(&app, &key, &id, action, json!({})).await;
            refused(status, &body, StatusCode::CONFLICT);
        }
        app.verify().await;
    }
);

both_backends!(
    work_awaiting_review_is_settled_not_cancelled,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "Canceller", 10_000).await;
        let job = create_job(&app, &key, job_body("Cancel me", 2, json!(10))).await;
        let id = job["id"].as_str().expect("id").to_owned();
        let ann = tester(&app, "Ann").await;
        accept(&app, &ann, &id).await;
        submit(&app, &ann, &id, "Done.").await;
        let (status, body) = act(&app, &key, &id, "cancel", json!({})).await;
        refused(status, &body, StatusCode::CONFLICT);
    }
);

both_backends!(
    a_humans2ai_person_who_applies_to_a_job_takes_a_slot_at_once,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "Acme", 10_000).await;
        let job = create_job(&app, &key, job_body("Try our checkout", 1, json!(10))).await;
        let id = job["id"].as_str().expect("id").to_owned();
        let person = crate::humans2ai::register(&app, "human", "Applicant").await;
        let listed = |token: String| {
            let app = &app;
            async move {
                let (status, body) =
                    crate::humans2ai::h2a(app, Method::GET, "/tasks", Some(&token), None).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                body["data"]["tasks"]
                    .as_array()
                    .expect("tasks")
                    .iter()
                    .map(|task| task["id"].as_str().expect("id").to_owned())
                    .collect::<Vec<_>>()
            }
        };
        // People browsing Humans2AI's marketplace see the job while a slot is free.
        let h2a_id = format!("task_{}", id.replace('-', ""));
        assert_eq!(
            listed(person.token.clone()).await,
            std::slice::from_ref(&h2a_id)
        );
        let (status, body) = crate::humans2ai::h2a(
            &app,
            Method::POST,
            &format!("/tasks/{id}/apply"),
            Some(&person.token),
            Some(json!({ "message": "I shop online daily" })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        // First come, first served: the application is chosen as it is made.
        assert_eq!(body["data"]["application"]["status"], "selected", "{body}");
        let read = get_job(&app, &key, &id).await;
        assert_eq!(read["progress"]["open"], 0, "{read}");
        assert_eq!(read["progress"]["inProgress"], 1, "{read}");
        // The one slot is taken: the job leaves the marketplace, and a second
        // person is refused as for any taken task, appending nothing.
        let late = crate::humans2ai::register(&app, "human", "Latecomer").await;
        assert!(listed(late.token.clone()).await.is_empty());
        let head = app.journal_head().await;
        let (status, body) = crate::humans2ai::h2a(
            &app,
            Method::POST,
            &format!("/tasks/{id}/apply"),
            Some(&late.token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(app.journal_head().await, head);
        app.verify().await;
    }
);
