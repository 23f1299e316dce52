//! Who acts in every case: an agent and two humans who post and take work
//! (so every task has at least two possible workers), and an admin.

use errand_aggregates::account::AccountId;
use errand_aggregates::actor::{Caller, Role, Standing};
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use errand_aggregates::money::Currency;
use uuid::Uuid;

pub const PEOPLE: [(ActorId, Role); 3] = [
    (ActorId(Uuid::from_u128(0xada)), Role::Agent),
    (ActorId(Uuid::from_u128(0xb0b)), Role::Human),
    (ActorId(Uuid::from_u128(0xc1a)), Role::Human),
];

const ADMIN: ActorId = ActorId(Uuid::from_u128(0xad));

/// The accounts a person may hold: live dollars, where most of the traffic
/// is; test-mode dollars, which must never pay for live work; and Humai's
/// credits, which must never pay for dollar work.
pub const ACCOUNT_KINDS: [(Mode, Currency); 3] = [
    (Mode::Live, Currency::USD),
    (Mode::Test, Currency::USD),
    (Mode::Live, Currency::RC),
];

pub fn account(owner: ActorId, (mode, currency): (Mode, Currency)) -> AccountId {
    AccountId {
        owner,
        mode,
        currency,
    }
}

pub fn admin() -> Caller {
    Caller {
        actor: ADMIN,
        role: Role::Admin,
        standing: Standing::Active,
    }
}

/// `actor` acting in `standing`, with the role they registered with.
pub fn caller(actor: ActorId, standing: Standing) -> Caller {
    let role = PEOPLE
        .iter()
        .find(|(person, _)| *person == actor)
        .map_or(Role::Human, |(_, role)| *role);
    Caller {
        actor,
        role,
        standing,
    }
}

/// One of `PEOPLE`, in some standing.
#[derive(Debug, Clone, Copy)]
pub struct Person {
    pub index: usize,
    pub standing: Standing,
}

impl Person {
    pub fn caller(self) -> Caller {
        caller(PEOPLE[self.index].0, self.standing)
    }
}
