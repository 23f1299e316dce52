//! Humai's reviews and endorsements on the bus: the review decides on its
//! own stream, with the contract loaded beside it (read, not appended to).

use super::actors::caller;
use super::contracts::contract_stream;
use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::contract::Contract;
use errand_aggregates::ids::{ActorId, ContractId};
use errand_aggregates::mode::Mode;
use errand_aggregates::review::{
    review_stream, Rating, Review, ReviewCommand, ReviewEvent, ReviewKind, ReviewedContract,
};
use errand_aggregates::{DomainError, Timestamp};

/// A review or an endorsement to leave.
#[derive(Debug, Clone)]
pub struct NewReview {
    pub kind: ReviewKind,
    pub contract_id: ContractId,
    pub mode: Mode,
    pub subject: Option<ActorId>,
    pub rating: Rating,
    pub content: String,
    pub by: ActorId,
    pub at: Timestamp,
}

/// Leaves `new` on its transaction; the event left.
pub async fn leave_review(
    unit: &mut UnitOfWork<'_>,
    new: &NewReview,
) -> Result<ReviewEvent, BusError> {
    let by = caller(unit, new.by).await?;
    let contract = unit
        .load::<Contract>(&contract_stream(new.contract_id))
        .await?;
    if contract.id.is_none() || contract.mode != new.mode {
        return Err(DomainError::NotFound("transaction").into());
    }
    let command = ReviewCommand::Leave {
        kind: new.kind,
        contract: ReviewedContract::of(&contract)?,
        subject: new.subject,
        rating: new.rating,
        content: new.content.clone(),
        by,
        at: new.at,
    };
    let stream = review_stream(new.contract_id, new.kind, new.by);
    let (_, events) = unit.decide::<Review>(&stream, &command).await?;
    events
        .into_iter()
        .next()
        .ok_or_else(|| DomainError::Conflict("nothing was left".into()).into())
}
