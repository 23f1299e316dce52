//! InstaHuman's lists: `{"data": [...], "next": "opaque-cursor" | null}`;
//! `?cursor=<next>` fetches the page after. A cursor is the base64url text
//! of the last row's sort key, so it is opaque to clients but needs no
//! server state; one this API did not give is a 400.

use super::errors::{InstaHumanError, InstaHumanResult};
use crate::queries::{decode_cursor, encode_cursor};
use serde::Deserialize;
use serde_json::{json, Value};

/// A page when the client asks for no size.
pub const PAGE_LIMIT_DEFAULT: u32 = 20;
/// The native API's bound on a page: no request reads a whole table.
pub const PAGE_LIMIT_MAX: u32 = crate::queries::PAGE_LIMIT_MAX;
/// Sort keys are ids and timestamps; a longer cursor is not one of ours.
const CURSOR_MAX_CHARS: usize = 256;

/// The query string of a list with no filters of its own.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

/// Where a page starts and how long it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// The sort key of the last row of the previous page.
    pub after: Option<String>,
    pub limit: u32,
}

impl PageRequest {
    /// `valid` says whether a decoded sort key is one this list could have
    /// given (an id that parses, say).
    pub fn parse(
        cursor: Option<&str>,
        limit: Option<u32>,
        valid: impl Fn(&str) -> bool,
    ) -> InstaHumanResult<PageRequest> {
        let limit = limit.unwrap_or(PAGE_LIMIT_DEFAULT);
        if !(1..=PAGE_LIMIT_MAX).contains(&limit) {
            return Err(InstaHumanError::bad_request(format!(
                "limit must be 1 to {PAGE_LIMIT_MAX}"
            )));
        }
        let after = cursor
            .map(|cursor| {
                Some(cursor)
                    .filter(|c| c.len() <= CURSOR_MAX_CHARS)
                    .and_then(decode_cursor)
                    .filter(|key| valid(key))
                    .ok_or_else(|| {
                        InstaHumanError::bad_request(
                            "Invalid cursor: pass the next value of a list.",
                        )
                    })
            })
            .transpose()?;
        Ok(PageRequest { after, limit })
    }

    /// How many rows to fetch: one more than the page tells whether another follows.
    pub fn fetch_limit(&self) -> i64 {
        i64::from(self.limit) + 1
    }

    /// Cuts `rows` (fetched with [`Self::fetch_limit`], in list order) to the
    /// page, and gives the cursor of the next page, if there is one.
    pub fn page<T>(
        &self,
        mut rows: Vec<T>,
        sort_key: impl Fn(&T) -> String,
    ) -> (Vec<T>, Option<String>) {
        if rows.len() <= self.limit as usize {
            return (rows, None);
        }
        rows.truncate(self.limit as usize);
        let next = rows.last().map(|row| encode_cursor(&sort_key(row)));
        (rows, next)
    }
}

/// A list's body.
pub fn list_body(data: Vec<Value>, next: Option<String>) -> Value {
    json!({ "data": data, "next": next })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_number(key: &str) -> bool {
        key.parse::<u32>().is_ok()
    }

    #[test]
    fn a_page_gives_the_cursor_of_the_next_and_it_reads_back() {
        let first = PageRequest::parse(None, Some(2), is_number).expect("first page");
        let (rows, next) = first.page(vec![9, 8, 7], |n| n.to_string());
        assert_eq!(rows, vec![9, 8]);
        let next = next.expect("another page");
        let second = PageRequest::parse(Some(&next), Some(2), is_number).expect("cursor");
        assert_eq!(second.after.as_deref(), Some("8"));
        let (rows, next) = second.page(vec![7], |n| n.to_string());
        assert_eq!((rows, next), (vec![7], None));
    }

    #[test]
    fn a_cursor_or_limit_this_api_did_not_give_is_refused() {
        assert!(PageRequest::parse(Some("not base64!"), None, is_number).is_err());
        let foreign = encode_cursor("not a number");
        assert!(PageRequest::parse(Some(&foreign), None, is_number).is_err());
        assert!(PageRequest::parse(Some(&"A".repeat(1_000)), None, |_| true).is_err());
        assert!(PageRequest::parse(None, Some(0), is_number).is_err());
        assert!(PageRequest::parse(None, Some(PAGE_LIMIT_MAX + 1), is_number).is_err());
    }
}
