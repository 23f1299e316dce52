//! People's accounts end to end: register, verify the email, log in, act with
//! the access token, refresh, expire, and every refusal on the way.

use crate::both_backends;
use crate::helpers::{read, spawn_app_with, Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

async fn public_post(app: &TestApp, path: &str, body: Value) -> (StatusCode, Value) {
    read(app.request(Method::POST, path, None, Some(body)).await).await
}

async fn register(app: &TestApp, email: &str) -> (StatusCode, Value) {
    public_post(
        app,
        "/v1/people/register",
        json!({
            "name": "Bea",
            "email": email,
            "password": "correct horse battery",
            "skills": ["photography", " Photography "],
            "location": { "text": "Lisbon", "lat": 38.72, "lon": -9.14 }
        }),
    )
    .await
}

async fn login(app: &TestApp, email: &str, password: &str) -> (StatusCode, Value) {
    public_post(
        app,
        "/v1/people/login",
        json!({ "email": email, "password": password }),
    )
    .await
}

fn token(body: &Value, name: &str) -> String {
    body[name].as_str().expect("a token").to_owned()
}

async fn mailed_token(app: &TestApp, email: &str) -> Value {
    let (status, sent) = app
        .get(
            &format!("/v1/admin/email-verifications?email={email}"),
            &app.admin_key,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    sent["token"].clone()
}

both_backends!(
    a_new_verification_link_replaces_the_last_and_the_answer_tells_nobody_anything,
    |app: TestApp| async move {
        let (status, session) = register(&app, "cleo@example.com").await;
        assert_eq!(status, StatusCode::CREATED, "{session}");
        let first = mailed_token(&app, "cleo@example.com").await;

        let ask = |email: &'static str| {
            public_post(&app, "/v1/people/verification", json!({ "email": email }))
        };
        let (status, reply) = ask(" Cleo@Example.com ").await;
        assert_eq!(status, StatusCode::ACCEPTED, "{reply}");
        assert_eq!(reply, json!({ "status": "requested" }));
        let second = mailed_token(&app, "cleo@example.com").await;
        assert_ne!(first, second, "a new link is mailed");

        // The new link replaced the old one, which verifies nothing now.
        let (status, body) =
            public_post(&app, "/v1/people/verify", json!({ "token": first })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, body) =
            public_post(&app, "/v1/people/verify", json!({ "token": second })).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        // Verified already, or never registered: the same answer, and no mail.
        let (status, reply) = ask("cleo@example.com").await;
        assert_eq!(
            (status, reply.clone()),
            (StatusCode::ACCEPTED, json!({ "status": "requested" }))
        );
        assert_eq!(mailed_token(&app, "cleo@example.com").await, second);
        let (status, reply) = ask("nobody@example.com").await;
        assert_eq!(
            (status, reply.clone()),
            (StatusCode::ACCEPTED, json!({ "status": "requested" }))
        );

        // Not an address: refused, and nothing sent.
        let (status, body) = ask("not an address").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, body) = public_post(
            &app,
            "/v1/people/verification",
            json!({ "mail": "x@example.com" }),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
);

both_backends!(
    a_person_registers_verifies_logs_in_and_takes_work_with_a_token,
    |app: TestApp| async move {
        let (status, session) = register(&app, " Bea@Example.COM ").await;
        assert_eq!(status, StatusCode::CREATED, "{session}");
        assert_eq!(session["role"], "human");
        assert_eq!(session["email_verified"], false);
        assert_eq!(session["expires_in"], 15 * 60);
        let id = session["actor_id"].as_str().unwrap().to_owned();

        // The sandbox mailbox holds the link; the token verifies once.
        let (status, sent) = app
            .get(
                "/v1/admin/email-verifications?email=bea@example.com",
                &app.admin_key,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{sent}");
        assert_eq!(
            (sent["pending"].clone(), sent["actor_id"].clone()),
            (json!(true), json!(id))
        );
        // A token of the right shape that was never sent verifies nothing.
        let forged = json!({ "token": format!("evt_{}_{}", id.replace('-', ""), "ab".repeat(32)) });
        let (status, body) = public_post(&app, "/v1/people/verify", forged).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let verification = json!({ "token": sent["token"] });
        let (status, verified) = public_post(&app, "/v1/people/verify", verification.clone()).await;
        assert_eq!(status, StatusCode::OK, "{verified}");
        assert_eq!(verified["email_verified"], true);
        let (status, again) = public_post(&app, "/v1/people/verify", verification).await;
        assert_eq!(status, StatusCode::CONFLICT, "{again}");

        let (status, session) = login(&app, "BEA@example.com", "correct horse battery").await;
        assert_eq!(status, StatusCode::OK, "{session}");
        assert_eq!(session["email_verified"], true);
        let access = token(&session, "access_token");

        let (status, me) = app.get("/v1/people/me", &access).await;
        assert_eq!(status, StatusCode::OK, "{me}");
        assert_eq!(me["profile"]["skills"], json!(["photography"]));
        assert_eq!(me["reputation"]["trust_score"], 50);
        assert_eq!(me["reputation"]["level"], 1);

        // A task taken, done and approved with the access token.
        let agent = app.funded_agent("poster", 10_000).await;
        let task = app
            .post_task(
                &agent,
                json!({ "title": "Photograph the bakery", "reward_cents": 1_000 }),
            )
            .await;
        let (status, body) = app
            .post(&format!("/v1/tasks/{task}/accept"), &access, json!({}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = app
            .post(
                &format!("/v1/tasks/{task}/submissions"),
                &access,
                json!({ "proof": { "text": "photo attached" } }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let submission = body["submission_id"].as_str().unwrap().to_owned();
        let (status, body) = app
            .post(
                &format!("/v1/submissions/{submission}/approve"),
                &agent.key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let response = app
            .request(Method::GET, &format!("/v1/people/{id}/public"), None, None)
            .await;
        let (status, public) = read(response).await;
        assert_eq!(status, StatusCode::OK, "{public}");
        assert_eq!(public["trust_score"], 52);
        assert_eq!(public["completed"], 1);
        assert_eq!(public["badges"], json!(["first_task"]));
        assert_eq!(public["location"], "Lisbon");
        assert!(public.get("email").is_none(), "{public}");

        let (status, board) = app
            .get("/v1/people/leaderboard?by=earned&limit=5", &access)
            .await;
        assert_eq!(status, StatusCode::OK, "{board}");
        assert_eq!(board["data"][0]["id"], json!(id));
        assert_eq!(board["data"][0]["earned_cents"], 900);

        // The profile is the person's to replace.
        let response = app
            .client
            .put(app.url("/v1/people/me"))
            .bearer_auth(&access)
            .json(&json!({ "skills": ["spanish"], "preferences": { "radius_km": "5" } }))
            .send()
            .await
            .unwrap();
        let (status, profile) = read(response).await;
        assert_eq!(status, StatusCode::OK, "{profile}");
        assert_eq!(profile["skills"], json!(["spanish"]));

        // Refresh: a new pair; an access token is not a refresh token.
        let refresh = json!({ "refresh_token": session["refresh_token"] });
        let (status, renewed) = public_post(&app, "/v1/people/refresh", refresh.clone()).await;
        assert_eq!(status, StatusCode::OK, "{renewed}");
        let (status, _) = app
            .get("/v1/people/me", &token(&renewed, "access_token"))
            .await;
        assert_eq!(status, StatusCode::OK);
        let wrong_type = json!({ "refresh_token": access });
        let (status, body) = public_post(&app, "/v1/people/refresh", wrong_type).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["detail"], "this is not a refresh token");
        let (status, body) = app
            .get("/v1/people/me", &token(&session, "refresh_token"))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

        // Signing out everywhere ends every token issued before.
        let (status, body) = app.post("/v1/people/logout", &access, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = app.get("/v1/people/me", &access).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        let (status, _) = public_post(&app, "/v1/people/refresh", refresh).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        app.verify().await;
    }
);

both_backends!(
    a_duplicate_email_is_taken_and_logins_do_not_tell_who_exists,
    |app: TestApp| async move {
        let (status, _) = register(&app, "ada@example.com").await;
        assert_eq!(status, StatusCode::CREATED);
        let head = app.journal_head().await;
        let (status, body) = register(&app, "ADA@example.com").await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "email_taken");
        assert_eq!(app.journal_head().await, head);

        let (_, taken) = public_post(
            &app,
            "/v1/people/check-email",
            json!({ "email": "ada@example.com" }),
        )
        .await;
        assert_eq!(taken["available"], false);
        let (_, free) = public_post(
            &app,
            "/v1/people/check-email",
            json!({ "email": "eve@example.com" }),
        )
        .await;
        assert_eq!(free["available"], true);

        let (wrong_status, wrong) = login(&app, "ada@example.com", "not her password").await;
        let (unknown_status, unknown) = login(&app, "nobody@example.com", "not her password").await;
        assert_eq!(
            (wrong_status, unknown_status),
            (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
        );
        assert_eq!(wrong["detail"], unknown["detail"]);
        assert_eq!(wrong["code"], unknown["code"]);

        // Forged and malformed tokens.
        let (status, body) = app.get("/v1/people/me", "a.b.c").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["detail"], "invalid access token");
    }
);

both_backends!(
    a_banned_persons_token_is_refused_and_a_password_change_ends_old_tokens,
    |app: TestApp| async move {
        let (_, first) = register(&app, "cy@example.com").await;
        let id = first["actor_id"].as_str().unwrap().to_owned();
        let access = token(&first, "access_token");
        let change =
            json!({ "current_password": "wrong password!", "new_password": "another horse" });
        let (status, _) = app.post("/v1/people/password", &access, change).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let change =
            json!({ "current_password": "correct horse battery", "new_password": "another horse" });
        let (status, changed) = app.post("/v1/people/password", &access, change).await;
        assert_eq!(status, StatusCode::OK, "{changed}");
        let (status, _) = app.get("/v1/people/me", &access).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = login(&app, "cy@example.com", "correct horse battery").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, session) = login(&app, "cy@example.com", "another horse").await;
        assert_eq!(status, StatusCode::OK);
        let access = token(&session, "access_token");
        let (status, _) = app
            .get("/v1/people/me", &token(&changed, "access_token"))
            .await;
        assert_eq!(status, StatusCode::OK);

        let (status, body) = app
            .post(
                &format!("/v1/actors/{id}/ban"),
                &app.admin_key,
                json!({ "reason": "fraud" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = app.get("/v1/people/me", &access).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, _) = login(&app, "cy@example.com", "another horse").await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // The journal keeps the hashes; the events API shows none of them.
        let (status, page) = app
            .get("/v1/events?after=0&limit=1000", &app.admin_key)
            .await;
        assert_eq!(status, StatusCode::OK);
        let text = page.to_string();
        assert!(
            text.contains("PasswordSet") && text.contains("PasswordChanged"),
            "{text}"
        );
        assert!(
            !text.contains("$argon2"),
            "a password hash is shown: {text}"
        );
        let (status, stream) = app
            .get(&format!("/v1/streams/credentials-{id}"), &app.admin_key)
            .await;
        assert_eq!(status, StatusCode::OK, "{stream}");
        assert!(!stream.to_string().contains("$argon2"), "{stream}");
        assert_eq!(stream["state"]["password_hash"], "[redacted]");
        app.verify().await;
    }
);

/// Short lifetimes, so expiry can be watched.
async fn with_short_tokens(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |config| {
        config.access_token_ttl = Duration::from_secs(1);
        config.refresh_token_ttl = Duration::from_secs(3);
    })
    .await
}

async fn tokens_expire(app: TestApp) {
    let (status, session) = register(&app, "dee@example.com").await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    let access = token(&session, "access_token");
    let (status, _) = app.get("/v1/people/me", &access).await;
    assert_eq!(status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let (status, body) = app.get("/v1/people/me", &access).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(
        body["detail"],
        "the access token has expired; refresh it or log in again"
    );
    let refresh = json!({ "refresh_token": session["refresh_token"] });
    let (status, renewed) = public_post(&app, "/v1/people/refresh", refresh.clone()).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    // Expiry is checked in whole seconds: past the refresh token's 3 s by a second.
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    let (status, body) = public_post(&app, "/v1/people/refresh", refresh).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_expire_on_sqlite() {
    if let Some(app) = with_short_tokens(Backend::Sqlite).await {
        tokens_expire(app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_expire_on_postgres() {
    if let Some(app) = with_short_tokens(Backend::Postgres).await {
        tokens_expire(app).await;
    }
}
