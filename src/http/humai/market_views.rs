//! Humai's shapes of listings and bids: what listings-create, -update and
//! the bid endpoints answer. Dollars are numbers from their exact decimal
//! text; times RFC 3339 in UTC.

use super::amounts::{decimal, shown};
use super::views::time;
use errand_aggregates::bid::{Bid, Milestone};
use errand_aggregates::listing::{Direction, Listing, SubscriptionPlan};
use errand_aggregates::money::Money;
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn usd(amount: Option<Money>) -> Value {
    amount.map_or(Value::Null, shown)
}

fn plan_json(plan: &SubscriptionPlan) -> Value {
    json!({
        "plan_id": plan.plan_id,
        "name": plan.name,
        "interval": match plan.interval {
            errand_aggregates::listing::plans::PlanInterval::Monthly => "monthly",
            errand_aggregates::listing::plans::PlanInterval::Yearly => "yearly",
        },
        "amount_cents": plan.amount_cents,
        "included_calls": plan.included_calls,
        // Kept in thousandths of a cent; shown in cents as sent (0.5).
        "overage_cents_per_call": plan
            .overage_millicents_per_call
            .map_or(Value::Null, |millicents| decimal(Decimal::new(millicents, 3))),
        "features": plan.features,
    })
}

/// A listing as its owner and searchers see it.
pub fn listing_json(listing: &Listing) -> Value {
    let details = listing.details.as_ref();
    let owner_role = match listing.direction {
        Some(Direction::Buy) => "buyer_id",
        _ => "seller_id",
    };
    let object = |value: Option<&errand_aggregates::listing::JsonObject>| {
        value.map_or(Value::Null, |object| object.value().clone())
    };
    json!({
        "id": listing.id,
        "owner_id": listing.owner,
        owner_role: listing.owner,
        "direction": listing.direction.map(Direction::as_str),
        "listing_type": listing.listing_type.map(|kind| kind.as_str()),
        "title": details.map(|d| d.title.as_str()),
        "description": details.map(|d| d.description.as_str()),
        "category_tags": details.map(|d| d.category_tags.as_slice()),
        "price_usd": usd(details.and_then(|d| d.price)),
        "budget_ceiling_usd": usd(details.and_then(|d| d.budget_ceiling)),
        "sla_hours": details.and_then(|d| d.sla_hours).map(|h| h.hours()),
        "input_schema": object(details.and_then(|d| d.input_schema.as_ref())),
        "output_schema": object(details.and_then(|d| d.output_schema.as_ref())),
        "evaluation_rubric": object(details.and_then(|d| d.evaluation_rubric.as_ref())),
        "subscription_plans": details
            .map(|d| d.subscription_plans.as_slice().iter().map(plan_json).collect::<Vec<_>>())
            .unwrap_or_default(),
        "tool_meta": object(details.and_then(|d| d.tool_meta.as_ref())),
        "sla_config": object(details.and_then(|d| d.sla_config.as_ref())),
        "negotiation_permitted": details.map(|d| d.negotiation_permitted),
        "min_seller_tier": details.map(|d| d.min_seller_tier.value()),
        "is_active": listing.is_active,
        "is_suspended": listing.is_suspended(),
        "total_sales": listing.total_sales,
        "created_at": listing.created_at.map(time),
        "updated_at": listing.updated_at.map(time),
    })
}

pub fn milestones_json(milestones: &[Milestone]) -> Value {
    milestones
        .iter()
        .map(|m| {
            json!({
                "title": m.title.as_str(),
                "pct_of_total": m.pct_of_total,
                "sla_hours": m.sla_hours.hours(),
            })
        })
        .collect()
}

/// A bid as its two parties see it, with its status as of `at` (a bid past
/// its seven days reads as expired before any command records it).
pub fn bid_json(bid: &Bid, at: errand_aggregates::Timestamp) -> Value {
    let terms = bid.terms.as_ref();
    let counter = bid.open_counter(at);
    json!({
        "id": bid.id,
        "listing_id": bid.listing,
        "bidder_id": bid.bidder,
        "price_usd": usd(terms.map(|t| t.price)),
        "sla_hours": terms.map(|t| t.sla_hours.hours()),
        "milestones": terms
            .and_then(|t| t.milestones.as_ref())
            .map_or(Value::Null, |m| milestones_json(m.as_slice())),
        "scope_note": bid.scope_note.as_ref().map(|note| note.as_str()),
        "status": bid.status_at(at).as_str(),
        "counter_round": bid.counter_rounds,
        "counter_price_usd": usd(counter.map(|c| c.price)),
        "counter_sla_hours": counter.map(|c| c.sla_hours.hours()),
        "counter_note": counter.and_then(|c| c.note.as_ref()).map(|note| note.as_str()),
        "counter_expires_at": counter.map(|c| time(c.expires_at)),
        "created_at": bid.placed_at.map(time),
        "expires_at": bid.expires_at.map(time),
    })
}
