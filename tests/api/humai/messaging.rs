//! Messaging and notifications: a channel is a piece of work's
//! conversation (here a task posted and taken through the native API, one
//! ledger), its participants talk through `/messages-send`, list with read
//! marks, mark one or all read; strangers neither read nor post; each
//! message notifies the others, listed and marked at `/notifications-*`.

use super::*;
use crate::both_backends;
use crate::helpers::Actor;

/// A poster's task taken by a worker, and Humai keys for both and a stranger:
/// (task id, poster's key, worker's key, stranger's key, poster, worker).
async fn conversation(app: &TestApp) -> (String, String, String, String, Actor, Actor) {
    let poster = app.funded_agent("Poster", 10_000).await;
    let worker = app.actor("human", "Worker").await;
    let stranger = app.actor("human", "Stranger").await;
    let task = app
        .post_task(
            &poster,
            json!({ "title": "Photograph a bakery", "reward_cents": 1_000 }),
        )
        .await;
    let (status, body) = app
        .post(&format!("/v1/tasks/{task}/accept"), &worker.key, json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let humai_key =
        |actor: Actor| async move { app.key_for(&actor, json!({ "prefix": "hm" })).await.1 };
    (
        task,
        humai_key(poster.clone()).await,
        humai_key(worker.clone()).await,
        humai_key(stranger).await,
        poster,
        worker,
    )
}

async fn send(app: &TestApp, key: &str, channel: &str, text: &str) -> (StatusCode, Value) {
    hm(
        app,
        Method::POST,
        "/messages-send",
        Some(key),
        Some(json!({ "channel_id": channel, "body": text })),
    )
    .await
}

async fn list(app: &TestApp, key: &str, query: &str) -> (StatusCode, Value) {
    hm(
        app,
        Method::GET,
        &format!("/messages-list?{query}"),
        Some(key),
        None,
    )
    .await
}

fn read_marks(listed: &Value) -> Vec<(String, bool)> {
    listed["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| {
            (
                m["body"].as_str().expect("body").to_owned(),
                m["read"].as_bool().expect("read"),
            )
        })
        .collect()
}

both_backends!(
    participants_talk_in_a_channel_and_mark_messages_read,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (task, poster_key, worker_key, _, poster, worker) = conversation(&app).await;
        let (status, sent) = send(&app, &worker_key, &task, "  On my way  ").await;
        assert_eq!(status, StatusCode::CREATED, "{sent}");
        assert_eq!(sent["channel_id"], task.as_str());
        assert_eq!(sent["sender_id"], worker.id.as_str());
        assert_eq!(sent["body"], "On my way");
        let first = sent["id"].as_str().expect("an id").to_owned();
        for text in ["Front door, please", "Ring twice"] {
            let (status, body) = send(&app, &poster_key, &task, text).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        let (status, body) = send(&app, &worker_key, &task, "Done soon").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");

        // Newest first; the poster has read their own and not the worker's.
        let (status, listed) = list(&app, &poster_key, &format!("channel_id={task}")).await;
        assert_eq!(status, StatusCode::OK, "{listed}");
        assert_eq!(
            read_marks(&listed),
            vec![
                ("Done soon".to_owned(), false),
                ("Ring twice".to_owned(), true),
                ("Front door, please".to_owned(), true),
                ("On my way".to_owned(), false),
            ]
        );
        assert_eq!(listed["has_more"], false);

        // Pages go back in time by `before`.
        let (_, page) = list(&app, &worker_key, &format!("channel_id={task}&limit=3")).await;
        assert_eq!(page["messages"].as_array().map(Vec::len), Some(3));
        assert_eq!(page["has_more"], true, "{page}");
        let before = page["next_before"]
            .as_str()
            .expect("next_before")
            .to_owned();
        let (status, older) = list(
            &app,
            &worker_key,
            &format!("channel_id={task}&before={}", before.replace('+', "%2B")),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{older}");
        assert_eq!(read_marks(&older), vec![("On my way".to_owned(), true)]);

        // One read, then the rest of the channel.
        let (status, body) = hm(
            &app,
            Method::POST,
            "/messages-read",
            Some(&poster_key),
            Some(json!({ "message_id": first })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, listed) = list(&app, &poster_key, &format!("channel_id={task}")).await;
        assert_eq!(read_marks(&listed)[3], ("On my way".to_owned(), true));
        assert_eq!(read_marks(&listed)[0], ("Done soon".to_owned(), false));
        let (status, body) = hm(
            &app,
            Method::POST,
            "/messages-read-all",
            Some(&worker_key),
            Some(json!({ "channel_id": task })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["marked"], 2, "{body}");
        let (_, listed) = list(&app, &worker_key, &format!("channel_id={task}")).await;
        assert!(
            read_marks(&listed).iter().all(|(_, read)| *read),
            "{listed}"
        );
        // The poster's own marks are theirs: still one unread.
        let (_, listed) = list(&app, &poster_key, &format!("channel_id={task}")).await;
        assert_eq!(read_marks(&listed)[0], ("Done soon".to_owned(), false));
        let _ = poster;
        app.verify().await;
    }
);

both_backends!(
    strangers_neither_read_nor_post_and_bad_input_changes_nothing,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (task, _, worker_key, stranger_key, _, _) = conversation(&app).await;
        let (status, sent) = send(&app, &worker_key, &task, "hello").await;
        assert_eq!(status, StatusCode::CREATED, "{sent}");
        let message = sent["id"].as_str().expect("an id").to_owned();
        let head = app.journal_head().await;

        let (status, body) = send(&app, &stranger_key, &task, "let me in").await;
        refused(status, &body, StatusCode::FORBIDDEN, "forbidden");
        let (status, body) = list(&app, &stranger_key, &format!("channel_id={task}")).await;
        refused(status, &body, StatusCode::FORBIDDEN, "forbidden");
        let (status, body) = hm(
            &app,
            Method::POST,
            "/messages-read",
            Some(&stranger_key),
            Some(json!({ "message_id": message })),
        )
        .await;
        refused(status, &body, StatusCode::NOT_FOUND, "not_found");
        let (status, body) = hm(
            &app,
            Method::POST,
            "/messages-read-all",
            Some(&stranger_key),
            Some(json!({ "channel_id": task })),
        )
        .await;
        refused(status, &body, StatusCode::FORBIDDEN, "forbidden");

        let unknown = uuid::Uuid::now_v7().to_string();
        let (status, body) = send(&app, &worker_key, &unknown, "anyone?").await;
        refused(status, &body, StatusCode::NOT_FOUND, "not_found");
        for bad in [
            json!({ "channel_id": task, "body": "   " }),
            json!({ "channel_id": task, "body": "x".repeat(2_001) }),
            json!({ "channel_id": "not-a-uuid", "body": "hi" }),
            json!({ "channel_id": task }),
            json!({ "channel_id": task, "body": "hi", "urgent": true }),
        ] {
            let (status, body) = hm(
                &app,
                Method::POST,
                "/messages-send",
                Some(&worker_key),
                Some(bad.clone()),
            )
            .await;
            refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        }
        for query in [
            format!("channel_id={task}&limit=0"),
            format!("channel_id={task}&before=yesterday"),
            "limit=5".to_owned(),
        ] {
            let (status, body) = list(&app, &worker_key, &query).await;
            refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        }
        let (status, body) = hm(
            &app,
            Method::POST,
            "/messages-send",
            None,
            Some(json!({ "channel_id": task, "body": "hi" })),
        )
        .await;
        refused(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
        assert_eq!(app.journal_head().await, head);
    }
);

both_backends!(
    each_message_notifies_the_others_who_mark_notifications_read,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (task, poster_key, worker_key, _, _, _) = conversation(&app).await;
        let (status, body) = send(&app, &worker_key, &task, "Question about the light").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, listed) = hm(
            &app,
            Method::GET,
            "/notifications-list",
            Some(&poster_key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{listed}");
        let notifications = listed["notifications"].as_array().expect("notifications");
        let message = notifications
            .iter()
            .find(|n| n["type"] == "message_received")
            .expect("a message notification")
            .clone();
        assert_eq!(message["read"], false);
        assert_eq!(message["payload"]["channel_id"], task.as_str());
        assert!(message["created_at"].is_string(), "{message}");
        let unread = listed["unread_count"].as_i64().expect("unread_count");
        assert!(unread >= 1, "{listed}");

        let head = app.journal_head().await;
        for bad in [
            json!({ "notification_ids": [] }),
            json!({ "notification_ids": ["nope"] }),
            json!({ "ids": [message["id"]] }),
        ] {
            let (status, body) = hm(
                &app,
                Method::POST,
                "/notifications-read",
                Some(&poster_key),
                Some(bad),
            )
            .await;
            refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        }
        assert_eq!(app.journal_head().await, head);

        let (status, body) = hm(
            &app,
            Method::POST,
            "/notifications-read",
            Some(&poster_key),
            Some(json!({ "notification_ids": [message["id"]] })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, listed) = hm(
            &app,
            Method::GET,
            "/notifications-list",
            Some(&poster_key),
            None,
        )
        .await;
        let marked = listed["notifications"]
            .as_array()
            .expect("notifications")
            .iter()
            .find(|n| n["id"] == message["id"])
            .expect("still listed")
            .clone();
        assert_eq!(marked["read"], true);
        assert_eq!(listed["unread_count"].as_i64(), Some(unread - 1));
        // Read here is read in the channel too.
        let (_, channel) = list(&app, &poster_key, &format!("channel_id={task}")).await;
        assert_eq!(channel["messages"][0]["read"], true, "{channel}");
        // The worker, who sent it, was not notified of their own message.
        let (_, theirs) = hm(
            &app,
            Method::GET,
            "/notifications-list",
            Some(&worker_key),
            None,
        )
        .await;
        assert!(
            theirs["notifications"]
                .as_array()
                .expect("notifications")
                .iter()
                .all(|n| n["type"] != "message_received"),
            "{theirs}"
        );
    }
);
