//! Builders for the statements whose shape depends on how many rows they carry.

use super::connect::Backend;
use super::limits::STATEMENT_PARAMETERS_MAX;

/// `count` bind parameters separated by commas, spelled for `backend`.
///
/// PostgreSQL needs `$1, $2, …`. SQLite accepts those too, but treats each as a name and looks
/// it up in a list, which is quadratic in a statement's parameter count: a 256-row INSERT spent
/// two thirds of its time there. SQLite numbers anonymous `?` in order at no cost, so
/// variable-length statements use `?` on SQLite. (Fixed statements keep `$n` on both.)
pub(crate) fn placeholders(backend: Backend, count: usize) -> String {
    numbered(backend, 1, count)
}

/// `($1, $2), ($3, $4), …` (or `(?, ?), …`): `rows` tuples of `columns` parameters each.
pub(crate) fn value_rows(backend: Backend, rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| format!("({})", numbered(backend, 1 + row * columns, columns)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn numbered(backend: Backend, first: usize, count: usize) -> String {
    (first..first + count)
        .map(|number| match backend {
            Backend::Postgres => format!("${number}"),
            Backend::Sqlite => "?".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// How many rows of `columns` parameters one statement may bind.
pub(crate) fn rows_per_statement(columns: usize) -> usize {
    STATEMENT_PARAMETERS_MAX / columns
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn value_rows_number_postgres_placeholders_across_rows() {
        assert_eq!(
            value_rows(Backend::Postgres, 2, 3),
            "($1, $2, $3), ($4, $5, $6)"
        );
        assert_eq!(placeholders(Backend::Postgres, 2), "$1, $2");
    }

    #[test]
    fn sqlite_placeholders_are_anonymous() {
        assert_eq!(value_rows(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
    }
}
