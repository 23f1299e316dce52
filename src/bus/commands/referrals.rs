//! Recording a referral at registration: the referrer's actor is loaded (so
//! a code naming no one, or someone banned, refuses the whole registration),
//! the referral decided on the new actor's `referral-<id>` stream, and the
//! bonus credited to the referrer's account, all in the registration's append.

use super::actors::actor_stream;
use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::account::Account;
use errand_aggregates::actor::Actor;
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use errand_aggregates::money::Money;
use errand_aggregates::referral::{bonus_funding, Referral, ReferralCommand};
use errand_aggregates::Timestamp;

pub fn referral_stream(referee: ActorId) -> String {
    format!("referral-{referee}")
}

/// A registration's referral: whom the code named, and the bonus to credit them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewReferral {
    pub referrer: ActorId,
    pub bonus: Money,
}

/// The new actor (registered earlier in this unit) was referred by `referral.referrer`.
pub async fn record_referral(
    unit: &mut UnitOfWork<'_>,
    referee: &Actor,
    referral: NewReferral,
    mode: Mode,
    at: Timestamp,
) -> Result<(), BusError> {
    let (Some(referee_id), Some(referee_role)) = (referee.id, referee.role) else {
        return Err(BusError::UnknownActor);
    };
    let referrer = unit
        .load::<Actor>(&actor_stream(referral.referrer))
        .await?
        .as_caller();
    let command = ReferralCommand::Record {
        referee: referee_id,
        referee_role,
        referee_name: referee.name.clone(),
        referrer,
        bonus: referral.bonus,
        mode,
        at,
    };
    let stream = referral_stream(referee_id);
    unit.start_new::<Referral>(&stream);
    let (_, events) = unit.decide::<Referral>(&stream, &command).await?;
    for (account, fund) in events.iter().filter_map(bonus_funding) {
        unit.decide::<Account>(&account.stream_id(), &fund).await?;
    }
    Ok(())
}
