//! Humai's task streams end to end: a transaction's progress from its
//! beginning then live, resumed after `Last-Event-ID`, the caller's own task
//! events only, refusals for strangers and unknown work, and the cap on
//! streams open at once (429 `rate_limited`). The work is a task posted and
//! taken through the native API: one ledger.

use super::*;
use crate::helpers::{spawn_app_with, Actor};
use std::time::Duration;

/// Streams open at once in these servers: small enough to reach.
const STREAMS_MAX: u32 = 2;

fn configure(config: &mut errand::config::Config) {
    config.rate_limits = roomy_limits();
    config.humai_stream_subscribers = STREAMS_MAX;
}

macro_rules! with_streams {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                if let Some(app) = spawn_app_with(Backend::Sqlite, configure).await {
                    ($body)(app).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                if let Some(app) = spawn_app_with(Backend::Postgres, configure).await {
                    ($body)(app).await;
                }
            }
        }
    };
}

/// One SSE event: (name, id, data).
type Sent = (String, i64, Value);

/// An open stream and what is left of its last chunk.
struct Events {
    response: reqwest::Response,
    pending: String,
}

impl Events {
    async fn open(app: &TestApp, path: &str, key: &str, last_event_id: Option<i64>) -> Events {
        let mut request = app
            .client
            .get(app.url(&format!("{API}{path}")))
            .header("x-api-key", key);
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id.to_string());
        }
        let response = request.send().await.expect("request is sent");
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers()["content-type"]
            .to_str()
            .expect("text")
            .starts_with("text/event-stream"));
        Events {
            response,
            pending: String::new(),
        }
    }

    /// The next `count` events (keep-alive comments skipped); panics after 10 s.
    async fn next(&mut self, count: usize) -> Vec<Sent> {
        let mut got = Vec::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while got.len() < count {
            while let Some(end) = self.pending.find("\n\n") {
                let block: String = self.pending.drain(..end + 2).collect();
                let (mut name, mut id, mut data) = (String::new(), 0, Value::Null);
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("event:") {
                        name = value.trim().to_owned();
                    } else if let Some(value) = line.strip_prefix("id:") {
                        id = value.trim().parse().expect("a numeric id");
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data = serde_json::from_str(value.trim()).expect("JSON data");
                    }
                }
                if !name.is_empty() {
                    got.push((name, id, data));
                }
            }
            if got.len() >= count {
                break;
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let chunk = tokio::time::timeout(left, self.response.chunk())
                .await
                .unwrap_or_else(|_| panic!("{} of {count} events: {got:?}", got.len()))
                .expect("the stream reads")
                .expect("the stream is open");
            self.pending
                .push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
        }
        got
    }
}

fn names(events: &[Sent]) -> Vec<(&str, Option<&str>)> {
    events
        .iter()
        .map(|(name, _, data)| (name.as_str(), data["status"].as_str()))
        .collect()
}

async fn humai_key(app: &TestApp, actor: &Actor) -> String {
    app.key_for(actor, json!({ "prefix": "hm" })).await.1
}

with_streams!(
    a_transactions_progress_is_streamed_from_its_start_and_resumes_after_the_last_event,
    |app: TestApp| async move {
        let poster = app.funded_agent("Poster", 10_000).await;
        let worker = app.actor("human", "Worker").await;
        let task = app
            .post_task(
                &poster,
                json!({ "title": "Photograph a bakery", "reward_cents": 1_000 }),
            )
            .await;
        let submission = app.take_and_submit(&worker, &task).await;
        let key = humai_key(&app, &poster).await;
        let path = format!("/task-progress-stream?transaction_id={task}");

        let mut stream = Events::open(&app, &path, &key, None).await;
        let history = stream.next(3).await;
        assert_eq!(
            names(&history),
            vec![
                ("status_change", Some("open")),
                ("status_change", Some("assigned")),
                ("delivery_submitted", None),
            ]
        );
        assert!(history
            .iter()
            .all(|(_, _, data)| data["transaction_id"] == task.as_str()));
        assert!(history.windows(2).all(|pair| pair[0].1 < pair[1].1));

        let (status, body) = app
            .post(
                &format!("/v1/submissions/{submission}/approve"),
                &poster.key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let live = stream.next(2).await;
        assert_eq!(live[0].0, "milestone_completed");
        assert!(
            names(&live).contains(&("status_change", Some("completed"))),
            "{live:?}"
        );
        drop(stream);

        // Reconnecting after the second event sends what followed it.
        let mut resumed = Events::open(&app, &path, &key, Some(history[1].1)).await;
        let again = resumed.next(3).await;
        assert_eq!(again[0], history[2]);
        assert_eq!(again[1], live[0]);
    }
);

with_streams!(
    the_task_stream_carries_the_callers_own_work_only,
    |app: TestApp| async move {
        let poster = app.funded_agent("Poster", 10_000).await;
        let other = app.funded_agent("Other", 10_000).await;
        let worker = app.actor("human", "Worker").await;
        let key = humai_key(&app, &poster).await;
        let mut stream = Events::open(&app, "/task-stream", &key, None).await;
        // Another poster's task first: never shown to this caller.
        let theirs = app
            .post_task(&other, json!({ "title": "Not yours", "reward_cents": 500 }))
            .await;
        app.take_and_submit(&worker, &theirs).await;
        let mine = app
            .post_task(&poster, json!({ "title": "Yours", "reward_cents": 500 }))
            .await;
        app.take_and_submit(&worker, &mine).await;
        let got = stream.next(3).await;
        assert!(
            got.iter()
                .all(|(_, _, data)| data["transaction_id"] == mine.as_str()),
            "{got:?}"
        );
        assert_eq!(
            names(&got),
            vec![
                ("status_change", Some("open")),
                ("status_change", Some("assigned")),
                ("delivery_submitted", None),
            ]
        );
    }
);

with_streams!(
    strangers_unknown_work_and_streams_over_the_cap_are_refused,
    |app: TestApp| async move {
        let poster = app.funded_agent("Poster", 10_000).await;
        let stranger = app.actor("human", "Stranger").await;
        let task = app
            .post_task(&poster, json!({ "title": "Private", "reward_cents": 500 }))
            .await;
        let (poster_key, stranger_key) = (
            humai_key(&app, &poster).await,
            humai_key(&app, &stranger).await,
        );
        let get = |path: String, key: String| {
            let app = &app;
            async move { hm(app, Method::GET, &path, Some(&key), None).await }
        };
        let (status, body) = get(
            format!("/task-progress-stream?transaction_id={task}"),
            stranger_key.clone(),
        )
        .await;
        refused(status, &body, StatusCode::FORBIDDEN, "forbidden");
        let unknown = uuid::Uuid::now_v7();
        let (status, body) = get(
            format!("/task-progress-stream?transaction_id={unknown}"),
            poster_key.clone(),
        )
        .await;
        refused(status, &body, StatusCode::NOT_FOUND, "not_found");
        for path in [
            "/task-progress-stream?transaction_id=nope",
            "/task-progress-stream",
            "/task-stream?all=1",
        ] {
            let (status, body) = get(path.to_owned(), poster_key.clone()).await;
            refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        }
        let (status, body) = hm(&app, Method::GET, "/task-stream", None, None).await;
        refused(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");

        let open: Vec<Events> = futures::future::join_all(
            (0..STREAMS_MAX).map(|_| Events::open(&app, "/task-stream", &poster_key, None)),
        )
        .await;
        let (status, body) = get("/task-stream".to_owned(), poster_key.clone()).await;
        refused(status, &body, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
        drop(open);
        // A closed stream gives its place back once its producer notices
        // (at the latest when its keep-alive, every 15 s, finds the client gone).
        app.eventually(Duration::from_secs(20), || {
            let app = &app;
            let key = poster_key.clone();
            async move {
                let response = app
                    .client
                    .get(app.url(&format!("{API}/task-stream")))
                    .header("x-api-key", key)
                    .send()
                    .await
                    .expect("request is sent");
                response.status() == StatusCode::OK
            }
        })
        .await;
    }
);
