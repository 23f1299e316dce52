//! The whole way: a job is created (its escrow held), testers take it
//! through the APIs people use (native `/v1`, HumanPing's worker side),
//! the owner settles it, then approves (testers paid less the fee, the rest
//! back to the owner) or disputes (everything back to the owner).

use super::*;
use crate::both_backends;
use crate::humanping::worker::verified_worker;

/// The HumanPing id of a ledger task.
fn humanping_id(id: &str) -> String {
    format!("task_{}", uuid::Uuid::parse_str(id).expect("uuid").simple())
}

/// The ledger's UUID behind a HumanPing id (`worker_<hex>`).
fn ledger_id(humanping_id: &str) -> String {
    let hex = humanping_id.split_once('_').expect("a prefix").1;
    uuid::Uuid::parse_str(hex).expect("hex uuid").to_string()
}

/// Fees the owner's account paid on captures, from its stream.
async fn fees_captured(app: &TestApp, owner: &Actor) -> i64 {
    let (status, stream) = app
        .get(
            &format!("/v1/streams/account-{}-live-USD", owner.id),
            &app.admin_key,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{stream}");
    stream["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|event| event["type"] == "HoldCaptured")
        .map(|event| event["payload"]["fee"]["cents"].as_i64().expect("fee"))
        .sum()
}

both_backends!(
    testers_work_then_the_owner_settles_and_approves,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "Acme", 10_000).await;
        let job = create_job(&app, &key, job_body("Try our checkout", 3, json!(20))).await;
        let id = job["id"].as_str().expect("id").to_owned();
        assert_eq!(money(&app, &agent).await, (4_000, 6_000));

        // Ann works through the native API.
        let ann = tester(&app, "Ann").await;
        accept(&app, &ann, &id).await;
        submit(&app, &ann, &id, "The coupon field is hidden on mobile.").await;
        // Bea finds the job in HumanPing's worker feed and works there.
        let (bea_worker_id, bea) = verified_worker(&app, "Bea").await;
        let bea_id = ledger_id(&bea_worker_id);
        let hp_id = humanping_id(&id);
        let (status, feed) =
            crate::humanping::hp(&app, Method::GET, "/worker/feed", Some(&bea), None).await;
        assert_eq!(status, StatusCode::OK, "{feed}");
        assert!(
            feed["tasks"]
                .as_array()
                .expect("tasks")
                .iter()
                .any(|t| t["id"] == json!(hp_id)),
            "{feed}"
        );
        let (status, body) = crate::humanping::hp(
            &app,
            Method::POST,
            &format!("/worker/tasks/{hp_id}/accept"),
            Some(&bea),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = crate::humanping::hp(
            &app,
            Method::POST,
            &format!("/worker/tasks/{hp_id}/proof"),
            Some(&bea),
            Some(json!({ "text": "Paying took three taps." })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        // Cy takes the last slot and never finishes.
        let cy = tester(&app, "Cy").await;
        accept(&app, &cy, &id).await;

        let job = get_job(&app, &key, &id).await;
        assert_eq!(job["progress"]["finished"], 2, "{job}");
        assert_eq!(job["progress"]["inProgress"], 1);
        assert_eq!(job["feedback"].as_array().expect("feedback").len(), 2);

        // Settle: Cy's work ends; Ann's and Bea's earnings wait; Cy's slot's money goes back.
        let (status, job) = act(&app, &key, &id, "settle", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{job}");
        assert_eq!(job["status"], "settling");
        assert_eq!(job["progress"]["inProgress"], 0);
        assert_eq!(job["progress"]["ended"], 1);
        let settlement = &job["settlement"];
        assert_eq!(settlement["status"], "pending", "{settlement}");
        assert_eq!(settlement["total"], json!(40));
        assert_eq!(settlement["fees"], json!(4));
        assert_eq!(settlement["payouts"], json!(36));
        let earners: Vec<&Value> = settlement["testers"]
            .as_array()
            .expect("testers")
            .iter()
            .map(|t| &t["testerId"])
            .collect();
        assert_eq!(earners, [&json!(ann.id), &json!(bea_id)]);
        assert_eq!(settlement["testers"][0]["payout"], json!(18));
        assert_eq!(money(&app, &agent).await, (6_000, 4_000));
        // Nothing more comes in while the job settles.
        let (status, _) = app
            .post(
                &format!("/v1/tasks/{id}/submissions"),
                &cy.key,
                json!({ "proof": { "text": "late" } }),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        let dan = tester(&app, "Dan").await;
        let (status, _) = app
            .post(&format!("/v1/tasks/{id}/accept"), &dan.key, json!({}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        for action in ["settle", "pause", "resume", "stop", "cancel"] {
            let (status, body) = act(&app, &key, &id, action, json!({})).await;
            refused(status, &body, StatusCode::CONFLICT);
        }

        // Approve: each finished tester is paid the reward less 10 %.
        let (status, job) = act(&app, &key, &id, "approve", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{job}");
        assert_eq!(job["status"], "settled");
        assert_eq!(job["settlement"]["status"], "approved");
        assert_eq!(job["settlement"]["testers"][1]["status"], "approved");
        assert_eq!(
            job["escrow"],
            json!({ "held": 0, "paid": 40, "released": 20 })
        );
        assert_eq!(money(&app, &ann).await, (1_800, 0));
        // Bea's login works on the native API too: the one ledger.
        let (status, account) = app.get("/v1/account", &bea).await;
        assert_eq!(status, StatusCode::OK, "{account}");
        assert_eq!(account["available_cents"], 1_800);
        assert_eq!(money(&app, &cy).await, (0, 0));
        assert_eq!(money(&app, &agent).await, (6_000, 0));
        assert_eq!(fees_captured(&app, &agent).await, 400, "the platform's fee");
        let (status, body) = act(&app, &key, &id, "approve", json!({})).await;
        refused(status, &body, StatusCode::CONFLICT);
        let (status, body) = act(&app, &key, &id, "dispute", json!({ "reason": "too late" })).await;
        refused(status, &body, StatusCode::CONFLICT);
        // The list agrees.
        let (_, list) = ih(&app, Method::GET, "/jobs", Some(&key), None).await;
        assert_eq!(list["data"][0]["status"], "settled", "{list}");
        app.verify().await;
    }
);

both_backends!(
    disputing_the_settlement_refunds_the_owner,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "Acme", 10_000).await;
        let job = create_job(&app, &key, job_body("Rate our onboarding", 2, json!(15))).await;
        let id = job["id"].as_str().expect("id").to_owned();
        let ann = tester(&app, "Ann").await;
        accept(&app, &ann, &id).await;
        submit(&app, &ann, &id, "asdf").await;
        // Approving or disputing before settling is refused.
        for (action, body) in [
            ("approve", json!({})),
            ("dispute", json!({ "reason": "junk" })),
        ] {
            let (status, answer) = act(&app, &key, &id, action, body).await;
            refused(status, &answer, StatusCode::CONFLICT);
        }
        let (status, job) = act(&app, &key, &id, "stop", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{job}");
        let (status, job) = act(&app, &key, &id, "settle", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{job}");
        assert_eq!(money(&app, &agent).await, (8_500, 1_500));
        let (status, body) = act(&app, &key, &id, "dispute", json!({ "reason": "  " })).await;
        refused(status, &body, StatusCode::BAD_REQUEST);
        let (status, job) = act(
            &app,
            &key,
            &id,
            "dispute",
            json!({ "reason": "The feedback is keyboard mashing." }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{job}");
        assert_eq!(job["status"], "disputed");
        assert_eq!(job["settlement"]["status"], "disputed");
        assert_eq!(job["feedback"][0]["status"], "disputed");
        assert_eq!(
            job["feedback"][0]["reason"],
            "The feedback is keyboard mashing."
        );
        assert_eq!(money(&app, &agent).await, (10_000, 0));
        assert_eq!(money(&app, &ann).await, (0, 0));
        let (_, list) = ih(&app, Method::GET, "/jobs", Some(&key), None).await;
        assert_eq!(list["data"][0]["status"], "disputed", "{list}");
        app.verify().await;
    }
);

both_backends!(
    a_job_no_one_finished_settles_into_nothing_paid,
    |app: TestApp| async move {
        let (agent, key) = owner(&app, "Acme", 10_000).await;
        let job = create_job(&app, &key, job_body("Quiet job", 2, json!(5))).await;
        let id = job["id"].as_str().expect("id").to_owned();
        let (status, job) = act(&app, &key, &id, "settle", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{job}");
        assert_eq!(job["settlement"]["testers"], json!([]));
        assert_eq!(money(&app, &agent).await, (10_000, 0));
        let (status, body) = act(
            &app,
            &key,
            &id,
            "dispute",
            json!({ "reason": "nobody came" }),
        )
        .await;
        refused(status, &body, StatusCode::CONFLICT);
        let (status, job) = act(&app, &key, &id, "approve", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{job}");
        assert_eq!(job["status"], "settled");
        app.verify().await;
    }
);
