//! `WebhookEndpoint` (`webhook-<id>`): a URL an actor asked to be sent events
//! at, in one wire format, for every event type or a chosen few. Which events
//! it is sent is the outbox projection's business (what the owner may see);
//! this aggregate decides who may register and delete one, and what a valid
//! registration is.

use crate::actor::{Caller, Role};
use crate::aggregate::{Aggregate, DomainEvent};
use crate::error::{Decided, DomainError};
use crate::ids::{ActorId, WebhookId};
use crate::mode::Mode;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// Longer URLs are refused: browsers and proxies commonly stop at about 2,000
/// characters, and no receiver needs more.
pub const URL_MAX_CHARS: usize = 2_048;

/// A filter names at most this many event types; there are fewer than this.
pub const EVENT_TYPES_MAX: usize = 64;

/// Endpoints one actor may have at once: enough for a live and a test
/// receiver per dialect and a few more; each endpoint multiplies the outbox.
pub const ENDPOINTS_PER_ACTOR_MAX: u32 = 16;

/// Humans2AI endpoints one actor may have at once, counted apart from the
/// native ones: as many as the API keys Humans2AI allows an account (10), a
/// receiver per key being the most a client plausibly wants.
pub const HUMANS2AI_ENDPOINTS_PER_ACTOR_MAX: u32 = 10;

/// The event types an endpoint may ask for, as `GET /v1/events` names them.
/// The journal's own webhook events are not among them: delivering the
/// outcome of a delivery would make another delivery, without end.
pub const SUBSCRIBABLE_EVENT_TYPES: &[&str] = &[
    // Tasks (to the poster and the workers concerned).
    "TaskPosted",
    "TaskApplied",
    "TaskAssigned",
    "AssignmentAbandoned",
    "WorkSubmitted",
    "SubmissionApproved",
    "SubmissionRejected",
    "SubmissionDisputed",
    "TaskPaused",
    "TaskResumed",
    "TaskStopped",
    "TaskCancelled",
    "TaskExpired",
    "TaskResized",
    "EscrowIncreased",
    "EscrowReleased",
    "TaskCompleted",
    "SettlementOpened",
    // Accounts and deposits (to their owner).
    "FundsDeposited",
    "HoldPlaced",
    "HoldIncreased",
    "HoldCaptured",
    "HoldReleased",
    "PaymentReceived",
    "PayoutSent",
    "PayoutReturned",
    "DepositRequested",
    "DepositCompleted",
    // Payouts (to their owner).
    "PayoutRequested",
    "PayoutPaid",
    "PayoutFailed",
    // Actors and keys (to admins' endpoints only).
    "ActorRegistered",
    "ActorFrozen",
    "ActorUnfrozen",
    "ActorBanned",
    "ActorUnbanned",
    "ApiKeyIssued",
    "ApiKeyRevoked",
];

/// The wire format deliveries are sent in, and how they are signed. Adding a
/// dialect's format is a variant here, its rendering and its signature in
/// the server's `webhooks` module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookFormat {
    /// The native API's event, in a Standard Webhooks envelope and signature.
    #[default]
    Native,
    /// HumanPing's `{event, task, timestamp}` with `X-HumanPing-Signature`.
    #[serde(rename = "humanping")]
    HumanPing,
    /// Humans2AI's `{event, timestamp, taskId, data}` with
    /// `X-Humans2AI-Signature`; its filter names Humans2AI's events.
    #[serde(rename = "humans2ai")]
    Humans2Ai,
    /// Humai's `{event, timestamp, data}` with `X-Humai-Signature`; its
    /// filter names Humai's events.
    Humai,
}

impl WebhookFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookFormat::Native => "native",
            WebhookFormat::HumanPing => "humanping",
            WebhookFormat::Humans2Ai => "humans2ai",
            WebhookFormat::Humai => "humai",
        }
    }

    pub fn parse(text: &str) -> Option<WebhookFormat> {
        match text {
            "native" => Some(WebhookFormat::Native),
            "humanping" => Some(WebhookFormat::HumanPing),
            "humans2ai" => Some(WebhookFormat::Humans2Ai),
            "humai" => Some(WebhookFormat::Humai),
            _ => None,
        }
    }

    /// The event names a filter of this format may list.
    pub fn event_names(self) -> &'static [&'static str] {
        match self {
            WebhookFormat::Native | WebhookFormat::HumanPing => SUBSCRIBABLE_EVENT_TYPES,
            WebhookFormat::Humans2Ai => super::humans2ai::EVENT_NAMES,
            WebhookFormat::Humai => super::humai::EVENT_NAMES,
        }
    }

    /// Endpoints of this format one actor may have at once.
    pub fn endpoints_per_actor_max(self) -> u32 {
        match self {
            WebhookFormat::Native | WebhookFormat::HumanPing | WebhookFormat::Humai => {
                ENDPOINTS_PER_ACTOR_MAX
            }
            WebhookFormat::Humans2Ai => HUMANS2AI_ENDPOINTS_PER_ACTOR_MAX,
        }
    }
}

/// Which event types an endpoint is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "types")]
pub enum EventFilter {
    All,
    /// Sorted, distinct, each one of the format's [`WebhookFormat::event_names`].
    Only(Vec<String>),
}

impl EventFilter {
    /// Whether a native (or HumanPing) endpoint is sent a ledger event type.
    pub fn matches(&self, event_type: &str) -> bool {
        self.admits(WebhookFormat::Native, event_type)
    }

    /// Whether an endpoint of `format` is sent the event it names `name`.
    pub fn admits(&self, format: WebhookFormat, name: &str) -> bool {
        match self {
            EventFilter::All => format.event_names().contains(&name),
            EventFilter::Only(types) => types.iter().any(|t| t == name),
        }
    }

    /// A filter as asked for: each name one of the format's, 1 to
    /// [`EVENT_TYPES_MAX`] of them.
    fn checked(&self, format: WebhookFormat) -> Result<EventFilter, DomainError> {
        let EventFilter::Only(types) = self else {
            return Ok(EventFilter::All);
        };
        if types.is_empty() || types.len() > EVENT_TYPES_MAX {
            return Err(DomainError::invalid(format!(
                "event_types must list 1 to {EVENT_TYPES_MAX} event types, or be omitted for all"
            )));
        }
        let known = format.event_names();
        if let Some(unknown) = types.iter().find(|t| !known.contains(&t.as_str())) {
            return Err(DomainError::invalid(format!(
                "unknown event type {unknown:?}; known types: {}",
                known.join(", ")
            )));
        }
        let mut types = types.clone();
        types.sort();
        types.dedup();
        Ok(EventFilter::Only(types))
    }
}

/// A client's own signing secret, sealed by the server (an AEAD under a key
/// derived from the server's secret, bound to the endpoint's id) before it is
/// decided on: the journal, which auditors read, holds only ciphertext. The
/// domain neither reads nor makes it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SealedSecret(pub String);

impl std::fmt::Debug for SealedSecret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("SealedSecret(..)")
    }
}

/// An absolute http or https URL with a host and without credentials
/// (a secret in a URL would be in the journal). Which hosts may be sent to
/// is the sender's rule (see the server's SSRF guard), not the domain's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    pub fn parse(text: &str) -> Result<WebhookUrl, DomainError> {
        let refuse = |why: &str| Err(DomainError::invalid(format!("url {why}")));
        let text = text.trim();
        if text.chars().count() > URL_MAX_CHARS {
            return refuse(&format!("must be at most {URL_MAX_CHARS} characters"));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return refuse("must not contain spaces or control characters");
        }
        let Some((scheme, rest)) = text.split_once("://") else {
            return refuse("must be an absolute http or https URL");
        };
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return refuse("must use http or https");
        }
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains('@') {
            return refuse("must not contain credentials");
        }
        let host = match authority.strip_prefix('[') {
            Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
            None => authority.split(':').next().unwrap_or_default(),
        };
        if host.is_empty() {
            return refuse("must name a host");
        }
        Ok(WebhookUrl(format!("{scheme}://{rest}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum WebhookCommand {
    Register {
        webhook_id: WebhookId,
        by: Caller,
        mode: Mode,
        url: WebhookUrl,
        events: EventFilter,
        format: WebhookFormat,
        /// How many endpoints of `format` `by` has now (from the read model).
        endpoints_owned: u32,
        at: Timestamp,
    },
    Delete {
        by: Caller,
        at: Timestamp,
    },
    /// The owner changes where it is sent or what (each when given).
    Update {
        by: Caller,
        url: Option<WebhookUrl>,
        events: Option<EventFilter>,
        at: Timestamp,
    },
    /// The owner signs deliveries with a secret of their own from now on
    /// (Humai's `secret`); the other formats sign with the server's.
    SetSigningSecret {
        by: Caller,
        sealed: SealedSecret,
        at: Timestamp,
    },
    /// The owner asks for a sample delivery of `event_name` (one of the
    /// format's), to check their receiver.
    Test {
        by: Caller,
        event_name: String,
        at: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum WebhookEvent {
    WebhookRegistered {
        webhook_id: WebhookId,
        owner: ActorId,
        /// An admin's endpoint may be sent every event; others only what
        /// their owner takes part in.
        owner_role: Role,
        mode: Mode,
        url: WebhookUrl,
        events: EventFilter,
        format: WebhookFormat,
        registered_at: Timestamp,
    },
    WebhookDeleted {
        by: ActorId,
        at: Timestamp,
    },
    WebhookUpdated {
        by: ActorId,
        url: Option<WebhookUrl>,
        events: Option<EventFilter>,
        at: Timestamp,
    },
    /// Deliveries are signed with the owner's own secret from here on.
    WebhookSigningSecretSet {
        by: ActorId,
        sealed: SealedSecret,
        at: Timestamp,
    },
    /// A sample delivery was asked for: the outbox sends this endpoint, and
    /// only it, a delivery of this event (the one webhook event ever sent).
    WebhookTestRequested {
        by: ActorId,
        event_name: String,
        at: Timestamp,
    },
}

impl DomainEvent for WebhookEvent {
    fn event_type(&self) -> &'static str {
        match self {
            WebhookEvent::WebhookRegistered { .. } => "WebhookRegistered",
            WebhookEvent::WebhookDeleted { .. } => "WebhookDeleted",
            WebhookEvent::WebhookUpdated { .. } => "WebhookUpdated",
            WebhookEvent::WebhookSigningSecretSet { .. } => "WebhookSigningSecretSet",
            WebhookEvent::WebhookTestRequested { .. } => "WebhookTestRequested",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    pub id: Option<WebhookId>,
    pub owner: Option<ActorId>,
    pub owner_role: Option<Role>,
    pub mode: Mode,
    pub url: Option<WebhookUrl>,
    pub events: Option<EventFilter>,
    pub format: WebhookFormat,
    pub deleted: bool,
    pub registered_at: Option<Timestamp>,
    /// The owner's own signing secret, if they gave one.
    pub sealed_secret: Option<SealedSecret>,
}

impl WebhookEndpoint {
    /// Registered and not deleted: what its owner (or an admin) can see and delete.
    pub fn is_live(&self) -> bool {
        self.id.is_some() && !self.deleted
    }

    /// Only a live endpoint's owner (or an admin) may `what` it.
    fn ensure_owners_live(&self, by: &Caller, what: &str) -> Result<(), DomainError> {
        let owner = self.owner.ok_or(DomainError::NotFound("webhook"))?;
        by.ensure_not_banned()?;
        if by.actor != owner && !by.is_admin() {
            return Err(DomainError::forbidden(format!(
                "only the webhook's owner or an admin may {what} it"
            )));
        }
        if self.deleted {
            return Err(DomainError::NotFound("webhook"));
        }
        Ok(())
    }
}

impl Aggregate for WebhookEndpoint {
    const STREAM_PREFIX: &'static str = "webhook";
    type Command = WebhookCommand;
    type Event = WebhookEvent;

    fn decide(&self, command: &WebhookCommand) -> Decided<WebhookEvent> {
        match command {
            WebhookCommand::Register {
                webhook_id,
                by,
                mode,
                url,
                events,
                format,
                endpoints_owned,
                at,
            } => {
                if self.id.is_some() {
                    return Err(DomainError::conflict("webhook already registered"));
                }
                by.ensure_not_banned()?;
                let endpoints_max = format.endpoints_per_actor_max();
                if *endpoints_owned >= endpoints_max {
                    return Err(DomainError::limit_exceeded(format!(
                        "an actor may have at most {endpoints_max} webhooks; delete one first"
                    )));
                }
                Ok(vec![WebhookEvent::WebhookRegistered {
                    webhook_id: *webhook_id,
                    owner: by.actor,
                    owner_role: by.role,
                    mode: *mode,
                    url: url.clone(),
                    events: events.checked(*format)?,
                    format: *format,
                    registered_at: *at,
                }])
            }
            WebhookCommand::Delete { by, at } => {
                let owner = self.owner.ok_or(DomainError::NotFound("webhook"))?;
                by.ensure_not_banned()?;
                if by.actor != owner && !by.is_admin() {
                    return Err(DomainError::forbidden(
                        "only the webhook's owner or an admin may delete it",
                    ));
                }
                if self.deleted {
                    return Err(DomainError::conflict("webhook is already deleted"));
                }
                Ok(vec![WebhookEvent::WebhookDeleted {
                    by: by.actor,
                    at: *at,
                }])
            }
            WebhookCommand::Update {
                by,
                url,
                events,
                at,
            } => {
                self.ensure_owners_live(by, "change")?;
                if url.is_none() && events.is_none() {
                    return Err(DomainError::invalid("send a url or events to change"));
                }
                let events = events
                    .as_ref()
                    .map(|events| events.checked(self.format))
                    .transpose()?;
                Ok(vec![WebhookEvent::WebhookUpdated {
                    by: by.actor,
                    url: url.clone(),
                    events,
                    at: *at,
                }])
            }
            WebhookCommand::SetSigningSecret { by, sealed, at } => {
                self.ensure_owners_live(by, "change")?;
                if self.format != WebhookFormat::Humai {
                    return Err(DomainError::invalid(
                        "this endpoint's deliveries are signed with the secret the server gave it",
                    ));
                }
                Ok(vec![WebhookEvent::WebhookSigningSecretSet {
                    by: by.actor,
                    sealed: sealed.clone(),
                    at: *at,
                }])
            }
            WebhookCommand::Test { by, event_name, at } => {
                self.ensure_owners_live(by, "test")?;
                if !self.format.event_names().contains(&event_name.as_str()) {
                    return Err(DomainError::invalid(format!(
                        "unknown event type {event_name:?}; known types: {}",
                        self.format.event_names().join(", ")
                    )));
                }
                Ok(vec![WebhookEvent::WebhookTestRequested {
                    by: by.actor,
                    event_name: event_name.clone(),
                    at: *at,
                }])
            }
        }
    }

    fn apply(&mut self, event: &WebhookEvent) {
        match event {
            WebhookEvent::WebhookRegistered {
                webhook_id,
                owner,
                owner_role,
                mode,
                url,
                events,
                format,
                registered_at,
            } => {
                self.id = Some(*webhook_id);
                self.owner = Some(*owner);
                self.owner_role = Some(*owner_role);
                self.mode = *mode;
                self.url = Some(url.clone());
                self.events = Some(events.clone());
                self.format = *format;
                self.registered_at = Some(*registered_at);
            }
            WebhookEvent::WebhookDeleted { .. } => self.deleted = true,
            WebhookEvent::WebhookUpdated { url, events, .. } => {
                if let Some(url) = url {
                    self.url = Some(url.clone());
                }
                if let Some(events) = events {
                    self.events = Some(events.clone());
                }
            }
            WebhookEvent::WebhookSigningSecretSet { sealed, .. } => {
                self.sealed_secret = Some(sealed.clone());
            }
            WebhookEvent::WebhookTestRequested { .. } => {}
        }
    }
}

crate::cqrs_aggregate!(WebhookEndpoint);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Standing;
    use chrono::TimeZone;
    use cqrs_es::test::TestFramework;
    use uuid::Uuid;

    type WebhookTest = TestFramework<WebhookEndpoint>;

    const HOOK: WebhookId = WebhookId(Uuid::from_u128(0x4007));
    const OWNER: ActorId = ActorId(Uuid::from_u128(0x1));

    fn at() -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
    }

    fn caller(actor: u128, role: Role) -> Caller {
        Caller {
            actor: ActorId(Uuid::from_u128(actor)),
            role,
            standing: Standing::Active,
        }
    }

    fn owner() -> Caller {
        caller(0x1, Role::Agent)
    }

    fn url() -> WebhookUrl {
        WebhookUrl::parse("https://hooks.example.com/errand").unwrap()
    }

    fn register(events: EventFilter, endpoints_owned: u32) -> WebhookCommand {
        WebhookCommand::Register {
            webhook_id: HOOK,
            by: owner(),
            mode: Mode::Live,
            url: url(),
            events,
            format: WebhookFormat::Native,
            endpoints_owned,
            at: at(),
        }
    }

    fn registered(events: EventFilter) -> WebhookEvent {
        WebhookEvent::WebhookRegistered {
            webhook_id: HOOK,
            owner: OWNER,
            owner_role: Role::Agent,
            mode: Mode::Live,
            url: url(),
            events,
            format: WebhookFormat::Native,
            registered_at: at(),
        }
    }

    fn only(types: &[&str]) -> EventFilter {
        EventFilter::Only(types.iter().map(|t| (*t).to_owned()).collect())
    }

    fn delete(by: Caller) -> WebhookCommand {
        WebhookCommand::Delete { by, at: at() }
    }

    #[test]
    fn registering_records_the_owner_its_role_and_a_sorted_distinct_filter() {
        WebhookTest::with(())
            .given_no_previous_events()
            .when(register(
                only(&["TaskPosted", "SubmissionApproved", "TaskPosted"]),
                0,
            ))
            .then_expect_events(vec![registered(only(&[
                "SubmissionApproved",
                "TaskPosted",
            ]))]);
    }

    #[test]
    fn an_endpoint_may_ask_for_every_event_type() {
        WebhookTest::with(())
            .given_no_previous_events()
            .when(register(EventFilter::All, 0))
            .then_expect_events(vec![registered(EventFilter::All)]);
        assert!(EventFilter::All.matches("TaskPosted"));
        assert!(!EventFilter::All.matches("WebhookRegistered"));
        assert!(only(&["TaskPosted"]).matches("TaskPosted"));
        assert!(!only(&["TaskPosted"]).matches("TaskCompleted"));
    }

    #[test]
    fn an_unknown_or_unsubscribable_event_type_is_refused() {
        for unknown in ["TaskExploded", "DeliverySucceeded", "WebhookRegistered"] {
            WebhookTest::with(())
                .given_no_previous_events()
                .when(register(only(&["TaskPosted", unknown]), 0))
                .then_expect_error(DomainError::Invalid(format!(
                    "unknown event type {unknown:?}; known types: {}",
                    SUBSCRIBABLE_EVENT_TYPES.join(", ")
                )));
        }
    }

    #[test]
    fn a_filter_lists_1_to_64_event_types() {
        let error = DomainError::Invalid(
            "event_types must list 1 to 64 event types, or be omitted for all".to_owned(),
        );
        for types in [vec![], vec!["TaskPosted"; EVENT_TYPES_MAX + 1]] {
            WebhookTest::with(())
                .given_no_previous_events()
                .when(register(only(&types), 0))
                .then_expect_error(error.clone());
        }
        let most = vec!["TaskPosted"; EVENT_TYPES_MAX];
        assert!(WebhookEndpoint::default()
            .decide(&register(only(&most), 0))
            .is_ok());
    }

    #[test]
    fn an_actor_has_at_most_16_endpoints() {
        WebhookTest::with(())
            .given_no_previous_events()
            .when(register(EventFilter::All, ENDPOINTS_PER_ACTOR_MAX))
            .then_expect_error(DomainError::LimitExceeded(
                "an actor may have at most 16 webhooks; delete one first".to_owned(),
            ));
        assert!(WebhookEndpoint::default()
            .decide(&register(EventFilter::All, ENDPOINTS_PER_ACTOR_MAX - 1))
            .is_ok());
    }

    #[test]
    fn a_banned_actor_registers_nothing() {
        let banned = Caller {
            standing: Standing::Banned,
            ..owner()
        };
        WebhookTest::with(())
            .given_no_previous_events()
            .when(WebhookCommand::Register {
                webhook_id: HOOK,
                by: banned,
                mode: Mode::Live,
                url: url(),
                events: EventFilter::All,
                format: WebhookFormat::Native,
                endpoints_owned: 0,
                at: at(),
            })
            .then_expect_error(DomainError::Forbidden("actor is banned".to_owned()));
    }

    #[test]
    fn registering_twice_is_a_conflict() {
        WebhookTest::with(())
            .given(vec![registered(EventFilter::All)])
            .when(register(EventFilter::All, 1))
            .then_expect_error(DomainError::Conflict(
                "webhook already registered".to_owned(),
            ));
    }

    #[test]
    fn the_owner_or_an_admin_deletes_an_endpoint() {
        for by in [owner(), caller(0xad, Role::Admin)] {
            WebhookTest::with(())
                .given(vec![registered(EventFilter::All)])
                .when(delete(by))
                .then_expect_events(vec![WebhookEvent::WebhookDeleted {
                    by: by.actor,
                    at: at(),
                }]);
        }
        let deleted = WebhookEndpoint::fold(&[
            registered(EventFilter::All),
            WebhookEvent::WebhookDeleted {
                by: OWNER,
                at: at(),
            },
        ]);
        assert!(!deleted.is_live());
    }

    #[test]
    fn no_one_else_deletes_an_endpoint() {
        WebhookTest::with(())
            .given(vec![registered(EventFilter::All)])
            .when(delete(caller(0x2, Role::Agent)))
            .then_expect_error(DomainError::Forbidden(
                "only the webhook's owner or an admin may delete it".to_owned(),
            ));
    }

    #[test]
    fn deleting_twice_is_a_conflict_and_deleting_nothing_finds_nothing() {
        WebhookTest::with(())
            .given(vec![
                registered(EventFilter::All),
                WebhookEvent::WebhookDeleted {
                    by: OWNER,
                    at: at(),
                },
            ])
            .when(delete(owner()))
            .then_expect_error(DomainError::Conflict(
                "webhook is already deleted".to_owned(),
            ));
        WebhookTest::with(())
            .given_no_previous_events()
            .when(delete(owner()))
            .then_expect_error(DomainError::NotFound("webhook"));
    }

    #[test]
    fn urls_are_absolute_http_or_https_with_a_host_and_no_credentials() {
        for good in [
            "https://hooks.example.com/errand?x=1",
            "HTTP://127.0.0.1:8080/hook",
            "https://[::1]:9000/",
            "  https://example.com  ",
        ] {
            assert!(WebhookUrl::parse(good).is_ok(), "{good}");
        }
        assert_eq!(
            WebhookUrl::parse("HTTPS://Example.com/A").unwrap().as_str(),
            "https://Example.com/A"
        );
        let too_long = format!("https://example.com/{}", "a".repeat(URL_MAX_CHARS));
        for bad in [
            "",
            "example.com/hook",
            "ftp://example.com/hook",
            "file:///etc/passwd",
            "https://",
            "https:///path",
            "https://user:pass@example.com/",
            "https://exa mple.com/",
            "https://example.com/\u{0}",
            "https://[]/",
            too_long.as_str(),
        ] {
            assert!(WebhookUrl::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn formats_read_and_print_as_their_names() {
        for format in [
            WebhookFormat::Native,
            WebhookFormat::HumanPing,
            WebhookFormat::Humans2Ai,
        ] {
            assert_eq!(WebhookFormat::parse(format.as_str()), Some(format));
            let json = serde_json::to_value(format).unwrap();
            assert_eq!(json, format.as_str());
        }
        assert_eq!(WebhookFormat::parse("Humans2AI"), None);
    }

    fn register_humans2ai(events: EventFilter, endpoints_owned: u32) -> WebhookCommand {
        let WebhookCommand::Register {
            webhook_id,
            by,
            mode,
            url,
            at,
            ..
        } = register(EventFilter::All, 0)
        else {
            unreachable!("register makes a Register")
        };
        WebhookCommand::Register {
            webhook_id,
            by,
            mode,
            url,
            events,
            format: WebhookFormat::Humans2Ai,
            endpoints_owned,
            at,
        }
    }

    #[test]
    fn a_humans2ai_endpoint_names_humans2ai_events() {
        let events = WebhookEndpoint::default()
            .decide(&register_humans2ai(
                only(&["task.completed", "message.received", "task.completed"]),
                0,
            ))
            .unwrap();
        let WebhookEvent::WebhookRegistered { events, format, .. } = &events[0] else {
            panic!("{events:?}");
        };
        assert_eq!(*format, WebhookFormat::Humans2Ai);
        assert_eq!(*events, only(&["message.received", "task.completed"]));
        for ledger_type in ["TaskCompleted", "task.accepted"] {
            WebhookTest::with(())
                .given_no_previous_events()
                .when(register_humans2ai(only(&[ledger_type]), 0))
                .then_expect_error(DomainError::Invalid(format!(
                    "unknown event type {ledger_type:?}; known types: task.human_accepted, \
                     task.submitted, task.completed, task.expired, task.disputed, message.received"
                )));
        }
        assert!(EventFilter::All.admits(WebhookFormat::Humans2Ai, "task.expired"));
        assert!(!EventFilter::All.admits(WebhookFormat::Humans2Ai, "TaskExpired"));
        assert!(!EventFilter::All.matches("task.expired"));
    }

    #[test]
    fn an_actor_has_at_most_10_humans2ai_endpoints_besides_its_native_ones() {
        WebhookTest::with(())
            .given_no_previous_events()
            .when(register_humans2ai(
                EventFilter::All,
                HUMANS2AI_ENDPOINTS_PER_ACTOR_MAX,
            ))
            .then_expect_error(DomainError::LimitExceeded(
                "an actor may have at most 10 webhooks; delete one first".to_owned(),
            ));
        assert!(WebhookEndpoint::default()
            .decide(&register_humans2ai(
                EventFilter::All,
                HUMANS2AI_ENDPOINTS_PER_ACTOR_MAX - 1
            ))
            .is_ok());
    }

    fn registered_humai(events: EventFilter) -> WebhookEvent {
        let WebhookEvent::WebhookRegistered {
            webhook_id,
            owner,
            owner_role,
            mode,
            url,
            registered_at,
            ..
        } = registered(events.clone())
        else {
            unreachable!("registered makes a WebhookRegistered")
        };
        WebhookEvent::WebhookRegistered {
            webhook_id,
            owner,
            owner_role,
            mode,
            url,
            events,
            format: WebhookFormat::Humai,
            registered_at,
        }
    }

    #[test]
    fn the_owner_changes_a_humai_endpoints_events_to_humai_names_only() {
        let command = |events| WebhookCommand::Update {
            by: owner(),
            url: None,
            events: Some(events),
            at: at(),
        };
        WebhookTest::with(())
            .given(vec![registered_humai(EventFilter::All)])
            .when(command(only(&[
                "bid.received",
                "transaction.created",
                "bid.received",
            ])))
            .then_expect_events(vec![WebhookEvent::WebhookUpdated {
                by: OWNER,
                url: None,
                events: Some(only(&["bid.received", "transaction.created"])),
                at: at(),
            }]);
        assert!(matches!(
            WebhookEndpoint::fold(&[registered_humai(EventFilter::All)])
                .decide(&command(only(&["TaskPosted"]))),
            Err(DomainError::Invalid(_))
        ));
        let updated = WebhookEndpoint::fold(&[
            registered_humai(EventFilter::All),
            WebhookEvent::WebhookUpdated {
                by: OWNER,
                url: Some(WebhookUrl::parse("https://other.example.com/h").unwrap()),
                events: None,
                at: at(),
            },
        ]);
        assert_eq!(
            updated.url.as_ref().map(WebhookUrl::as_str),
            Some("https://other.example.com/h")
        );
        assert_eq!(updated.events, Some(EventFilter::All));
    }

    #[test]
    fn an_update_changes_something_and_only_the_owners_live_endpoint() {
        let update = |by| WebhookCommand::Update {
            by,
            url: Some(url()),
            events: None,
            at: at(),
        };
        WebhookTest::with(())
            .given(vec![registered_humai(EventFilter::All)])
            .when(WebhookCommand::Update {
                by: owner(),
                url: None,
                events: None,
                at: at(),
            })
            .then_expect_error(DomainError::invalid("send a url or events to change"));
        WebhookTest::with(())
            .given(vec![registered_humai(EventFilter::All)])
            .when(update(caller(0x2, Role::Agent)))
            .then_expect_error(DomainError::Forbidden(
                "only the webhook's owner or an admin may change it".to_owned(),
            ));
        WebhookTest::with(())
            .given(vec![
                registered_humai(EventFilter::All),
                WebhookEvent::WebhookDeleted {
                    by: OWNER,
                    at: at(),
                },
            ])
            .when(update(owner()))
            .then_expect_error(DomainError::NotFound("webhook"));
    }

    #[test]
    fn a_test_delivery_is_asked_for_one_of_the_formats_events() {
        let test = |name: &str| WebhookCommand::Test {
            by: owner(),
            event_name: name.to_owned(),
            at: at(),
        };
        WebhookTest::with(())
            .given(vec![registered_humai(only(&["bid.received"]))])
            .when(test("transaction.created"))
            .then_expect_events(vec![WebhookEvent::WebhookTestRequested {
                by: OWNER,
                event_name: "transaction.created".to_owned(),
                at: at(),
            }]);
        assert!(matches!(
            WebhookEndpoint::fold(&[registered_humai(EventFilter::All)])
                .decide(&test("task.completed")),
            Err(DomainError::Invalid(_))
        ));
        WebhookTest::with(())
            .given_no_previous_events()
            .when(test("bid.received"))
            .then_expect_error(DomainError::NotFound("webhook"));
    }

    #[test]
    fn only_a_humai_endpoints_owner_sets_its_own_signing_secret() {
        let sealed = SealedSecret("v1.sealed".to_owned());
        let set = |by: Caller| WebhookCommand::SetSigningSecret {
            by,
            sealed: sealed.clone(),
            at: at(),
        };
        WebhookTest::with(())
            .given(vec![registered_humai(EventFilter::All)])
            .when(set(owner()))
            .then_expect_events(vec![WebhookEvent::WebhookSigningSecretSet {
                by: OWNER,
                sealed: sealed.clone(),
                at: at(),
            }]);
        let endpoint = WebhookEndpoint::fold(&[
            registered_humai(EventFilter::All),
            WebhookEvent::WebhookSigningSecretSet {
                by: OWNER,
                sealed: sealed.clone(),
                at: at(),
            },
        ]);
        assert_eq!(endpoint.sealed_secret, Some(sealed.clone()));
        assert_eq!(
            format!("{:?}", endpoint.sealed_secret),
            "Some(SealedSecret(..))"
        );
        WebhookTest::with(())
            .given(vec![registered_humai(EventFilter::All)])
            .when(set(caller(0x2, Role::Agent)))
            .then_expect_error(DomainError::Forbidden(
                "only the webhook's owner or an admin may change it".to_owned(),
            ));
        // A native endpoint's secret is the server's: its receivers verify with it.
        assert!(matches!(
            WebhookEndpoint::fold(&[registered(EventFilter::All)]).decide(&set(owner())),
            Err(DomainError::Invalid(_))
        ));
    }
}
