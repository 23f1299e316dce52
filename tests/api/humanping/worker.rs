//! HumanPing's worker side end to end: register → verify → log in → the
//! feed → accept → proof (text, a data-URL photo, a multipart upload) →
//! the agent reads the photo back and approves → earnings and profile show
//! it; and who may call the worker side at all.

use super::*;
use crate::both_backends;
use crate::helpers::{spawn_app_with, Backend};
use base64::Engine;
use std::time::Duration;

pub const PASSWORD: &str = "correct horse battery";

/// A worker's registration, answered as it came.
pub async fn register_worker(app: &TestApp, name: &str, email: &str) -> (StatusCode, Value) {
    hp(
        app,
        Method::POST,
        "/worker/register",
        None,
        Some(json!({
            "name": name, "email": email, "password": PASSWORD,
            "skills": ["Verification", "photography"], "location": "Montreal, QC",
        })),
    )
    .await
}

/// The token of the verification "sent" to `email` (the sandbox mailbox).
pub async fn verification_token(app: &TestApp, email: &str) -> (String, String) {
    let (status, sent) = app
        .get(
            &format!("/v1/admin/email-verifications?email={email}"),
            &app.admin_key,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    (
        sent["token"].as_str().expect("token").to_owned(),
        sent["link"].as_str().expect("link").to_owned(),
    )
}

pub async fn login(app: &TestApp, email: &str) -> Value {
    let (status, session) = hp(
        app,
        Method::POST,
        "/worker/login",
        None,
        Some(json!({ "email": email, "password": PASSWORD })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{session}");
    session
}

/// A registered, verified, logged-in worker: their id and access token.
pub async fn verified_worker(app: &TestApp, name: &str) -> (String, String) {
    let email = format!("{}@workers.example.com", name.to_lowercase());
    let (status, body) = register_worker(app, name, &email).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (token, _) = verification_token(app, &email).await;
    let (status, body) = hp(
        app,
        Method::POST,
        "/worker/verify",
        None,
        Some(json!({ "token": token })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let session = login(app, &email).await;
    (
        body["worker"]["id"].as_str().expect("id").to_owned(),
        session["token"].as_str().expect("token").to_owned(),
    )
}

/// A multipart body with `text` and one file part, built by hand.
pub fn multipart(text: &str, media_type: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "errand-test-boundary-7d1f";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n{text}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"proof\"\r\n\
             Content-Type: {media_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A client that opens a connection per request. The server closes a connection after
/// answering a request whose body it did not read to the end (a refusal); a pooled
/// client may meanwhile have picked that connection for its next upload, which then
/// fails as an incomplete message instead of reaching the server.
pub fn unpooled_client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("a client")
}

pub async fn upload(
    app: &TestApp,
    token: &str,
    task_id: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let response = unpooled_client()
        .post(app.url(&format!("{API}/worker/tasks/{task_id}/proof")))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("sent");
    read(response).await
}

async fn proofs_seen_by_agent(app: &TestApp, agent: &Agent, task_id: &str) -> Vec<Value> {
    let (status, body) = hp(
        app,
        Method::GET,
        &format!("/tasks/{task_id}/proof"),
        Some(&agent.key),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["proofs"].as_array().expect("proofs").clone()
}

both_backends!(
    a_worker_registers_verifies_takes_work_hands_in_proof_and_is_paid,
    |app: TestApp| async move {
        let agent = register(&app, "Poster").await;
        deposit(&app, &agent, 10_000).await;
        // Older and matching nothing; then one matching skill and place.
        let elsewhere = post_task(&app, &agent, json!({
            "description": "How does this slogan feel?", "budget_cents": 500, "type": "gut_check",
        }))
        .await;
        let bakery = post_task(
            &app,
            &agent,
            json!({
                "description": "Verify this bakery is still open", "budget_cents": 1_000,
                "type": "verification", "proof_required": "photo",
                "context": { "location": "245 Rue St-Paul, Montreal" },
            }),
        )
        .await;

        let email = "bea@workers.example.com";
        let (status, body) = register_worker(&app, "Bea", email).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let worker_id = body["worker"]["id"].as_str().unwrap().to_owned();
        assert!(worker_id.starts_with("worker_"), "{body}");
        assert_eq!(body["worker"]["verified"], json!(false));
        assert_eq!(body["worker"]["location"], json!("Montreal, QC"));
        assert!(body["message"].as_str().unwrap().contains(email), "{body}");
        // The address registers once, whichever API asks.
        let (status, body) = register_worker(&app, "Bea again", email).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"], json!("This email is already registered."));

        // Logged in but unverified: no work.
        let session = login(&app, email).await;
        let unverified = session["token"].as_str().unwrap().to_owned();
        assert!(session["refresh_token"].is_string());
        assert_eq!(session["expires_in"], json!(15 * 60));
        let head = app.journal_head().await;
        let (status, body) = hp(
            &app,
            Method::POST,
            &format!("/worker/tasks/{bakery}/accept"),
            Some(&unverified),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"], json!("Email not verified."));
        assert_eq!(app.journal_head().await, head);

        // The link in the email verifies; a second use is a conflict.
        let (token, link) = verification_token(&app, email).await;
        assert!(
            link.ends_with(&format!("/humanping/api/v1/worker/verify?token={token}")),
            "{link}"
        );
        let (status, body) = hp(
            &app,
            Method::GET,
            &format!("/worker/verify?token={token}"),
            None,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["worker"]["verified"], json!(true));
        let (status, body) = hp(
            &app,
            Method::POST,
            "/worker/verify",
            None,
            Some(json!({ "token": token })),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");

        // A refreshed token works as well as the first.
        let (status, refreshed) = hp(
            &app,
            Method::POST,
            "/worker/refresh",
            None,
            Some(json!({ "refresh_token": session["refresh_token"] })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{refreshed}");
        let bea = refreshed["token"].as_str().unwrap().to_owned();
        assert_eq!(refreshed["worker"]["verified"], json!(true));

        // The feed: the matching task first, saying why.
        let (status, feed) = hp(&app, Method::GET, "/worker/feed", Some(&bea), None).await;
        assert_eq!(status, StatusCode::OK, "{feed}");
        assert_eq!(feed["total"], json!(2), "{feed}");
        assert_eq!(feed["tasks"][0]["id"], json!(bakery));
        assert_eq!(
            feed["tasks"][0]["match"],
            json!({ "skills": true, "location": true })
        );
        assert_eq!(feed["tasks"][0]["agent_id"], json!(agent.id));
        assert_eq!(feed["tasks"][0]["worker_payout_cents"], json!(820));
        assert_eq!(feed["tasks"][1]["id"], json!(elsewhere));
        assert_eq!(
            feed["tasks"][1]["match"],
            json!({ "skills": false, "location": false })
        );
        let (_, page) = hp(
            &app,
            Method::GET,
            "/worker/feed?limit=1&offset=1",
            Some(&bea),
            None,
        )
        .await;
        assert_eq!(page["tasks"].as_array().unwrap().len(), 1);
        assert_eq!(page["tasks"][0]["id"], json!(elsewhere));

        // Accept: the slot is Bea's, and the task leaves her feed.
        let (status, body) = hp(
            &app,
            Method::POST,
            &format!("/worker/tasks/{bakery}/accept"),
            Some(&bea),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["task"]["status"], json!("in_progress"));
        let (_, feed) = hp(&app, Method::GET, "/worker/feed", Some(&bea), None).await;
        assert_eq!(feed["total"], json!(1), "{feed}");
        // Taken already: a second accept is a conflict.
        let (status, body) = hp(
            &app,
            Method::POST,
            &format!("/worker/tasks/{bakery}/accept"),
            Some(&bea),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");

        // A photo as a data URL: stored aside, named in the proof, read back by the agent.
        let photo = format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(b"\x89PNG\r\n\x1a\nthe bakery door")
        );
        let (status, body) = hp(
            &app,
            Method::POST,
            &format!("/worker/tasks/{bakery}/proof"),
            Some(&bea),
            Some(json!({ "text": "Open, sign says 7 to 6", "photo": photo })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let attachment = body["proof"]["attachments"][0].clone();
        assert!(
            attachment["url"]
                .as_str()
                .unwrap()
                .starts_with("attachment:"),
            "{body}"
        );
        assert_eq!(attachment["media_type"], json!("image/png"));
        assert_eq!(body["task"]["status"], json!("proof_submitted"));
        let proofs = proofs_seen_by_agent(&app, &agent, &bakery).await;
        assert_eq!(proofs[0]["photos"], json!([photo]));
        assert_eq!(proofs[0]["worker_id"], json!(worker_id));
        // The journal holds the name, never the bytes.
        let (_, events) = app
            .get("/v1/events?after=0&limit=1000", &app.admin_key)
            .await;
        assert!(!events.to_string().contains("the bakery door"));
        assert!(!events.to_string().contains(&photo[22..]));

        // A multipart upload on the other task.
        let (status, body) = hp(
            &app,
            Method::POST,
            &format!("/worker/tasks/{elsewhere}/accept"),
            Some(&bea),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let jpeg = b"\xff\xd8\xff\xe0 a jpeg of the slogan";
        let (content_type, upload_body) = multipart("Feels pushy", "image/jpeg", jpeg);
        let (status, body) = upload(&app, &bea, &elsewhere, &content_type, upload_body).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["proof"]["text"], json!("Feels pushy"));
        let proofs = proofs_seen_by_agent(&app, &agent, &elsewhere).await;
        assert_eq!(
            proofs[0]["photos"],
            json!([format!(
                "data:image/jpeg;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(jpeg)
            )])
        );

        // The agent approves the bakery: $10.00 less 18 %.
        let (status, body) = hp(
            &app,
            Method::POST,
            &format!("/tasks/{bakery}/approve"),
            Some(&agent.key),
            Some(json!({})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let (status, earnings) = hp(&app, Method::GET, "/worker/earnings", Some(&bea), None).await;
        assert_eq!(status, StatusCode::OK, "{earnings}");
        for period in ["today", "this_week", "this_month", "all_time"] {
            assert_eq!(
                earnings["periods"][period]["total_cents"],
                json!(820),
                "{period}: {earnings}"
            );
            assert_eq!(
                earnings["periods"][period]["count"],
                json!(1),
                "{period}: {earnings}"
            );
        }
        assert_eq!(
            earnings["by_type"],
            json!([{ "type": "verification", "total_cents": 820, "count": 1 }])
        );
        assert_eq!(earnings["balance_cents"], json!(820));

        let (status, profile) = hp(&app, Method::GET, "/worker/profile", Some(&bea), None).await;
        assert_eq!(status, StatusCode::OK, "{profile}");
        let me = &profile["worker"];
        assert_eq!(
            (me["completed"].clone(), me["trust_score"].clone()),
            (json!(1), json!(52))
        );
        assert_eq!(me["badges"], json!(["first_task"]));
        assert_eq!(me["verified"], json!(true));
        assert_eq!(me["earned_cents"], json!(820));

        // Changing the profile keeps what was not sent.
        let (status, body) = hp(
            &app,
            Method::PUT,
            "/worker/profile",
            Some(&bea),
            Some(json!({ "preferences": { "radius_km": "5" } })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["worker"]["preferences"], json!({ "radius_km": "5" }));
        assert_eq!(
            body["worker"]["skills"],
            json!(["Verification", "photography"])
        );
        assert_eq!(body["worker"]["location"], json!("Montreal, QC"));

        // Anyone sees the public face; no email, no earnings.
        let (status, public) = hp(
            &app,
            Method::GET,
            &format!("/worker/{worker_id}/public"),
            None,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{public}");
        assert_eq!(public["worker"]["completed"], json!(1));
        assert!(
            public["worker"].get("email").is_none()
                && public["worker"].get("earned_cents").is_none()
        );

        let (status, board) = hp(
            &app,
            Method::GET,
            "/worker/leaderboard?by=earned",
            Some(&bea),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{board}");
        assert_eq!(board["rankings"][0]["worker_id"], json!(worker_id));
        assert_eq!(board["rankings"][0]["rank"], json!(1));
        assert_eq!(board["rankings"][0]["earned_cents"], json!(820));
        app.verify().await;
    }
);

both_backends!(
    a_consensus_proof_gives_its_result_apart_from_its_text,
    |app: TestApp| async move {
        let agent = register(&app, "Asker").await;
        deposit(&app, &agent, 5_000).await;
        let task = post_task(
            &app,
            &agent,
            json!({
                "description": "Is the pharmacy open?", "budget_cents": 500, "consensus_count": 2,
            }),
        )
        .await;
        for (name, text, result) in [
            ("Cy", "The lights are on and the door is unlocked", "Open"),
            ("Di", "Went in and bought aspirin", " open"),
        ] {
            let (_, token) = verified_worker(&app, name).await;
            let (status, body) = hp(
                &app,
                Method::POST,
                &format!("/worker/tasks/{task}/accept"),
                Some(&token),
                None,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            // A worker sees only their own proofs, never the others' answers.
            assert!(body["task"].get("consensus").is_none(), "{body}");
            assert_eq!(body["task"]["proofs"], json!([]));
            let (status, body) = hp(
                &app,
                Method::POST,
                &format!("/worker/tasks/{task}/proof"),
                Some(&token),
                Some(json!({ "text": text, "result": result })),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            assert_eq!(body["proof"]["result"], json!(result));
        }
        let (status, body) = hp(
            &app,
            Method::POST,
            &format!("/tasks/{task}/approve"),
            Some(&agent.key),
            Some(json!({})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["task"]["consensus"]["result"], json!("Open"));
        assert_eq!(body["task"]["status"], json!("completed"));
        app.verify().await;
    }
);

both_backends!(
    only_a_workers_login_token_opens_the_worker_side,
    |app: TestApp| async move {
        let agent = register(&app, "Keyholder").await;
        let head = app.journal_head().await;
        let (status, body) = hp(&app, Method::GET, "/worker/feed", None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert!(
            body["error"].as_str().unwrap().contains("/worker/login"),
            "{body}"
        );
        let (status, body) = hp(&app, Method::GET, "/worker/profile", Some("a.b.c"), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        // An agent's key names an agent: forbidden here.
        let (status, body) = hp(&app, Method::GET, "/worker/feed", Some(&agent.key), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let response = app
            .client
            .get(app.url(&format!("{API}/worker/earnings")))
            .header("x-api-key", &agent.key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        // An agent's owner with a password: a token, but not a worker's.
        let response = app
            .request(Method::POST, "/v1/people/register", None, Some(json!({
                "name": "Owner", "email": "owner@agents.example.com", "password": PASSWORD, "role": "agent",
            })))
            .await;
        let (status, session) = read(response).await;
        assert_eq!(status, StatusCode::CREATED, "{session}");
        let agent_token = session["access_token"].as_str().unwrap();
        let (status, body) = hp(&app, Method::GET, "/worker/feed", Some(agent_token), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, body) = hp(
            &app,
            Method::POST,
            "/worker/login",
            None,
            Some(json!({ "email": "owner@agents.example.com", "password": PASSWORD })),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        // Wrong password and unknown email: one answer.
        for email in ["owner@agents.example.com", "nobody@example.com"] {
            let (status, body) = hp(
                &app,
                Method::POST,
                "/worker/login",
                None,
                Some(json!({ "email": email, "password": "not the password" })),
            )
            .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
            assert_eq!(body["error"], json!("Invalid email or password."));
        }
        // Registering the owner appended; nothing else did.
        let (_, events) = app
            .get("/v1/events?after=0&limit=1000", &app.admin_key)
            .await;
        let appended = events["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["position"].as_i64().unwrap() > head)
            .count();
        assert!(appended > 0);
        assert!(
            events["data"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["position"].as_i64().unwrap() > head)
                .all(|e| e["metadata"]["command"] == json!("RegisterPerson")),
            "{events}"
        );
    }
);

async fn with_short_tokens(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |config| {
        config.access_token_ttl = Duration::from_secs(1);
    })
    .await
}

async fn an_expired_token_is_refused(app: TestApp) {
    let (_, token) = verified_worker(&app, "Eve").await;
    let (status, _) = hp(&app, Method::GET, "/worker/profile", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let (status, body) = hp(&app, Method::GET, "/worker/profile", Some(&token), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("expired"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_worker_token_is_refused_on_sqlite() {
    if let Some(app) = with_short_tokens(Backend::Sqlite).await {
        an_expired_token_is_refused(app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_worker_token_is_refused_on_postgres() {
    if let Some(app) = with_short_tokens(Backend::Postgres).await {
        an_expired_token_is_refused(app).await;
    }
}
