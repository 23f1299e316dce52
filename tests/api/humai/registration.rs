//! `POST /agents-quick-start` and `POST /actors-register`: the seed's
//! examples, their replies, their refusals, and the per-address limit.

use super::*;
use crate::both_backends;

both_backends!(
    quick_start_with_the_seeds_example_makes_a_founding_agent_with_128_rc,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (status, body) = hm(
            &app,
            Method::POST,
            "/agents-quick-start",
            None,
            Some(json!({
              "display_name": "ResearchBot",
              "capability_tags": ["data:extraction", "research:analysis"],
              "framework": "langgraph"
            })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert!(
            body["api_key"].as_str().unwrap().starts_with("hm_"),
            "{body}"
        );
        assert_eq!(body["rc_balance"], 128);
        assert_eq!(body["tier"], 0);
        assert_eq!(body["is_founding"], true);
        assert!(!body["referral_code"].as_str().unwrap().is_empty());
        let actor_id = body["actor_id"].as_str().unwrap();
        let key = body["api_key"].as_str().unwrap();

        let profile = profile_of(&app, actor_id).await;
        assert_eq!(profile["id"], actor_id);
        assert_eq!(profile["type"], "delegated_agent");
        assert_eq!(profile["display_name"], "ResearchBot");
        assert_eq!(profile["rc_balance"], 128);
        assert_eq!(profile["tier"], 0);
        assert_eq!(profile["is_founding"], true);
        assert_eq!(profile["tasks_completed"], 0);
        assert_eq!(profile["acceptance_rate"], Value::Null);
        assert_eq!(
            profile["capability_tags"],
            json!(["data:extraction", "research:analysis"])
        );
        assert!(profile["created_at"].as_str().unwrap().ends_with('Z'));

        let (status, beat) = hm(&app, Method::POST, "/agents-heartbeat", Some(key), None).await;
        assert_eq!(status, StatusCode::OK, "{beat}");
        assert_eq!(beat["rc_balance"], 128);
        assert_eq!(beat["tier"], 0);
        assert_eq!(beat["active_transactions"], 0);
        assert_eq!(beat["pending_notifications"], 0);
        assert_eq!(beat["credit_tasks_available"], 0);
        assert_eq!(beat["subscriptions_active"], 0);

        let (status, genesis) = hm(&app, Method::GET, "/genesis-status", None, None).await;
        assert_eq!(status, StatusCode::OK, "{genesis}");
        assert_eq!(
            genesis,
            json!({ "slots_total": 1000, "slots_remaining": 999, "current_tier": 0, "credit_amount": 128 })
        );
        // The grant is money in the ledger: the audit finds every posting balanced.
        app.verify().await;
    }
);

both_backends!(
    actors_register_takes_the_seeds_agent_and_a_human_with_a_real_referral_code,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (status, agent) = hm(
            &app,
            Method::POST,
            "/actors-register",
            None,
            Some(json!({
              "type": "delegated_agent",
              "display_name": "DataBot v3",
              "owner_wallet": "0x742d35Cc6634C0532925a3b844Bc9e7595f2bD18",
              "agent_address": "0x8ba1f109551bD432803012645Ac136ddd64DBA72",
              "capability_tags": ["data:extraction", "data:analysis"],
              "framework": "openclaw"
            })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{agent}");
        assert_eq!(agent["is_founding"], true);
        assert_eq!(agent["rc_balance"], 128);
        assert!(agent["api_key"].as_str().unwrap().starts_with("hm_"));

        // The seed's human example verbatim: its code "3f8a1b" names no one here.
        let seed_human = json!({
          "type": "human",
          "display_name": "Alice Smith",
          "email": "alice@example.com",
          "referral_code": "3f8a1b"
        });
        let head = app.journal_head().await;
        let (status, body) = hm(
            &app,
            Method::POST,
            "/actors-register",
            None,
            Some(seed_human.clone()),
        )
        .await;
        refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
        assert_eq!(
            app.journal_head().await,
            head,
            "a refused registration appends nothing"
        );

        let mut human = seed_human;
        human["referral_code"] = agent["referral_code"].clone();
        let (status, alice) = hm(
            &app,
            Method::POST,
            "/actors-register",
            None,
            Some(human.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{alice}");
        assert_eq!(alice["is_founding"], true);
        let profile = profile_of(&app, alice["actor_id"].as_str().unwrap()).await;
        assert_eq!(profile["type"], "human");
        assert_eq!(profile["display_name"], "Alice Smith");

        // An address registers once, whichever API claimed it.
        let head = app.journal_head().await;
        human["display_name"] = json!("Alice Again");
        human.as_object_mut().unwrap().remove("referral_code");
        let (status, body) = hm(&app, Method::POST, "/actors-register", None, Some(human)).await;
        refused(status, &body, StatusCode::CONFLICT, "conflict");
        assert_eq!(app.journal_head().await, head);
        app.verify().await;
    }
);

both_backends!(
    bad_registrations_are_validation_errors_and_append_nothing,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let head = app.journal_head().await;
        let long_name = "x".repeat(101);
        let cases = [
            ("/agents-quick-start", json!({})),
            ("/agents-quick-start", json!({ "display_name": "" })),
            ("/agents-quick-start", json!({ "display_name": long_name })),
            (
                "/agents-quick-start",
                json!({ "display_name": "Bot", "framework": "autogen" }),
            ),
            (
                "/agents-quick-start",
                json!({ "display_name": "Bot", "capability_tags": ["two words"] }),
            ),
            (
                "/agents-quick-start",
                json!({ "display_name": "Bot", "owner": "me" }),
            ),
            ("/agents-quick-start", json!({ "display_name": 7 })),
            (
                "/actors-register",
                json!({ "type": "robot", "display_name": "R" }),
            ),
            (
                "/actors-register",
                json!({ "type": "human", "display_name": "No Mail" }),
            ),
            (
                "/actors-register",
                json!({ "type": "human", "display_name": "Bad Mail", "email": "nope" }),
            ),
            (
                "/actors-register",
                json!({ "type": "delegated_agent", "display_name": "No Wallet",
                        "agent_address": "0x8ba1f109551bD432803012645Ac136ddd64DBA72" }),
            ),
            (
                "/actors-register",
                json!({ "type": "delegated_agent", "display_name": "Short Wallet",
                        "owner_wallet": "0x742d35", "agent_address": "0x8ba1f109551bD432803012645Ac136ddd64DBA72" }),
            ),
        ];
        for (path, body) in cases {
            let (status, reply) = hm(&app, Method::POST, path, None, Some(body.clone())).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {body}: {reply}");
            assert_eq!(reply["code"], "validation_error", "{path} {body}: {reply}");
        }
        let response = app
            .client
            .post(app.url("/humai/agents-quick-start"))
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .expect("sent");
        let (status, reply) = read(response).await;
        refused(status, &reply, StatusCode::BAD_REQUEST, "validation_error");
        assert_eq!(app.journal_head().await, head);
    }
);

both_backends!(
    a_sixth_registration_from_one_address_in_a_day_is_rate_limited,
    |app: TestApp| async move {
        for n in 0..5 {
            quick_start(&app, &format!("Bot {n}"), json!([])).await;
        }
        let head = app.journal_head().await;
        let (status, body) = hm(
            &app,
            Method::POST,
            "/actors-register",
            None,
            Some(json!({ "type": "human", "display_name": "Sixth", "email": "sixth@example.com" })),
        )
        .await;
        refused(status, &body, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
        assert_eq!(app.journal_head().await, head);
        // Another key does not buy another budget: registrations count per address.
        let (status, body) = hm(
            &app,
            Method::POST,
            "/agents-quick-start",
            Some("hm_live_invented"),
            Some(json!({ "display_name": "Seventh" })),
        )
        .await;
        refused(status, &body, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
        // Reads are not registrations.
        let (status, _) = hm(&app, Method::GET, "/genesis-status", None, None).await;
        assert_eq!(status, StatusCode::OK);
    }
);

both_backends!(
    a_missing_foreign_or_unknown_key_is_401_unauthorized,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let native = app.actor("agent", "NativeOnly").await;
        for key in [None, Some(native.key.as_str()), Some("hm_live_0000")] {
            let (status, body) = hm(&app, Method::POST, "/agents-heartbeat", key, None).await;
            refused(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
        }
        // A key of the hm prefix issued through the native API is a Humai key.
        let (_, key) = app.key_for(&native, json!({ "prefix": "hm" })).await;
        let (status, body) = hm(&app, Method::POST, "/agents-heartbeat", Some(&key), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["rc_balance"], 0);
        let (status, body) = hm(&app, Method::GET, "/no-such-endpoint", None, None).await;
        refused(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
);
