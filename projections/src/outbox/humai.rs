//! Humai's deliveries. A Humai endpoint (format `humai`) is sent the Humai
//! events (`errand_aggregates::webhook::humai`) of the transactions and bids
//! its owner is a party to, in the endpoint's mode, that its filter names;
//! never what the owner did themselves when the event names who acted. It is
//! also sent the sample its owner asks for (`WebhookTestRequested`), and no
//! other endpoint is. The body is rendered at send time
//! (`src/webhooks/humai.rs`); the row names the ledger event.
//!
//! The parties are remembered from the event that starts each subject
//! (`buyer:<contract>`, `seller:<contract>` from `ContractOpened`;
//! `bidder:<bid>`, `lister:<bid>` from `BidPlaced`) whether or not anyone
//! is subscribed, so a rebuild remembers the same.

use errand_aggregates::bid::BidEvent;
use errand_aggregates::contract::ContractEvent;
use errand_aggregates::ids::WebhookId;
use errand_aggregates::webhook::humai::{trigger, Actor, Subject};
use errand_aggregates::webhook::{WebhookEvent, WebhookFormat};
use errand_aggregates::Event;
use sqlx::AnyConnection;

use super::audience::party_id;
use super::tables::PartyRow;
use super::Batch;
use crate::{stream_suffix, ProjectedEvent, ProjectionError};

/// The roles a subject's parties are remembered under, the acting side's
/// last; none for an actor's reputation, which names its one recipient.
fn roles(subject: Subject) -> Option<([&'static str; 2], String)> {
    match subject {
        Subject::Contract(id) => Some((["buyer", "seller"], id.to_string())),
        Subject::Bid(id) => Some((["bidder", "lister"], id.to_string())),
        Subject::Reputation { .. } => None,
    }
}

/// Loads the parties of the subjects this batch's Humai events are about.
pub(super) async fn prefetch(
    batch: &mut Batch,
    conn: &mut AnyConnection,
    events: &[ProjectedEvent],
) -> Result<(), ProjectionError> {
    let mut parties = Vec::new();
    for trigger in events
        .iter()
        .filter_map(|e| trigger(&e.stream_id, &e.event))
    {
        if let Some(([first, second], subject)) = roles(trigger.subject) {
            parties.push(party_id(first, &subject));
            parties.push(party_id(second, &subject));
        }
    }
    batch.parties.prefetch(conn, parties).await?;
    Ok(())
}

impl Batch {
    /// Remembers a new transaction's or bid's parties.
    pub(super) fn remember_humai_parties(&mut self, projected: &ProjectedEvent) {
        let subject = stream_suffix(&projected.stream_id);
        let (parties, mode) = match &projected.event {
            Event::Contract(ContractEvent::ContractOpened {
                buyer,
                seller,
                mode,
                ..
            }) => ([("buyer", buyer.actor), ("seller", seller.actor)], mode),
            Event::Bid(BidEvent::BidPlaced {
                bidder,
                listing_owner,
                mode,
                ..
            }) => ([("bidder", *bidder), ("lister", *listing_owner)], mode),
            _ => return,
        };
        for (role, actor) in parties {
            self.parties.put(PartyRow {
                party_id: party_id(role, subject),
                subject_id: subject.to_owned(),
                actor_id: actor.to_string(),
                mode: mode.as_str().to_owned(),
            });
        }
    }

    /// A pending delivery of this event to each Humai endpoint of its
    /// subject's parties (but the one who acted) that asked for it.
    pub(super) fn humai(&mut self, projected: &ProjectedEvent) -> Result<(), ProjectionError> {
        if !self
            .subscribers
            .iter()
            .any(|s| s.format == WebhookFormat::Humai)
        {
            return Ok(());
        }
        if let Event::Webhook(WebhookEvent::WebhookTestRequested { .. }) = &projected.event {
            return self.humai_sample(projected);
        }
        let Some(trigger) = trigger(&projected.stream_id, &projected.event) else {
            return Ok(());
        };
        let mut recipients = Vec::new();
        let Some(([first, acting_side], subject)) = roles(trigger.subject) else {
            if let Subject::Reputation { actor, mode } = trigger.subject {
                recipients.push((actor.to_string(), mode.as_str().to_owned()));
            }
            return self.humai_to(projected, trigger.name, &recipients);
        };
        for role in [first, acting_side] {
            let party = self
                .parties
                .cached(&party_id(role, &subject))
                .ok_or_else(|| {
                    ProjectionError::inconsistent(projected, "the subject's parties are not known")
                })?;
            let acted = match trigger.actor {
                Actor::Named(actor) => actor.to_string() == party.actor_id,
                Actor::ListingOwner => role == "lister",
                Actor::Unknown => false,
            };
            if !acted {
                recipients.push((party.actor_id.clone(), party.mode.clone()));
            }
        }
        self.humai_to(projected, trigger.name, &recipients)
    }

    /// A pending delivery of `name` to each Humai endpoint of `recipients`
    /// (actor, mode) whose filter admits it.
    fn humai_to(
        &mut self,
        projected: &ProjectedEvent,
        name: &str,
        recipients: &[(String, String)],
    ) -> Result<(), ProjectionError> {
        let mut endpoints = Vec::new();
        for subscriber in &self.subscribers {
            let concerned = recipients
                .iter()
                .any(|(actor, mode)| *actor == subscriber.owner && *mode == subscriber.mode);
            if subscriber.format == WebhookFormat::Humai
                && concerned
                && subscriber.filter.admits(WebhookFormat::Humai, name)
            {
                endpoints.push((
                    webhook_id(projected, &subscriber.webhook_id)?,
                    subscriber.owner.clone(),
                ));
            }
        }
        for (webhook_id, owner) in endpoints {
            self.put_delivery(webhook_id, &owner, projected);
        }
        Ok(())
    }

    /// The sample an owner asked for, to that endpoint alone, if it is still active.
    fn humai_sample(&mut self, projected: &ProjectedEvent) -> Result<(), ProjectionError> {
        let asked = stream_suffix(&projected.stream_id);
        let Some(subscriber) = self
            .subscribers
            .iter()
            .find(|s| s.webhook_id == asked && s.format == WebhookFormat::Humai)
        else {
            return Ok(());
        };
        let owner = subscriber.owner.clone();
        let webhook_id = webhook_id(projected, &subscriber.webhook_id)?;
        self.put_delivery(webhook_id, &owner, projected);
        Ok(())
    }
}

fn webhook_id(projected: &ProjectedEvent, text: &str) -> Result<WebhookId, ProjectionError> {
    WebhookId::parse(text)
        .ok_or_else(|| ProjectionError::inconsistent(projected, "a webhook id is not a UUID"))
}
