//! Invariant 4: every read model equals a fresh replay. `accounts_view` (balances and lifetime
//! totals), `tasks_view` (status, slots, counters, escrow) and the `postings` table (sum and
//! count per ledger account) are compared row by row with what the replay folded; every other
//! read model that `rebuilt::compared_tables` names tables for, with a rebuild by its own
//! projection (`rebuilt.rs`).
//!
//! Projections trail the journal. Their checkpoints and rows are read in one snapshot (a
//! read-only repeatable-read transaction), and each read model is compared with the journal
//! folded exactly to its own checkpoint, so a projector committing meanwhile is not a breach.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fmt::Write as _;

use errand_aggregates::account::{Account, AccountId};
use errand_aggregates::task::{AssignmentStatus, Task};
use errand_projections::{Accounts, Postings, Projection, ReadModel, Tasks, CHECKPOINTS_TABLE};
use futures::TryStreamExt;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::findings::Findings;
use super::ledger::Balances;
use super::rebuilt;
use super::replay::Folded;
use super::{AuditError, InvariantReport};
use crate::journal::{Backend, Journal};

pub(super) const NAME: &str = "read_models_match_replay";

/// How far each compared projection has read the journal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Checkpoints {
    pub accounts: i64,
    pub tasks: i64,
    pub postings: i64,
}

/// One compared column's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Value {
    Int(i64),
    Text(String),
    Null,
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(value) => value.fmt(f),
            Value::Text(value) => write!(f, "{value:?}"),
            Value::Null => f.write_str("null"),
        }
    }
}

/// Rows by key, their compared columns in their table's order.
pub(super) type Taken = BTreeMap<String, Vec<Value>>;

#[derive(Debug, Clone, Copy)]
pub(super) enum Kind {
    Int,
    Text,
    /// A BIGINT that may be NULL.
    OptionalInt,
    /// A TEXT that may be NULL.
    OptionalText,
}

/// A compared table: a query whose first `key_columns` columns (text) identify a row, followed
/// by `columns`.
pub(super) struct Table {
    pub name: &'static str,
    /// What one of its rows is, for the summary.
    pub rows_are: &'static str,
    pub sql: &'static str,
    pub key_columns: usize,
    pub columns: &'static [(&'static str, Kind)],
}

const ACCOUNTS_VIEW: Table = Table {
    name: "accounts_view",
    rows_are: "accounts",
    sql: "SELECT account_id, owner, mode, currency, available_cents, held_cents, deposited_cents, \
          granted_cents, earned_cents, spent_cents, fees_paid_cents, paid_out_cents FROM accounts_view",
    key_columns: 1,
    columns: &[
        ("owner", Kind::Text),
        ("mode", Kind::Text),
        ("currency", Kind::Text),
        ("available_cents", Kind::Int),
        ("held_cents", Kind::Int),
        ("deposited_cents", Kind::Int),
        ("granted_cents", Kind::Int),
        ("earned_cents", Kind::Int),
        ("spent_cents", Kind::Int),
        ("fees_paid_cents", Kind::Int),
        ("paid_out_cents", Kind::Int),
    ],
};

const TASKS_VIEW: Table = Table {
    name: "tasks_view",
    rows_are: "tasks",
    sql:
        "SELECT task_id, poster, status, reward_cents, slots, working, awaiting_review, approved, \
          disputed, escrow_cents, paid_cents, released_cents, last_position FROM tasks_view",
    key_columns: 1,
    columns: &[
        ("poster", Kind::Text),
        ("status", Kind::Text),
        ("reward_cents", Kind::Int),
        ("slots", Kind::Int),
        ("working", Kind::Int),
        ("awaiting_review", Kind::Int),
        ("approved", Kind::Int),
        ("disputed", Kind::Int),
        ("escrow_cents", Kind::Int),
        ("paid_cents", Kind::Int),
        ("released_cents", Kind::Int),
        ("last_position", Kind::Int),
    ],
};

/// CAST: PostgreSQL sums BIGINT into NUMERIC, which the Any driver does not decode.
const POSTINGS: Table = Table {
    name: "postings",
    rows_are: "ledger accounts",
    sql: "SELECT ledger_account, currency, CAST(SUM(amount_cents) AS BIGINT) AS amount_cents, \
          COUNT(*) AS postings FROM postings GROUP BY ledger_account, currency",
    key_columns: 2,
    columns: &[("amount_cents", Kind::Int), ("postings", Kind::Int)],
};

/// What `accounts_view` must hold for an account, in `ACCOUNTS_VIEW`'s column order.
pub(super) fn account_row(id: &AccountId, account: &Account) -> Vec<Value> {
    vec![
        Value::Text(id.owner.to_string()),
        Value::Text(id.mode.as_str().to_owned()),
        Value::Text(id.currency.code().to_owned()),
        Value::Int(account.available_cents),
        Value::Int(account.held_cents),
        Value::Int(account.deposited_cents),
        Value::Int(account.granted_cents),
        Value::Int(account.earned_cents),
        Value::Int(account.spent_cents),
        Value::Int(account.fees_paid_cents),
        Value::Int(account.paid_out_cents),
    ]
}

/// What `tasks_view` must hold for a task, in `TASKS_VIEW`'s column order.
pub(super) fn task_row(task: &Task, last_position: i64) -> Vec<Value> {
    let assignments = |status: AssignmentStatus| {
        let count = task
            .assignments
            .iter()
            .filter(|a| a.status == status)
            .count();
        Value::Int(count as i64)
    };
    vec![
        Value::Text(
            task.poster
                .map(|poster| poster.to_string())
                .unwrap_or_default(),
        ),
        Value::Text(task.status.as_str().to_owned()),
        Value::Int(task.reward_cents()),
        Value::Int(i64::from(task.slots)),
        assignments(AssignmentStatus::Active),
        Value::Int(task.pending_submissions().count() as i64),
        assignments(AssignmentStatus::Approved),
        assignments(AssignmentStatus::Disputed),
        Value::Int(task.escrow_cents),
        Value::Int(task.paid_cents),
        Value::Int(task.released_cents),
        Value::Int(last_position),
    ]
}

/// What `postings` must sum to per ledger account, keyed as `POSTINGS` keys its rows.
pub(super) fn posting_rows(balances: &Balances) -> Taken {
    balances
        .iter()
        .map(|((ledger_account, currency), balance)| {
            (
                format!("{ledger_account} / {currency}"),
                vec![Value::Int(balance.cents), Value::Int(balance.postings)],
            )
        })
        .collect()
}

/// The read models as of one moment, held open while the journal is replayed.
pub(super) struct Snapshot {
    transaction: Transaction<'static, Any>,
    checkpoints: Checkpoints,
    /// Every read model compared with a rebuild (`rebuilt::compared_tables`), at its checkpoint.
    rebuilt: Vec<(ReadModel, i64)>,
}

impl Snapshot {
    /// Begins a read-only snapshot and reads the checkpoints in it.
    pub(super) async fn open(journal: &Journal) -> Result<Snapshot, AuditError> {
        let mut transaction = journal
            .pool()
            .begin()
            .await
            .map_err(AuditError::database("beginning the read-model snapshot"))?;
        if journal.backend() == Backend::Postgres {
            // READ COMMITTED would let each query see later commits; REPEATABLE READ keeps the
            // checkpoints and the rows of one moment. SQLite's read transaction already does
            // (WAL mode: the snapshot starts at its first read).
            // `query`, not `raw_sql`: raw_sql's executor bound makes this future not `Send`,
            // and `GET /v1/audit/verify` awaits it in a handler.
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .persistent(false)
                .execute(&mut *transaction)
                .await
                .map_err(AuditError::database("isolating the read-model snapshot"))?;
        }
        let rows = sqlx::query(&format!("SELECT name, position FROM {CHECKPOINTS_TABLE}"))
            .fetch_all(&mut *transaction)
            .await
            .map_err(AuditError::database("reading the projection checkpoints"))?;
        let mut positions = HashMap::new();
        for row in rows {
            let name: String = row
                .try_get("name")
                .map_err(AuditError::database("decoding a projection checkpoint"))?;
            let position: i64 = row
                .try_get("position")
                .map_err(AuditError::database("decoding a projection checkpoint"))?;
            positions.insert(name, position);
        }
        // A projection without a checkpoint has read nothing yet.
        let at = |name: &str| positions.get(name).copied().unwrap_or(0);
        let checkpoints = Checkpoints {
            accounts: at(Accounts.name()),
            tasks: at(Tasks.name()),
            postings: at(Postings.name()),
        };
        // Every read model that names tables to compare, so a new one is never left out.
        let rebuilt = ReadModel::all()
            .into_iter()
            .filter(|model| !rebuilt::compared_tables(*model).is_empty())
            .map(|model| (model, at(model.name())))
            .collect();
        Ok(Snapshot {
            transaction,
            checkpoints,
            rebuilt,
        })
    }

    pub(super) fn checkpoints(&self) -> Checkpoints {
        self.checkpoints
    }

    /// Compares each read model with the replay at its checkpoint.
    pub(super) async fn compare(
        mut self,
        journal: &Journal,
        folded: Folded,
        head_position: i64,
    ) -> Result<InvariantReport, AuditError> {
        let mut findings = folded.unreadable;
        let mut summary = String::new();
        let compared = [
            (
                &ACCOUNTS_VIEW,
                Accounts.name(),
                self.checkpoints.accounts,
                folded.rows.accounts,
            ),
            (
                &TASKS_VIEW,
                Tasks.name(),
                self.checkpoints.tasks,
                folded.rows.tasks,
            ),
            (
                &POSTINGS,
                Postings.name(),
                self.checkpoints.postings,
                folded.rows.postings,
            ),
        ];
        for (table, projection, checkpoint, taken) in compared {
            let rows = compare_table(
                &mut self.transaction,
                table,
                taken.unwrap_or_default(),
                &mut findings,
            )
            .await?;
            let _ = write!(
                summary,
                "{}: {rows} {} compared",
                table.name, table.rows_are
            );
            note_checkpoint(
                &mut summary,
                &mut findings,
                projection,
                checkpoint,
                head_position,
            );
        }
        for (model, checkpoint) in std::mem::take(&mut self.rebuilt) {
            rebuilt::compare(
                journal,
                &mut self.transaction,
                model,
                checkpoint,
                &mut findings,
                &mut summary,
            )
            .await?;
            note_checkpoint(
                &mut summary,
                &mut findings,
                model.name(),
                checkpoint,
                head_position,
            );
        }
        if folded.unknown_streams > 0 {
            let _ = writeln!(
                summary,
                "{} events of streams this version does not know were not replayed",
                folded.unknown_streams
            );
        }
        // Read-only: nothing to keep, but ending it cleanly returns the connection at once.
        self.transaction
            .rollback()
            .await
            .map_err(AuditError::database("ending the read-model snapshot"))?;
        Ok(InvariantReport::new(NAME, summary.trim_end(), &findings))
    }
}

/// Ends a summary line: as of which position a projection was compared, or the breach of a
/// checkpoint past the head.
fn note_checkpoint(
    summary: &mut String,
    findings: &mut Findings,
    projection: &str,
    checkpoint: i64,
    head_position: i64,
) {
    if checkpoint < head_position {
        let _ = write!(
            summary,
            " as of position {checkpoint}: the {projection} projection is behind the head {head_position}"
        );
    } else if checkpoint > head_position {
        findings.breach(|| {
            format!("the {projection} projection claims position {checkpoint}, past the journal head {head_position}")
        });
    }
    summary.push('\n');
}

/// Streams `table`'s rows and checks each against `expected`, which it empties: what is left
/// is missing from the table. Returns how many rows the table has.
pub(super) async fn compare_table(
    transaction: &mut Transaction<'static, Any>,
    table: &Table,
    mut expected: Taken,
    findings: &mut Findings,
) -> Result<u64, AuditError> {
    let mut rows = sqlx::query(table.sql).fetch(&mut **transaction);
    let mut count = 0;
    while let Some(row) = rows
        .try_next()
        .await
        .map_err(AuditError::database("reading a read model"))?
    {
        count += 1;
        let (key, values) = decode(table, &row)?;
        match expected.remove(&key) {
            None => findings.breach(|| format!("{} {key}: not in the replay", table.name)),
            Some(replayed) if replayed != values => {
                findings.breach(|| describe_difference(table, &key, &values, &replayed))
            }
            Some(_) => {}
        }
    }
    for key in expected.keys() {
        findings.breach(|| format!("{} {key}: missing (the replay has it)", table.name));
    }
    Ok(count)
}

pub(super) fn decode(table: &Table, row: &AnyRow) -> Result<(String, Vec<Value>), AuditError> {
    let failed = || AuditError::database("decoding a read-model row");
    let mut key = Vec::with_capacity(table.key_columns);
    for index in 0..table.key_columns {
        key.push(row.try_get::<String, _>(index).map_err(failed())?);
    }
    let mut values = Vec::with_capacity(table.columns.len());
    for (offset, (_, kind)) in table.columns.iter().enumerate() {
        let index = table.key_columns + offset;
        values.push(match kind {
            Kind::Int => Value::Int(row.try_get(index).map_err(failed())?),
            Kind::Text => Value::Text(row.try_get(index).map_err(failed())?),
            Kind::OptionalInt => row
                .try_get::<Option<i64>, _>(index)
                .map_err(failed())?
                .map_or(Value::Null, Value::Int),
            Kind::OptionalText => row
                .try_get::<Option<String>, _>(index)
                .map_err(failed())?
                .map_or(Value::Null, Value::Text),
        });
    }
    Ok((key.join(" / "), values))
}

fn describe_difference(table: &Table, key: &str, stored: &[Value], replayed: &[Value]) -> String {
    let differences: Vec<String> = table
        .columns
        .iter()
        .zip(stored.iter().zip(replayed))
        .filter(|(_, (stored, replayed))| stored != replayed)
        .map(|((column, _), (stored, replayed))| {
            format!("{column} is {stored}, replay says {replayed}")
        })
        .collect();
    format!("{} {key}: {}", table.name, differences.join(", "))
}
