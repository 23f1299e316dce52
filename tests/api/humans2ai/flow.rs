//! The whole flow through Humans2AI's own endpoints, and expiry.

use super::*;
use crate::both_backends;
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

both_backends!(
    an_agent_posts_two_people_apply_one_is_chosen_rejected_once_and_paid_less_the_fee,
    |app: TestApp| async move {
        let agent = register(&app, "agent", "PhotoBot").await;
        let key = create_key(&app, &agent.token, json!({})).await;
        assert!(key.starts_with("sk_live_"), "{key}");
        fund(&app, &agent.token, 20_000).await;

        let task = post_task(
            &app,
            &key,
            task_body("Photograph 3 coffee shops", json!(150)),
        )
        .await;
        let wallet_after_post = wallet(&app, &key).await;
        assert_eq!(wallet_after_post["balance"], json!(50));
        assert_eq!(wallet_after_post["frozenBalance"], json!(150));

        let ada = register(&app, "human", "Ada").await;
        let bob = register(&app, "human", "Bob").await;
        for person in [&ada, &bob] {
            let (status, body) = h2a(
                &app,
                Method::POST,
                &format!("/tasks/{task}/apply"),
                Some(&person.token),
                Some(json!({ "message": "I live two blocks away." })),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            assert_eq!(body["data"]["application"]["status"], "pending");
        }

        let (status, listed) = h2a(
            &app,
            Method::GET,
            &format!("/tasks/{task}/applications"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{listed}");
        let applications = listed["data"]["applications"].as_array().expect("list");
        assert_eq!(applications.len(), 2);
        let bobs = applications
            .iter()
            .find(|a| a["humanId"] == json!(bob.id))
            .expect("Bob applied");
        assert_eq!(bobs["humanName"], "Bob");

        let (status, selected) = h2a(
            &app,
            Method::POST,
            &format!("/tasks/{task}/select"),
            Some(&key),
            Some(json!({ "applicationId": bobs["id"] })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{selected}");
        assert_eq!(selected["data"]["status"], "assigned");
        assert_eq!(selected["data"]["assignedTo"], json!(bob.id));

        // Ada was not chosen: she cannot submit.
        let (status, body) = h2a(
            &app,
            Method::POST,
            &format!("/tasks/{task}/submit"),
            Some(&ada.token),
            Some(json!({ "proof": "Here are photos." })),
        )
        .await;
        refused(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");

        let submit = |proof: &'static str| {
            let (app, task, token) = (&app, task.clone(), bob.token.clone());
            async move {
                let (status, body) = h2a(
                    app,
                    Method::POST,
                    &format!("/tasks/{task}/submit"),
                    Some(&token),
                    Some(json!({ "proof": proof, "attachments": [{ "url": "https://example.com/1.jpg", "mediaType": "image/jpeg" }] })),
                )
                .await;
                assert_eq!(status, StatusCode::CREATED, "{body}");
                assert_eq!(body["data"]["status"], "submitted");
            }
        };
        submit("Three shops photographed.").await;

        let head = app.journal_head().await;
        let (status, body) = h2a(
            &app,
            Method::POST,
            &format!("/tasks/{task}/reject"),
            Some(&key),
            Some(json!({ "reason": "Too blurry." })),
        )
        .await;
        let message = refused(status, &body, StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        assert!(message.contains("50"), "{message}");
        assert_eq!(app.journal_head().await, head, "a refusal appends nothing");

        let (status, rejected) = h2a(
            &app,
            Method::POST,
            &format!("/tasks/{task}/reject"),
            Some(&key),
            Some(json!({ "reason": "The photos are too blurry to read the shop signs; please retake them." })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{rejected}");
        assert_eq!(
            rejected["data"]["status"], "assigned",
            "back to Bob to redo"
        );
        assert_eq!(rejected["data"]["submission"]["status"], "rejected");

        submit("Retaken in daylight, signs readable.").await;

        // Another agent cannot approve this task.
        let other = register(&app, "agent", "Mallory").await;
        let (status, body) = h2a(
            &app,
            Method::POST,
            &format!("/tasks/{task}/approve"),
            Some(&other.token),
            None,
        )
        .await;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
            "{status} {body}"
        );

        let (status, approved) = h2a(
            &app,
            Method::POST,
            &format!("/tasks/{task}/approve"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{approved}");
        assert_eq!(approved["data"]["task"]["status"], "completed");
        // 0.01 % of $150.00 is 1.5 cents, rounded half-up to 2.
        assert_eq!(approved["data"]["platformFee"].to_string(), "0.02");
        assert_eq!(approved["data"]["payout"].to_string(), "149.98");

        let agent_wallet = wallet(&app, &key).await;
        assert_eq!(agent_wallet["balance"], json!(50));
        assert_eq!(agent_wallet["frozenBalance"], json!(0));
        assert_eq!(agent_wallet["lifetime"]["spent"], json!(150));
        let bob_wallet = wallet(&app, &bob.token).await;
        assert_eq!(bob_wallet["balance"].to_string(), "149.98");
        assert_eq!(bob_wallet["lifetime"]["earned"].to_string(), "149.98");

        let (status, mine) = h2a(
            &app,
            Method::GET,
            "/my/applications",
            Some(&bob.token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{mine}");
        let mine = mine["data"]["applications"]
            .as_array()
            .expect("list")
            .clone();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0]["status"], "selected");
        assert_eq!(mine[0]["task"]["id"], json!(task));
        assert_eq!(mine[0]["task"]["status"], "completed");
        let (_, adas) = h2a(
            &app,
            Method::GET,
            "/my/applications",
            Some(&ada.token),
            None,
        )
        .await;
        assert_eq!(adas["data"]["applications"][0]["status"], "closed");

        let (status, history) = h2a(
            &app,
            Method::GET,
            "/wallet/transactions?type=earning",
            Some(&bob.token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{history}");
        let earnings = history["data"]["transactions"].as_array().expect("list");
        assert_eq!(earnings.len(), 1);
        assert_eq!(earnings[0]["amount"].to_string(), "149.98");
        let (_, all) = h2a(
            &app,
            Method::GET,
            "/wallet/transactions?limit=2&page=1",
            Some(&key),
            None,
        )
        .await;
        assert_eq!(
            all["data"]["transactions"].as_array().expect("list").len(),
            2
        );
        assert!(
            all["data"]["pagination"]["total"].as_i64().expect("total") >= 3,
            "{all}"
        );

        app.verify().await;
    }
);

both_backends!(
    a_task_whose_deadline_passes_unfinished_expires_and_its_hold_is_released,
    |app: TestApp| async move {
        let agent = register(&app, "agent", "Hasty").await;
        let key = create_key(&app, &agent.token, json!({})).await;
        fund(&app, &agent.token, 1_000).await;
        let mut body = task_body("Count pigeons", json!(7.5));
        body["deadline"] = json!((chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339());
        let task = post_task(&app, &key, body).await;
        assert_eq!(wallet(&app, &key).await["frozenBalance"].to_string(), "7.5");
        let person = register(&app, "human", "Late").await;
        let (status, body) = h2a(
            &app,
            Method::POST,
            &format!("/tasks/{task}/apply"),
            Some(&person.token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");

        app.eventually(Duration::from_secs(15), || async {
            let (_, task) = h2a(
                &app,
                Method::GET,
                &format!("/tasks/{task}"),
                Some(&key),
                None,
            )
            .await;
            task["data"]["status"] == json!("expired")
        })
        .await;
        let after = wallet(&app, &key).await;
        assert_eq!(after["balance"], json!(10));
        assert_eq!(after["frozenBalance"], json!(0));
        let (status, body) = h2a(
            &app,
            Method::POST,
            &format!("/tasks/{task}/apply"),
            Some(&register(&app, "human", "Later").await.token),
            None,
        )
        .await;
        // An expired task is no longer open: not found to a stranger.
        refused(status, &body, StatusCode::NOT_FOUND, "TASK_NOT_FOUND");
        app.verify().await;
    }
);
