//! The ledger as the service would hold it, in memory: every stream's state,
//! the journal of every event in append order, and the command bus's way of
//! composing aggregates (`src/bus/commands/{tasks,funds}.rs`): the task
//! decides first, `account_commands` says what its events ask of the
//! accounts, the accounts decide that, and all of it is appended or none.

use errand_aggregates::account::{Account, AccountCommand, AccountEvent, AccountId, Funding};
use errand_aggregates::actor::Caller;
use errand_aggregates::deposit::{Deposit, DepositCommand, DepositEvent, DepositSource};
use errand_aggregates::ids::{FundingId, TaskId};
use errand_aggregates::money::Money;
use errand_aggregates::task::{account_commands, Task, TaskCommand, TaskEvent};
use errand_aggregates::{policy, Aggregate, DomainError, Timestamp};
use std::collections::BTreeMap;

/// What a caller may ask of the ledger: the bus's handlers for money coming
/// in, and any task command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    RequestDeposit {
        by: Caller,
        account: AccountId,
        funding_id: FundingId,
        amount: Money,
        at: Timestamp,
    },
    /// The payment provider confirmed the deposit.
    CompleteDeposit {
        funding_id: FundingId,
        at: Timestamp,
    },
    GrantCredit {
        by: Caller,
        account: AccountId,
        funding_id: FundingId,
        amount: Money,
        reason: String,
        at: Timestamp,
    },
    Task {
        task_id: TaskId,
        command: TaskCommand,
    },
}

/// One event as the journal keeps it: which stream it belongs to, and what happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Recorded {
    Task {
        task_id: TaskId,
        event: TaskEvent,
    },
    Account {
        account: AccountId,
        event: AccountEvent,
    },
    Deposit {
        funding_id: FundingId,
        event: DepositEvent,
    },
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct World {
    pub tasks: BTreeMap<TaskId, Task>,
    pub accounts: BTreeMap<AccountId, Account>,
    pub deposits: BTreeMap<FundingId, Deposit>,
    /// Every event of every stream, in the order they were appended.
    pub journal: Vec<Recorded>,
}

impl World {
    /// Decides `command` the way the bus does and appends what it decided,
    /// or refuses and leaves the world exactly as it was.
    pub fn execute(&mut self, command: &Command) -> Result<(), DomainError> {
        let mut unit = Unit::on(self);
        match command {
            Command::Task { task_id, command } => {
                let (before, events) = unit.decide_task(*task_id, command)?;
                for (account, account_command) in account_commands(&before, &events) {
                    unit.decide_account(account, &account_command)?;
                }
            }
            Command::RequestDeposit {
                by,
                account,
                funding_id,
                amount,
                at,
            } => {
                by.ensure_not_banned()?;
                let request = DepositCommand::Request {
                    funding_id: *funding_id,
                    account: *account,
                    amount: *amount,
                    provider: "sandbox".to_owned(),
                    source: DepositSource::Checkout,
                    at: *at,
                };
                unit.decide_deposit(*funding_id, &request)?;
            }
            Command::CompleteDeposit { funding_id, at } => {
                let deposit =
                    unit.decide_deposit(*funding_id, &DepositCommand::Complete { at: *at })?;
                let (Some(account), Some(amount)) = (deposit.account, deposit.amount) else {
                    return Err(DomainError::NotFound("deposit"));
                };
                let fund = AccountCommand::Fund {
                    account,
                    funding_id: *funding_id,
                    amount,
                    funding: Funding::Deposit {
                        provider: deposit.provider.clone(),
                    },
                    at: *at,
                };
                unit.decide_account(account, &fund)?;
            }
            Command::GrantCredit {
                by,
                account,
                funding_id,
                amount,
                reason,
                at,
            } => {
                policy::may_grant_credit(by)?;
                let fund = AccountCommand::Fund {
                    account: *account,
                    funding_id: *funding_id,
                    amount: *amount,
                    funding: Funding::Grant {
                        reason: policy::audited_reason(reason)?,
                        granted_by: by.actor,
                    },
                    at: *at,
                };
                unit.decide_account(*account, &fund)?;
            }
        }
        let decided = unit.decided;
        self.append(decided);
        Ok(())
    }

    fn append(&mut self, decided: Decided) {
        self.tasks.extend(decided.tasks);
        self.accounts.extend(decided.accounts);
        self.deposits.extend(decided.deposits);
        self.journal.extend(decided.recorded);
    }
}

/// What one command has decided so far: the states of the streams it touched
/// with its own events applied, and those events.
#[derive(Default)]
struct Decided {
    tasks: BTreeMap<TaskId, Task>,
    accounts: BTreeMap<AccountId, Account>,
    deposits: BTreeMap<FundingId, Deposit>,
    recorded: Vec<Recorded>,
}

/// The bus's `UnitOfWork` without a database: reads see the command's own
/// earlier decisions, and nothing reaches the world until the whole command
/// has been decided.
struct Unit<'w> {
    world: &'w World,
    decided: Decided,
}

impl<'w> Unit<'w> {
    fn on(world: &'w World) -> Self {
        Unit {
            world,
            decided: Decided::default(),
        }
    }

    /// Returns the state the task decided on, and its events.
    fn decide_task(
        &mut self,
        task_id: TaskId,
        command: &TaskCommand,
    ) -> Result<(Task, Vec<TaskEvent>), DomainError> {
        let (before, events) =
            decide(&self.world.tasks, &mut self.decided.tasks, task_id, command)?;
        self.record(&events, |event| Recorded::Task { task_id, event });
        Ok((before, events))
    }

    fn decide_account(
        &mut self,
        account: AccountId,
        command: &AccountCommand,
    ) -> Result<(), DomainError> {
        let (_, events) = decide(
            &self.world.accounts,
            &mut self.decided.accounts,
            account,
            command,
        )?;
        self.record(&events, |event| Recorded::Account { account, event });
        Ok(())
    }

    /// Returns the deposit after its new events.
    fn decide_deposit(
        &mut self,
        funding_id: FundingId,
        command: &DepositCommand,
    ) -> Result<Deposit, DomainError> {
        let (_, events) = decide(
            &self.world.deposits,
            &mut self.decided.deposits,
            funding_id,
            command,
        )?;
        self.record(&events, |event| Recorded::Deposit { funding_id, event });
        Ok(self.decided.deposits[&funding_id].clone())
    }

    fn record<E: Clone>(&mut self, events: &[E], recorded: impl Fn(E) -> Recorded) {
        self.decided
            .recorded
            .extend(events.iter().cloned().map(recorded));
    }
}

/// Loads a stream (this command's version of it if it already touched it),
/// decides, and keeps the state with the new events applied.
fn decide<K: Ord + Copy, A: Aggregate>(
    committed: &BTreeMap<K, A>,
    decided: &mut BTreeMap<K, A>,
    key: K,
    command: &A::Command,
) -> Result<(A, Vec<A::Event>), DomainError> {
    let before = decided
        .get(&key)
        .or_else(|| committed.get(&key))
        .cloned()
        .unwrap_or_default();
    let events = before.decide(command)?;
    let mut after = before.clone();
    for event in &events {
        after.apply(event);
    }
    decided.insert(key, after);
    Ok((before, events))
}
