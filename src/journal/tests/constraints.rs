use super::*;
use crate::journal::constraint::{violated_constraint, Constraint};

on_both_backends!(
    unique_violations_are_recognised_by_constraint,
    a_stream_moved_by_a_writer_that_bypassed_the_lock_is_reported_as_a_version_conflict,
);

async fn unique_violations_are_recognised_by_constraint(database: &TestDatabase) {
    let journal = database.open().await;
    let appended = journal
        .append(AppendBatch {
            streams: vec![to_stream("task-1", 0, vec![event("TaskPosted")])],
            idempotency: Some(idempotency("actor-1", "key-1", "fingerprint")),
        })
        .await
        .expect("the append succeeds");
    let recorded = &journal.read_all(0, 1).await.expect("read_all")[0];
    let insert_event = |position: i64, stream_version: i64, event_id: String| {
        sqlx::query(
            "INSERT INTO events (position, stream_id, stream_version, event_id, event_type, \
             event_version, payload, metadata, recorded_at_us, hash) \
             VALUES ($1, 'task-1', $2, $3, 'X', 1, '{}', '{}', 0, '')",
        )
        .bind(position)
        .bind(stream_version)
        .bind(event_id)
        .execute(journal.pool())
    };
    let same_version = insert_event(100, 1, Uuid::now_v7().to_string()).await;
    let same_event_id = insert_event(101, 2, recorded.event_id.to_string()).await;
    let same_key = sqlx::query(
        "INSERT INTO idempotency (principal, key, fingerprint, status, body, first_position, \
         last_position, created_at_us) VALUES ('actor-1', 'key-1', 'f', 200, '{}', $1, $1, 0)",
    )
    .bind(appended.last_position)
    .execute(journal.pool())
    .await;
    let same_stream = sqlx::query("INSERT INTO streams (stream_id, version) VALUES ('task-1', 7)")
        .execute(journal.pool())
        .await;
    let classify =
        |outcome: Result<_, sqlx::Error>| violated_constraint(&outcome.expect_err("a violation"));
    assert_eq!(classify(same_version), Some(Constraint::StreamVersion));
    assert_eq!(classify(same_event_id), Some(Constraint::EventId));
    assert_eq!(classify(same_key), Some(Constraint::IdempotencyKey));
    assert_eq!(classify(same_stream), Some(Constraint::StreamVersion));
    journal.close().await;
}

async fn a_stream_moved_by_a_writer_that_bypassed_the_lock_is_reported_as_a_version_conflict(
    database: &TestDatabase,
) {
    let journal = database.open().await;
    // An event the journal did not write: `streams` and the head know nothing of it.
    sqlx::query(
        "INSERT INTO events (position, stream_id, stream_version, event_id, event_type, \
         event_version, payload, metadata, recorded_at_us, hash) \
         VALUES (100, 'task-1', 1, $1, 'TaskPosted', 1, '{}', '{}', 0, '')",
    )
    .bind(Uuid::now_v7().to_string())
    .execute(journal.pool())
    .await
    .expect("the rogue insert succeeds");
    let outcome = journal
        .append(batch(vec![to_stream(
            "task-1",
            0,
            vec![event("TaskPosted")],
        )]))
        .await;
    match outcome {
        Err(AppendError::VersionConflict {
            stream_id,
            expected,
            actual,
        }) => assert_eq!((stream_id.as_str(), expected, actual), ("task-1", 0, 1)),
        other => panic!("expected a version conflict, got {other:?}"),
    }
    journal.close().await;
}
