//! Founding slots: the founders' door closes when they are claimed
//! (409 `founding_slots_full`, nothing appended), full registration keeps
//! working without a slot, and concurrent claims of the last slot make
//! exactly one founder. Servers open few slots (`humai_founding_slots`);
//! the halvening schedule over all 1000 is the domain's tests'.

use super::*;
use futures::future::join_all;

async fn the_founders_door_closes_when_the_slots_are_claimed(backend: Backend) {
    let Some(app) = app_with_slots(backend, 2).await else {
        return;
    };
    for name in ["First", "Second"] {
        let (_, _, body) = quick_start(&app, name, json!(["nlp"])).await;
        assert_eq!(body["is_founding"], true, "{body}");
        assert_eq!(body["rc_balance"], 128);
    }
    let (status, genesis) = hm(&app, Method::GET, "/genesis-status", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        genesis,
        json!({ "slots_total": 2, "slots_remaining": 0, "current_tier": 0, "credit_amount": 0 })
    );
    let head = app.journal_head().await;
    let (status, body) = hm(
        &app,
        Method::POST,
        "/agents-quick-start",
        None,
        Some(json!({ "display_name": "Third" })),
    )
    .await;
    refused(status, &body, StatusCode::CONFLICT, "founding_slots_full");
    assert_eq!(app.journal_head().await, head, "no actor without its slot");

    let (status, late) = hm(
        &app,
        Method::POST,
        "/actors-register",
        None,
        Some(json!({
            "type": "delegated_agent",
            "display_name": "Latecomer",
            "owner_wallet": "0x742d35Cc6634C0532925a3b844Bc9e7595f2bD18",
            "agent_address": "0x8ba1f109551bD432803012645Ac136ddd64DBA72"
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{late}");
    assert_eq!(late["is_founding"], false);
    assert_eq!(late["rc_balance"], 0);
    let profile = profile_of(&app, late["actor_id"].as_str().unwrap()).await;
    assert_eq!(profile["is_founding"], false);
    app.verify().await;
}

async fn concurrent_claims_of_the_last_slot_make_one_founder(backend: Backend) {
    let Some(app) = app_with_slots(backend, 3).await else {
        return;
    };
    quick_start(&app, "Early", json!([])).await;
    quick_start(&app, "Earlier", json!([])).await;
    let head = app.journal_head().await;
    let racers = (0..6).map(|n| {
        hm(
            &app,
            Method::POST,
            "/agents-quick-start",
            None,
            Some(json!({ "display_name": format!("Racer {n}") })),
        )
    });
    let replies = join_all(racers).await;
    let founders: Vec<&Value> = replies
        .iter()
        .filter(|(status, _)| *status == StatusCode::CREATED)
        .map(|(_, body)| body)
        .collect();
    assert_eq!(founders.len(), 1, "{replies:?}");
    assert_eq!(founders[0]["is_founding"], true);
    for (status, body) in replies.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        refused(*status, body, StatusCode::CONFLICT, "founding_slots_full");
    }
    // One registration's events, no more: the losers appended nothing.
    let (_, genesis) = hm(&app, Method::GET, "/genesis-status", None, None).await;
    assert_eq!(genesis["slots_remaining"], 0);
    assert!(app.journal_head().await > head);
    app.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_founders_door_closes_when_the_slots_are_claimed_on_sqlite() {
    the_founders_door_closes_when_the_slots_are_claimed(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_founders_door_closes_when_the_slots_are_claimed_on_postgres() {
    the_founders_door_closes_when_the_slots_are_claimed(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claims_of_the_last_slot_make_one_founder_on_sqlite() {
    concurrent_claims_of_the_last_slot_make_one_founder(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claims_of_the_last_slot_make_one_founder_on_postgres() {
    concurrent_claims_of_the_last_slot_make_one_founder(Backend::Postgres).await;
}
