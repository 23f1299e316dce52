//! The admin kill switch, shared by Humai's `POST /admin-kill-switch` and
//! the native `POST /v1/admin/kill-switch`: one request shape (Humai's), read
//! into a [`KillSwitch`] and pulled on the bus. Each API maps the refusals
//! into its own envelope; nothing here decides.
//!
//! Choices where Humai's seed is silent:
//! - Every action takes a `reason` (1 to 500 characters), lifts included:
//!   the audit trail records why.
//! - An action takes its own id only (`listing_id` for the tool actions,
//!   `actor_id` for agents and providers, `subscription_id` for
//!   `revoke_subscription`); another id beside it is refused, not ignored.
//! - `suspend_tool` works on any listing, tool or not: the kill switch is
//!   for emergencies.
//! - A ban's cascade changes at most `CASCADE_LISTINGS_PER_APPEND` listings
//!   per request, in the ban's own append; `cascade_complete: false` says
//!   more remain, and repeating the request finishes them.
//! - Tool subscriptions do not exist yet, so `revoke_subscription` answers
//!   as for any unknown subscription (404) and `paused_subscriptions` and
//!   `revoked_keys` are 0.

use crate::bus::commands::{self, KillSwitch, CASCADE_LISTINGS_PER_APPEND};
use crate::bus::Executed;
use crate::http::auth::Principal;
use crate::http::errors::{ApiError, ApiResult};
use crate::http::extract::CommandMeta;
use crate::http::state::AppState;
use crate::queries::provider_listings::{awaiting_cascade, Cascade};
use chrono::Utc;
use errand_aggregates::actor::Actor;
use errand_aggregates::ids::{ActorId, ListingId};
use errand_aggregates::listing::Reason;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KillSwitchRequest {
    /// suspend_tool | reinstate_tool | freeze_agent | unfreeze_agent |
    /// ban_provider | unban_provider | revoke_subscription
    pub action: String,
    /// For suspend_tool and reinstate_tool.
    #[schema(format = Uuid)]
    pub listing_id: Option<String>,
    /// For freeze_agent, unfreeze_agent, ban_provider and unban_provider.
    #[schema(format = Uuid)]
    pub actor_id: Option<String>,
    /// For revoke_subscription.
    #[schema(format = Uuid)]
    pub subscription_id: Option<String>,
    /// Why, 1 to 500 characters: recorded in the audit trail.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KillSwitchReply {
    pub action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listing_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<Uuid>,
    pub reason: String,
    /// The actor's standing now: active | frozen | banned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Whether the listing is still suspended (by another cause, after a reinstatement).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspended: Option<bool>,
    /// ban_provider: the provider's listings suspended by this request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspended_listings: Option<u32>,
    /// unban_provider: the provider's listings reinstated by this request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reinstated_listings: Option<u32>,
    /// ban_provider / unban_provider: false if listings remain for another request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cascade_complete: Option<bool>,
    /// Tool subscriptions paused: none exist yet.
    pub paused_subscriptions: u32,
    /// Subscription keys revoked: none exist yet.
    pub revoked_keys: u32,
}

/// What the request asks, read and checked.
enum Target {
    Listing(ListingId),
    Actor(ActorId),
    Subscription,
}

fn parse_id(text: &Option<String>, name: &str) -> Result<Uuid, ApiError> {
    let text = text
        .as_deref()
        .ok_or_else(|| ApiError::Invalid(format!("{name} is required for this action")))?;
    Uuid::parse_str(text.trim()).map_err(|_| ApiError::Invalid(format!("{name} must be a UUID")))
}

fn target(body: &KillSwitchRequest) -> Result<Target, ApiError> {
    let (name, target) = match body.action.as_str() {
        "suspend_tool" | "reinstate_tool" => (
            "listing_id",
            Target::Listing(ListingId(parse_id(&body.listing_id, "listing_id")?)),
        ),
        "freeze_agent" | "unfreeze_agent" | "ban_provider" | "unban_provider" => (
            "actor_id",
            Target::Actor(ActorId(parse_id(&body.actor_id, "actor_id")?)),
        ),
        "revoke_subscription" => {
            parse_id(&body.subscription_id, "subscription_id")?;
            ("subscription_id", Target::Subscription)
        }
        other => {
            return Err(ApiError::Invalid(format!(
                "action must be one of suspend_tool, reinstate_tool, freeze_agent, \
                 unfreeze_agent, ban_provider, unban_provider, revoke_subscription; not {other:?}"
            )))
        }
    };
    let given = [
        ("listing_id", &body.listing_id),
        ("actor_id", &body.actor_id),
        ("subscription_id", &body.subscription_id),
    ];
    if let Some((other, _)) = given.iter().find(|(n, v)| *n != name && v.is_some()) {
        return Err(ApiError::Invalid(format!(
            "{} takes {name}, not {other}",
            body.action
        )));
    }
    Ok(target)
}

/// Checks the request and pulls the switch; the reply is the seed's shape.
pub async fn pull(
    app: &AppState,
    principal: &Principal,
    body: &KillSwitchRequest,
    meta: &CommandMeta,
) -> ApiResult<Executed<KillSwitchReply>> {
    principal.require_admin()?;
    let target = target(body)?;
    let reason = Reason::parse(body.reason.as_deref().unwrap_or_default())?;
    let (action, more) = match (body.action.as_str(), target) {
        ("suspend_tool", Target::Listing(id)) => (KillSwitch::SuspendListing(id), false),
        ("reinstate_tool", Target::Listing(id)) => (KillSwitch::ReinstateListing(id), false),
        ("freeze_agent", Target::Actor(id)) => (KillSwitch::FreezeAgent(id), false),
        ("unfreeze_agent", Target::Actor(id)) => (KillSwitch::UnfreezeAgent(id), false),
        ("ban_provider", Target::Actor(actor)) => {
            let (listings, more) = provider_listings(app, actor, Cascade::Suspend).await?;
            (KillSwitch::BanProvider { actor, listings }, more)
        }
        ("unban_provider", Target::Actor(actor)) => {
            let (listings, more) = provider_listings(app, actor, Cascade::Reinstate).await?;
            (KillSwitch::UnbanProvider { actor, listings }, more)
        }
        // No subscription exists to revoke yet: answered as for an unknown one.
        _ => return Err(ApiError::NotFound("subscription".into())),
    };
    let context = meta.context(principal, "PullKillSwitch", 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let pulled =
            commands::pull_kill_switch(unit, by, principal.mode, &action, &reason, Utc::now())
                .await?;
        Ok(reply(&body.action, &action, &reason, &pulled, more))
    })?;
    Ok(executed)
}

/// The provider's listings the cascade has left to change, a batch of them
/// (the read models waited on to reach the journal's head first).
async fn provider_listings(
    app: &AppState,
    actor: ActorId,
    cascade: Cascade,
) -> ApiResult<(Vec<ListingId>, bool)> {
    let pool = app.read_models().await?;
    Ok(awaiting_cascade(pool, actor, cascade, CASCADE_LISTINGS_PER_APPEND).await?)
}

fn reply(
    name: &str,
    action: &KillSwitch,
    reason: &Reason,
    pulled: &commands::Pulled,
    more: bool,
) -> KillSwitchReply {
    let cascaded = Some(pulled.cascaded_listings);
    let (listing_id, actor_id, suspended_listings, reinstated_listings, cascade_complete) =
        match action {
            KillSwitch::SuspendListing(id) | KillSwitch::ReinstateListing(id) => {
                (Some(id.0), None, None, None, None)
            }
            KillSwitch::FreezeAgent(id) | KillSwitch::UnfreezeAgent(id) => {
                (None, Some(id.0), None, None, None)
            }
            KillSwitch::BanProvider { actor, .. } => {
                (None, Some(actor.0), cascaded, None, Some(!more))
            }
            KillSwitch::UnbanProvider { actor, .. } => {
                (None, Some(actor.0), None, cascaded, Some(!more))
            }
        };
    KillSwitchReply {
        action: name.to_owned(),
        listing_id,
        actor_id,
        reason: reason.as_str().to_owned(),
        status: pulled
            .actor
            .as_ref()
            .map(|actor: &Actor| actor.standing.as_str().to_owned()),
        suspended: pulled.listing.as_ref().map(|l| l.is_suspended()),
        suspended_listings,
        reinstated_listings,
        cascade_complete,
        paused_subscriptions: 0,
        revoked_keys: 0,
    }
}
