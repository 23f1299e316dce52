//! `CreditLots` (`creditlots-<actor>-<mode>`): the provenance of the credits
//! in a Humai wallet (the actor's `account-<actor>-<mode>-RC`). Every credit
//! into the wallet opens a lot — its source says which pool it is in —, and
//! every debit records how much it drew from which lots, in NIFO order:
//! marketplace credits first, newest first, then withdrawable (cash-backed)
//! credits, newest first. A withdrawal draws on withdrawable lots only.
//!
//! The lots are decided in the same append as the account's postings (the
//! bus's `credits` commands), so the lots' remaining amounts always sum to
//! the account's balance; `errand verify` checks that they do.

use crate::account::AccountId;
use crate::aggregate::{Aggregate, DomainEvent};
use crate::error::{Decided, DomainError};
use crate::ids::CreditEntryId;
use crate::money::{Currency, Money, MoneyError, MAX_AMOUNT_CENTS};
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The two pools a wallet's credits are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pool {
    /// Earned or granted in the marketplace: spendable, never withdrawn.
    Marketplace,
    /// Cash-backed: spendable, and the only credits a withdrawal may take.
    Withdrawable,
}

impl Pool {
    /// The seed's `credit_type` of a lot in this pool.
    pub fn credit_type(self) -> &'static str {
        match self {
            Pool::Marketplace => "liquid",
            Pool::Withdrawable => "cash_backed",
        }
    }

    pub fn withdrawal_eligible(self) -> bool {
        self == Pool::Withdrawable
    }
}

/// Where a lot's credits came from (the seed's `reason` of a credit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditSource {
    /// A founding slot's grant (`humai::genesis`).
    HalveningGrant,
    /// Credits paid for with money through a payment provider.
    Deposit,
    /// Credits earned by completed work.
    TaskCompletion,
    /// A withdrawal the payout provider refused: its credits came back.
    WithdrawalReturned,
    /// What a wallet held before its lots were kept (journals from before
    /// lots): its first lot, in the marketplace pool, since nothing recorded
    /// shows it was cash-backed.
    OpeningBalance,
}

impl CreditSource {
    pub fn as_str(self) -> &'static str {
        match self {
            CreditSource::HalveningGrant => "halvening_grant",
            CreditSource::Deposit => "deposit",
            CreditSource::TaskCompletion => "task_completion",
            CreditSource::WithdrawalReturned => "withdrawal_returned",
            CreditSource::OpeningBalance => "opening_balance",
        }
    }

    pub fn pool(self) -> Pool {
        match self {
            CreditSource::HalveningGrant
            | CreditSource::TaskCompletion
            | CreditSource::OpeningBalance => Pool::Marketplace,
            // Returned withdrawals were drawn from withdrawable lots only.
            CreditSource::Deposit | CreditSource::WithdrawalReturned => Pool::Withdrawable,
        }
    }
}

/// What a debit pays for (the seed's `reason` of a debit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DebitPurpose {
    /// Cash-backed credits leave through the payout provider.
    Withdrawal,
    ToolSubscription,
    ToolUsage,
}

/// Spending order for purchases: marketplace credits before cash-backed ones.
const NIFO_POOLS: &[Pool] = &[Pool::Marketplace, Pool::Withdrawable];
const WITHDRAWABLE_ONLY: &[Pool] = &[Pool::Withdrawable];

impl DebitPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            DebitPurpose::Withdrawal => "withdrawal",
            DebitPurpose::ToolSubscription => "tool_subscription",
            DebitPurpose::ToolUsage => "tool_usage",
        }
    }

    /// The pools it may draw on, in the order it draws on them.
    pub fn pools(self) -> &'static [Pool] {
        match self {
            DebitPurpose::Withdrawal => WITHDRAWABLE_ONLY,
            DebitPurpose::ToolSubscription | DebitPurpose::ToolUsage => NIFO_POOLS,
        }
    }

    /// The seed's `credit_type` of a debit: what kind of spending it was.
    pub fn credit_type(self) -> &'static str {
        match self {
            DebitPurpose::Withdrawal => "cash_backed",
            DebitPurpose::ToolSubscription | DebitPurpose::ToolUsage => "task_posting",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum CreditLotsCommand {
    /// `amount` entered the wallet (in the same append as its posting).
    Credit {
        wallet: AccountId,
        entry_id: CreditEntryId,
        amount: Money,
        source: CreditSource,
        at: Timestamp,
    },
    /// `amount` leaves the wallet (in the same append as its posting), drawn
    /// from lots in NIFO order over the pools `purpose` may spend.
    Debit {
        wallet: AccountId,
        entry_id: CreditEntryId,
        amount: Money,
        purpose: DebitPurpose,
        at: Timestamp,
    },
}

/// How much one debit took from one lot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotDraw {
    pub lot_id: CreditEntryId,
    pub credits: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum CreditLotsEvent {
    CreditLotOpened {
        wallet: AccountId,
        lot_id: CreditEntryId,
        amount: Money,
        source: CreditSource,
        at: Timestamp,
    },
    CreditsDebited {
        wallet: AccountId,
        debit_id: CreditEntryId,
        amount: Money,
        purpose: DebitPurpose,
        /// In the order drawn; sums to `amount`.
        drawn: Vec<LotDraw>,
        at: Timestamp,
    },
}

impl DomainEvent for CreditLotsEvent {
    fn event_type(&self) -> &'static str {
        match self {
            CreditLotsEvent::CreditLotOpened { .. } => "CreditLotOpened",
            CreditLotsEvent::CreditsDebited { .. } => "CreditsDebited",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditLot {
    pub lot_id: CreditEntryId,
    pub source: CreditSource,
    pub amount_credits: i64,
    pub remaining_credits: i64,
    pub opened_at: Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreditLots {
    pub wallet: Option<AccountId>,
    /// In the order opened: the last is the newest.
    pub lots: Vec<CreditLot>,
    /// Debits recorded, so a debit id spends once.
    pub debits: BTreeSet<CreditEntryId>,
}

impl CreditLots {
    pub fn stream_id(wallet: &AccountId) -> String {
        format!(
            "{}-{}-{}",
            Self::STREAM_PREFIX,
            wallet.owner,
            wallet.mode.as_str()
        )
    }

    /// Credits left in `pool`.
    pub fn remaining_in(&self, pool: Pool) -> i64 {
        self.lots
            .iter()
            .filter(|lot| lot.source.pool() == pool)
            .map(|lot| lot.remaining_credits)
            .sum()
    }

    /// Credits left in every lot: the wallet's balance.
    pub fn remaining(&self) -> i64 {
        self.lots.iter().map(|lot| lot.remaining_credits).sum()
    }

    /// Which lots pay `credits` for `purpose`: each allowed pool in turn,
    /// its newest lot first (NIFO). Refused when those pools hold too little.
    pub fn nifo_draws(&self, credits: i64, purpose: DebitPurpose) -> Decided<LotDraw> {
        let pools = purpose.pools();
        let available: i64 = pools.iter().map(|pool| self.remaining_in(*pool)).sum();
        if credits > available {
            return Err(DomainError::InsufficientFunds {
                available_cents: available,
                needed_cents: credits,
            });
        }
        let mut owed = credits;
        let mut drawn = Vec::new();
        for pool in pools {
            let newest_first = self
                .lots
                .iter()
                .rev()
                .filter(|lot| lot.source.pool() == *pool && lot.remaining_credits > 0);
            for lot in newest_first {
                if owed == 0 {
                    return Ok(drawn);
                }
                let take = owed.min(lot.remaining_credits);
                drawn.push(LotDraw {
                    lot_id: lot.lot_id,
                    credits: take,
                });
                owed -= take;
            }
        }
        Ok(drawn)
    }

    fn ensure_wallet(&self, wallet: &AccountId, amount: Money) -> Result<(), DomainError> {
        if wallet.currency != Currency::RC || amount.currency != Currency::RC {
            return Err(DomainError::invalid("a credit wallet holds RC only"));
        }
        if self.wallet.is_some_and(|own| own != *wallet) {
            return Err(DomainError::invalid(format!(
                "a command for {wallet}'s lots reached another wallet's"
            )));
        }
        if amount.cents <= 0 {
            return Err(DomainError::invalid("amount must be greater than zero"));
        }
        Ok(())
    }

    fn ensure_unused(&self, entry_id: CreditEntryId) -> Result<(), DomainError> {
        if self.debits.contains(&entry_id) || self.lots.iter().any(|lot| lot.lot_id == entry_id) {
            return Err(DomainError::conflict(
                "this credit entry is already recorded",
            ));
        }
        Ok(())
    }
}

impl Aggregate for CreditLots {
    const STREAM_PREFIX: &'static str = "creditlots";
    type Command = CreditLotsCommand;
    type Event = CreditLotsEvent;

    fn decide(&self, command: &CreditLotsCommand) -> Decided<CreditLotsEvent> {
        match command {
            CreditLotsCommand::Credit {
                wallet,
                entry_id,
                amount,
                source,
                at,
            } => {
                self.ensure_wallet(wallet, *amount)?;
                self.ensure_unused(*entry_id)?;
                if *source == CreditSource::OpeningBalance && self.wallet.is_some() {
                    return Err(DomainError::conflict(
                        "an opening balance is only a wallet's first lot",
                    ));
                }
                self.remaining()
                    .checked_add(amount.cents)
                    .filter(|total| *total <= MAX_AMOUNT_CENTS)
                    .ok_or(DomainError::Money(MoneyError::TooLarge))?;
                Ok(vec![CreditLotsEvent::CreditLotOpened {
                    wallet: *wallet,
                    lot_id: *entry_id,
                    amount: *amount,
                    source: *source,
                    at: *at,
                }])
            }
            CreditLotsCommand::Debit {
                wallet,
                entry_id,
                amount,
                purpose,
                at,
            } => {
                self.ensure_wallet(wallet, *amount)?;
                self.ensure_unused(*entry_id)?;
                let drawn = self.nifo_draws(amount.cents, *purpose)?;
                Ok(vec![CreditLotsEvent::CreditsDebited {
                    wallet: *wallet,
                    debit_id: *entry_id,
                    amount: *amount,
                    purpose: *purpose,
                    drawn,
                    at: *at,
                }])
            }
        }
    }

    fn apply(&mut self, event: &CreditLotsEvent) {
        match event {
            CreditLotsEvent::CreditLotOpened {
                wallet,
                lot_id,
                amount,
                source,
                at,
            } => {
                self.wallet = Some(*wallet);
                self.lots.push(CreditLot {
                    lot_id: *lot_id,
                    source: *source,
                    amount_credits: amount.cents,
                    remaining_credits: amount.cents,
                    opened_at: *at,
                });
            }
            CreditLotsEvent::CreditsDebited {
                wallet,
                debit_id,
                drawn,
                ..
            } => {
                self.wallet = Some(*wallet);
                self.debits.insert(*debit_id);
                for draw in drawn {
                    if let Some(lot) = self.lots.iter_mut().find(|lot| lot.lot_id == draw.lot_id) {
                        lot.remaining_credits -= draw.credits;
                    }
                }
            }
        }
    }
}

crate::cqrs_aggregate!(CreditLots);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ActorId;
    use crate::mode::Mode;
    use cqrs_es::test::TestFramework;
    use proptest::prelude::*;
    use uuid::Uuid;

    type LotsTest = TestFramework<CreditLots>;

    const WALLET: AccountId = AccountId {
        owner: ActorId(Uuid::from_u128(0xa1)),
        mode: Mode::Live,
        currency: Currency::RC,
    };

    fn at() -> Timestamp {
        chrono::DateTime::UNIX_EPOCH
    }

    fn id(n: u128) -> CreditEntryId {
        CreditEntryId(Uuid::from_u128(n))
    }

    fn rc(credits: i64) -> Money {
        Money::from_cents(credits, Currency::RC).unwrap()
    }

    fn opened(n: u128, credits: i64, source: CreditSource) -> CreditLotsEvent {
        CreditLotsEvent::CreditLotOpened {
            wallet: WALLET,
            lot_id: id(n),
            amount: rc(credits),
            source,
            at: at(),
        }
    }

    fn debit(n: u128, credits: i64, purpose: DebitPurpose) -> CreditLotsCommand {
        CreditLotsCommand::Debit {
            wallet: WALLET,
            entry_id: id(n),
            amount: rc(credits),
            purpose,
            at: at(),
        }
    }

    fn debited(
        n: u128,
        credits: i64,
        purpose: DebitPurpose,
        drawn: &[(u128, i64)],
    ) -> CreditLotsEvent {
        CreditLotsEvent::CreditsDebited {
            wallet: WALLET,
            debit_id: id(n),
            amount: rc(credits),
            purpose,
            drawn: drawn
                .iter()
                .map(|(lot, credits)| LotDraw {
                    lot_id: id(*lot),
                    credits: *credits,
                })
                .collect(),
            at: at(),
        }
    }

    /// Two marketplace lots and two cash-backed ones, interleaved in time.
    fn four_lots() -> Vec<CreditLotsEvent> {
        vec![
            opened(1, 100, CreditSource::Deposit),
            opened(2, 128, CreditSource::HalveningGrant),
            opened(3, 50, CreditSource::Deposit),
            opened(4, 30, CreditSource::TaskCompletion),
        ]
    }

    #[test]
    fn a_halvening_grant_opens_a_marketplace_lot() {
        LotsTest::with(())
            .given_no_previous_events()
            .when(CreditLotsCommand::Credit {
                wallet: WALLET,
                entry_id: id(1),
                amount: rc(128),
                source: CreditSource::HalveningGrant,
                at: at(),
            })
            .then_expect_events(vec![opened(1, 128, CreditSource::HalveningGrant)]);
        let lots = CreditLots::fold(&[opened(1, 128, CreditSource::HalveningGrant)]);
        assert_eq!(lots.remaining_in(Pool::Marketplace), 128);
        assert_eq!(lots.remaining_in(Pool::Withdrawable), 0);
    }

    #[test]
    fn a_purchase_spends_marketplace_credits_newest_first_then_cash_backed_newest_first() {
        LotsTest::with(())
            .given(four_lots())
            .when(debit(9, 200, DebitPurpose::ToolSubscription))
            .then_expect_events(vec![debited(
                9,
                200,
                DebitPurpose::ToolSubscription,
                &[(4, 30), (2, 128), (3, 42)],
            )]);
    }

    #[test]
    fn a_withdrawal_draws_on_cash_backed_lots_only_newest_first() {
        LotsTest::with(())
            .given(four_lots())
            .when(debit(9, 120, DebitPurpose::Withdrawal))
            .then_expect_events(vec![debited(
                9,
                120,
                DebitPurpose::Withdrawal,
                &[(3, 50), (1, 70)],
            )]);
    }

    #[test]
    fn a_withdrawal_beyond_the_withdrawable_pool_is_refused_whatever_else_the_wallet_holds() {
        LotsTest::with(())
            .given(four_lots())
            .when(debit(9, 151, DebitPurpose::Withdrawal))
            .then_expect_error(DomainError::InsufficientFunds {
                available_cents: 150,
                needed_cents: 151,
            });
    }

    #[test]
    fn a_purchase_beyond_the_whole_wallet_is_refused() {
        LotsTest::with(())
            .given(four_lots())
            .when(debit(9, 309, DebitPurpose::ToolUsage))
            .then_expect_error(DomainError::InsufficientFunds {
                available_cents: 308,
                needed_cents: 309,
            });
    }

    #[test]
    fn spent_lots_are_skipped_and_an_entry_is_recorded_once() {
        let mut history = four_lots();
        history.push(debited(9, 40, DebitPurpose::ToolUsage, &[(4, 30), (2, 10)]));
        LotsTest::with(())
            .given(history.clone())
            .when(debit(10, 20, DebitPurpose::ToolUsage))
            .then_expect_events(vec![debited(10, 20, DebitPurpose::ToolUsage, &[(2, 20)])]);
        LotsTest::with(())
            .given(history.clone())
            .when(debit(9, 1, DebitPurpose::ToolUsage))
            .then_expect_error(DomainError::conflict(
                "this credit entry is already recorded",
            ));
        let lots = CreditLots::fold(&history);
        assert_eq!(lots.remaining(), 268);
        assert_eq!(lots.remaining_in(Pool::Marketplace), 118);
    }

    #[test]
    fn nothing_another_currency_or_another_wallet_is_refused() {
        for amount in [rc(0), Money::usd(5)] {
            LotsTest::with(())
                .given(four_lots())
                .when(CreditLotsCommand::Debit {
                    wallet: WALLET,
                    entry_id: id(9),
                    amount,
                    purpose: DebitPurpose::ToolUsage,
                    at: at(),
                })
                .then_expect_error_message(if amount.cents == 0 {
                    "amount must be greater than zero"
                } else {
                    "a credit wallet holds RC only"
                });
        }
        let other = AccountId {
            owner: ActorId(Uuid::from_u128(0xb2)),
            ..WALLET
        };
        let refused = CreditLots::fold(&four_lots()).decide(&CreditLotsCommand::Credit {
            wallet: other,
            entry_id: id(9),
            amount: rc(1),
            source: CreditSource::Deposit,
            at: at(),
        });
        assert!(matches!(refused, Err(DomainError::Invalid(_))));
    }

    #[test]
    fn the_stream_is_the_wallets_owner_and_mode() {
        assert_eq!(
            CreditLots::stream_id(&WALLET),
            format!("creditlots-{}-live", WALLET.owner)
        );
    }

    fn source() -> impl Strategy<Value = CreditSource> {
        prop_oneof![
            Just(CreditSource::HalveningGrant),
            Just(CreditSource::Deposit),
            Just(CreditSource::TaskCompletion),
            Just(CreditSource::WithdrawalReturned),
        ]
    }

    #[test]
    fn an_opening_balance_is_only_a_wallets_first_lot_and_is_not_withdrawable() {
        let open = CreditLotsCommand::Credit {
            wallet: WALLET,
            entry_id: id(9),
            amount: rc(128),
            source: CreditSource::OpeningBalance,
            at: at(),
        };
        LotsTest::with(())
            .given_no_previous_events()
            .when(open.clone())
            .then_expect_events(vec![opened(9, 128, CreditSource::OpeningBalance)]);
        LotsTest::with(())
            .given(vec![opened(1, 50, CreditSource::Deposit)])
            .when(open)
            .then_expect_error(DomainError::conflict(
                "an opening balance is only a wallet's first lot",
            ));
        LotsTest::with(())
            .given(vec![opened(9, 128, CreditSource::OpeningBalance)])
            .when(debit(2, 1, DebitPurpose::Withdrawal))
            .then_expect_error(DomainError::InsufficientFunds {
                available_cents: 0,
                needed_cents: 1,
            });
    }

    fn purpose() -> impl Strategy<Value = DebitPurpose> {
        prop_oneof![
            Just(DebitPurpose::Withdrawal),
            Just(DebitPurpose::ToolSubscription),
            Just(DebitPurpose::ToolUsage),
        ]
    }

    #[derive(Debug, Clone)]
    enum Step {
        Credit(i64, CreditSource),
        Debit(i64, DebitPurpose),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (1..500_i64, source()).prop_map(|(n, s)| Step::Credit(n, s)),
            (1..700_i64, purpose()).prop_map(|(n, p)| Step::Debit(n, p)),
        ]
    }

    proptest! {
        /// Whatever the order of credits and debits: lots never go negative,
        /// they sum to what came in less what went out, a debit takes exactly
        /// its amount or nothing, and it empties every lot it prefers before
        /// touching the next (NIFO), within the pools its purpose may spend.
        #[test]
        fn nifo_debits_balance_and_follow_their_order(steps in prop::collection::vec(step(), 1..40)) {
            let mut lots = CreditLots::default();
            let mut balance = 0_i64;
            for (n, step) in steps.into_iter().enumerate() {
                let entry_id = id(1_000 + n as u128);
                let command = match step {
                    Step::Credit(credits, source) => CreditLotsCommand::Credit {
                        wallet: WALLET, entry_id, amount: rc(credits), source, at: at(),
                    },
                    Step::Debit(credits, purpose) => CreditLotsCommand::Debit {
                        wallet: WALLET, entry_id, amount: rc(credits), purpose, at: at(),
                    },
                };
                let before = lots.clone();
                match (lots.decide(&command), &command) {
                    (Ok(events), CreditLotsCommand::Credit { amount, .. }) => {
                        balance += amount.cents;
                        for event in &events { lots.apply(event); }
                    }
                    (Ok(events), CreditLotsCommand::Debit { amount, purpose, .. }) => {
                        let [CreditLotsEvent::CreditsDebited { drawn, .. }] = &events[..] else {
                            panic!("one debit event");
                        };
                        prop_assert_eq!(drawn.iter().map(|d| d.credits).sum::<i64>(), amount.cents);
                        // The order it may draw in; each drawn lot is the next non-empty one.
                        let order: Vec<&CreditLot> = purpose.pools().iter().flat_map(|pool| {
                            before.lots.iter().rev().filter(move |lot| lot.source.pool() == *pool && lot.remaining_credits > 0)
                        }).collect();
                        for (k, draw) in drawn.iter().enumerate() {
                            prop_assert_eq!(draw.lot_id, order[k].lot_id);
                            if k + 1 < drawn.len() {
                                prop_assert_eq!(draw.credits, order[k].remaining_credits);
                            }
                        }
                        balance -= amount.cents;
                        for event in &events { lots.apply(event); }
                    }
                    (Err(DomainError::InsufficientFunds { available_cents, needed_cents }), CreditLotsCommand::Debit { purpose, .. }) => {
                        let pools: i64 = purpose.pools().iter().map(|p| before.remaining_in(*p)).sum();
                        prop_assert_eq!(available_cents, pools);
                        prop_assert!(needed_cents > pools);
                    }
                    (Err(other), _) => prop_assert!(false, "unexpected refusal {other:?}"),
                }
                prop_assert!(lots.lots.iter().all(|lot| lot.remaining_credits >= 0));
                prop_assert_eq!(lots.remaining(), balance);
            }
        }
    }
}
