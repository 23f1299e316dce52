//! Humai's registrations and market profiles: the actor, its `hm_` key, its
//! market profile, its email's claim (humans), its founding slot and
//! halvening grant, and its referral, all in one append; and the actor's
//! own changes to its market profile.

use super::actors::{actor_stream, register_actor};
use super::credits::{credit_lots_stream, open_lot};
use super::keys::{issue_key, NewKey};
use super::people::email_claim_stream;
use super::referrals::{record_referral, referral_stream, NewReferral};
use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::account::{Account, AccountCommand, AccountId};
use errand_aggregates::actor::{Actor, ActorCommand, Caller, Email, Role};
use errand_aggregates::email_claim::{EmailClaim, EmailClaimCommand};
use errand_aggregates::humai::capabilities::{CapabilityTag, Framework};
use errand_aggregates::humai::credit_lots::CreditSource;
use errand_aggregates::humai::genesis::grant_funding;
use errand_aggregates::humai::market_profile::{ActorKind, Founding};
use errand_aggregates::humai::wallet::WalletAddress;
use errand_aggregates::humai::{
    CreditLots, Genesis, GenesisCommand, GenesisEvent, MarketProfile, MarketProfileCommand,
    GENESIS_STREAM,
};
use errand_aggregates::ids::{ActorId, CreditEntryId};
use errand_aggregates::mode::Mode;
use errand_aggregates::money::Currency;
use errand_aggregates::referral::Referral;
use errand_aggregates::{DomainError, Timestamp};

pub fn market_profile_stream(actor_id: ActorId) -> String {
    format!("marketprofile-{actor_id}")
}

/// The actor's RC account (Humai's credits) in `mode`.
pub fn credits_account(actor_id: ActorId, mode: Mode) -> AccountId {
    AccountId {
        owner: actor_id,
        mode,
        currency: Currency::RC,
    }
}

/// Whether a registration takes a founding slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoundingClaim {
    /// The founders' door (`/agents-quick-start`): no slot left refuses
    /// the registration (`founding_slots_full`).
    Required { slots_open: u32 },
    /// `/actors-register`: a slot if one is left, else none and no grant.
    IfAvailable { slots_open: u32 },
}

pub struct NewHumaiActor {
    pub actor_id: ActorId,
    pub kind: ActorKind,
    pub name: String,
    /// Humans register with one, claimed so an address registers once.
    pub email: Option<Email>,
    pub capability_tags: Vec<CapabilityTag>,
    pub framework: Option<Framework>,
    pub owner_wallet: Option<WalletAddress>,
    pub agent_address: Option<WalletAddress>,
    pub key: NewKey,
    pub founding: FoundingClaim,
    pub referral: Option<NewReferral>,
}

/// What a registration made: the actor, its market profile and its RC account.
pub struct HumaiRegistered {
    pub actor: Actor,
    pub profile: MarketProfile,
    pub credits: Account,
}

pub async fn register_humai_actor(
    unit: &mut UnitOfWork<'_>,
    new: &NewHumaiActor,
    at: Timestamp,
) -> Result<HumaiRegistered, BusError> {
    let actor_id = new.actor_id;
    let mode = new.key.mode;
    // The slot first: a full genesis refuses the founders' door before anything else.
    let founding = claim_slot(unit, actor_id, new.founding, mode, at).await?;
    if let Some(email) = &new.email {
        let claim = EmailClaimCommand::Claim {
            email: email.clone(),
            actor_id,
            at,
        };
        unit.decide::<EmailClaim>(&email_claim_stream(email), &claim)
            .await?;
    }
    unit.start_new::<Actor>(&actor_stream(actor_id));
    let role = match new.kind {
        ActorKind::Human => Role::Human,
        ActorKind::DelegatedAgent => Role::Agent,
    };
    let actor = register_actor(
        unit,
        actor_id,
        role,
        new.name.clone(),
        new.email.clone(),
        at,
    )
    .await?;
    issue_key(unit, None, new.key.clone(), at).await?;
    let profile_stream = market_profile_stream(actor_id);
    unit.start_new::<MarketProfile>(&profile_stream);
    let open = MarketProfileCommand::Open {
        actor_id,
        kind: new.kind,
        capability_tags: new.capability_tags.clone(),
        framework: new.framework,
        owner_wallet: new.owner_wallet.clone(),
        agent_address: new.agent_address.clone(),
        founding: founding.as_ref().map(|(founding, _)| *founding),
        at,
    };
    unit.decide::<MarketProfile>(&profile_stream, &open).await?;
    let credits = credits_account(actor_id, mode);
    if let Some((_, claimed)) = &founding {
        let (account, fund) = grant_funding(claimed);
        unit.start_new::<Account>(&account.stream_id());
        unit.decide::<Account>(&account.stream_id(), &fund).await?;
        // The grant is the wallet's first lot: marketplace credits.
        if let AccountCommand::Fund {
            funding_id, amount, ..
        } = fund
        {
            unit.start_new::<CreditLots>(&credit_lots_stream(&account));
            let entry = CreditEntryId(funding_id.0);
            let source = CreditSource::HalveningGrant;
            open_lot(unit, account, entry, amount, source, at).await?;
        }
    }
    if let Some(referral) = new.referral {
        record_referral(unit, &actor, referral, mode, at).await?;
    }
    Ok(HumaiRegistered {
        actor: unit.load::<Actor>(&actor_stream(actor_id)).await?,
        profile: unit.load::<MarketProfile>(&profile_stream).await?,
        credits: load_new_account(unit, credits, founding.is_some()).await?,
    })
}

/// A founding slot for `actor_id`, with the event that claimed it, or none.
async fn claim_slot(
    unit: &mut UnitOfWork<'_>,
    actor_id: ActorId,
    claim: FoundingClaim,
    mode: Mode,
    at: Timestamp,
) -> Result<Option<(Founding, GenesisEvent)>, BusError> {
    let (slots_open, required) = match claim {
        FoundingClaim::Required { slots_open } => (slots_open, true),
        FoundingClaim::IfAvailable { slots_open } => (slots_open, false),
    };
    let genesis = unit.load::<Genesis>(GENESIS_STREAM).await?;
    if !required && genesis.status(slots_open).slots_remaining == 0 {
        return Ok(None);
    }
    let command = GenesisCommand::ClaimSlot {
        actor_id,
        slots_open,
        mode,
        at,
    };
    let (_, events) = unit.decide::<Genesis>(GENESIS_STREAM, &command).await?;
    Ok(events.into_iter().next().map(|event| {
        let GenesisEvent::FoundingSlotClaimed { slot, tier, .. } = &event;
        (
            Founding {
                slot: *slot,
                tier: *tier,
            },
            event,
        )
    }))
}

/// A new actor's RC account: its state after the grant, or empty (never
/// read from the journal: the actor is new, so is the account).
async fn load_new_account(
    unit: &mut UnitOfWork<'_>,
    account: AccountId,
    funded: bool,
) -> Result<Account, BusError> {
    if funded {
        unit.load::<Account>(&account.stream_id()).await
    } else {
        Ok(Account::default())
    }
}

/// An existing actor applies a referral code: the `Referral` decides (once
/// per actor, never its own code), as at registration.
pub async fn apply_referral(
    unit: &mut UnitOfWork<'_>,
    by: Caller,
    referral: NewReferral,
    mode: Mode,
    at: Timestamp,
) -> Result<(), BusError> {
    by.ensure_not_banned()?;
    // Loaded, not started new: the actor may have been referred already.
    unit.load::<Referral>(&referral_stream(by.actor)).await?;
    let actor = unit.load::<Actor>(&actor_stream(by.actor)).await?;
    record_referral(unit, &actor, referral, mode, at).await
}

/// The actor changes its market profile; its display name is its `Actor`'s name.
pub async fn on_market_profile(
    unit: &mut UnitOfWork<'_>,
    by: Caller,
    rename: Option<String>,
    command: Option<MarketProfileCommand>,
    at: Timestamp,
) -> Result<(Actor, MarketProfile), BusError> {
    by.ensure_not_banned()?;
    if let Some(name) = rename {
        let command = ActorCommand::Rename { by, name, at };
        unit.decide::<Actor>(&actor_stream(by.actor), &command)
            .await?;
    }
    let stream = market_profile_stream(by.actor);
    if let Some(command) = command {
        unit.decide::<MarketProfile>(&stream, &command).await?;
    }
    let profile = unit.load::<MarketProfile>(&stream).await?;
    if !profile.exists() {
        return Err(DomainError::NotFound("market profile").into());
    }
    Ok((unit.load::<Actor>(&actor_stream(by.actor)).await?, profile))
}
