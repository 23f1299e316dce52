use super::*;

on_both_backends!(
    an_idempotency_record_is_stored_with_its_events_and_a_second_use_appends_nothing,
    an_append_with_only_an_idempotency_record_reports_the_head,
    an_idempotency_record_is_not_stored_when_its_append_conflicts,
);

async fn an_idempotency_record_is_stored_with_its_events_and_a_second_use_appends_nothing(
    database: &TestDatabase,
) {
    let journal = database.open().await;
    let first = AppendBatch {
        streams: vec![to_stream(
            "task-1",
            0,
            vec![event("TaskPosted"), event("HoldPlaced")],
        )],
        idempotency: Some(idempotency("actor-1", "key-1", "fingerprint-a")),
    };
    let appended = journal.append(first).await.expect("the first use succeeds");

    let stored = journal
        .stored_response("actor-1", "key-1")
        .await
        .expect("stored_response")
        .expect("the response is stored");
    assert_eq!(stored.fingerprint, "fingerprint-a");
    assert_eq!(stored.status, 201);
    assert_eq!(stored.body, r#"{"fingerprint":"fingerprint-a"}"#);
    assert_eq!(
        (stored.first_position, stored.last_position),
        (appended.first_position, appended.last_position)
    );

    let second = AppendBatch {
        streams: vec![to_stream("task-2", 0, vec![event("TaskPosted")])],
        idempotency: Some(idempotency("actor-1", "key-1", "fingerprint-b")),
    };
    match journal.append(second).await {
        Err(AppendError::IdempotencyKeyTaken { stored: replayed }) => assert_eq!(replayed, stored),
        other => panic!("expected the key to be taken, got {other:?}"),
    }
    assert_eq!(journal.head().await.expect("head"), 2);
    assert_eq!(journal.stream_version("task-2").await.expect("version"), 0);

    // Keys belong to a principal: another principal may use the same key.
    let other_principal = AppendBatch {
        streams: vec![to_stream("task-2", 0, vec![event("TaskPosted")])],
        idempotency: Some(idempotency("actor-2", "key-1", "fingerprint-b")),
    };
    journal
        .append(other_principal)
        .await
        .expect("another principal's key is free");
    assert!(journal
        .stored_response("actor-3", "key-1")
        .await
        .expect("stored_response")
        .is_none());
    journal.close().await;
}

async fn an_append_with_only_an_idempotency_record_reports_the_head(database: &TestDatabase) {
    let journal = database.open().await;
    append_one(&journal, "task-1", 0).await;
    let record_only = AppendBatch {
        streams: vec![],
        idempotency: Some(idempotency("actor-1", "key-refusal", "fingerprint")),
    };
    let appended = journal
        .append(record_only)
        .await
        .expect("a record alone is stored");
    assert_eq!((appended.first_position, appended.last_position), (1, 1));
    let stored = journal
        .stored_response("actor-1", "key-refusal")
        .await
        .expect("stored_response")
        .expect("stored");
    assert_eq!((stored.first_position, stored.last_position), (1, 1));
    assert_eq!(journal.head().await.expect("head"), 1);
    journal.close().await;
}

async fn an_idempotency_record_is_not_stored_when_its_append_conflicts(database: &TestDatabase) {
    let journal = database.open().await;
    let conflicting = AppendBatch {
        streams: vec![to_stream("task-1", 4, vec![event("TaskPosted")])],
        idempotency: Some(idempotency("actor-1", "key-1", "fingerprint")),
    };
    assert!(matches!(
        journal.append(conflicting).await,
        Err(AppendError::VersionConflict { .. })
    ));
    assert!(journal
        .stored_response("actor-1", "key-1")
        .await
        .expect("stored_response")
        .is_none());
    journal.close().await;
}
