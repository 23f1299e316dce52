//! Who may be sent an event: the parties to what it is about, in its mode.
//! A task's poster sees all of the task; a worker sees what concerns their
//! own assignment and submissions, and what happens to the whole task; an
//! account's or deposit's owner sees its events. Actors and keys concern
//! admins only. Admins' endpoints may be sent every event (see `mod.rs`).

use errand_aggregates::deposit::DepositEvent;
use errand_aggregates::payout::PayoutEvent;
use errand_aggregates::task::TaskEvent;
use errand_aggregates::Event;

use super::tables::PartyRow;
use crate::accounts::parse_account_stream;
use crate::rows::Rows;
use crate::{stream_suffix, ProjectedEvent};

/// Who an event may be sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Audience {
    /// `live` or `test`: endpoints of the other mode are sent nothing of it.
    /// Events about no mode's object (actors, keys) count as live.
    pub(crate) mode: String,
    /// Actor ids who take part; empty means admins only.
    pub(crate) parties: Vec<String>,
}

pub(crate) fn party_id(role: &str, id: &str) -> String {
    format!("{role}:{id}")
}

/// Remembers who takes part in what this event starts, for the events that
/// follow it. Writes only; run it before [`audience`] for the same event.
pub(crate) fn remember(parties: &mut Rows<PartyRow>, projected: &ProjectedEvent) {
    let subject_id = stream_suffix(&projected.stream_id);
    let mut put = |role: &str, id: String, actor_id: String, mode: String| {
        parties.put(PartyRow {
            party_id: party_id(role, &id),
            subject_id: subject_id.to_owned(),
            actor_id,
            mode,
        })
    };
    match &projected.event {
        Event::Task(TaskEvent::TaskPosted { poster, mode, .. }) => put(
            "poster",
            subject_id.to_owned(),
            poster.to_string(),
            mode.as_str().to_owned(),
        ),
        Event::Deposit(DepositEvent::DepositRequested { account, .. }) => put(
            "deposit",
            subject_id.to_owned(),
            account.owner.to_string(),
            account.mode.as_str().to_owned(),
        ),
        Event::Payout(PayoutEvent::PayoutRequested { account, .. }) => put(
            "payout",
            subject_id.to_owned(),
            account.owner.to_string(),
            account.mode.as_str().to_owned(),
        ),
        _ => {}
    }
    // Assignments and submissions inherit the task's mode from its poster row.
    let Event::Task(event) = &projected.event else {
        return;
    };
    let Some(mode) = parties
        .cached(&party_id("poster", subject_id))
        .map(|poster| poster.mode.clone())
    else {
        return;
    };
    let (role, id, worker) = match event {
        TaskEvent::TaskAssigned {
            assignment_id,
            worker,
            ..
        } => ("assignment", assignment_id.to_string(), worker),
        TaskEvent::WorkSubmitted {
            submission_id,
            worker,
            ..
        } => ("submission", submission_id.to_string(), worker),
        _ => return,
    };
    parties.put(PartyRow {
        party_id: party_id(role, &id),
        subject_id: subject_id.to_owned(),
        actor_id: worker.to_string(),
        mode,
    });
}

/// Who may be sent this event; `None` for events no endpoint is ever sent
/// (the webhooks' own, which would otherwise beget deliveries without end).
/// `Err` when the parties it needs were never remembered.
pub(crate) fn audience(
    parties: &Rows<PartyRow>,
    projected: &ProjectedEvent,
) -> Result<Option<Audience>, String> {
    let subject_id = stream_suffix(&projected.stream_id);
    let party = |role: &str, id: &str| -> Result<&PartyRow, String> {
        parties
            .cached(&party_id(role, id))
            .ok_or_else(|| format!("no {role} {id} is known"))
    };
    let audience = match &projected.event {
        Event::Task(event) => {
            let poster = party("poster", subject_id)?;
            let mut actors = vec![poster.actor_id.clone()];
            match event {
                TaskEvent::TaskApplied {
                    applicant: actor, ..
                }
                | TaskEvent::TaskAssigned { worker: actor, .. }
                | TaskEvent::WorkSubmitted { worker: actor, .. }
                | TaskEvent::SubmissionApproved { worker: actor, .. } => {
                    actors.push(actor.to_string())
                }
                TaskEvent::AssignmentAbandoned { assignment_id, .. } => actors.push(
                    party("assignment", &assignment_id.to_string())?
                        .actor_id
                        .clone(),
                ),
                TaskEvent::SubmissionRejected { submission_id, .. }
                | TaskEvent::SubmissionDisputed { submission_id, .. } => actors.push(
                    party("submission", &submission_id.to_string())?
                        .actor_id
                        .clone(),
                ),
                // The poster's money only.
                TaskEvent::TaskPosted { .. }
                | TaskEvent::EscrowIncreased { .. }
                | TaskEvent::EscrowReleased { .. } => {}
                // What happens to the whole task concerns everyone assigned to it.
                TaskEvent::TaskPaused { .. }
                | TaskEvent::TaskResumed { .. }
                | TaskEvent::TaskStopped { .. }
                | TaskEvent::TaskCancelled { .. }
                | TaskEvent::TaskExpired { .. }
                | TaskEvent::TaskResized { .. }
                | TaskEvent::TaskCompleted { .. }
                | TaskEvent::SettlementOpened { .. }
                | TaskEvent::ConsensusReached { .. } => actors.extend(
                    parties
                        .cached_where(|row| {
                            row.subject_id == subject_id && row.party_id.starts_with("assignment:")
                        })
                        .into_iter()
                        .map(|row| row.actor_id.clone()),
                ),
            }
            actors.sort();
            actors.dedup();
            Audience {
                mode: poster.mode.clone(),
                parties: actors,
            }
        }
        // A capture pays someone else; the payee hears of it through their
        // own account's PaymentReceived.
        Event::Account(_) => {
            let account = parse_account_stream(&projected.stream_id)
                .ok_or("stream id does not name an account")?;
            Audience {
                mode: account.mode.as_str().to_owned(),
                parties: vec![account.owner.to_string()],
            }
        }
        Event::Deposit(_) => {
            let owner = party("deposit", subject_id)?;
            Audience {
                mode: owner.mode.clone(),
                parties: vec![owner.actor_id.clone()],
            }
        }
        Event::Payout(_) => {
            let owner = party("payout", subject_id)?;
            Audience {
                mode: owner.mode.clone(),
                parties: vec![owner.actor_id.clone()],
            }
        }
        // `payoutaccount-<owner>-<mode>`: the owner's, in its mode.
        Event::PayoutAccount(_) => {
            let (owner, mode) = subject_id
                .rsplit_once('-')
                .ok_or("stream id does not name a payout account")?;
            Audience {
                mode: mode.to_owned(),
                parties: vec![owner.to_owned()],
            }
        }
        Event::Actor(_) | Event::Key(_) => Audience {
            mode: "live".to_owned(),
            parties: Vec::new(),
        },
        Event::Webhook(_) | Event::Delivery(_) => return Ok(None),
        // Password hashes and who claimed which address go to no one.
        Event::Credentials(_) | Event::EmailClaim(_) => return Ok(None),
        // Which keys are active is the owner's business, told by the keys' own events.
        Event::KeyRing(_) => return Ok(None),
        // Messages, read marks and referrals reach people as notifications
        // (`notifications_view`); no webhook format carries them yet.
        Event::Thread(_) | Event::Inbox(_) | Event::Referral(_) => return Ok(None),
        // An owner's projects and billing profile are theirs to read, not to
        // be told of: no webhook format carries them.
        Event::Project(_)
        | Event::JobLink(_)
        | Event::Billing(_)
        | Event::Genesis(_)
        | Event::MarketProfile(_) => return Ok(None),
        // Humai's listings and bids have no webhook format yet (its
        // `bid.received`, `bid.accepted` come with the Humai dialect).
        Event::Listing(_) | Event::Bid(_) => return Ok(None),
        // Humai's transactions and disputes go to Humai's webhooks, which
        // arrive with that dialect; no format carries them yet.
        Event::Contract(_) | Event::Dispute(_) => return Ok(None),
        // Humai's reviews are public facts read from reviews-list; its
        // `reputation.updated` webhook comes with the dialect's webhooks.
        Event::Review(_) => return Ok(None),
        // A wallet's credit lots are its owner's provenance records; the money
        // events beside them (the account's) are what webhooks carry.
        Event::CreditLots(_) => return Ok(None),
        // An agent's auto-bidding rules are its own; the bids they place
        // are ordinary bids.
        Event::AutoBid(_) => return Ok(None),
    };
    Ok(Some(audience))
}
