//! The caller's own listings: `POST /listings-create` (sell offers and buy
//! requests, tools with their plans), `PUT /listings-update` (the fields
//! given; the owner only) and `POST /listings-deactivate` (for good). The
//! fields are parsed here into the domain's types, each with the seed's
//! bounds; the `Listing` aggregate decides the rules across fields and who
//! may act.

use super::amounts::usd;
use super::errors::{HumaiError, HumaiResult};
use super::extract::{Body, Caller};
use super::market_views::listing_json;
use crate::bus::commands;
use crate::http::respond;
use crate::http::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{post, put};
use axum::Router;
use chrono::Utc;
use errand_aggregates::ids::ListingId;
use errand_aggregates::listing::{
    CategoryTags, Description, Direction, JsonObject, ListingAction, ListingChanges,
    ListingDetails, ListingType, NewListing, PlanInput, SlaHours, SubscriptionPlans, Tier, Title,
};
use errand_aggregates::money::Money;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Number, Value};
use std::str::FromStr;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/listings-create", post(create))
        .route("/listings-update", put(update))
        .route("/listings-deactivate", post(deactivate))
}

/// One subscription plan as sent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    pub plan_id: String,
    pub name: String,
    pub interval: String,
    pub amount_cents: i64,
    pub included_calls: i64,
    pub overage_cents_per_call: Option<Number>,
    #[serde(default)]
    pub features: Vec<String>,
}

fn plans(requests: &[PlanRequest]) -> HumaiResult<SubscriptionPlans> {
    let inputs = requests
        .iter()
        .map(|plan| {
            let overage = plan
                .overage_cents_per_call
                .as_ref()
                .map(|cents| {
                    // From the number's text, never through a float.
                    Decimal::from_str(&cents.to_string()).map_err(|_| {
                        HumaiError::validation("overage_cents_per_call must be a decimal number")
                    })
                })
                .transpose()?;
            Ok(PlanInput {
                plan_id: plan.plan_id.clone(),
                name: plan.name.clone(),
                interval: plan.interval.clone(),
                amount_cents: plan.amount_cents,
                included_calls: plan.included_calls,
                overage_cents_per_call: overage,
                features: plan.features.clone(),
            })
        })
        .collect::<HumaiResult<Vec<_>>>()?;
    Ok(SubscriptionPlans::parse(&inputs)?)
}

fn object(value: Option<&Value>, field: &str) -> HumaiResult<Option<JsonObject>> {
    Ok(value
        .map(|value| JsonObject::parse(value.clone(), field))
        .transpose()?)
}

fn money(value: Option<&Number>, field: &str) -> HumaiResult<Option<Money>> {
    value.map(|amount| usd(field, amount)).transpose()
}

/// The listing named by `listing_id`.
pub fn listing_id(text: &str) -> HumaiResult<ListingId> {
    Uuid::parse_str(text.trim())
        .map(ListingId)
        .map_err(|_| HumaiError::validation("listing_id must be a UUID"))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    pub direction: String,
    pub listing_type: String,
    pub title: String,
    pub description: String,
    pub category_tags: Vec<String>,
    pub price_usd: Option<Number>,
    pub budget_ceiling_usd: Option<Number>,
    pub sla_hours: Option<i64>,
    pub input_schema: Option<Value>,
    pub output_schema: Option<Value>,
    pub evaluation_rubric: Option<Value>,
    pub subscription_plans: Option<Vec<PlanRequest>>,
    pub tool_meta: Option<Value>,
    pub sla_config: Option<Value>,
    /// Whether bids may be countered; the seed's default is yes.
    pub negotiation_permitted: Option<bool>,
    pub min_seller_tier: Option<i64>,
}

impl CreateRequest {
    fn parse(&self) -> HumaiResult<NewListing> {
        Ok(NewListing {
            listing_id: ListingId(Uuid::now_v7()),
            direction: Direction::parse(&self.direction)?,
            listing_type: ListingType::parse(&self.listing_type)?,
            details: ListingDetails {
                title: Title::parse(&self.title)?,
                description: Description::parse(&self.description)?,
                category_tags: CategoryTags::parse(&self.category_tags)?,
                price: money(self.price_usd.as_ref(), "price_usd")?,
                budget_ceiling: money(self.budget_ceiling_usd.as_ref(), "budget_ceiling_usd")?,
                sla_hours: self.sla_hours.map(SlaHours::parse).transpose()?,
                input_schema: object(self.input_schema.as_ref(), "input_schema")?,
                output_schema: object(self.output_schema.as_ref(), "output_schema")?,
                evaluation_rubric: object(self.evaluation_rubric.as_ref(), "evaluation_rubric")?,
                subscription_plans: plans(self.subscription_plans.as_deref().unwrap_or_default())?,
                tool_meta: object(self.tool_meta.as_ref(), "tool_meta")?,
                sla_config: object(self.sla_config.as_ref(), "sla_config")?,
                negotiation_permitted: self.negotiation_permitted.unwrap_or(true),
                min_seller_tier: Tier::parse(self.min_seller_tier.unwrap_or(0))?,
            },
        })
    }
}

async fn create(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<CreateRequest>,
) -> HumaiResult<Response> {
    let new = request.body.parse()?;
    let context = request.meta.context(&principal, "CreateListing", 201);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let listing =
            commands::create_listing(unit, by, principal.mode, new.clone(), Utc::now()).await?;
        Ok(listing_json(&listing))
    })?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    pub listing_id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub category_tags: Option<Vec<String>>,
    pub price_usd: Option<Number>,
    pub budget_ceiling_usd: Option<Number>,
    pub sla_hours: Option<i64>,
    pub input_schema: Option<Value>,
    pub output_schema: Option<Value>,
    pub evaluation_rubric: Option<Value>,
    pub subscription_plans: Option<Vec<PlanRequest>>,
    pub tool_meta: Option<Value>,
    pub sla_config: Option<Value>,
    pub negotiation_permitted: Option<bool>,
    pub min_seller_tier: Option<i64>,
}

impl UpdateRequest {
    fn changes(&self) -> HumaiResult<ListingChanges> {
        Ok(ListingChanges {
            title: self.title.as_deref().map(Title::parse).transpose()?,
            description: self
                .description
                .as_deref()
                .map(Description::parse)
                .transpose()?,
            category_tags: self
                .category_tags
                .as_deref()
                .map(CategoryTags::parse)
                .transpose()?,
            price: money(self.price_usd.as_ref(), "price_usd")?,
            budget_ceiling: money(self.budget_ceiling_usd.as_ref(), "budget_ceiling_usd")?,
            sla_hours: self.sla_hours.map(SlaHours::parse).transpose()?,
            input_schema: object(self.input_schema.as_ref(), "input_schema")?,
            output_schema: object(self.output_schema.as_ref(), "output_schema")?,
            evaluation_rubric: object(self.evaluation_rubric.as_ref(), "evaluation_rubric")?,
            subscription_plans: self.subscription_plans.as_deref().map(plans).transpose()?,
            tool_meta: object(self.tool_meta.as_ref(), "tool_meta")?,
            sla_config: object(self.sla_config.as_ref(), "sla_config")?,
            negotiation_permitted: self.negotiation_permitted,
            min_seller_tier: self.min_seller_tier.map(Tier::parse).transpose()?,
        })
    }
}

async fn update(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<UpdateRequest>,
) -> HumaiResult<Response> {
    let listing_id = listing_id(&request.body.listing_id)?;
    let changes = request.body.changes()?;
    let context = request.meta.context(&principal, "UpdateListing", 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let action = ListingAction::Update(Box::new(changes.clone()));
        let stream = commands::listing_stream(listing_id);
        let listing =
            commands::on_listing(unit, by, principal.mode, &stream, action, Utc::now()).await?;
        Ok(listing_json(&listing))
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeactivateRequest {
    pub listing_id: String,
}

async fn deactivate(
    State(app): State<AppState>,
    Caller(principal): Caller,
    request: Body<DeactivateRequest>,
) -> HumaiResult<Response> {
    let listing_id = listing_id(&request.body.listing_id)?;
    let context = request.meta.context(&principal, "DeactivateListing", 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let stream = commands::listing_stream(listing_id);
        let listing = commands::on_listing(
            unit,
            by,
            principal.mode,
            &stream,
            ListingAction::Deactivate,
            Utc::now(),
        )
        .await?;
        Ok(listing_json(&listing))
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}
