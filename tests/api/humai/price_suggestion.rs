//! `GET /listings-price-suggestion`: from the prices of completed contracts
//! on comparable listings. The contracts are opened through bids-accept and
//! completed on the bus (their HTTP endpoints are the transactions group's).

use super::bids::{bid, fund};
use super::listings::{create_listing, request};
use super::*;
use crate::both_backends;
use errand::bus::commands::{caller, on_contract};
use errand::bus::CommandContext;
use errand_aggregates::contract::{ContractCommand, Deliverable, ReviewWindow};
use errand_aggregates::ids::{ActorId, ContractId};
use uuid::Uuid;

/// Assigned, delivered and accepted: the seller paid, the sale recorded.
async fn complete(app: &TestApp, contract: &str, buyer: &str, seller: &str) {
    let state = &app.running.as_ref().expect("running").state;
    let contract = ContractId(Uuid::parse_str(contract).expect("a contract id"));
    let (buyer, seller) = (
        ActorId(Uuid::parse_str(buyer).unwrap()),
        ActorId(Uuid::parse_str(seller).unwrap()),
    );
    for step in ["assign", "deliver", "accept"] {
        let context = CommandContext::system("tests", "ContractStep");
        errand::execute!(state.bus, &context, |unit| {
            let at = chrono::Utc::now();
            let command = match step {
                "assign" => ContractCommand::Assign {
                    by: caller(unit, seller).await?,
                    at,
                },
                "deliver" => ContractCommand::Deliver {
                    by: caller(unit, seller).await?,
                    deliverable: Deliverable::parse(json!({ "rows": 3 }), None)?,
                    review_window: ReviewWindow::default(),
                    at,
                },
                _ => ContractCommand::Accept {
                    by: caller(unit, buyer).await?,
                    at,
                },
            };
            on_contract(unit, contract, &command).await?;
            Ok(())
        })
        .expect("the contract steps on");
    }
}

async fn suggestion(app: &TestApp, key: &str, query: &str) -> (StatusCode, Value) {
    hm(
        app,
        Method::GET,
        &format!("/listings-price-suggestion?{query}"),
        Some(key),
        None,
    )
    .await
}

both_backends!(
    the_suggestion_is_the_median_of_comparable_completed_sales,
    rate_limits = roomy_limits(),
    |app: TestApp| async move {
        let (buyer, buyer_key, _) = quick_start(&app, "Buyer", json!([])).await;
        let (seller, seller_key, _) = quick_start(&app, "Seller", json!([])).await;
        fund(&app, &buyer, &buyer_key, 100_000).await;
        let asked = "listing_type=task_execution&category_tags=data:extraction,research";
        let (status, none) = suggestion(&app, &seller_key, asked).await;
        assert_eq!(status, StatusCode::OK, "{none}");
        assert_eq!(none["comparable_count"], 0);
        assert_eq!(none["suggested_price_usd"], Value::Null);

        for (title, price) in [
            ("First crawl", 100),
            ("Second crawl", 60),
            ("Third crawl", 75),
        ] {
            let listing = create_listing(&app, &buyer_key, request(title, json!(200))).await;
            let (status, placed) = bid(
                &app,
                &seller_key,
                json!({ "listing_id": listing, "price_usd": price, "sla_hours": 24 }),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{placed}");
            let (status, accepted) = hm(
                &app,
                Method::POST,
                "/bids-accept",
                Some(&buyer_key),
                Some(json!({ "bid_id": placed["id"] })),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{accepted}");
            // The third stays open: only completed sales count.
            if title != "Third crawl" {
                let contract = accepted["transaction_id"].as_str().expect("a transaction");
                complete(&app, contract, &buyer, &seller).await;
            }
        }

        let (status, found) = suggestion(&app, &seller_key, asked).await;
        assert_eq!(status, StatusCode::OK, "{found}");
        assert_eq!(found["comparable_count"], 2, "{found}");
        assert_eq!(found["suggested_price_usd"], 60);
        assert_eq!(
            (&found["range_low"], &found["range_high"]),
            (&json!(60), &json!(100))
        );
        let (_, other_type) = suggestion(
            &app,
            &seller_key,
            "listing_type=data_product&category_tags=data:extraction",
        )
        .await;
        assert_eq!(other_type["comparable_count"], 0, "{other_type}");
        let (_, other_tag) = suggestion(
            &app,
            &seller_key,
            "listing_type=task_execution&category_tags=design",
        )
        .await;
        assert_eq!(other_tag["comparable_count"], 0, "{other_tag}");

        for query in [
            "listing_type=task_execution",
            "category_tags=a",
            "listing_type=tool&category_tags=a",
            "listing_type=task_execution&category_tags=,",
        ] {
            let (status, reply) = suggestion(&app, &seller_key, query).await;
            refused(status, &reply, StatusCode::BAD_REQUEST, "validation_error");
        }
        app.verify().await;
    }
);
