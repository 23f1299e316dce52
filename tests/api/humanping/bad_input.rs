//! Bad input on every HumanPing endpoint: refused with HumanPing's status
//! and envelope (`{"error": "…"}`, JSON, never problem+json or plain text),
//! and the journal head where it was.

use super::*;
use crate::both_backends;

enum Auth<'a> {
    None,
    Key(&'a str),
    Header(&'static str, &'a str),
}

struct Case<'a> {
    method: Method,
    path: String,
    auth: Auth<'a>,
    /// Raw bytes, sent as application/json.
    body: Option<String>,
    status: StatusCode,
}

fn case<'a>(
    method: Method,
    path: &str,
    auth: Auth<'a>,
    body: Option<&str>,
    status: StatusCode,
) -> Case<'a> {
    Case {
        method,
        path: path.to_owned(),
        auth,
        body: body.map(str::to_owned),
        status,
    }
}

async fn send(app: &TestApp, case: &Case<'_>) -> (StatusCode, Option<String>, Value) {
    let mut request = app
        .client
        .request(case.method.clone(), app.url(&format!("{API}{}", case.path)));
    match case.auth {
        Auth::None => {}
        Auth::Key(key) => request = request.bearer_auth(key),
        Auth::Header(name, value) => request = request.header(name, value),
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

both_backends!(
    every_endpoint_refuses_bad_input_in_the_envelope_and_changes_nothing,
    |app: TestApp| async move {
        let agent = register(&app, "Careful").await;
        let other = register(&app, "Other").await;
        deposit(&app, &agent, 1_000).await;
        let mine = post_task(
            &app,
            &agent,
            json!({ "description": "Mine", "budget_cents": 500 }),
        )
        .await;
        let theirs = post_task(
            &app,
            &other,
            json!({ "description": "Theirs", "budget_cents": 500 }),
        )
        .await;
        let human = app.actor("human", "Hugh").await;
        let long = format!(
            r#"{{"description": "{}", "budget_cents": 500}}"#,
            "x".repeat(5_001)
        );
        let big_context = format!(
            r#"{{"description": "d", "budget_cents": 500, "context": {{"note": "{}"}}}}"#,
            "x".repeat(9_000)
        );
        let too_long = "x".repeat(300);
        let unknown = "task_0190aaaaaaaa7aaa8aaaaaaaaaaaaaaa";
        use StatusCode as S;
        let k = || Auth::Key(&agent.key);
        let cases = vec![
            // POST /tasks: shape, types, bounds.
            case(Method::POST, "/tasks", k(), Some("{"), S::BAD_REQUEST),
            case(Method::POST, "/tasks", k(), Some("[500]"), S::BAD_REQUEST),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": "d"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"budget_cents": 500}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": "d", "budget_cents": 500, "budget": 5}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": "d", "budget_cents": "500"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": 5, "budget_cents": 500}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": "d", "budget_cents": 1e30}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": "d", "budget_cents": 99999999999999999999}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": "d", "budget_cents": 9000000000000000}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": "d", "budget_cents": 0}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": "d", "budget_cents": -5}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": "  ", "budget_cents": 500}"#),
                S::BAD_REQUEST,
            ),
            case(Method::POST, "/tasks", k(), Some(&long), S::BAD_REQUEST),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": "d", "budget_cents": 500, "type": "robot"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": "d", "budget_cents": 500, "urgency": "asap"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": "d", "budget_cents": 500, "proof_required": "smell"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": "d", "budget_cents": 500, "deadline": "yesterday"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(
                    r#"{"description": "d", "budget_cents": 500, "deadline": "2020-01-01T00:00:00Z"}"#,
                ),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": "d", "budget_cents": 500, "deadline": 30}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": "d", "budget_cents": 500, "context": "x"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(&big_context),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": "d", "budget_cents": 100, "consensus_count": 501}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": "d", "budget_cents": 100, "consensus_count": 0}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": "d", "budget_cents": 100, "consensus_count": -1}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(
                    r#"{"description": "d", "budget_cents": 500, "callback_url": "ftp://x.example"}"#,
                ),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": "a\u0000b", "budget_cents": 500}"#),
                S::BAD_REQUEST,
            ),
            // Keys.
            case(
                Method::POST,
                "/tasks",
                Auth::None,
                Some(r#"{"description": "d", "budget_cents": 500}"#),
                S::UNAUTHORIZED,
            ),
            case(
                Method::POST,
                "/tasks",
                Auth::Key("hp_live_nope"),
                Some(r#"{"description": "d", "budget_cents": 500}"#),
                S::UNAUTHORIZED,
            ),
            case(
                Method::POST,
                "/tasks",
                Auth::Header("authorization", "Basic abc"),
                Some(r#"{"description": "d", "budget_cents": 500}"#),
                S::UNAUTHORIZED,
            ),
            case(
                Method::POST,
                "/tasks",
                Auth::Header("x-api-key", "hp_live_nope"),
                Some(r#"{"description": "d", "budget_cents": 500}"#),
                S::UNAUTHORIZED,
            ),
            case(Method::GET, "/wallet", Auth::None, None, S::UNAUTHORIZED),
            case(
                Method::GET,
                "/stats",
                Auth::Key(&too_long),
                None,
                S::UNAUTHORIZED,
            ),
            case(
                Method::POST,
                "/tasks",
                Auth::Key(&human.key),
                Some(r#"{"description": "d", "budget_cents": 500}"#),
                S::FORBIDDEN,
            ),
            // Money.
            case(
                Method::POST,
                "/tasks",
                k(),
                Some(r#"{"description": "d", "budget_cents": 100000}"#),
                S::PAYMENT_REQUIRED,
            ),
            // GET /tasks.
            case(
                Method::GET,
                "/tasks?status=weird",
                k(),
                None,
                S::BAD_REQUEST,
            ),
            case(Method::GET, "/tasks?type=robot", k(), None, S::BAD_REQUEST),
            case(Method::GET, "/tasks?limit=0", k(), None, S::BAD_REQUEST),
            case(Method::GET, "/tasks?limit=101", k(), None, S::BAD_REQUEST),
            case(Method::GET, "/tasks?limit=x", k(), None, S::BAD_REQUEST),
            case(Method::GET, "/tasks?offset=-1", k(), None, S::BAD_REQUEST),
            case(
                Method::GET,
                "/tasks?offset=99999999999999999999",
                k(),
                None,
                S::BAD_REQUEST,
            ),
            case(Method::GET, "/tasks?page=2", k(), None, S::BAD_REQUEST),
            // Ids: malformed, unknown, another agent's.
            case(Method::GET, "/tasks/task_nothex", k(), None, S::NOT_FOUND),
            case(
                Method::GET,
                &format!("/tasks/{unknown}"),
                k(),
                None,
                S::NOT_FOUND,
            ),
            case(
                Method::GET,
                &format!("/tasks/{theirs}"),
                k(),
                None,
                S::NOT_FOUND,
            ),
            case(
                Method::GET,
                &format!("/tasks/{theirs}/proof"),
                k(),
                None,
                S::NOT_FOUND,
            ),
            case(
                Method::POST,
                &format!("/tasks/{theirs}/approve"),
                k(),
                Some("{}"),
                S::NOT_FOUND,
            ),
            case(
                Method::POST,
                &format!("/tasks/{theirs}/dispute"),
                k(),
                Some(r#"{"reason": "no"}"#),
                S::NOT_FOUND,
            ),
            case(
                Method::POST,
                &format!("/tasks/{unknown}/approve"),
                k(),
                Some("{}"),
                S::NOT_FOUND,
            ),
            // Approve and dispute.
            case(
                Method::POST,
                &format!("/tasks/{mine}/approve"),
                k(),
                Some("{}"),
                S::CONFLICT,
            ),
            case(
                Method::POST,
                &format!("/tasks/{mine}/approve"),
                k(),
                Some(r#"{"override_result": 5}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                &format!("/tasks/{mine}/approve"),
                k(),
                Some(r#"{"result": "x"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                &format!("/tasks/{mine}/approve"),
                k(),
                Some("{"),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                &format!("/tasks/{mine}/dispute"),
                k(),
                Some(r#"{"reason": 5}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                &format!("/tasks/{mine}/dispute"),
                k(),
                Some(r#"{"reason": "bad"}"#),
                S::CONFLICT,
            ),
            case(
                Method::POST,
                &format!("/tasks/{mine}/dispute"),
                Auth::None,
                Some(r#"{"reason": "bad"}"#),
                S::UNAUTHORIZED,
            ),
            // Payouts: nothing approved yet, another's task, a body field it does not take.
            case(
                Method::POST,
                &format!("/tasks/{mine}/payout"),
                k(),
                Some("{}"),
                S::CONFLICT,
            ),
            case(
                Method::POST,
                &format!("/tasks/{theirs}/payout"),
                k(),
                Some("{}"),
                S::NOT_FOUND,
            ),
            case(
                Method::POST,
                &format!("/tasks/{mine}/payout"),
                k(),
                Some(r#"{"amount_cents": 5}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                &format!("/tasks/{mine}/payout"),
                Auth::None,
                Some("{}"),
                S::UNAUTHORIZED,
            ),
            // Shorthands.
            case(Method::POST, "/verify", k(), Some("{}"), S::BAD_REQUEST),
            case(
                Method::POST,
                "/verify",
                k(),
                Some(r#"{"question": "q", "proof": "smell"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/call",
                k(),
                Some(r#"{"description": "d"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/gut-check",
                k(),
                Some(r#"{"content": "c", "question": "q", "consensus": -1}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/gut-check",
                k(),
                Some(r#"{"content": "c", "question": "q", "consensus": 1000}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/field",
                k(),
                Some(r#"{"description": ""}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/escalate",
                k(),
                Some(r#"{"description": "d", "tone": "warm"}"#),
                S::BAD_REQUEST,
            ),
            case(Method::POST, "/vibe", k(), Some("nope"), S::BAD_REQUEST),
            case(
                Method::POST,
                "/vibe",
                Auth::None,
                Some(r#"{"description": "d"}"#),
                S::UNAUTHORIZED,
            ),
            // Wallet.
            case(
                Method::POST,
                "/wallet/deposit",
                k(),
                Some(r#"{"amount_cents": 499}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/wallet/deposit",
                k(),
                Some(r#"{"amount_cents": "5000"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/wallet/deposit",
                k(),
                Some(r#"{"amount_cents": 1e40}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/wallet/deposit",
                k(),
                Some(r#"{}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/wallet/deposit",
                Auth::None,
                Some(r#"{"amount_cents": 5000}"#),
                S::UNAUTHORIZED,
            ),
            // Registration.
            case(
                Method::POST,
                "/agents/register",
                Auth::None,
                Some(r#"{"name": "n"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/agents/register",
                Auth::None,
                Some(r#"{"name": "n", "email": "not-an-email"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/agents/register",
                Auth::None,
                Some(r#"{"name": "", "email": "a@b.example"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/agents/register",
                Auth::None,
                Some(r#"{"name": "n", "email": "a@b.example", "webhook_url": "nope"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/agents/register",
                Auth::None,
                Some(r#"{"name": "n", "email": "a@b.example", "role": "admin"}"#),
                S::BAD_REQUEST,
            ),
            case(
                Method::POST,
                "/agents/register",
                Auth::None,
                Some(r#"{"name": ["n"], "email": "a@b.example"}"#),
                S::BAD_REQUEST,
            ),
            // Routes.
            case(Method::GET, "/nope", k(), None, S::NOT_FOUND),
            case(Method::DELETE, "/tasks", k(), None, S::METHOD_NOT_ALLOWED),
        ];
        for case in &cases {
            let head = app.journal_head().await;
            let (status, content_type, body) = send(&app, case).await;
            let what = format!(
                "{} {} {:?}",
                case.method,
                case.path,
                case.body.as_deref().map(|b| &b[..b.len().min(80)])
            );
            assert_eq!(status, case.status, "{what}: {body}");
            assert_eq!(
                content_type.as_deref(),
                Some("application/json"),
                "{what}: {body}"
            );
            assert!(
                body["error"].as_str().is_some_and(|e| !e.is_empty()),
                "{what}: {body}"
            );
            assert_eq!(app.journal_head().await, head, "{what} changed the journal");
        }

        // 402 says how much there is and where to deposit.
        let (status, body) = hp(
            &app,
            Method::POST,
            "/tasks",
            Some(&agent.key),
            Some(json!({ "description": "d", "budget_cents": 100_000 })),
        )
        .await;
        assert_eq!(status, StatusCode::PAYMENT_REQUIRED);
        assert_eq!(body["error"], json!("Insufficient funds."));
        // The wallet's own balance: 1,000 deposited, 500 of which escrowed less
        // the free task that paid it; the next free task would pay 500 of the rest.
        assert_eq!(body["balance_cents"], json!(1_000));
        assert_eq!(body["needed_cents"], json!(100_000 - 500));
        assert_eq!(
            body["deposit_url"],
            json!("/humanping/api/v1/wallet/deposit")
        );
        // A refused post spends no free task.
        assert_eq!(
            wallet(&app, &agent).await["free_tasks"]["remaining"],
            json!(2)
        );
        app.verify().await;
    }
);
