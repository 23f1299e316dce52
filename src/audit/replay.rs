//! One pass over the journal, in position order and in bounded pages, folding every account
//! and task with the aggregates' own `apply`. The ledger and hold checks see each account
//! event as it passes; the read-model rows are taken at each projection's checkpoint.
//!
//! Memory is O(accounts + tasks + settlements): every fold stays in memory until the end.

use std::collections::BTreeMap;

use errand_aggregates::account::{Account, AccountEvent, AccountId};
use errand_aggregates::contract::Contract;
use errand_aggregates::event::{stream_prefix, DecodeError};
use errand_aggregates::humai::{CreditLots, CreditLotsEvent};
use errand_aggregates::money::{Money, MAX_AMOUNT_CENTS};
use errand_aggregates::task::{Task, TaskEvent};
use errand_aggregates::{Aggregate, DomainEvent, Event};
use errand_projections::accounts::parse_account_stream;

use super::findings::Findings;
use super::holds::Holds;
use super::ledger::Ledger;
use super::read_models::{self, Checkpoints, Taken};
use super::{AuditError, InvariantReport};
use crate::journal::limits::READ_ALL_LIMIT_MAX;
use crate::journal::{Journal, RecordedEvent};

/// Events per page: the journal's own cap, a few tens of MiB at most.
const REPLAY_PAGE_EVENTS: u32 = READ_ALL_LIMIT_MAX;

struct AccountFold {
    id: AccountId,
    state: Account,
    /// Reported once: after the first negative balance, the rest follows from it.
    went_negative: bool,
    /// The position of the account's last event.
    last_position: i64,
}

pub(super) struct TaskFold {
    pub state: Task,
    /// The position of the task's last event, which `tasks_view` records too.
    pub last_position: i64,
}

/// The folded journal, as of its head.
pub(super) struct Replay {
    pub events_checked: i64,
    checkpoints: Checkpoints,
    /// By stream id.
    accounts: BTreeMap<String, AccountFold>,
    /// By task id (the stream id without `task-`).
    tasks: BTreeMap<String, TaskFold>,
    /// Humai's contracts, by id (the stream id without `contract-`): each holds escrow too.
    contracts: BTreeMap<String, Contract>,
    /// Humai's credit lots, by their wallet's account stream id.
    credit_lots: BTreeMap<String, CreditLots>,
    /// Where the journal's first credit lot is: the lots began there.
    first_lot_position: Option<i64>,
    ledger: Ledger,
    holds: Holds,
    /// Events a replay cannot read: breaches of "every read model equals a fresh replay".
    unreadable: Findings,
    /// Of those, the ones in account or task streams, which leave money unproven.
    unreadable_money: u64,
    /// Events of streams this version of the domain does not know; not replayed.
    unknown_streams: u64,
    taken: TakenRows,
}

/// The rows each compared read model must hold, taken at its checkpoint.
#[derive(Default)]
pub(super) struct TakenRows {
    pub accounts: Option<Taken>,
    pub tasks: Option<Taken>,
    pub postings: Option<Taken>,
}

/// What the read-model comparison needs from the replay.
pub(super) struct Folded {
    pub rows: TakenRows,
    pub unreadable: Findings,
    pub unknown_streams: u64,
}

/// Replays positions 1..=`head_position`. Events appended meanwhile are left for the next audit.
pub(super) async fn run(
    journal: &Journal,
    head_position: i64,
    checkpoints: Checkpoints,
) -> Result<Replay, AuditError> {
    let mut replay = Replay::new(checkpoints);
    let mut after = 0;
    while after < head_position {
        let page = journal.read_all(after, REPLAY_PAGE_EVENTS).await?;
        let Some(last) = page.last() else {
            // Fewer events than the head claims: the chain check reports where they went.
            break;
        };
        after = last.position;
        for event in page
            .iter()
            .take_while(|event| event.position <= head_position)
        {
            replay.apply(event);
        }
    }
    Ok(replay)
}

impl Replay {
    fn new(checkpoints: Checkpoints) -> Replay {
        Replay {
            events_checked: 0,
            checkpoints,
            accounts: BTreeMap::new(),
            tasks: BTreeMap::new(),
            contracts: BTreeMap::new(),
            credit_lots: BTreeMap::new(),
            first_lot_position: None,
            ledger: Ledger::default(),
            holds: Holds::default(),
            unreadable: Findings::default(),
            unreadable_money: 0,
            unknown_streams: 0,
            taken: TakenRows::default(),
        }
    }

    fn apply(&mut self, recorded: &RecordedEvent) {
        self.take_rows_due_before(recorded.position);
        self.events_checked += 1;
        let event = match Event::decode(&recorded.stream_id, &recorded.payload) {
            Ok(event) => event,
            Err(DecodeError::UnknownStream(_)) => {
                self.unknown_streams += 1;
                return;
            }
            Err(DecodeError::Payload { source, .. }) => {
                let prefix = stream_prefix(&recorded.stream_id);
                if prefix == Account::STREAM_PREFIX
                    || prefix == Task::STREAM_PREFIX
                    || prefix == Contract::STREAM_PREFIX
                {
                    self.unreadable_money += 1;
                }
                self.unreadable.breach(|| {
                    format!(
                        "position {} ({}, {}) does not decode: {source}",
                        recorded.position, recorded.event_type, recorded.stream_id
                    )
                });
                return;
            }
        };
        if event.event_type() != recorded.event_type {
            self.unreadable.breach(|| {
                format!(
                    "position {}: stored as {} but its payload is a {}",
                    recorded.position,
                    recorded.event_type,
                    event.event_type()
                )
            });
        }
        match &event {
            Event::Account(event) => self.apply_account(recorded, event),
            Event::Task(event) => self.apply_task(recorded, event),
            Event::Actor(_)
            | Event::Key(_)
            | Event::Deposit(_)
            | Event::Webhook(_)
            | Event::Delivery(_) => {}
            Event::Credentials(_) | Event::EmailClaim(_) => {}
            // A payout's money moves in its account's stream (PayoutSent, PayoutReturned).
            Event::Payout(_) | Event::PayoutAccount(_) => {}
            Event::KeyRing(_) => {}
            // A referral's bonus moves in the referrer's account stream (FundsDeposited).
            Event::Thread(_) | Event::Inbox(_) | Event::Referral(_) => {}
            // Projects and billing profiles move no money; a reload's is its deposit's.
            Event::Project(_)
            | Event::JobLink(_)
            | Event::Billing(_)
            | Event::Genesis(_)
            | Event::MarketProfile(_) => {}
            // Listings and bids move no money; an accepted bid's contract does.
            Event::Listing(_) | Event::Bid(_) => {}
            // A contract's escrow moves in its buyer's account stream; the contract
            // says what its hold must still hold. A dispute moves money through its contract.
            Event::Contract(event) => {
                let contract_id = recorded
                    .stream_id
                    .strip_prefix("contract-")
                    .unwrap_or(&recorded.stream_id);
                self.contracts
                    .entry(contract_id.to_owned())
                    .or_default()
                    .apply(event);
            }
            Event::Dispute(_) => {}
            // A review moves no money and holds nothing.
            Event::Review(_) => {}
            Event::CreditLots(event) => {
                self.first_lot_position.get_or_insert(recorded.position);
                self.apply_credit_lots(event);
            }
            // Auto-bidding rules move no money; the bids they place do not either.
            Event::AutoBid(_) => {}
        }
    }

    fn apply_credit_lots(&mut self, event: &CreditLotsEvent) {
        let wallet = match event {
            CreditLotsEvent::CreditLotOpened { wallet, .. }
            | CreditLotsEvent::CreditsDebited { wallet, .. } => wallet,
        };
        self.credit_lots
            .entry(wallet.stream_id())
            .or_default()
            .apply(event);
    }

    /// A Humai wallet's lots are decided in the same appends as its postings, so what
    /// remains of them is the account's balance, to the credit. A wallet without lots
    /// that nothing has moved since the journal's first lot dates from before lots were
    /// kept: its first movement will open them with its balance (`OpeningBalance`).
    fn check_credit_lots(&mut self) {
        let lots_began = self.first_lot_position.unwrap_or(i64::MAX);
        let mut wallets: Vec<(String, i64, i64)> = self
            .accounts
            .iter()
            .filter(|(_, fold)| fold.id.currency == errand_aggregates::money::Currency::RC)
            .filter(|(stream_id, fold)| {
                self.credit_lots.contains_key(*stream_id) || fold.last_position > lots_began
            })
            .map(|(stream_id, fold)| {
                let lots = self.credit_lots.get(stream_id).map_or(0, |l| l.remaining());
                let balance = fold.state.available_cents + fold.state.held_cents;
                (stream_id.clone(), lots, balance)
            })
            .collect();
        wallets.extend(
            self.credit_lots
                .iter()
                .filter(|(stream_id, _)| !self.accounts.contains_key(*stream_id))
                .map(|(stream_id, lots)| (stream_id.clone(), lots.remaining(), 0)),
        );
        for (stream_id, lots, balance) in wallets {
            if lots != balance {
                self.ledger.breach(|| {
                    format!(
                        "{stream_id}: its credit lots hold {lots} RC but its balance is {balance}"
                    )
                });
            }
        }
    }

    fn apply_account(&mut self, recorded: &RecordedEvent, event: &AccountEvent) {
        let position = recorded.position;
        let stream_id = &recorded.stream_id;
        let Some(account) = parse_account_stream(stream_id) else {
            self.ledger.breach(|| {
                format!("position {position}: stream {stream_id:?} names no account; not replayed")
            });
            return;
        };
        if let Some(problem) = account_event_problem(&account, event) {
            self.ledger.breach(|| {
                format!(
                    "position {position} ({}, {account}): {problem}; not replayed",
                    event.event_type()
                )
            });
            return;
        }
        self.ledger.post(position, &account, event);
        self.holds.apply(position, &account, event);
        let fold = self
            .accounts
            .entry(stream_id.clone())
            .or_insert_with(|| AccountFold {
                id: account,
                state: Account::default(),
                went_negative: false,
                last_position: position,
            });
        fold.last_position = position;
        fold.state.apply(event);
        let (available, held) = (fold.state.available_cents, fold.state.held_cents);
        if !fold.went_negative && (available < 0 || held < 0) {
            fold.went_negative = true;
            self.ledger.breach(|| {
                format!(
                    "position {position} ({}, {account}): the balance went negative: \
                     available {available}, held {held} cents",
                    event.event_type()
                )
            });
        }
    }

    fn apply_task(&mut self, recorded: &RecordedEvent, event: &TaskEvent) {
        let task_id = recorded
            .stream_id
            .strip_prefix("task-")
            .unwrap_or(&recorded.stream_id);
        if let Some(money) = task_amounts(event).into_iter().find(|m| !in_range(*m)) {
            self.ledger.breach(|| {
                format!(
                    "position {} ({}, task {task_id}): {} cents is out of range; not replayed",
                    recorded.position,
                    event.event_type(),
                    money.cents
                )
            });
            return;
        }
        let fold = self
            .tasks
            .entry(task_id.to_owned())
            .or_insert_with(|| TaskFold {
                state: Task::default(),
                last_position: 0,
            });
        fold.state.apply(event);
        fold.last_position = recorded.position;
    }

    /// Takes the rows of every read model whose checkpoint is before `position`, so each is
    /// compared with the journal exactly as far as it has read.
    fn take_rows_due_before(&mut self, position: i64) {
        let checkpoints = self.checkpoints;
        if self.taken.accounts.is_none() && checkpoints.accounts < position {
            self.taken.accounts = Some(self.account_rows());
        }
        if self.taken.tasks.is_none() && checkpoints.tasks < position {
            self.taken.tasks = Some(self.task_rows());
        }
        if self.taken.postings.is_none() && checkpoints.postings < position {
            self.taken.postings = Some(read_models::posting_rows(self.ledger.balances()));
        }
    }

    fn account_rows(&self) -> Taken {
        self.accounts
            .iter()
            .map(|(stream_id, fold)| {
                (
                    stream_id.clone(),
                    read_models::account_row(&fold.id, &fold.state),
                )
            })
            .collect()
    }

    fn task_rows(&self) -> Taken {
        self.tasks
            .iter()
            .filter(|(_, fold)| fold.state.exists())
            .map(|(task_id, fold)| {
                (
                    task_id.clone(),
                    read_models::task_row(&fold.state, fold.last_position),
                )
            })
            .collect()
    }

    /// The ledger and hold verdicts, and what the read-model comparison needs.
    pub(super) fn finish(mut self) -> (InvariantReport, InvariantReport, Folded) {
        self.take_rows_due_before(i64::MAX);
        self.check_credit_lots();
        let ledger = self.ledger.finish(self.unreadable_money);
        let holds = self
            .holds
            .finish(&self.tasks, &self.contracts, self.unreadable_money);
        let folded = Folded {
            rows: self.taken,
            unreadable: self.unreadable,
            unknown_streams: self.unknown_streams,
        };
        (ledger, holds, folded)
    }
}

/// Why an account event cannot be posted as it stands: an amount outside what any command
/// accepts (folding it could overflow), in another currency than the account's, or naming
/// another account than its stream's.
fn account_event_problem(account: &AccountId, event: &AccountEvent) -> Option<String> {
    let named = match event {
        AccountEvent::FundsDeposited { account, .. }
        | AccountEvent::HoldPlaced { account, .. }
        | AccountEvent::PaymentReceived { account, .. }
        | AccountEvent::FreeTasksGranted { account, .. } => Some(account),
        _ => None,
    };
    if let Some(named) = named.filter(|named| *named != account) {
        return Some(format!("names account {named}, not its stream's"));
    }
    for money in account_amounts(event) {
        if !in_range(money) {
            return Some(format!("{} cents is out of range", money.cents));
        }
        if money.currency != account.currency {
            return Some(format!(
                "an amount in {} on a {} account",
                money.currency.code(),
                account.currency.code()
            ));
        }
    }
    None
}

fn in_range(money: Money) -> bool {
    (0..=MAX_AMOUNT_CENTS).contains(&money.cents)
}

fn account_amounts(event: &AccountEvent) -> Vec<Money> {
    match event {
        AccountEvent::FundsDeposited { amount, .. }
        | AccountEvent::HoldPlaced { amount, .. }
        | AccountEvent::HoldIncreased { amount, .. }
        | AccountEvent::HoldReleased { amount, .. }
        | AccountEvent::PaymentReceived { amount, .. }
        | AccountEvent::PayoutSent { amount, .. }
        | AccountEvent::PayoutReturned { amount, .. } => vec![*amount],
        AccountEvent::HoldCaptured { gross, fee, .. } => vec![*gross, *fee],
        AccountEvent::FreeTasksGranted { cap_per_task, .. } => vec![*cap_per_task],
    }
}

fn task_amounts(event: &TaskEvent) -> Vec<Money> {
    match event {
        TaskEvent::TaskPosted { reward, escrow, .. } => vec![*reward, *escrow],
        TaskEvent::SubmissionApproved {
            gross, fee, payout, ..
        } => vec![*gross, *fee, *payout],
        TaskEvent::EscrowIncreased { amount, .. } | TaskEvent::EscrowReleased { amount, .. } => {
            vec![*amount]
        }
        _ => Vec::new(),
    }
}
