//! Humai's transactions: `POST /transactions-create` (a sell listing bought
//! outright; an agent names the transaction it buys for), `/subcontracts-create`
//! (a child of a transaction the caller sells), `/transactions-assign`,
//! `/transactions-deliver`, `/transactions-accept`, `/transactions-dispute`
//! and `GET /transactions-chain`. Each is a `Contract` command on the bus;
//! the contract, its listing, its parent and the buyer's account decide.

use super::amounts;
use super::errors::{HumaiError, HumaiResult};
use super::extract::{Body, Caller, HumaiQuery};
use super::transaction_views::{contract_id, dispute_json, listing_id, transaction_json};
use crate::bus::commands::{self, NewDispute, NewPurchase};
use crate::http::auth::Principal;
use crate::http::extract::CommandMeta;
use crate::http::respond;
use crate::http::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use errand_aggregates::actor::Actor;
use errand_aggregates::contract::{Contract, ContractCommand, Deliverable};
use errand_aggregates::ids::{ActorId, ContractId, DisputeId};
use serde::Deserialize;
use serde_json::{json, Number, Value};
use std::collections::{BTreeMap, VecDeque};
use uuid::Uuid;

/// Transactions one chain lists at most: a chain is at most 4 levels deep,
/// and each level's children share its price, so real chains are short.
pub const CHAIN_TRANSACTIONS_MAX: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/transactions-create", post(create))
        .route("/subcontracts-create", post(subcontract))
        .route("/transactions-assign", post(assign))
        .route("/transactions-deliver", post(deliver))
        .route("/transactions-accept", post(accept))
        .route("/transactions-dispute", post(dispute))
        .route("/transactions-chain", get(chain))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    pub listing_id: String,
    pub parent_transaction_id: Option<String>,
}

async fn create(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<CreateRequest>,
) -> HumaiResult<Response> {
    let body = &request.body;
    let parent = body
        .parent_transaction_id
        .as_deref()
        .map(|id| contract_id("parent_transaction_id", id))
        .transpose()?;
    let purchase = purchase(
        &app,
        &principal,
        listing_id(&body.listing_id)?,
        parent,
        None,
    );
    buy(
        &app,
        &principal,
        &request.meta,
        purchase,
        "CreateTransaction",
    )
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubcontractRequest {
    pub parent_transaction_id: String,
    pub listing_id: String,
    /// The most the caller means to pay for this part of the work.
    pub price_usd: Option<Number>,
}

async fn subcontract(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<SubcontractRequest>,
) -> HumaiResult<Response> {
    let body = &request.body;
    let parent = contract_id("parent_transaction_id", &body.parent_transaction_id)?;
    let budget = body
        .price_usd
        .as_ref()
        .map(|price| amounts::usd("price_usd", price))
        .transpose()?;
    let purchase = purchase(
        &app,
        &principal,
        listing_id(&body.listing_id)?,
        Some(parent),
        budget,
    );
    buy(
        &app,
        &principal,
        &request.meta,
        purchase,
        "CreateSubcontract",
    )
    .await
}

fn purchase(
    app: &AppState,
    principal: &Principal,
    listing_id: errand_aggregates::ids::ListingId,
    parent: Option<ContractId>,
    budget: Option<errand_aggregates::money::Money>,
) -> NewPurchase {
    NewPurchase {
        contract_id: ContractId(Uuid::now_v7()),
        buyer: principal.actor_id,
        mode: principal.mode,
        listing_id,
        parent,
        budget,
        fee: app.config.humai_fee,
        at: Utc::now(),
    }
}

async fn buy(
    app: &AppState,
    principal: &Principal,
    meta: &CommandMeta,
    purchase: NewPurchase,
    command: &'static str,
) -> HumaiResult<Response> {
    let context = meta.context(principal, command, 201);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let contract = commands::buy_listing(unit, &purchase).await?;
        Ok(transaction_json(&contract))
    })?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransactionRequest {
    pub transaction_id: String,
}

async fn assign(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<TransactionRequest>,
) -> HumaiResult<Response> {
    let id = contract_id("transaction_id", &request.body.transaction_id)?;
    let at = Utc::now();
    step(
        &app,
        &principal,
        &request.meta,
        id,
        "AssignTransaction",
        |by| ContractCommand::Assign { by, at },
    )
    .await
}

async fn accept(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<TransactionRequest>,
) -> HumaiResult<Response> {
    let id = contract_id("transaction_id", &request.body.transaction_id)?;
    let at = Utc::now();
    step(
        &app,
        &principal,
        &request.meta,
        id,
        "AcceptTransaction",
        |by| ContractCommand::Accept { by, at },
    )
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverRequest {
    pub transaction_id: String,
    pub output_data: Value,
    pub output_storage_path: Option<String>,
}

async fn deliver(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<DeliverRequest>,
) -> HumaiResult<Response> {
    let body = &request.body;
    let id = contract_id("transaction_id", &body.transaction_id)?;
    let deliverable = Deliverable::parse(
        body.output_data.clone(),
        body.output_storage_path.as_deref(),
    )?;
    let review_window = app.config.humai_review_window;
    let at = Utc::now();
    step(
        &app,
        &principal,
        &request.meta,
        id,
        "DeliverTransaction",
        |by| ContractCommand::Deliver {
            by,
            deliverable: deliverable.clone(),
            review_window,
            at,
        },
    )
    .await
}

/// One contract command by the caller, answered with the transaction after it.
pub(crate) async fn step(
    app: &AppState,
    principal: &Principal,
    meta: &CommandMeta,
    contract_id: ContractId,
    command_name: &'static str,
    command: impl Fn(errand_aggregates::actor::Caller) -> ContractCommand,
) -> HumaiResult<Response> {
    let context = meta.context(principal, command_name, 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let contract =
            commands::on_contract_in(unit, contract_id, principal.mode, &command(by)).await?;
        Ok(transaction_json(&contract))
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisputeRequest {
    pub transaction_id: String,
    pub dispute_reason: String,
}

async fn dispute(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<DisputeRequest>,
) -> HumaiResult<Response> {
    let body = &request.body;
    let id = contract_id("transaction_id", &body.transaction_id)?;
    open_dispute(
        &app,
        &principal,
        &request.meta,
        id,
        None,
        &body.dispute_reason,
    )
    .await
}

/// Opens a dispute over a delivery (`sequence`: a milestone's); the
/// transaction's escrow stays held until an admin resolves it.
pub(crate) async fn open_dispute(
    app: &AppState,
    principal: &Principal,
    meta: &CommandMeta,
    contract_id: ContractId,
    sequence: Option<u32>,
    reason: &str,
) -> HumaiResult<Response> {
    let new = NewDispute {
        dispute_id: DisputeId(Uuid::now_v7()),
        contract_id,
        mode: principal.mode,
        sequence,
        reason: reason.to_owned(),
        by: principal.actor_id,
        at: Utc::now(),
    };
    let context = meta.context(principal, "OpenDispute", 201);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let (dispute, contract) = commands::open_dispute(unit, &new).await?;
        Ok(dispute_json(&dispute, &contract))
    })?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainQuery {
    pub transaction_id: String,
}

/// The whole chain of the transaction named, root first, level by level.
/// Only someone who buys or sells in the chain (or an admin) sees it.
async fn chain(
    State(app): State<AppState>,
    Caller(principal): Caller,
    HumaiQuery(query): HumaiQuery<ChainQuery>,
) -> HumaiResult<Json<Value>> {
    let named = contract_id("transaction_id", &query.transaction_id)?;
    let contract = load_contract(&app, named, &principal).await?;
    let root = contract
        .root
        .ok_or_else(|| HumaiError::not_found("transaction"))?;
    let mut chain = Vec::new();
    let mut queue = VecDeque::from([root]);
    while let Some(id) = queue.pop_front() {
        if chain.len() >= CHAIN_TRANSACTIONS_MAX {
            break;
        }
        let (contract, _) = app
            .bus
            .load::<Contract>(&commands::contract_stream(id))
            .await?;
        queue.extend(contract.children.iter().copied());
        chain.push(contract);
    }
    let parties: Vec<ActorId> = chain
        .iter()
        .flat_map(|c| [c.buyer.as_ref(), c.seller.as_ref()])
        .flatten()
        .map(|party| party.actor)
        .collect();
    if !principal.is_admin() && !parties.contains(&principal.actor_id) {
        return Err(HumaiError::not_found("transaction"));
    }
    let mut names = BTreeMap::new();
    for actor in parties {
        if let std::collections::btree_map::Entry::Vacant(entry) = names.entry(actor) {
            let (loaded, _) = app
                .bus
                .load::<Actor>(&commands::actor_stream(actor))
                .await?;
            entry.insert(loaded.name);
        }
    }
    let name = |party: Option<&errand_aggregates::contract::Party>| {
        party.and_then(|p| names.get(&p.actor)).cloned()
    };
    let rows: Vec<Value> = chain
        .iter()
        .map(|c| {
            json!({
                "transaction_id": c.id,
                "depth": c.depth,
                "parent_transaction_id": c.parent,
                "buyer": name(c.buyer.as_ref()),
                "buyer_id": c.buyer.as_ref().map(|p| p.actor),
                "seller": name(c.seller.as_ref()),
                "seller_id": c.seller.as_ref().map(|p| p.actor),
                "price_usd": amounts::shown(c.price),
                "status": c.status.as_str(),
            })
        })
        .collect();
    Ok(Json(json!({ "chain": rows })))
}

/// A transaction the caller's mode can see, folded from its stream.
async fn load_contract(
    app: &AppState,
    contract_id: ContractId,
    principal: &Principal,
) -> HumaiResult<Contract> {
    let (contract, _) = app
        .bus
        .load::<Contract>(&commands::contract_stream(contract_id))
        .await?;
    if contract.id.is_none() || contract.mode != principal.mode {
        return Err(HumaiError::not_found("transaction"));
    }
    Ok(contract)
}
