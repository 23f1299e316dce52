//! Keys, the error envelope, the catalogs, health and CORS.

use super::*;
use crate::both_backends;
use crate::helpers::{spawn_app_with, Backend};
use errand::http::instahuman::cors::WebOrigins;

both_backends!(
    catalogs_list_what_a_job_may_ask_for,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "CatalogReader", 0).await;
        for (path, known) in [
            ("/categories", "usability"),
            ("/interests", "gaming"),
            ("/equipment", "iphone"),
            ("/filters", "age"),
        ] {
            let (status, body) = ih(&app, Method::GET, path, Some(&key), None).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            assert_eq!(body["next"], Value::Null, "{path}");
            let items = body["data"].as_array().expect("a list");
            assert!(
                items.iter().any(|item| item["id"] == known),
                "{path} lists {known}: {body}"
            );
            assert!(items.iter().all(|item| item["name"].is_string()), "{body}");
        }
        let (_, filters) = ih(&app, Method::GET, "/filters", Some(&key), None).await;
        let age = filters["data"]
            .as_array()
            .expect("filters")
            .iter()
            .find(|f| f["id"] == "age")
            .expect("age")
            .clone();
        assert_eq!(age["type"], "range");
        assert_eq!(age["min"], 18);
    }
);

both_backends!(health_answers_without_a_key, |app: TestApp| async move {
    let (status, body) = ih(&app, Method::GET, "/health", None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "ok");
});

both_backends!(
    a_missing_foreign_or_unknown_key_is_401_in_the_seeds_envelope,
    |app: TestApp| async move {
        let (status, body) = ih(&app, Method::GET, "/categories", None, None).await;
        refused(status, &body, StatusCode::UNAUTHORIZED);
        // A native key of the same actor is not an InstaHuman key.
        let agent = app.actor("agent", "NativeOnly").await;
        let (status, body) = ih(&app, Method::GET, "/categories", Some(&agent.key), None).await;
        let message = refused(status, &body, StatusCode::UNAUTHORIZED);
        assert!(message.contains("ih_"), "{message}");
        let (status, body) = ih(
            &app,
            Method::GET,
            "/categories",
            Some("ih_live_0000000000000000000000000000000000000000"),
            None,
        )
        .await;
        refused(status, &body, StatusCode::UNAUTHORIZED);
        // A revoked key stops working at once.
        let (key_id, key) = app.key_for(&agent, json!({ "prefix": "ih" })).await;
        let (status, _) = ih(&app, Method::GET, "/categories", Some(&key), None).await;
        assert_eq!(status, StatusCode::OK);
        let response = app
            .request(
                Method::DELETE,
                &format!("/v1/keys/{key_id}"),
                Some(&app.admin_key),
                None,
            )
            .await;
        assert!(response.status().is_success(), "{}", response.status());
        let (status, body) = ih(&app, Method::GET, "/categories", Some(&key), None).await;
        refused(status, &body, StatusCode::UNAUTHORIZED);
    }
);

both_backends!(
    unknown_paths_and_methods_answer_in_the_envelope,
    |app: TestApp| async move {
        let (_, key) = owner(&app, "Wanderer", 0).await;
        let (status, body) = ih(&app, Method::GET, "/nowhere", Some(&key), None).await;
        refused(status, &body, StatusCode::NOT_FOUND);
        let (status, body) = ih(&app, Method::DELETE, "/categories", Some(&key), None).await;
        refused(status, &body, StatusCode::METHOD_NOT_ALLOWED);
    }
);

/// A preflight from `origin`: the origin it was allowed, if any.
async fn preflight(app: &TestApp, origin: &str) -> Option<String> {
    let response = app
        .client
        .request(Method::OPTIONS, app.url(&format!("{API}/categories")))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .expect("preflight");
    response
        .headers()
        .get("access-control-allow-origin")
        .map(|value| value.to_str().expect("ascii").to_owned())
}

async fn cors_app(backend: Backend, development: bool) -> Option<TestApp> {
    spawn_app_with(backend, |config| {
        config.instahuman_cors = WebOrigins {
            web_origin: Some("https://app.instahuman.example".into()),
            development,
        }
    })
    .await
}

async fn only_the_web_origin_outside_development(backend: Backend) {
    let Some(app) = cors_app(backend, false).await else {
        return;
    };
    assert_eq!(
        preflight(&app, "https://app.instahuman.example")
            .await
            .as_deref(),
        Some("https://app.instahuman.example")
    );
    assert_eq!(preflight(&app, "https://evil.example").await, None);
    assert_eq!(preflight(&app, "http://localhost:3000").await, None);
    // A simple request from the web origin carries the header too.
    let (_, key) = owner(&app, "Browser", 0).await;
    let response = app
        .client
        .get(app.url(&format!("{API}/categories")))
        .bearer_auth(&key)
        .header("origin", "https://app.instahuman.example")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://app.instahuman.example"
    );
}

async fn any_localhost_in_development(backend: Backend) {
    let Some(app) = cors_app(backend, true).await else {
        return;
    };
    assert_eq!(
        preflight(&app, "http://localhost:5173").await.as_deref(),
        Some("http://localhost:5173")
    );
    assert_eq!(
        preflight(&app, "http://127.0.0.1:3000").await.as_deref(),
        Some("http://127.0.0.1:3000")
    );
    assert_eq!(preflight(&app, "http://localhost.evil.example").await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_allows_only_the_web_origin_outside_development_on_sqlite() {
    only_the_web_origin_outside_development(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_allows_only_the_web_origin_outside_development_on_postgres() {
    only_the_web_origin_outside_development(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_allows_any_localhost_origin_in_development_on_sqlite() {
    any_localhost_in_development(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_allows_any_localhost_origin_in_development_on_postgres() {
    any_localhost_in_development(Backend::Postgres).await;
}
