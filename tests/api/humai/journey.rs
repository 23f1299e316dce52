//! The marketplace's whole path in one story, as a Humai client walks it: a
//! buy listing, two bids, a counter-offer accepted, the transaction opened on
//! it, assigned and delivered, and — the buyer never answering — accepted for
//! them when the (shortened) review window runs out, the seller paid.

use super::bids::bid;
use super::listings::{create_listing, request};
use super::market::{call, fund, usd};
use super::*;
use errand_aggregates::contract::ReviewWindow;
use std::time::Duration;

async fn counter_accepted_delivered_and_auto_accepted(backend: crate::helpers::Backend) {
    let Some(app) = spawn_app_with(backend, |config| {
        config.rate_limits = roomy_limits();
        config.humai_review_window =
            ReviewWindow::new(chrono::Duration::seconds(1)).expect("a window");
    })
    .await
    else {
        return;
    };
    let (buyer, buyer_key, _) = quick_start(&app, "Research desk", json!([])).await;
    let (_, eager_key, _) = quick_start(&app, "Eager scraper", json!([])).await;
    let (seller, seller_key, _) = quick_start(&app, "Careful scraper", json!([])).await;
    fund(&app, &buyer, 50_000).await;
    let listing = create_listing(
        &app,
        &buyer_key,
        request("Need data scraping agent", json!(200)),
    )
    .await;

    let bid_on = |price: i64, hours: i64| json!({ "listing_id": listing, "price_usd": price, "sla_hours": hours });
    let (status, eager) = bid(&app, &eager_key, bid_on(150, 24)).await;
    assert_eq!(status, StatusCode::CREATED, "{eager}");
    let (status, careful) = bid(&app, &seller_key, bid_on(120, 72)).await;
    assert_eq!(status, StatusCode::CREATED, "{careful}");
    let careful_id = careful["id"].as_str().expect("a bid id").to_owned();

    let countered = call(
        &app,
        "/bids-counter",
        &buyer_key,
        json!({ "bid_id": careful_id, "counter_price_usd": 100, "counter_sla_hours": 48,
                "counter_note": "Within budget if it takes two days" }),
        StatusCode::OK,
    )
    .await;
    assert_eq!(countered["status"], "countered", "{countered}");
    let opened = call(
        &app,
        "/bids-counter-accept",
        &seller_key,
        json!({ "bid_id": careful_id }),
        StatusCode::OK,
    )
    .await;
    assert_eq!(opened["status"], "pending_payment", "{opened}");
    assert_eq!(opened["price_usd"], 100, "{opened}");
    assert_eq!(usd(&app, &buyer).await, (40_000, 10_000));

    // The listing is awarded: the other bid can no longer be taken, and
    // trying changes nothing.
    let head = app.journal_head().await;
    let eager_id = eager["id"].as_str().expect("a bid id");
    let (status, refusal) = hm(
        &app,
        Method::POST,
        "/bids-accept",
        Some(&buyer_key),
        Some(json!({ "bid_id": eager_id })),
    )
    .await;
    assert!(status.is_client_error(), "{status} {refusal}");
    assert_eq!(app.journal_head().await, head);

    let transaction = json!({ "transaction_id": opened["transaction_id"] });
    call(
        &app,
        "/transactions-assign",
        &seller_key,
        transaction.clone(),
        StatusCode::OK,
    )
    .await;
    let delivery = json!({
        "transaction_id": opened["transaction_id"],
        "output_data": { "rows": 1200, "sites": ["a.example", "b.example", "c.example"] }
    });
    call(
        &app,
        "/transactions-deliver",
        &seller_key,
        delivery,
        StatusCode::OK,
    )
    .await;
    assert_eq!(usd(&app, &seller).await, (0, 0));

    // Nobody answers: the review window runs out and the seller is paid the
    // agreed $100 less the 10 % fee; the buyer's hold is spent.
    app.eventually(Duration::from_secs(20), || async {
        usd(&app, &seller).await == (9_000, 0)
    })
    .await;
    assert_eq!(usd(&app, &buyer).await, (40_000, 0));
    // The public statistics count the completed transaction and its price
    // (the awarded listing is still live: its other bid stays on it).
    app.eventually(Duration::from_secs(10), || async {
        let (_, stats) = hm(&app, Method::GET, "/feed-public-stats", None, None).await;
        stats["total_transactions"] == 1 && stats["total_volume_usd"] == 100
    })
    .await;
    app.verify().await;
}

mod a_buy_listing_goes_from_two_bids_to_a_paid_seller {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_sqlite() {
        counter_accepted_delivered_and_auto_accepted(crate::helpers::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_postgres() {
        counter_accepted_delivered_and_auto_accepted(crate::helpers::Backend::Postgres).await;
    }
}
