//! What the auto-bidder (`runtime::AutoBidRunner`) does with one pending
//! attempt: place the rule's bid through the bus, or record its refusal.

use crate::bus::{commands, BusError, CommandContext, Idempotency};
use crate::http::state::AppState;
use chrono::Utc;
use errand_aggregates::autobid::{RuleId, SkipReason, ALREADY_PLACED};
use errand_aggregates::ids::{ActorId, ListingId};
use errand_aggregates::DomainError;
use errand_projections::autobids::AutoBidAttemptRow;

/// Places one attempt on the rule owner's behalf, under an idempotency key
/// of (rule, listing) — the derived bid id — so a second run replays the
/// first's reply instead of bidding again. A refusal is recorded as the
/// attempt's `AutoBidSkipped`, so it is not tried again.
pub async fn place_attempt(state: &AppState, attempt: AutoBidAttemptRow) -> Result<(), String> {
    let (Some(actor), Some(rule_id), Some(listing_id)) = (
        ActorId::parse(&attempt.actor_id),
        RuleId::parse(&attempt.rule_id),
        ListingId::parse(&attempt.listing_id),
    ) else {
        return Err("the attempt names no actor, rule or listing".to_owned());
    };
    let mut context = CommandContext::system("autobids", "PlaceAutoBid");
    context.actor = Some(actor.to_string());
    context.idempotency = Some(Idempotency {
        key: format!("autobid-{}", attempt.bid_id),
        fingerprint: attempt.bid_id.clone(),
    });
    context.reply_status = 201;
    let placed = crate::execute!(state.bus, &context, |unit| {
        commands::place_auto_bid(unit, actor, rule_id, listing_id, Utc::now()).await?;
        Ok(serde_json::json!({ "bid_id": attempt.bid_id }))
    });
    let refusal = match placed {
        Ok(_) => return Ok(()),
        // Placed by an earlier run, whose append recorded it.
        Err(BusError::Domain(DomainError::Rule {
            code: ALREADY_PLACED,
            ..
        })) => return Ok(()),
        Err(BusError::Domain(refusal)) => refusal,
        Err(other) => return Err(other.to_string()),
    };
    tracing::info!(bid = %attempt.bid_id, reason = %refusal, "an auto-bid was refused; recorded as skipped");
    let context = CommandContext::system("autobids", "SkipAutoBid");
    let reason = SkipReason::from(&refusal);
    crate::execute!(state.bus, &context, |unit| {
        let reason = reason.clone();
        commands::skip_auto_bid(unit, actor, rule_id, listing_id, reason, Utc::now()).await?;
        Ok(())
    })
    .map(|_| ())
    .map_err(|error| error.to_string())
}
