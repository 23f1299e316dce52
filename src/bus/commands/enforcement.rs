//! The kill switch on the bus: an admin's action on an actor or a listing,
//! and the cascade it implies, decided by each aggregate concerned in one
//! append. A provider's ban suspends their listings with the ban's cause;
//! lifting the ban reinstates them (an admin's own suspension of a listing
//! stays: each cause is lifted only by its own undoing).

use super::actors::{actor_stream, set_standing, StandingChange};
use super::listings::{listing_stream, on_listing};
use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::actor::{Actor, Caller, Standing};
use errand_aggregates::ids::{ActorId, ListingId};
use errand_aggregates::listing::{Listing, ListingAction, Reason, SuspensionCause};
use errand_aggregates::mode::Mode;
use errand_aggregates::{DomainError, Timestamp};

/// Listings a ban or unban changes in one append. The journal takes at most
/// 64 streams per append (`APPEND_STREAMS_MAX`); the actor's stream and the
/// caller's key and actor (checked, not written) leave room for these 50.
/// A provider with more is handled by repeating the action: it goes on with
/// the listings left (see [`KillSwitch::BanProvider`]).
pub const CASCADE_LISTINGS_PER_APPEND: usize = 50;

/// What an admin pulls, with the listings its cascade covers (found by the
/// caller in `listings_view`, at most [`CASCADE_LISTINGS_PER_APPEND`]).
#[derive(Debug, Clone, PartialEq)]
pub enum KillSwitch {
    SuspendListing(ListingId),
    ReinstateListing(ListingId),
    FreezeAgent(ActorId),
    UnfreezeAgent(ActorId),
    /// Bans the provider and suspends `listings`. On a provider already
    /// banned with listings left to suspend, only those are suspended, so a
    /// cascade longer than one append is finished by asking again.
    BanProvider {
        actor: ActorId,
        listings: Vec<ListingId>,
    },
    /// Lifts the ban and reinstates `listings`; on a provider no longer
    /// banned, reinstates those left.
    UnbanProvider {
        actor: ActorId,
        listings: Vec<ListingId>,
    },
}

/// What changed: the actor or listing acted on, and how many listings the
/// cascade suspended or reinstated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pulled {
    pub actor: Option<Actor>,
    pub listing: Option<Listing>,
    pub cascaded_listings: u32,
}

pub async fn pull_kill_switch(
    unit: &mut UnitOfWork<'_>,
    by: Caller,
    mode: Mode,
    action: &KillSwitch,
    reason: &Reason,
    at: Timestamp,
) -> Result<Pulled, BusError> {
    let why = Some(reason.as_str().to_owned());
    let mut pulled = Pulled::default();
    match action {
        KillSwitch::SuspendListing(listing_id) | KillSwitch::ReinstateListing(listing_id) => {
            let suspend = matches!(action, KillSwitch::SuspendListing(_));
            let action = if suspend {
                ListingAction::Suspend {
                    cause: SuspensionCause::Admin,
                    reason: reason.clone(),
                }
            } else {
                ListingAction::Reinstate {
                    cause: SuspensionCause::Admin,
                    reason: reason.clone(),
                }
            };
            let stream = listing_stream(*listing_id);
            pulled.listing = Some(on_listing(unit, by, mode, &stream, action, at).await?);
        }
        KillSwitch::FreezeAgent(actor_id) => {
            let actor = set_standing(unit, by, *actor_id, StandingChange::Freeze, why, at).await?;
            pulled.actor = Some(actor);
        }
        KillSwitch::UnfreezeAgent(actor_id) => {
            let actor =
                set_standing(unit, by, *actor_id, StandingChange::Unfreeze, why, at).await?;
            pulled.actor = Some(actor);
        }
        KillSwitch::BanProvider { actor, listings } => {
            let current = unit.load::<Actor>(&actor_stream(*actor)).await?;
            let resuming = current.standing == Standing::Banned && !listings.is_empty();
            if !resuming {
                set_standing(unit, by, *actor, StandingChange::Ban, why, at).await?;
            }
            pulled.cascaded_listings = cascade(
                unit,
                by,
                mode,
                *actor,
                listings,
                Cascade::Suspend,
                reason,
                at,
            )
            .await?;
            pulled.actor = Some(unit.load::<Actor>(&actor_stream(*actor)).await?);
        }
        KillSwitch::UnbanProvider { actor, listings } => {
            let current = unit.load::<Actor>(&actor_stream(*actor)).await?;
            let resuming =
                current.exists() && current.standing != Standing::Banned && !listings.is_empty();
            if !resuming {
                set_standing(unit, by, *actor, StandingChange::Unban, why, at).await?;
            }
            pulled.cascaded_listings = cascade(
                unit,
                by,
                mode,
                *actor,
                listings,
                Cascade::Reinstate,
                reason,
                at,
            )
            .await?;
            pulled.actor = Some(unit.load::<Actor>(&actor_stream(*actor)).await?);
        }
    }
    Ok(pulled)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cascade {
    Suspend,
    Reinstate,
}

/// Suspends (or reinstates) each of the owner's `listings` for the ban, each
/// decided by its `Listing`. A listing already in that state is skipped: the
/// read model that named it may be a moment behind the journal.
#[allow(clippy::too_many_arguments)]
async fn cascade(
    unit: &mut UnitOfWork<'_>,
    by: Caller,
    mode: Mode,
    owner: ActorId,
    listings: &[ListingId],
    direction: Cascade,
    reason: &Reason,
    at: Timestamp,
) -> Result<u32, BusError> {
    if listings.len() > CASCADE_LISTINGS_PER_APPEND {
        return Err(DomainError::Invalid(format!(
            "a cascade changes at most {CASCADE_LISTINGS_PER_APPEND} listings per append"
        ))
        .into());
    }
    let mut changed = 0;
    for listing_id in listings {
        let stream = listing_stream(*listing_id);
        let listing = unit.load::<Listing>(&stream).await?;
        if listing.owner != Some(owner) {
            continue;
        }
        let banned = listing
            .suspensions
            .iter()
            .any(|s| s.cause == SuspensionCause::ProviderBanned);
        let action = match (direction, banned) {
            (Cascade::Suspend, false) => ListingAction::Suspend {
                cause: SuspensionCause::ProviderBanned,
                reason: reason.clone(),
            },
            (Cascade::Reinstate, true) => ListingAction::Reinstate {
                cause: SuspensionCause::ProviderBanned,
                reason: reason.clone(),
            },
            _ => continue,
        };
        on_listing(unit, by, mode, &stream, action, at).await?;
        changed += 1;
    }
    Ok(changed)
}
