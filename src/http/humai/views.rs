//! Humai's shapes of the ledger's facts: a registration's reply, a public
//! profile, a portfolio item. Snake_case, times RFC 3339 in UTC.

use crate::bus::commands::HumaiRegistered;
use chrono::{DateTime, SecondsFormat, Utc};
use errand_aggregates::account::Account;
use errand_aggregates::actor::Actor;
use errand_aggregates::humai::capabilities::CapabilityTag;
use errand_aggregates::humai::external_reputation::ExternalSignal;
use errand_aggregates::humai::market_profile::{MarketProfile, PortfolioItemId};
use errand_aggregates::humai::portfolio::PortfolioItem;
use errand_aggregates::referral::referral_code;
use serde_json::{json, Value};

pub fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An actor's tier: its founding slot's halvening tier (0 to 3), or 0
/// without one. Errand keeps no other reputation tier for Humai yet.
pub fn tier(profile: &MarketProfile) -> u8 {
    profile.founding.map_or(0, |founding| founding.tier)
}

/// RC credits are whole: the account's minor unit is the credit.
pub fn rc_balance(credits: &Account) -> i64 {
    credits.available_cents
}

pub fn tags(tags: &[CapabilityTag]) -> Value {
    tags.iter().map(CapabilityTag::as_str).collect()
}

/// `/agents-quick-start`'s and `/actors-register`'s reply; the key's
/// secret is shown here only.
pub fn registered_json(made: &HumaiRegistered, api_key: &str) -> Value {
    json!({
        "actor_id": made.actor.id,
        "api_key": api_key,
        "rc_balance": rc_balance(&made.credits),
        "tier": tier(&made.profile),
        "is_founding": made.profile.founding.is_some(),
        "referral_code": made.actor.id.map(referral_code),
    })
}

/// What the reputation read model knows of an actor's work as a provider.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkRecord {
    pub tasks_completed: i64,
    pub tasks_rejected: i64,
    /// 0 to 100, for actors who work (people); `None` for the others.
    pub trust_score: Option<i64>,
}

/// `GET /actors-profile`'s profile.
pub fn profile_json(
    actor: &Actor,
    profile: &MarketProfile,
    credits: &Account,
    work: WorkRecord,
) -> Value {
    let judged = work.tasks_completed + work.tasks_rejected;
    // Of the work judged, the share accepted; none judged, none to say.
    let acceptance_rate = (judged > 0).then(|| {
        let rate =
            rust_decimal::Decimal::from(work.tasks_completed) / rust_decimal::Decimal::from(judged);
        super::amounts::decimal(rate.round_dp(2))
    });
    json!({
        "id": actor.id,
        "type": profile.kind.map(|kind| kind.as_str()),
        "display_name": actor.name,
        "tier": tier(profile),
        "rc_balance": rc_balance(credits),
        "tasks_completed": work.tasks_completed,
        "acceptance_rate": acceptance_rate,
        "is_founding": profile.founding.is_some(),
        "capability_tags": tags(&profile.capability_tags),
        "framework": profile.framework.map(|f| f.as_str()),
        "bio": profile.bio,
        "specialization": tags(&profile.specialization),
        "portfolio": portfolio_json(profile),
        "external_reputation": external_reputation_json(profile),
        // Errand scores people's work (trust, 0 to 100) and not yet buyers'.
        "consumer_score": Value::Null,
        "provider_score": work.trust_score,
        "created_at": actor.registered_at.map(time),
    })
}

pub fn portfolio_item_json(item_id: PortfolioItemId, item: &PortfolioItem) -> Value {
    json!({
        "id": item_id.0,
        "title": item.title,
        "description": item.description,
        "listing_type": item.listing_type,
        "sample_output": item.sample_output,
    })
}

pub fn portfolio_json(profile: &MarketProfile) -> Value {
    profile
        .portfolio
        .iter()
        .map(|(id, item)| portfolio_item_json(*id, item))
        .collect()
}

/// Imported third-party scores: the actor's claims, never verified by
/// Errand (see `humai::external_reputation`).
pub fn external_reputation_json(profile: &MarketProfile) -> Value {
    profile
        .external_reputation
        .values()
        .map(|(signal, imported_at)| external_signal_json(signal, *imported_at))
        .collect()
}

pub fn external_signal_json(signal: &ExternalSignal, imported_at: DateTime<Utc>) -> Value {
    json!({
        "source": signal.source,
        "score": super::amounts::decimal(signal.score),
        "proof_url": signal.proof_url,
        "verified": false,
        "imported_at": time(imported_at),
    })
}
