//! Bidding: `POST /bids-create`, `/bids-accept`, `/bids-reject`,
//! `/bids-counter`, `/bids-counter-accept`, `/bids-counter-reject` and
//! `/batch-bids`. The `Bid` and `Listing` aggregates decide; accepting a
//! bid or a counter opens the contract (the seed's transaction) in the same
//! append, the buyer's price held in escrow (`bus::commands::bids`).
//!
//! Choices where the seed is silent:
//! - An acceptance answers `{transaction_id, status: "pending_payment"}`
//!   with the price, fee and payout; no `stripe_payment_intent_id`, since
//!   the price is held from the buyer's balance, not charged to a card.
//! - `batch-bids` takes at most [`BATCH_MAX`] bids, each placed in its own
//!   append: one refused leaves the others placed. Its items are not
//!   covered by an `Idempotency-Key`; sent again, each answers `already_bid`.

use super::amounts::{shown, usd};
use super::errors::{HumaiError, HumaiResult};
use super::extract::{Body, Caller};
use super::market_views::bid_json;
use crate::bus::commands::{self, BidAnswer, BidOutcome, NewBid};
use crate::http::auth::Principal;
use crate::http::extract::CommandMeta;
use crate::http::respond;
use crate::http::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::{Json, Router};
use chrono::Utc;
use errand_aggregates::bid::{CounterNote, MilestoneInput, Milestones, ScopeNote, Terms};
use errand_aggregates::contract::Contract;
use errand_aggregates::ids::BidId;
use errand_aggregates::listing::SlaHours;
use serde::Deserialize;
use serde_json::{json, Number, Value};
use uuid::Uuid;

/// Bids per batch call: an agent's sweep over a page of requests (search
/// pages hold 50), each its own append.
pub const BATCH_MAX: usize = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bids-create", post(create))
        .route("/bids-accept", post(accept))
        .route("/bids-reject", post(reject))
        .route("/bids-counter", post(counter))
        .route("/bids-counter-accept", post(accept_counter))
        .route("/bids-counter-reject", post(reject_counter))
        .route("/batch-bids", post(batch))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneRequest {
    pub title: String,
    pub pct_of_total: i64,
    pub sla_hours: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BidRequest {
    pub listing_id: String,
    pub price_usd: Number,
    pub sla_hours: i64,
    pub scope_note: Option<String>,
    pub milestone_pricing: Option<bool>,
    pub milestones: Option<Vec<MilestoneRequest>>,
}

impl BidRequest {
    fn parse(&self) -> HumaiResult<NewBid> {
        let milestones = match (self.milestone_pricing.unwrap_or(false), &self.milestones) {
            (true, Some(milestones)) => {
                let inputs: Vec<MilestoneInput> = milestones
                    .iter()
                    .map(|m| MilestoneInput {
                        title: m.title.clone(),
                        pct_of_total: m.pct_of_total,
                        sla_hours: m.sla_hours,
                    })
                    .collect();
                Some(Milestones::parse(&inputs)?)
            }
            (true, None) => {
                return Err(HumaiError::validation(
                    "milestone_pricing is true: send the milestones",
                ))
            }
            (false, Some(_)) => {
                return Err(HumaiError::validation(
                    "milestones are sent with milestone_pricing: true",
                ))
            }
            (false, None) => None,
        };
        Ok(NewBid {
            bid_id: BidId(Uuid::now_v7()),
            listing_id: super::listings::listing_id(&self.listing_id)?,
            terms: Terms {
                price: usd("price_usd", &self.price_usd)?,
                sla_hours: SlaHours::parse(self.sla_hours)?,
                milestones,
            },
            scope_note: self
                .scope_note
                .as_deref()
                .map(ScopeNote::parse)
                .transpose()?,
        })
    }
}

/// Places one bid in its own append.
async fn place(
    app: &AppState,
    principal: &Principal,
    meta: &CommandMeta,
    new: NewBid,
) -> HumaiResult<Response> {
    let context = meta.context(principal, "PlaceBid", 201);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let at = Utc::now();
        let bid = commands::place_bid(unit, by, principal.mode, new.clone(), at).await?;
        Ok(bid_json(&bid, at))
    })?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

async fn create(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<BidRequest>,
) -> HumaiResult<Response> {
    let new = request.body.parse()?;
    place(&app, &principal, &request.meta, new).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BidRef {
    pub bid_id: String,
}

fn bid_id(text: &str) -> HumaiResult<BidId> {
    Uuid::parse_str(text.trim())
        .map(BidId)
        .map_err(|_| HumaiError::validation("bid_id must be a UUID"))
}

/// The seed's transaction reply for an acceptance.
fn transaction_json(bid: BidId, contract: &Contract) -> Value {
    let split = contract
        .fee_policy
        .and_then(|fee| fee.split(contract.price).ok());
    json!({
        "transaction_id": contract.id,
        "status": contract.status.as_str(),
        "bid_id": bid,
        "listing_id": contract.listing_id,
        "price_usd": shown(contract.price),
        "platform_fee_usd": split.map_or(Value::Null, |s| shown(s.fee)),
        "seller_payout_usd": split.map_or(Value::Null, |s| shown(s.payee)),
        "sla_hours": contract.sla_hours,
    })
}

/// Answers a bid; `reply` shapes what the answer left.
async fn answer(
    app: &AppState,
    principal: &Principal,
    (bid, meta): (&str, &CommandMeta),
    command: &'static str,
    answer: BidAnswer,
    reply: fn(BidId, &BidOutcome, chrono::DateTime<Utc>) -> Value,
) -> HumaiResult<Response> {
    let bid = bid_id(bid)?;
    let context = meta.context(principal, command, 200);
    let fee = app.config.humai_fee;
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let at = Utc::now();
        let outcome =
            commands::on_bid(unit, by, principal.mode, bid, answer.clone(), fee, at).await?;
        Ok(reply(bid, &outcome, at))
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}

fn opened(bid: BidId, outcome: &BidOutcome, at: chrono::DateTime<Utc>) -> Value {
    match &outcome.contract {
        Some(contract) => transaction_json(bid, contract),
        None => bid_json(&outcome.bid, at),
    }
}

fn answered(_: BidId, outcome: &BidOutcome, at: chrono::DateTime<Utc>) -> Value {
    bid_json(&outcome.bid, at)
}

async fn accept(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<BidRef>,
) -> HumaiResult<Response> {
    answer(
        &app,
        &principal,
        (&request.body.bid_id, &request.meta),
        "AcceptBid",
        BidAnswer::Accept,
        opened,
    )
    .await
}

async fn reject(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<BidRef>,
) -> HumaiResult<Response> {
    answer(
        &app,
        &principal,
        (&request.body.bid_id, &request.meta),
        "RejectBid",
        BidAnswer::Reject,
        answered,
    )
    .await
}

async fn accept_counter(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<BidRef>,
) -> HumaiResult<Response> {
    answer(
        &app,
        &principal,
        (&request.body.bid_id, &request.meta),
        "AcceptCounter",
        BidAnswer::AcceptCounter,
        opened,
    )
    .await
}

async fn reject_counter(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<BidRef>,
) -> HumaiResult<Response> {
    answer(
        &app,
        &principal,
        (&request.body.bid_id, &request.meta),
        "RejectCounter",
        BidAnswer::RejectCounter,
        answered,
    )
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterRequest {
    pub bid_id: String,
    pub counter_price_usd: Number,
    pub counter_sla_hours: i64,
    pub counter_note: Option<String>,
}

async fn counter(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<CounterRequest>,
) -> HumaiResult<Response> {
    let body = &request.body;
    let answer_given = BidAnswer::Counter {
        price: usd("counter_price_usd", &body.counter_price_usd)?,
        sla_hours: SlaHours::parse(body.counter_sla_hours)?,
        note: body
            .counter_note
            .as_deref()
            .map(CounterNote::parse)
            .transpose()?,
    };
    answer(
        &app,
        &principal,
        (&body.bid_id, &request.meta),
        "CounterBid",
        answer_given,
        answered,
    )
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    pub bids: Vec<Value>,
}

/// One item's result: the bid placed, or the refusal's code and message.
async fn batch_item(
    app: &AppState,
    principal: &Principal,
    meta: &CommandMeta,
    item: Value,
) -> Value {
    let listing_id = item.get("listing_id").cloned().unwrap_or(Value::Null);
    let refusal = |error: HumaiError| json!({ "listing_id": listing_id, "error": error.code(), "message": error.to_string() });
    let request: BidRequest = match serde_json::from_value(item.clone()) {
        Ok(request) => request,
        Err(error) => return refusal(HumaiError::validation(error.to_string())),
    };
    let new = match request.parse() {
        Ok(new) => new,
        Err(error) => return refusal(error),
    };
    let mut context = meta.context(principal, "PlaceBid", 201);
    // Each item is its own command: an Idempotency-Key would tie them together.
    context.idempotency = None;
    let placed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let bid = commands::place_bid(unit, by, principal.mode, new.clone(), Utc::now()).await?;
        Ok(bid.id)
    });
    match placed.map_err(HumaiError::from) {
        Ok(crate::bus::Executed::Done { reply, .. }) => {
            json!({ "listing_id": listing_id, "bid_id": reply, "status": "created" })
        }
        Ok(_) => refusal(HumaiError::validation("the bid was not placed")),
        Err(error) => refusal(error),
    }
}

async fn batch(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<BatchRequest>,
) -> HumaiResult<Json<Value>> {
    let items = &request.body.bids;
    if items.is_empty() || items.len() > BATCH_MAX {
        return Err(HumaiError::validation(format!(
            "bids holds 1 to {BATCH_MAX} bids"
        )));
    }
    let mut results = Vec::with_capacity(items.len());
    for item in items {
        results.push(batch_item(&app, &principal, &request.meta, item.clone()).await);
    }
    Ok(Json(json!({ "results": results })))
}
