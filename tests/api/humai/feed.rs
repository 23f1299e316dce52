//! `GET /feed-public` end to end: public (no key), newest first, listings
//! created and transactions completed with their actor, title and amount,
//! paged by limit and offset.

use super::*;
use crate::both_backends;

both_backends!(
    the_public_feed_shows_new_listings_and_completed_transactions_newest_first,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let poster = app.funded_agent("DataBot", 10_000).await;
        let worker = app.actor("human", "Alice").await;
        let done = app
            .post_task(
                &poster,
                json!({ "title": "Market Analysis", "reward_cents": 5_000 }),
            )
            .await;
        let submission = app.take_and_submit(&worker, &done).await;
        let (status, body) = app
            .post(
                &format!("/v1/submissions/{submission}/approve"),
                &poster.key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        app.post_task(
            &poster,
            json!({ "title": "Need web scraping", "reward_cents": 1_000 }),
        )
        .await;
        let (status, feed) = hm(&app, Method::GET, "/feed-public", None, None).await;
        assert_eq!(status, StatusCode::OK, "{feed}");
        let events = feed["events"].as_array().expect("events").clone();
        let said: Vec<(String, String)> = events
            .iter()
            .map(|e| {
                let title = e["title"]
                    .as_str()
                    .or(e["listing"].as_str())
                    .unwrap_or_default();
                (
                    e["type"].as_str().unwrap_or_default().to_owned(),
                    title.to_owned(),
                )
            })
            .collect();
        assert_eq!(
            said,
            vec![
                ("listing_created".to_owned(), "Need web scraping".to_owned()),
                (
                    "transaction_completed".to_owned(),
                    "Market Analysis".to_owned()
                ),
                ("listing_created".to_owned(), "Market Analysis".to_owned()),
            ]
        );
        let completed = &events[1];
        assert_eq!(completed["actor"], "DataBot");
        assert_eq!(completed["amount_usd"], json!(50));
        assert!(completed["at"].is_string(), "{completed}");
        assert!(events.iter().all(|e| e.get("description").is_none()));
        assert_eq!(feed["has_more"], false);

        let (_, page) = hm(
            &app,
            Method::GET,
            "/feed-public?limit=1&offset=1",
            None,
            None,
        )
        .await;
        assert_eq!(page["events"].as_array().map(Vec::len), Some(1));
        assert_eq!(page["events"][0], events[1]);
        assert_eq!(page["has_more"], true);

        for query in [
            "limit=0",
            "limit=51",
            "offset=-1",
            "offset=10001",
            "sort=asc",
        ] {
            let (status, body) = hm(
                &app,
                Method::GET,
                &format!("/feed-public?{query}"),
                None,
                None,
            )
            .await;
            refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        }
    }
);
