//! The one lock under which positions are assigned. Every append transaction takes it before
//! reading the head, so positions are handed out one transaction at a time, in commit order:
//! a projector reading `position > checkpoint` can never skip an event that commits late.

use std::sync::Arc;

use sqlx::{Any, AnyPool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::chain::{parse_hash, Hash};
use super::connect::Backend;
use super::error::JournalError;
use super::reads::column;

/// The last committed position and its hash: where the next event chains from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Head {
    pub position: i64,
    pub hash: Hash,
}

/// On SQLite, this process's writers (the journal's writer and the projectors) take turns
/// here before `BEGIN IMMEDIATE`, instead of meeting SQLite's busy handler, which sleeps in
/// growing steps (1, 2, 5, 10, … ms) and so turns a wait of a few hundred microseconds into
/// a stall of tens of milliseconds. Other processes on the same file still wait on
/// `busy_timeout`. PostgreSQL needs no gate: its row and table locks queue waiters fairly.
#[derive(Debug, Clone, Default)]
pub struct WriteGate(Arc<Mutex<()>>);

/// A turn at writing; held until the transaction it guards is over.
#[derive(Debug)]
pub struct WriteTurn(#[allow(dead_code)] Option<OwnedMutexGuard<()>>);

impl WriteGate {
    pub async fn enter(&self, backend: Backend) -> WriteTurn {
        match backend {
            Backend::Sqlite => WriteTurn(Some(Arc::clone(&self.0).lock_owned().await)),
            Backend::Postgres => WriteTurn(None),
        }
    }
}

/// Begins a transaction that holds the head lock, and reads the head under it.
///
/// - SQLite: `BEGIN IMMEDIATE` takes the database's write lock at once (a plain `BEGIN` would
///   take it only at the first write, after the head was read). Other processes on the same
///   file wait on `busy_timeout`.
/// - PostgreSQL: see `commit_postgres::commit_group`, which locks the one `journal_head` row
///   and reads the head with the group's stream versions.
pub(crate) async fn lock_head_sqlite(
    pool: &AnyPool,
    gate: &WriteGate,
) -> Result<(Transaction<'static, Any>, Head, WriteTurn), JournalError> {
    let turn = gate.enter(Backend::Sqlite).await;
    let mut transaction = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(JournalError::database("beginning the append transaction"))?;
    let row = sqlx::query("SELECT position, hash FROM journal_head WHERE id = 1")
        .fetch_one(&mut *transaction)
        .await
        .map_err(JournalError::database("locking the journal head"))?;
    let head = decode_head(&row)?;
    Ok((transaction, head, turn))
}

/// Reads the head without locking it.
pub(crate) async fn read_head(pool: &AnyPool) -> Result<Head, JournalError> {
    let row = sqlx::query("SELECT position, hash FROM journal_head WHERE id = 1")
        .fetch_one(pool)
        .await
        .map_err(JournalError::database("reading the journal head"))?;
    decode_head(&row)
}

/// Moves the head to the last event of a group, inside the group's transaction.
pub(crate) async fn advance_head(
    transaction: &mut Transaction<'static, Any>,
    head: &Head,
) -> Result<(), JournalError> {
    sqlx::query("UPDATE journal_head SET position = $1, hash = $2 WHERE id = 1")
        .bind(head.position)
        .bind(hex::encode(head.hash))
        .execute(&mut **transaction)
        .await
        .map_err(JournalError::database("advancing the journal head"))?;
    Ok(())
}

pub(crate) fn decode_head<R>(row: &R) -> Result<Head, JournalError>
where
    R: sqlx::Row,
    for<'n> &'n str: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let position: i64 = column(row, "position")?;
    let hash_hex: String = column(row, "hash")?;
    let hash = parse_hash(&hash_hex).ok_or_else(|| {
        JournalError::Corrupt(format!("journal_head.hash is not a hash: {hash_hex:?}"))
    })?;
    Ok(Head { position, hash })
}
