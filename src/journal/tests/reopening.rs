use super::*;
use crate::journal::JournalError;

on_both_backends!(reopening_a_journal_continues_the_chain_and_positions);

async fn reopening_a_journal_continues_the_chain_and_positions(database: &TestDatabase) {
    let journal = database.open().await;
    append_one(&journal, "task-1", 0).await;
    append_one(&journal, "task-1", 1).await;
    append_one(&journal, "task-2", 0).await;
    journal.close().await;
    assert!(matches!(
        journal
            .append(batch(vec![to_stream("task-3", 0, vec![event("A")])]))
            .await,
        Err(AppendError::Journal(JournalError::Closed))
    ));

    let reopened = database.open().await;
    assert_eq!(reopened.head().await.expect("head"), 3);
    assert_eq!(*reopened.watch_head().borrow(), 3);
    let appended = append_one(&reopened, "task-1", 2).await;
    assert_eq!((appended.first_position, appended.last_position), (4, 4));
    assert_eq!(reopened.stream_version("task-1").await.expect("version"), 3);
    let report = reopened.verify_chain().await.expect("verify");
    assert_eq!((report.events_checked, report.first_break), (4, None));
    reopened.close().await;
}
