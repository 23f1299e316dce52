//! The machinery every keyed projection shares: the rows one batch touches,
//! loaded once by key, changed in memory, and written back once each with a
//! multi-row upsert.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection};

pub type AnyQuery<'q> = Query<'q, Any, AnyArguments<'q>>;

/// Rows in one multi-row statement, and keys in one IN-list. Statements are
/// cut into power-of-two sizes up to this, so each table needs at most eight
/// distinct statement texts and sqlx's per-connection statement cache (100
/// entries) keeps them all prepared. 128 rows of the widest view
/// (`contracts_view`, 34 columns) is 4,352 parameters, far below SQLite's
/// 32,766 and PostgreSQL's 65,535.
const ROWS_PER_STATEMENT_MAX: usize = 128;

/// A table the projections write, as a struct: its columns in one order used
/// for binding, selecting and decoding.
pub trait Record: Sized + Send + Sync {
    const TABLE: &'static str;
    /// Column names; for a [`ViewRow`] the primary key comes first.
    const COLUMNS: &'static [&'static str];

    /// Binds every column, in `COLUMNS` order.
    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q>;
}

/// A row with a one-column TEXT primary key, which projections update in place.
pub trait ViewRow: Record {
    fn key(&self) -> &str;

    /// Decodes a row selected with `COLUMNS` in order.
    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error>;

    /// The row with this key, if any.
    fn find(
        conn: &mut AnyConnection,
        key: &str,
    ) -> impl std::future::Future<Output = Result<Option<Self>, sqlx::Error>> + Send {
        async move {
            let sql = format!(
                "SELECT {} FROM {} WHERE {} = $1",
                Self::COLUMNS.join(", "),
                Self::TABLE,
                Self::COLUMNS[0]
            );
            let row = sqlx::query(&sql).bind(key).fetch_optional(conn).await?;
            row.as_ref().map(Self::decode).transpose()
        }
    }
}

enum Slot<R> {
    /// Known not to be in the table.
    Absent,
    /// As loaded, unchanged.
    Stored(R),
    /// Changed or created in this batch: written at flush.
    Changed(R),
    /// Deleted in this batch: deleted at flush.
    Removed,
}

/// The rows of one table that a batch touches, by primary key.
pub(crate) struct Rows<R: ViewRow> {
    slots: BTreeMap<String, Slot<R>>,
}

impl<R: ViewRow> Default for Rows<R> {
    fn default() -> Self {
        Rows {
            slots: BTreeMap::new(),
        }
    }
}

impl<R: ViewRow> Rows<R> {
    /// Loads the rows with these keys that are not cached yet, a chunk of keys
    /// per statement. Keys with no row are remembered as absent.
    pub(crate) async fn prefetch(
        &mut self,
        conn: &mut AnyConnection,
        keys: impl IntoIterator<Item = String>,
    ) -> Result<(), sqlx::Error> {
        let mut missing: Vec<String> = keys
            .into_iter()
            .filter(|key| !self.slots.contains_key(key))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        let style = Placeholders::of(conn);
        for chunk in power_of_two_chunks(&missing) {
            let sql = format!(
                "SELECT {} FROM {} WHERE {} IN ({})",
                R::COLUMNS.join(", "),
                R::TABLE,
                R::COLUMNS[0],
                style.list(1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for key in chunk {
                query = query.bind(key.as_str());
            }
            for row in query.fetch_all(&mut *conn).await? {
                let row = R::decode(&row)?;
                self.slots.insert(row.key().to_owned(), Slot::Stored(row));
            }
            for key in chunk {
                self.slots.entry(key.clone()).or_insert(Slot::Absent);
            }
        }
        Ok(())
    }

    /// Loads the rows whose `column` is one of `values`, keeping any cached
    /// row as it is (the cache is newer than the table).
    pub(crate) async fn prefetch_where(
        &mut self,
        conn: &mut AnyConnection,
        column: &str,
        values: impl IntoIterator<Item = String>,
    ) -> Result<(), sqlx::Error> {
        let mut values: Vec<String> = values.into_iter().collect();
        values.sort_unstable();
        values.dedup();
        let style = Placeholders::of(conn);
        for chunk in power_of_two_chunks(&values) {
            let sql = format!(
                "SELECT {} FROM {} WHERE {column} IN ({})",
                R::COLUMNS.join(", "),
                R::TABLE,
                style.list(1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for value in chunk {
                query = query.bind(value.as_str());
            }
            for row in query.fetch_all(&mut *conn).await? {
                let row = R::decode(&row)?;
                self.slots
                    .entry(row.key().to_owned())
                    .or_insert(Slot::Stored(row));
            }
        }
        Ok(())
    }

    /// Loads the rows a fixed condition picks (no parameters: a constant
    /// of the caller's), keeping any cached row as it is.
    pub(crate) async fn prefetch_matching(
        &mut self,
        conn: &mut AnyConnection,
        condition: &'static str,
    ) -> Result<(), sqlx::Error> {
        let sql = format!(
            "SELECT {} FROM {} WHERE {condition}",
            R::COLUMNS.join(", "),
            R::TABLE
        );
        for row in sqlx::query(&sql).fetch_all(&mut *conn).await? {
            let row = R::decode(&row)?;
            self.slots
                .entry(row.key().to_owned())
                .or_insert(Slot::Stored(row));
        }
        Ok(())
    }

    /// The row with this key, to change; loaded on a cache miss.
    pub(crate) async fn get_mut(
        &mut self,
        conn: &mut AnyConnection,
        key: &str,
    ) -> Result<Option<&mut R>, sqlx::Error> {
        if !self.slots.contains_key(key) {
            let loaded = R::find(conn, key).await?;
            let slot = loaded.map_or(Slot::Absent, Slot::Stored);
            self.slots.insert(key.to_owned(), slot);
        }
        let slot = self.slots.get_mut(key).expect("the key was just cached");
        if matches!(slot, Slot::Stored(_)) {
            let Slot::Stored(row) = std::mem::replace(slot, Slot::Absent) else {
                unreachable!()
            };
            *slot = Slot::Changed(row);
        }
        Ok(match slot {
            Slot::Changed(row) => Some(row),
            _ => None,
        })
    }

    /// The cached row with this key, if it is cached and exists.
    pub(crate) fn cached(&self, key: &str) -> Option<&R> {
        match self.slots.get(key)? {
            Slot::Stored(row) | Slot::Changed(row) => Some(row),
            Slot::Absent | Slot::Removed => None,
        }
    }

    /// The cached rows that exist and `select` picks, in key order. Rows not
    /// cached are not seen: prefetch them first.
    pub(crate) fn cached_where(&self, select: impl Fn(&R) -> bool) -> Vec<&R> {
        self.slots
            .values()
            .filter_map(|slot| match slot {
                Slot::Stored(row) | Slot::Changed(row) if select(row) => Some(row),
                _ => None,
            })
            .collect()
    }

    /// Creates or replaces a row.
    pub(crate) fn put(&mut self, row: R) {
        self.slots.insert(row.key().to_owned(), Slot::Changed(row));
    }

    /// Deletes a row, whether or not it exists.
    pub(crate) fn remove(&mut self, key: &str) {
        match self.slots.entry(key.to_owned()) {
            Entry::Vacant(entry) => {
                entry.insert(Slot::Removed);
            }
            Entry::Occupied(mut entry) => {
                let slot = entry.get_mut();
                if !matches!(slot, Slot::Absent) {
                    *slot = Slot::Removed;
                }
            }
        }
    }

    /// Changes every cached row that `select` picks. Rows not cached are not
    /// seen: prefetch them first.
    pub(crate) fn update_cached(
        &mut self,
        select: impl Fn(&R) -> bool,
        mut change: impl FnMut(&mut R),
    ) {
        for slot in self.slots.values_mut() {
            let picked = matches!(slot, Slot::Stored(row) | Slot::Changed(row) if select(row));
            if !picked {
                continue;
            }
            if let Slot::Stored(row) | Slot::Changed(row) = std::mem::replace(slot, Slot::Absent) {
                *slot = Slot::Changed(row);
            }
            if let Slot::Changed(row) = slot {
                change(row);
            }
        }
    }

    /// Deletes every cached row that `select` picks.
    pub(crate) fn remove_cached(&mut self, select: impl Fn(&R) -> bool) {
        for slot in self.slots.values_mut() {
            if matches!(slot, Slot::Stored(row) | Slot::Changed(row) if select(row)) {
                *slot = Slot::Removed;
            }
        }
    }

    /// Writes every changed row once and deletes every removed one.
    pub(crate) async fn flush(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        let mut changed = Vec::new();
        let mut removed = Vec::new();
        for (key, slot) in self.slots {
            match slot {
                Slot::Changed(row) => changed.push(row),
                Slot::Removed => removed.push(key),
                Slot::Absent | Slot::Stored(_) => {}
            }
        }
        upsert(conn, &changed).await?;
        let style = Placeholders::of(conn);
        for chunk in power_of_two_chunks(&removed) {
            let sql = format!(
                "DELETE FROM {} WHERE {} IN ({})",
                R::TABLE,
                R::COLUMNS[0],
                style.list(1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for key in chunk {
                query = query.bind(key.as_str());
            }
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

/// Inserts rows, or replaces them where the primary key exists.
async fn upsert<R: ViewRow>(conn: &mut AnyConnection, rows: &[R]) -> Result<(), sqlx::Error> {
    let updates = R::COLUMNS[1..]
        .iter()
        .map(|column| format!("{column} = excluded.{column}"))
        .collect::<Vec<_>>()
        .join(", ");
    let conflict = format!("ON CONFLICT ({}) DO UPDATE SET {updates}", R::COLUMNS[0]);
    insert_with(conn, rows, &conflict).await
}

/// Inserts rows with multi-row statements; `suffix` follows the VALUES.
pub(crate) async fn insert_with<R: Record>(
    conn: &mut AnyConnection,
    rows: &[R],
    suffix: &str,
) -> Result<(), sqlx::Error> {
    let width = R::COLUMNS.len();
    let style = Placeholders::of(conn);
    for chunk in power_of_two_chunks(rows) {
        let values = (0..chunk.len())
            .map(|i| format!("({})", style.list(i * width + 1, width)))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {values} {suffix}",
            R::TABLE,
            R::COLUMNS.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            query = row.bind(query);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// How a bulk statement names its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placeholders {
    /// `$1, $2, …`: PostgreSQL's form.
    Numbered,
    /// `?, ?, …`: for SQLite, which looks up each numbered parameter's name
    /// in a list as long as the statement's parameters (so binding a
    /// statement of n `$` parameters costs n² steps: 40 % of a replay's time
    /// at 1,000 parameters), but binds anonymous ones by position at once.
    Anonymous,
}

impl Placeholders {
    fn of(conn: &AnyConnection) -> Placeholders {
        if conn.backend_name() == "SQLite" {
            Placeholders::Anonymous
        } else {
            Placeholders::Numbered
        }
    }

    /// `count` parameters, the first numbered `first`.
    fn list(self, first: usize, count: usize) -> String {
        match self {
            Placeholders::Numbered => (first..first + count)
                .map(|n| format!("${n}"))
                .collect::<Vec<_>>()
                .join(", "),
            Placeholders::Anonymous => vec!["?"; count].join(", "),
        }
    }
}

/// Splits `items` into full chunks of `ROWS_PER_STATEMENT_MAX`, then the rest
/// into descending powers of two.
fn power_of_two_chunks<T>(items: &[T]) -> impl Iterator<Item = &[T]> {
    let mut rest = items;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let size = if rest.len() >= ROWS_PER_STATEMENT_MAX {
            ROWS_PER_STATEMENT_MAX
        } else {
            1 << rest.len().ilog2()
        };
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        Some(chunk)
    })
}

/// A BIGINT column from a count or other small unsigned number.
pub(crate) fn bigint(value: u32) -> i64 {
    i64::from(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_full_then_descending_powers_of_two() {
        let items: Vec<u32> = (0..(2 * ROWS_PER_STATEMENT_MAX as u32 + 13)).collect();
        let sizes: Vec<usize> = power_of_two_chunks(&items).map(<[u32]>::len).collect();
        assert_eq!(
            sizes,
            [ROWS_PER_STATEMENT_MAX, ROWS_PER_STATEMENT_MAX, 8, 4, 1]
        );
        assert_eq!(power_of_two_chunks::<u32>(&[]).count(), 0);
    }

    #[test]
    fn placeholders_are_numbered_for_postgres_and_anonymous_for_sqlite() {
        assert_eq!(Placeholders::Numbered.list(4, 3), "$4, $5, $6");
        assert_eq!(Placeholders::Anonymous.list(4, 3), "?, ?, ?");
    }
}
