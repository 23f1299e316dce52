//! Bad input on every worker endpoint: refused with HumanPing's status and
//! envelope (`{"error": "…"}` as JSON), and the journal head where it was.

use super::worker::{multipart, unpooled_client, upload, verified_worker, PASSWORD};
use super::*;
use crate::both_backends;

struct Case {
    method: Method,
    path: String,
    token: Option<String>,
    /// Raw bytes, sent as application/json.
    body: Option<String>,
    status: StatusCode,
}

fn case(
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
    status: StatusCode,
) -> Case {
    Case {
        method,
        path: path.to_owned(),
        token: token.map(str::to_owned),
        body: body.map(str::to_owned),
        status,
    }
}

async fn send(app: &TestApp, case: &Case) -> (StatusCode, Option<String>, Value) {
    let mut request = app
        .client
        .request(case.method.clone(), app.url(&format!("{API}{}", case.path)));
    if let Some(token) = &case.token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = &case.body {
        request = request
            .header("content-type", "application/json")
            .body(body.clone());
    }
    let response = request.send().await.expect("sent");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (status, body) = read(response).await;
    (status, content_type, body)
}

fn assert_refused(
    what: &str,
    status: StatusCode,
    expected: StatusCode,
    content_type: Option<&str>,
    body: &Value,
) {
    assert_eq!(status, expected, "{what}: {body}");
    assert_eq!(content_type, Some("application/json"), "{what}: {body}");
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{what}: {body}"
    );
}

both_backends!(
    every_worker_endpoint_refuses_bad_input_in_the_envelope_and_changes_nothing,
    |app: TestApp| async move {
        let agent = register(&app, "Careful").await;
        deposit(&app, &agent, 2_000).await;
        let task = post_task(
            &app,
            &agent,
            json!({ "description": "Look", "budget_cents": 500 }),
        )
        .await;
        let untaken = post_task(
            &app,
            &agent,
            json!({ "description": "Later", "budget_cents": 500 }),
        )
        .await;
        let (_, token) = verified_worker(&app, "Wanda").await;
        let (status, body) = hp(
            &app,
            Method::POST,
            &format!("/worker/tasks/{task}/accept"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let t = Some(token.as_str());
        let agent_as_worker = format!(
            "/worker/worker_{}/public",
            agent.id.trim_start_matches("agent_")
        );
        let proof = format!("/worker/tasks/{task}/proof");
        let unknown = "task_0190aaaaaaaa7aaa8aaaaaaaaaaaaaaa";
        use StatusCode as S;
        let cases = vec![
            // Registering.
            case(
                Method::POST,
                "/worker/register",
                None,
                Some("{"),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/worker/register",
                None,
                Some(r#"{"name": "n", "email": "n@example.com"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/worker/register",
                None,
                Some(r#"{"name": "n", "email": "n@example.com", "password": "short"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/worker/register",
                None,
                Some(r#"{"name": "n", "email": "not an email", "password": "long enough"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/worker/register",
                None,
                Some(r#"{"name": " ", "email": "n@example.com", "password": "long enough"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/worker/register",
                None,
                Some(
                    r#"{"name": "n", "email": "n@example.com", "password": "long enough", "skills": "all"}"#,
                ),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/worker/register",
                None,
                Some(
                    r#"{"name": "n", "email": "n@example.com", "password": "long enough", "location": 5}"#,
                ),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/worker/register",
                None,
                Some(
                    r#"{"name": "n", "email": "n@example.com", "password": "long enough", "role": "admin"}"#,
                ),
                S::BAD_REQUEST,
            ),
            // Verifying.
            case(
                Method::POST,
                "/worker/verify",
                None,
                Some(r#"{"token": "evt_nope"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/worker/verify",
                None,
                Some(r#"{}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::GET,
                "/worker/verify?token=evt_nope",
                None,
                None,
                S::BAD_REQUEST,
            ),
            case(Method::GET, "/worker/verify", None, None, S::BAD_REQUEST),
            // Logging in, refreshing.
            case(
                Method::POST,
                "/worker/login",
                None,
                Some(r#"{"email": "wanda@workers.example.com"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/worker/login",
                None,
                Some(r#"{"email": "wanda@workers.example.com", "password": "wrong password"}"#),
                S::UNAUTHORIZED,
            ),
            case(
                Method::POST,
                "/worker/login",
                None,
                Some(&format!(
                    r#"{{"email": "wanda@workers.example.com", "password": "{PASSWORD}", "mode": "test"}}"#
                )),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/worker/refresh",
                None,
                Some(r#"{"refresh_token": "x.y.z"}"#),
                S::UNAUTHORIZED,
            ),
            case(
                Method::POST,
                "/worker/refresh",
                None,
                Some(&format!(r#"{{"refresh_token": "{token}"}}"#)),
                S::UNAUTHORIZED,
            ),
            // The feed.
            case(Method::GET, "/worker/feed?limit=0", t, None, S::BAD_REQUEST),
            case(
                Method::GET,
                "/worker/feed?limit=abc",
                t,
                None,
                S::BAD_REQUEST,
            ),
            case(
                Method::GET,
                "/worker/feed?offset=-1",
                t,
                None,
                S::BAD_REQUEST,
            ),
            case(
                Method::GET,
                "/worker/feed?near=here",
                t,
                None,
                S::BAD_REQUEST,
            ),
            // Accepting.
            case(
                Method::POST,
                "/worker/tasks/task_nope/accept",
                t,
                None,
                S::NOT_FOUND,
            ),
            case(
                Method::POST,
                &format!("/worker/tasks/{unknown}/accept"),
                t,
                None,
                S::NOT_FOUND,
            ),
            case(
                Method::POST,
                &format!("/worker/tasks/{untaken}/accept"),
                t,
                Some(r#"{"slot": 2}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                &format!("/worker/tasks/{task}/accept"),
                t,
                None,
                S::CONFLICT,
            ),
            // Proofs.
            case(Method::POST, &proof, t, Some("{"), S::BAD_REQUEST),
            case(
                Method::POST,
                "/worker/stripe/connect",
                None,
                None,
                S::UNAUTHORIZED,
            ),
            case(
                Method::POST,
                "/worker/stripe/connect",
                t,
                Some("{"),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/worker/stripe/connect",
                t,
                Some(r#"{"country": "CA"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/worker/stripe/dashboard",
                t,
                Some("[]"),
                S::BAD_REQUEST,
            ),
            // No account connected yet: no dashboard to link to.
            case(
                Method::POST,
                "/worker/stripe/dashboard",
                t,
                None,
                S::CONFLICT,
            ),
            case(
                Method::GET,
                "/worker/stripe/status",
                None,
                None,
                S::UNAUTHORIZED,
            ),
            case(Method::POST, &proof, t, Some("{}"), S::BAD_REQUEST),
            case(
                Method::POST,
                &proof,
                t,
                Some(r#"{"text": "  "}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                &proof,
                t,
                Some(r#"{"text": "x", "result": " "}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                &proof,
                t,
                Some(r#"{"text": "x", "photo": "https://example.com/a.jpg"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                &proof,
                t,
                Some(r#"{"photo": "data:image/png;base64,***"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                &proof,
                t,
                Some(r#"{"photo": "data:video/mp4;base64,AAAA"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                &proof,
                t,
                Some(r#"{"photo": "data:image/png;base64,"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                &proof,
                t,
                Some(
                    r#"{"photo": "data:image/png;base64,AAAA", "audio": "data:audio/mpeg;base64,AAAA"}"#,
                ),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                &proof,
                t,
                Some(r#"{"text": "x", "pdf": "data:application/pdf;base64,AAAA"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                &format!("/worker/tasks/{untaken}/proof"),
                t,
                Some(r#"{"text": "x"}"#),
                S::FORBIDDEN,
            ),
            case(
                Method::POST,
                &format!("/worker/tasks/{unknown}/proof"),
                t,
                Some(r#"{"text": "x"}"#),
                S::NOT_FOUND,
            ),
            // The profile.
            case(
                Method::PUT,
                "/worker/profile",
                t,
                Some("{}"),
                S::BAD_REQUEST,
            ),
            case(
                Method::PUT,
                "/worker/profile",
                t,
                Some(r#"{"skills": "x"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::PUT,
                "/worker/profile",
                t,
                Some(r#"{"skills": [""]}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::PUT,
                "/worker/profile",
                t,
                Some(r#"{"location": {"text": "x", "lat": 200, "lon": 0}}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::PUT,
                "/worker/profile",
                t,
                Some(r#"{"trust_score": 100}"#),
                S::BAD_REQUEST,
            ),
            // Leaderboard, public profiles.
            case(
                Method::GET,
                "/worker/leaderboard?by=luck",
                t,
                None,
                S::BAD_REQUEST,
            ),
            case(
                Method::GET,
                "/worker/leaderboard?limit=0",
                t,
                None,
                S::BAD_REQUEST,
            ),
            case(Method::GET, "/worker/nope/public", None, None, S::NOT_FOUND),
            case(Method::GET, &agent_as_worker, None, None, S::NOT_FOUND),
            case(
                Method::DELETE,
                "/worker/profile",
                t,
                None,
                S::METHOD_NOT_ALLOWED,
            ),
        ];
        for case in &cases {
            let head = app.journal_head().await;
            let (status, content_type, body) = send(&app, case).await;
            let what = format!("{} {} {:?}", case.method, case.path, case.body);
            assert_refused(&what, status, case.status, content_type.as_deref(), &body);
            assert_eq!(app.journal_head().await, head, "{what} changed the journal");
        }

        // Oversized: a file over 10 MiB, and a body over the route's 14 MiB.
        let head = app.journal_head().await;
        let (content_type, body) =
            multipart("big", "image/jpeg", &vec![0xff; 10 * 1024 * 1024 + 1]);
        let (status, refusal) = upload(&app, &token, &task, &content_type, body).await;
        assert_refused(
            "an 11 MiB upload",
            status,
            StatusCode::PAYLOAD_TOO_LARGE,
            Some("application/json"),
            &refusal,
        );
        // Its Content-Length alone refuses it, so the server may answer and close while
        // the client is still writing: then the client sees the connection closed, not
        // the 413. Either way nothing is recorded.
        let huge = format!(r#"{{"text": "{}"}}"#, "x".repeat(15 * 1024 * 1024));
        let sent = unpooled_client()
            .post(app.url(&format!("{API}/worker/tasks/{task}/proof")))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(huge.into_bytes())
            .send()
            .await;
        match sent {
            Ok(response) => {
                let (status, refusal) = read(response).await;
                assert_refused(
                    "a 15 MiB body",
                    status,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    Some("application/json"),
                    &refusal,
                );
            }
            Err(error) => assert!(error.is_request(), "a 15 MiB body: {error:?}"),
        }
        // A multipart part that is neither text nor a file of a proof's kinds.
        let (content_type, body) = multipart("x", "application/pdf", b"%PDF-1.4");
        let (status, refusal) = upload(&app, &token, &task, &content_type, body).await;
        assert_refused(
            "a PDF",
            status,
            StatusCode::BAD_REQUEST,
            Some("application/json"),
            &refusal,
        );
        assert_eq!(
            app.journal_head().await,
            head,
            "an oversized upload changed the journal"
        );
        app.verify().await;
    }
);
