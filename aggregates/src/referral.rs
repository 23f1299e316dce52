//! Referrals: registering with someone's referral code records who referred
//! whom (`Referral`, `referral-<referee>`: once per new actor) and credits the
//! referrer a bonus from the platform's referrals account, in the same
//! append as the registration. A new actor cannot have referred itself.
//!
//! A referral code is the referrer's actor id in Crockford base32: derived,
//! not stored, so every actor has one from the start (no claim stream, no
//! read model to wait for) and reading it needs only the referrer's own
//! stream. It hides nothing: actor ids are public (profiles), and a code is
//! meant to be shared.

use crate::account::{AccountCommand, AccountId, Funding};
use crate::actor::{Caller, Role, Standing};
use crate::aggregate::{Aggregate, DomainEvent};
use crate::error::{Decided, DomainError};
use crate::ids::{ActorId, FundingId};
use crate::mode::Mode;
use crate::money::Money;
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// 128 bits in 5-bit characters.
pub const REFERRAL_CODE_CHARS: usize = 26;
/// A bonus is a promotion, not a payroll: a bound on what one referral pays.
pub const REFERRAL_BONUS_MAX_CENTS: i64 = 10_000;
/// One answer for a code that names no one and one that names someone who
/// may not refer (banned), so a guesser learns nothing.
pub const UNKNOWN_REFERRAL_CODE: &str = "this referral code is not valid";

/// Crockford's base32: no I, L, O or U, so a code read aloud is unambiguous.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `actor`'s referral code.
pub fn referral_code(actor: ActorId) -> String {
    let value = actor.0.as_u128();
    (0..REFERRAL_CODE_CHARS)
        .rev()
        .map(|digit| ALPHABET[((value >> (digit * 5)) & 31) as usize] as char)
        .collect()
}

/// The actor a referral code names, if it is a code at all (case and
/// Crockford's look-alikes ignored). Whether that actor exists is the
/// `Referral`'s to decide.
pub fn referrer_of(code: &str) -> Result<ActorId, DomainError> {
    let invalid = || DomainError::invalid(UNKNOWN_REFERRAL_CODE);
    let code = code.trim();
    if code.len() != REFERRAL_CODE_CHARS {
        return Err(invalid());
    }
    let mut value: u128 = 0;
    for (index, character) in code.chars().enumerate() {
        let character = match character.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        };
        let digit = ALPHABET
            .iter()
            .position(|c| *c as char == character)
            .ok_or_else(invalid)? as u128;
        // The first character carries the top 3 bits only.
        if index == 0 && digit > 7 {
            return Err(invalid());
        }
        value = (value << 5) | digit;
    }
    Ok(ActorId(Uuid::from_u128(value)))
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReferralCommand {
    Record {
        referee: ActorId,
        referee_role: Role,
        referee_name: String,
        /// The referrer the code named, as loaded: `None` if no such actor.
        referrer: Option<Caller>,
        /// What the referrer is credited (`Config`); zero credits nothing.
        bonus: Money,
        /// The registration's mode: the bonus lands in the referrer's account of it.
        mode: Mode,
        at: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ReferralEvent {
    ReferralRecorded {
        referee: ActorId,
        referee_role: Role,
        referee_name: String,
        referrer: ActorId,
        bonus: Money,
        mode: Mode,
        at: Timestamp,
    },
}

impl DomainEvent for ReferralEvent {
    fn event_type(&self) -> &'static str {
        match self {
            ReferralEvent::ReferralRecorded { .. } => "ReferralRecorded",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Referral {
    pub referee: Option<ActorId>,
    pub referrer: Option<ActorId>,
    pub bonus: Option<Money>,
}

impl Aggregate for Referral {
    const STREAM_PREFIX: &'static str = "referral";
    type Command = ReferralCommand;
    type Event = ReferralEvent;

    fn decide(&self, command: &ReferralCommand) -> Decided<ReferralEvent> {
        let ReferralCommand::Record {
            referee,
            referee_role,
            referee_name,
            referrer,
            bonus,
            mode,
            at,
        } = command;
        if self.referee.is_some() {
            return Err(DomainError::conflict("this actor's referral is recorded"));
        }
        let referrer = referrer
            .filter(|r| r.standing != Standing::Banned)
            .ok_or_else(|| DomainError::invalid(UNKNOWN_REFERRAL_CODE))?;
        if referrer.actor == *referee {
            return Err(DomainError::invalid("no one refers themselves"));
        }
        if bonus.cents < 0 || bonus.cents > REFERRAL_BONUS_MAX_CENTS {
            return Err(DomainError::invalid(format!(
                "a referral bonus is 0 to {REFERRAL_BONUS_MAX_CENTS} cents"
            )));
        }
        Ok(vec![ReferralEvent::ReferralRecorded {
            referee: *referee,
            referee_role: *referee_role,
            referee_name: referee_name.clone(),
            referrer: referrer.actor,
            bonus: *bonus,
            mode: *mode,
            at: *at,
        }])
    }

    fn apply(&mut self, event: &ReferralEvent) {
        let ReferralEvent::ReferralRecorded {
            referee,
            referrer,
            bonus,
            ..
        } = event;
        self.referee = Some(*referee);
        self.referrer = Some(*referrer);
        self.bonus = Some(*bonus);
    }
}

crate::cqrs_aggregate!(Referral);

/// What a recorded referral asks of the referrer's account: the bonus, from
/// the platform's referrals account, once (its funding id is the referee's).
pub fn bonus_funding(event: &ReferralEvent) -> Option<(AccountId, AccountCommand)> {
    let ReferralEvent::ReferralRecorded {
        referee,
        referrer,
        bonus,
        mode,
        at,
        ..
    } = event;
    if bonus.cents <= 0 {
        return None;
    }
    let account = AccountId {
        owner: *referrer,
        mode: *mode,
        currency: bonus.currency,
    };
    Some((
        account,
        AccountCommand::Fund {
            account,
            funding_id: FundingId(referee.0),
            amount: *bonus,
            funding: Funding::ReferralBonus { referee: *referee },
            at: *at,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Account;
    use crate::ledger::postings;
    use cqrs_es::test::TestFramework;

    type ReferralTest = TestFramework<Referral>;

    const REFEREE: ActorId = ActorId(Uuid::from_u128(0xbea));
    const REFERRER: ActorId = ActorId(Uuid::from_u128(0xada));

    fn at() -> Timestamp {
        chrono::DateTime::UNIX_EPOCH
    }

    fn referrer(standing: Standing) -> Option<Caller> {
        Some(Caller {
            actor: REFERRER,
            role: Role::Human,
            standing,
        })
    }

    fn record(referrer: Option<Caller>, bonus_cents: i64) -> ReferralCommand {
        ReferralCommand::Record {
            referee: REFEREE,
            referee_role: Role::Agent,
            referee_name: "Scout bot".to_owned(),
            referrer,
            bonus: Money::usd(bonus_cents),
            mode: Mode::Live,
            at: at(),
        }
    }

    fn recorded(bonus_cents: i64) -> ReferralEvent {
        ReferralEvent::ReferralRecorded {
            referee: REFEREE,
            referee_role: Role::Agent,
            referee_name: "Scout bot".to_owned(),
            referrer: REFERRER,
            bonus: Money::usd(bonus_cents),
            mode: Mode::Live,
            at: at(),
        }
    }

    #[test]
    fn a_new_actor_with_a_known_code_records_its_referral() {
        ReferralTest::with(())
            .given_no_previous_events()
            .when(record(referrer(Standing::Active), 500))
            .then_expect_events(vec![recorded(500)]);
    }

    #[test]
    fn an_actor_is_referred_once() {
        ReferralTest::with(())
            .given(vec![recorded(500)])
            .when(record(referrer(Standing::Active), 500))
            .then_expect_error(DomainError::conflict("this actor's referral is recorded"));
    }

    #[test]
    fn a_code_naming_no_one_or_a_banned_actor_is_not_valid() {
        for referrer in [None, referrer(Standing::Banned)] {
            ReferralTest::with(())
                .given_no_previous_events()
                .when(record(referrer, 500))
                .then_expect_error(DomainError::invalid(UNKNOWN_REFERRAL_CODE));
        }
    }

    #[test]
    fn no_one_refers_themselves_and_bonuses_are_bounded() {
        let mut own = record(referrer(Standing::Active), 500);
        let ReferralCommand::Record { referee, .. } = &mut own;
        *referee = REFERRER;
        assert!(matches!(
            Referral::default().decide(&own),
            Err(DomainError::Invalid(_))
        ));
        for cents in [-1, REFERRAL_BONUS_MAX_CENTS + 1] {
            assert!(matches!(
                Referral::default().decide(&record(referrer(Standing::Active), cents)),
                Err(DomainError::Invalid(_))
            ));
        }
    }

    #[test]
    fn the_bonus_comes_from_the_platforms_referrals_account_and_balances() {
        let (account, command) = bonus_funding(&recorded(500)).unwrap();
        assert_eq!(account, AccountId::usd(REFERRER, Mode::Live));
        let events = Account::default().decide(&command).unwrap();
        let entries = postings(&account, &events[0]);
        assert_eq!(entries.iter().map(|p| p.amount_cents).sum::<i64>(), 0);
        assert!(entries
            .iter()
            .any(|p| p.ledger_account == "platform:referrals:live:USD" && p.amount_cents == -500));
        assert_eq!(Account::fold(&events).available_cents, 500);
        assert!(bonus_funding(&recorded(0)).is_none());
    }

    #[test]
    fn a_code_reads_back_as_its_actor_whatever_its_case() {
        for actor in [REFERRER, ActorId(Uuid::max()), ActorId(Uuid::nil())] {
            let code = referral_code(actor);
            assert_eq!(code.len(), REFERRAL_CODE_CHARS);
            assert_eq!(referrer_of(&code), Ok(actor));
            assert_eq!(referrer_of(&code.to_lowercase()), Ok(actor));
        }
        for bad in [
            "",
            "short",
            "U0000000000000000000000000",
            "80000000000000000000000000",
        ] {
            assert_eq!(
                referrer_of(bad),
                Err(DomainError::invalid(UNKNOWN_REFERRAL_CODE))
            );
        }
    }
}
