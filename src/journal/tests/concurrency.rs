use std::collections::HashSet;

use super::*;
use crate::journal::JournalError;

on_both_backends!(
    two_hundred_concurrent_appends_get_positions_one_to_n_without_gaps,
    two_appends_expecting_the_same_version_of_a_stream_exactly_one_succeeds,
    a_failing_request_in_a_group_does_not_affect_the_others,
    a_reused_event_id_fails_only_its_own_append,
);

async fn two_hundred_concurrent_appends_get_positions_one_to_n_without_gaps(
    database: &TestDatabase,
) {
    const APPENDS: i64 = 200;
    const EVENTS_PER_APPEND: i64 = 2;
    let journal = database.open().await;
    let appends: Vec<_> = (0..APPENDS)
        .map(|index| {
            let journal = journal.clone();
            tokio::spawn(async move {
                let stream_id = format!("order-{index}");
                let events = vec![event("OrderPlaced"), event("OrderPaid")];
                (
                    stream_id.clone(),
                    journal
                        .append(batch(vec![to_stream(&stream_id, 0, events)]))
                        .await,
                )
            })
        })
        .collect();
    let mut claimed = HashSet::new();
    for append in appends {
        let (stream_id, appended) = append.await.expect("the task finishes");
        let appended = appended.expect("every append to a distinct stream succeeds");
        assert_eq!(
            appended.last_position - appended.first_position + 1,
            EVENTS_PER_APPEND
        );
        let stream = journal
            .read_stream(&stream_id, None)
            .await
            .expect("read_stream");
        let versions: Vec<i64> = stream.iter().map(|event| event.stream_version).collect();
        assert_eq!(versions, [1, 2]);
        assert_eq!(stream[0].position, appended.first_position);
        for position in appended.first_position..=appended.last_position {
            assert!(
                claimed.insert(position),
                "position {position} handed out twice"
            );
        }
    }
    let total = APPENDS * EVENTS_PER_APPEND;
    assert_eq!(
        all_positions(&journal).await,
        (1..=total).collect::<Vec<_>>()
    );
    assert_eq!(journal.head().await.expect("head"), total);

    let stats = journal.group_commit_stats();
    assert_eq!(stats.requests_committed, APPENDS as u64);
    assert!(
        stats.largest_group_requests > 1,
        "concurrent appends should share transactions: {stats:?}"
    );
    assert!(journal
        .verify_chain()
        .await
        .expect("verify")
        .first_break
        .is_none());
    journal.close().await;
}

async fn two_appends_expecting_the_same_version_of_a_stream_exactly_one_succeeds(
    database: &TestDatabase,
) {
    // The same handle (both land in one group) and two handles with pools and writers of
    // their own, as two processes sharing the database would be.
    let journal = database.open().await;
    let other_process = database.open().await;
    for round in 0..10 {
        let stream_id = format!("task-{round}");
        append_one(&journal, &stream_id, 0).await;
        let rival = if round % 2 == 0 {
            &journal
        } else {
            &other_process
        };
        let approve = || {
            batch(vec![to_stream(
                &stream_id,
                1,
                vec![event("SubmissionApproved")],
            )])
        };
        let (first, second) = tokio::join!(journal.append(approve()), rival.append(approve()));
        let outcomes = [first, second];
        assert_eq!(
            outcomes.iter().filter(|outcome| outcome.is_ok()).count(),
            1,
            "{outcomes:?}"
        );
        let conflict = outcomes.iter().find_map(|outcome| outcome.as_ref().err());
        match conflict {
            Some(AppendError::VersionConflict {
                stream_id: conflicted,
                expected,
                actual,
            }) => {
                assert_eq!((conflicted, *expected, *actual), (&stream_id, 1, 2));
            }
            other => panic!("expected a version conflict, got {other:?}"),
        }
        assert_eq!(
            journal.stream_version(&stream_id).await.expect("version"),
            2
        );
    }
    assert_eq!(all_positions(&journal).await, (1..=20).collect::<Vec<_>>());
    other_process.close().await;
    journal.close().await;
}

async fn a_failing_request_in_a_group_does_not_affect_the_others(database: &TestDatabase) {
    let journal = database.open().await;
    let queued = with_writer_blocked(&journal, async || {
        vec![
            submit(
                &journal,
                batch(vec![to_stream("task-b", 0, vec![event("B")])]),
            )
            .await,
            // The stream does not exist: conflict against the database.
            submit(
                &journal,
                batch(vec![to_stream("task-c", 3, vec![event("C")])]),
            )
            .await,
            submit(
                &journal,
                batch(vec![to_stream("task-d", 0, vec![event("D")])]),
            )
            .await,
            // Expects task-d before the previous request in this group created it.
            submit(
                &journal,
                batch(vec![to_stream("task-d", 0, vec![event("E")])]),
            )
            .await,
            submit(
                &journal,
                batch(vec![to_stream("task-d", 1, vec![event("F")])]),
            )
            .await,
        ]
    })
    .await;
    let mut outcomes = Vec::new();
    for pending in queued {
        outcomes.push(outcome(pending).await);
    }
    let positions: Vec<Option<i64>> = outcomes
        .iter()
        .map(|outcome| {
            outcome
                .as_ref()
                .ok()
                .map(|appended| appended.first_position)
        })
        .collect();
    assert_eq!(
        positions,
        [Some(2), None, Some(3), None, Some(4)],
        "{outcomes:?}"
    );
    assert!(matches!(
        &outcomes[1],
        Err(AppendError::VersionConflict { stream_id, expected: 3, actual: 0 }) if stream_id == "task-c"
    ));
    assert!(matches!(
        &outcomes[3],
        Err(AppendError::VersionConflict { stream_id, expected: 0, actual: 1 }) if stream_id == "task-d"
    ));
    let stats = journal.group_commit_stats();
    assert!(
        stats.largest_group_requests >= 5,
        "the five appends shared a group: {stats:?}"
    );
    assert_eq!(all_positions(&journal).await, [1, 2, 3, 4]);
    assert!(journal
        .verify_chain()
        .await
        .expect("verify")
        .first_break
        .is_none());
    journal.close().await;
}

async fn a_reused_event_id_fails_only_its_own_append(database: &TestDatabase) {
    let journal = database.open().await;
    let recorded = event("TaskPosted");
    journal
        .append(batch(vec![to_stream("task-1", 0, vec![recorded.clone()])]))
        .await
        .expect("the first append succeeds");
    let shared = event("TaskPosted");
    let queued = with_writer_blocked(&journal, async || {
        vec![
            submit(
                &journal,
                batch(vec![to_stream("task-2", 0, vec![event("A")])]),
            )
            .await,
            // Reuses an id already in the journal.
            submit(
                &journal,
                batch(vec![to_stream("task-3", 0, vec![recorded.clone()])]),
            )
            .await,
            submit(
                &journal,
                batch(vec![to_stream("task-4", 0, vec![shared.clone()])]),
            )
            .await,
            // Reuses an id an earlier request of the same group records.
            submit(
                &journal,
                batch(vec![to_stream("task-5", 0, vec![shared.clone()])]),
            )
            .await,
            submit(
                &journal,
                batch(vec![to_stream("task-6", 0, vec![event("B")])]),
            )
            .await,
        ]
    })
    .await;
    let mut outcomes = Vec::new();
    for pending in queued {
        outcomes.push(outcome(pending).await);
    }
    let duplicate_of = |outcome: &Result<Appended, AppendError>| match outcome {
        Err(AppendError::Journal(JournalError::DuplicateEvent { event_id })) => Some(*event_id),
        _ => None,
    };
    assert!(outcomes[0].is_ok(), "{outcomes:?}");
    assert_eq!(duplicate_of(&outcomes[1]), Some(recorded.event_id));
    assert!(outcomes[2].is_ok(), "{outcomes:?}");
    assert_eq!(duplicate_of(&outcomes[3]), Some(shared.event_id));
    assert!(outcomes[4].is_ok(), "{outcomes:?}");
    // task-1, the opener, and the three that succeeded.
    assert_eq!(all_positions(&journal).await, [1, 2, 3, 4, 5]);
    assert!(journal
        .verify_chain()
        .await
        .expect("verify")
        .first_break
        .is_none());
    journal.close().await;
}
