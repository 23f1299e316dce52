//! Webhooks, the domain half: an endpoint an actor registers to be sent the
//! events it may see ([`endpoint`], stream `webhook-<id>`), and what became of
//! sending one event to one endpoint ([`delivery`], stream `delivery-<id>`).
//!
//! No signing secret is ever in an event in the clear: the journal is
//! readable by auditors. Each endpoint's secret is derived from the server's
//! secret and the endpoint's id, outside the domain; a Humai client's own
//! secret is kept sealed under a key derived the same way.
//!
//! Each delivery has a stream of its own, so recording the outcome of one
//! never conflicts with recording another's, however many an endpoint has.

pub mod delivery;
pub mod endpoint;
pub mod humai;
pub mod humanping;
pub mod humans2ai;

pub use delivery::{
    delivery_id, AttemptOutcome, DeliveryCommand, DeliveryEvent, DeliveryStatus, RetryPolicy,
    WebhookDelivery,
};
pub use endpoint::{
    EventFilter, SealedSecret, WebhookCommand, WebhookEndpoint, WebhookEvent, WebhookFormat,
    WebhookUrl,
};
