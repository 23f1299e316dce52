//! The board's query on both backends, over `tasks_view` rows written as the
//! tasks projection writes them.

use super::*;
use crate::journal::Journal;
use crate::queries::scratch::{self, insert_task, TaskRow};

const NOW_US: i64 = 1_790_000_000_000_000;

fn row(kind: &'static str, details: &'static str, reward_cents: i64) -> TaskRow {
    TaskRow {
        posted_at_us: NOW_US - 1_000_000,
        ..TaskRow::open(kind, details, reward_cents)
    }
}

fn request() -> BoardRequest {
    BoardRequest::default()
}

async fn shown(journal: &Journal, request: BoardRequest) -> Vec<String> {
    let filter = BoardFilter::parse(Mode::Live, &request, NOW_US).expect("a valid filter");
    let page = open_tasks(journal.pool(), &filter).await.expect("a page");
    page.data.iter().map(|t| t.id.to_string()).collect()
}

async fn filtering_the_board(journal: Journal) {
    let bakery = row("verification", r#"{"location":"Montréal, QC"}"#, 500);
    let mural = TaskRow {
        assignment_mode: "apply_select",
        ..row("photography", r#"{"place":"Rue Fabre, MONTREAL"}"#, 300)
    };
    let french = row(
        "translation",
        r#"{"languages":["French","English"]}"#,
        1_200,
    );
    let literal = row("general", r#"{"note":"100% sure, a_b"}"#, 100);
    let field = row("field_mission", r#"{"code":"axb"}"#, 800);
    let full = TaskRow {
        working: 1,
        ..row("verification", "{}", 900)
    };
    let late = TaskRow {
        deadline_us: Some(NOW_US - 1),
        ..row("verification", "{}", 900)
    };
    let later = TaskRow {
        deadline_us: Some(NOW_US + 60_000_000),
        ..row("verification", "{}", 700)
    };
    let closed = TaskRow {
        status: "completed",
        ..row("closed_kind", "{}", 900)
    };
    let test_mode = TaskRow {
        mode: "test",
        ..row("test_kind", "{}", 900)
    };
    let rows = [
        &bakery, &mural, &french, &literal, &field, &full, &late, &later, &closed, &test_mode,
    ];
    for row in rows {
        insert_task(&journal, row).await;
    }
    let ids =
        |rows: &[&TaskRow]| -> Vec<String> { rows.iter().rev().map(|r| r.id.clone()).collect() };

    assert_eq!(
        shown(&journal, request()).await,
        ids(&[&bakery, &mural, &french, &literal, &field, &later]),
        "open, live, with a free slot and before the deadline, newest first"
    );
    let kind = |kind: &str| BoardRequest {
        kind: kind.into(),
        ..request()
    };
    assert_eq!(
        shown(&journal, kind("verification")).await,
        ids(&[&bakery, &later])
    );
    assert!(shown(&journal, kind("verif")).await.is_empty(), "exactly");
    let reward = |text: &str| BoardRequest {
        min_reward: text.into(),
        ..request()
    };
    assert_eq!(
        shown(&journal, reward("7")).await,
        ids(&[&french, &field, &later])
    );
    assert_eq!(
        shown(&journal, reward("5.00")).await,
        ids(&[&bakery, &french, &field, &later]),
        "at least, so $5.00 is in"
    );
    let assignment = BoardRequest {
        assignment: "apply_select".into(),
        ..request()
    };
    assert_eq!(shown(&journal, assignment).await, ids(&[&mural]));

    let location = |text: &str| BoardRequest {
        location: text.into(),
        ..request()
    };
    assert_eq!(
        shown(&journal, location("Montréal, QC")).await,
        ids(&[&bakery]),
        "a part matches; QC is too short to count"
    );
    assert_eq!(
        shown(&journal, location("Laval, Montreal")).await,
        ids(&[&mural]),
        "any part, case-insensitively"
    );
    assert_eq!(
        shown(&journal, location("100%")).await,
        ids(&[&literal]),
        "% is taken literally"
    );
    assert!(
        shown(&journal, location("a%b")).await.is_empty(),
        "% is not a wildcard"
    );
    assert_eq!(
        shown(&journal, location("a_b")).await,
        ids(&[&literal]),
        "_ is taken literally, so axb is not found"
    );
    assert_eq!(shown(&journal, location("axb")).await, ids(&[&field]));

    let skills = |text: &str| BoardRequest {
        skills: text.into(),
        ..request()
    };
    assert_eq!(
        shown(&journal, skills("Field Mission")).await,
        ids(&[&field]),
        "a skill matches a kind written as kinds are"
    );
    assert_eq!(
        shown(&journal, skills("french, field-mission")).await,
        ids(&[&french, &field]),
        "or is mentioned in the details"
    );
    assert_eq!(
        shown(
            &journal,
            BoardRequest {
                skills: "french, verification".into(),
                location: "Montreal".into(),
                ..request()
            }
        )
        .await,
        Vec::<String>::new(),
        "filters narrow together"
    );
    assert_eq!(
        shown(
            &journal,
            BoardRequest {
                skills: "verification".into(),
                location: "montréal".into(),
                min_reward: "1".into(),
                ..request()
            }
        )
        .await,
        ids(&[&bakery])
    );

    assert_eq!(
        open_kinds(journal.pool(), Mode::Live).await.unwrap(),
        [
            "field_mission",
            "general",
            "photography",
            "translation",
            "verification"
        ],
        "the kinds of every open task of the mode, once each"
    );
}

async fn paging_the_board(journal: Journal) {
    let mut rows = Vec::new();
    for cents in 1..=5 {
        let row = row("survey", "{}", cents);
        insert_task(&journal, &row).await;
        rows.push(row.id);
    }
    rows.reverse();
    let mut seen = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let filter = BoardFilter::parse(
            Mode::Live,
            &BoardRequest {
                cursor: cursor.clone(),
                ..request()
            },
            NOW_US,
        )
        .unwrap()
        .with_limit(2);
        let page = open_tasks(journal.pool(), &filter).await.unwrap();
        pages += 1;
        seen.extend(page.data.iter().map(|t| t.id.to_string()));
        match page.next {
            Some(next) => cursor = next,
            None => break,
        }
    }
    assert_eq!(pages, 3, "2 + 2 + 1");
    assert_eq!(seen, rows, "every task once, newest first");
}

#[test]
fn bad_filters_are_refused_with_the_apis_words() {
    let refused = |request: BoardRequest| match BoardFilter::parse(Mode::Live, &request, NOW_US) {
        Err(QueryError::Invalid(message)) => message,
        other => panic!("{other:?}"),
    };
    assert!(refused(BoardRequest {
        min_reward: "four".into(),
        ..request()
    })
    .starts_with("min_reward: "));
    assert!(refused(BoardRequest {
        min_reward: "1.005".into(),
        ..request()
    })
    .starts_with("min_reward: "));
    assert_eq!(
        refused(BoardRequest {
            assignment: "direct".into(),
            ..request()
        }),
        "assignment must be one of first_accept, apply_select"
    );
    assert!(refused(BoardRequest {
        location: "NY".into(),
        ..request()
    })
    .starts_with("location needs a part"));
    assert_eq!(
        refused(BoardRequest {
            cursor: "not-a-cursor".into(),
            ..request()
        }),
        "cursor is not one this API gave"
    );
    assert_eq!(
        refused(BoardRequest {
            skills: (0..=SKILLS_MAX)
                .map(|i| format!("skill{i}"))
                .collect::<Vec<_>>()
                .join(","),
            ..request()
        }),
        format!("skills must be at most {SKILLS_MAX}")
    );
    assert!(BoardFilter::parse(Mode::Live, &request(), NOW_US).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_filters_in_sql_on_sqlite() {
    let (_directory, journal) = scratch::sqlite().await;
    filtering_the_board(journal).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_filters_in_sql_on_postgres() {
    if let Some((_database, journal)) = scratch::postgres().await {
        filtering_the_board(journal).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_pages_with_a_cursor_on_sqlite() {
    let (_directory, journal) = scratch::sqlite().await;
    paging_the_board(journal).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_pages_with_a_cursor_on_postgres() {
    if let Some((_database, journal)) = scratch::postgres().await {
        paging_the_board(journal).await;
    }
}
