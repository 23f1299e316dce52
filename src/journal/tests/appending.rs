use super::*;
use crate::journal::InvalidAppend;

on_both_backends!(
    appending_to_a_new_stream_and_reading_it_back,
    read_all_returns_the_events_after_a_position_up_to_the_limit,
    read_committed_serves_this_processs_commits_from_memory_and_the_rest_from_the_table,
    read_stream_until_a_position_stops_there,
    read_streams_merges_several_streams_in_position_order,
    a_version_mismatch_on_one_stream_of_a_multi_stream_append_writes_nothing,
    appends_that_break_the_journals_rules_are_refused_and_write_nothing,
);

async fn appending_to_a_new_stream_and_reading_it_back(database: &TestDatabase) {
    let journal = database.open().await;
    let posted = event("TaskPosted");
    let held = event("HoldPlaced");
    let appended = journal
        .append(batch(vec![to_stream(
            "task-1",
            0,
            vec![posted.clone(), held.clone()],
        )]))
        .await
        .expect("the append succeeds");
    assert_eq!((appended.first_position, appended.last_position), (1, 2));

    let events = journal
        .read_stream("task-1", None)
        .await
        .expect("read_stream");
    assert_eq!(events.len(), 2);
    for (recorded, (new, version)) in events.iter().zip([(&posted, 1), (&held, 2)]) {
        assert_eq!(recorded.position, version);
        assert_eq!(recorded.stream_id, "task-1");
        assert_eq!(recorded.stream_version, version);
        assert_eq!(recorded.event_id, new.event_id);
        assert_eq!(recorded.event_type, new.event_type);
        assert_eq!(recorded.event_version, new.event_version);
        assert_eq!(recorded.payload, new.payload);
        assert_eq!(recorded.metadata, new.metadata);
        assert_eq!(recorded.recorded_at, appended.recorded_at);
        assert_eq!(recorded.hash.len(), 64);
    }
    assert_ne!(events[0].hash, events[1].hash);
    assert_eq!(journal.stream_version("task-1").await.expect("version"), 2);
    assert_eq!(
        journal
            .stream_version("task-unknown")
            .await
            .expect("version"),
        0
    );
    assert_eq!(journal.head().await.expect("head"), 2);
    assert_eq!(*journal.watch_head().borrow(), 2);
    journal.close().await;
}

async fn read_all_returns_the_events_after_a_position_up_to_the_limit(database: &TestDatabase) {
    let journal = database.open().await;
    for version in 0..5 {
        append_one(&journal, "account-1", version).await;
    }
    let page = journal.read_all(2, 2).await.expect("read_all");
    assert_eq!(
        page.iter().map(|event| event.position).collect::<Vec<_>>(),
        [3, 4]
    );
    assert_eq!(journal.read_all(0, 100).await.expect("read_all").len(), 5);
    assert!(journal.read_all(5, 100).await.expect("read_all").is_empty());
    // A limit beyond the cap is capped, not refused.
    assert_eq!(
        journal.read_all(0, u32::MAX).await.expect("read_all").len(),
        5
    );
    journal.close().await;
}

async fn read_committed_serves_this_processs_commits_from_memory_and_the_rest_from_the_table(
    database: &TestDatabase,
) {
    let ours = database.open().await;
    for version in 0..3 {
        append_one(&ours, "account-1", version).await;
    }
    // Another instance on the same database commits positions 4 and 5.
    let theirs = database.open().await;
    for version in 0..2 {
        append_one(&theirs, "account-2", version).await;
    }
    let positions = |events: &[std::sync::Arc<crate::journal::CommittedEvent>]| {
        events
            .iter()
            .map(|event| event.position)
            .collect::<Vec<_>>()
    };
    // From memory, up to the gap its window has where the other instance wrote.
    let remembered = ours.read_committed(0, 100).await.expect("read_committed");
    assert_eq!(positions(&remembered), [1, 2, 3]);
    assert_eq!(
        positions(&ours.read_committed(1, 1).await.expect("read")),
        [2]
    );
    // From the table: what this instance never held.
    let read = ours.read_committed(3, 100).await.expect("read_committed");
    assert_eq!(positions(&read), [4, 5]);
    // Either way, the same as the stored events.
    let stored = ours.read_all(0, 100).await.expect("read_all");
    for (committed, stored) in remembered.iter().chain(&read).zip(&stored) {
        assert_eq!(committed.position, stored.position);
        assert_eq!(committed.stream_id, stored.stream_id);
        assert_eq!(committed.event_type, stored.event_type);
        assert_eq!(committed.payload, stored.payload);
        assert_eq!(committed.recorded_at, stored.recorded_at);
    }
    assert!(ours.read_committed(5, 100).await.expect("read").is_empty());
    theirs.close().await;
    ours.close().await;
}

async fn read_stream_until_a_position_stops_there(database: &TestDatabase) {
    let journal = database.open().await;
    append_one(&journal, "task-a", 0).await; // 1
    append_one(&journal, "task-b", 0).await; // 2
    append_one(&journal, "task-a", 1).await; // 3
    append_one(&journal, "task-b", 1).await; // 4
    append_one(&journal, "task-a", 2).await; // 5
    let until_three = journal
        .read_stream("task-a", Some(3))
        .await
        .expect("read_stream");
    assert_eq!(
        until_three
            .iter()
            .map(|event| event.position)
            .collect::<Vec<_>>(),
        [1, 3]
    );
    let all = journal
        .read_stream("task-a", None)
        .await
        .expect("read_stream");
    assert_eq!(
        all.iter()
            .map(|event| event.stream_version)
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(journal
        .read_stream("task-a", Some(0))
        .await
        .expect("read_stream")
        .is_empty());
    journal.close().await;
}

async fn read_streams_merges_several_streams_in_position_order(database: &TestDatabase) {
    let journal = database.open().await;
    append_one(&journal, "task-a", 0).await;
    append_one(&journal, "task-b", 0).await;
    append_one(&journal, "task-c", 0).await;
    append_one(&journal, "task-a", 1).await;
    let streams = ["task-a".to_owned(), "task-c".to_owned()];
    let events = journal.read_streams(&streams).await.expect("read_streams");
    assert_eq!(
        events
            .iter()
            .map(|event| event.position)
            .collect::<Vec<_>>(),
        [1, 3, 4]
    );
    assert!(journal
        .read_streams(&[])
        .await
        .expect("read_streams")
        .is_empty());
    journal.close().await;
}

async fn a_version_mismatch_on_one_stream_of_a_multi_stream_append_writes_nothing(
    database: &TestDatabase,
) {
    let journal = database.open().await;
    append_one(&journal, "account-payer", 0).await;

    let escrow = |payer_expected| {
        batch(vec![
            to_stream("task-9", 0, vec![event("TaskPosted"), event("TaskOpened")]),
            to_stream("account-payer", payer_expected, vec![event("HoldPlaced")]),
        ])
    };
    let refused = journal.append(escrow(0)).await;
    match refused {
        Err(AppendError::VersionConflict {
            stream_id,
            expected,
            actual,
        }) => {
            assert_eq!(
                (stream_id.as_str(), expected, actual),
                ("account-payer", 0, 1)
            );
        }
        other => panic!("expected a version conflict, got {other:?}"),
    }
    assert_eq!(journal.head().await.expect("head"), 1);
    assert_eq!(journal.stream_version("task-9").await.expect("version"), 0);
    assert_eq!(all_positions(&journal).await, [1]);

    let accepted = journal
        .append(escrow(1))
        .await
        .expect("the corrected append succeeds");
    assert_eq!((accepted.first_position, accepted.last_position), (2, 4));
    journal.close().await;
}

async fn appends_that_break_the_journals_rules_are_refused_and_write_nothing(
    database: &TestDatabase,
) {
    let journal = database.open().await;
    let reused = event("TaskPosted");
    let refusals = [
        (batch(vec![]), "empty"),
        (
            batch(vec![
                to_stream("task-1", 0, vec![event("A")]),
                to_stream("task-1", 0, vec![event("B")]),
            ]),
            "duplicate stream",
        ),
        (
            batch(vec![to_stream("task-1", -1, vec![event("A")])]),
            "negative version",
        ),
        (
            batch(vec![to_stream("task-1", 0, vec![reused.clone(), reused])]),
            "duplicate event",
        ),
        (
            batch(vec![to_stream(
                "task-1",
                0,
                (0..1_001).map(|_| event("A")).collect(),
            )]),
            "too many events",
        ),
    ];
    for (refused, case) in refusals {
        let outcome = journal.append(refused).await;
        assert!(
            matches!(
                outcome,
                Err(AppendError::Journal(
                    crate::journal::JournalError::InvalidAppend(_)
                ))
            ),
            "{case}: {outcome:?}"
        );
    }
    let oversized = event_with_payload(crate::journal::limits::APPEND_BYTES_MAX);
    let outcome = journal
        .append(batch(vec![to_stream("task-1", 0, vec![oversized])]))
        .await;
    assert!(matches!(
        outcome,
        Err(AppendError::Journal(
            crate::journal::JournalError::InvalidAppend(InvalidAppend::TooManyBytes { .. })
        ))
    ));
    assert_eq!(journal.head().await.expect("head"), 0);
    journal.close().await;
}

fn event_with_payload(bytes: usize) -> NewEvent {
    NewEvent {
        payload: format!(r#""{}""#, "x".repeat(bytes)),
        ..event("Oversized")
    }
}
