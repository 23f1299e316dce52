//! The seed's examples, replayed: each answers in the documented shape.

use super::*;
use crate::both_backends;

both_backends!(
    registration_gives_an_hp_live_key_and_three_free_tasks,
    |app: TestApp| async move {
        let (status, body) = hp(
            &app,
            Method::POST,
            "/agents/register",
            None,
            Some(json!({ "name": "ResearchBot", "email": "Bot@Example.com",
                     "webhook_url": "https://bot.example.com/hooks" })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let key = body["api_key"].as_str().unwrap();
        assert!(key.starts_with("hp_live_"), "{key}");
        assert!(body["agent"]["id"].as_str().unwrap().starts_with("agent_"));
        assert_eq!(body["agent"]["email"], json!("bot@example.com"));
        assert_eq!(
            body["agent"]["webhook_url"],
            json!("https://bot.example.com/hooks")
        );
        assert_eq!(
            body["free_tasks"],
            json!({ "remaining": 3, "cap_cents": 500 })
        );

        // Both header forms are the same key.
        let agent = Agent {
            id: String::new(),
            key: key.to_owned(),
        };
        let by_header = app
            .client
            .get(app.url(&format!("{API}/wallet")))
            .header("x-api-key", key)
            .send()
            .await
            .unwrap();
        let (status, wallet_by_header) = read(by_header).await;
        assert_eq!(status, StatusCode::OK, "{wallet_by_header}");
        assert_eq!(wallet_by_header, wallet(&app, &agent).await);
        assert_eq!(wallet_by_header["balance_cents"], json!(0));
        assert_eq!(wallet_by_header["balance_formatted"], json!("$0.00"));
        assert_eq!(wallet_by_header["free_tasks"]["remaining"], json!(3));
        app.verify().await;
    }
);

both_backends!(
    the_seeds_task_is_a_free_task_visible_in_the_native_api,
    |app: TestApp| async move {
        let agent = register(&app, "Scout").await;
        // The seed's curl example, verbatim.
        let (status, body) = hp(
            &app,
            Method::POST,
            "/tasks",
            Some(&agent.key),
            Some(json!({
                "description": "Verify this restaurant is still open at 245 Rue St-Paul",
                "budget_cents": 500, "type": "verification", "urgency": "urgent",
                "proof_required": "photo",
                "context": { "location": "245 Rue St-Paul, Montreal" }
            })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let task = &body["task"];
        let id = task["id"].as_str().unwrap();
        assert!(id.starts_with("task_"), "{id}");
        assert_eq!(task["agent_id"], json!(agent.id));
        assert_eq!(task["type"], json!("verification"));
        assert_eq!(task["status"], json!("pending"));
        assert_eq!(task["budget_cents"], json!(500));
        assert_eq!(task["urgency"], json!("urgent"));
        assert_eq!(task["proof_required"], json!("photo"));
        assert_eq!(
            task["context"]["location"],
            json!("245 Rue St-Paul, Montreal")
        );
        assert_eq!(task["worker_payout_cents"], json!(410));
        assert_eq!(task["commission_cents"], json!(90));
        assert!(task["created_at"].as_str().unwrap().ends_with('Z'));

        // Free: the promotion paid the escrow, the wallet paid nothing.
        let wallet = wallet(&app, &agent).await;
        assert_eq!(wallet["balance_cents"], json!(0));
        assert_eq!(wallet["held_cents"], json!(500));
        assert_eq!(wallet["free_tasks"]["remaining"], json!(2));
        assert_eq!(summary_total(&wallet, "free_task"), 500);
        assert_eq!(summary_total(&wallet, "escrow_lock"), 500);

        let (status, list) = hp(&app, Method::GET, "/tasks", Some(&agent.key), None).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["total"], json!(1));
        assert_eq!(list["limit"], json!(50));
        assert_eq!(list["offset"], json!(0));
        assert_eq!(list["tasks"][0]["id"], json!(id));
        assert_eq!(list["tasks"][0]["status"], json!("pending"));

        // One ledger: the native API sees the same task and its events.
        let native = app.task(&app.admin_key, &uuid_of(id)).await;
        assert_eq!(native["kind"], json!("verification"));
        let (status, events) = app
            .get("/v1/events?after=0&limit=100", &app.admin_key)
            .await;
        assert_eq!(status, StatusCode::OK, "{events}");
        let stream = format!("task-{}", uuid_of(id));
        let types: Vec<&str> = events["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["stream_id"] == json!(stream))
            .map(|e| e["type"].as_str().unwrap())
            .collect();
        assert_eq!(types, ["TaskPosted"]);
        app.verify().await;
    }
);

both_backends!(
    each_shorthand_posts_its_type_with_its_default_budget,
    |app: TestApp| async move {
        let agent = register(&app, "Shorty").await;
        deposit(&app, &agent, 20_000).await;
        let cases = [
            (
                "/verify",
                json!({ "question": "Is this coffee shop still open?",
            "location": "456 Oak Ave, Montreal", "proof": "photo", "budget_cents": 500 }),
                "verification",
                500,
                1,
            ),
            (
                "/call",
                json!({ "description": "Reserve a table for 2, Friday 7 PM",
            "number": "+1-514-555-1234", "script": "Ask for a table for 2 on Friday at 7 PM",
            "budget_cents": 1000 }),
                "voice_proxy",
                1000,
                1,
            ),
            (
                "/gut-check",
                json!({ "content": "Check out this dating profile...",
            "question": "Does this person seem trustworthy?", "scale": "1-10", "consensus": 3 }),
                "gut_check",
                300,
                3,
            ),
            (
                "/field",
                json!({ "description": "Photograph the storefront",
            "context": { "address": "1 Main St" } }),
                "field_mission",
                1500,
                1,
            ),
            (
                "/escalate",
                json!({ "description": "Call the customer and apologise" }),
                "empathy_escalation",
                2000,
                1,
            ),
            (
                "/vibe",
                json!({ "description": "Is this bar lively tonight?" }),
                "vibe_reader",
                800,
                1,
            ),
        ];
        for (path, body, kind, budget, workers) in cases {
            let (status, reply) = hp(&app, Method::POST, path, Some(&agent.key), Some(body)).await;
            assert_eq!(status, StatusCode::CREATED, "{path}: {reply}");
            assert_eq!(reply["task"]["type"], json!(kind), "{path}");
            assert_eq!(reply["task"]["budget_cents"], json!(budget), "{path}");
            assert_eq!(reply["task"]["consensus_count"], json!(workers), "{path}");
        }
        let (_, call) = hp(
            &app,
            Method::GET,
            "/tasks?type=voice_proxy",
            Some(&agent.key),
            None,
        )
        .await;
        assert_eq!(call["total"], json!(1));
        assert_eq!(
            call["tasks"][0]["context"]["number"],
            json!("+1-514-555-1234")
        );

        // Three of the six were free (up to $5.00 each): 500 + 500 + 500 of the 6,500 escrow.
        let wallet = wallet(&app, &agent).await;
        assert_eq!(wallet["free_tasks"]["remaining"], json!(0));
        assert_eq!(summary_total(&wallet, "free_task"), 1_500);
        assert_eq!(summary_total(&wallet, "deposit"), 20_000);
        assert_eq!(
            summary_total(&wallet, "escrow_lock"),
            500 + 1000 + 900 + 1500 + 2000 + 800
        );
        assert_eq!(wallet["balance_cents"], json!(20_000 + 1_500 - 6_700));

        let (status, stats) = hp(&app, Method::GET, "/stats", Some(&agent.key), None).await;
        assert_eq!(status, StatusCode::OK, "{stats}");
        assert_eq!(stats["tasks"]["total"], json!(6));
        assert_eq!(stats["tasks"]["by_status"]["pending"], json!(6));
        assert_eq!(stats["partner_count"], json!(0));
        assert_eq!(stats["spend_by_type"].as_array().unwrap().len(), 6);
        app.verify().await;
    }
);

// "409 Conflict — resource already exists (duplicate registration)": an
// address registers once, however it is spelled, and whichever API it used.
both_backends!(
    registering_an_email_twice_is_a_conflict_that_registers_no_one,
    |app: TestApp| async move {
        register(&app, "Once").await;
        let head = app.journal_head().await;
        let (status, body) = hp(
            &app,
            Method::POST,
            "/agents/register",
            None,
            Some(json!({ "name": "Twice", "email": " ONCE@agents.example.com" })),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(
            body,
            json!({ "error": "This email is already registered." })
        );
        let (status, _) = read(
            app.request(
                Method::POST,
                "/v1/people/register",
                None,
                Some(
                    json!({ "name": "Person", "email": "once@agents.example.com",
                             "password": "long enough" }),
                ),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(app.journal_head().await, head);
    }
);
