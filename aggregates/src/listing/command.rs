//! What is asked of a listing: by its owner, by an admin, or by a bid's
//! decision (the actions a bid implies, see [`crate::bid::listing_action`]).

use super::{
    CategoryTags, Description, Direction, JsonObject, ListingDetails, ListingType, Reason,
    SlaHours, SubscriptionPlans, SuspensionCause, Tier, Title,
};
use crate::actor::Caller;
use crate::ids::{ActorId, BidId, ListingId};
use crate::mode::Mode;
use crate::money::Money;
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub struct ListingCommand {
    pub by: Caller,
    /// The mode the caller acts in: a listing lives in one.
    pub mode: Mode,
    pub at: Timestamp,
    pub action: ListingAction,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ListingAction {
    Create(Box<NewListing>),
    /// The owner changes the fields given.
    Update(Box<ListingChanges>),
    /// The owner takes it off the market for good (`is_active = false`).
    Deactivate,
    /// An admin's kill switch, or a provider's ban.
    Suspend {
        cause: SuspensionCause,
        reason: Reason,
    },
    /// Lifts the suspension of this cause.
    Reinstate {
        cause: SuspensionCause,
        reason: Reason,
    },
    /// A bid placed on this listing (decided by the bid first).
    ReceiveBid {
        bid: BidId,
        bidder: ActorId,
        open_until: Timestamp,
    },
    /// A bid's life was pushed back by a counter-offer.
    ExtendBid {
        bid: BidId,
        open_until: Timestamp,
    },
    /// A bid closed without being accepted (rejected, expired): its
    /// bidder may bid again.
    ReleaseBid {
        bid: BidId,
    },
    /// A bid was accepted: this listing is awarded to it.
    AwardBid {
        bid: BidId,
    },
    /// A contract on this listing completed. The contract appends this in
    /// the append that completes it, which its own stream lets happen once.
    RecordSale {
        contract: Uuid,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewListing {
    pub listing_id: ListingId,
    pub direction: Direction,
    pub listing_type: ListingType,
    pub details: ListingDetails,
}

/// Fields to change; the others stay. As stored in `ListingUpdated`, only
/// the fields changed are written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListingChanges {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Title>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Description>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_tags: Option<CategoryTags>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_ceiling: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla_hours: Option<SlaHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_schema: Option<JsonObject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<JsonObject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation_rubric: Option<JsonObject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_plans: Option<SubscriptionPlans>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_meta: Option<JsonObject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla_config: Option<JsonObject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negotiation_permitted: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_seller_tier: Option<Tier>,
}

impl ListingChanges {
    pub fn is_empty(&self) -> bool {
        *self == ListingChanges::default()
    }

    /// Only the changes that differ from `details`.
    pub(crate) fn against(&self, details: &ListingDetails) -> ListingChanges {
        fn differs<T: PartialEq + Clone>(new: &Option<T>, old: &T) -> Option<T> {
            new.as_ref().filter(|new| *new != old).cloned()
        }
        fn differs_opt<T: PartialEq + Clone>(new: &Option<T>, old: &Option<T>) -> Option<T> {
            new.as_ref()
                .filter(|new| Some(*new) != old.as_ref())
                .cloned()
        }
        ListingChanges {
            title: differs(&self.title, &details.title),
            description: differs(&self.description, &details.description),
            category_tags: differs(&self.category_tags, &details.category_tags),
            price: differs_opt(&self.price, &details.price),
            budget_ceiling: differs_opt(&self.budget_ceiling, &details.budget_ceiling),
            sla_hours: differs_opt(&self.sla_hours, &details.sla_hours),
            input_schema: differs_opt(&self.input_schema, &details.input_schema),
            output_schema: differs_opt(&self.output_schema, &details.output_schema),
            evaluation_rubric: differs_opt(&self.evaluation_rubric, &details.evaluation_rubric),
            subscription_plans: differs(&self.subscription_plans, &details.subscription_plans),
            tool_meta: differs_opt(&self.tool_meta, &details.tool_meta),
            sla_config: differs_opt(&self.sla_config, &details.sla_config),
            negotiation_permitted: differs(
                &self.negotiation_permitted,
                &details.negotiation_permitted,
            ),
            min_seller_tier: differs(&self.min_seller_tier, &details.min_seller_tier),
        }
    }
}
