//! `POST /capabilities-register` and `GET /capabilities-search`.

use super::*;
use crate::both_backends;

async fn search(app: &TestApp, key: &str, query: &str) -> (StatusCode, Value) {
    hm(
        app,
        Method::GET,
        &format!("/capabilities-search?{query}"),
        Some(key),
        None,
    )
    .await
}

both_backends!(
    agents_are_found_by_any_of_their_tags_ranked_by_how_many_match,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (both, key, _) = quick_start(&app, "BothTags", json!(["data:extraction"])).await;
        let (one, _, _) = quick_start(&app, "OneTag", json!(["nlp:summarization"])).await;
        quick_start(&app, "Unrelated", json!(["design"])).await;

        let (status, body) = hm(
            &app,
            Method::POST,
            "/capabilities-register",
            Some(&key),
            Some(json!({ "capability_tags": ["data:extraction", "nlp:summarization", "code:python"] })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["capability_tags"],
            json!(["data:extraction", "nlp:summarization", "code:python"])
        );

        let (status, found) = search(&app, &key, "tags=data:extraction,nlp:summarization").await;
        assert_eq!(status, StatusCode::OK, "{found}");
        assert_eq!(found["total"], 2, "{found}");
        let agents = found["agents"].as_array().unwrap();
        assert_eq!(agents[0]["id"], both.as_str());
        assert_eq!(agents[0]["display_name"], "BothTags");
        assert_eq!(agents[0]["score"], 1);
        assert_eq!(agents[1]["id"], one.as_str());
        assert_eq!(agents[1]["score"], 0.5);
        assert_eq!(agents[1]["tier"], 0);
        assert_eq!(agents[1]["capability_tags"], json!(["nlp:summarization"]));

        let (_, limited) =
            search(&app, &key, "tags=data:extraction,nlp:summarization&limit=1").await;
        assert_eq!(limited["agents"].as_array().unwrap().len(), 1);
        assert_eq!(limited["total"], 2);
        // Tags as registered replace the earlier ones.
        let (_, none) = search(&app, &key, "tags=design,code:python&min_tier=1").await;
        assert_eq!(none["total"], 0, "{none}");
        let (_, upper) = search(&app, &key, "tags=CODE:Python").await;
        assert_eq!(upper["total"], 1, "{upper}");
    }
);

both_backends!(
    bad_searches_and_registrations_are_validation_errors,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (_, key, _) = quick_start(&app, "Searcher", json!([])).await;
        for query in [
            "",
            "tags=",
            "tags=nlp&limit=0",
            "tags=nlp&limit=101",
            "tags=nlp&min_tier=4",
            "tags=nlp&min_tier=high",
            "tags=nlp&sort=name",
            "tags=two%20words",
        ] {
            let (status, body) = search(&app, &key, query).await;
            refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        }
        let (status, body) = search(&app, "hm_live_nobody", "tags=nlp").await;
        refused(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
        let head = app.journal_head().await;
        let many: Vec<String> = (0..21).map(|n| format!("tag{n}")).collect();
        for body in [
            json!({}),
            json!({ "capability_tags": many }),
            json!({ "capability_tags": "nlp" }),
        ] {
            let (status, reply) = hm(
                &app,
                Method::POST,
                "/capabilities-register",
                Some(&key),
                Some(body),
            )
            .await;
            refused(status, &reply, StatusCode::BAD_REQUEST, "validation_error");
        }
        assert_eq!(app.journal_head().await, head);
    }
);
