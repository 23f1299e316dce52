//! Double-entry postings derived from account events. Each event's postings
//! sum to zero on their own; money between two actors passes through the
//! `platform:settlement` clearing account (a capture credits it, the matching
//! payment debits it), which therefore nets to zero once both are recorded.

use crate::account::{AccountEvent, AccountId, Funding};
use crate::mode::Mode;
use crate::money::Currency;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posting {
    /// A ledger account: `<account stream>:available`, `<account stream>:held`,
    /// or a platform/external account such as `platform:fees:live:USD`.
    pub ledger_account: String,
    /// Signed: positive credits the ledger account, negative debits it.
    pub amount_cents: i64,
    pub currency: Currency,
}

fn available(account: &AccountId) -> String {
    format!("{account}:available")
}

fn held(account: &AccountId) -> String {
    format!("{account}:held")
}

fn platform(name: &str, mode: Mode, currency: Currency) -> String {
    format!("{name}:{}:{}", mode.as_str(), currency.code())
}

/// The postings one account event makes. `account` is the stream's account.
pub fn postings(account: &AccountId, event: &AccountEvent) -> Vec<Posting> {
    let (mode, currency) = (account.mode, account.currency);
    let pair = |debit: String, credit: String, cents: i64| {
        vec![
            Posting {
                ledger_account: debit,
                amount_cents: -cents,
                currency,
            },
            Posting {
                ledger_account: credit,
                amount_cents: cents,
                currency,
            },
        ]
    };
    match event {
        AccountEvent::FundsDeposited {
            amount, funding, ..
        } => {
            let source = match funding {
                Funding::Deposit { .. } | Funding::AutoReload { .. } => "external:deposits",
                Funding::Grant { .. } => "platform:grants",
                Funding::FreeTask { .. } => "platform:promotions",
                Funding::ReferralBonus { .. } => "platform:referrals",
                Funding::HalveningGrant { .. } => "platform:genesis",
            };
            pair(
                platform(source, mode, currency),
                available(account),
                amount.cents,
            )
        }
        AccountEvent::HoldPlaced { amount, .. } | AccountEvent::HoldIncreased { amount, .. } => {
            pair(available(account), held(account), amount.cents)
        }
        AccountEvent::HoldReleased { amount, .. } => {
            pair(held(account), available(account), amount.cents)
        }
        AccountEvent::HoldCaptured { gross, fee, .. } => vec![
            Posting {
                ledger_account: held(account),
                amount_cents: -gross.cents,
                currency,
            },
            Posting {
                ledger_account: platform("platform:fees", mode, currency),
                amount_cents: fee.cents,
                currency,
            },
            Posting {
                ledger_account: platform("platform:settlement", mode, currency),
                amount_cents: gross.cents - fee.cents,
                currency,
            },
        ],
        AccountEvent::PaymentReceived { amount, .. } => pair(
            platform("platform:settlement", mode, currency),
            available(account),
            amount.cents,
        ),
        AccountEvent::PayoutSent { amount, .. } => pair(
            available(account),
            platform("external:payouts", mode, currency),
            amount.cents,
        ),
        AccountEvent::PayoutReturned { amount, .. } => pair(
            platform("external:payouts", mode, currency),
            available(account),
            amount.cents,
        ),
        // A promise, not money: the postings come when a free task is spent.
        AccountEvent::FreeTasksGranted { .. } => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::*;
    use crate::money::Money;
    use uuid::Uuid;

    #[test]
    fn every_account_event_posts_a_balanced_set() {
        let account = AccountId::usd(ActorId(Uuid::nil()), Mode::Live);
        let at = chrono::DateTime::UNIX_EPOCH;
        let hold_id = HoldId(Uuid::nil());
        let settlement_id = SettlementId(Uuid::nil());
        let events = [
            AccountEvent::FundsDeposited {
                account,
                funding_id: FundingId(Uuid::nil()),
                amount: Money::usd(1000),
                funding: Funding::Deposit {
                    provider: "sandbox".into(),
                },
                at,
            },
            AccountEvent::HoldPlaced {
                account,
                hold_id,
                task_id: TaskId(Uuid::nil()),
                amount: Money::usd(500),
                at,
            },
            AccountEvent::HoldCaptured {
                hold_id,
                settlement_id,
                gross: Money::usd(500),
                fee: Money::usd(90),
                payee: ActorId(Uuid::nil()),
                at,
            },
            AccountEvent::PaymentReceived {
                account,
                settlement_id,
                payer: ActorId(Uuid::nil()),
                amount: Money::usd(410),
                at,
            },
            AccountEvent::PayoutSent {
                payout_id: PayoutId(Uuid::nil()),
                amount: Money::usd(410),
                destination: "acct_1".into(),
                purpose: crate::payout::PayoutPurpose::TaskEarnings {
                    task_id: TaskId(Uuid::nil()),
                },
                at,
            },
            AccountEvent::PayoutReturned {
                payout_id: PayoutId(Uuid::nil()),
                amount: Money::usd(410),
                reason: "account closed".into(),
                at,
            },
        ];
        for event in &events {
            let sum: i64 = postings(&account, event)
                .iter()
                .map(|p| p.amount_cents)
                .sum();
            assert_eq!(sum, 0, "{event:?}");
        }
    }

    #[test]
    fn a_payout_moves_money_to_external_payouts_and_a_return_brings_it_back() {
        let account = AccountId::usd(ActorId(Uuid::nil()), Mode::Test);
        let at = chrono::DateTime::UNIX_EPOCH;
        let sent = AccountEvent::PayoutSent {
            payout_id: PayoutId(Uuid::nil()),
            amount: Money::usd(300),
            destination: "acct_1".into(),
            purpose: Default::default(),
            at,
        };
        let external = "external:payouts:test:USD".to_owned();
        let postings_of = |event| {
            postings(&account, event)
                .into_iter()
                .map(|p| (p.ledger_account, p.amount_cents))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            postings_of(&sent),
            vec![
                (format!("{account}:available"), -300),
                (external.clone(), 300)
            ]
        );
        let returned = AccountEvent::PayoutReturned {
            payout_id: PayoutId(Uuid::nil()),
            amount: Money::usd(300),
            reason: "bounced".into(),
            at,
        };
        assert_eq!(
            postings_of(&returned),
            vec![(external, -300), (format!("{account}:available"), 300)]
        );
    }
}
