use super::*;

on_both_backends!(
    verify_chain_is_clean_after_appends,
    verify_chain_reports_the_position_of_a_payload_edited_afterwards,
    verify_chain_reports_a_gap_where_an_event_was_deleted,
    verify_chain_reports_a_deleted_last_event,
);

async fn append_five(journal: &Journal) {
    for version in 0..5 {
        append_one(journal, "account-1", version).await;
    }
}

async fn verify_chain_is_clean_after_appends(database: &TestDatabase) {
    let journal = database.open().await;
    let empty = journal.verify_chain().await.expect("verify");
    assert_eq!(
        (empty.events_checked, empty.head_position, empty.first_break),
        (0, 0, None)
    );
    append_five(&journal).await;
    let report = journal.verify_chain().await.expect("verify");
    assert_eq!(
        (
            report.events_checked,
            report.head_position,
            report.first_break
        ),
        (5, 5, None)
    );
    journal.close().await;
}

async fn verify_chain_reports_the_position_of_a_payload_edited_afterwards(database: &TestDatabase) {
    let journal = database.open().await;
    append_five(&journal).await;
    sqlx::query("UPDATE events SET payload = $1 WHERE position = $2")
        .bind(r#"{"amount_cents":1}"#)
        .bind(3_i64)
        .execute(journal.pool())
        .await
        .expect("the tampering succeeds");
    let report = journal.verify_chain().await.expect("verify");
    let broken = report.first_break.expect("the edit is detected");
    assert_eq!(broken.position, 3);
    assert_eq!(report.events_checked, 2);
    journal.close().await;
}

async fn verify_chain_reports_a_gap_where_an_event_was_deleted(database: &TestDatabase) {
    let journal = database.open().await;
    append_five(&journal).await;
    sqlx::query("DELETE FROM events WHERE position = $1")
        .bind(2_i64)
        .execute(journal.pool())
        .await
        .expect("the deletion succeeds");
    let broken = journal
        .verify_chain()
        .await
        .expect("verify")
        .first_break
        .expect("the gap is detected");
    assert_eq!(broken.position, 2);
    assert!(broken.reason.contains("missing"), "{}", broken.reason);
    journal.close().await;
}

async fn verify_chain_reports_a_deleted_last_event(database: &TestDatabase) {
    let journal = database.open().await;
    append_five(&journal).await;
    sqlx::query("DELETE FROM events WHERE position = $1")
        .bind(5_i64)
        .execute(journal.pool())
        .await
        .expect("the deletion succeeds");
    let report = journal.verify_chain().await.expect("verify");
    assert_eq!(
        report
            .first_break
            .expect("the truncation is detected")
            .position,
        5
    );
    assert_eq!(report.events_checked, 4);
    journal.close().await;
}
