//! Every event of every aggregate, as one type: what the journal's readers
//! (the bus's loader, projections, auditors) decode a stored event into.
//! Which enum a payload belongs to is told by its stream's prefix.

use crate::account::AccountEvent;
use crate::actor::ActorEvent;
use crate::aggregate::{Aggregate, DomainEvent};
use crate::api_key::KeyEvent;
use crate::autobid::AutoBidEvent;
use crate::bid::BidEvent;
use crate::billing::BillingEvent;
use crate::contract::ContractEvent;
use crate::credentials::CredentialsEvent;
use crate::deposit::DepositEvent;
use crate::dispute::DisputeEvent;
use crate::email_claim::EmailClaimEvent;
use crate::humai::{CreditLotsEvent, GenesisEvent, MarketProfileEvent};
use crate::inbox::InboxEvent;
use crate::key_ring::KeyRingEvent;
use crate::listing::ListingEvent;
use crate::payout::PayoutEvent;
use crate::payout_account::PayoutAccountEvent;
use crate::project::{JobLinkEvent, ProjectEvent};
use crate::referral::ReferralEvent;
use crate::review::ReviewEvent;
use crate::task::TaskEvent;
use crate::thread::ThreadEvent;
use crate::webhook::{DeliveryEvent, WebhookEvent};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Event {
    Actor(ActorEvent),
    Key(KeyEvent),
    Account(AccountEvent),
    Deposit(DepositEvent),
    Task(TaskEvent),
    Webhook(WebhookEvent),
    Delivery(DeliveryEvent),
    Credentials(CredentialsEvent),
    EmailClaim(EmailClaimEvent),
    Payout(PayoutEvent),
    PayoutAccount(PayoutAccountEvent),
    KeyRing(KeyRingEvent),
    Thread(ThreadEvent),
    Inbox(InboxEvent),
    Referral(ReferralEvent),
    Project(ProjectEvent),
    JobLink(JobLinkEvent),
    Billing(BillingEvent),
    Genesis(GenesisEvent),
    MarketProfile(MarketProfileEvent),
    Listing(ListingEvent),
    Bid(BidEvent),
    Contract(ContractEvent),
    Dispute(DisputeEvent),
    Review(ReviewEvent),
    CreditLots(CreditLotsEvent),
    AutoBid(AutoBidEvent),
}

#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("stream {0:?} belongs to no known aggregate")]
    UnknownStream(String),
    #[error("event in stream {stream_id:?} does not decode: {source}")]
    Payload {
        stream_id: String,
        source: serde_json::Error,
    },
}

/// The aggregate a stream belongs to, from its id's prefix (`task-…`).
pub fn stream_prefix(stream_id: &str) -> &str {
    stream_id
        .split_once('-')
        .map_or(stream_id, |(prefix, _)| prefix)
}

impl Event {
    pub fn decode(stream_id: &str, payload: &str) -> Result<Event, DecodeError> {
        fn parse<T: serde::de::DeserializeOwned>(
            stream_id: &str,
            payload: &str,
        ) -> Result<T, DecodeError> {
            serde_json::from_str(payload).map_err(|source| DecodeError::Payload {
                stream_id: stream_id.to_owned(),
                source,
            })
        }
        Ok(match stream_prefix(stream_id) {
            crate::actor::Actor::STREAM_PREFIX => Event::Actor(parse(stream_id, payload)?),
            crate::api_key::ApiKey::STREAM_PREFIX => Event::Key(parse(stream_id, payload)?),
            crate::account::Account::STREAM_PREFIX => Event::Account(parse(stream_id, payload)?),
            crate::deposit::Deposit::STREAM_PREFIX => Event::Deposit(parse(stream_id, payload)?),
            crate::task::Task::STREAM_PREFIX => Event::Task(parse(stream_id, payload)?),
            crate::webhook::WebhookEndpoint::STREAM_PREFIX => {
                Event::Webhook(parse(stream_id, payload)?)
            }
            crate::webhook::WebhookDelivery::STREAM_PREFIX => {
                Event::Delivery(parse(stream_id, payload)?)
            }
            crate::credentials::Credentials::STREAM_PREFIX => {
                Event::Credentials(parse(stream_id, payload)?)
            }
            crate::email_claim::EmailClaim::STREAM_PREFIX => {
                Event::EmailClaim(parse(stream_id, payload)?)
            }
            crate::payout::Payout::STREAM_PREFIX => Event::Payout(parse(stream_id, payload)?),
            crate::payout_account::PayoutAccount::STREAM_PREFIX => {
                Event::PayoutAccount(parse(stream_id, payload)?)
            }
            crate::key_ring::KeyRing::STREAM_PREFIX => Event::KeyRing(parse(stream_id, payload)?),
            crate::thread::Thread::STREAM_PREFIX => Event::Thread(parse(stream_id, payload)?),
            crate::inbox::Inbox::STREAM_PREFIX => Event::Inbox(parse(stream_id, payload)?),
            crate::referral::Referral::STREAM_PREFIX => Event::Referral(parse(stream_id, payload)?),
            crate::project::Project::STREAM_PREFIX => Event::Project(parse(stream_id, payload)?),
            crate::project::JobLink::STREAM_PREFIX => Event::JobLink(parse(stream_id, payload)?),
            crate::billing::BillingProfile::STREAM_PREFIX => {
                Event::Billing(parse(stream_id, payload)?)
            }
            crate::humai::Genesis::STREAM_PREFIX => Event::Genesis(parse(stream_id, payload)?),
            crate::humai::MarketProfile::STREAM_PREFIX => {
                Event::MarketProfile(parse(stream_id, payload)?)
            }
            crate::listing::Listing::STREAM_PREFIX => Event::Listing(parse(stream_id, payload)?),
            crate::bid::Bid::STREAM_PREFIX => Event::Bid(parse(stream_id, payload)?),
            crate::contract::Contract::STREAM_PREFIX => Event::Contract(parse(stream_id, payload)?),
            crate::dispute::Dispute::STREAM_PREFIX => Event::Dispute(parse(stream_id, payload)?),
            crate::review::Review::STREAM_PREFIX => Event::Review(parse(stream_id, payload)?),
            crate::humai::CreditLots::STREAM_PREFIX => {
                Event::CreditLots(parse(stream_id, payload)?)
            }
            crate::autobid::AutoBidRules::STREAM_PREFIX => {
                Event::AutoBid(parse(stream_id, payload)?)
            }
            _ => return Err(DecodeError::UnknownStream(stream_id.to_owned())),
        })
    }

    pub fn event_type(&self) -> &'static str {
        match self {
            Event::Actor(e) => e.event_type(),
            Event::Key(e) => e.event_type(),
            Event::Account(e) => e.event_type(),
            Event::Deposit(e) => e.event_type(),
            Event::Task(e) => e.event_type(),
            Event::Webhook(e) => e.event_type(),
            Event::Delivery(e) => e.event_type(),
            Event::Credentials(e) => e.event_type(),
            Event::EmailClaim(e) => e.event_type(),
            Event::Payout(e) => e.event_type(),
            Event::PayoutAccount(e) => e.event_type(),
            Event::KeyRing(e) => e.event_type(),
            Event::Thread(e) => e.event_type(),
            Event::Inbox(e) => e.event_type(),
            Event::Referral(e) => e.event_type(),
            Event::Project(e) => e.event_type(),
            Event::JobLink(e) => e.event_type(),
            Event::Billing(e) => e.event_type(),
            Event::Genesis(e) => e.event_type(),
            Event::MarketProfile(e) => e.event_type(),
            Event::Listing(e) => e.event_type(),
            Event::Bid(e) => e.event_type(),
            Event::Contract(e) => e.event_type(),
            Event::Dispute(e) => e.event_type(),
            Event::Review(e) => e.event_type(),
            Event::CreditLots(e) => e.event_type(),
            Event::AutoBid(e) => e.event_type(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Role;
    use crate::ids::ActorId;
    use uuid::Uuid;

    fn registered() -> ActorEvent {
        ActorEvent::ActorRegistered {
            actor_id: ActorId(Uuid::from_u128(1)),
            role: Role::Human,
            name: "Ada".to_owned(),
            email: None,
            registered_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_stored_event_decodes_by_its_streams_prefix() {
        let payload = serde_json::to_string(&registered()).unwrap();
        let decoded =
            Event::decode("actor-00000000-0000-0000-0000-000000000001", &payload).unwrap();
        assert_eq!(decoded, Event::Actor(registered()));
        assert_eq!(decoded.event_type(), "ActorRegistered");
        let completed = r#"{"type":"DepositCompleted","at":"2026-01-01T12:00:00Z"}"#;
        assert!(matches!(
            Event::decode("deposit-1", completed),
            Ok(Event::Deposit(DepositEvent::DepositCompleted { .. }))
        ));
        let deleted = r#"{"type":"WebhookDeleted","by":"00000000-0000-0000-0000-000000000001","at":"2026-01-01T12:00:00Z"}"#;
        assert!(matches!(
            Event::decode("webhook-1", deleted),
            Ok(Event::Webhook(WebhookEvent::WebhookDeleted { .. }))
        ));
        let failed = r#"{"type":"DeliveryFailed","webhook_id":"00000000-0000-0000-0000-000000000001","position":3,"attempt":5,"status_code":500,"error":null,"duration_ms":4,"at":"2026-01-01T12:00:00Z"}"#;
        assert!(matches!(
            Event::decode("delivery-1", failed),
            Ok(Event::Delivery(DeliveryEvent::DeliveryFailed { .. }))
        ));
    }

    #[test]
    fn credentials_and_email_claims_decode_by_their_prefixes() {
        let set = r#"{"type":"PasswordSet","actor_id":"00000000-0000-0000-0000-000000000001","password_hash":"$argon2id$x","at":"2026-01-01T12:00:00Z"}"#;
        assert!(matches!(
            Event::decode("credentials-00000000-0000-0000-0000-000000000001", set),
            Ok(Event::Credentials(_))
        ));
        let claimed = r#"{"type":"EmailClaimed","email":"bea@example.com","actor_id":"00000000-0000-0000-0000-000000000001","at":"2026-01-01T12:00:00Z"}"#;
        let decoded = Event::decode("email-ab12", claimed).unwrap();
        assert_eq!(decoded.event_type(), "EmailClaimed");
    }

    #[test]
    fn payouts_and_payout_accounts_decode_by_their_prefixes() {
        let paid =
            r#"{"type":"PayoutPaid","provider_reference":"po_1","at":"2026-01-01T12:00:00Z"}"#;
        assert!(matches!(
            Event::decode("payout-00000000-0000-0000-0000-000000000001", paid),
            Ok(Event::Payout(PayoutEvent::PayoutPaid { .. }))
        ));
        let onboarded = r#"{"type":"PayoutOnboardingCompleted","at":"2026-01-01T12:00:00Z"}"#;
        let decoded = Event::decode(
            "payoutaccount-00000000-0000-0000-0000-000000000001-live",
            onboarded,
        )
        .unwrap();
        assert_eq!(decoded.event_type(), "PayoutOnboardingCompleted");
    }

    #[test]
    fn threads_inboxes_and_referrals_decode_by_their_prefixes() {
        let read = r#"{"type":"AllNotificationsRead","reader":"00000000-0000-0000-0000-000000000001","mode":"live","up_to_position":4,"at":"2026-01-01T12:00:00Z"}"#;
        let decoded = Event::decode(
            "notifications-00000000-0000-0000-0000-000000000001-live",
            read,
        )
        .unwrap();
        assert_eq!(decoded.event_type(), "AllNotificationsRead");
        let posted = r#"{"type":"MessagePosted","task_id":"00000000-0000-0000-0000-000000000001","message_id":"00000000-0000-0000-0000-000000000002","sender":"00000000-0000-0000-0000-000000000003","participation":"worker","recipients":[],"body":"hi","at":"2026-01-01T12:00:00Z"}"#;
        assert!(matches!(
            Event::decode("thread-00000000-0000-0000-0000-000000000001", posted),
            Ok(Event::Thread(ThreadEvent::MessagePosted { .. }))
        ));
        let referred = r#"{"type":"ReferralRecorded","referee":"00000000-0000-0000-0000-000000000001","referee_role":"human","referee_name":"Bea","referrer":"00000000-0000-0000-0000-000000000002","bonus":{"cents":500,"currency":"USD"},"mode":"live","at":"2026-01-01T12:00:00Z"}"#;
        assert!(matches!(
            Event::decode("referral-00000000-0000-0000-0000-000000000001", referred),
            Ok(Event::Referral(ReferralEvent::ReferralRecorded { .. }))
        ));
    }

    #[test]
    fn projects_job_links_and_billing_profiles_decode_by_their_prefixes() {
        let archived = r#"{"type":"ProjectArchived","at":"2026-01-01T12:00:00Z"}"#;
        assert!(matches!(
            Event::decode("project-00000000-0000-0000-0000-000000000001", archived),
            Ok(Event::Project(ProjectEvent::ProjectArchived { .. }))
        ));
        let linked = r#"{"type":"JobLinked","job":"00000000-0000-0000-0000-000000000001","project":"00000000-0000-0000-0000-000000000002","at":"2026-01-01T12:00:00Z"}"#;
        assert!(matches!(
            Event::decode("joblink-00000000-0000-0000-0000-000000000001", linked),
            Ok(Event::JobLink(JobLinkEvent::JobLinked { .. }))
        ));
        let detached =
            r#"{"type":"PaymentMethodDetached","method_id":"pm_1","at":"2026-01-01T12:00:00Z"}"#;
        let decoded = Event::decode(
            "billing-00000000-0000-0000-0000-000000000001-live",
            detached,
        )
        .unwrap();
        assert_eq!(decoded.event_type(), "PaymentMethodDetached");
    }

    #[test]
    fn listings_and_bids_decode_by_their_prefixes() {
        let deactivated = r#"{"type":"ListingDeactivated","at":"2026-01-01T12:00:00Z"}"#;
        assert!(matches!(
            Event::decode("listing-00000000-0000-0000-0000-000000000001", deactivated),
            Ok(Event::Listing(ListingEvent::ListingDeactivated { .. }))
        ));
        let expired = r#"{"type":"BidExpired","bid_id":"00000000-0000-0000-0000-000000000002","at":"2026-01-01T12:00:00Z"}"#;
        let decoded = Event::decode("bid-00000000-0000-0000-0000-000000000002", expired).unwrap();
        assert_eq!(decoded.event_type(), "BidExpired");
    }

    #[test]
    fn contracts_and_disputes_decode_by_their_prefixes() {
        let completed = r#"{"type":"ContractCompleted","listing_id":"00000000-0000-0000-0000-000000000001","buyer":"00000000-0000-0000-0000-000000000002","seller":"00000000-0000-0000-0000-000000000003","price":{"cents":7500,"currency":"USD"},"on_time":true,"at":"2026-01-01T12:00:00Z"}"#;
        assert!(matches!(
            Event::decode("contract-00000000-0000-0000-0000-000000000004", completed),
            Ok(Event::Contract(ContractEvent::ContractCompleted { .. }))
        ));
        let resolved = r#"{"type":"DisputeResolved","resolution":{"kind":"split","seller_pct":50},"note":null,"resolved_by":"00000000-0000-0000-0000-000000000001","at":"2026-01-01T12:00:00Z"}"#;
        let decoded =
            Event::decode("dispute-00000000-0000-0000-0000-000000000005", resolved).unwrap();
        assert_eq!(decoded.event_type(), "DisputeResolved");
    }

    #[test]
    fn credit_lots_decode_by_their_prefix() {
        let debited = r#"{"type":"CreditsDebited","wallet":{"owner":"00000000-0000-0000-0000-000000000001","mode":"live","currency":"RC"},"debit_id":"00000000-0000-0000-0000-000000000002","amount":{"cents":5,"currency":"RC"},"purpose":"withdrawal","drawn":[{"lot_id":"00000000-0000-0000-0000-000000000003","credits":5}],"at":"2026-01-01T12:00:00Z"}"#;
        let decoded = Event::decode(
            "creditlots-00000000-0000-0000-0000-000000000001-live",
            debited,
        )
        .unwrap();
        assert_eq!(decoded.event_type(), "CreditsDebited");
    }

    #[test]
    fn an_account_stream_is_told_by_its_first_segment() {
        assert_eq!(
            stream_prefix("account-00000000-0000-0000-0000-000000000001-live-USD"),
            "account"
        );
        assert_eq!(stream_prefix("task"), "task");
    }

    #[test]
    fn an_unknown_stream_or_a_foreign_payload_does_not_decode() {
        let payload = serde_json::to_string(&registered()).unwrap();
        assert!(matches!(
            Event::decode("nothing-1", &payload),
            Err(DecodeError::UnknownStream(_))
        ));
        assert!(matches!(
            Event::decode("task-1", &payload),
            Err(DecodeError::Payload { .. })
        ));
    }
}
