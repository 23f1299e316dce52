//! Identifiers. Every id is a UUID (v7 when Errand makes it: time-ordered, so
//! ids sort as cursors), wrapped in a type per kind so a task id can never be
//! passed where an actor id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn parse(text: &str) -> Option<Self> {
                Uuid::parse_str(text).ok().map($name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                $name(id)
            }
        }
    };
}

id_type!(
    /// An agent, a human or an admin.
    ActorId
);
id_type!(
    /// An API key (not its secret).
    KeyId
);
id_type!(
    /// A unit of paid work.
    TaskId
);
id_type!(
    /// A person's request to be selected for an `apply_select` task.
    ApplicationId
);
id_type!(
    /// One worker holding one slot of a task.
    AssignmentId
);
id_type!(
    /// Proof of work handed in for one assignment.
    SubmissionId
);
id_type!(
    /// Money set aside on an account for one purpose (a task's escrow).
    HoldId
);
id_type!(
    /// One settlement of part of a hold: a capture (payment) or a release (refund).
    SettlementId
);
id_type!(
    /// A Humai transaction: one buyer paying one seller a price, held in
    /// escrow until the work is accepted.
    ContractId
);
id_type!(
    /// A dispute over a contract's delivery (or one milestone's), resolved by an admin.
    DisputeId
);
id_type!(
    /// Money coming into the ledger from outside (a deposit or a grant).
    FundingId
);
id_type!(
    /// Money leaving the ledger to a payment provider.
    PayoutId
);
id_type!(
    /// A webhook endpoint: a URL an actor asked to be sent events at.
    WebhookId
);
id_type!(
    /// One event to be sent to one webhook endpoint; derived from both (see
    /// `webhook::delivery_id`), so a rebuilt outbox names deliveries alike.
    DeliveryId
);
id_type!(
    /// One message in a task's conversation (`thread`).
    MessageId
);
id_type!(
    /// One notification to one actor; derived from the event that caused it
    /// and its recipient (see `inbox::notification_id`), so a rebuild names it alike.
    NotificationId
);
id_type!(
    /// An owner's project (InstaHuman): a group of jobs and the testers who work on them.
    ProjectId
);
id_type!(
    /// A Humai listing: an offer to sell work or tools, or a request to buy work.
    ListingId
);
id_type!(
    /// A bid on a Humai buy listing: a seller's price and terms, maybe countered.
    BidId
);
id_type!(
    /// One entry of a Humai wallet's credit history: a credit lot, or a debit
    /// drawn from lots (`humai::credit_lots`). Derived from the ledger fact it
    /// records (the funding, the payout), so the same fact names the same entry.
    CreditEntryId
);
