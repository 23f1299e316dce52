//! `Genesis` (the one stream `genesis`): Humai's founding slots, claimed in
//! order. A claim is appended with the founder's registration, at the
//! stream's expected version, so two registrations racing for the last slot
//! cannot both have it: the loser is decided again and finds none left.

use super::halvening::{grant_of_slot, tier_of_slot, FOUNDING_SLOTS, LAST_TIER};
use crate::account::{AccountCommand, AccountId, Funding};
use crate::aggregate::{Aggregate, DomainEvent};
use crate::error::{Decided, DomainError, RuleKind};
use crate::ids::{ActorId, FundingId};
use crate::mode::Mode;
use crate::money::{Currency, Money};
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// The stream's whole id: there is one genesis.
pub const GENESIS_STREAM: &str = "genesis";

#[derive(Debug, Clone, PartialEq)]
pub enum GenesisCommand {
    /// `actor_id` takes the next founding slot, if one of the first
    /// `slots_open` is left (`Config`; at most the schedule's 1000).
    ClaimSlot {
        actor_id: ActorId,
        slots_open: u32,
        /// The registration's mode: the grant lands in that RC account.
        mode: Mode,
        at: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum GenesisEvent {
    FoundingSlotClaimed {
        actor_id: ActorId,
        /// 1-based, in claim order.
        slot: u32,
        tier: u8,
        /// The halvening grant, in RC.
        grant: Money,
        mode: Mode,
        at: Timestamp,
    },
}

impl DomainEvent for GenesisEvent {
    fn event_type(&self) -> &'static str {
        match self {
            GenesisEvent::FoundingSlotClaimed { .. } => "FoundingSlotClaimed",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Genesis {
    /// Slots claimed so far; the next one is `claimed + 1`.
    pub claimed: u32,
}

/// What `GET /genesis-status` shows: the slots left of those open, and the
/// tier and grant of the next one. Once none is left, the tier is the last
/// one reached and the grant 0: there is nothing more to claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenesisStatus {
    pub slots_total: u32,
    pub slots_remaining: u32,
    pub current_tier: u8,
    pub credit_amount: i64,
}

impl Genesis {
    pub fn status(&self, slots_open: u32) -> GenesisStatus {
        let slots_total = slots_open.min(FOUNDING_SLOTS);
        let slots_remaining = slots_total.saturating_sub(self.claimed);
        let next = self.claimed + 1;
        let (current_tier, credit_amount) = if slots_remaining == 0 {
            (tier_of_slot(self.claimed.max(1)).unwrap_or(LAST_TIER), 0)
        } else {
            (
                tier_of_slot(next).unwrap_or(LAST_TIER),
                grant_of_slot(next).unwrap_or(0),
            )
        };
        GenesisStatus {
            slots_total,
            slots_remaining,
            current_tier,
            credit_amount,
        }
    }
}

impl Aggregate for Genesis {
    const STREAM_PREFIX: &'static str = "genesis";
    type Command = GenesisCommand;
    type Event = GenesisEvent;

    fn decide(&self, command: &GenesisCommand) -> Decided<GenesisEvent> {
        let GenesisCommand::ClaimSlot {
            actor_id,
            slots_open,
            mode,
            at,
        } = command;
        let slot = self.claimed + 1;
        let open = (*slots_open).min(FOUNDING_SLOTS);
        let (Some(tier), Some(grant)) = (tier_of_slot(slot), grant_of_slot(slot)) else {
            return Err(slots_full());
        };
        if slot > open {
            return Err(slots_full());
        }
        Ok(vec![GenesisEvent::FoundingSlotClaimed {
            actor_id: *actor_id,
            slot,
            tier,
            grant: Money::positive_cents(grant, Currency::RC)?,
            mode: *mode,
            at: *at,
        }])
    }

    fn apply(&mut self, event: &GenesisEvent) {
        let GenesisEvent::FoundingSlotClaimed { slot, .. } = event;
        self.claimed = self.claimed.max(*slot);
    }
}

crate::cqrs_aggregate!(Genesis);

fn slots_full() -> DomainError {
    DomainError::rule(
        RuleKind::Conflict,
        "founding_slots_full",
        "all founding slots are claimed",
    )
}

/// What a claimed slot asks of the founder's RC account: its halvening
/// grant from the platform's genesis account, once (the funding id is the
/// founder's, who claims one slot).
pub fn grant_funding(event: &GenesisEvent) -> (AccountId, AccountCommand) {
    let GenesisEvent::FoundingSlotClaimed {
        actor_id,
        slot,
        grant,
        mode,
        at,
        ..
    } = event;
    let account = AccountId {
        owner: *actor_id,
        mode: *mode,
        currency: Currency::RC,
    };
    (
        account,
        AccountCommand::Fund {
            account,
            funding_id: FundingId(actor_id.0),
            amount: *grant,
            funding: Funding::HalveningGrant { slot: *slot },
            at: *at,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Account;
    use crate::ledger::postings;
    use cqrs_es::test::TestFramework;
    use uuid::Uuid;

    type GenesisTest = TestFramework<Genesis>;

    const FOUNDER: ActorId = ActorId(Uuid::from_u128(0xf0));

    fn at() -> Timestamp {
        chrono::DateTime::UNIX_EPOCH
    }

    fn claim(slots_open: u32) -> GenesisCommand {
        GenesisCommand::ClaimSlot {
            actor_id: FOUNDER,
            slots_open,
            mode: Mode::Live,
            at: at(),
        }
    }

    fn claimed(slot: u32) -> GenesisEvent {
        let tier = tier_of_slot(slot).unwrap();
        GenesisEvent::FoundingSlotClaimed {
            actor_id: FOUNDER,
            slot,
            tier,
            grant: Money::from_cents(grant_of_slot(slot).unwrap(), Currency::RC).unwrap(),
            mode: Mode::Live,
            at: at(),
        }
    }

    #[test]
    fn the_first_founder_takes_slot_one_and_128_rc() {
        GenesisTest::with(())
            .given_no_previous_events()
            .when(claim(FOUNDING_SLOTS))
            .then_expect_events(vec![claimed(1)]);
    }

    #[test]
    fn the_251st_founder_is_in_tier_one_with_half_the_grant() {
        let before: Vec<_> = (1..=250).map(claimed).collect();
        GenesisTest::with(())
            .given(before)
            .when(claim(FOUNDING_SLOTS))
            .then_expect_events(vec![claimed(251)]);
    }

    #[test]
    fn the_1001st_claim_is_refused_as_founding_slots_full() {
        let before: Vec<_> = (1..=FOUNDING_SLOTS).map(claimed).collect();
        GenesisTest::with(())
            .given(before)
            .when(claim(FOUNDING_SLOTS))
            .then_expect_error(slots_full());
    }

    #[test]
    fn fewer_open_slots_fill_sooner_and_never_more_than_the_schedule_open() {
        GenesisTest::with(())
            .given(vec![claimed(1), claimed(2)])
            .when(claim(2))
            .then_expect_error(slots_full());
        let state = Genesis { claimed: 3 };
        assert_eq!(state.status(u32::MAX).slots_total, FOUNDING_SLOTS);
    }

    #[test]
    fn status_names_the_next_slots_tier_and_grant() {
        let status = Genesis { claimed: 153 }.status(FOUNDING_SLOTS);
        assert_eq!(
            status,
            GenesisStatus {
                slots_total: 1000,
                slots_remaining: 847,
                current_tier: 0,
                credit_amount: 128
            }
        );
        let status = Genesis { claimed: 500 }.status(FOUNDING_SLOTS);
        assert_eq!((status.current_tier, status.credit_amount), (2, 32));
        let full = Genesis { claimed: 1000 }.status(FOUNDING_SLOTS);
        assert_eq!(
            (full.slots_remaining, full.current_tier, full.credit_amount),
            (0, 3, 0)
        );
    }

    #[test]
    fn the_grant_comes_from_the_platforms_genesis_account_and_balances() {
        let (account, command) = grant_funding(&claimed(251));
        assert_eq!(account.currency, Currency::RC);
        assert_eq!(account.stream_id(), format!("account-{FOUNDER}-live-RC"));
        let events = Account::default().decide(&command).unwrap();
        let entries = postings(&account, &events[0]);
        assert_eq!(entries.iter().map(|p| p.amount_cents).sum::<i64>(), 0);
        assert!(entries
            .iter()
            .any(|p| p.ledger_account == "platform:genesis:live:RC" && p.amount_cents == -64));
        assert_eq!(Account::fold(&events).available_cents, 64);
    }
}
