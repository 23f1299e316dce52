//! Building a query with a variable set of filters: placeholders are
//! numbered (`$1`, `$2`, …), which both backends understand.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;

pub enum Bind {
    Text(String),
    Int(i64),
}

#[derive(Default)]
pub struct Binds(Vec<Bind>);

impl Binds {
    /// Adds a value and returns its placeholder.
    pub fn push(&mut self, value: Bind) -> String {
        self.0.push(value);
        format!("${}", self.0.len())
    }

    pub fn apply<'q>(
        self,
        mut query: Query<'q, Any, AnyArguments<'q>>,
    ) -> Query<'q, Any, AnyArguments<'q>> {
        for value in self.0 {
            query = match value {
                Bind::Text(text) => query.bind(text),
                Bind::Int(number) => query.bind(number),
            };
        }
        query
    }
}
