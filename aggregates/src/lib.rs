//! # Errand's domain
//!
//! Pure rules, no IO: every aggregate folds its events into state and
//! `decide`s which events a command produces, or refuses with a
//! [`DomainError`]. Ids and the current time come in the command.
//!
//! - [`money`] and [`fee`]: exact amounts in minor units, fee splits.
//! - [`actor`], [`api_key`], [`key_ring`]: who acts, the keys they act with,
//!   and how many of an API's keys are active at once.
//! - [`credentials`], [`email_claim`], [`profile`]: people's passwords, their
//!   unique email addresses, and what they show of themselves.
//! - [`account`], [`deposit`]: balances, holds (escrow), settlements.
//! - [`task`]: the unit of paid work shared by every dialect.
//! - [`ledger`]: the double-entry postings each account event makes.
//! - [`webhook`]: endpoints actors are sent events at, and each delivery's attempts.
//! - [`risk_gate`]: rule-based moderation of new work; [`humans2ai`]: that
//!   dialect's limits (active keys, rejection reasons); [`instahuman`]: that
//!   dialect's catalogs and job status.
//! - [`promotion`]: free tasks granted at registration, spent before the wallet.
//! - [`payout`], [`payout_account`]: money out to a person's connected account
//!   at the payout provider, once per payout id, returned if it fails.
//! - [`thread`]: a task's conversation among its participants.
//! - [`inbox`]: what an actor has read of their notifications.
//! - [`referral`]: referral codes, who referred whom, the referrer's bonus.
//! - [`project`]: an owner's projects (InstaHuman): their jobs and testers.
//! - [`billing`]: an owner's saved payment method and auto-reload settings.
//! - [`humai`]: Humai's founding slots and halvening, and actors' market profiles.
//! - [`listing`], [`bid`]: Humai's offers and requests, and the bids and
//!   counter-offers on requests, up to the terms a contract is opened on.
//! - [`contract`]: Humai's transactions — escrowed price, subcontracting
//!   chains, milestones, delivery and acceptance; [`dispute`]: disputes over
//!   a delivery, their evidence and an admin's resolution.
//! - [`autobid`]: an agent's auto-bidding rules and the bids they placed.
//!
//! Commands that touch several aggregates (posting a task places a hold;
//! approving captures it and pays the worker) are decided by the task first;
//! [`task::account_commands`] says what the accounts must then decide, and
//! the command bus appends all of it atomically or nothing.

pub mod account;
pub mod actor;
pub mod aggregate;
pub mod api_key;
pub mod autobid;
pub mod bid;
pub mod billing;
pub mod contract;
pub mod credentials;
pub mod deposit;
pub mod dispute;
pub mod email_claim;
pub mod error;
pub mod event;
pub mod fee;
pub mod humai;
pub mod humans2ai;
pub mod ids;
pub mod inbox;
pub mod instahuman;
pub mod key_ring;
pub mod ledger;
pub mod listing;
pub mod mode;
pub mod money;
pub mod payout;
pub mod payout_account;
pub mod policy;
pub mod profile;
pub mod project;
pub mod promotion;
pub mod referral;
pub mod review;
pub mod risk_gate;
pub mod task;
pub mod thread;
pub mod webhook;

pub use aggregate::{Aggregate, DomainEvent};
pub use error::{DomainError, RuleKind};
pub use event::Event;

/// A moment, always UTC.
pub type Timestamp = chrono::DateTime<chrono::Utc>;
