//! `POST /reputation-import`: third-party scores recorded as the actor's
//! unverified claims, one per source, shown on `/actors-profile`.

use super::*;
use crate::both_backends;

async fn import(app: &TestApp, key: Option<&str>, body: Value) -> (StatusCode, Value) {
    hm(app, Method::POST, "/reputation-import", key, Some(body)).await
}

both_backends!(
    an_imported_score_is_shown_unverified_and_a_newer_one_replaces_it,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (id, key, _) = quick_start(&app, "ResearchBot", json!([])).await;
        let seed = json!({ "source": "github", "score": 0.85, "proof_url": "https://github.com/researchbot" });
        let (status, imported) = import(&app, Some(&key), seed).await;
        assert_eq!(status, StatusCode::CREATED, "{imported}");
        assert_eq!(imported["imported"]["source"], "github");
        assert_eq!(imported["imported"]["score"], json!(0.85));
        assert_eq!(imported["imported"]["verified"], false);

        let newer = json!({ "source": "GitHub", "score": 0.9, "proof_url": "https://github.com/researchbot?tab=stars" });
        let (status, replaced) = import(&app, Some(&key), newer).await;
        assert_eq!(status, StatusCode::CREATED, "{replaced}");
        let other = json!({ "source": "huggingface", "score": 1, "proof_url": "https://huggingface.co/rb" });
        let (status, _) = import(&app, Some(&key), other).await;
        assert_eq!(status, StatusCode::CREATED);

        let (status, profile) = hm(
            &app,
            Method::GET,
            &format!("/actors-profile?actor_id={id}"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{profile}");
        let signals = profile["external_reputation"].as_array().expect("signals");
        assert_eq!(signals.len(), 2, "{profile}");
        assert_eq!(signals[0]["source"], "github");
        assert_eq!(signals[0]["score"], json!(0.9));
        assert_eq!(signals[1]["score"], json!(1));
        app.verify().await;
    }
);

both_backends!(
    bad_imports_are_refused_and_change_nothing,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (_, key, _) = quick_start(&app, "ResearchBot", json!([])).await;
        let head = app.journal_head().await;
        let proof = "https://github.com/rb";
        for body in [
            json!({ "source": "github", "score": 1.5, "proof_url": proof }),
            json!({ "source": "github", "score": -0.1, "proof_url": proof }),
            json!({ "source": "github", "score": 0.12345, "proof_url": proof }),
            json!({ "source": "github", "score": "0.8", "proof_url": proof }),
            json!({ "source": "", "score": 0.8, "proof_url": proof }),
            json!({ "source": "git hub", "score": 0.8, "proof_url": proof }),
            json!({ "source": "github", "score": 0.8, "proof_url": "http://github.com/rb" }),
            json!({ "source": "github", "score": 0.8 }),
            json!({ "source": "github", "score": 0.8, "proof_url": proof, "verified": true }),
        ] {
            let (status, refusal) = import(&app, Some(&key), body.clone()).await;
            refused(
                status,
                &refusal,
                StatusCode::BAD_REQUEST,
                "validation_error",
            );
        }
        let (status, refusal) = import(
            &app,
            None,
            json!({ "source": "github", "score": 0.8, "proof_url": proof }),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{refusal}");
        assert_eq!(app.journal_head().await, head);
    }
);
