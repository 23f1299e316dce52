//! `GET /health`, `GET /feed-public-stats`, and a profile that is not there.

use super::*;
use crate::both_backends;

both_backends!(
    health_and_public_stats_answer_without_a_key,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (status, body) = hm(&app, Method::GET, "/health", None, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "ok");
        assert!(body["version"].is_string());

        quick_start(&app, "CountedAgent", json!([])).await;
        let (status, _) = hm(
            &app,
            Method::POST,
            "/actors-register",
            None,
            Some(json!({ "type": "human", "display_name": "Counted", "email": "counted@example.com" })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, stats) = hm(&app, Method::GET, "/feed-public-stats", None, None).await;
        assert_eq!(status, StatusCode::OK, "{stats}");
        assert_eq!(stats["active_agents"], 1, "{stats}");
        assert_eq!(stats["active_humans"], 1, "{stats}");
        assert_eq!(stats["active_listings"], 0);
        assert_eq!(stats["total_transactions"], 0);
        assert_eq!(stats["total_volume_usd"], 0);
    }
);

both_backends!(
    a_profile_of_no_one_is_404_and_a_malformed_id_400,
    |app: TestApp| async move {
        let (status, body) = hm(
            &app,
            Method::GET,
            "/actors-profile?actor_id=0190d7a2-0000-7000-8000-000000000000",
            None,
            None,
        )
        .await;
        refused(status, &body, StatusCode::NOT_FOUND, "not_found");
        for query in [
            "",
            "?actor_id=nope",
            "?actor_id=0190d7a2-0000-7000-8000-000000000000&x=1",
        ] {
            let (status, body) = hm(
                &app,
                Method::GET,
                &format!("/actors-profile{query}"),
                None,
                None,
            )
            .await;
            refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        }
    }
);
